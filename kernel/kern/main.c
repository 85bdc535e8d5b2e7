/*
 * kern_main: the machine-independent start of the kernel, entered from
 * arch/i386/start.c with memory, traps and the timer ready. It brings up the
 * heap, tasks and the scheduler, prints the banner, then the init thread starts
 * the bootstrap task (or, with `test=kernel`, runs the in-kernel test suite).
 * The bootstrap task alone starts with the privileged host port, as its
 * TASK_HOST_PORT special port (GNU Mach hands its first task the same right).
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/clock.h>
#include <kern/clock_port.h>
#include <kern/device.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/loader.h>
#include <kern/page.h>
#include <kern/sched.h>
#include <kern/task.h>
#include <kern/version.h>
#include <kern/walltime.h>
#include "layout.h"

void ktest_run_suite(const char *suite);

static void
start_bootstrap(void)
{
	struct boot_module *m = &boot_modules[0];
	enum elf_error why;
	struct task *t;
	kern_return_t kr;

	if (boot_module_count == 0) {
		kprintf("kernel: no boot modules, so no bootstrap task: nothing to run\n");
		return;
	}
	kr = loader_start_task_from(P2V(m->start), m->size, m->cmdline, NULL, host_priv_port, &t, &why);
	if (kr == KERN_INVALID_OBJECT) {
		kprintf("kernel: bootstrap module (%s): %s; nothing to run\n", m->cmdline, elf_error_string(why));
		return;
	}
	if (kr != KERN_SUCCESS) {
		kprintf("kernel: cannot start the bootstrap task (%s): out of memory\n", m->cmdline);
		return;
	}
	task_raise_limit(t, TASK_LIMIT_TASKS, TASK_LIMIT_TASKS_BOOTSTRAP);
	task_unref(t);
}

static void
init_thread(void *arg)
{
	const char *suite = boot_option("test");

	if (suite && *suite)
		ktest_run_suite(suite);
	else
		start_bootstrap();
}

void
kern_main(void)
{
	extern uint32_t boot_mem_kib;

	lockcheck_on = boot_option("lockcheck") != NULL;
	if (lockcheck_on)
		arch_lockcheck_patch();		/* before the first lock is taken */
	irqoff_init();
	kmem_init();
	task_init();
	sched_init();
	walltime_init();
	kobject_init();
	clock_ports_init();
	clock_alarm_init();
	device_init();
	ipc_fastpath_init();
	sysenter_init();
	kprintf("Manifold %s (i386): %u KiB of RAM, %u pages free; %u boot modules; loaded by %s\n",
		MANIFOLD_VERSION, boot_mem_kib, page_free_count(), boot_module_count, boot_loader_name);
	if (boot_cmdline[0])
		kprintf("kernel: command line: %s\n", boot_cmdline);
	if (boot_ram_ignored_kib)	/* the direct map ends at 512 MiB (arch/i386/layout.h) */
		kprintf("kernel: %u KiB of RAM above %u MiB not used: the kernel maps the first %u MiB only\n",
			boot_ram_ignored_kib, DIRECT_MAP_MAX >> 20, DIRECT_MAP_MAX >> 20);
	task_start_reaper();
	if (!thread_create_kernel("init", init_thread, NULL, PRIO_KERNEL))
		panic("cannot create the init thread");
	sched_idle_loop();
}
