/*
 * The soak (make check-soak: 10 minutes; make check: 30 s). Beside a heartbeat
 * task (heartbeat.c, the second boot module, started here), it runs a random
 * mix of what a busy node does and what a hostile program tries, over and over:
 * messages with inline and out-of-line data to itself, threads that come and
 * go, forks written into with vm_write, children that fault and die, and
 * children that run into each of their limits. At the end every page, port and
 * heap byte must be back. tests/soak/run.py checks the heartbeat's gaps.
 *
 * Usage (boot module command line): soaktest SECONDS [ONLY], ONLY 0-4 running
 * one part of the mix alone (messages, threads, forks, faults, limits).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/error.h>
#include <manifold/task_limits.h>
#include <manifold/trap.h>
#include "suite.h"

#define ME mach_task_self()
#define PAGE 4096u

static uint32_t counts[5], errors;
static const char *const what[5] = { "messages", "threads", "forks", "faults", "limits" };
static uint8_t scratch[64 * 1024] __attribute__((aligned(4096)));

#define EXPECT(c)							\
	do {								\
		if (!(c)) {						\
			printf("soak: line %d: %s\n", __LINE__, #c);	\
			errors++;					\
		}							\
	} while (0)

/* Messages to our own port and back: inline of up to 8 KiB, or out of line up to 64 KiB. */
static void
messages(mach_port_t port)
{
	static struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool;
		uint8_t inline_bytes[8192];
		mach_msg_trailer_t t;
	} m;

	mach_msg_return_t mr;

	for (int i = 0; i < 20; i++) {
		uint32_t n = 4 + rnd() % (sizeof m.inline_bytes - 4), ool = rnd() % sizeof scratch;
		memset(&m, 0, sizeof m.h);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		m.h.msgh_size = (mach_msg_size_t)(offsetof(__typeof__(m), inline_bytes) + (n & ~3u));
		m.h.msgh_remote_port = port;
		m.h.msgh_id = i;
		m.body.msgh_descriptor_count = 1;
		m.ool = (mach_msg_ool_descriptor_t){ .address = (vm_address_t)scratch, .size = ool, .deallocate = 0,
						     .copy = MACH_MSG_VIRTUAL_COPY, .type = MACH_MSG_OOL_DESCRIPTOR };
		m.inline_bytes[0] = (uint8_t)i;
		mr = mach_msg(&m.h, MACH_SEND_MSG, m.h.msgh_size, 0, 0, 0, 0);
		if (mr != MACH_MSG_SUCCESS) {
			printf("soak: send: %s (%u pages free)\n", kern_return_name(mr), free_pages_with_heap());
			errors++;
			return;
		}
		EXPECT(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, port, 1000, 0) == MACH_MSG_SUCCESS);
		if (m.h.msgh_id != i || m.inline_bytes[0] != (uint8_t)i || m.ool.size != ool) {
			printf("soak: message %d came back as id %d, byte %u, %u bytes out of line (sent %u)\n", i,
			       (int)m.h.msgh_id, m.inline_bytes[0], (unsigned)m.ool.size, (unsigned)ool);
			errors++;
		}
		if (ool)
			vm_deallocate(ME, m.ool.address, ool);
	}
	counts[0]++;
}

static void *
little_work(void *arg)
{
	volatile uint32_t x = (uint32_t)(uintptr_t)arg;

	for (int i = 0; i < 1000; i++)
		x = x * 3 + 1;
	return (void *)(uintptr_t)x;
}

static void
threads(void)
{
	cthread_t t[8];
	int n = 1 + (int)(rnd() % 8);

	for (int i = 0; i < n; i++)
		EXPECT(cthread_fork(&t[i], little_work, (void *)(uintptr_t)i) == KERN_SUCCESS);
	for (int i = 0; i < n; i++)
		cthread_join(t[i]);
	counts[1]++;
}

/* A fork of us, written into and read back through its task port. */
static void
fork_and_write(void)
{
	mach_port_t child = MACH_PORT_NULL;
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	static uint32_t page[PAGE / 4] __attribute__((aligned(4096)));
	uint32_t v = rnd();

	scratch[PAGE + 100] = 1;
	page[25] = v;
	EXPECT(task_create(ME, 1, &child) == KERN_SUCCESS);
	if (!child)
		return;
	EXPECT(vm_write(child, (vm_address_t)scratch + PAGE, (vm_address_t)page, PAGE) == KERN_SUCCESS);
	EXPECT(vm_read(child, (vm_address_t)scratch + PAGE, PAGE, &data, &n) == KERN_SUCCESS);
	if (data) {
		EXPECT(((uint32_t *)data)[25] == v);
		vm_deallocate(ME, data, n);
	}
	EXPECT(scratch[PAGE + 100] == 1);	/* ours stayed ours */
	end_task_and_wait(child);
	counts[2]++;
}

static void
touch_null(void)
{
	*(volatile uint32_t *)0 = 1;	/* no handler: the child dies of it */
	for (;;)
		;
}

/* A thread in a fork of us at fn, with a stack of its own; the thread's port in *th. */
static kern_return_t
start_in(mach_port_t child, void (*fn)(void), mach_port_t *th)
{
	vm_address_t stack = 0;
	kern_return_t kr = vm_allocate(child, &stack, 4 * PAGE, 1);

	if (kr == KERN_SUCCESS)
		kr = thread_at(child, (vm_address_t)fn, stack + 4 * PAGE - 16, th);
	if (kr == KERN_SUCCESS)
		kr = thread_resume(*th);
	return kr;
}

static void
fault(void)
{
	mach_port_t child = MACH_PORT_NULL, th = MACH_PORT_NULL;

	EXPECT(task_create(ME, 1, &child) == KERN_SUCCESS);
	if (!child)
		return;
	EXPECT(start_in(child, touch_null, &th) == KERN_SUCCESS);
	EXPECT(wait_dead_name(child));		/* killed by its fault */
	mach_port_deallocate(ME, th);
	mach_port_deallocate(ME, child);
	counts[3]++;
}

/* The child's threads in the kernel-memory attack: sends 256 KiB out of line until refused. */
static mach_port_name_t hog_dest = 0x7301;
static void
hog(void)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool;
	} m;

	for (;;) {
		memset(&m, 0, sizeof m);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		m.h.msgh_size = sizeof m;
		m.h.msgh_remote_port = hog_dest;
		m.body.msgh_descriptor_count = 1;
		m.ool = (mach_msg_ool_descriptor_t){ .address = (vm_address_t)scratch, .size = sizeof scratch,
						     .copy = MACH_MSG_PHYSICAL_COPY, .type = MACH_MSG_OOL_DESCRIPTOR };
		if (mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, 0, 0, 0) != MACH_MSG_SUCCESS)
			thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 10);
	}
}

/* A child with small limits runs into each of them; then it is ended with what it holds. */
static void
limits(void)
{
	static const uint32_t small[TASK_LIMITS_COUNT] = { 300, 12, 3, 256 * 1024 };
	mach_port_t child = MACH_PORT_NULL, p = MACH_PORT_NULL, th, hogth = MACH_PORT_NULL, gc[4], sink = MACH_PORT_NULL;
	mach_port_limits_t ql = { MACH_PORT_QLIMIT_MAX };
	kern_return_t kr;
	int n = 0;

	EXPECT(task_create(ME, 1, &child) == KERN_SUCCESS);
	if (!child)
		return;
	EXPECT(task_set_limits(child, (natural_t *)small, TASK_LIMITS_COUNT) == KERN_SUCCESS);
	EXPECT(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &sink) == KERN_SUCCESS);
	mach_port_set_attributes(ME, sink, MACH_PORT_LIMITS_INFO, (integer_t *)&ql, 1);
	EXPECT(mach_port_insert_right(child, hog_dest, sink, MACH_MSG_TYPE_MAKE_SEND) == KERN_SUCCESS);
	switch (rnd() % 3) {
	case 0:
		while ((kr = mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &p)) == KERN_SUCCESS)
			n++;
		EXPECT(kr == KERN_NO_SPACE);
		break;
	case 1:
		while ((kr = thread_create(child, &th)) == KERN_SUCCESS && n < 64) {
			mach_port_deallocate(ME, th);
			n++;
		}
		EXPECT(kr == KERN_RESOURCE_SHORTAGE);
		n = 0;	/* tasks outlive their creator, as in Mach: each is ended here */
		while (n < 4 && (kr = task_create(child, 1, &gc[n])) == KERN_SUCCESS)
			n++;
		EXPECT(kr == KERN_RESOURCE_SHORTAGE);
		while (n > 0)
			end_task_and_wait(gc[--n]);
		break;
	default:
		EXPECT(start_in(child, hog, &hogth) == KERN_SUCCESS);
		for (int i = 0; i < 20; i++)
			thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 5);
		break;
	}
	end_task_and_wait(child);
	if (hogth)
		mach_port_deallocate(ME, hogth);
	mach_port_destroy(ME, sink);
	counts[4]++;
}

int
main(int argc, char **argv)
{
	uint32_t seconds = argc > 1 ? (uint32_t)atoi(argv[1]) : 30, id = 0, rounds = 0;
	int only = argc > 2 ? atoi(argv[2]) : -1;
	static const int kind_of[8] = { 0, 0, 0, 1, 1, 2, 3, 4 };
	struct manifold_kernel_stats start, end;
	mach_port_t port = MACH_PORT_NULL;
	uint64_t t0, deadline;

	suite_seed(0x50A4);
	printf("soak: %u s of the mix\n", (unsigned)seconds);	/* stdout's buffer made before the count */
	if (trap_boot_module_start(1, &id) != KERN_SUCCESS)
		printf("soak: no heartbeat module\n");
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port);
	memset(scratch, 0x33, sizeof scratch);
	/* one of each first, so that what the kernel keeps for good (heap it grew into) is counted in start */
	messages(port);
	threads();
	fork_and_write();
	fault();
	limits();
	for (int i = 0; i < 10; i++)
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 10);
	start = stats();
	t0 = now_ms();
	deadline = t0 + seconds * 1000ull;
	while (now_ms() < deadline) {
		switch (only >= 0 ? only : kind_of[rnd() % 8]) {
		case 0: messages(port); break;
		case 1: threads(); break;
		case 2: fork_and_write(); break;
		case 3: fault(); break;
		default: limits(); break;
		}
		rounds++;
	}
	/* the reaper frees the last tasks and threads meanwhile: up to 2 s for the figures to settle */
	for (int i = 0; i < 100; i++) {
		end = stats();
		if (end.free_pages + end.heap_pages == start.free_pages + start.heap_pages &&
		    end.live_ports == start.live_ports &&
		    end.heap_bytes == start.heap_bytes)
			break;
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 20);
	}
	printf("soak: %u rounds in %u ms:", (unsigned)rounds, (unsigned)(now_ms() - t0));
	for (int i = 0; i < 5; i++)
		printf(" %u %s", (unsigned)counts[i], what[i]);
	printf("\nsoak: free pages (with the heap's) %u -> %u, ports %u -> %u, heap bytes %u -> %u\n",
	       (unsigned)(start.free_pages + start.heap_pages), (unsigned)(end.free_pages + end.heap_pages),
	       (unsigned)start.live_ports, (unsigned)end.live_ports, (unsigned)start.heap_bytes,
	       (unsigned)end.heap_bytes);
	EXPECT(end.free_pages + end.heap_pages == start.free_pages + start.heap_pages);
	EXPECT(end.live_ports == start.live_ports);
	EXPECT(end.heap_bytes == start.heap_bytes);
	printf("%s 1 - the_mix_runs_and_gives_everything_back\n", errors ? "not ok" : "ok");
	printf("soak: %d passed, %d failed\n", errors ? 0 : 1, errors ? 1 : 0);
	trap_debug_exit(errors ? 0x11 : 0x10);
	return 0;
}
