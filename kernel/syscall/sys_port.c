/*
 * The commonest port-name calls as traps: mach_port.defs' allocate,
 * deallocate, destroy and mod_refs without their two messages, as xnu's
 * kernel-RPC traps do them for a task's own names. A kernel RPC goes to the
 * task port, is decoded, served and answered (some 1,100 instructions for a
 * deallocate, which every exception handler makes twice and every server
 * makes for each right it lets go); the trap calls the same kdo_ function
 * the RPC's server calls (port_rpc.c), so the work and the errors are the
 * RPC's.
 *
 * As vm_copy_to's trap (sys_vm.c): when task is not a send right to one of
 * this kernel's task ports (an interposer's port, a proxy for a task on
 * another node, a dead name, no name) the trap declines with TRAP_BY_RPC and
 * changes nothing, and the caller sends the RPC, which gives the answer Mach
 * would (libmsg's mach_port_* do both).
 */
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include "mach_port_kserver.h"

/* mach_port_allocate(task, right, *name): the name written only on success */
kern_return_t
sys_mach_port_allocate(const struct trap_args *args)
{
	struct task *t = ipc_task_from_name(curtask(), args->a[0]);
	mach_port_name_t name = MACH_PORT_NULL;
	kern_return_t kr;

	if (!t)
		return TRAP_BY_RPC;
	kr = copyout_check(curtask(), args->a[2], sizeof name);
	if (kr == KERN_SUCCESS)
		kr = kdo_mach_port_allocate(t, args->a[1], &name);
	/* a sibling unmapped the word meanwhile: the right just made is taken back, and the call fails */
	if (kr == KERN_SUCCESS && copyout_word(name, args->a[2]) != KERN_SUCCESS) {
		kdo_mach_port_destroy(t, name);
		kr = KERN_INVALID_ADDRESS;
	}
	task_unref(t);
	return kr;
}

/* call(t, name) for the task args->a[0] names and the name args->a[1], if the task is one of ours */
static kern_return_t
on_name(const struct trap_args *args, kern_return_t (*call)(struct task *, mach_port_name_t))
{
	struct task *t = ipc_task_from_name(curtask(), args->a[0]);
	kern_return_t kr;

	if (!t)
		return TRAP_BY_RPC;
	kr = call(t, args->a[1]);
	task_unref(t);
	return kr;
}

/* mach_port_deallocate(task, name) */
kern_return_t
sys_mach_port_deallocate(const struct trap_args *args)
{
	return on_name(args, kdo_mach_port_deallocate);
}

/* mach_port_destroy(task, name) */
kern_return_t
sys_mach_port_destroy(const struct trap_args *args)
{
	return on_name(args, kdo_mach_port_destroy);
}

/* mach_port_mod_refs(task, name, right, delta) */
kern_return_t
sys_mach_port_mod_refs(const struct trap_args *args)
{
	struct task *t = ipc_task_from_name(curtask(), args->a[0]);
	kern_return_t kr;

	if (!t)
		return TRAP_BY_RPC;
	kr = kdo_mach_port_mod_refs(t, args->a[1], args->a[2], (mach_port_delta_t)args->a[3]);
	task_unref(t);
	return kr;
}
