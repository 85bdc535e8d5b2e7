/*
 * libtest: the `libmsg` suite, run in the guest as the first task: what a
 * program gets from the runtime — newlib's printf, malloc over vm_allocate,
 * string and math functions (x87 state kept per thread), and error strings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/trap.h>
#include "suite.h"

#define ME mach_task_self()

static void
printf_formats_like_c_says(void)
{
	char buf[128];

	snprintf(buf, sizeof buf, "%d %u %x %s %c %5.2f %-4s|", -12, 34u, 0xbeefu, "str", 'z', 3.14159, "ab");
	CHECK(strcmp(buf, "-12 34 beef str z  3.14 ab  |") == 0);
	snprintf(buf, sizeof buf, "%lld %e", -9000000000ll, 12345.678);
	if (strcmp(buf, "-9000000000 1.234568e+04") != 0)
		printf("# got \"%s\"\n", buf);
	CHECK(strcmp(buf, "-9000000000 1.234568e+04") == 0);
	CHECK_EQ(printf("libtest: printf reaches the console\n"), 36);
}

static void
malloc_and_free_in_many_sizes(void)
{
	enum { N = 800 };
	static unsigned char *p[N];
	static size_t sz[N];

	for (int i = 0; i < N; i++) {
		sz[i] = 1 + rnd() % (i % 10 ? 300 : 40000);
		p[i] = malloc(sz[i]);
		CHECK(p[i] != NULL);
		memset(p[i], i & 0xFF, sz[i]);
	}
	for (int i = 0; i < N; i++)
		for (size_t j = 0; j < sz[i]; j += 97)
			CHECK_EQ(p[i][j], i & 0xFF);
	for (int i = N - 1; i > 0; i--) {
		int j = (int)(rnd() % (uint32_t)(i + 1));
		unsigned char *t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	for (int i = 0; i < N; i++)
		free(p[i]);
	CHECK(realloc(NULL, 10) != NULL);
}

static void
a_large_allocation_costs_pages_only_when_touched(void)
{
	uint32_t before = free_pages();
	char *big = malloc(16u << 20);

	CHECK(big != NULL);
	CHECK(before - free_pages() < 64);	/* 16 MiB reserved, a few pages used */
	big[0] = 1;
	big[(16u << 20) - 1] = 2;
	CHECK(before - free_pages() < 66);
	free(big);
}

static int
compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void
string_and_math_functions(void)
{
	int v[6] = { 5, -3, 9, 0, 2, 2 };
	char *end;

	CHECK_EQ(strtol("  -0x7fz", &end, 16), -0x7f);
	CHECK_EQ(*end, 'z');
	CHECK_EQ(atoi("4242"), 4242);
	qsort(v, 6, sizeof v[0], compare_ints);
	CHECK(v[0] == -3 && v[5] == 9);
	CHECK(strstr("hello, world", "o, w") != NULL);
	CHECK(fabs(sqrt(2.0) * sqrt(2.0) - 2.0) < 1e-12);
	CHECK(fabs(sin(M_PI / 2) - 1.0) < 1e-12);
	CHECK_EQ((int)floor(pow(2.0, 10.0) + 0.5), 1024);
}

static volatile double thread_sum;
static volatile int thread_done;
static uint32_t thread_stack[2048] __attribute__((aligned(16)));

static void
fpu_worker(void)
{
	double s = 0;

	for (int i = 1; i <= 20000; i++) {
		s += 1.0 / ((double)i * i);
		if (i % 500 == 0)
			thread_switch(MACH_PORT_NULL, 0, 0);	/* interleave with the main thread */
	}
	thread_sum = s;
	thread_done = 1;
	for (;;)
		thread_switch(MACH_PORT_NULL, 0, 0);
}

static void
x87_state_belongs_to_each_thread(void)
{
	mach_port_t th;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	double mine = 0;

	thread_done = 0;
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
	st.eip = (natural_t)(uintptr_t)fpu_worker;
	st.esp = (natural_t)(uintptr_t)&thread_stack[2040];
	thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n);
	thread_resume(th);
	for (int i = 1; i <= 20000; i++) {
		mine += 1.0 / i;
		if (i % 500 == 0)
			thread_switch(MACH_PORT_NULL, 0, 0);
	}
	while (!thread_done)
		thread_switch(MACH_PORT_NULL, 0, 0);
	thread_terminate(th);
	mach_port_deallocate(ME, th);
	CHECK(fabs(thread_sum - M_PI * M_PI / 6) < 1e-4);	/* sum 1/i^2 */
	CHECK(fabs(mine - 10.480728) < 1e-5);			/* harmonic number H(20000) */
}

static void
every_error_code_has_its_name(void)
{
	static const kern_return_t codes[] = {
		KERN_SUCCESS, KERN_INVALID_ADDRESS, KERN_INVALID_ARGUMENT, KERN_NO_SPACE, KERN_INVALID_NAME,
		KERN_INVALID_RIGHT, KERN_INVALID_TASK, KERN_TERMINATED, KERN_OPERATION_TIMED_OUT,
		MACH_SEND_INVALID_DEST, MACH_SEND_TIMED_OUT, MACH_SEND_INVALID_HEADER, MACH_SEND_TOO_LARGE,
		MACH_RCV_TIMED_OUT, MACH_RCV_TOO_LARGE, MACH_RCV_INVALID_NAME, MACH_RCV_PORT_DIED,
		MIG_BAD_ID, MIG_BAD_ARGUMENTS, MIG_TYPE_ERROR, MIG_SERVER_DIED,
	};

	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++)
		CHECK(strcmp(mach_error_string(codes[i]), "unknown error") != 0);
	CHECK(strcmp(mach_error_string(MACH_SEND_INVALID_DEST), "MACH_SEND_INVALID_DEST") == 0);
	CHECK(strcmp(mach_error_string(MIG_BAD_ID), "MIG_BAD_ID") == 0);
	CHECK(strcmp(mach_error_string(0x12345), "unknown error") == 0);
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(printf_formats_like_c_says),
	T(malloc_and_free_in_many_sizes),
	T(a_large_allocation_costs_pages_only_when_touched),
	T(string_and_math_functions),
	T(x87_state_belongs_to_each_thread),
	T(every_error_code_has_its_name),
};

int
main(void)
{
	int fail = run_suite("libmsg", tests, (int)(sizeof tests / sizeof tests[0]), NULL);

	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
