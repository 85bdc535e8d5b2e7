/*
 * Creating threads: kernel threads that run a function, and the kernel side of
 * user threads, which the task code gives a user stack and entry point; and
 * ending them for thread_terminate. A thread is freed by the reaper (task.c)
 * once it has exited; its thread port dies then.
 */
#include <kern/arch.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/sched.h>
#include <kern/task.h>
#include "layout.h"

extern struct list all_threads;
static uint32_t next_thread_id = 1;	/* [sched_lock] */

/* A thread with a kernel stack, not yet runnable and not yet in its task. */
struct thread *
thread_alloc(struct task *task, const char *name, int prio)
{
	struct thread *t = kzalloc(sizeof *t);
	uint32_t f;

	if (!t)
		return NULL;
	t->kstack = kmalloc(KSTACK_SIZE);
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->task = task;
	t->priority = prio;
	t->state = THREAD_BLOCKED;
	strlcpy(t->name, name, sizeof t->name);
	list_init(&t->run_link);
	list_init(&t->sleep_link);
	list_init(&t->task_link);
	waitq_init(&t->resume);
	t->self = kobject_port_create(KOBJ_THREAD, t);
	if (!t->self) {
		kfree(t->kstack);
		kfree(t);
		return NULL;
	}
	f = spin_lock_irqsave(&sched_lock);
	t->id = next_thread_id++;
	list_push_back(&all_threads, &t->all_link);
	spin_unlock_irqrestore(&sched_lock, f);
	return t;
}

/* Frees a thread that has exited (the reaper's job), or one that never joined its task. */
void
thread_free(struct thread *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	struct port *self, *exc[EXC_TYPES_COUNT], *sself;

	list_remove(&t->all_link);	/* thread_exit may have done it: removing twice is harmless */
	spin_unlock_irqrestore(&sched_lock, f);
	f = ipc_begin();
	spin_lock_irqoff(&t->task->itk_lock);
	self = t->self;
	exc_ports_set_locked(t->exc_actions, EXC_MASK_ALL, NULL, 0, 0, exc);
	sself = t->sself;
	t->self = t->sself = NULL;
	spin_unlock_irqoff(&t->task->itk_lock);
	if (self)
		kobject_port_destroy(self);
	exc_ports_release(exc, EXC_TYPES_COUNT);
	if (sself)
		right_destroy_carried(sself, MACH_MSG_TYPE_PORT_SEND);
	if (t->ipc_handoff) {	/* handed a message, then killed before it looked */
		kmsg_destroy(t->ipc_handoff);
		port_unref(t->ipc_handoff_port);
		t->ipc_handoff = NULL;
	}
	if (t->kreply) {	/* with an answer that came too late, if any */
		port_destroy_held(t->kreply);
		t->kreply = NULL;
	}
	ipc_end(f);
	kfree(t->kstack);
	kfree(t);
}

struct thread *
thread_create_kernel(const char *name, void (*fn)(void *), void *arg, int prio)
{
	struct thread *t = thread_alloc(kernel_task, name, prio);

	if (!t)
		return NULL;
	t->entry = fn;
	t->arg = arg;
	arch_thread_init_kernel(t);
	task_add_thread(kernel_task, t);	/* the kernel task is always active */
	return t;
}

void
thread_terminate_locked(struct thread *th)
{
	th->kill_pending = true;
	thread_abort_wait_locked(th);
	waitq_wake_all_locked(&th->resume);
}

/* Whether task still has its thread number id. Caller holds sched_lock. */
static bool
has_thread_locked(struct task *task, uint32_t id)
{
	struct list *l;

	list_for_each(l, &task->threads)
		if (list_entry(l, struct thread, task_link)->id == id)
			return true;
	return false;
}

void
thread_wait_gone(struct task *task, uint32_t id)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	/* ids are never reused, so a thread made since cannot be taken for this one */
	while (has_thread_locked(task, id) && !curthread()->kill_pending)
		waitq_wait_locked(&task->thread_gone, 0);
	spin_unlock_irqrestore(&sched_lock, f);
}
