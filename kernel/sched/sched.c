/*
 * The scheduler: run queues by priority, the current thread, blocking on wait
 * queues with optional timeouts, and preemption at the end of a timer quantum.
 * Thread creation and exit live in thread.c; the switch itself in arch/i386.
 *
 * Lock order: task->lock, then IPC's locks (a space's, a port's), then sched_lock. sched_lock is held across the
 * context switch; the thread that resumes releases it (a new thread releases it
 * in sched_thread_start).
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/sched.h>
#include <kern/task.h>

struct spinlock sched_lock = SPINLOCK_INIT("sched", LOCK_RANK_SCHED);

static struct list runq[NPRIO];		/* [sched_lock] */
static uint32_t runq_bitmap;		/* [sched_lock] bit p: runq[p] is not empty */
static struct list sleepers;		/* [sched_lock] blocked with a timeout */
static struct list dead;		/* [sched_lock] exited, stack not yet freed */
struct thread *sched_current;		/* [sched_lock] (per CPU, once there are several) */
bool sched_resched_wanted;		/* [sched_lock]; read alone at a trap's end (sched.h) */
static struct waitq reaper_wq;		/* [sched_lock] the reaper waits for work (task.c) */
static struct thread idle_thread;	/* the boot context becomes the idle thread */
struct list all_threads = LIST_INIT(all_threads);	/* [sched_lock] */

extern char boot_stack[];

bool
sched_can_block(void)
{
	return arch_interrupts_enabled() && sched_current && sched_current != &idle_thread;
}

void
sched_init(void)
{
	for (int p = 0; p < NPRIO; p++)
		list_init(&runq[p]);
	list_init(&sleepers);
	list_init(&dead);
	waitq_init(&reaper_wq);
	idle_thread.kstack = boot_stack;
	idle_thread.task = kernel_task;
	idle_thread.priority = PRIO_IDLE;
	idle_thread.state = THREAD_RUNNING;
	strlcpy(idle_thread.name, "idle", sizeof idle_thread.name);
	list_init(&idle_thread.run_link);
	list_init(&idle_thread.sleep_link);
	list_push_back(&all_threads, &idle_thread.all_link);
	sched_current = &idle_thread;
}

static void
runq_insert_locked(struct thread *t)
{
	list_push_back(&runq[t->priority], &t->run_link);
	runq_bitmap |= 1u << t->priority;
}

static struct thread *
runq_pick_locked(void)
{
	struct list *l;
	int p;

	if (!runq_bitmap)
		return &idle_thread;
	p = __builtin_ctz(runq_bitmap);
	l = list_pop_front(&runq[p]);
	if (list_empty(&runq[p]))
		runq_bitmap &= ~(1u << p);
	return list_entry(l, struct thread, run_link);
}

/*
 * A successor that cannot run at once goes into its run queue: first in it,
 * as the thread about to run, unless the slice it shares with its waker is
 * over (sched_resched_wanted: the quantum ran out and someone as urgent is
 * ready), when it goes behind those who waited, so that two threads that
 * answer each other cannot keep a third of their priority off the CPU.
 */
static void
successor_queue_locked(struct thread *t)
{
	if (sched_resched_wanted)
		list_push_back(&runq[t->priority], &t->run_link);
	else
		list_push_front(&runq[t->priority], &t->run_link);
	runq_bitmap |= 1u << t->priority;
}

/*
 * Gives the CPU to the most urgent ready thread. The caller has already set
 * current->state: RUNNING means it stays runnable (it goes to the back of its
 * queue), anything else means it is blocked or dead. Caller holds sched_lock.
 */
static void
reschedule_locked(void)
{
	struct thread *prev = sched_current, *next, *succ = prev->successor;

	if (prev->state == THREAD_RUNNING && prev != &idle_thread) {
		prev->state = THREAD_READY;
		runq_insert_locked(prev);
	}
	if (succ) {
		prev->successor = NULL;
		next = succ;	/* the handoff: no run queue touched */
		if (sched_resched_wanted || (runq_bitmap && __builtin_ctz(runq_bitmap) < succ->priority)) {
			successor_queue_locked(succ);
			next = runq_pick_locked();
		}
	} else {
		next = runq_pick_locked();
	}
	sched_resched_wanted = false;
	next->state = THREAD_RUNNING;
	/* a thread woken by a message runs on what was left of its waker's slice */
	if (!next->slice_donated || next->quantum <= 0)
		next->quantum = QUANTUM_TICKS;
	next->slice_donated = false;
	if (next == prev)
		return;
	sched_current = next;
	arch_thread_switch(prev, next);
}

/* First code a new thread runs, with sched_lock held by whoever switched to it. */
void
sched_thread_start(void)
{
	struct thread *t = sched_current;

	spin_unlock_irqrestore(&sched_lock, EFLAGS_IF_BIT);
	if (t->entry) {
		t->entry(t->arg);
		thread_exit();
	}
	/* user thread: returns into trapret, onto its user trapframe, unless stopped first */
	task_check_kill();
}

void
thread_make_ready_locked(struct thread *t)
{
	assert_held(&sched_lock);
	t->state = THREAD_READY;
	runq_insert_locked(t);
	if (t->priority < sched_current->priority)
		sched_resched_wanted = true;
}

void
sched_yield(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	reschedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}

/* From the end of a trap: the quantum ran out or someone more urgent woke. */
void
sched_preempt(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	if (sched_resched_wanted)
		reschedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}

/* A blocked thread taken off its wait queue (and the sleepers, if it had a timeout), told why. */
static inline void
off_wait_locked(struct thread *t, enum wake_reason why)
{
	list_remove(&t->run_link);
	if (t->wake_tick) {
		list_remove(&t->sleep_link);
		t->wake_tick = 0;
	}
	t->waiting_on = NULL;
	t->wake_reason = why;
}

static void
wake_locked(struct thread *t, enum wake_reason why)
{
	if (t->state != THREAD_BLOCKED)
		return;
	off_wait_locked(t, why);
	thread_make_ready_locked(t);
}

/* From the timer interrupt, with interrupts off. */
void
sched_tick(void)
{
	uint64_t now = clock_ticks();
	struct list *l, *tmp;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	sched_current->ticks_used++;
	list_for_each_safe(l, tmp, &sleepers) {
		struct thread *t = list_entry(l, struct thread, sleep_link);
		if (t->wake_tick <= now)
			wake_locked(t, WAKE_TIMEOUT);
	}
	if (sched_current == &idle_thread) {
		if (runq_bitmap)
			sched_resched_wanted = true;
	} else if (--sched_current->quantum <= 0) {
		/* Only worth a switch if someone of equal or higher priority waits. */
		if (runq_bitmap && __builtin_ctz(runq_bitmap) <= sched_current->priority)
			sched_resched_wanted = true;
		else
			sched_current->quantum = QUANTUM_TICKS;
	}
	spin_unlock_irqrestore(&sched_lock, f);
}

void
waitq_init(struct waitq *wq)
{
	list_init(&wq->threads);
}

enum wake_reason
waitq_wait_locked(struct waitq *wq, uint64_t timeout_ticks)
{
	return waitq_wait_dropping_locked(wq, timeout_ticks, NULL);
}

enum wake_reason
waitq_wait_dropping_locked(struct waitq *wq, uint64_t timeout_ticks, struct spinlock *outer)
{
	struct thread *t = sched_current;

	assert_held(&sched_lock);
	if (outer) {
		assert_held(outer);
		spin_unlock_irqoff(outer);	/* we are on no queue yet, but nobody can wake us before we are */
	}
	if (t->kill_pending)
		return WAKE_ABORTED;
	t->uninterruptible = false;
	t->state = THREAD_BLOCKED;
	t->waiting_on = wq;
	list_push_back(&wq->threads, &t->run_link);
	if (timeout_ticks) {
		t->wake_tick = clock_ticks() + timeout_ticks;
		list_push_back(&sleepers, &t->sleep_link);
	}
	reschedule_locked();
	return t->wake_reason;
}

/* A wait that only a wake-up on wq ends: a mutex's (kern/mutex.h). */
void
waitq_wait_uninterruptible_locked(struct waitq *wq)
{
	struct thread *t = sched_current;

	assert_held(&sched_lock);
	t->uninterruptible = true;
	t->state = THREAD_BLOCKED;
	t->waiting_on = wq;
	list_push_back(&wq->threads, &t->run_link);
	reschedule_locked();
	t->uninterruptible = false;
}

int
waitq_wake_all_locked(struct waitq *wq)
{
	int n = 0;

	assert_held(&sched_lock);
	while (!list_empty(&wq->threads)) {
		wake_locked(list_entry(wq->threads.next, struct thread, run_link), WAKE_SIGNALED);
		n++;
	}
	return n;
}

struct thread *
waitq_first_locked(struct waitq *wq)
{
	return list_empty(&wq->threads) ? NULL : list_entry(wq->threads.next, struct thread, run_link);
}

void
thread_wake_locked(struct thread *t)
{
	assert_held(&sched_lock);
	wake_locked(t, WAKE_SIGNALED);
}

void
thread_wake_successor_locked(struct thread *t)
{
	struct thread *me = sched_current;

	assert_held(&sched_lock);
	if (t->state != THREAD_BLOCKED)
		return;
	if (me->successor || me == &idle_thread) {	/* one at a time: the other way for a second */
		wake_locked(t, WAKE_SIGNALED);
		return;
	}
	off_wait_locked(t, WAKE_SIGNALED);
	t->state = THREAD_READY;
	t->quantum = me->quantum;	/* the rest of our slice: the pair shares one */
	t->slice_donated = true;
	me->successor = t;
}

/*
 * The RPC's switch in one step: the current thread waits on wq (outer let go
 * first, as waitq_wait_dropping_locked lets it go) and r, blocked elsewhere
 * and just given its message, runs in its place on what is left of the
 * slice: what thread_wake_successor_locked and then reschedule_locked would
 * do, without the successor's slot or a look at the run queues beyond the
 * one that says nobody more urgent is ready. Where they would do otherwise (a
 * more urgent thread ready, the slice over, a successor already chosen, a
 * stop pending), it is those two steps.
 */
enum wake_reason
sched_handoff_wait_locked(struct waitq *wq, struct spinlock *outer, struct thread *r)
{
	struct thread *me = sched_current;

	assert_held(&sched_lock);
	if (me->kill_pending || me->successor || me == &idle_thread || r->state != THREAD_BLOCKED ||
	    sched_resched_wanted || (runq_bitmap && __builtin_ctz(runq_bitmap) < r->priority)) {
		thread_wake_successor_locked(r);
		return waitq_wait_dropping_locked(wq, 0, outer);
	}
	spin_unlock_irqoff(outer);
	off_wait_locked(r, WAKE_SIGNALED);
	r->state = THREAD_RUNNING;
	r->quantum = me->quantum > 0 ? me->quantum : QUANTUM_TICKS;
	r->slice_donated = false;
	me->uninterruptible = false;
	me->state = THREAD_BLOCKED;
	me->waiting_on = wq;
	list_push_back(&wq->threads, &me->run_link);
	sched_current = r;
	arch_thread_switch(me, r);
	return me->wake_reason;
}

/* Back to user mode without having blocked: the successor waits in its queue like any woken thread. */
void
sched_successor_flush(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	struct thread *t = sched_current->successor;

	if (t) {
		sched_current->successor = NULL;
		successor_queue_locked(t);
		if (t->priority < sched_current->priority)
			sched_resched_wanted = true;
	}
	spin_unlock_irqrestore(&sched_lock, f);
}

/* Wakes the longest waiter, if any; returns whether one woke. */
bool
waitq_wake_one_locked(struct waitq *wq)
{
	if (list_empty(&wq->threads))
		return false;
	wake_locked(list_entry(wq->threads.next, struct thread, run_link), WAKE_SIGNALED);
	return true;
}

/* Wakes a blocked thread so it notices it must exit (thread_abort's core). */
void
thread_abort_wait_locked(struct thread *t)
{
	if (!t->uninterruptible)
		wake_locked(t, WAKE_ABORTED);
}

void
thread_sleep_ticks(uint64_t ticks)
{
	struct waitq never;
	uint32_t f;

	waitq_init(&never);
	f = spin_lock_irqsave(&sched_lock);
	waitq_wait_locked(&never, ticks ? ticks : 1);
	spin_unlock_irqrestore(&sched_lock, f);
}

/* The current thread is done. Its stack is freed by the reaper (task.c). */
void
thread_exit(void)
{
	struct thread *t = sched_current;
	uint32_t f;

	f = spin_lock_irqsave(&sched_lock);
	(void)f;
	t->state = THREAD_DEAD;
	list_remove(&t->all_link);
	list_push_back(&dead, &t->run_link);
	waitq_wake_all_locked(&reaper_wq);
	reschedule_locked();
	panic("dead thread %s ran again", t->name);
}

struct thread *
sched_take_dead_locked(void)
{
	struct list *l = list_pop_front(&dead);

	return l ? list_entry(l, struct thread, run_link) : NULL;
}

void
sched_reaper_wait_locked(void)
{
	waitq_wait_locked(&reaper_wq, 0);
}

void
sched_wake_reaper_locked(void)
{
	waitq_wake_all_locked(&reaper_wq);
}

/* The first tick a sleeper waits for, 0 when none does: the idle loop's next timer interrupt. */
static uint64_t
sleepers_next_tick(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	uint64_t next = 0;
	struct list *l;

	list_for_each(l, &sleepers) {
		uint64_t w = list_entry(l, struct thread, sleep_link)->wake_tick;
		if (!next || w < next)
			next = w;
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return next;
}

/*
 * Halts until an interrupt makes a thread ready. With a tickless timer the
 * halt lasts until the first sleeper is due (sched/clock.c), not the next tick;
 * the interrupt that ends it arms the tick again (arch_idle_over). Runs with
 * interrupts off but in arch_idle's halt, so nothing can join the sleepers
 * between the look and the halt, and a thread made ready before the loop (the
 * first ones, at boot) runs without waiting for an interrupt.
 */
void
sched_idle_loop(void)
{
	for (;;) {
		if (!sched_resched_wanted) {
			clock_idle_arm(sleepers_next_tick());
			arch_idle();
		}
		if (sched_resched_wanted)
			sched_preempt();
	}
}
