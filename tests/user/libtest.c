/*
 * libtest: the `libmsg` suite, run in the guest as the first task: what a
 * program gets from the runtime — newlib's printf, malloc over vm_allocate,
 * string and math functions (x87 state kept per thread), error strings, and
 * cthreads: mutexes, condition variables, join, per-thread data, and newlib
 * used from several threads at once.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include <msgc_runtime.h>
#include "suite.h"

/* vm_region's object name and offset, which these cases do not look at. */
static mach_port_t region_name;
static vm_offset_t region_offset;

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
	uint32_t before = free_pages_with_heap();
	char *big = malloc(16u << 20);

	CHECK(big != NULL);
	CHECK(before - free_pages_with_heap() < 64);	/* 16 MiB reserved, a few pages used */
	big[0] = 1;
	big[(16u << 20) - 1] = 2;
	CHECK(before - free_pages_with_heap() < 66);
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

static void
more_formats_strings_and_libm(void)
{
	char buf[64], word[16];
	int a = 0, n;
	double d = 0;

	CHECK_EQ(snprintf(buf, sizeof buf, "%+05d|%#o|%#x|%g|%.3s", 42, 8, 255, 0.0001, "abcdef"), 25);
	CHECK(strcmp(buf, "+0042|010|0xff|0.0001|abc") == 0);
	CHECK_EQ(snprintf(buf, 8, "%s", "truncated text"), 14);	/* would-be length, kept short */
	CHECK(strcmp(buf, "truncat") == 0);
	CHECK_EQ(sscanf("  17 2.5e3 word", "%d %lf %15s%n", &a, &d, word, &n), 3);
	CHECK(a == 17 && d == 2500.0 && strcmp(word, "word") == 0 && n == 15);
	CHECK(fabs(strtod("-1.25e-2", NULL) + 0.0125) < 1e-15);
	strcpy(buf, "0123456789");
	memmove(buf + 2, buf, 5);		/* overlapping */
	CHECK(strcmp(buf, "0101234789") == 0);
	CHECK(strncmp("abcX", "abcY", 3) == 0 && strcmp("abc", "abd") < 0);
	CHECK(strchr("path/to/file", '/') - "path/to/file" == 4 && strrchr("path/to/file", '/')[1] == 'f');
	CHECK(fabs(exp(log(10.0)) - 10.0) < 1e-12);
	CHECK(fabs(atan2(1.0, 1.0) - M_PI / 4) < 1e-15);
	CHECK(fabs(fmod(10.5, 3.0) - 1.5) < 1e-15);
	CHECK(fabs(cbrt(27.0) - 3.0) < 1e-12 && isnan(sqrt(-1.0)) && isinf(exp(1000.0)));
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

/* cthreads. Each case joins every thread it starts, so none outlives it. */

struct counter {
	struct cthread_mutex lock;
	uint32_t value;			/* [lock] */
	int rounds;
};

/*
 * Increments in two steps with a yield between them now and then, so that a
 * broken mutex (a preempted holder, a lost wakeup) shows as a lost update.
 */
static void *
count_up(void *arg)
{
	struct counter *c = arg;

	for (int i = 0; i < c->rounds; i++) {
		cthread_mutex_lock(&c->lock);
		uint32_t v = c->value;
		if (i % 64 == 0)
			thread_switch(MACH_PORT_NULL, 0, 0);
		c->value = v + 1;
		cthread_mutex_unlock(&c->lock);
	}
	return NULL;
}

static void
a_counter_under_a_mutex_reaches_the_exact_total(void)
{
	enum { N = 4 };
	static struct counter c;
	cthread_t t[N];

	c = (struct counter){ CTHREAD_MUTEX_INITIALIZER, 0, 3000 };
	for (int i = 0; i < N; i++)
		CHECK_EQ(cthread_fork(&t[i], count_up, &c), KERN_SUCCESS);
	for (int i = 0; i < N; i++)
		cthread_join(t[i]);
	CHECK_EQ(c.value, N * 3000);
	CHECK(cthread_mutex_trylock(&c.lock));
	cthread_mutex_destroy(&c.lock);
}

/* A bounded queue of numbers between producers and consumers. */
#define QUEUE_SLOTS 4
#define ITEMS_EACH 600
static struct {
	struct cthread_mutex lock;
	struct cthread_cond not_full, not_empty;
	uint32_t items[QUEUE_SLOTS];
	int head, count;		/* [lock] */
	int taken;			/* [lock] items consumed, all consumers together */
	uint8_t seen[2 * ITEMS_EACH];	/* [lock] how often each item was taken */
} queue;

static void *
produce(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg;

	for (uint32_t i = 0; i < ITEMS_EACH; i++) {
		cthread_mutex_lock(&queue.lock);
		while (queue.count == QUEUE_SLOTS)
			cthread_cond_wait(&queue.not_full, &queue.lock);
		queue.items[(queue.head + queue.count++) % QUEUE_SLOTS] = base + i;
		cthread_cond_signal(&queue.not_empty);
		cthread_mutex_unlock(&queue.lock);
	}
	return NULL;
}

static void *
consume(void *arg)
{
	uint32_t sum = 0;

	cthread_mutex_lock(&queue.lock);
	for (;;) {
		while (queue.count == 0 && queue.taken < 2 * ITEMS_EACH)
			cthread_cond_wait(&queue.not_empty, &queue.lock);
		if (queue.count == 0)
			break;		/* all taken */
		uint32_t v = queue.items[queue.head];
		queue.head = (queue.head + 1) % QUEUE_SLOTS;
		queue.count--;
		queue.taken++;
		queue.seen[v]++;
		sum += v;
		cthread_cond_signal(&queue.not_full);
		if (queue.taken == 2 * ITEMS_EACH)
			cthread_cond_broadcast(&queue.not_empty);	/* the other consumer may be asleep */
	}
	cthread_mutex_unlock(&queue.lock);
	return (void *)(uintptr_t)sum;
}

static void
producers_and_consumers_meet_through_condition_variables(void)
{
	cthread_t p[2], c[2];
	uint32_t total = 0, want = 0;

	memset(&queue, 0, sizeof queue);
	CHECK_EQ(cthread_fork(&c[0], consume, NULL), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&c[1], consume, NULL), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&p[0], produce, (void *)0), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&p[1], produce, (void *)ITEMS_EACH), KERN_SUCCESS);
	cthread_join(p[0]);
	cthread_join(p[1]);
	total += (uint32_t)(uintptr_t)cthread_join(c[0]);
	total += (uint32_t)(uintptr_t)cthread_join(c[1]);
	for (uint32_t i = 0; i < 2 * ITEMS_EACH; i++) {
		want += i;
		CHECK_EQ(queue.seen[i], 1);	/* every item exactly once */
	}
	CHECK_EQ(total, want);
	cthread_mutex_destroy(&queue.lock);
	cthread_cond_destroy(&queue.not_full);
	cthread_cond_destroy(&queue.not_empty);
}

static void __attribute__((noreturn))
exit_from_deep_inside(uint32_t v)
{
	cthread_exit((void *)(uintptr_t)(v * 3));
}

static void *
triple(void *arg)
{
	uint32_t v = (uint32_t)(uintptr_t)arg;

	if (v % 2)
		exit_from_deep_inside(v);
	return (void *)(uintptr_t)(v * 3);
}

static void
join_returns_what_the_thread_returned_or_exited_with(void)
{
	cthread_t t[6];

	for (uint32_t i = 0; i < 6; i++)
		CHECK_EQ(cthread_fork(&t[i], triple, (void *)(uintptr_t)(i + 10)), KERN_SUCCESS);
	for (uint32_t i = 0; i < 6; i++)
		CHECK_EQ((uint32_t)(uintptr_t)cthread_join(t[i]), (i + 10) * 3);
}

/* Uses what a thread can take from the task: stack pages, a reply port, a contended mutex. */
static void *
use_resources(void *arg)
{
	volatile char deep[40 * 1024];
	mach_port_t self = mach_thread_self();
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	for (unsigned i = 0; i < sizeof deep; i += 1024)
		deep[i] = (char)i;
	thread_get_state(self, i386_THREAD_STATE, (natural_t *)&st, &n);	/* a stub: a reply port */
	mach_port_deallocate(mach_task_self(), self);
	count_up(arg);
	return (void *)(uintptr_t)deep[1024];
}

static void
run_resource_users(int n)
{
	static struct counter c;
	cthread_t t[8];

	c = (struct counter){ CTHREAD_MUTEX_INITIALIZER, 0, 200 };
	for (int i = 0; i < n; i++)
		cthread_fork(&t[i], use_resources, &c);
	for (int i = 0; i < n; i++)
		cthread_join(t[i]);
	cthread_mutex_destroy(&c.lock);
}

static void
joined_threads_give_back_their_pages_and_ports(void)
{
	uint32_t pages, names;

	run_resource_users(8);		/* the first time may grow the heap and page tables for good */
	pages = free_pages_with_heap();
	names = port_name_count();
	run_resource_users(8);
	CHECK_EQ(port_name_count(), names);
	CHECK_EQ(free_pages_with_heap(), pages);
}

static void
a_thread_stack_has_a_guard_page_below_it(void)
{
	vm_address_t base = (vm_address_t)(uintptr_t)cthread_self() & ~(vm_address_t)(CTHREAD_STACK_SIZE - 1);
	vm_address_t a = base;
	vm_size_t size = 0;
	vm_prot_t prot = 0, max = 0;
	vm_inherit_t inh = 0;
	boolean_t shared = 0;

	CHECK(cthread_self() != NULL);
	CHECK_EQ(vm_region(ME, &a, &size, &prot, &max, &inh, &shared, &region_name, &region_offset), KERN_SUCCESS);
	CHECK_EQ(a, base);
	CHECK_EQ(size, 4096);
	CHECK_EQ(prot, VM_PROT_NONE);
	a = base + 4096;
	CHECK_EQ(vm_region(ME, &a, &size, &prot, &max, &inh, &shared, &region_name, &region_offset), KERN_SUCCESS);
	CHECK_EQ(a, base + 4096);
	CHECK_EQ(size, CTHREAD_STACK_SIZE - 4096);	/* up to the block, ours */
	CHECK(prot & VM_PROT_WRITE);
}

static cthread_key_t slot_key;

static void *
keep_own_value(void *arg)
{
	cthread_setspecific(slot_key, arg);
	for (int i = 0; i < 20; i++) {
		thread_switch(MACH_PORT_NULL, 0, 0);
		if (cthread_getspecific(slot_key) != arg)
			return (void *)0;
	}
	return (void *)(uintptr_t)cthread_id(cthread_self());
}

static void
per_thread_data_and_ids_belong_to_each_thread(void)
{
	static int values[3];
	cthread_t t[3];
	uint32_t ids[3];

	CHECK_EQ(cthread_key_create(&slot_key), KERN_SUCCESS);
	CHECK(cthread_getspecific(slot_key) == NULL);
	CHECK_EQ(cthread_setspecific(slot_key, &slot_key), KERN_SUCCESS);
	CHECK_EQ(cthread_id(cthread_self()), 1);		/* main */
	for (int i = 0; i < 3; i++)
		CHECK_EQ(cthread_fork(&t[i], keep_own_value, &values[i]), KERN_SUCCESS);
	for (int i = 0; i < 3; i++)
		ids[i] = (uint32_t)(uintptr_t)cthread_join(t[i]);
	CHECK(ids[0] > 1 && ids[1] > 1 && ids[2] > 1);	/* 0 would mean a value was lost */
	CHECK(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
	CHECK(cthread_getspecific(slot_key) == &slot_key);
	CHECK_EQ(cthread_setspecific(CTHREAD_KEYS, NULL), KERN_INVALID_ARGUMENT);
}

static struct cthread_mutex held = CTHREAD_MUTEX_INITIALIZER;
static struct cthread_cond ring = CTHREAD_COND_INITIALIZER;
static volatile int rung;

static void *
ring_under_the_mutex(void *arg)
{
	cthread_mutex_lock(&held);	/* free once main waits on ring */
	rung = 1;
	cthread_cond_signal(&ring);
	cthread_mutex_unlock(&held);
	return arg;
}

static void
trylock_fails_while_held_and_timedwait_times_out_or_wakes(void)
{
	uint64_t t0, t1;
	cthread_t t;

	cthread_mutex_lock(&held);
	CHECK(!cthread_mutex_trylock(&held));			/* not recursive, not free */
	trap_clock_uptime(&t0);
	CHECK(!cthread_cond_timedwait(&ring, &held, 50));	/* nobody signals */
	trap_clock_uptime(&t1);
	CHECK(t1 - t0 >= 40000000);
	CHECK(!cthread_mutex_trylock(&held));			/* held again on return */
	rung = 0;
	CHECK_EQ(cthread_fork(&t, ring_under_the_mutex, &ring), KERN_SUCCESS);
	while (!rung)
		CHECK(cthread_cond_timedwait(&ring, &held, 5000));
	cthread_mutex_unlock(&held);
	CHECK(cthread_join(t) == &ring);
	CHECK(cthread_mutex_trylock(&held));
	cthread_mutex_unlock(&held);
	cthread_mutex_destroy(&held);
	cthread_cond_destroy(&ring);
}

/* A thread the runtime did not start has no block, and says so. */
static volatile int foreign_answer;
static uint32_t foreign_stack[1024] __attribute__((aligned(16)));
static void
foreign_worker(void)
{
	foreign_answer = cthread_self() == NULL ? 1 : 2;
	for (;;)
		thread_switch(MACH_PORT_NULL, 0, 0);
}

static void
a_raw_thread_is_not_a_cthread(void)
{
	mach_port_t th;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	foreign_answer = 0;
	CHECK_EQ(thread_create(ME, &th), KERN_SUCCESS);
	thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
	st.eip = (natural_t)(uintptr_t)foreign_worker;
	st.esp = (natural_t)(uintptr_t)&foreign_stack[1020];
	thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n);
	thread_resume(th);
	while (!foreign_answer)
		thread_switch(MACH_PORT_NULL, 0, 0);
	thread_terminate(th);
	wait_dead_name(th);
	mach_port_destroy(ME, th);
	CHECK_EQ(foreign_answer, 1);
}

/* malloc, free and stdio from four threads at once: newlib's locks at work. */
static void *
libc_worker(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, rng = id * 7919u, bad = 0;
	unsigned char *p[64] = { 0 };
	size_t sz[64];
	char buf[64], want[64];

	for (int round = 0; round < 1500; round++) {
		int k = round % 64;
		if (p[k]) {
			for (size_t j = 0; j < sz[k]; j += 31)
				bad += p[k][j] != (unsigned char)(k ^ id);
			free(p[k]);
		}
		rng = rng * 1103515245u + 12345u;
		sz[k] = 1 + (rng >> 8) % (round % 7 ? 200 : 9000);
		p[k] = malloc(sz[k]);
		if (!p[k])
			return (void *)1000;
		memset(p[k], (int)(k ^ id), sz[k]);
		if (round % 50 == 0) {
			snprintf(buf, sizeof buf, "%d:%05.1f:%s", round, round / 4.0, "x");
			sprintf(want, "%d:%05.1f:x", round, round / 4.0);
			bad += strcmp(buf, want) != 0;
		}
	}
	for (int k = 0; k < 64; k++)
		free(p[k]);
	bad += printf("libtest: thread %u done with malloc\n", (unsigned)id) <= 0;
	return (void *)(uintptr_t)bad;
}

static void
malloc_and_printf_are_safe_from_several_threads(void)
{
	cthread_t t[4];

	for (int i = 0; i < 4; i++)
		CHECK_EQ(cthread_fork(&t[i], libc_worker, (void *)(uintptr_t)(i + 1)), KERN_SUCCESS);
	for (int i = 0; i < 4; i++)
		CHECK_EQ((uint32_t)(uintptr_t)cthread_join(t[i]), 0);
}

/*
 * newlib's locks are ours and they hold: while main holds the malloc lock, a
 * thread's malloc waits; while main holds stdout's lock, a thread's printf
 * waits. With do-nothing locks the thread would finish at once.
 */
static volatile int locked_out_done;

static void *
malloc_then_print(void *arg)
{
	void *p = malloc(100);

	locked_out_done = 1;
	free(p);
	printf("libtest: printed after the lock\n");
	locked_out_done = 2;
	return NULL;
}

static bool
stays_below(int value, int yields)
{
	for (int i = 0; i < yields; i++) {
		thread_switch(MACH_PORT_NULL, 0, 0);
		if (locked_out_done > value)
			return false;
	}
	return true;
}

static void
malloc_and_stdio_wait_for_their_locks(void)
{
	cthread_t t;

	locked_out_done = 0;
	fflush(stdout);
	__malloc_lock(_REENT);
	flockfile(stdout);
	CHECK_EQ(cthread_fork(&t, malloc_then_print, NULL), KERN_SUCCESS);
	CHECK(stays_below(0, 50));		/* its malloc waits */
	__malloc_unlock(_REENT);
	CHECK(!stays_below(0, 500));		/* it got past malloc... */
	CHECK(stays_below(1, 50));		/* ...and waits in printf */
	funlockfile(stdout);
	cthread_join(t);
	CHECK_EQ(locked_out_done, 2);
}

/*
 * Detached threads need no join: some are detached while they run, some after
 * they have ended, and once the runtime has reaped them their stacks and
 * ports are all back.
 */
static volatile int detached_ran;
static struct cthread_mutex gate_lock = CTHREAD_MUTEX_INITIALIZER;
static struct cthread_cond gate_opened = CTHREAD_COND_INITIALIZER;
static bool gate_open;

/* Waits at the gate, takes stack pages and a reply port (a stub call), then says it is done. */
static void *
use_and_leave(void *arg)
{
	volatile char deep[16 * 1024];
	mach_port_t self;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	cthread_mutex_lock(&gate_lock);
	while (!gate_open)
		cthread_cond_wait(&gate_opened, &gate_lock);
	cthread_mutex_unlock(&gate_lock);
	for (unsigned i = 0; i < sizeof deep; i += 1024)
		deep[i] = (char)i;
	self = mach_thread_self();
	thread_get_state(self, i386_THREAD_STATE, (natural_t *)&st, &n);
	mach_port_deallocate(mach_task_self(), self);
	__atomic_fetch_add(&detached_ran, 1, __ATOMIC_RELAXED);
	return arg;
}

/* n threads: the first half detached before they run; all have run on return. */
static void
run_detached(cthread_t *t, int n)
{
	int start = detached_ran;

	gate_open = false;
	for (int i = 0; i < n; i++)
		cthread_fork(&t[i], use_and_leave, NULL);
	for (int i = 0; i < n / 2; i++)
		cthread_detach(t[i]);
	cthread_mutex_lock(&gate_lock);
	gate_open = true;
	cthread_cond_broadcast(&gate_opened);
	cthread_mutex_unlock(&gate_lock);
	while (detached_ran < start + n)
		thread_switch(MACH_PORT_NULL, 0, 0);
	for (int i = 0; i < 5; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
}

static void
detach_the_rest(cthread_t *t, int from, int n)
{
	for (int i = from; i < n; i++)
		cthread_detach(t[i]);
}

static void *
nothing(void *arg)
{
	return arg;
}

/* Until the graveyard is empty: each join reaps what the kernel has removed. */
static void
reap_detached(void)
{
	cthread_t t;

	for (int i = 0; i < 30; i++) {
		thread_switch(MACH_PORT_NULL, 0, 0);
		cthread_fork(&t, nothing, NULL);
		cthread_join(t);
	}
}

static void
detached_threads_are_reaped_without_a_join(void)
{
	uint32_t pages, names;
	cthread_t t[8];

	run_detached(t, 8);		/* the first time may grow the heap and page tables for good */
	detach_the_rest(t, 4, 8);
	reap_detached();
	pages = free_pages_with_heap();
	names = port_name_count();
	run_detached(t, 8);
	CHECK(free_pages_with_heap() < pages);		/* half wait to be reaped, half to be let go */
	detach_the_rest(t, 4, 8);		/* ended already: given back at once */
	reap_detached();
	CHECK_EQ(port_name_count(), names);	/* all back */
	CHECK_EQ(free_pages_with_heap(), pages);
}

/*
 * errno and the state newlib keeps between calls (strtok, rand) belong to the
 * calling thread: each thread's reent structure, found from its stack.
 */
static void *
keep_own_errno_and_tokens(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, bad = 0;
	uint64_t next = id;		/* newlib's rand: next = next * 6364136223846793005 + 1 */
	char text[64], want[16];
	char *tok;

	snprintf(text, sizeof text, "t%u a%u b%u c%u d%u e%u", id, id, id, id, id, id);
	srand(id);
	errno = (int)(1000 + id);
	tok = strtok(text, " ");
	for (int i = 0; tok; i++) {
		thread_switch(MACH_PORT_NULL, 0, 0);	/* the others run their strtok and set errno */
		bad += errno != (int)(1000 + id);
		snprintf(want, sizeof want, "%c%u", "tabcde"[i], id);
		bad += strcmp(tok, want) != 0;
		next = next * 6364136223846793005ull + 1;
		bad += rand() != (int)((next >> 32) & RAND_MAX);
		tok = strtok(NULL, " ");
	}
	errno = 0;
	bad += close(99) != -1 || errno != EBADF;	/* the runtime's errors land in our errno too */
	return (void *)(uintptr_t)bad;
}

static void
errno_strtok_and_rand_state_belong_to_each_thread(void)
{
	cthread_t t[3];

	errno = 77;
	for (int i = 0; i < 3; i++)
		CHECK_EQ(cthread_fork(&t[i], keep_own_errno_and_tokens, (void *)(uintptr_t)(i + 1)), KERN_SUCCESS);
	for (int i = 0; i < 3; i++)
		CHECK_EQ((uint32_t)(uintptr_t)cthread_join(t[i]), 0);
	CHECK_EQ(errno, 77);				/* main's errno was not touched */
}

/* task_list: what ps shows, every task with its threads, and the errors. */
static void *
wait_for_word(void *arg)
{
	while (!*(volatile int *)arg)
		thread_switch(MACH_PORT_NULL, 0, 0);
	return NULL;
}

static const struct manifold_task_summary *
find_task(const struct manifold_task_summary *s, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i].id == id)
			return &s[i];
	return NULL;
}

/* libtest is the first task: the kernel gave it the privileged host port as its TASK_HOST_PORT. */
static void
task_list_shows_every_task_and_its_threads(void)
{
	static struct manifold_task_summary s[TRAP_TASK_LIST_MAX];
	const struct manifold_task_summary *me;
	uint32_t n = 0, n2 = 0, my_id = 0, threads;
	mach_port_t child, hp = MACH_PORT_NULL, host = mach_host_self(), given = MACH_PORT_NULL;
	cthread_t t;
	int go = 0;

	trap_task_self_id(&my_id);
	CHECK_EQ(task_get_special_port(ME, TASK_HOST_PORT, &hp), KERN_SUCCESS);
	CHECK_EQ(trap_task_list(hp, s, TRAP_TASK_LIST_MAX, &n), KERN_SUCCESS);
	CHECK(n >= 2);
	CHECK_EQ(s[0].id, 0);
	CHECK(strcmp(s[0].name, "kernel") == 0);
	me = find_task(s, n, my_id);
	CHECK(me != NULL);
	CHECK(strstr(me->name, "libtest") != NULL);
	CHECK(me->resident_pages > 0);
	CHECK_EQ(me->dying, 0);
	threads = me->threads;
	CHECK_EQ(cthread_fork(&t, wait_for_word, &go), KERN_SUCCESS);
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(trap_task_list(hp, s, TRAP_TASK_LIST_MAX, &n2), KERN_SUCCESS);
	CHECK_EQ(n2, n + 1);					/* the child */
	CHECK_EQ(find_task(s, n2, my_id)->threads, threads + 1);	/* and our new thread */
	go = 1;
	cthread_join(t);
	CHECK_EQ(task_get_special_port(child, TASK_HOST_PORT, &given), KERN_SUCCESS);
	CHECK_EQ(given, MACH_PORT_NULL);	/* not inherited */
	task_terminate(child);
	mach_port_deallocate(ME, child);
	CHECK_EQ(trap_task_list(hp, NULL, 0, &n2), KERN_SUCCESS);	/* just the count */
	CHECK(n2 >= n);
	n2 = 7;
	CHECK_EQ(trap_task_list(hp, s, TRAP_TASK_LIST_MAX + 1, &n2), KERN_INVALID_ARGUMENT);
	CHECK_EQ(trap_task_list(hp, (void *)0xC0000000, 4, &n2), KERN_INVALID_ADDRESS);
	CHECK_EQ(trap_task_list(hp, s, 4, (uint32_t *)0xC0000000), KERN_INVALID_ADDRESS);
	CHECK_EQ(trap_task_list(host, s, 4, &n2), KERN_INVALID_HOST);	/* the ordinary host port will not do */
	CHECK_EQ(trap_task_list(MACH_PORT_NULL, s, 4, &n2), KERN_INVALID_HOST);
	CHECK_EQ(n2, 7);					/* nothing written on an error */
	mach_port_deallocate(ME, hp);
	mach_port_deallocate(ME, host);
}


/*
 * mach_msg_destroy as Mach defines it: a received message's reply right, the
 * rights of its ports and port arrays, and the memory of its out-of-line
 * regions and arrays all go. 10,000 messages received and destroyed leave
 * memory and names as they were.
 */
static void
destroy_gives_back_out_of_line_memory_and_port_arrays(void)
{
	static uint8_t data[3 * 4096 + 100];
	static mach_port_t array[4];
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool;
		mach_msg_ool_ports_descriptor_t ports;
		mach_msg_port_descriptor_t port;
		mach_msg_trailer_t t;
	} m;
	mach_port_t me = mach_task_self(), p = MACH_PORT_NULL, reply = MACH_PORT_NULL, extra[4];
	uint32_t pages = 0, names = 0;

	CHECK_EQ(mach_port_allocate(me, MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(me, MACH_PORT_RIGHT_RECEIVE, &reply), KERN_SUCCESS);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(mach_port_allocate(me, MACH_PORT_RIGHT_RECEIVE, &extra[i]), KERN_SUCCESS);
		array[i] = extra[i];
	}
	memset(data, 0x42, sizeof data);
	for (int i = 0; i < 10000; i++) {
		memset(&m, 0, sizeof m);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND) |
				MACH_MSGH_BITS_COMPLEX;
		m.h.msgh_size = offsetof(__typeof__(m), t);
		m.h.msgh_remote_port = p;
		m.h.msgh_local_port = reply;
		m.body.msgh_descriptor_count = 3;
		m.ool = (mach_msg_ool_descriptor_t){ .address = (vm_address_t)data, .size = (i % 2) ? sizeof data : 100,
						     .copy = MACH_MSG_VIRTUAL_COPY, .type = MACH_MSG_OOL_DESCRIPTOR };
		m.ports = (mach_msg_ool_ports_descriptor_t){ .address = (vm_address_t)array, .count = 4,
							     .copy = MACH_MSG_VIRTUAL_COPY,
							     .disposition = MACH_MSG_TYPE_MAKE_SEND,
							     .type = MACH_MSG_OOL_PORTS_DESCRIPTOR };
		m.port = (mach_msg_port_descriptor_t){ .name = extra[i % 4], .disposition = MACH_MSG_TYPE_MAKE_SEND,
						       .type = MACH_MSG_PORT_DESCRIPTOR };
		CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, m.h.msgh_size, sizeof m, p, 0, 0),
			 MACH_MSG_SUCCESS);
		CHECK(m.ool.address != 0 && ((uint8_t *)m.ool.address)[99] == 0x42);
		CHECK_EQ(((mach_port_t *)m.ports.address)[2], extra[2]);
		mach_msg_destroy(&m.h);
		if (i == 10) {		/* the working size of everything, once warm */
			pages = free_pages_with_heap();
			names = port_name_count();
		}
	}
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(port_name_count(), names);
	for (int i = 0; i < 4; i++) {
		mach_port_urefs_t refs = 99;
		CHECK_EQ(mach_port_get_refs(me, extra[i], MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
		CHECK_EQ(refs, 0);		/* every send right the messages made went with them */
		mach_port_destroy(me, extra[i]);
	}
	mach_port_destroy(me, p);
	mach_port_destroy(me, reply);
}

/* ---- msg_server_run's untimed tick ---- */

static volatile uint32_t untimed_ticks;

static uint32_t
count_tick(void)
{
	untimed_ticks++;
	return 40;
}

static bool
knows_nothing(mach_msg_header_t *in, mach_msg_header_t *out)
{
	(void)in;
	(void)out;
	return false;
}

static const msg_demux_t nothing_demuxes[] = { knows_nothing };
static struct msg_server untimed;

static void *
serve_untimed(void *arg)
{
	return (void *)(uintptr_t)msg_server_run(arg);
}

static void
poke_id(mach_port_t p, mach_msg_id_t id)
{
	mach_msg_header_t h = {
		.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0),
		.msgh_size = sizeof h,
		.msgh_remote_port = p,
		.msgh_id = id,
	};

	CHECK_EQ(mach_msg(&h, MACH_SEND_MSG, sizeof h, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
}

static void
poke(mach_port_t p)
{
	poke_id(p, 4242);
}

/*
 * tick_untimed: the tick runs after every message and after its milliseconds
 * without one, and the loop reads no clock for it (tick_now_us stays 0,
 * where a timed loop writes the clock before every tick).
 */
static void
an_untimed_tick_runs_after_messages_and_silence_without_the_clock(void)
{
	mach_port_t p = port_with_send();
	uint32_t before;
	cthread_t t;
	void *ret = NULL;

	untimed_ticks = 0;
	untimed = (struct msg_server){
		.port = p,
		.demuxes = nothing_demuxes,
		.ndemuxes = 1,
		.max_request = 64,
		.max_reply = sizeof(mig_reply_error_t),
		.tick = count_tick,
		.tick_untimed = true,
	};
	CHECK_EQ(cthread_fork(&t, serve_untimed, &untimed), KERN_SUCCESS);
	msg_sleep_ms(10);
	before = untimed_ticks;
	CHECK(before >= 1);				/* the first, as the loop starts */
	for (int i = 0; i < 5; i++)
		poke(p);
	msg_sleep_ms(10);
	CHECK(untimed_ticks >= before + 5);		/* one after each message */
	before = untimed_ticks;
	msg_sleep_ms(300);
	CHECK(untimed_ticks >= before + 2);		/* and on their own in the silence (40 ms each) */
	CHECK_EQ(untimed.tick_now_us, 0);
	untimed.stop = true;
	poke(p);
	ret = cthread_join(t);
	CHECK_EQ((uintptr_t)ret, MACH_MSG_SUCCESS);
	mach_port_deallocate(ME, p);
	mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1);
}

/* ---- msg_send_once_with_receive ---- */

static mach_port_t once_target;		/* the send-once right the handler sends to */
static volatile bool once_queued;
static volatile int once_failures;
static volatile mach_msg_return_t once_error;
static volatile mach_port_t once_failed_name;

static void
once_failed(mach_msg_header_t *msg, mach_msg_return_t mr, void *arg)
{
	CHECK_EQ((uintptr_t)arg, 77);
	once_error = mr;
	once_failed_name = msg->msgh_remote_port;
	once_failures++;
	mach_port_deallocate(ME, msg->msgh_remote_port);	/* the caller's to release */
}

/* id 4343: a one-way message to once_target, left for the loop's next receive; no reply. */
static bool
sends_once(mach_msg_header_t *in, mach_msg_header_t *out)
{
	mach_msg_header_t h = {
		.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0),
		.msgh_size = sizeof h,
		.msgh_remote_port = once_target,
		.msgh_id = 4444,
	};
	mig_reply_error_t *r = (mig_reply_error_t *)out;

	if (in->msgh_id != 4343)
		return false;
	once_queued = msg_send_once_with_receive(&h, once_failed, (void *)77);
	memset(r, 0, sizeof *r);
	r->Head.msgh_size = sizeof *r;
	r->RetCode = MIG_NO_REPLY;
	return true;
}

static const msg_demux_t once_demuxes[] = { sends_once };
static struct msg_server once_server;

static void holder_start(struct msg_server *s, mach_port_t p, const msg_demux_t *demuxes, cthread_t *t);
static void holder_stop(struct msg_server *s, mach_port_t p, mach_port_t reply, cthread_t t);

/*
 * A send-once right's message waits for the loop's receive and arrives; one
 * to a port that died comes back to its failed callback with its right, which
 * the callback releases (gns delivers a remote RPC's reply so).
 */
static void
a_send_once_message_goes_with_the_receive_or_comes_back_to_its_sender(void)
{
	mach_port_t p = port_with_send(), live = MACH_PORT_NULL, doomed = MACH_PORT_NULL, so = MACH_PORT_NULL;
	mach_msg_type_name_t type;
	mach_port_type_t ptype;
	struct {
		mach_msg_header_t h;
		mach_msg_trailer_t t;
	} m;
	cthread_t t;

	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &live), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &doomed), KERN_SUCCESS);
	holder_start(&once_server, p, once_demuxes, &t);

	/* a live port: the message arrives, nothing comes back */
	CHECK_EQ(mach_port_extract_right(ME, live, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type), KERN_SUCCESS);
	once_target = so;
	once_queued = false;
	once_failures = 0;
	poke_id(p, 4343);
	CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, live, 2000, MACH_PORT_NULL),
		 MACH_MSG_SUCCESS);
	CHECK(once_queued);
	CHECK_EQ(m.h.msgh_id, 4444);
	CHECK_EQ(once_failures, 0);

	/* a port that died: the message comes back to once_failed, its dead name released there */
	CHECK_EQ(mach_port_extract_right(ME, doomed, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &type), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(ME, doomed, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	once_target = so;
	once_queued = false;
	poke_id(p, 4343);
	for (int i = 0; i < 200 && once_failures == 0; i++)
		msg_sleep_ms(5);
	CHECK(once_queued);
	CHECK_EQ(once_failures, 1);
	CHECK(once_error != MACH_MSG_SUCCESS);
	CHECK_EQ(once_failed_name, so);
	CHECK(mach_port_type(ME, so, &ptype) != KERN_SUCCESS);	/* released: nothing left under the name */
	holder_stop(&once_server, p, live, t);
}

/* ---- msg_server_run's held_replies_first ---- */

#define HOLD_ID 7100
#define RELEASE_ID 7101

static volatile bool hold_released;
static struct msg_server holding;

/* HOLD_ID is held (msg_defer) until a RELEASE_ID came, which lets it go; both answer KERN_SUCCESS. */
static bool
holding_demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	if (in->msgh_id != HOLD_ID && in->msgh_id != RELEASE_ID)
		return false;
	msgc_prepare_reply(in, out);
	if (in->msgh_id == HOLD_ID && !hold_released && msg_defer(0)) {
		msgc_reply_error(out, MIG_NO_REPLY);
	} else if (in->msgh_id == RELEASE_ID) {
		hold_released = true;
		msg_retry_deferred(&holding);
	}
	return true;
}

static const msg_demux_t holding_demuxes[] = { holding_demux };

static void
send_for_reply(mach_port_t p, mach_port_t reply, mach_msg_id_t id)
{
	mach_msg_header_t h = {
		.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE),
		.msgh_size = sizeof h,
		.msgh_remote_port = p,
		.msgh_local_port = reply,
		.msgh_id = id,
	};

	CHECK_EQ(mach_msg(&h, MACH_SEND_MSG, sizeof h, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
}

/*
 * held_replies_first (with reply_after_tick): a held request that the turn's
 * own request let go is answered first, alone, and the turn's reply goes
 * last, with the loop's next receive; without it, the other way round. Both
 * replies come to one port, in the order they were sent.
 */
static void
a_held_request_let_go_is_answered_before_the_request_that_let_it_go(void)
{
	for (int first = 0; first < 2; first++) {
		mach_port_t p = port_with_send(), reply;
		struct {
			mach_msg_header_t h;
			uint8_t rest[64];
		} in;
		cthread_t t;

		CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply), KERN_SUCCESS);
		hold_released = false;
		holding = (struct msg_server){
			.port = p,
			.demuxes = holding_demuxes,
			.ndemuxes = 1,
			.max_request = 64,
			.max_reply = sizeof(mig_reply_error_t),
			.reply_after_tick = true,
			.held_replies_first = first,
		};
		CHECK_EQ(cthread_fork(&t, serve_untimed, &holding), KERN_SUCCESS);
		send_for_reply(p, reply, HOLD_ID);
		msg_sleep_ms(10);	/* held by now */
		send_for_reply(p, reply, RELEASE_ID);
		CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, reply, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
		CHECK_EQ(in.h.msgh_id, (first ? HOLD_ID : RELEASE_ID) + 100);
		CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, reply, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
		CHECK_EQ(in.h.msgh_id, (first ? RELEASE_ID : HOLD_ID) + 100);
		holding.stop = true;
		poke(p);
		CHECK_EQ((uintptr_t)cthread_join(t), MACH_MSG_SUCCESS);
		mach_port_deallocate(ME, p);
		mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1);
		mach_port_mod_refs(ME, reply, MACH_PORT_RIGHT_RECEIVE, -1);
	}
}

/* A server of one demux on p in a thread of its own, for the held-request and send-once cases. */
static void
holder_start(struct msg_server *s, mach_port_t p, const msg_demux_t *demuxes, cthread_t *t)
{
	*s = (struct msg_server){
		.port = p,
		.demuxes = demuxes,
		.ndemuxes = 1,
		.max_request = 64,
		.max_reply = sizeof(mig_reply_error_t),
	};
	CHECK_EQ(cthread_fork(t, serve_untimed, s), KERN_SUCCESS);
}

/* Ends holder_start's server and gives back p and the reply port. */
static void
holder_stop(struct msg_server *s, mach_port_t p, mach_port_t reply, cthread_t t)
{
	s->stop = true;
	poke(p);
	CHECK_EQ((uintptr_t)cthread_join(t), MACH_MSG_SUCCESS);
	mach_port_deallocate(ME, p);
	mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1);
	mach_port_mod_refs(ME, reply, MACH_PORT_RIGHT_RECEIVE, -1);
}

/* ---- keyed holds: msg_defer_on and msg_retry_key ---- */

#define KEYED_HOLD_ID 7200	/* + k: held on keys[k] until released[k] */
#define KEYED_WAKE_ID 7210	/* + k: released[k], msg_retry_key(keys[k]) */
#define UNKEYED_HOLD_ID 7220	/* held with no key (msg_defer) until any_released */
#define WAKE_ALL_ID 7230	/* every one released, msg_retry_deferred */
#define NKEYS 3

static int keys[NKEYS];
static volatile bool released[NKEYS], any_released;
static volatile int served[NKEYS], unkeyed_served;
static struct msg_server keyed;

static bool
keyed_demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	mach_msg_id_t id = in->msgh_id;
	bool hold = false;

	if (id < KEYED_HOLD_ID || id > WAKE_ALL_ID)
		return false;
	msgc_prepare_reply(in, out);
	if (id < KEYED_HOLD_ID + NKEYS) {
		served[id - KEYED_HOLD_ID]++;
		hold = !released[id - KEYED_HOLD_ID] && msg_defer_on(0, &keys[id - KEYED_HOLD_ID]);
	} else if (id >= KEYED_WAKE_ID && id < KEYED_WAKE_ID + NKEYS) {
		released[id - KEYED_WAKE_ID] = true;
		msg_retry_key(&keyed, &keys[id - KEYED_WAKE_ID]);
	} else if (id == UNKEYED_HOLD_ID) {
		unkeyed_served++;
		hold = !any_released && msg_defer(0);
	} else if (id == WAKE_ALL_ID) {
		any_released = true;
		for (int k = 0; k < NKEYS; k++)
			released[k] = true;
		msg_retry_deferred(&keyed);
	}
	if (hold)
		msgc_reply_error(out, MIG_NO_REPLY);
	return true;
}

static const msg_demux_t keyed_demuxes[] = { keyed_demux };

/* The ids of the next n replies on reply, as a bit set of (id - 100 - KEYED_HOLD_ID). */
static uint32_t
replies_seen(mach_port_t reply, int n)
{
	struct {
		mach_msg_header_t h;
		uint8_t rest[64];
	} in;
	uint32_t seen = 0;

	while (n-- > 0) {
		if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, reply, 2000, MACH_PORT_NULL) !=
		    MACH_MSG_SUCCESS)
			return seen | 1u << 31;
		seen |= 1u << (in.h.msgh_id - 100 - KEYED_HOLD_ID);
	}
	return seen;
}

/*
 * A wake on one key serves again the requests held on it and those held
 * with no key, not those held on another key; a wake of all serves every
 * one; a key woken twice before the run counts once.
 */
static void
a_keyed_wake_serves_again_only_what_waits_on_its_key(void)
{
	mach_port_t p = port_with_send(), reply;
	cthread_t t;

	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply), KERN_SUCCESS);
	holder_start(&keyed, p, keyed_demuxes, &t);
	for (int k = 0; k < NKEYS; k++)
		send_for_reply(p, reply, KEYED_HOLD_ID + k);
	send_for_reply(p, reply, UNKEYED_HOLD_ID);
	msg_sleep_ms(10);	/* all four held by now, each served once */
	CHECK_EQ(served[0] + served[1] + served[2] + unkeyed_served, 4);

	send_for_reply(p, reply, KEYED_WAKE_ID + 0);
	CHECK_EQ(replies_seen(reply, 2), 1u << 0 | 1u << 10);
	msg_sleep_ms(10);	/* the unkeyed one went again after key 0's reply */
	CHECK_EQ(served[0], 2);
	CHECK_EQ(served[1], 1);
	CHECK_EQ(served[2], 1);
	CHECK_EQ(unkeyed_served, 2);

	send_for_reply(p, reply, KEYED_WAKE_ID + 1);
	CHECK_EQ(replies_seen(reply, 2), 1u << 1 | 1u << 11);
	msg_sleep_ms(10);
	CHECK_EQ(served[1], 2);
	CHECK_EQ(served[2], 1);
	CHECK_EQ(unkeyed_served, 3);

	send_for_reply(p, reply, WAKE_ALL_ID);
	CHECK_EQ(replies_seen(reply, 3), 1u << 2 | 1u << 20 | 1u << 30);
	CHECK_EQ(served[2], 2);
	CHECK_EQ(unkeyed_served, 4);
	CHECK_EQ(served[0], 2);	/* answered ones are not held any more */

	holder_stop(&keyed, p, reply, t);
}

/* ---- msg_deferred_take: a held request answered by another's handler ---- */

#define TAKEN_HOLD_ID 7300	/* held (msg_defer) until released; counts its servings */
#define TAKE_ID 7301		/* takes the held one out and answers it by hand, id TAKEN_HOLD_ID + 100 */
#define TAKEN_WAKE_ID 7302	/* released, msg_retry_deferred */

static volatile int taken_served;
static volatile bool taken_released, took_one;
static struct msg_server taking;

static bool
taking_demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	if (in->msgh_id < TAKEN_HOLD_ID || in->msgh_id > TAKEN_WAKE_ID)
		return false;
	msgc_prepare_reply(in, out);
	if (in->msgh_id == TAKEN_HOLD_ID) {
		taken_served++;
		if (!taken_released && msg_defer(0))
			msgc_reply_error(out, MIG_NO_REPLY);
	} else if (in->msgh_id == TAKE_ID) {
		mach_msg_header_t *held = msg_deferred_take(&taking, in->msgh_local_port);
		mig_reply_error_t reply;

		took_one = held != NULL;
		if (held) {
			msgc_prepare_reply(held, &reply.Head);
			took_one = mach_msg(&reply.Head, MACH_SEND_MSG, reply.Head.msgh_size, 0, 0, 0, 0) == MACH_MSG_SUCCESS;
			msg_deferred_free(&taking, held);
		}
	} else {
		taken_released = true;
		msg_retry_deferred(&taking);
	}
	return true;
}

static const msg_demux_t taking_demuxes[] = { taking_demux };

/*
 * A handler takes another held request out (by the port it came through) and
 * answers it: that answer comes before the taker's own, and nothing serves
 * the taken request again, not even a retry of all; a second take finds none.
 */
static void
a_taken_held_request_is_answered_by_the_taker_and_never_served_again(void)
{
	mach_port_t p = port_with_send(), reply;
	struct {
		mach_msg_header_t h;
		uint8_t rest[64];
	} in;
	cthread_t t;

	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply), KERN_SUCCESS);
	holder_start(&taking, p, taking_demuxes, &t);
	send_for_reply(p, reply, TAKEN_HOLD_ID);
	msg_sleep_ms(10);	/* held by now */
	send_for_reply(p, reply, TAKE_ID);
	CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, reply, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	CHECK_EQ(in.h.msgh_id, TAKEN_HOLD_ID + 100);
	CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, reply, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	CHECK_EQ(in.h.msgh_id, TAKE_ID + 100);
	CHECK(took_one);
	send_for_reply(p, reply, TAKEN_WAKE_ID);
	CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, reply, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	CHECK_EQ(in.h.msgh_id, TAKEN_WAKE_ID + 100);
	send_for_reply(p, reply, TAKE_ID);
	CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof in, reply, 0, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	CHECK_EQ(in.h.msgh_id, TAKE_ID + 100);
	CHECK(!took_one);
	CHECK_EQ(taken_served, 1);
	CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, reply, 20, MACH_PORT_NULL),
		 MACH_RCV_TIMED_OUT);

	holder_stop(&taking, p, reply, t);
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(printf_formats_like_c_says),
	T(malloc_and_free_in_many_sizes),
	T(a_large_allocation_costs_pages_only_when_touched),
	T(string_and_math_functions),
	T(x87_state_belongs_to_each_thread),
	T(every_error_code_has_its_name),
	T(more_formats_strings_and_libm),
	T(a_counter_under_a_mutex_reaches_the_exact_total),
	T(producers_and_consumers_meet_through_condition_variables),
	T(join_returns_what_the_thread_returned_or_exited_with),
	T(joined_threads_give_back_their_pages_and_ports),
	T(a_thread_stack_has_a_guard_page_below_it),
	T(per_thread_data_and_ids_belong_to_each_thread),
	T(trylock_fails_while_held_and_timedwait_times_out_or_wakes),
	T(a_raw_thread_is_not_a_cthread),
	T(malloc_and_printf_are_safe_from_several_threads),
	T(errno_strtok_and_rand_state_belong_to_each_thread),
	T(detached_threads_are_reaped_without_a_join),
	T(malloc_and_stdio_wait_for_their_locks),
	T(task_list_shows_every_task_and_its_threads),
	T(destroy_gives_back_out_of_line_memory_and_port_arrays),
	T(an_untimed_tick_runs_after_messages_and_silence_without_the_clock),
	T(a_send_once_message_goes_with_the_receive_or_comes_back_to_its_sender),
	T(a_held_request_let_go_is_answered_before_the_request_that_let_it_go),
	T(a_taken_held_request_is_answered_by_the_taker_and_never_served_again),
	T(a_keyed_wake_serves_again_only_what_waits_on_its_key),
};

int
main(void)
{
	int fail = run_suite("libmsg", tests, (int)(sizeof tests / sizeof tests[0]), NULL);

	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
