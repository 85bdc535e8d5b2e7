/*
 * Kernel suite: user tasks. Each fault kills only the task that made it, with
 * one console line naming the task, the fault and the address; tasks cannot
 * reach kernel memory or each other's; traps refuse bad arguments.
 */
#include <kern/console.h>
#include <kern/ipc.h>
#include <kern/loader.h>
#include <kern/sched.h>
#include <kern/task.h>
#include "ktest.h"

/*
 * Runs `utest ARGS` to its end, with host_port as its TASK_HOST_PORT (or none);
 * checks how it ended and what the console said.
 */
static void
run_utest_host(const char *args, struct port *host_port, int want_end, int want_status, const char *want_line1,
	       const char *want_line2)
{
	struct task *t;
	int end = -1, status = -1;
	char killed[64];

	console_capture_start();
	t = ktest_spawn_utest_host(args, host_port);
	if (!t) {
		console_capture_stop();
		return;
	}
	snprintf(killed, sizeof killed, "task %u (utest) killed: ", t->id);
	if (!ktest_wait_and_release(t, &end, &status)) {
		console_capture_stop();
		return;
	}
	console_capture_stop();
	KEXPECT_EQ(end, want_end);
	KEXPECT_EQ(status, want_status);
	if (want_end == TASK_FAULTED && !console_captured(killed))
		ktest_fail(__FILE__, __LINE__, "no console line \"%s...\"", killed);
	if (want_line1 && !console_captured(want_line1))
		ktest_fail(__FILE__, __LINE__, "no console line with \"%s\"", want_line1);
	if (want_line2 && !console_captured(want_line2))
		ktest_fail(__FILE__, __LINE__, "no console line with \"%s\"", want_line2);
}

static void
run_utest(const char *args, int want_end, int want_status, const char *want_line1, const char *want_line2)
{
	run_utest_host(args, NULL, want_end, want_status, want_line1, want_line2);
}

KTEST(kernel, user_task_exit_status_reaches_the_kernel)
{
	run_utest("exit 42", TASK_EXITED, 42, NULL, NULL);
}

KTEST(kernel, user_printf_and_malloc_work_through_newlib)
{
	run_utest("malloc", TASK_EXITED, 0, "utest: malloc 42 ok beef", NULL);
	run_utest("hello x y", TASK_EXITED, 0, "utest: hello from task with 4 args, last y", NULL);
}

KTEST(kernel, null_dereference_kills_only_that_task)
{
	struct task *bystander = ktest_spawn_utest("spin");

	run_utest("null", TASK_FAULTED, 14, "page fault at eip", "read of 0x00000000 (not mapped)");
	run_utest("nullwrite", TASK_FAULTED, 14, "write to 0x00000000 (not mapped)", NULL);
	if (bystander) {
		KEXPECT_EQ(bystander->state, TASK_ALIVE);
		task_terminate(bystander, TASK_KILLED, 0);
		KEXPECT(ktest_wait_and_release(bystander, NULL, NULL));
	}
}

KTEST(kernel, privileged_instructions_kill_the_task)
{
	run_utest("hlt", TASK_FAULTED, 13, "general protection fault at eip", NULL);
	run_utest("cli", TASK_FAULTED, 13, "general protection fault at eip", NULL);
	run_utest("ioport", TASK_FAULTED, 13, "general protection fault at eip", NULL);
}

KTEST(kernel, divide_by_zero_kills_the_task)
{
	run_utest("div0", TASK_FAULTED, 0, "divide error at eip", NULL);
}

KTEST(kernel, general_protection_faults_kill_the_task)
{
	run_utest("gpf", TASK_FAULTED, 13, "general protection fault at eip", "(selector 0x1230)");
	/* int 0x80 goes to a task's syscall port; a task without one just faults */
	run_utest("int80", TASK_FAULTED, 13, "general protection fault at eip", "(selector 0x402)");
}

KTEST(kernel, int80_refused_by_the_syscall_server_kills_the_task)
{
	run_utest("int80refused", TASK_FAULTED, 0x80, "its syscall server refused int 0x80 at eip", NULL);
}

KTEST(kernel, user_task_cannot_read_or_write_kernel_memory)
{
	run_utest("kread", TASK_FAULTED, 14, "read of 0xc0100000 (kernel memory)", NULL);
	run_utest("kwrite", TASK_FAULTED, 14, "write to 0xc0100000 (kernel memory)", NULL);
}

KTEST(kernel, user_task_cannot_write_its_own_code)
{
	run_utest("textwrite", TASK_FAULTED, 14, "(protection violation)", NULL);
}

KTEST(kernel, tasks_do_not_see_each_others_memory)
{
	struct task *writer = ktest_spawn_utest("secret");

	if (!writer)
		return;
	thread_sleep_ticks(3);	/* it has changed its copy of `secret` by now */
	run_utest("peek", TASK_EXITED, 0, NULL, NULL);
	task_terminate(writer, TASK_KILLED, 0);
	KEXPECT(ktest_wait_and_release(writer, NULL, NULL));
}

KTEST(kernel, bad_trap_arguments_return_errors_and_never_panic)
{
	/* the status is the number of the first failed check inside utest */
	run_utest("badtraps", TASK_EXITED, 0, "utest: bad traps survived", NULL);
}

/* Without host_priv the privileged traps say KERN_INVALID_HOST (badtraps); with it they work. */
KTEST(kernel, privileged_traps_work_for_a_task_given_host_priv)
{
	run_utest_host("privtraps", host_priv_port, TASK_EXITED, 0, "utest: privileged traps work", NULL);
}

KTEST(kernel, many_tasks_come_and_go_without_leaks)
{
	struct task *t[8];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 8; i++)
			t[i] = ktest_spawn_utest(i % 2 ? "exit 3" : "null");
		for (int i = 0; i < 8; i++)
			if (t[i])
				KEXPECT(ktest_wait_and_release(t[i], NULL, NULL));
	}
}

KTEST(kernel, threads_of_one_task_share_its_memory_and_die_with_it)
{
	struct task *t = ktest_spawn_utest("threads");
	int end = -1, status = -1;

	if (!t)
		return;
	KEXPECT_EQ(loader_add_thread(t, 1, "utest thread2"), KERN_SUCCESS);
	KEXPECT_EQ(loader_add_thread(t, 0, "utest thread2"), KERN_INVALID_ARGUMENT);
	KEXPECT(ktest_wait_and_release(t, &end, &status));
	KEXPECT_EQ(end, TASK_EXITED);	/* the first thread saw the second's write */
	KEXPECT_EQ(status, 0);
}
