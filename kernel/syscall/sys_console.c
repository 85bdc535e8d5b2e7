/*
 * console_write: the debug console for tasks, until the console server exists.
 */
#include <kern/copyio.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/syscall.h>
#include <kern/task.h>

kern_return_t
sys_console_write(const struct trap_args *args)
{
	uintptr_t buf = args->a[0];
	size_t len = args->a[1];
	kern_return_t kr;
	char *k;

	if (len > TRAP_CONSOLE_MAX)
		return KERN_INVALID_ARGUMENT;
	if (len == 0)
		return KERN_SUCCESS;
	k = kmalloc(len);
	if (!k)
		return KERN_RESOURCE_SHORTAGE;
	kr = copyin(curtask(), buf, k, len);
	if (kr == KERN_SUCCESS)
		console_write(k, len);
	kfree(k);
	return kr;
}
