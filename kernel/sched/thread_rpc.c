/*
 * The thread interface (thread.defs): the handlers that the generated decoder
 * (build/gen/kernel/thread_kserver.c) calls for a request that reached a
 * thread port. Threads have no reference count: a handler gets the thread's
 * port (which the request holds) and finds the thread under the port's lock,
 * which keeps it alive while the lock is held (the reaper clears the port's
 * kobject under it before the thread goes); a thread gone meanwhile answers
 * MIG_SERVER_DIED, as a dead object does.
 */
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/thread_state.h>
#include <mach/task_special_ports.h>
#include <mach/thread_status.h>
#include "thread_kserver.h"

/* The thread behind its port, or NULL once gone. Caller holds the port's lock. */
static struct thread *
thread_of_locked(struct port *self)
{
	return self->kotype == KOBJ_THREAD ? self->kobject : NULL;
}

/* Returns once the thread is gone, as in Mach (a thread ending itself never returns to its caller). */
kern_return_t
kdo_thread_terminate(struct port *self)
{
	struct thread *th;
	struct task *task = NULL;
	uint32_t id = 0, f;

	f = port_sched_lock(self);
	th = thread_of_locked(self);
	if (th) {
		thread_terminate_locked(th);
		if (th != curthread()) {
			task = th->task;
			id = th->id;
			task_ref(task);
		}
	}
	port_sched_unlock(self, f);
	if (!th)
		return MIG_SERVER_DIED;
	if (task) {
		thread_wait_gone(task, id);
		task_unref(task);
	}
	return KERN_SUCCESS;
}

kern_return_t
kdo_thread_get_state(struct port *self, int32_t flavor, natural_t *old_state, mach_msg_type_number_t *old_stateCnt)
{
	i386_thread_state_t st;
	i386_tls_state_t tls;
	kern_return_t kr = KERN_SUCCESS;
	struct thread *th;
	uint32_t f;

	if (flavor != i386_THREAD_STATE && flavor != i386_TLS_STATE && flavor != i386_FXSAVE_STATE)
		return KERN_INVALID_ARGUMENT;
	f = port_sched_lock(self);
	th = thread_of_locked(self);
	if (!th)
		kr = MIG_SERVER_DIED;
	else if (!th->user_tf)
		kr = KERN_INVALID_ARGUMENT;
	else if (flavor == i386_THREAD_STATE)
		thread_state_get(th, &st);
	else if (flavor == i386_TLS_STATE)
		thread_tls_get(th, &tls);
	else if (!thread_fxsave_get(th, old_state))	/* the reply's room: 128 words */
		kr = KERN_INVALID_ARGUMENT;
	port_sched_unlock(self, f);
	if (kr != KERN_SUCCESS)
		return kr;
	if (flavor == i386_THREAD_STATE) {
		memcpy(old_state, &st, sizeof st);
		*old_stateCnt = i386_THREAD_STATE_COUNT;
	} else if (flavor == i386_TLS_STATE) {
		memcpy(old_state, &tls, sizeof tls);
		*old_stateCnt = i386_TLS_STATE_COUNT;
	} else {
		*old_stateCnt = i386_FXSAVE_STATE_COUNT;
	}
	return KERN_SUCCESS;
}

kern_return_t
kdo_thread_set_state(struct port *self, int32_t flavor, const natural_t *new_state,
		     mach_msg_type_number_t new_stateCnt)
{
	i386_thread_state_t st;
	i386_tls_state_t tls;
	kern_return_t kr = KERN_SUCCESS;
	struct thread *th;
	uint32_t f;

	if (flavor == i386_THREAD_STATE && new_stateCnt == i386_THREAD_STATE_COUNT)
		memcpy(&st, new_state, sizeof st);
	else if (flavor == i386_TLS_STATE && new_stateCnt == i386_TLS_STATE_COUNT) {
		memcpy(&tls, new_state, sizeof tls);
		if ((kr = thread_tls_check(&tls)) != KERN_SUCCESS)
			return kr;
	} else if (flavor != i386_FXSAVE_STATE || new_stateCnt != i386_FXSAVE_STATE_COUNT)
		return KERN_INVALID_ARGUMENT;
	f = port_sched_lock(self);
	th = thread_of_locked(self);
	if (!th)
		kr = MIG_SERVER_DIED;
	else if (!th->user_tf)
		kr = KERN_INVALID_ARGUMENT;
	else if (flavor == i386_THREAD_STATE)
		thread_state_set(th, &st);
	else if (flavor == i386_TLS_STATE)
		thread_tls_set(th, &tls);
	else if (!thread_fxsave_set(th, new_state))
		kr = KERN_INVALID_ARGUMENT;
	port_sched_unlock(self, f);
	return kr;
}

kern_return_t
kdo_thread_suspend(struct port *self)
{
	uint32_t f = port_sched_lock(self);
	struct thread *th = thread_of_locked(self);

	if (th)
		th->suspend_count++;
	port_sched_unlock(self, f);
	return th ? KERN_SUCCESS : MIG_SERVER_DIED;
}

kern_return_t
kdo_thread_resume(struct port *self)
{
	kern_return_t kr = KERN_SUCCESS;
	uint32_t f = port_sched_lock(self);
	struct thread *th = thread_of_locked(self);

	if (!th)
		kr = MIG_SERVER_DIED;
	else if (th->suspend_count == 0)
		kr = KERN_FAILURE;
	else if (--th->suspend_count == 0)
		waitq_wake_all_locked(&th->resume);
	port_sched_unlock(self, f);
	return kr;
}

kern_return_t
kdo_thread_abort(struct port *self)
{
	uint32_t f = port_sched_lock(self);
	struct thread *th = thread_of_locked(self);

	if (th)
		thread_abort_wait_locked(th);
	port_sched_unlock(self, f);
	return th ? KERN_SUCCESS : MIG_SERVER_DIED;
}

kern_return_t
kdo_thread_info(struct port *self, natural_t flavor, integer_t *thread_info_out,
		mach_msg_type_number_t *thread_info_outCnt)
{
	thread_basic_info_data_t info;
	struct thread *th;
	uint32_t f;

	if (flavor != THREAD_BASIC_INFO)
		return KERN_INVALID_ARGUMENT;
	memset(&info, 0, sizeof info);
	f = port_sched_lock(self);
	th = thread_of_locked(self);
	if (th) {
		clock_ticks_to_time_value(th->ticks_used, &info.user_time);
		info.suspend_count = (integer_t)th->suspend_count;
		info.run_state = th->state == THREAD_DEAD ? TH_STATE_HALTED
			       : th->suspend_count || th->task->suspend_count ? TH_STATE_STOPPED
			       : th->state == THREAD_BLOCKED ? TH_STATE_WAITING : TH_STATE_RUNNING;
	}
	port_sched_unlock(self, f);
	if (!th)
		return MIG_SERVER_DIED;
	memcpy(thread_info_out, &info, sizeof info);
	*thread_info_outCnt = THREAD_BASIC_INFO_COUNT;
	return KERN_SUCCESS;
}

/*
 * The thread behind self, with its task referenced and that task's itk_lock
 * held (which guards the thread's ports), or NULL once gone. Under itk_lock,
 * a thread whose port still names it is not freed: the reaper lets its port
 * go first (task.c), and frees it later.
 */
static struct thread *
thread_of_itk_locked(struct port *self, struct task **taskp)
{
	struct thread *th;
	struct task *task = NULL;

	port_lock(self);
	th = thread_of_locked(self);
	if (th) {
		task = th->task;
		task_ref(task);
	}
	port_unlock(self);
	*taskp = task;
	if (!th)
		return NULL;
	spin_lock_irqoff(&task->itk_lock);
	port_lock(self);
	if (self->kobject != th)
		th = NULL;
	port_unlock(self);
	if (!th)
		spin_unlock_irqoff(&task->itk_lock);
	return th;
}

/*
 * A port never set is success and MACH_PORT_NULL, as in Mach.
 * THREAD_EXCEPTION_PORT reads as TASK_EXCEPTION_PORT does (task_rpc.c).
 */
kern_return_t
kdo_thread_get_special_port(struct port *self, int32_t which_port, struct port **special_port)
{
	kern_return_t kr = KERN_SUCCESS;
	struct thread *th;
	struct task *task;
	struct port *p = NULL;
	uint32_t f;

	if (which_port != THREAD_KERNEL_PORT && which_port != THREAD_EXCEPTION_PORT)
		return KERN_INVALID_ARGUMENT;
	f = ipc_begin();
	th = thread_of_itk_locked(self, &task);
	if (th) {
		if (which_port == THREAD_EXCEPTION_PORT) {
			if (!exc_ports_special_locked(th->exc_actions, special_port))
				kr = KERN_INVALID_ARGUMENT;	/* no one port stands for every type */
		} else {
			p = th->sself ? th->sself : th->self;
			if (p)
				port_copy_send(p);
			*special_port = p;
		}
		spin_unlock_irqoff(&task->itk_lock);
	}
	ipc_end(f);
	if (task)
		task_unref(task);
	return th ? kr : MIG_SERVER_DIED;
}

/*
 * Sets THREAD_KERNEL_PORT: what mach_thread_self gives the thread (the thread
 * port itself stays), or the exception port (thread_set_exception_ports for
 * EXC_MASK_ALL with EXCEPTION_STATE_IDENTITY); the thread takes the send
 * right the request carried (NULL unsets).
 */
kern_return_t
kdo_thread_set_special_port(struct port *self, int32_t which_port, struct port *special_port)
{
	struct thread *th;
	struct task *task;
	struct port *old[1];
	uint32_t f;

	if (which_port == THREAD_EXCEPTION_PORT)
		return kdo_thread_set_exception_ports(self, EXC_MASK_ALL, special_port, EXCEPTION_STATE_IDENTITY,
						      i386_THREAD_STATE);
	if (which_port != THREAD_KERNEL_PORT)
		return KERN_INVALID_ARGUMENT;
	f = ipc_begin();
	th = thread_of_itk_locked(self, &task);
	if (th) {
		old[0] = th->sself;
		th->sself = special_port;
		spin_unlock_irqoff(&task->itk_lock);
		exc_ports_release(old, 1);
	}
	ipc_end(f);
	if (task)
		task_unref(task);
	return th ? KERN_SUCCESS : MIG_SERVER_DIED;
}

static kern_return_t thread_exc_ports(struct port *self, uint32_t mask, bool set, struct port *new_port,
				      int32_t behavior, int32_t new_flavor, uint32_t *masks,
				      mach_msg_type_number_t *masksCnt, struct port **handlers, int32_t *behaviors,
				      int32_t *flavors);

/* The thread's port for each type in mask; the thread takes the request's send right (NULL clears). */
kern_return_t
kdo_thread_set_exception_ports(struct port *self, uint32_t exception_mask, struct port *new_port,
			       int32_t behavior, int32_t new_flavor)
{
	return thread_exc_ports(self, exception_mask, true, new_port, behavior, new_flavor, NULL, NULL, NULL,
				NULL, NULL);
}

/*
 * thread_get_exception_ports, and with set thread_swap_exception_ports (without
 * masks, thread_set_exception_ports): as task_rpc.c's task_exc_ports.
 */
static kern_return_t
thread_exc_ports(struct port *self, uint32_t mask, bool set, struct port *new_port, int32_t behavior,
		 int32_t new_flavor, uint32_t *masks, mach_msg_type_number_t *masksCnt, struct port **handlers,
		 int32_t *behaviors, int32_t *flavors)
{
	struct thread *th;
	struct task *task;
	struct port *old[EXC_TYPES_COUNT];
	kern_return_t kr = set ? exc_ports_check(mask, behavior, new_flavor)
			       : exc_ports_check(mask, EXCEPTION_DEFAULT, i386_THREAD_STATE);
	uint32_t n = 0, f;

	if (kr != KERN_SUCCESS)
		return kr;
	f = ipc_begin();
	th = thread_of_itk_locked(self, &task);
	if (th) {
		if (masks)
			n = exc_ports_get_locked(th->exc_actions, mask, masks, handlers, behaviors, flavors,
						 *masksCnt);
		if (set)
			exc_ports_set_locked(th->exc_actions, mask, new_port, behavior, new_flavor, old);
		spin_unlock_irqoff(&task->itk_lock);
		if (set)
			exc_ports_release(old, EXC_TYPES_COUNT);
	}
	ipc_end(f);
	if (task)
		task_unref(task);
	if (!th)
		return MIG_SERVER_DIED;
	if (masks)
		*masksCnt = n;
	return KERN_SUCCESS;
}

kern_return_t
kdo_thread_get_exception_ports(struct port *self, uint32_t exception_mask, uint32_t *masks,
			       mach_msg_type_number_t *masksCnt, struct port **old_handlers, int32_t *old_behaviors,
			       int32_t *old_flavors)
{
	return thread_exc_ports(self, exception_mask, false, NULL, 0, 0, masks, masksCnt, old_handlers,
				old_behaviors, old_flavors);
}

kern_return_t
kdo_thread_swap_exception_ports(struct port *self, uint32_t exception_mask, struct port *new_port,
				int32_t behavior, int32_t new_flavor, uint32_t *masks,
				mach_msg_type_number_t *masksCnt, struct port **old_handlers, int32_t *old_behaviors,
				int32_t *old_flavors)
{
	return thread_exc_ports(self, exception_mask, true, new_port, behavior, new_flavor, masks, masksCnt,
				old_handlers, old_behaviors, old_flavors);
}
