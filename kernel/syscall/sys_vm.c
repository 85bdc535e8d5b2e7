/*
 * vm_allocate and vm_deallocate, on any task through its task port.
 */
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include <kern/vm_map.h>

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
	if (kr == KERN_SUCCESS && !t->pmap)
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
	kr = t->pmap ? vm_map_deallocate(t, args->a[1], args->a[2]) : KERN_INVALID_TASK;
	task_unref(t);
	return kr;
}
