/*
 * vm_copy_to as a trap: the RPC of the same name (vm_map.defs) without its
 * two messages, for the call a personality server makes for nearly every
 * system call it serves (a read's or a write's bytes, a path, a struct).
 * The RPC carries dest_task as a port descriptor, which the fast path leaves
 * to the slow one: some 4,000 instructions for a few bytes.
 *
 * The trap only does what the RPC would do to the same two tasks: when either
 * name is not a send right to one of this kernel's task ports (an
 * interposer's port, a proxy for a task on another node, a dead name, no
 * name), it declines with TRAP_BY_RPC and changes nothing, and the caller
 * sends the RPC, which gives the answer Mach would (libmsg's vm_copy_to_quick).
 * No right changes hands either way: the RPC's copy of dest_task's right is
 * let go when it is served.
 */
#include <kern/ipc.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include <kern/vm_map.h>

/* vm_copy_to(target_task, address, size, dest_task, dest_address) */
kern_return_t
sys_vm_copy_to(const struct trap_args *args)
{
	struct task *me = curtask(), *t, *d;
	kern_return_t kr = TRAP_BY_RPC;

	if (!(t = ipc_task_from_name(me, args->a[0])))
		return TRAP_BY_RPC;
	if ((d = ipc_task_from_name(me, args->a[3]))) {
		kr = vm_copy_between(t, args->a[1], args->a[2], d, args->a[4]);
		task_unref(d);
	}
	task_unref(t);
	return kr;
}
