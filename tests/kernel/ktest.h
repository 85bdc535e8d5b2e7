/*
 * The in-kernel test framework. A test is a function registered with KTEST in
 * the .ktest section; the runner (k_runner.c) runs every test of a suite in
 * order, checks that free pages and heap bytes return to where they were, and
 * prints `ok N - name` / `not ok N - name: why` and a summary line.
 */
#ifndef KTEST_H
#define KTEST_H

#include <kern/lib.h>

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(void);
};

#define KTEST(suite_, name_)							\
	static void name_(void);						\
	static const struct ktest ktest_##name_					\
		__attribute__((section(".ktest"), used, aligned(4))) = {	\
		#suite_, #name_, name_,						\
	};									\
	static void name_(void)

/* Records a failure (the first one is reported) and goes on. */
void ktest_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define KEXPECT(cond)								\
	do {									\
		if (!(cond))							\
			ktest_fail(__FILE__, __LINE__, "expected %s", #cond);	\
	} while (0)

#define KEXPECT_EQ(a, b)							\
	do {									\
		long long a_ = (long long)(a), b_ = (long long)(b);		\
		if (a_ != b_)							\
			ktest_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				   #a, a_, #b, b_);				\
	} while (0)

/* Test helpers (k_runner.c) */
struct boot_module *ktest_module(const char *name);
struct task;
/* Starts the utest program with the given arguments; NULL if it cannot. */
struct task *ktest_spawn_utest(const char *args);
/* The same, with a send right to host_port as its TASK_HOST_PORT (the first task gets host_priv so). */
struct port;
struct task *ktest_spawn_utest_host(const char *args, struct port *host_port);
/* Waits (up to 5 s) for the task to die, then drops the reference. */
bool ktest_wait_and_release(struct task *t, int *end, int *status);
uint32_t ktest_rand(void);
/* Free pages plus those the kernel heap holds (they come and go with its blocks). */
uint32_t pages_free_excluding_heap(void);

#endif
