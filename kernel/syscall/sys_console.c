/*
 * The console traps: console_write, the debug console every task can use
 * (console_write_raw: its bytes untouched, no CR put before LF)
 * (the console server, servers/console, writes through it too), and
 * console_read, the serial input the console server reads: privileged, it
 * takes a send right to the privileged host port first.
 */
#include <kern/clock.h>
#include <kern/console.h>
#include <kern/console_input.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/syscall.h>
#include <kern/task.h>

static kern_return_t
write_from(const struct trap_args *args, void (*out)(const char *, size_t))
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
		out(k, len);
	kfree(k);
	return kr;
}

kern_return_t
sys_console_write(const struct trap_args *args)
{
	return write_from(args, console_write);
}

kern_return_t
sys_console_write_raw(const struct trap_args *args)
{
	return write_from(args, console_write_raw);
}

/* console_read(host_priv, buf, len, timeout_ms, *count) */
kern_return_t
sys_console_read(const struct trap_args *args)
{
	uintptr_t buf = args->a[1], count = args->a[4];
	size_t len = args->a[2];
	uint32_t timeout_ms = args->a[3];
	uint64_t ticks = 0;
	uint32_t n32;
	size_t n = 0;
	kern_return_t kr;
	char *k;

	if (!ipc_holds_host_priv(curtask(), args->a[0]))
		return KERN_INVALID_HOST;
	if (len == 0 || len > TRAP_CONSOLE_READ_MAX)
		return KERN_INVALID_ARGUMENT;
	/* Both checked before waiting, so typed bytes are not taken for a bad pointer. */
	if (copyout_check(curtask(), buf, len) != KERN_SUCCESS ||
	    copyout_check(curtask(), count, sizeof n32) != KERN_SUCCESS)
		return KERN_INVALID_ADDRESS;
	if (timeout_ms != TRAP_CONSOLE_WAIT_FOREVER)
		ticks = ((uint64_t)timeout_ms * HZ + 999) / 1000;
	k = kmalloc(len);
	if (!k)
		return KERN_RESOURCE_SHORTAGE;
	kr = console_input_read(k, len, timeout_ms != 0, ticks, &n);
	if (kr == KERN_SUCCESS) {
		n32 = (uint32_t)n;
		kr = copyout(curtask(), k, buf, n);
		if (kr == KERN_SUCCESS)
			kr = copyout(curtask(), &n32, count, sizeof n32);
		if (kr != KERN_SUCCESS)	/* a sibling took the buffer away meanwhile: the bytes stay typed */
			console_input_unread(k, n);
	}
	kfree(k);
	return kr;
}
