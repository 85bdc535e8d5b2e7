/*
 * Kernel suite: kernel threads, sleeping, priorities and preemption.
 */
#include <kern/clock.h>
#include <kern/page.h>
#include <kern/sched.h>
#include <kern/task.h>
#include "ktest.h"

static volatile int counter[3];
static volatile int order[4], norder;

static void
count_to_100(void *arg)
{
	int i = (int)(uintptr_t)arg;

	for (int k = 0; k < 100; k++) {
		counter[i]++;
		if (k % 10 == 0)
			sched_yield();
	}
}

KTEST(kernel, kernel_threads_run_to_completion_and_are_reaped)
{
	for (int i = 0; i < 3; i++) {
		counter[i] = 0;
		KEXPECT(thread_create_kernel("counter", count_to_100, (void *)(uintptr_t)i, PRIO_KERNEL + 1));
	}
	thread_sleep_ticks(5);
	for (int i = 0; i < 3; i++)
		KEXPECT_EQ(counter[i], 100);
}

KTEST(kernel, sleep_lasts_at_least_the_requested_ticks)
{
	uint64_t t0 = clock_ticks();

	thread_sleep_ticks(10);
	KEXPECT(clock_ticks() - t0 >= 10);
	KEXPECT(clock_ticks() - t0 < 30);
}

static void
record(void *arg)
{
	order[norder++] = (int)(uintptr_t)arg;
}

KTEST(kernel, more_urgent_thread_runs_first)
{
	norder = 0;
	/* created least urgent first; each is less urgent than this thread, so none runs yet */
	thread_create_kernel("low", record, (void *)3, PRIO_KERNEL + 3);
	thread_create_kernel("mid", record, (void *)2, PRIO_KERNEL + 2);
	thread_create_kernel("high", record, (void *)1, PRIO_KERNEL + 1);
	KEXPECT_EQ(norder, 0);
	thread_sleep_ticks(3);
	KEXPECT_EQ(norder, 3);
	KEXPECT_EQ(order[0], 1);
	KEXPECT_EQ(order[1], 2);
	KEXPECT_EQ(order[2], 3);
}

static struct thread *
first_thread(struct task *t)
{
	return list_entry(t->threads.next, struct thread, task_link);
}

KTEST(kernel, two_user_tasks_that_never_yield_both_make_progress)
{
	struct task *a = ktest_spawn_utest("spin"), *b = ktest_spawn_utest("spin");
	uint64_t ta, tb;

	if (!a || !b)
		return;
	thread_sleep_ticks(40);
	ta = first_thread(a)->ticks_used;
	tb = first_thread(b)->ticks_used;
	/* 40 ticks shared by two spinners: each must have had a fair part */
	KEXPECT(ta >= 10);
	KEXPECT(tb >= 10);
	task_terminate(a, TASK_KILLED, 0);
	task_terminate(b, TASK_KILLED, 0);
	int end;
	KEXPECT(ktest_wait_and_release(a, &end, NULL));
	KEXPECT_EQ(end, TASK_KILLED);
	KEXPECT(ktest_wait_and_release(b, &end, NULL));
	KEXPECT_EQ(end, TASK_KILLED);
}

KTEST(kernel, killing_a_running_task_frees_all_its_pages)
{
	uint32_t before = pages_free_excluding_heap();
	struct task *t = ktest_spawn_utest("spin");

	if (!t)
		return;
	thread_sleep_ticks(2);
	KEXPECT(page_free_count() < before);
	task_terminate(t, TASK_KILLED, 0);
	KEXPECT(ktest_wait_and_release(t, NULL, NULL));
	thread_sleep_ticks(1);
	KEXPECT_EQ(pages_free_excluding_heap(), before);
}
