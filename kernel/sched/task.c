/*
 * Task life cycle: creation, threads joining, termination and the reaper that
 * frees what dead threads and tasks leave behind. Lock order: tasks_lock, then
 * task->lock, then sched_lock.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/vm_map.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/sched.h>
#include <kern/task.h>
#include <manifold/traps.h>
#include "layout.h"
#include "pmap.h"
#include <kern/vm_object.h>

struct task *kernel_task;
static struct spinlock tasks_lock = SPINLOCK_INIT("tasks");
static struct list all_tasks = LIST_INIT(all_tasks);	/* [tasks_lock] */
static uint32_t next_task_id;				/* [tasks_lock] */
static struct task kernel_task_store;

static void reaper(void *);
static void task_finish(struct task *task);

struct task *
curtask(void)
{
	return curthread()->task;
}

static void
task_setup(struct task *t, const char *name, struct pmap *pmap)
{
	uint32_t f;

	t->lock = (struct spinlock)SPINLOCK_INIT("task");
	t->map_lock = (struct spinlock)SPINLOCK_INIT("map");
	vm_map_init(t);
	strlcpy(t->name, name, sizeof t->name);
	t->pmap = pmap;
	t->state = TASK_ALIVE;
	t->refs = 1;
	list_init(&t->threads);
	waitq_init(&t->death);
	f = spin_lock_irqsave(&tasks_lock);
	t->id = next_task_id++;
	list_push_back(&all_tasks, &t->all_link);
	spin_unlock_irqrestore(&tasks_lock, f);
}

void
task_init(void)
{
	kernel_task = &kernel_task_store;
	task_setup(kernel_task, "kernel", kernel_pmap());
	if (ipc_task_init(kernel_task) != KERN_SUCCESS)
		panic("no memory for the kernel task's IPC space");
}

void
task_start_reaper(void)
{
	if (!thread_create_kernel("reaper", reaper, NULL, PRIO_KERNEL))
		panic("cannot start the reaper");
}

int
task_create(const char *name, struct task **out)
{
	struct task *t = kzalloc(sizeof *t);
	struct pmap *pmap;

	if (!t)
		return -1;
	pmap = pmap_create();
	if (!pmap) {
		kfree(t);
		return -1;
	}
	task_setup(t, name, pmap);
	if (ipc_task_init(t) != KERN_SUCCESS) {
		task_unref(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
task_ref(struct task *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void
task_unref(struct task *t)
{
	uint32_t f;

	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	assert(t->state == TASK_DEAD || t->nthreads == 0);
	f = spin_lock_irqsave(&tasks_lock);
	list_remove(&t->all_link);
	spin_unlock_irqrestore(&tasks_lock, f);
	ipc_task_terminate(t);
	vm_map_destroy(t);
	if (t->pmap) {
		pmap_destroy(t->pmap);
		t->pmap = NULL;
	}
	kfree(t);
	if (pager_msg_pending && !spin_held(&sched_lock))	/* its mapped objects may have ended */
		vm_object_flush();
}

uint32_t
task_summaries(struct manifold_task_summary *out, uint32_t max)
{
	uint32_t n = 0, f = spin_lock_irqsave(&tasks_lock);
	struct list *l, *m;

	list_for_each(l, &all_tasks) {
		struct task *t = list_entry(l, struct task, all_link);
		if (n < max) {
			struct manifold_task_summary *s = &out[n];
			uint64_t ticks = 0;
			uint32_t g = spin_lock_irqsave(&t->lock), h = spin_lock_irqsave(&sched_lock);

			list_for_each(m, &t->threads)
				ticks += list_entry(m, struct thread, task_link)->ticks_used;
			spin_unlock_irqrestore(&sched_lock, h);
			s->id = t->id;
			strlcpy(s->name, t->name, sizeof s->name);
			s->dying = t->state != TASK_ALIVE;
			s->threads = (uint32_t)t->nthreads;
			s->resident_pages = task_resident_pages(t);
			s->cpu_ms = (uint32_t)(ticks * 1000 / HZ);
			spin_unlock_irqrestore(&t->lock, g);
		}
		n++;
	}
	spin_unlock_irqrestore(&tasks_lock, f);
	return n;
}

void
task_add_thread(struct task *task, struct thread *t)
{
	uint32_t f = spin_lock_irqsave(&task->lock);

	list_push_back(&task->threads, &t->task_link);
	task->nthreads++;
	spin_unlock_irqrestore(&task->lock, f);
	if (task != kernel_task)
		task_ref(task);
}

/* A new user thread in task, entering user mode at eip with stack esp. */
struct thread *
task_start_thread(struct task *task, uint32_t eip, uint32_t esp)
{
	struct thread *t = thread_alloc(task, task->name, PRIO_USER);

	if (!t)
		return NULL;
	arch_thread_init_user(t, eip, esp, 0);
	task_add_thread(task, t);
	sched_ready_user_thread(t);
	return t;
}

/* A thread for thread_create: suspended once, registers zero until set. */
struct thread *
task_create_suspended_thread(struct task *task)
{
	struct thread *t = thread_alloc(task, task->name, PRIO_USER);

	if (!t)
		return NULL;
	arch_thread_init_user(t, 0, 0, 0);
	t->suspend_count = 1;
	task_add_thread(task, t);
	sched_ready_user_thread(t);	/* it stops at its first step towards user mode */
	return t;
}

uint32_t
task_resident_pages(struct task *t)
{
	return t->pmap ? pmap_resident_count(t->pmap) : 0;
}

/*
 * Marks the task dying and makes each of its threads leave: a blocked one is
 * woken, and every one exits when it next returns towards user mode. The first
 * reason given is the one that counts.
 */
void
task_terminate(struct task *task, enum task_end end, int status)
{
	struct list *l;
	uint32_t f, g;

	if (task == kernel_task)
		return;
	f = spin_lock_irqsave(&task->lock);
	if (task->state == TASK_ALIVE) {
		task->state = TASK_DYING;
		task->end = end;
		task->exit_status = status;
	}
	g = spin_lock_irqsave(&sched_lock);
	list_for_each(l, &task->threads) {
		struct thread *t = list_entry(l, struct thread, task_link);
		t->kill_pending = true;
		thread_abort_wait_locked(t);
	}
	spin_unlock_irqrestore(&sched_lock, g);
	spin_unlock_irqrestore(&task->lock, f);
}

/*
 * Called on the way back to user mode: a thread of a dying task stops here,
 * and a suspended thread (or one of a suspended task) waits here.
 */
void
task_check_kill(void)
{
	struct thread *t = curthread();
	uint32_t f = spin_lock_irqsave(&sched_lock);

	while (!t->kill_pending && (t->suspend_count || t->task->suspend_count))
		waitq_wait_locked(&t->resume, 0);
	spin_unlock_irqrestore(&sched_lock, f);
	if (t->kill_pending)
		thread_exit();
}

void
task_finish_threadless(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&t->lock);
	bool none = t->nthreads == 0 && !t->finishing;

	if (none)
		t->finishing = true;	/* the reaper will never see this task */
	spin_unlock_irqrestore(&t->lock, f);
	if (none)
		task_finish(t);
}

int
task_wait(struct task *task, uint64_t timeout_ticks)
{
	uint64_t deadline = timeout_ticks ? clock_ticks() + timeout_ticks : 0;
	uint32_t f = spin_lock_irqsave(&sched_lock);
	int r = 0;

	while (task->state != TASK_DEAD) {
		uint64_t now = clock_ticks();
		if (deadline && now >= deadline) {
			r = -1;
			break;
		}
		waitq_wait_locked(&task->death, deadline ? deadline - now : 0);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return r;
}

/* The last thread of a task is gone: free its memory and announce its death. */
static void
task_finish(struct task *task)
{
	uint32_t f;

	ipc_task_terminate(task);
	vm_map_destroy(task);
	pmap_destroy(task->pmap);
	task->pmap = NULL;
	if (pager_msg_pending)		/* its mapped objects may have ended */
		vm_object_flush();
	f = spin_lock_irqsave(&task->lock);
	if (task->state == TASK_ALIVE) {	/* every thread left by itself */
		task->end = TASK_EXITED;
		task->exit_status = 0;
	}
	spin_unlock_irqrestore(&task->lock, f);
	f = spin_lock_irqsave(&sched_lock);
	task->state = TASK_DEAD;
	waitq_wake_all_locked(&task->death);
	spin_unlock_irqrestore(&sched_lock, f);
}

static void
reaper(void *arg)
{
	for (;;) {
		struct thread *t = sched_wait_dead();
		struct task *task;
		bool last;
		uint32_t f;

		task = t->task;
		f = spin_lock_irqsave(&task->lock);
		list_remove(&t->task_link);
		last = --task->nthreads == 0;
		spin_unlock_irqrestore(&task->lock, f);
		thread_free(t);
		if (task == kernel_task)
			continue;
		if (last) {
			f = spin_lock_irqsave(&task->lock);
			last = !task->finishing;
			task->finishing = true;
			spin_unlock_irqrestore(&task->lock, f);
		}
		if (last)
			task_finish(task);
		task_unref(task);
	}
}

int
task_count(void)
{
	struct list *l;
	int n = 0;
	uint32_t f = spin_lock_irqsave(&tasks_lock);

	list_for_each(l, &all_tasks)
		n++;
	spin_unlock_irqrestore(&tasks_lock, f);
	return n;
}

/* Returns the task with a reference, or NULL. */
struct task *
task_find(uint32_t id)
{
	struct list *l;
	struct task *found = NULL;
	uint32_t f = spin_lock_irqsave(&tasks_lock);

	list_for_each(l, &all_tasks) {
		struct task *t = list_entry(l, struct task, all_link);
		if (t->id == id && t->state != TASK_DEAD) {
			task_ref(t);
			found = t;
			break;
		}
	}
	spin_unlock_irqrestore(&tasks_lock, f);
	return found;
}
