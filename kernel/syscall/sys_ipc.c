/*
 * mach_msg and the IPC traps that are not about one port: mach_reply_port,
 * mach_task_self, and the counters tests use to find leaks.
 */
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/syscall.h>
#include <kern/task.h>

/* mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout) */
kern_return_t
sys_mach_msg(const struct trap_args *args)
{
	uintptr_t msg = args->a[0];
	mach_msg_option_t option = (mach_msg_option_t)args->a[1];
	mach_msg_return_t mr;

	if (option & MACH_SEND_MSG) {
		mr = ipc_send(msg, option, args->a[2], args->a[5]);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	}
	if (option & MACH_RCV_MSG)
		return ipc_receive(msg, option, args->a[3], args->a[4], args->a[5]);
	return MACH_MSG_SUCCESS;
}

/* A new receive right in the caller's space; MACH_PORT_NULL when there is no room. */
kern_return_t
sys_mach_reply_port(const struct trap_args *args)
{
	struct task *t = curtask();
	mach_port_name_t name;
	struct ipc_entry *e;
	struct port *p;
	kern_return_t kr;
	uint32_t f;

	kr = copyout_check(t, args->a[0], sizeof name);
	if (kr != KERN_SUCCESS)
		return kr;
	p = port_create();
	if (!p)
		return KERN_RESOURCE_SHORTAGE;
	f = spin_lock_irqsave(&sched_lock);
	kr = space_alloc_name_locked(t->space, &name, &e);
	if (kr == KERN_SUCCESS) {
		e->type = MACH_PORT_TYPE_RECEIVE;
		e->object = p;
		p->refs = 1;
		p->receiver = t->space;
		p->receiver_name = name;
	} else {
		p->refs = 1;
		p->active = false;
		port_unref_locked(p);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	if (kr == KERN_SUCCESS)
		copyout(t, &name, args->a[0], sizeof name);
	return kr;
}

/* A send right (one more user reference) to the caller's own task port. */
kern_return_t
sys_mach_task_self(const struct trap_args *args)
{
	struct task *t = curtask();
	mach_port_name_t name;
	kern_return_t kr;
	uint32_t f;

	kr = copyout_check(t, args->a[0], sizeof name);
	if (kr != KERN_SUCCESS)
		return kr;
	f = spin_lock_irqsave(&sched_lock);
	t->self->refs++;
	t->self->srights++;
	kr = right_copyout_locked(t->space, t->self, MACH_MSG_TYPE_PORT_SEND, &name);
	spin_unlock_irqrestore(&sched_lock, f);
	if (kr == KERN_SUCCESS)
		copyout(t, &name, args->a[0], sizeof name);
	return kr;
}

kern_return_t
sys_kernel_stats(const struct trap_args *args)
{
	struct manifold_kernel_stats st = {
		.live_ports = ipc_live_ports(),
		.free_pages = page_free_count() + kmem_pages_mapped(),
		.heap_bytes = (uint32_t)kmem_bytes_in_use(),
	};

	return copyout(curtask(), &st, args->a[0], sizeof st);
}

/* task_get_special_port(task, which, *port) */
kern_return_t
sys_task_get_special_port(const struct trap_args *args)
{
	struct task *caller = curtask(), *t;
	mach_port_name_t name;
	kern_return_t kr;

	t = ipc_task_from_name(caller, args->a[0]);
	if (!t)
		return KERN_INVALID_TASK;
	kr = copyout_check(caller, args->a[2], sizeof name);
	if (kr == KERN_SUCCESS)
		kr = ipc_task_get_special(caller, t, (int)args->a[1], &name);
	if (kr == KERN_SUCCESS)
		copyout(caller, &name, args->a[2], sizeof name);
	task_unref(t);
	return kr;
}

/* task_set_special_port(task, which, port) */
kern_return_t
sys_task_set_special_port(const struct trap_args *args)
{
	struct task *caller = curtask(), *t;
	kern_return_t kr;

	t = ipc_task_from_name(caller, args->a[0]);
	if (!t)
		return KERN_INVALID_TASK;
	kr = ipc_task_set_special(caller, t, (int)args->a[1], args->a[2]);
	task_unref(t);
	return kr;
}
