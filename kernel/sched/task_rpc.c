/*
 * The task interface (task.defs): the handlers that the generated decoder
 * (build/gen/kernel/task_kserver.c) calls for a request that reached a task
 * port, in the sender's thread, holding a reference on the task. The life
 * cycle itself is task.c; results travel in the reply.
 */
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/ledger.h>
#include <kern/lib.h>
#include <kern/syscall_inputs.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <mach/task_special_ports.h>
#include <mach/thread_status.h>
#include "task_kserver.h"

kern_return_t
kdo_task_create(struct task *t, boolean_t inherit_memory, struct port **child_task)
{
	struct task *child;
	kern_return_t kr;
	uint32_t f;

	if (!task_alive(t))
		return KERN_INVALID_ARGUMENT;
	kr = task_create_child(t, &child);
	if (kr != KERN_SUCCESS)
		return kr;
	if (inherit_memory && vm_map_fork(t, child) != KERN_SUCCESS) {	/* fork's memory */
		task_terminate(child, TASK_KILLED, 0);
		task_unref(child);
		return KERN_RESOURCE_SHORTAGE;
	}
	ipc_task_inherit(child, t);
	f = ipc_begin();
	*child_task = ipc_task_copy_special(child, &child->self);
	ipc_end(f);
	task_unref(child);	/* it lives until task_terminate, as a Mach task does */
	return KERN_SUCCESS;
}

/* Returns once the task is gone (a task ending itself is gone on its way out). */
kern_return_t
kdo_task_terminate(struct task *t)
{
	task_terminate(t, TASK_KILLED, 0);
	if (t != curtask())
		task_wait(t, 0);
	return KERN_SUCCESS;
}

/* Send rights to the threads, in an array the reply takes (none: an empty array, no memory). */
kern_return_t
kdo_task_threads(struct task *t, struct port ***act_list, mach_msg_type_number_t *act_listCnt)
{
	struct port **a;
	struct list *l;
	uint32_t n = 0, cap, f;

	f = spin_lock_irqsave(&sched_lock);
	list_for_each(l, &t->threads)
		n++;
	spin_unlock_irqrestore(&sched_lock, f);
	cap = n + 4;	/* room for threads created while we allocate */
	a = kzalloc(cap * sizeof *a);
	if (!a)
		return KERN_RESOURCE_SHORTAGE;
	/* the list under the task's lock (it is written under both), the ports under itk_lock */
	f = spin_lock_irqsave(&t->lock);
	spin_lock_irqoff(&t->itk_lock);
	n = 0;
	list_for_each(l, &t->threads) {
		struct thread *th = list_entry(l, struct thread, task_link);
		if (th->self && n < cap) {
			port_copy_send(th->self);
			a[n++] = th->self;
		}
	}
	spin_unlock_irqoff(&t->itk_lock);
	spin_unlock_irqrestore(&t->lock, f);
	if (n == 0) {
		kfree(a);
		a = NULL;
	}
	*act_list = a;
	*act_listCnt = n;
	return KERN_SUCCESS;
}

kern_return_t
kdo_task_info(struct task *t, natural_t flavor, integer_t *task_info_out, mach_msg_type_number_t *task_info_outCnt)
{
	task_basic_info_data_t info;
	uint64_t ticks = 0;
	struct list *l;
	uint32_t f;

	if (flavor == TASK_ID_INFO) {
		task_id_info_data_t id = { .task_id = t->id };
		memcpy(task_info_out, &id, sizeof id);
		*task_info_outCnt = TASK_ID_INFO_COUNT;
		return KERN_SUCCESS;
	}
	if (flavor != TASK_BASIC_INFO)
		return KERN_INVALID_ARGUMENT;
	memset(&info, 0, sizeof info);
	f = spin_lock_irqsave(&sched_lock);
	list_for_each(l, &t->threads)
		ticks += list_entry(l, struct thread, task_link)->ticks_used;
	info.suspend_count = (integer_t)t->suspend_count;
	spin_unlock_irqrestore(&sched_lock, f);
	info.base_priority = PRIO_USER;
	info.resident_size = task_resident_pages(t) * 4096;
	info.virtual_size = vm_map_size(t);
	clock_ticks_to_time_value(ticks, &info.user_time);
	memcpy(task_info_out, &info, sizeof info);
	*task_info_outCnt = TASK_BASIC_INFO_COUNT;
	return KERN_SUCCESS;
}

/* Stops every thread of the task at its next return to user mode; counts. */
kern_return_t
kdo_task_suspend(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	t->suspend_count++;
	spin_unlock_irqrestore(&sched_lock, f);
	return KERN_SUCCESS;
}

kern_return_t
kdo_task_resume(struct task *t)
{
	kern_return_t kr = KERN_SUCCESS;
	struct list *l;
	uint32_t f;

	f = spin_lock_irqsave(&sched_lock);
	if (t->suspend_count == 0) {
		kr = KERN_FAILURE;
	} else if (--t->suspend_count == 0) {
		list_for_each(l, &t->threads)
			waitq_wake_all_locked(&list_entry(l, struct thread, task_link)->resume);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return kr;
}

/*
 * A port never set is success and MACH_PORT_NULL, as in Mach; a dead task
 * answers KERN_FAILURE. TASK_EXCEPTION_PORT reads the port only while it
 * stands for every type as task_set_special_port puts it, else
 * KERN_INVALID_ARGUMENT (exc_ports_special_locked; kernel/README.md).
 */
kern_return_t
kdo_task_get_special_port(struct task *t, int32_t which_port, struct port **special_port)
{
	kern_return_t kr = KERN_SUCCESS;
	struct port *p = NULL;
	uint32_t f;

	if (which_port != TASK_KERNEL_PORT && which_port != TASK_EXCEPTION_PORT && task_special_slot(which_port) < 0)
		return KERN_INVALID_ARGUMENT;
	f = ipc_begin();
	spin_lock_irqoff(&t->itk_lock);
	if (!t->self) {
		kr = KERN_FAILURE;
	} else if (which_port == TASK_EXCEPTION_PORT) {
		if (!exc_ports_special_locked(t->exc_actions, special_port))
			kr = KERN_INVALID_ARGUMENT;	/* no one port stands for every type */
	} else {
		p = which_port == TASK_KERNEL_PORT ? (t->sself ? t->sself : t->self)
						   : t->special[task_special_slot(which_port)];
		if (p)
			port_copy_send(p);
		*special_port = p;
	}
	spin_unlock_irqoff(&t->itk_lock);
	ipc_end(f);
	return kr;
}

/*
 * Sets a special port; the task takes the send right the request carried (NULL
 * unsets). TASK_KERNEL_PORT replaces what mach_task_self gives the task (an
 * interposer's port, as in Mach); the task port itself stays what it is.
 * TASK_EXCEPTION_PORT is task_set_exception_ports for EXC_MASK_ALL with
 * EXCEPTION_STATE_IDENTITY and i386_THREAD_STATE.
 */
kern_return_t
kdo_task_set_special_port(struct task *t, int32_t which_port, struct port *special_port)
{
	int i = task_special_slot(which_port);
	struct port *old[EXC_TYPES_COUNT] = { NULL }, **slot;
	uint32_t f;

	if (which_port == TASK_EXCEPTION_PORT)
		return kdo_task_set_exception_ports(t, EXC_MASK_ALL, special_port, EXCEPTION_STATE_IDENTITY,
						    i386_THREAD_STATE);
	if (i < 0 && which_port != TASK_KERNEL_PORT)
		return KERN_INVALID_ARGUMENT;
	f = ipc_begin();
	spin_lock_irqoff(&t->itk_lock);
	if (!t->self) {		/* the task is dead: its rights are gone */
		spin_unlock_irqoff(&t->itk_lock);
		ipc_end(f);
		return KERN_FAILURE;
	}
	slot = which_port == TASK_KERNEL_PORT ? &t->sself : &t->special[i];
	old[0] = *slot;
	*slot = special_port;
	spin_unlock_irqoff(&t->itk_lock);
	exc_ports_release(old, 1);
	ipc_end(f);
	return KERN_SUCCESS;
}

/*
 * The task's port for each type in mask; the task takes the send right the
 * request carried (NULL clears). KERN_FAILURE: the task is dead.
 */
static kern_return_t task_exc_ports(struct task *t, uint32_t mask, bool set, struct port *new_port,
				    int32_t behavior, int32_t new_flavor, uint32_t *masks,
				    mach_msg_type_number_t *masksCnt, struct port **handlers, int32_t *behaviors,
				    int32_t *flavors);

kern_return_t
kdo_task_set_exception_ports(struct task *t, exception_mask_t exception_mask, struct port *new_port,
			     exception_behavior_t behavior, thread_state_flavor_t new_flavor)
{
	return task_exc_ports(t, exception_mask, true, new_port, behavior, new_flavor, NULL, NULL, NULL, NULL,
			      NULL);
}

kern_return_t
kdo_thread_create(struct task *t, struct port **child_thread)
{
	return task_create_suspended_thread(t, child_thread);	/* refused once t is dying */
}

kern_return_t
kdo_task_get_limits(struct task *t, natural_t *limits, mach_msg_type_number_t *limitsCnt, natural_t *usage,
		    mach_msg_type_number_t *usageCnt)
{
	uint32_t f = spin_lock_irqsave(&t->lock);

	memcpy(limits, t->limits, sizeof t->limits);
	task_usage_locked(t, usage);
	spin_unlock_irqrestore(&t->lock, f);
	*limitsCnt = *usageCnt = TASK_LIMITS_COUNT;
	return KERN_SUCCESS;
}

kern_return_t
kdo_task_set_limits(struct task *t, const natural_t *limits, mach_msg_type_number_t limitsCnt)
{
	struct task *caller = curtask();
	uint32_t mine[TASK_LIMITS_COUNT], f, g;

	if (limitsCnt != TASK_LIMITS_COUNT)
		return KERN_INVALID_ARGUMENT;
	if (t == kernel_task)
		return KERN_NO_ACCESS;		/* the kernel has none to set */
	f = spin_lock_irqsave(&caller->lock);
	memcpy(mine, caller->limits, sizeof mine);
	spin_unlock_irqrestore(&caller->lock, f);
	for (int i = 0; i < TASK_LIMITS_COUNT; i++)
		if (limits[i] > mine[i])
			return KERN_NO_ACCESS;	/* nobody gives more than it has */
	f = spin_lock_irqsave(&t->lock);
	if (t->space) {
		g = spin_lock_irqsave(&t->space->lock);
		ipc_space_set_limit(t->space, limits[TASK_LIMIT_NAMES]);
		spin_unlock_irqrestore(&t->space->lock, g);
	}
	g = spin_lock_irqsave(&sched_lock);
	memcpy(t->limits, limits, sizeof t->limits);
	__atomic_store_n(&t->kmem->limit, limits[TASK_LIMIT_KMEM], __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&sched_lock, g);
	spin_unlock_irqrestore(&t->lock, f);
	return KERN_SUCCESS;
}

/*
 * task_get_exception_ports, and with set task_swap_exception_ports: what
 * mask's types had, then (swap) new_port in their place, in one hold of
 * itk_lock. The task takes the request's right to new_port. Without masks,
 * task_set_exception_ports: nothing read. One count for the four arrays
 * (task.defs' SameCount): room on entry, entries on return.
 */
static kern_return_t
task_exc_ports(struct task *t, uint32_t mask, bool set, struct port *new_port, int32_t behavior,
	       int32_t new_flavor, uint32_t *masks, mach_msg_type_number_t *masksCnt, struct port **handlers,
	       int32_t *behaviors, int32_t *flavors)
{
	struct port *old[EXC_TYPES_COUNT];
	kern_return_t kr = set ? exc_ports_check(mask, behavior, new_flavor)
			       : exc_ports_check(mask, EXCEPTION_DEFAULT, i386_THREAD_STATE);
	uint32_t n, f;

	if (kr != KERN_SUCCESS)
		return kr;
	f = ipc_begin();
	spin_lock_irqoff(&t->itk_lock);
	if (!t->self) {
		spin_unlock_irqoff(&t->itk_lock);
		ipc_end(f);
		return KERN_FAILURE;
	}
	n = masks ? exc_ports_get_locked(t->exc_actions, mask, masks, handlers, behaviors, flavors, *masksCnt) : 0;
	if (set)
		exc_ports_set_locked(t->exc_actions, mask, new_port, behavior, new_flavor, old);
	spin_unlock_irqoff(&t->itk_lock);
	if (set)
		exc_ports_release(old, EXC_TYPES_COUNT);
	ipc_end(f);
	if (masks)
		*masksCnt = n;
	return KERN_SUCCESS;
}

kern_return_t
kdo_task_get_exception_ports(struct task *t, uint32_t exception_mask, uint32_t *masks,
			     mach_msg_type_number_t *masksCnt, struct port **old_handlers, int32_t *old_behaviors,
			     int32_t *old_flavors)
{
	return task_exc_ports(t, exception_mask, false, NULL, 0, 0, masks, masksCnt, old_handlers, old_behaviors,
			      old_flavors);
}

kern_return_t
kdo_task_swap_exception_ports(struct task *t, uint32_t exception_mask, struct port *new_port, int32_t behavior,
			      int32_t new_flavor, uint32_t *masks, mach_msg_type_number_t *masksCnt,
			      struct port **old_handlers, int32_t *old_behaviors, int32_t *old_flavors)
{
	return task_exc_ports(t, exception_mask, true, new_port, behavior, new_flavor, masks, masksCnt,
			      old_handlers, old_behaviors, old_flavors);
}

kern_return_t
kdo_task_set_syscall_inputs(struct task *t, const natural_t *inputs, mach_msg_type_number_t inputsCnt)
{
	if (t == kernel_task)
		return KERN_NO_ACCESS;		/* it makes no system calls */
	return syscall_inputs_set(t, inputs, inputsCnt);
}

kern_return_t
kdo_task_get_syscall_inputs(struct task *t, natural_t *inputs, mach_msg_type_number_t *inputsCnt)
{
	uint32_t n;

	syscall_inputs_get(t, inputs, &n);
	*inputsCnt = n;
	return KERN_SUCCESS;
}
