/*
 * Traps about the calling task and thread: exit, yield, identity, time, the
 * test harness's way out of QEMU, and the list of every task (privileged).
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
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
	return copyout_word(curtask()->id, args->a[0]);
}

kern_return_t
sys_debug_exit(const struct trap_args *args)
{
	if (!boot_option("debug_exit"))
		return KERN_NO_ACCESS;
	arch_debug_exit((int)args->a[0]);
	return KERN_FAILURE;	/* not under QEMU */
}

/*
 * task_list(host_priv, buf, max, *count): every task's summary, for ps; no
 * ports change hands. Privileged (a send right to host_priv first), as
 * everything that shows the whole system is.
 */
kern_return_t
sys_task_list(const struct trap_args *args)
{
	struct task *me = curtask();
	uintptr_t ubuf = args->a[1], ucount = args->a[3];
	uint32_t max = args->a[2], count, n;
	struct manifold_task_summary *buf = NULL;
	kern_return_t kr;

	if (!ipc_holds_host_priv(me, args->a[0]))
		return KERN_INVALID_HOST;
	if (max > TRAP_TASK_LIST_MAX)
		return KERN_INVALID_ARGUMENT;
	kr = copyout_check(me, ucount, sizeof count);
	if (kr == KERN_SUCCESS && max)
		kr = copyout_check(me, ubuf, max * sizeof *buf);
	if (kr != KERN_SUCCESS)
		return kr;
	if (max && !(buf = kzalloc(max * sizeof *buf)))
		return KERN_RESOURCE_SHORTAGE;
	count = task_summaries(buf, max);
	n = count < max ? count : max;
	kr = n ? copyout(me, buf, ubuf, n * sizeof *buf) : KERN_SUCCESS;
	if (kr == KERN_SUCCESS)
		kr = copyout(me, &count, ucount, sizeof count);
	kfree(buf);
	return kr;
}
