/*
 * The hostile suite: each case is one class of attack a task can make on the
 * node: asking for too much (ports, threads, tasks, kernel memory for its
 * messages: each from a child task, which must stop at its limit with a named
 * error and never exhaust the node), rings of receive rights that nobody can
 * ever receive, threads terminated while their exception waits, and programs
 * whose segments the loader must refuse or load once (boot modules made by
 * tests/kernel/mkelf.py, and hello linked with text and data in one page).
 * After each, every page, port and heap byte is back and a fresh task can
 * touch at least 90 % of the memory one could at the start.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/task_limits.h>
#include <manifold/error.h>
#include <manifold/trap.h>
#include "suite.h"

#define ME mach_task_self()
#define PAGE 4096u

static uint8_t page_of_bytes[PAGE];
static uint32_t touchable_at_start;

/*
 * How many pages a fresh task can be given: a child's region written a page
 * at a time (vm_write, a page the kernel allocates for the child) until the
 * kernel refuses.
 */
static uint32_t
touchable_pages(void)
{
	mach_port_t child = MACH_PORT_NULL;
	vm_address_t a = 0;
	vm_size_t size = (vm_size_t)(free_pages_with_heap() + 1024) * PAGE;
	uint32_t n = 0;

	if (task_create(ME, 0, &child) != KERN_SUCCESS)
		return 0;
	if (vm_allocate(child, &a, size, 1) == KERN_SUCCESS)
		while (n < size / PAGE &&
		       vm_write(child, a + n * PAGE, (vm_address_t)page_of_bytes, PAGE) == KERN_SUCCESS)
			n++;
	end_task_and_wait(child);
	return n;
}

static void
limit_of(mach_port_t task, int which, uint32_t *limit, uint32_t *used)
{
	natural_t l[8], u[8];
	mach_msg_type_number_t nl = 8, nu = 8;

	*limit = *used = 0;
	if (task_get_limits(task, l, &nl, u, &nu) == KERN_SUCCESS) {
		*limit = l[which];
		*used = u[which];
	}
}

/* Sets one of a task's limits (the rest as they are). */
static kern_return_t
set_limit(mach_port_t task, int which, uint32_t value)
{
	natural_t l[8], u[8];
	mach_msg_type_number_t nl = 8, nu = 8;
	kern_return_t kr = task_get_limits(task, l, &nl, u, &nu);

	if (kr != KERN_SUCCESS)
		return kr;
	l[which] = value;
	return task_set_limits(task, l, nl);
}

/* After an attack: a fresh task gets (nearly) what it got at the start. */
#define CHECK_NODE_RECOVERED()							\
	do {									\
		uint32_t now_ = touchable_pages();				\
		printf("# a fresh task touched %u pages (%u at the start)\n", now_, touchable_at_start); \
		CHECK(now_ * 10 >= touchable_at_start * 9);			\
	} while (0)

static void
a_fresh_task_can_touch_most_of_memory(void)
{
	touchable_at_start = touchable_pages();
	printf("# a fresh task touched %u pages; %u free now\n", touchable_at_start, free_pages_with_heap());
	CHECK(touchable_at_start > 1000);
}

static void
ports_until_refused_stop_at_the_name_limit(void)
{
	mach_port_t child = MACH_PORT_NULL, p = MACH_PORT_NULL;
	uint32_t limit, used, n = 0, pages = free_pages_with_heap();
	kern_return_t kr;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	limit_of(child, TASK_LIMIT_NAMES, &limit, &used);
	while ((kr = mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &p)) == KERN_SUCCESS)
		n++;
	printf("# %u ports, then %s; %u pages taken\n", n, kern_return_name(kr), pages - free_pages_with_heap());
	CHECK_EQ(kr, KERN_NO_SPACE);
	CHECK_EQ(n, limit);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);	/* we still can */
	mach_port_destroy(ME, p);
	end_task_and_wait(child);
	CHECK_NODE_RECOVERED();
}

static void
threads_until_refused_stop_at_the_thread_limit(void)
{
	mach_port_t child = MACH_PORT_NULL, th;
	uint32_t limit, used, n = 0;
	kern_return_t kr;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	limit_of(child, TASK_LIMIT_THREADS, &limit, &used);
	CHECK(limit <= TASK_LIMIT_THREADS_DEFAULT);
	/* each name let go at once: our own table would keep the pages 256 names took */
	while ((kr = thread_create(child, &th)) == KERN_SUCCESS && n < TASK_LIMIT_THREADS_DEFAULT) {
		mach_port_deallocate(ME, th);
		n++;
	}
	printf("# %u threads, then %s\n", n, kern_return_name(kr));
	CHECK_EQ(kr, KERN_RESOURCE_SHORTAGE);
	CHECK_EQ(n, limit);
	end_task_and_wait(child);
	CHECK_NODE_RECOVERED();
}

static void
tasks_until_refused_stop_at_the_task_limit(void)
{
	static mach_port_t gc[TASK_LIMIT_TASKS_DEFAULT + 1];
	mach_port_t child = MACH_PORT_NULL;
	uint32_t limit, used, n = 0;
	kern_return_t kr;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	/* the suite runs as the first task, whose TASK_LIMIT_TASKS the kernel raised for the
	 * bootstrap's modules: the child gets the default a module starts with */
	limit_of(ME, TASK_LIMIT_TASKS, &limit, &used);
	CHECK_EQ(limit, TASK_LIMIT_TASKS_BOOTSTRAP);
	CHECK_EQ(set_limit(child, TASK_LIMIT_TASKS, TASK_LIMIT_TASKS_DEFAULT), KERN_SUCCESS);
	limit_of(child, TASK_LIMIT_TASKS, &limit, &used);
	CHECK(limit <= TASK_LIMIT_TASKS_DEFAULT);
	/* each one a fork of the child, as a fork bomb makes them */
	while ((kr = task_create(child, 1, &gc[n])) == KERN_SUCCESS && n < TASK_LIMIT_TASKS_DEFAULT)
		n++;
	printf("# %u tasks, then %s\n", n, kern_return_name(kr));
	CHECK_EQ(kr, KERN_RESOURCE_SHORTAGE);
	CHECK_EQ(n, limit);
	for (uint32_t i = 0; i < n; i++)
		end_task_and_wait(gc[i]);
	end_task_and_wait(child);
	CHECK_NODE_RECOVERED();
}

/*
 * Kernel memory through messages: a thread of a forked child sends its whole
 * 4 MiB region out of line, over and over, to ports it never reads.
 */
#define HOG_PORTS 4
#define HOG_REGION (4u << 20)
static mach_port_name_t hog_dest[HOG_PORTS] = { 0x7101, 0x7102, 0x7103, 0x7104 };
static volatile uint32_t hog_sent, hog_result, hog_done;
static vm_address_t hog_region;

static void
hog(void)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool;
	} m;
	mach_msg_return_t mr;

	for (uint32_t i = 0;; i++) {
		memset(&m, 0, sizeof m);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		m.h.msgh_size = sizeof m;
		m.h.msgh_remote_port = hog_dest[i % HOG_PORTS];
		m.body.msgh_descriptor_count = 1;
		m.ool.address = hog_region;
		m.ool.size = HOG_REGION;
		m.ool.copy = MACH_MSG_VIRTUAL_COPY;
		m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
		mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS)
			break;
		hog_sent++;
		((volatile uint32_t *)hog_region)[0] = i;	/* the copies now differ: each holds pages */
	}
	hog_result = mr;
	hog_done = 1;
	for (;;)
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
}

static uint32_t
word_of(mach_port_t task, vm_address_t addr)
{
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	uint32_t v = 0xDEADBEEF;

	if (vm_read(task, addr & ~(PAGE - 1), PAGE, &data, &n) == KERN_SUCCESS) {
		v = *(uint32_t *)(data + (addr & (PAGE - 1)));
		vm_deallocate(ME, data, n);
	}
	return v;
}

static void
queued_messages_stop_at_the_kernel_memory_limit(void)
{
	mach_port_t child = MACH_PORT_NULL, th = MACH_PORT_NULL, ports[HOG_PORTS];
	mach_port_limits_t ql = { MACH_PORT_QLIMIT_MAX };
	uint32_t limit, used, sent;
	vm_address_t stack = 0;

	hog_region = 0;
	CHECK_EQ(vm_allocate(ME, &hog_region, HOG_REGION, 1), KERN_SUCCESS);
	memset((void *)hog_region, 0x5A, HOG_REGION);
	hog_sent = hog_result = hog_done = 0;
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, hog_region, HOG_REGION), KERN_SUCCESS);	/* the child's alone now */
	for (int i = 0; i < HOG_PORTS; i++) {
		CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &ports[i]), KERN_SUCCESS);
		CHECK_EQ(mach_port_set_attributes(ME, ports[i], MACH_PORT_LIMITS_INFO, (integer_t *)&ql, 1),
			 KERN_SUCCESS);
		CHECK_EQ(mach_port_insert_right(child, hog_dest[i], ports[i], MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	}
	CHECK_EQ(vm_allocate(child, &stack, 4 * PAGE, 1), KERN_SUCCESS);
	CHECK_EQ(thread_at(child, (vm_address_t)hog, stack + 4 * PAGE - 16, &th), KERN_SUCCESS);
	CHECK_EQ(thread_resume(th), KERN_SUCCESS);
	for (int i = 0; i < 20000 && word_of(child, (vm_address_t)&hog_done) != 1; i++)
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 10);
	CHECK_EQ(word_of(child, (vm_address_t)&hog_done), 1);
	sent = word_of(child, (vm_address_t)&hog_sent);
	limit_of(child, TASK_LIMIT_KMEM, &limit, &used);
	printf("# %u messages of 4 MiB out of line, then %s; %u KiB charged of %u KiB; %u pages free\n", sent,
	       kern_return_name(word_of(child, (vm_address_t)&hog_result)), used / 1024, limit / 1024,
	       free_pages_with_heap());
	CHECK_EQ(word_of(child, (vm_address_t)&hog_result), MACH_SEND_NO_BUFFER);
	CHECK(used <= limit);
	CHECK(sent >= 1);
	thread_terminate(th);
	wait_dead_name(th);
	mach_port_deallocate(ME, th);
	end_task_and_wait(child);
	for (int i = 0; i < HOG_PORTS; i++)
		mach_port_destroy(ME, ports[i]);	/* the messages, and their pages, go with them */
	CHECK_NODE_RECOVERED();
}


/* ---- rings of receive rights ---- */

static uint8_t ring_data[200 * 1024];

/* Sends the receive right `right` to dest, with ool_size bytes out of line beside it. */
static mach_msg_return_t
send_receive_right(mach_port_t dest, mach_msg_type_name_t dest_disp, mach_port_t right, uint32_t ool_size)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
		mach_msg_ool_descriptor_t ool;
	} m;

	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(dest_disp, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_size = sizeof m;
	m.h.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 2;
	m.port.name = right;
	m.port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	m.ool.address = (vm_address_t)ring_data;
	m.ool.size = ool_size;
	m.ool.copy = MACH_MSG_PHYSICAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0);
}

/*
 * A ring of n ports: each one's receive right in a message queued on the
 * next, the last's on the first, each message with ool bytes out of line;
 * n == 1 is a port whose receive right is queued on itself (sent through a
 * send-once right, the only other name a task has for it).
 */
static bool
ring(int n, uint32_t ool)
{
	mach_port_t p[3];

	for (int i = 0; i < n; i++) {
		mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p[i]);
		mach_port_insert_right(ME, p[i], p[i], MACH_MSG_TYPE_MAKE_SEND);
	}
	if (n == 1) {
		mach_port_t so = MACH_PORT_NULL;
		mach_msg_type_name_t got;
		if (mach_port_extract_right(ME, p[0], MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &got) != KERN_SUCCESS ||
		    send_receive_right(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, p[0], ool) != MACH_MSG_SUCCESS)
			return false;
	} else {
		for (int i = 0; i + 1 < n; i++)
			if (send_receive_right(p[i + 1], MACH_MSG_TYPE_COPY_SEND, p[i], ool) != MACH_MSG_SUCCESS)
				return false;
		if (send_receive_right(p[0], MACH_MSG_TYPE_COPY_SEND, p[n - 1], ool) != MACH_MSG_SUCCESS)
			return false;
	}
	for (int i = 0; i < n; i++) {
		mach_port_type_t type = 0;
		mach_port_type(ME, p[i], &type);
		if (type != MACH_PORT_TYPE_DEAD_NAME)
			return false;		/* the ring died as it closed */
		mach_port_deallocate(ME, p[i]);
	}
	return true;
}

static void
rings_of_ports_carrying_memory_are_freed(void)
{
	uint32_t pages = free_pages_with_heap();

	memset(ring_data, 0x5A, sizeof ring_data);	/* resident before the counts */
	for (int i = 0; i < 40; i++)
		CHECK(ring(2, sizeof ring_data));	/* what leaked 80 ports and 16.4 MB */
	for (int i = 0; i < 20; i++)
		CHECK(ring(3, i % 2 ? 40 * 1024 : 0));
	for (int i = 0; i < 20; i++)
		CHECK(ring(1, i % 2 ? sizeof ring_data : 0));
	printf("# %u pages held after 80 rings\n", pages - free_pages_with_heap());
	CHECK_NODE_RECOVERED();
}

/* ---- exceptions left unanswered ---- */

static void
touch_null(void)
{
	*(volatile uint32_t *)0 = 1;
	for (;;)
		;
}

/*
 * A child's threads fault one after another; the exception port's holder
 * (us) takes each request and terminates the faulting thread instead of
 * answering. Only the thread may end; the child and the node go on.
 */
static void
threads_terminated_while_their_exception_waits_end_alone(void)
{
	mach_port_t child = MACH_PORT_NULL, exc = MACH_PORT_NULL, th, keeper = MACH_PORT_NULL;
	struct {
		mach_msg_header_t h;
		uint8_t body[256];
	} m;
	vm_address_t stack = 0;
	int ended = 0;

	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &keeper), KERN_SUCCESS);	/* suspended: the child keeps a thread */
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &exc), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, exc, exc, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(child, &stack, 4 * PAGE, 1), KERN_SUCCESS);
	for (int i = 0; i < 50; i++) {
		CHECK_EQ(thread_at(child, (vm_address_t)touch_null, stack + 4 * PAGE - 16, &th), KERN_SUCCESS);
		CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, exc), KERN_SUCCESS);
		CHECK_EQ(thread_resume(th), KERN_SUCCESS);
		CHECK_EQ(mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, exc, 5000, MACH_PORT_NULL),
			 MACH_MSG_SUCCESS);
		CHECK_EQ(thread_terminate(th), KERN_SUCCESS);	/* instead of an answer */
		mach_msg_destroy(&m.h);
		mach_port_deallocate(ME, th);
		ended++;
	}
	CHECK_EQ(ended, 50);
	CHECK_EQ(mach_port_type(ME, child, &(mach_port_type_t){ 0 }), KERN_SUCCESS);
	{
		mach_port_type_t type = 0;
		mach_port_type(ME, child, &type);
		CHECK_EQ(type, MACH_PORT_TYPE_SEND);		/* the child lives on */
	}
	mach_port_deallocate(ME, keeper);
	end_task_and_wait(child);
	mach_port_destroy(ME, exc);
	CHECK_NODE_RECOVERED();
}

/* ---- programs the loader must refuse, or load once ---- */

/* The boot module named name (its command line's first word), or -1. */
static int
module_named(const char *name)
{
	uint32_t count = 0;
	mach_port_t hp = MACH_PORT_NULL;

	task_get_special_port(ME, TASK_HOST_PORT, &hp);
	trap_boot_module_count(hp, &count);
	for (uint32_t i = 0; i < count; i++) {
		char line[128] = "";
		uint32_t bytes = 0;
		if (trap_boot_module_info(hp, i, line, sizeof line, &bytes) == KERN_SUCCESS &&
		    strstr(line, name) != NULL) {
			mach_port_deallocate(ME, hp);
			return (int)i;
		}
	}
	mach_port_deallocate(ME, hp);
	return -1;
}

static void
elf_files_with_bad_or_overlapping_segments_harm_nothing(void)
{
	static const char *const refused[] = { "kspace.elf", "wrapping.elf", "stackseg.elf", "pastend.elf" };
	mach_port_t hp = MACH_PORT_NULL, task = MACH_PORT_NULL;
	uint32_t id = 0;
	int m;

	CHECK_EQ(task_get_special_port(ME, TASK_HOST_PORT, &hp), KERN_SUCCESS);
	for (unsigned i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		m = module_named(refused[i]);
		CHECK(m > 0);
		for (int round = 0; round < 20; round++)
			CHECK_EQ(trap_boot_module_start_port(hp, (uint32_t)m, MACH_PORT_NULL, &id, &task),
				 KERN_INVALID_OBJECT);
	}
	/* the segments on one page, and the shared-page link of hello: loaded, run, ended */
	for (int round = 0; round < 20; round++) {
		m = module_named(round % 2 ? "overlap.elf" : "sharedpage.elf");
		CHECK(m > 0);
		CHECK_EQ(trap_boot_module_start_port(hp, (uint32_t)m, MACH_PORT_NULL, &id, &task), KERN_SUCCESS);
		end_task_and_wait(task);
	}
	mach_port_deallocate(ME, hp);
	CHECK_NODE_RECOVERED();
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(a_fresh_task_can_touch_most_of_memory),
	T(ports_until_refused_stop_at_the_name_limit),
	T(threads_until_refused_stop_at_the_thread_limit),
	T(tasks_until_refused_stop_at_the_task_limit),
	T(queued_messages_stop_at_the_kernel_memory_limit),
	T(rings_of_ports_carrying_memory_are_freed),
	T(threads_terminated_while_their_exception_waits_end_alone),
	T(elf_files_with_bad_or_overlapping_segments_harm_nothing),
};

int
main(void)
{
	static const struct leak_check leaks = { kernel_leaks_before, kernel_leaks_after };
	int fail;

	printf("# the hostile suite: attacks from child tasks\n");	/* stdout's buffer, before any count */
	fail = run_suite("hostile", tests, (int)(sizeof tests / sizeof tests[0]), &leaks);

	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
