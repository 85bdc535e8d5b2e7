/*
 * vm_allocate and vm_deallocate, on any task through its task port.
 */
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "layout.h"

/* vm_allocate(task, *address, size, anywhere) */
kern_return_t
sys_vm_allocate(const struct trap_args *args)
{
	struct task *caller = curtask(), *t;
	uint32_t addr;
	kern_return_t kr;

	t = ipc_task_from_name(caller, args->a[0]);
	if (!t)
		return KERN_INVALID_TASK;
	kr = copyin(caller, args->a[1], &addr, sizeof addr);
	if (kr == KERN_SUCCESS)
		kr = copyout_check(caller, args->a[1], sizeof addr);
	if (kr == KERN_SUCCESS && !task_alive(t))
		kr = KERN_INVALID_TASK;
	if (kr == KERN_SUCCESS)
		kr = vm_map_allocate(t, &addr, args->a[2], args->a[3] != 0);
	if (kr == KERN_SUCCESS)
		copyout(caller, &addr, args->a[1], sizeof addr);
	task_unref(t);
	return kr;
}

/* vm_deallocate(task, address, size) */
kern_return_t
sys_vm_deallocate(const struct trap_args *args)
{
	struct task *t = ipc_task_from_name(curtask(), args->a[0]);
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kr = task_alive(t) ? vm_map_deallocate(t, args->a[1], args->a[2]) : KERN_INVALID_TASK;
	task_unref(t);
	return kr;
}

/* Resolves the task argument: a reference, or NULL. */
static struct task *
target(uint32_t name)
{
	struct task *t = ipc_task_from_name(curtask(), name);

	if (t && !task_alive(t)) {	/* a hint: the map refuses a dead task's calls itself */
		task_unref(t);
		return NULL;
	}
	return t;
}

kern_return_t
sys_vm_protect(const struct trap_args *args)
{
	struct task *t = target(args->a[0]);
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kr = vm_map_protect(t, args->a[1], args->a[2], args->a[3] != 0, (vm_prot_t)args->a[4]);
	task_unref(t);
	return kr;
}

kern_return_t
sys_vm_inherit(const struct trap_args *args)
{
	struct task *t = target(args->a[0]);
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kr = vm_map_inherit(t, args->a[1], args->a[2], args->a[3]);
	task_unref(t);
	return kr;
}

kern_return_t
sys_vm_region(const struct trap_args *args)
{
	struct task *caller = curtask(), *t = target(args->a[0]);
	struct vm_region_info info;
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kr = copyin(caller, args->a[1], &info, sizeof info);
	if (kr == KERN_SUCCESS)
		kr = copyout_check(caller, args->a[1], sizeof info);
	if (kr == KERN_SUCCESS)
		kr = vm_map_region(t, info.address, &info);
	if (kr == KERN_SUCCESS)
		copyout(caller, &info, args->a[1], sizeof info);
	task_unref(t);
	return kr;
}

/* vm_read(task, address, size, *data, *count): the copy lands in new memory of the caller. */
kern_return_t
sys_vm_read(const struct trap_args *args)
{
	struct task *caller = curtask(), *t = target(args->a[0]);
	uint32_t addr = args->a[1], size = args->a[2], data = 0;
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kr = copyout_check(caller, args->a[3], 4);
	if (kr == KERN_SUCCESS)
		kr = copyout_check(caller, args->a[4], 4);
	if (kr == KERN_SUCCESS && (addr & (PAGE_SIZE - 1)))
		kr = KERN_INVALID_ARGUMENT;
	/* before the copy's memory is allocated: in the caller's own map it could fill a hole of the source */
	if (kr == KERN_SUCCESS && !vm_map_covers(t, addr, size))
		kr = KERN_INVALID_ADDRESS;
	if (kr == KERN_SUCCESS && size)
		kr = vm_map_allocate(caller, &data, size, true);
	if (kr == KERN_SUCCESS && size) {
		kr = copy_user_to_user(t, addr, caller, data, size);
		if (kr != KERN_SUCCESS) {
			vm_map_deallocate(caller, data, size);
			data = 0;
		}
	}
	if (kr == KERN_SUCCESS) {
		copyout(caller, &data, args->a[3], 4);
		copyout(caller, &size, args->a[4], 4);
	}
	task_unref(t);
	return kr;
}

/* vm_write(task, address, data, count): count bytes of the caller's data into the task. */
kern_return_t
sys_vm_write(const struct trap_args *args)
{
	struct task *t = target(args->a[0]);
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kr = (args->a[1] & (PAGE_SIZE - 1)) ? KERN_INVALID_ARGUMENT
		: copy_user_to_user(curtask(), args->a[2], t, args->a[1], args->a[3]);
	task_unref(t);
	return kr;
}

/* vm_copy(task, source, size, dest): within one task. */
kern_return_t
sys_vm_copy(const struct trap_args *args)
{
	struct task *t = target(args->a[0]);
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kr = ((args->a[1] | args->a[3]) & (PAGE_SIZE - 1)) ? KERN_INVALID_ARGUMENT
		: copy_user_to_user(t, args->a[1], t, args->a[3], args->a[2]);
	task_unref(t);
	return kr;
}
