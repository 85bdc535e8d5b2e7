/*
 * Creating threads: kernel threads that run a function, and the kernel side of
 * user threads, which the task code gives a user stack and entry point.
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

/* Frees a thread that has left every list (the reaper's job). */
void
thread_free(struct thread *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	if (t->self)
		kobject_port_destroy_locked(t->self);
	t->self = NULL;
	if (t->exc_port)
		right_destroy_carried_locked(t->exc_port, MACH_MSG_TYPE_PORT_SEND);
	t->exc_port = NULL;
	if (t->ipc_handoff) {	/* handed a message, then killed before it looked */
		kmsg_destroy_locked(t->ipc_handoff);
		port_unref_locked(t->ipc_handoff_port);
		t->ipc_handoff = NULL;
	}
	spin_unlock_irqrestore(&sched_lock, f);
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
	task_add_thread(kernel_task, t);
	sched_ready_user_thread(t);
	return t;
}
