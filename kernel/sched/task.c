/*
 * Task life cycle: creation, threads joining, termination, and the reaper that
 * frees what dead threads and tasks leave behind (kern/task.h says which
 * reference keeps what alive). The reaper has three jobs, each done with no
 * lock held: free an exited thread (and finish its task when it was the last);
 * finish a terminated task that has no thread; free a task whose last
 * reference went. Finishing takes the task's rights, regions and pages at
 * once; freeing takes what calls still holding the task may look at.
 *
 * Lock order: map_lock (a mutex, held with no spin lock), then tasks_lock, then
 * task->lock, then IPC's locks, then sched_lock.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/device.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/ledger.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/sched.h>
#include <kern/syscall_inputs.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <manifold/traps.h>
#include "layout.h"
#include "pmap.h"
#include <kern/vm_object.h>

struct task *kernel_task;
static struct spinlock tasks_lock = SPINLOCK_INIT("tasks", LOCK_RANK_TASKS);
static struct list all_tasks = LIST_INIT(all_tasks);	/* [tasks_lock] */
static uint32_t next_task_id;				/* [tasks_lock] */
static struct task kernel_task_store;
static struct list to_finish = LIST_INIT(to_finish);	/* [sched_lock] terminated, no thread left */
static struct list to_free = LIST_INIT(to_free);	/* [sched_lock] the last reference went */

static void reaper(void *);

/* A new task's fields; it is in no list yet. */
static void
task_setup(struct task *t, const char *name, struct pmap *pmap)
{
	t->lock = (struct spinlock)SPINLOCK_INIT("task", LOCK_RANK_TASK);
	t->itk_lock = (struct spinlock)SPINLOCK_INIT("task itk", LOCK_RANK_ITK);
	kmutex_init(&t->map_lock, "map");
	vm_map_init(t);
	strlcpy(t->name, name, sizeof t->name);
	t->pmap = pmap;
	t->state = TASK_ALIVE;
	t->active = true;
	list_init(&t->threads);
	list_init(&t->reap_link);
	waitq_init(&t->death);
	waitq_init(&t->thread_gone);
	for (int i = 0; i < TASK_LIMITS_COUNT; i++)
		t->limits[i] = UINT32_MAX;	/* the kernel's; task_create sets a user task's */
}

static const uint32_t default_limits[TASK_LIMITS_COUNT] = {
	[TASK_LIMIT_NAMES] = TASK_LIMIT_NAMES_DEFAULT,
	[TASK_LIMIT_THREADS] = TASK_LIMIT_THREADS_DEFAULT,
	[TASK_LIMIT_TASKS] = TASK_LIMIT_TASKS_DEFAULT,
	[TASK_LIMIT_KMEM] = TASK_LIMIT_KMEM_DEFAULT,
};

/* Gives the task its number and shows it in the task list. */
static void
task_publish(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&tasks_lock);

	t->id = next_task_id++;
	list_push_back(&all_tasks, &t->all_link);
	spin_unlock_irqrestore(&tasks_lock, f);
}

void
task_init(void)
{
	kernel_task = &kernel_task_store;
	task_setup(kernel_task, "kernel", kernel_pmap());
	kernel_task->refs = 1;	/* never dropped */
	task_publish(kernel_task);
	if (ipc_task_init(kernel_task) != KERN_SUCCESS)
		panic("no memory for the kernel task's IPC space");
}

void
task_start_reaper(void)
{
	if (!thread_create_kernel("reaper", reaper, NULL, PRIO_KERNEL))
		panic("cannot start the reaper");
}

/*
 * A new user task, with parent's limits (the defaults without one). NULL
 * parent: a boot module's task. -1: no memory.
 */
static int
task_make(const char *name, struct task *parent, struct task **out)
{
	struct task *t = kzalloc(sizeof *t);
	struct pmap *pmap;

	if (!t)
		return -1;
	pmap = pmap_create();
	t->kmem = ledger_create(0);
	if (!pmap || !t->kmem) {
		if (pmap)
			pmap_destroy(pmap);
		if (t->kmem)
			ledger_unref(t->kmem);
		kfree(t);
		return -1;
	}
	task_setup(t, name, pmap);
	if (parent) {
		uint32_t f = spin_lock_irqsave(&parent->lock);
		memcpy(t->limits, parent->limits, sizeof t->limits);
		syscall_inputs_inherit_locked(t, parent);
		spin_unlock_irqrestore(&parent->lock, f);
	} else {
		memcpy(t->limits, default_limits, sizeof t->limits);
	}
	t->kmem->limit = t->limits[TASK_LIMIT_KMEM];
	t->refs = 2;	/* its existence, until it is finished, and the caller's */
	if (ipc_task_init(t) != KERN_SUCCESS) {
		pmap_destroy(pmap);
		ledger_unref(t->kmem);
		syscall_inputs_release(t);
		kfree(t);
		return -1;
	}
	if (parent) {
		task_ref(parent);	/* dropped when t is freed */
		t->parent = parent;
	}
	task_publish(t);
	*out = t;
	return 0;
}

int
task_create(const char *name, struct task **out)
{
	return task_make(name, NULL, out);
}

/*
 * Requests for new tasks and threads stop at twice the page reserve, the
 * privileged tasks' at the reserve itself: never in it.
 */
static bool
short_of_memory(void)
{
	return page_free_count() < (task_may_use_reserve(curtask()) ? 1 : 2) * page_reserve_count();
}

void
task_raise_limit(struct task *t, int which, uint32_t value)
{
	uint32_t f = spin_lock_irqsave(&t->lock), g = spin_lock_irqsave(&sched_lock);

	t->limits[which] = value;	/* (task_set_limits writes them under both locks) */
	spin_unlock_irqrestore(&sched_lock, g);
	spin_unlock_irqrestore(&t->lock, f);
}

kern_return_t
task_create_child(struct task *parent, struct task **out)
{
	uint32_t f;

	if (short_of_memory())
		return KERN_RESOURCE_SHORTAGE;
	f = spin_lock_irqsave(&parent->lock);
	kern_return_t kr = !parent->active ? KERN_INVALID_ARGUMENT
		: parent->children >= parent->limits[TASK_LIMIT_TASKS] ? KERN_RESOURCE_SHORTAGE : KERN_SUCCESS;

	if (kr == KERN_SUCCESS)
		parent->children++;	/* held for the child while it is made */
	spin_unlock_irqrestore(&parent->lock, f);
	if (kr != KERN_SUCCESS)
		return kr;
	if (task_make(parent->name, parent, out) < 0) {
		f = spin_lock_irqsave(&parent->lock);
		parent->children--;
		spin_unlock_irqrestore(&parent->lock, f);
		return KERN_RESOURCE_SHORTAGE;
	}
	return KERN_SUCCESS;
}

void
task_ref(struct task *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

/*
 * The last reference can go in any thread, in the middle of anything: the
 * reaper frees the task, where no lock is held and nobody can still be
 * looking at it.
 */
void
task_unref(struct task *t)
{
	uint32_t f;

	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	assert(t->state == TASK_DEAD);	/* its existence's reference went when it was finished */
	f = spin_lock_irqsave(&sched_lock);
	list_push_back(&to_free, &t->reap_link);
	sched_wake_reaper_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}

/* Frees a task whose last reference went. It was finished: its space and map are empty. */
static void
task_destroy(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&tasks_lock);

	list_remove(&t->all_link);
	spin_unlock_irqrestore(&tasks_lock, f);
	ipc_task_destroy(t);
	vm_map_destroy(t);
	pmap_destroy(t->pmap);
	if (t->kmem)
		ledger_unref(t->kmem);	/* messages still queued keep it until they go */
	if (t->parent)
		task_unref(t->parent);
	syscall_inputs_release(t);
	kfree(t);
}

bool
task_alive(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&t->lock);
	bool alive = t->active;

	spin_unlock_irqrestore(&t->lock, f);
	return alive;
}

void
task_usage_locked(struct task *t, uint32_t usage[TASK_LIMITS_COUNT])
{
	usage[TASK_LIMIT_NAMES] = 0;
	if (t->space) {
		uint32_t f = spin_lock_irqsave(&t->space->lock);
		usage[TASK_LIMIT_NAMES] = t->space->count;
		spin_unlock_irqrestore(&t->space->lock, f);
	}
	usage[TASK_LIMIT_THREADS] = (uint32_t)t->nthreads;	/* [L+S]: t->lock is held */
	usage[TASK_LIMIT_TASKS] = t->children;
	usage[TASK_LIMIT_KMEM] = t->kmem ? __atomic_load_n(&t->kmem->used, __ATOMIC_RELAXED) : 0;
}

/* A dead task waiting for the reaper to free it is not shown: it is gone. */
uint32_t
task_summaries(struct manifold_task_summary *out, uint32_t max)
{
	uint32_t n = 0, f = spin_lock_irqsave(&tasks_lock);
	struct list *l, *m;

	list_for_each(l, &all_tasks) {
		struct task *t = list_entry(l, struct task, all_link);
		uint32_t g = spin_lock_irqsave(&t->lock), h;
		if (t->state == TASK_DEAD) {
			spin_unlock_irqrestore(&t->lock, g);
			continue;
		}
		if (n < max) {
			struct manifold_task_summary *s = &out[n];
			uint64_t ticks = 0;

			h = spin_lock_irqsave(&sched_lock);
			list_for_each(m, &t->threads)
				ticks += list_entry(m, struct thread, task_link)->ticks_used;
			spin_unlock_irqrestore(&sched_lock, h);
			s->id = t->id;
			strlcpy(s->name, t->name, sizeof s->name);
			s->dying = t->state != TASK_ALIVE;
			s->threads = (uint32_t)t->nthreads;
			s->resident_pages = task_resident_pages(t);
			s->cpu_ms = (uint32_t)(ticks * 1000 / HZ);
			_Static_assert(TASK_LIMITS_COUNT == 4, "struct manifold_task_summary has room for 4");
			memcpy(s->limits, t->limits, sizeof s->limits);
			task_usage_locked(t, s->usage);
		}
		spin_unlock_irqrestore(&t->lock, g);
		n++;
	}
	spin_unlock_irqrestore(&tasks_lock, f);
	return n;
}

/*
 * Puts a new thread (thread_alloc's, ready to run) in the task and makes it
 * runnable, in one step so that task_terminate sees it either in the task or
 * not at all. False if the task is no longer active: the thread is the
 * caller's to free.
 */
kern_return_t
task_add_thread(struct task *task, struct thread *t)
{
	uint32_t f = spin_lock_irqsave(&task->lock), g = spin_lock_irqsave(&sched_lock);
	kern_return_t kr = !task->active ? KERN_INVALID_ARGUMENT
		: (uint32_t)task->nthreads >= task->limits[TASK_LIMIT_THREADS] ? KERN_RESOURCE_SHORTAGE
		: KERN_SUCCESS;

	if (kr == KERN_SUCCESS) {
		list_push_back(&task->threads, &t->task_link);
		task->nthreads++;
		if (task != kernel_task)
			task_ref(task);		/* the thread's, dropped by the reaper */
		thread_make_ready_locked(t);
	}
	spin_unlock_irqrestore(&sched_lock, g);
	spin_unlock_irqrestore(&task->lock, f);
	return kr;
}

/* A new user thread in task, entering user mode at eip with stack esp. */
struct thread *
task_start_thread(struct task *task, uint32_t eip, uint32_t esp)
{
	struct thread *t = thread_alloc(task, task->name, PRIO_USER);

	if (!t)
		return NULL;
	arch_thread_init_user(t, eip, esp, 0);
	if (task_add_thread(task, t) != KERN_SUCCESS) {
		thread_free(t);
		return NULL;
	}
	return t;
}

kern_return_t
task_create_suspended_thread(struct task *task, struct port **right)
{
	struct thread *t;
	kern_return_t kr;
	uint32_t f;

	if (short_of_memory())
		return KERN_RESOURCE_SHORTAGE;
	t = thread_alloc(task, task->name, PRIO_USER);
	if (!t)
		return KERN_RESOURCE_SHORTAGE;
	arch_thread_init_user(t, 0, 0, 0);
	t->suspend_count = 1;	/* it stops at its first step towards user mode */
	/* the right is made while nobody else can reach the thread: it may be gone once added */
	f = ipc_begin();
	port_copy_send(t->self);
	*right = t->self;
	ipc_end(f);
	kr = task_add_thread(task, t);
	if (kr != KERN_SUCCESS) {	/* dying (KERN_INVALID_ARGUMENT), or at its limit */
		f = ipc_begin();
		right_destroy_carried(*right, MACH_MSG_TYPE_PORT_SEND);
		ipc_end(f);
		*right = NULL;
		thread_free(t);
		return kr;
	}
	return KERN_SUCCESS;
}

uint32_t
task_resident_pages(struct task *t)
{
	return pmap_resident_count(t->pmap);
}

/*
 * Makes the task inactive and each of its threads leave: a blocked one is
 * woken, and every one exits when it next returns towards user mode. A task
 * with no thread goes to the reaper to be finished. The first reason given is
 * the one that counts.
 */
void
task_terminate(struct task *task, enum task_end end, int status)
{
	struct list *l;
	uint32_t f, g;

	if (task == kernel_task)
		return;
	f = spin_lock_irqsave(&task->lock);
	g = spin_lock_irqsave(&sched_lock);
	if (task->active) {
		task->active = false;
		task->state = TASK_DYING;
		task->end = end;
		task->exit_status = status;
	}
	list_for_each(l, &task->threads)
		thread_terminate_locked(list_entry(l, struct thread, task_link));
	if (task->nthreads == 0 && !task->finishing) {	/* no last thread will finish it */
		task->finishing = true;
		list_push_back(&to_finish, &task->reap_link);
		sched_wake_reaper_locked();
	}
	spin_unlock_irqrestore(&sched_lock, g);
	spin_unlock_irqrestore(&task->lock, f);
}

/*
 * Called on the way back to user mode: a thread of a dying task stops here,
 * and a suspended thread (or one of a suspended task) waits here.
 */
void
task_check_kill_asked(void)
{
	struct thread *t = curthread();
	uint32_t f;

	/*
	 * task_check_kill looked without sched_lock. At a trap's end interrupts
	 * are off, so on this CPU nothing sets what it read meanwhile; a request
	 * that comes after that look (from another CPU, or while a new thread
	 * starts with interrupts on) stops the thread at its next trap, the
	 * timer's at the latest. Here it is looked at again, locked.
	 */
	f = spin_lock_irqsave(&sched_lock);
	while (!t->kill_pending && (t->suspend_count || t->task->suspend_count))
		waitq_wait_locked(&t->resume, 0);
	spin_unlock_irqrestore(&sched_lock, f);
	if (t->kill_pending)
		thread_exit();
}

int
task_wait(struct task *task, uint64_t timeout_ticks)
{
	uint64_t deadline = timeout_ticks ? clock_deadline(timeout_ticks) : 0;
	uint32_t f = spin_lock_irqsave(&sched_lock);
	int r = 0;

	while (task->state != TASK_DEAD) {
		uint64_t now = clock_ticks();
		if ((deadline && now >= deadline) || curthread()->kill_pending) {
			r = -1;
			break;
		}
		waitq_wait_locked(&task->death, deadline ? deadline - now : 0);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return r;
}

/*
 * A terminated task has no thread left: every right it holds, its regions and
 * its pages go now, its port dies, and those waiting for its death wake. It
 * then drops the reference of its existence. The reaper's job.
 */
static void
task_finish(struct task *task)
{
	uint32_t f, g;

	device_task_finish(task);	/* its interrupts masked first; device and DMA memory go with the map */
	ipc_task_terminate(task);
	vm_map_terminate(task);
	if (pager_msg_pending)		/* its mapped objects may have ended */
		vm_object_flush();
	if (task->parent) {		/* one task fewer against its creator's limit */
		f = spin_lock_irqsave(&task->parent->lock);
		task->parent->children--;
		spin_unlock_irqrestore(&task->parent->lock, f);
	}
	f = spin_lock_irqsave(&task->lock);
	g = spin_lock_irqsave(&sched_lock);
	task->state = TASK_DEAD;
	waitq_wake_all_locked(&task->death);
	spin_unlock_irqrestore(&sched_lock, g);
	spin_unlock_irqrestore(&task->lock, f);
	task_unref(task);
}

/* An exited thread: out of its task, freed; the task is finished when it was the last. */
static void
reap_thread(struct thread *th)
{
	struct task *task = th->task;
	struct port *self;
	bool finish;
	uint32_t f, g;

	f = spin_lock_irqsave(&task->lock);
	g = ipc_begin();
	spin_lock_irqoff(&task->itk_lock);
	self = th->self;
	th->self = NULL;
	spin_unlock_irqoff(&task->itk_lock);
	if (self)	/* its port dies as it leaves the list: both say it is gone */
		kobject_port_destroy(self);
	spin_lock_irqoff(&sched_lock);
	list_remove(&th->task_link);
	/* A task lives on without threads until task_terminate, as a Mach task does:
	 * only a terminated one is finished when its last thread goes. */
	finish = --task->nthreads == 0 && !task->finishing && task != kernel_task && !task->active;
	if (finish)
		task->finishing = true;
	spin_unlock_irqoff(&sched_lock);
	ipc_end(g);
	spin_unlock_irqrestore(&task->lock, f);
	thread_free(th);
	f = spin_lock_irqsave(&sched_lock);
	waitq_wake_all_locked(&task->thread_gone);
	spin_unlock_irqrestore(&sched_lock, f);
	if (task == kernel_task)
		return;
	if (finish)
		task_finish(task);
	task_unref(task);	/* the thread's */
}

static void
reaper(void *arg)
{
	for (;;) {
		struct task *finish = NULL, *free = NULL;
		struct thread *th;
		bool kmsgs = false;
		/* the dying messages' list is looked at as a hint: whoever adds to it wakes us under sched_lock */
		uint32_t f = spin_lock_irqsave(&sched_lock);

		while (!(th = sched_take_dead_locked())) {
			if (ipc_dying_kmsgs()) {
				kmsgs = true;
				break;
			}
			if (!list_empty(&to_finish)) {
				finish = list_entry(list_pop_front(&to_finish), struct task, reap_link);
				break;
			}
			if (!list_empty(&to_free)) {
				free = list_entry(list_pop_front(&to_free), struct task, reap_link);
				break;
			}
			sched_reaper_wait_locked();
		}
		spin_unlock_irqrestore(&sched_lock, f);
		if (th)
			reap_thread(th);
		else if (kmsgs)
			ipc_reap_dying_kmsgs();	/* messages of dead ports, a batch at a time */
		else if (finish)
			task_finish(finish);
		else
			task_destroy(free);
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

/* Returns the task with a reference, or NULL. A DEAD task only waits to be freed. */
struct task *
task_find(uint32_t id)
{
	struct list *l;
	struct task *found = NULL;
	uint32_t f = spin_lock_irqsave(&tasks_lock);

	list_for_each(l, &all_tasks) {
		struct task *t = list_entry(l, struct task, all_link);
		uint32_t g = spin_lock_irqsave(&t->lock);
		if (t->id == id && t->state != TASK_DEAD) {
			task_ref(t);
			found = t;
		}
		spin_unlock_irqrestore(&t->lock, g);
		if (found)
			break;
	}
	spin_unlock_irqrestore(&tasks_lock, f);
	return found;
}
