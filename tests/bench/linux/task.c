/*
 * Linux thread and process benchmarks, the reference for Manifold's
 * exception_rt, thread_switch and task_create_terminate rows (pairing in
 * tests/bench/rows.tsv; Manifold's side is tests/bench/manifold/thread.c and
 * bench.c):
 *   exception_rt           a load from an unmapped address; the SIGSEGV handler
 *                          points the address register at a mapped word and
 *                          returns, and the load runs again;
 *   thread_switch          sched_yield until the other thread of this process
 *                          has run once and yielded back;
 *   task_create_terminate  fork, the child _exits at once, the parent waitpids.
 * This program stays small (no large buffers), as the task Manifold's row
 * creates is.
 *
 *   bench-task [ITERATIONS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include "measure.h"

/* The same addresses and instruction as Manifold's row: a load through ecx. */
#define BAD_ADDRESS 0x10u
#define GOOD_VALUE 0x600DF00Du

static volatile uint32_t good_word = GOOD_VALUE;
static volatile sig_atomic_t segv_failed;

static void
on_segv(int sig, siginfo_t *si, void *uc_arg)
{
	ucontext_t *uc = uc_arg;

	if ((uintptr_t)si->si_addr != BAD_ADDRESS || (uint32_t)uc->uc_mcontext.gregs[REG_ECX] != BAD_ADDRESS) {
		segv_failed = 1;
		signal(SIGSEGV, SIG_DFL);	/* the fault again, uncaught: the program dies */
		return;
	}
	uc->uc_mcontext.gregs[REG_ECX] = (greg_t)(uintptr_t)&good_word;
}

static int
exception_op(void *arg)
{
	uint32_t v, addr = BAD_ADDRESS;

	/* ecx is an output too: the handler changes it */
	__asm__ volatile("movl (%%ecx), %%eax" : "=a"(v), "+c"(addr) : : "memory");
	return v == GOOD_VALUE && addr == (uintptr_t)&good_word ? 0 : -1;
}

static int
bench_exception(unsigned iters)
{
	struct sigaction sa;
	int r;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) < 0) {
		printf("FAIL exception_rt: sigaction\n");
		return -1;
	}
	r = bench_loop("exception_rt", "insns", iters, exception_op, NULL);
	signal(SIGSEGV, SIG_DFL);
	if (segv_failed) {
		printf("FAIL exception_rt: the handler saw another fault than ours\n");
		r = -1;
	}
	return r;
}

static volatile uint32_t partner_turns;
static volatile int partner_stop;

static void *
partner(void *arg)
{
	while (!partner_stop) {
		partner_turns++;
		sched_yield();
	}
	return NULL;
}

static int
switch_op(void *arg)
{
	uint32_t seen = partner_turns;

	do
		sched_yield();
	while (partner_turns == seen);
	return 0;
}

static int
bench_switch(unsigned iters)
{
	pthread_t other;
	int r;

	if (pthread_create(&other, NULL, partner, NULL) != 0) {
		printf("FAIL thread_switch: cannot start the second thread\n");
		return -1;
	}
	r = bench_loop("thread_switch", "insns", iters, switch_op, NULL);
	partner_stop = 1;
	pthread_join(other, NULL);
	return r;
}

static int
fork_op(void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned iters = bench_iters(argc, argv, 10000);
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the order of Manifold's program: the process is at its smallest first */
	bad |= bench_loop("task_create_terminate", "insns", iters, fork_op, NULL) < 0;
	bad |= bench_exception(iters) < 0;
	bad |= bench_switch(iters) < 0;
	return bad ? 1 : 0;
}
