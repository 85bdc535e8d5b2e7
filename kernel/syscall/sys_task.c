/*
 * Traps about the calling task and thread: exit, yield, identity, time, and the
 * test harness's way out of QEMU.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/copyio.h>
#include <kern/lib.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include <kern/boot.h>

kern_return_t
sys_task_exit(const struct trap_args *args)
{
	task_terminate(curtask(), TASK_EXITED, (int)args->a[0]);
	return KERN_SUCCESS;	/* the thread stops on its way out of the trap */
}

kern_return_t
sys_thread_yield(const struct trap_args *args)
{
	sched_yield();
	return KERN_SUCCESS;
}

kern_return_t
sys_clock_uptime(const struct trap_args *args)
{
	uint64_t ns = clock_uptime_ns();

	return copyout(curtask(), &ns, args->a[0], sizeof ns);
}

kern_return_t
sys_task_self_id(const struct trap_args *args)
{
	uint32_t id = curtask()->id;

	return copyout(curtask(), &id, args->a[0], sizeof id);
}

kern_return_t
sys_debug_exit(const struct trap_args *args)
{
	if (!boot_option("debug_exit"))
		return KERN_NO_ACCESS;
	arch_debug_exit((int)args->a[0]);
	return KERN_FAILURE;	/* not under QEMU */
}
