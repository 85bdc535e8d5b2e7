/*
 * A small in-guest test framework for user-mode suites (ipctest, vmtest):
 * CHECK/CHECK_EQ record the first failure of a case and return from it;
 * run_suite() runs the cases, calls the suite's own leak check after each
 * one that passed, and prints `ok N - name` lines and `<suite>: N passed, N failed`.
 */
#ifndef SUITE_H
#define SUITE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>

/* Waits, yielding, until name is a dead name (its thread or task is gone); returns whether it did. */
static inline int
wait_dead_name(mach_port_t name)
{
	if (name == MACH_PORT_DEAD)	/* it died before the right reached us (a task that ended at once) */
		return 1;
	for (int i = 0; i < 200000; i++) {
		mach_port_type_t t = 0;
		mach_port_type(mach_task_self(), name, &t);
		if (t == MACH_PORT_TYPE_DEAD_NAME)
			return 1;
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	return 0;
}

/* Terminates task, waits until its name is dead (the kernel has finished it), and lets the name go. */
static inline void
end_task_and_wait(mach_port_t task)
{
	task_terminate(task);
	wait_dead_name(task);
	mach_port_deallocate(mach_task_self(), task);
}

/* A new thread in task, still suspended, that will start at eip with stack esp; none on failure. */
static inline kern_return_t
thread_at(mach_port_t task, vm_address_t eip, vm_address_t esp, mach_port_t *th)
{
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	kern_return_t kr = thread_create(task, th);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = thread_get_state(*th, i386_THREAD_STATE, (natural_t *)&st, &n);
	st.eip = eip;
	st.esp = esp;
	if (kr == KERN_SUCCESS)
		kr = thread_set_state(*th, i386_THREAD_STATE, (natural_t *)&st, n);
	if (kr != KERN_SUCCESS) {
		thread_terminate(*th);
		mach_port_deallocate(mach_task_self(), *th);
	}
	return kr;
}

/* A new receive right, with a send right under the same name. */
static inline mach_port_t
port_with_send(void)
{
	mach_port_t p = MACH_PORT_NULL;

	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND);
	return p;
}

/* Milliseconds since boot (the kernel's clock). */
static inline uint64_t
now_ms(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns / 1000000;
}

/* The kernel's counters (live ports, free pages, heap bytes...), for leak checks. */
static inline struct manifold_kernel_stats
stats(void)
{
	struct manifold_kernel_stats st;

	trap_raw(TRAP_kernel_stats, (uint32_t)&st, 0, 0, 0, 0);
	return st;
}

/*
 * The longest stretch with interrupts off since the last reset (kernel booted
 * with irqoff_stats), then a reset: wrap an operation in two calls to see its
 * own figure.
 */
static inline struct manifold_kernel_stats
irqoff_take(void)
{
	struct manifold_kernel_stats st;

	trap_raw(TRAP_kernel_stats, (uint32_t)&st, 1, 0, 0, 0);
	return st;
}

/*
 * Whether rdtsc counts guest instructions (QEMU -icount shift=0), so that
 * interrupts-off figures are exact: a loop of 200,000 instructions must read
 * as that, give or take a timer interrupt.
 */
static inline int
tsc_counts_instructions(void)
{
	uint32_t lo0, hi0, lo1, hi1, n = 100000;
	uint64_t d;

	__asm__ volatile("rdtsc" : "=a"(lo0), "=d"(hi0));
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n));
	__asm__ volatile("rdtsc" : "=a"(lo1), "=d"(hi1));
	d = (((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0);
	return d >= 200000 && d < 200000 + 20000;
}

/*
 * Pages free in the pool plus those the kernel heap holds: what the cases
 * compare to see that memory came back. The heap's share moves with its layout
 * (where blocks fall, the few empty pages it keeps), which is not theirs to
 * check; kobjtest checks that the heap gives its pages back.
 */
static inline uint32_t
free_pages_with_heap(void)
{
	struct manifold_kernel_stats s = stats();

	return s.free_pages + s.heap_pages;
}

/* How many names the calling task's port name space holds. */
static inline uint32_t
port_name_count(void)
{
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 0, tn = 0;

	if (mach_port_names(mach_task_self(), &names, &n, &types, &tn) != KERN_SUCCESS)
		return 0;
	vm_deallocate(mach_task_self(), (vm_address_t)names, n * sizeof *names);
	vm_deallocate(mach_task_self(), (vm_address_t)types, tn * sizeof *types);
	return n;
}

/* xorshift32: a repeatable stream of numbers for stress and fuzz cases. */
static uint32_t suite_rng = 0x1234567;

static inline void
suite_seed(uint32_t seed)
{
	suite_rng = seed | 1;
}

static inline uint32_t
rnd(void)
{
	suite_rng ^= suite_rng << 13;
	suite_rng ^= suite_rng >> 17;
	suite_rng ^= suite_rng << 5;
	return suite_rng;
}

static int failed_line;
static const char *failed_what;
static long long failed_val;

#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			failed_line = __LINE__;				\
			failed_what = #c;				\
			return;						\
		}							\
	} while (0)
#define CHECK_EQ(a, b)							\
	do {								\
		long long a_ = (long long)(a);				\
		if (a_ != (long long)(b)) {				\
			failed_line = __LINE__;				\
			failed_what = #a " == " #b;			\
			failed_val = a_;				\
			return;						\
		}							\
	} while (0)

struct test {
	const char *name;
	void (*fn)(void);
};

/* A leak check: before() records, after() says what changed (NULL when nothing did). */
struct leak_check {
	void (*before)(void);
	const char *(*after)(long long *delta);
};

/*
 * The leak check of suites that start and end tasks: the kernel's pages (free
 * and the heap's), live ports and heap bytes, and the names in our space, as
 * they were before the case.
 */
static struct manifold_kernel_stats kernel_leaks_stats;
static uint32_t kernel_leaks_names;

static inline void
kernel_leaks_before(void)
{
	kernel_leaks_stats = stats();
	kernel_leaks_names = port_name_count();
}

static inline const char *
kernel_leaks_after(long long *delta)
{
	struct manifold_kernel_stats now = stats(), before = kernel_leaks_stats;

	if (now.free_pages + now.heap_pages != before.free_pages + before.heap_pages) {
		*delta = (long long)(before.free_pages + before.heap_pages) - (now.free_pages + now.heap_pages);
		return "pages were not given back";
	}
	if (now.live_ports != before.live_ports) {
		*delta = (long long)now.live_ports - before.live_ports;
		return "ports were left alive";
	}
	if (now.heap_bytes != before.heap_bytes) {
		*delta = (long long)now.heap_bytes - before.heap_bytes;
		return "kernel heap bytes were not given back";
	}
	if (port_name_count() != kernel_leaks_names) {
		*delta = (long long)port_name_count() - kernel_leaks_names;
		return "names were left in our space";
	}
	return NULL;
}

static inline int
run_suite(const char *suite, const struct test *tests, int n, const struct leak_check *leaks)
{
	int pass = 0, fail = 0;

	for (int i = 0; i < n; i++) {
		if (leaks)
			leaks->before();
		failed_line = 0;
		failed_val = 0;
		tests[i].fn();
		if (!failed_line && leaks && strstr(tests[i].name, "fuzz") == NULL) {
			const char *what = leaks->after(&failed_val);
			if (what) {
				failed_line = -1;
				failed_what = what;
			}
		}
		if (failed_line) {
			printf("not ok %d - %s: line %d: %s (got %lld)\n", i + 1, tests[i].name, failed_line,
			       failed_what, failed_val);
			fail++;
		} else {
			printf("ok %d - %s\n", i + 1, tests[i].name);
			pass++;
		}
	}
	printf("%s: %d passed, %d failed\n", suite, pass, fail);
	return fail;
}

#endif
