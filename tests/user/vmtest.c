/*
 * vmtest: the `vm` suite, run in the guest as the first task. Each call and
 * each of its errors (on this task and on another through its task port),
 * lazy zero fill, copy-on-write after task_create and after an out-of-line
 * transfer, each kind of inheritance, exceptions for bad accesses, an
 * external pager task, running out of memory, and a fuzz run. After each case
 * every free page must be back, page tables included.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include <stdbool.h>
#include "exc_catch.h"
#include "memory_object_server.h"
#include "memory_object_control_client.h"
#include <manifold/cthread.h>
#include <manifold/msg.h>
#include <mach/memory_object.h>
#include "suite.h"
#include "irqoff_window.h"
#include <manifold/task_limits.h>

/* vm_region's object name and offset, which these cases do not look at. */
static mach_port_t region_name;
static vm_offset_t region_offset;

#define ME mach_task_self()
#define PAGE 4096u

static vm_address_t
region(vm_size_t size)
{
	vm_address_t a = 0;

	return vm_allocate(ME, &a, size, 1) == KERN_SUCCESS ? a : 0;
}

static void
protect_read_only_then_writes_are_refused_to_copies(void)
{
	vm_address_t a = region(2 * PAGE), b;
	mach_msg_type_number_t n;
	static uint32_t word = 0x12345678;

	CHECK(a);
	((volatile uint32_t *)a)[0] = 1;
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)a)[0], 1);			/* still readable */
	CHECK_EQ(vm_write(ME, a, (vm_address_t)&word, 4), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_write(ME, a + PAGE, (vm_address_t)&word, 4), KERN_SUCCESS);	/* the other page */
	CHECK_EQ(((volatile uint32_t *)(a + PAGE))[0], 0x12345678);
	CHECK_EQ(vm_read(ME, a, PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(((uint32_t *)b)[0], 1);
	vm_deallocate(ME, b, n);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_NONE), KERN_SUCCESS);
	CHECK_EQ(vm_read(ME, a, PAGE, &b, &n), KERN_PROTECTION_FAILURE);	/* no access at all */
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_DEFAULT), KERN_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)a)[0], 1);			/* the page was kept */
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
maximum_protection_only_goes_down(void)
{
	vm_address_t a = region(PAGE);

	CHECK(a);
	CHECK_EQ(vm_protect(ME, a, PAGE, 1, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_DEFAULT), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	{
		vm_address_t addr = a, size;
		vm_prot_t p, m;
		vm_inherit_t in;
		boolean_t sh;
		CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh, &region_name, &region_offset), KERN_SUCCESS);
		CHECK_EQ(addr, a);
		CHECK_EQ(p, VM_PROT_READ);
		CHECK_EQ(m, VM_PROT_READ);
	}
	vm_deallocate(ME, a, PAGE);
}

static void
protect_and_inherit_check_their_arguments(void)
{
	vm_address_t a = region(PAGE);

	CHECK(a);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, 0x80), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_protect(ME, 0x7000000, PAGE, 0, VM_PROT_READ), KERN_INVALID_ADDRESS);	/* not allocated */
	CHECK_EQ(vm_protect(ME, a, 3 * PAGE, 0, VM_PROT_READ), KERN_INVALID_ADDRESS);	/* runs past it */
	CHECK_EQ(vm_protect(ME, 0xFFFFF000, 0x2000, 0, VM_PROT_READ), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_inherit(ME, a, PAGE, 7), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_inherit(ME, 0x7000000, PAGE, VM_INHERIT_NONE), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_protect(MACH_PORT_NULL, a, PAGE, 0, VM_PROT_READ), MACH_SEND_INVALID_DEST);
	vm_deallocate(ME, a, PAGE);
}

static void
inheritance_is_recorded_per_page_range(void)
{
	vm_address_t a = region(3 * PAGE), addr, size;
	vm_prot_t p, m;
	vm_inherit_t in;
	boolean_t sh;

	CHECK(a);
	CHECK_EQ(vm_inherit(ME, a + PAGE, PAGE, VM_INHERIT_SHARE), KERN_SUCCESS);
	addr = a;
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh, &region_name, &region_offset), KERN_SUCCESS);
	CHECK_EQ(size, PAGE);			/* split into three */
	CHECK_EQ(in, VM_INHERIT_COPY);
	addr = a + PAGE;
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh, &region_name, &region_offset), KERN_SUCCESS);
	CHECK_EQ(in, VM_INHERIT_SHARE);
	addr = a + 2 * PAGE;
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh, &region_name, &region_offset), KERN_SUCCESS);
	CHECK_EQ(in, VM_INHERIT_COPY);
	vm_deallocate(ME, a, 3 * PAGE);
}

static void
vm_region_walks_the_whole_map(void)
{
	vm_address_t addr = 0, size, last = 0;
	vm_prot_t p, m;
	vm_inherit_t in;
	boolean_t sh;
	int n = 0, code = 0, stack = 0;

	while (vm_region(ME, &addr, &size, &p, &m, &in, &sh, &region_name, &region_offset) == KERN_SUCCESS) {
		CHECK(addr >= last);
		if (addr <= 0x00400000 && 0x00400000 < addr + size)
			code = p == (VM_PROT_READ | VM_PROT_EXECUTE);
		if (addr + size == 0xBFFFF000)
			stack = p == VM_PROT_DEFAULT;
		last = addr + size;
		addr = last;
		n++;
		CHECK(n < 1000);
	}
	CHECK(n >= 2);
	CHECK(code);		/* the program's text, read and execute */
	CHECK(stack);		/* the first thread's stack */
	addr = 0xBFFFF000;
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh, &region_name, &region_offset), KERN_NO_SPACE);
}

static void
read_write_and_copy_move_bytes(void)
{
	vm_address_t a = region(2 * PAGE), b;
	mach_msg_type_number_t n;
	static uint8_t src[PAGE];

	CHECK(a);
	for (unsigned i = 0; i < PAGE; i++)
		src[i] = (uint8_t)(i * 13);
	CHECK_EQ(vm_write(ME, a, (vm_address_t)src, PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_copy(ME, a, PAGE, a + PAGE), KERN_SUCCESS);
	CHECK_EQ(memcmp((void *)(a + PAGE), src, PAGE), 0);
	CHECK_EQ(vm_read(ME, a + PAGE, PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(n, PAGE);
	CHECK(b != a + PAGE);
	CHECK_EQ(memcmp((void *)b, src, PAGE), 0);
	vm_deallocate(ME, b, n);
	CHECK_EQ(vm_read(ME, a + 1, 4, &b, &n), KERN_INVALID_ARGUMENT);	/* unaligned */
	CHECK_EQ(vm_copy(ME, a, PAGE, 0x7000000), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_write(ME, 0x7000000, (vm_address_t)src, 4), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_write(ME, a, 0x7000000, 4), MACH_SEND_INVALID_MEMORY);	/* our side unmapped: the send fails */
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
another_task_is_reached_through_its_task_port(void)
{
	mach_port_t child;
	vm_address_t a = 0x30000000, b;
	mach_msg_type_number_t n;
	static uint32_t msg[4] = { 1, 2, 3, 4 };

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(child, &a, PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(a, 0x30000000);
	CHECK_EQ(vm_write(child, a, (vm_address_t)msg, sizeof msg), KERN_SUCCESS);
	CHECK_EQ(vm_read(child, a, PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(((uint32_t *)b)[3], 4);
	vm_deallocate(ME, b, n);
	CHECK_EQ(vm_read(ME, a, PAGE, &b, &n), KERN_INVALID_ADDRESS);	/* not in our map */
	CHECK_EQ(vm_deallocate(child, a, PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_read(child, a, PAGE, &b, &n), KERN_INVALID_ADDRESS);
	task_terminate(child);
	mach_port_deallocate(ME, child);
}

/* Starts a thread in task (a copy of us) at fn, on the stack `stack` (an address in both). */
static kern_return_t
start_in(mach_port_t task, void (*fn)(void), uint32_t *stack_top)
{
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	mach_port_t th;
	kern_return_t kr = thread_create(task, &th);

	if (kr != KERN_SUCCESS)
		return kr;
	thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
	st.eip = (natural_t)(uintptr_t)fn;
	st.esp = (natural_t)(uintptr_t)stack_top;
	thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n);
	kr = thread_resume(th);
	mach_port_deallocate(ME, th);
	return kr;
}

static void
lazy_allocation_takes_pages_only_when_touched(void)
{
	uint32_t free0 = free_pages_with_heap();
	vm_address_t a = region(64 * PAGE);

	CHECK(a);
	CHECK(free0 - free_pages_with_heap() <= 1);			/* nothing but perhaps a page table... */
	CHECK_EQ(((volatile uint32_t *)a)[5], 0);		/* a read fills with zeros */
	((volatile uint32_t *)(a + 10 * PAGE))[0] = 9;
	((volatile uint32_t *)(a + 63 * PAGE))[1023] = 9;
	CHECK(free0 - free_pages_with_heap() <= 4);			/* ...and three pages */
	CHECK(free0 - free_pages_with_heap() >= 3);
	vm_deallocate(ME, a, 64 * PAGE);
	CHECK_EQ(free_pages_with_heap(), free0);
}

static volatile uint32_t child_flag;
static uint32_t child_stack[1024] __attribute__((aligned(16)));

__attribute__((noreturn)) static void
child_sets_flag(void)
{
	child_flag = 2;
	for (;;)		/* traps only: the runtime's cached port names are the parent's */
		trap_thread_yield();
}

static void
fork_shares_pages_until_one_side_writes(void)
{
	enum { N = 16 };
	vm_address_t a = region(N * PAGE), b;
	mach_msg_type_number_t n;
	mach_port_t child;
	uint32_t before, after_fork;

	CHECK(a);
	for (unsigned i = 0; i < N; i++)
		((volatile uint32_t *)(a + i * PAGE))[0] = i + 100;
	before = free_pages_with_heap();
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	after_fork = free_pages_with_heap();
	CHECK(before - after_fork < N);		/* the 16 pages are shared, not copied */
	((volatile uint32_t *)a)[0] = 7;		/* the parent writes one page */
	CHECK_EQ(after_fork - free_pages_with_heap(), 1);	/* ...and gets one copy */
	((volatile uint32_t *)a)[1] = 8;		/* a second write costs nothing more */
	CHECK_EQ(after_fork - free_pages_with_heap(), 1);
	CHECK_EQ(vm_read(child, a, PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(((uint32_t *)b)[0], 100);		/* the child kept the old contents */
	vm_deallocate(ME, b, n);
	{
		uint32_t v = 55;
		CHECK_EQ(vm_write(child, a + PAGE, (vm_address_t)&v, 4), KERN_SUCCESS);
	}
	CHECK_EQ(((volatile uint32_t *)(a + PAGE))[0], 101);	/* and its write stayed its own */
	CHECK_EQ(vm_read(child, a + PAGE, PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(((uint32_t *)b)[0], 55);
	vm_deallocate(ME, b, n);
	task_terminate(child);
	CHECK(wait_dead_name(child));
	mach_port_deallocate(ME, child);
	vm_deallocate(ME, a, N * PAGE);
}

static void
inheritance_none_and_share_are_honoured(void)
{
	vm_address_t none = region(PAGE), shared = region(PAGE), b;
	mach_msg_type_number_t n;
	mach_port_t child;

	CHECK(none && shared);
	((volatile uint32_t *)none)[0] = 1;
	((volatile uint32_t *)shared)[0] = 1;
	vm_inherit(ME, none, PAGE, VM_INHERIT_NONE);
	vm_inherit(ME, shared, PAGE, VM_INHERIT_SHARE);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(vm_read(child, none, PAGE, &b, &n), KERN_INVALID_ADDRESS);
	((volatile uint32_t *)shared)[0] = 77;		/* seen by the child too */
	CHECK_EQ(vm_read(child, shared, PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(((uint32_t *)b)[0], 77);
	vm_deallocate(ME, b, n);
	task_terminate(child);
	CHECK(wait_dead_name(child));
	mach_port_deallocate(ME, child);
	vm_deallocate(ME, none, PAGE);
	vm_deallocate(ME, shared, PAGE);
}

static void
forked_child_runs_in_its_own_copy(void)
{
	mach_port_t child;
	vm_address_t b;
	mach_msg_type_number_t n;

	child_flag = 1;
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(start_in(child, child_sets_flag, &child_stack[1020]), KERN_SUCCESS);
	for (int i = 0; i < 50; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(child_flag, 1);		/* our copy is untouched */
	CHECK_EQ(vm_read(child, (vm_address_t)&child_flag & ~(PAGE - 1), PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(*(uint32_t *)(b + ((vm_address_t)&child_flag & (PAGE - 1))), 2);
	vm_deallocate(ME, b, n);
	task_terminate(child);
	CHECK(wait_dead_name(child));
	mach_port_deallocate(ME, child);
}

static vm_address_t hog_base;

static void
child_touches_until_memory_runs_out(void)
{
	for (vm_address_t va = hog_base;; va += PAGE)
		*(volatile uint32_t *)va = 1;
}

static void
running_out_of_memory_kills_only_the_task_that_did(void)
{
	uint32_t free0 = free_pages_with_heap();
	mach_port_t child;
	vm_address_t a = 0x40000000;

	hog_base = a;		/* the child's copy of it says where to touch */
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(child, &a, 0x20000000, 0), KERN_SUCCESS);	/* 512 MiB: more than there is */
	CHECK_EQ(start_in(child, child_touches_until_memory_runs_out, &child_stack[1020]), KERN_SUCCESS);
	CHECK(wait_dead_name(child));		/* it died of it; we did not */
	mach_port_deallocate(ME, child);
	CHECK_EQ(free_pages_with_heap(), free0);		/* and everything it had came back */
}


struct ool_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
	mach_msg_trailer_t trailer;
};

static mach_msg_return_t
send_region(mach_port_t dest, vm_address_t addr, vm_size_t size, int dealloc)
{
	struct ool_msg m;

	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 1;
	m.ool.address = addr;
	m.ool.size = size;
	m.ool.deallocate = (uint8_t)dealloc;
	m.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	return mach_msg(&m.h, MACH_SEND_MSG, sizeof m - sizeof m.trailer, 0, 0, 0, 0);
}

static mach_msg_return_t
receive_region(mach_port_t port, vm_address_t *addr, vm_size_t *size)
{
	struct ool_msg m;
	mach_msg_return_t mr = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, port, 0, 0);

	*addr = m.ool.address;
	*size = m.ool.size;
	return mr;
}

static void
out_of_line_regions_move_by_virtual_copy(void)
{
	enum { N = 8 };
	mach_port_t p;
	vm_address_t a = region(N * PAGE), got;
	vm_size_t size;
	uint32_t before;

	CHECK(a);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	for (unsigned i = 0; i < N; i++)
		((volatile uint32_t *)(a + i * PAGE))[0] = i + 1;
	before = free_pages_with_heap();
	CHECK_EQ(send_region(p, a, N * PAGE, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(receive_region(p, &got, &size), MACH_MSG_SUCCESS);
	CHECK_EQ(size, N * PAGE);
	CHECK(got != a);
	CHECK(before - free_pages_with_heap() <= 2);		/* no page was copied (a page table may be new) */
	CHECK_EQ(((volatile uint32_t *)(got + 5 * PAGE))[0], 6);
	before = free_pages_with_heap();
	((volatile uint32_t *)(got + 5 * PAGE))[0] = 60;	/* the receiver writes: one copy */
	CHECK_EQ(before - free_pages_with_heap(), 1);
	CHECK_EQ(((volatile uint32_t *)(a + 5 * PAGE))[0], 6);	/* the sender's stays */
	((volatile uint32_t *)(a + 2 * PAGE))[0] = 30;		/* the sender writes: one copy */
	CHECK_EQ(before - free_pages_with_heap(), 2);
	CHECK_EQ(((volatile uint32_t *)(got + 2 * PAGE))[0], 3);	/* the receiver's stays */
	vm_deallocate(ME, got, size);
	vm_deallocate(ME, a, N * PAGE);
	mach_port_destroy(ME, p);
}

static void
deallocate_option_moves_pages_without_copying(void)
{
	mach_port_t p;
	vm_address_t a = region(4 * PAGE), got, again = 0;
	vm_size_t size;
	uint32_t before;

	CHECK(a);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	for (unsigned i = 0; i < 4; i++)
		((volatile uint32_t *)(a + i * PAGE))[1] = 0xAB00 + i;
	before = free_pages_with_heap();
	CHECK_EQ(send_region(p, a, 4 * PAGE, 1), MACH_MSG_SUCCESS);
	again = a;
	CHECK_EQ(vm_allocate(ME, &again, PAGE, 0), KERN_SUCCESS);	/* the range left the sender */
	vm_deallocate(ME, again, PAGE);
	CHECK_EQ(receive_region(p, &got, &size), MACH_MSG_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)(got + 3 * PAGE))[1], 0xAB03);
	((volatile uint32_t *)(got + 3 * PAGE))[1] = 1;	/* the only holder writes: no copy */
	CHECK(before - free_pages_with_heap() <= 2);
	vm_deallocate(ME, got, size);
	mach_port_destroy(ME, p);
}

static void
virtual_copy_of_a_partial_last_page_carries_only_the_region(void)
{
	mach_port_t p;
	vm_address_t a = region(2 * PAGE), got;
	vm_size_t size;

	CHECK(a);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	memset((void *)a, 0x77, 2 * PAGE);
	CHECK_EQ(send_region(p, a, PAGE + 100, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(receive_region(p, &got, &size), MACH_MSG_SUCCESS);
	CHECK_EQ(size, PAGE + 100);
	CHECK_EQ(((volatile uint8_t *)got)[PAGE + 99], 0x77);
	CHECK_EQ(((volatile uint8_t *)got)[PAGE + 100], 0);	/* nothing past the region came along */
	vm_deallocate(ME, got, 2 * PAGE);
	vm_deallocate(ME, a, 2 * PAGE);
	mach_port_destroy(ME, p);
}



/*
 * 100,000 random vm calls: on a child task (anything goes there), on its
 * forks (task_create inheriting its map, whatever the inheritance, protection
 * and sharing of its regions), on a sandbox range of ours (sent out of line
 * too), and on names that are not tasks. Every call must return (a code or
 * success) and, at the end, every page must be back.
 */
#define FUZZ_FORKS 4

static void
fuzz_100000_random_vm_calls(void)
{
	mach_port_t child, bogus, forks[FUZZ_FORKS] = { 0 }, inbox;
	static uint8_t buf[3 * PAGE];
	const vm_address_t sand = 0x50000000, sand_size = 0x00400000;
	uint32_t free0;

	memset(buf, 0, sizeof buf);	/* its pages come now, not during the count */
	free0 = free_pages_with_heap();

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &bogus);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &inbox);
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	for (int i = 0; i < 100000; i++) {
		uint32_t pick = rnd() % 10, slot = rnd() % FUZZ_FORKS;
		mach_port_t task = pick < 5 ? child : pick < 6 && forks[slot] ? forks[slot] :
				   pick < 9 ? ME : (rnd() % 2 ? bogus : rnd());
		bool mine = task == ME;
		vm_address_t addr;
		vm_size_t size = rnd() % 4 ? (rnd() % 8) * PAGE + (rnd() % 4 ? 0 : rnd() % PAGE) : rnd();
		vm_address_t got;
		mach_msg_type_number_t n;

		if (mine)
			addr = sand + (rnd() % (sand_size / PAGE)) * PAGE;
		else
			addr = rnd() % 3 ? (rnd() % 0x3000) * PAGE : rnd();
		if (mine && size > sand + sand_size - addr)
			size = sand + sand_size - addr;
		switch (rnd() % 10) {
		case 0:
			vm_allocate(task, &addr, size, rnd() % 2);
			break;
		case 8:		/* a fork of the child, or the end of one */
			if (forks[slot]) {
				task_terminate(forks[slot]);
				wait_dead_name(forks[slot]);
				mach_port_deallocate(ME, forks[slot]);
				forks[slot] = MACH_PORT_NULL;
			} else if (task_create(child, 1, &forks[slot]) != KERN_SUCCESS) {
				forks[slot] = MACH_PORT_NULL;
			}
			break;
		case 9:		/* part of our sandbox out of line to ourselves, and back */
			if (send_region(inbox, sand + (rnd() % 16) * PAGE, size % (8 * PAGE), rnd() % 2) ==
			    MACH_MSG_SUCCESS && receive_region(inbox, &got, &size) == MACH_MSG_SUCCESS)
				vm_deallocate(ME, got, size);
			break;
		case 1:
			vm_deallocate(task, addr, size);
			break;
		case 2:
			vm_protect(task, addr, size, rnd() % 2, (vm_prot_t)(rnd() % 9));
			break;
		case 3:
			vm_inherit(task, addr, size, rnd() % 4);
			break;
		case 4:
			if (vm_read(task, addr, size % (64 * PAGE), &got, &n) == KERN_SUCCESS)
				vm_deallocate(ME, got, n);
			break;
		case 5:
			if (!mine)
				vm_write(task, addr, (vm_address_t)buf, size % sizeof buf);
			break;
		case 6:
			if (!mine)
				vm_copy(task, addr, size % (16 * PAGE), (rnd() % 0x3000) * PAGE);
			break;
		default: {
			vm_size_t sz;
			vm_prot_t p, m;
			vm_inherit_t in;
			boolean_t sh;
			got = addr;
			vm_region(task, &got, &sz, &p, &m, &in, &sh, &region_name, &region_offset);
		}
		}
	}
	for (int f = 0; f < FUZZ_FORKS; f++)
		if (forks[f]) {
			task_terminate(forks[f]);
			CHECK(wait_dead_name(forks[f]));
			mach_port_deallocate(ME, forks[f]);
		}
	task_terminate(child);
	CHECK(wait_dead_name(child));
	mach_port_deallocate(ME, child);
	mach_port_destroy(ME, bogus);
	mach_port_destroy(ME, inbox);
	vm_deallocate(ME, sand, sand_size);
	CHECK_EQ(free_pages_with_heap(), free0);
}

/* ---- helpers for the per-call cases ---- */

/* What vm_region says about the region at or after addr; .kr is its return. */
struct rinfo {
	kern_return_t kr;
	vm_address_t addr;
	vm_size_t size;
	vm_prot_t prot, max;
	vm_inherit_t inh;
};

static struct rinfo
rinfo(mach_port_t task, vm_address_t addr)
{
	struct rinfo r = { .addr = addr };
	boolean_t sh;

	r.kr = vm_region(task, &r.addr, &r.size, &r.prot, &r.max, &r.inh, &sh, &region_name, &region_offset);
	return r;
}

/* A digest of a task's whole map (every region and its attributes): equal digests, same map. */
static uint32_t
map_digest(mach_port_t task)
{
	uint32_t h = 2166136261u;
	vm_address_t addr = 0;

	for (int n = 0; n < 1000; n++) {
		struct rinfo r = rinfo(task, addr);
		uint32_t w[5] = { r.addr, r.size, (uint32_t)r.prot, (uint32_t)r.max, (uint32_t)r.inh };
		if (r.kr != KERN_SUCCESS)
			break;
		for (int i = 0; i < 5; i++)
			h = (h ^ w[i]) * 16777619u;
		addr = r.addr + r.size;
	}
	return h;
}

/* A checksum of a task's bytes at [addr, addr + size), read through vm_read; 0 if unreadable. */
static uint32_t
sum_of(mach_port_t task, vm_address_t addr, vm_size_t size)
{
	vm_address_t b;
	mach_msg_type_number_t n;
	uint32_t h = 1;

	if (vm_read(task, addr, size, &b, &n) != KERN_SUCCESS)
		return 0;
	for (vm_size_t i = 0; i < n; i++)
		h = h * 31 + ((uint8_t *)b)[i];
	vm_deallocate(ME, b, n);
	return h;
}

/* The word at addr in task, read through vm_read; 0xDEADDEAD if unreadable. */
static uint32_t
peek(mach_port_t task, vm_address_t addr)
{
	vm_address_t b;
	mach_msg_type_number_t n;
	uint32_t v;

	if (vm_read(task, addr & ~(PAGE - 1), PAGE, &b, &n) != KERN_SUCCESS)
		return 0xDEADDEAD;
	v = *(uint32_t *)(b + (addr & (PAGE - 1)));
	vm_deallocate(ME, b, n);
	return v;
}

static void
fill(vm_address_t a, vm_size_t size, uint32_t seed)
{
	for (vm_size_t i = 0; i < size / 4; i++)
		((volatile uint32_t *)a)[i] = seed + (uint32_t)i * 2654435761u;
}

static bool
filled(vm_address_t a, vm_size_t size, uint32_t seed)
{
	for (vm_size_t i = 0; i < size / 4; i++)
		if (((volatile uint32_t *)a)[i] != seed + (uint32_t)i * 2654435761u)
			return false;
	return true;
}

/* A child task sharing nothing with us (an empty map). */
static mach_port_t
empty_child(void)
{
	mach_port_t child = MACH_PORT_NULL;

	task_create(ME, 0, &child);
	return child;
}

static void
end_child(mach_port_t child)
{
	task_terminate(child);
	wait_dead_name(child);
	mach_port_deallocate(ME, child);
}

/* ---- vm_allocate ---- */

static void
allocate_fixed_lands_at_the_address_and_reads_zero(void)
{
	vm_address_t a = 0x31000000;
	struct rinfo r;

	CHECK_EQ(vm_allocate(ME, &a, 3 * PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(a, 0x31000000);
	r = rinfo(ME, a);
	CHECK_EQ(r.kr, KERN_SUCCESS);
	CHECK_EQ(r.addr, a);
	CHECK_EQ(r.size, 3 * PAGE);
	CHECK_EQ(r.prot, VM_PROT_DEFAULT);
	CHECK_EQ(r.max, VM_PROT_ALL);
	CHECK_EQ(r.inh, VM_INHERIT_DEFAULT);
	for (unsigned i = 0; i < 3 * PAGE / 4; i += 97)
		CHECK_EQ(((volatile uint32_t *)a)[i], 0);
	vm_deallocate(ME, a, 3 * PAGE);
}

static void
allocate_rounds_the_size_up_to_whole_pages(void)
{
	vm_address_t a = region(PAGE + 1);

	CHECK(a);
	CHECK_EQ(rinfo(ME, a).size, 2 * PAGE);
	((volatile uint8_t *)a)[2 * PAGE - 1] = 1;		/* the rounded part is usable */
	vm_deallocate(ME, a, PAGE + 1);
	CHECK_EQ(rinfo(ME, a).addr == a, 0);			/* and goes with the rest */
}

static void
allocate_anywhere_never_overlaps_existing_regions(void)
{
	vm_address_t a = region(4 * PAGE), b = a, c = a + PAGE;

	CHECK(a);
	CHECK_EQ(vm_allocate(ME, &b, 2 * PAGE, 1), KERN_SUCCESS);	/* the hint is taken */
	CHECK(b + 2 * PAGE <= a || b >= a + 4 * PAGE);
	CHECK_EQ(vm_allocate(ME, &c, PAGE, 1), KERN_SUCCESS);
	CHECK(c >= a + 4 * PAGE || c + PAGE <= a);
	CHECK(c + PAGE <= b || c >= b + 2 * PAGE);
	fill(a, 4 * PAGE, 1);
	fill(b, 2 * PAGE, 2);
	fill(c, PAGE, 3);
	CHECK(filled(a, 4 * PAGE, 1) && filled(b, 2 * PAGE, 2) && filled(c, PAGE, 3));
	vm_deallocate(ME, a, 4 * PAGE);
	vm_deallocate(ME, b, 2 * PAGE);
	vm_deallocate(ME, c, PAGE);
}

static void
allocate_fixed_over_an_occupied_range_returns_no_space(void)
{
	vm_address_t a = region(2 * PAGE), b;
	uint32_t digest, pages;

	CHECK(a);
	fill(a, 2 * PAGE, 7);
	digest = map_digest(ME);
	pages = free_pages_with_heap();
	b = a;
	CHECK_EQ(vm_allocate(ME, &b, PAGE, 0), KERN_NO_SPACE);		/* exactly on it */
	CHECK_EQ(b, a);
	b = a - PAGE;
	CHECK_EQ(vm_allocate(ME, &b, 2 * PAGE, 0), KERN_NO_SPACE);	/* over its start */
	CHECK_EQ(b, a - PAGE);						/* out-parameter untouched */
	b = a + PAGE;
	CHECK_EQ(vm_allocate(ME, &b, 4 * PAGE, 0), KERN_NO_SPACE);	/* over its end */
	b = a - 4 * PAGE;
	CHECK_EQ(vm_allocate(ME, &b, 16 * PAGE, 0), KERN_NO_SPACE);	/* all around it */
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK(filled(a, 2 * PAGE, 7));
	vm_deallocate(ME, a, 2 * PAGE);
}

/* As in Mach: success, address 0, nothing mapped. */
static void
allocate_of_size_zero_succeeds_and_allocates_nothing(void)
{
	vm_address_t a = 0x32000000, b = 0x32000000;
	uint32_t digest = map_digest(ME);

	CHECK_EQ(vm_allocate(ME, &a, 0, 0), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(ME, &b, 0, 1), KERN_SUCCESS);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(map_digest(ME), digest);
}

/* Mach rounds such an address down; Manifold refuses it (ipctest holds the same). */
static void
allocate_fixed_at_an_unaligned_address_is_refused(void)
{
	vm_address_t a = 0x33000123;
	uint32_t digest = map_digest(ME);

	CHECK_EQ(vm_allocate(ME, &a, PAGE, 0), KERN_INVALID_ARGUMENT);
	CHECK_EQ(a, 0x33000123);
	CHECK_EQ(map_digest(ME), digest);
}

static void
allocate_fixed_outside_user_space_is_invalid_address(void)
{
	static const struct { vm_address_t addr; vm_size_t size; } bad[] = {
		{ 0xC0000000, PAGE },		/* the kernel's */
		{ 0xFFFFF000, PAGE },
		{ 0xBFFFF000, 2 * PAGE },	/* runs into the kernel's */
		{ 0xFFFFF000, 0x2000 },		/* wraps around */
		{ 0x00000000, PAGE },		/* page zero stays unmapped */
		{ 0x40000000, 0x90000000 },	/* ends past the top */
	};
	uint32_t digest = map_digest(ME), pages = free_pages_with_heap();

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		vm_address_t a = bad[i].addr;
		kern_return_t kr = vm_allocate(ME, &a, bad[i].size, 0);
		failed_val = i;
		CHECK(kr == KERN_INVALID_ADDRESS || kr == KERN_NO_SPACE);
		CHECK_EQ(a, bad[i].addr);
	}
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
}

static void
allocate_anywhere_larger_than_any_gap_returns_no_space(void)
{
	uint32_t digest = map_digest(ME);
	vm_address_t a = 0;

	CHECK_EQ(vm_allocate(ME, &a, 0xBFFFF000, 1), KERN_NO_SPACE);
	CHECK_EQ(a, 0);
	CHECK_EQ(vm_allocate(ME, &a, 0xFFFFFFFF, 1), KERN_NO_SPACE);	/* would wrap when rounded */
	CHECK_EQ(map_digest(ME), digest);
}

/* ---- vm_deallocate ---- */

static void
deallocate_in_the_middle_punches_a_hole(void)
{
	vm_address_t a = region(3 * PAGE), b;
	mach_msg_type_number_t n;
	struct rinfo r;
	uint32_t pages;

	CHECK(a);
	fill(a, 3 * PAGE, 5);
	pages = free_pages_with_heap();
	CHECK_EQ(vm_deallocate(ME, a + PAGE, PAGE), KERN_SUCCESS);
	CHECK_EQ(free_pages_with_heap() - pages, 1);			/* the middle page came back */
	r = rinfo(ME, a);
	CHECK_EQ(r.addr, a);
	CHECK_EQ(r.size, PAGE);
	r = rinfo(ME, a + PAGE);				/* the hole: the next region */
	CHECK_EQ(r.addr, a + 2 * PAGE);
	CHECK_EQ(r.size, PAGE);
	CHECK_EQ(r.prot, VM_PROT_DEFAULT);
	CHECK_EQ(vm_read(ME, a + PAGE, PAGE, &b, &n), KERN_INVALID_ADDRESS);
	CHECK(filled(a, PAGE, 5));				/* both sides kept their bytes */
	CHECK(filled(a + 2 * PAGE, PAGE, 5 + 2 * 1024 * 2654435761u));
	vm_deallocate(ME, a, 3 * PAGE);
}

static void
deallocate_trims_the_head_and_tail_of_a_region(void)
{
	vm_address_t a = region(4 * PAGE);
	struct rinfo r;

	CHECK(a);
	fill(a, 4 * PAGE, 9);
	CHECK_EQ(vm_deallocate(ME, a, PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, a + 3 * PAGE, PAGE), KERN_SUCCESS);
	r = rinfo(ME, a);
	CHECK_EQ(r.addr, a + PAGE);
	CHECK_EQ(r.size, 2 * PAGE);
	CHECK(filled(a + PAGE, 2 * PAGE, 9 + 1024 * 2654435761u));
	vm_deallocate(ME, a + PAGE, 2 * PAGE);
}

static void
deallocate_spans_several_regions_and_holes(void)
{
	vm_address_t a = 0x34000000, b = 0x34003000, c = 0x34008000;
	uint32_t pages = free_pages_with_heap();

	CHECK_EQ(vm_allocate(ME, &a, 2 * PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(ME, &b, 3 * PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(ME, &c, PAGE, 0), KERN_SUCCESS);
	fill(a, 2 * PAGE, 1);
	fill(b, 3 * PAGE, 1);
	fill(c, PAGE, 1);
	CHECK_EQ(vm_deallocate(ME, a + PAGE, 0x34008000 - a - PAGE), KERN_SUCCESS);	/* up to c */
	CHECK_EQ(rinfo(ME, a).size, PAGE);
	CHECK_EQ(rinfo(ME, a + PAGE).addr, c);		/* b is gone entirely */
	CHECK(filled(c, PAGE, 1));
	CHECK_EQ(vm_deallocate(ME, a, 0x34010000 - a), KERN_SUCCESS);
	CHECK(rinfo(ME, a).addr >= 0x34010000 || rinfo(ME, a).kr != KERN_SUCCESS);
	CHECK_EQ(free_pages_with_heap(), pages);
}

static void
deallocate_of_an_unmapped_range_succeeds_and_changes_nothing(void)
{
	uint32_t digest = map_digest(ME), pages = free_pages_with_heap();

	CHECK_EQ(rinfo(ME, 0x35000000).addr >= 0x35100000, 1);	/* nothing there */
	CHECK_EQ(vm_deallocate(ME, 0x35000000, 16 * PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, 0x35000000, 0), KERN_SUCCESS);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
}

/*
 * Kernel space holds nothing of the task's: deallocating there, or a range
 * whose end wraps, removes nothing and succeeds, as Mach's clipping gives. A
 * range from user memory into kernel space is refused whole.
 */
static void
deallocate_of_kernel_space_changes_nothing(void)
{
	uint32_t digest = map_digest(ME), pages = free_pages_with_heap();
	vm_address_t stack_page = ((vm_address_t)&digest) & ~(PAGE - 1);

	CHECK_EQ(vm_deallocate(ME, 0xC0000000, PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, 0xFFFFF000, 0x2000), KERN_SUCCESS);		/* wraps */
	CHECK_EQ(vm_deallocate(ME, stack_page, 0xC0000000 - stack_page + PAGE), KERN_INVALID_ADDRESS);
	CHECK_EQ(map_digest(ME), digest);		/* the user part of that range stayed */
	CHECK_EQ(free_pages_with_heap(), pages);
	digest = 0x600D;				/* and our stack is still here */
	CHECK_EQ(digest, 0x600D);
}

static void
deallocated_then_reallocated_memory_reads_zero(void)
{
	vm_address_t a = region(2 * PAGE), b;

	CHECK(a);
	fill(a, 2 * PAGE, 0xABCD);
	CHECK_EQ(vm_deallocate(ME, a, 2 * PAGE), KERN_SUCCESS);
	b = a;
	CHECK_EQ(vm_allocate(ME, &b, 2 * PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(b, a);
	for (unsigned i = 0; i < 2 * PAGE / 4; i++)
		CHECK_EQ(((volatile uint32_t *)b)[i], 0);	/* nothing of the old bytes */
	vm_deallocate(ME, b, 2 * PAGE);
}

/* ---- vm_protect ---- */

static void
protect_splits_a_region_per_page(void)
{
	vm_address_t a = region(3 * PAGE);
	struct rinfo r;

	CHECK(a);
	CHECK_EQ(vm_protect(ME, a + PAGE, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	r = rinfo(ME, a);
	CHECK_EQ(r.size, PAGE);
	CHECK_EQ(r.prot, VM_PROT_DEFAULT);
	r = rinfo(ME, a + PAGE);
	CHECK_EQ(r.addr, a + PAGE);
	CHECK_EQ(r.size, PAGE);
	CHECK_EQ(r.prot, VM_PROT_READ);
	CHECK_EQ(r.max, VM_PROT_ALL);
	r = rinfo(ME, a + 2 * PAGE);
	CHECK_EQ(r.size, PAGE);
	CHECK_EQ(r.prot, VM_PROT_DEFAULT);
	vm_deallocate(ME, a, 3 * PAGE);
}

static void
setting_the_maximum_lowers_the_current_protection(void)
{
	vm_address_t a = region(PAGE);
	struct rinfo r;

	CHECK(a);
	((volatile uint32_t *)a)[0] = 3;
	CHECK_EQ(vm_protect(ME, a, PAGE, 1, VM_PROT_READ | VM_PROT_EXECUTE), KERN_SUCCESS);
	r = rinfo(ME, a);
	CHECK_EQ(r.max, VM_PROT_READ | VM_PROT_EXECUTE);
	CHECK_EQ(r.prot, VM_PROT_READ);			/* write went with the maximum */
	CHECK_EQ(vm_protect(ME, a, PAGE, 1, VM_PROT_NONE), KERN_SUCCESS);
	r = rinfo(ME, a);
	CHECK_EQ(r.max, VM_PROT_NONE);
	CHECK_EQ(r.prot, VM_PROT_NONE);
	CHECK_EQ(sum_of(ME, a, PAGE), 0);			/* no access now */
	vm_deallocate(ME, a, PAGE);
}

static void
protection_above_the_maximum_fails_and_changes_nothing(void)
{
	vm_address_t a = region(2 * PAGE);
	uint32_t digest;

	CHECK(a);
	CHECK_EQ(vm_protect(ME, a + PAGE, PAGE, 1, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	digest = map_digest(ME);
	/* the first page could take it, the second cannot: neither changes */
	CHECK_EQ(vm_protect(ME, a, 2 * PAGE, 0, VM_PROT_DEFAULT), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_protect(ME, a + PAGE, PAGE, 0, VM_PROT_ALL), KERN_PROTECTION_FAILURE);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(rinfo(ME, a).prot, VM_PROT_READ);
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
the_maximum_cannot_be_raised_again(void)
{
	vm_address_t a = region(PAGE);
	uint32_t digest;

	CHECK(a);
	CHECK_EQ(vm_protect(ME, a, PAGE, 1, VM_PROT_READ), KERN_SUCCESS);
	digest = map_digest(ME);
	CHECK_EQ(vm_protect(ME, a, PAGE, 1, VM_PROT_DEFAULT), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_protect(ME, a, PAGE, 1, VM_PROT_ALL), KERN_PROTECTION_FAILURE);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(rinfo(ME, a).max, VM_PROT_READ);
	vm_deallocate(ME, a, PAGE);
}

static void
protect_over_a_hole_is_invalid_address_and_changes_nothing(void)
{
	vm_address_t a = region(3 * PAGE);
	uint32_t digest;

	CHECK(a);
	CHECK_EQ(vm_deallocate(ME, a + PAGE, PAGE), KERN_SUCCESS);
	digest = map_digest(ME);
	CHECK_EQ(vm_protect(ME, a, 3 * PAGE, 0, VM_PROT_READ), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_inherit(ME, a, 3 * PAGE, VM_INHERIT_NONE), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_protect(ME, 0xC0000000, PAGE, 0, VM_PROT_READ), KERN_INVALID_ADDRESS);
	CHECK_EQ(map_digest(ME), digest);
	vm_deallocate(ME, a, 3 * PAGE);
}

/* Exceptions of a thread of ours, caught on the task's exception port. */
static volatile uint32_t thread_done;
static uint32_t exc_stack[1024] __attribute__((aligned(16)));

static void
finish_thread(void)
{
	thread_done = 1;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

/*
 * Runs fn on a new thread of ours until it ends (fn ends by calling
 * finish_thread); an exception it takes is answered by sending it there.
 * Returns the exception taken, 0 if none.
 */
static int32_t
run_catching(void (*fn)(void))
{
	static union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in, out;
	mach_port_t e, th;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	seen_exception = 0;
	seen_code1 = 0;
	thread_done = 0;
	exc_resume_at = finish_thread;
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &e);
	mach_port_insert_right(ME, e, e, MACH_MSG_TYPE_MAKE_SEND);
	task_set_special_port(ME, TASK_EXCEPTION_PORT, e);
	thread_create(ME, &th);
	thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
	st.eip = (natural_t)(uintptr_t)fn;
	st.esp = (natural_t)(uintptr_t)&exc_stack[1020];
	thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n);
	thread_resume(th);
	for (int i = 0; i < 200000; i++) {
		mach_port_type_t t = 0;
		if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, e, 0, 0) == MACH_MSG_SUCCESS &&
		    exc_server(&in.h, &out.h))
			mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0, 0, 0, 0);
		mach_port_type(ME, th, &t);
		if (t == MACH_PORT_TYPE_DEAD_NAME)
			break;
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	task_set_special_port(ME, TASK_EXCEPTION_PORT, MACH_PORT_NULL);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, e);
	return seen_exception;
}

static vm_address_t victim;
static volatile uint32_t victim_value;

static void
writes_victim(void)
{
	*(volatile uint32_t *)victim = 0xBAD;
	finish_thread();
}

static void
reads_victim(void)
{
	victim_value = *(volatile uint32_t *)victim;
	finish_thread();
}

static void
write_to_a_read_only_page_raises_bad_access(void)
{
	vm_address_t a = region(PAGE);

	CHECK(a);
	((volatile uint32_t *)a)[0] = 0x600D;
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	victim = a;
	CHECK_EQ(run_catching(writes_victim), EXC_BAD_ACCESS);
	CHECK_EQ(seen_code1, (int32_t)a);			/* the address that faulted */
	CHECK_EQ(thread_done, 1);
	CHECK_EQ(((volatile uint32_t *)a)[0], 0x600D);	/* the write did not happen */
	victim_value = 0;
	CHECK_EQ(run_catching(reads_victim), 0);		/* reading is still fine */
	CHECK_EQ(victim_value, 0x600D);
	vm_deallocate(ME, a, PAGE);
}

static void
read_of_a_no_access_page_raises_bad_access(void)
{
	vm_address_t a = region(PAGE);

	CHECK(a);
	((volatile uint32_t *)a)[0] = 0x600D;
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_NONE), KERN_SUCCESS);
	victim = a;
	victim_value = 0;
	CHECK_EQ(run_catching(reads_victim), EXC_BAD_ACCESS);
	CHECK_EQ(seen_code1, (int32_t)a);
	CHECK_EQ(victim_value, 0);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)a)[0], 0x600D);
	vm_deallocate(ME, a, PAGE);
}

static volatile int code_result;

static void
calls_victim(void)
{
	code_result = ((int (*)(void))victim)();
	finish_thread();
}

static void
execute_permission_lets_code_run(void)
{
	static const uint8_t ret42[] = { 0xB8, 42, 0, 0, 0, 0xC3 };	/* mov $42, %eax; ret */
	vm_address_t a = region(PAGE);

	CHECK(a);
	memcpy((void *)a, ret42, sizeof ret42);
	victim = a;
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_READ | VM_PROT_EXECUTE), KERN_SUCCESS);
	code_result = 0;
	CHECK_EQ(run_catching(calls_victim), 0);
	CHECK_EQ(code_result, 42);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_EXECUTE), KERN_SUCCESS);	/* execute alone */
	code_result = 0;
	CHECK_EQ(run_catching(calls_victim), 0);
	CHECK_EQ(code_result, 42);
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_NONE), KERN_SUCCESS);
	code_result = 0;
	CHECK_EQ(run_catching(calls_victim), EXC_BAD_ACCESS);	/* no access: no execution */
	CHECK_EQ(code_result, 0);
	vm_deallocate(ME, a, PAGE);
}

/* ---- vm_inherit ---- */

static void
inherit_rejects_a_bad_value_and_changes_nothing(void)
{
	vm_address_t a = region(2 * PAGE);
	uint32_t digest;

	CHECK(a);
	digest = map_digest(ME);
	CHECK_EQ(vm_inherit(ME, a, PAGE, 3), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_inherit(ME, a, PAGE, -1), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_inherit(ME, a, PAGE, 0x101), KERN_INVALID_ARGUMENT);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(rinfo(ME, a).size, 2 * PAGE);			/* not even split */
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
child_map_has_the_parents_regions_and_attributes(void)
{
	vm_address_t a = region(3 * PAGE);
	mach_port_t child;
	struct rinfo p, c;

	CHECK(a);
	vm_protect(ME, a, PAGE, 1, VM_PROT_READ | VM_PROT_WRITE);
	vm_protect(ME, a + PAGE, PAGE, 0, VM_PROT_READ);
	vm_inherit(ME, a + 2 * PAGE, PAGE, VM_INHERIT_SHARE);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	for (vm_address_t va = a; va < a + 3 * PAGE; va += PAGE) {
		p = rinfo(ME, va);
		c = rinfo(child, va);
		CHECK_EQ(c.kr, KERN_SUCCESS);
		CHECK_EQ(c.addr, p.addr);
		CHECK_EQ(c.size, p.size);
		CHECK_EQ(c.prot, p.prot);
		CHECK_EQ(c.max, p.max);
		CHECK_EQ(c.inh, p.inh);
	}
	end_child(child);
	vm_deallocate(ME, a, 3 * PAGE);
}

static void
inherit_none_leaves_a_hole_the_child_can_fill(void)
{
	vm_address_t a = region(2 * PAGE), b;
	mach_port_t child;
	struct rinfo r;

	CHECK(a);
	fill(a, 2 * PAGE, 4);
	vm_inherit(ME, a, PAGE, VM_INHERIT_NONE);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	r = rinfo(child, a);
	CHECK_EQ(r.addr, a + PAGE);			/* only the second page came along */
	CHECK_EQ(r.size, PAGE);
	b = a;
	CHECK_EQ(vm_allocate(child, &b, PAGE, 0), KERN_SUCCESS);	/* the range is free there */
	CHECK_EQ(peek(child, a), 0);			/* new memory, not ours */
	CHECK_EQ(peek(child, a + PAGE), 4 + 1024 * 2654435761u);
	end_child(child);
	CHECK(filled(a, 2 * PAGE, 4));
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
inherit_share_carries_writes_both_ways(void)
{
	vm_address_t a = region(2 * PAGE);
	mach_port_t child;
	uint32_t v = 0xC0FFEE, pages;

	CHECK(a);
	fill(a, 2 * PAGE, 11);
	vm_inherit(ME, a, 2 * PAGE, VM_INHERIT_SHARE);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	pages = free_pages_with_heap();
	CHECK_EQ(vm_write(child, a + PAGE, (vm_address_t)&v, 4), KERN_SUCCESS);	/* the child writes */
	CHECK_EQ(((volatile uint32_t *)(a + PAGE))[0], 0xC0FFEE);			/* we see it */
	((volatile uint32_t *)a)[5] = 0xBEEF;						/* we write */
	CHECK_EQ(peek(child, a + 20), 0xBEEF);						/* it sees it */
	CHECK_EQ(free_pages_with_heap(), pages);				/* no copy was made either way */
	end_child(child);
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
inherit_share_shares_pages_not_touched_yet(void)
{
	vm_address_t a = region(4 * PAGE);
	mach_port_t child;
	uint32_t v = 0x5EED;

	CHECK(a);
	((volatile uint32_t *)a)[0] = 1;			/* one page touched, three not */
	vm_inherit(ME, a, 4 * PAGE, VM_INHERIT_SHARE);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	((volatile uint32_t *)(a + 2 * PAGE))[0] = 0xF00D;	/* we touch one first */
	CHECK_EQ(peek(child, a + 2 * PAGE), 0xF00D);
	CHECK_EQ(vm_write(child, a + 3 * PAGE, (vm_address_t)&v, 4), KERN_SUCCESS);	/* it touches one */
	CHECK_EQ(((volatile uint32_t *)(a + 3 * PAGE))[0], 0x5EED);
	end_child(child);
	vm_deallocate(ME, a, 4 * PAGE);
}

static void
inherit_copy_isolates_both_directions(void)
{
	vm_address_t a = region(2 * PAGE);
	mach_port_t child;
	uint32_t v = 0xC41D;

	CHECK(a);
	fill(a, 2 * PAGE, 21);
	CHECK_EQ(rinfo(ME, a).inh, VM_INHERIT_COPY);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(vm_write(child, a, (vm_address_t)&v, 4), KERN_SUCCESS);	/* the child writes page 0 */
	((volatile uint32_t *)(a + PAGE))[0] = 0x9A;				/* we write page 1 */
	CHECK_EQ(((volatile uint32_t *)a)[0], 21);				/* ours is unchanged */
	CHECK_EQ(peek(child, a + PAGE), 21 + 1024 * 2654435761u);		/* theirs is unchanged */
	CHECK_EQ(peek(child, a), 0xC41D);
	end_child(child);
	CHECK(filled(a, PAGE, 21));
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
shared_pages_stay_shared_when_a_sharer_forks_a_copy(void)
{
	vm_address_t a = region(PAGE);
	mach_port_t sharer, copy;
	uint32_t v = 0xCD;

	CHECK(a);
	fill(a, PAGE, 51);
	vm_inherit(ME, a, PAGE, VM_INHERIT_SHARE);
	CHECK_EQ(task_create(ME, 1, &sharer), KERN_SUCCESS);
	vm_inherit(ME, a, PAGE, VM_INHERIT_COPY);
	CHECK_EQ(task_create(ME, 1, &copy), KERN_SUCCESS);
	((volatile uint32_t *)a)[1] = 0xAB;			/* we write */
	CHECK_EQ(peek(sharer, a + 4), 0xAB);			/* the sharer sees it */
	CHECK_EQ(peek(copy, a + 4), 51 + 2654435761u);		/* the copy does not */
	CHECK_EQ(vm_write(sharer, a, (vm_address_t)&v, 4), KERN_SUCCESS);	/* the sharer writes */
	CHECK_EQ(((volatile uint32_t *)a)[0], 0xCD);		/* we see it */
	CHECK_EQ(peek(copy, a), 51);				/* the copy does not */
	end_child(copy);
	end_child(sharer);
	vm_deallocate(ME, a, PAGE);
}

static void
a_shared_page_sent_out_of_line_arrives_as_it_was_sent(void)
{
	vm_address_t a = region(PAGE), got = 0;
	vm_size_t size = 0;
	mach_port_t sharer, p;
	uint32_t v = 0x77;

	CHECK(a);
	fill(a, PAGE, 61);
	vm_inherit(ME, a, PAGE, VM_INHERIT_SHARE);
	CHECK_EQ(task_create(ME, 1, &sharer), KERN_SUCCESS);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	CHECK_EQ(send_region(p, a, PAGE, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(vm_write(sharer, a, (vm_address_t)&v, 4), KERN_SUCCESS);	/* the sharer writes after the send */
	CHECK_EQ(((volatile uint32_t *)a)[0], 0x77);		/* still shared with us */
	CHECK_EQ(receive_region(p, &got, &size), MACH_MSG_SUCCESS);
	CHECK_EQ(size, PAGE);
	CHECK(filled(got, PAGE, 61));				/* the message holds what was sent */
	((volatile uint32_t *)a)[1] = 0x88;			/* and our writes still reach the sharer */
	CHECK_EQ(peek(sharer, a + 4), 0x88);
	vm_deallocate(ME, got, size);
	mach_port_destroy(ME, p);
	end_child(sharer);
	vm_deallocate(ME, a, PAGE);
}

__attribute__((noreturn)) static void
child_reads_victim(void)
{
	victim_value = *(volatile uint32_t *)victim;
	child_flag = 3;
	for (;;)
		trap_thread_yield();
}

static void
fork_keeps_a_no_access_page_out_of_reach(void)
{
	vm_address_t a = region(PAGE);
	mach_port_t child;

	CHECK(a);
	((volatile uint32_t *)a)[0] = 0x5EC2E7;
	child_flag = 1;
	victim = a;
	CHECK_EQ(vm_protect(ME, a, PAGE, 0, VM_PROT_NONE), KERN_SUCCESS);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(start_in(child, child_reads_victim, &child_stack[1020]), KERN_SUCCESS);
	for (int i = 0; i < 50; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK(peek(child, (vm_address_t)&child_flag) != 3);	/* its read faulted */
	CHECK(peek(child, (vm_address_t)&victim_value) != 0x5EC2E7);
	end_child(child);
	vm_deallocate(ME, a, PAGE);
}

/*
 * Shared memory costs pages only where someone touched it: a 16 MiB region
 * with one page written forks without filling the rest, and a page first
 * touched after the fork, by either side, is the same page in both.
 */
static void
a_large_shared_region_forks_without_being_filled(void)
{
	enum { SIZE = 16u << 20 };
	vm_address_t a = region(SIZE);
	mach_port_t child;
	uint32_t before, v = 0xFEED;

	CHECK(a);
	((volatile uint32_t *)a)[0] = 1;
	CHECK_EQ(vm_inherit(ME, a, SIZE, VM_INHERIT_SHARE), KERN_SUCCESS);
	before = free_pages_with_heap();
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK(before - free_pages_with_heap() < 64);		/* not 4096 */
	CHECK_EQ(vm_write(child, a + SIZE - PAGE, (vm_address_t)&v, 4), KERN_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)(a + SIZE - PAGE))[0], 0xFEED);
	((volatile uint32_t *)(a + SIZE / 2))[3] = 0xBEAD;
	CHECK_EQ(peek(child, a + SIZE / 2 + 12), 0xBEAD);
	CHECK_EQ(peek(child, a), 1);
	end_child(child);
	CHECK_EQ(((volatile uint32_t *)(a + SIZE - PAGE))[0], 0xFEED);	/* it outlives the child */
	before = free_pages_with_heap();
	CHECK_EQ(vm_deallocate(ME, a + SIZE / 2, SIZE / 2), KERN_SUCCESS);	/* half of it, ours alone now */
	CHECK(free_pages_with_heap() - before >= 2);		/* its two touched pages came back at once */
	CHECK_EQ(((volatile uint32_t *)a)[0], 1);
	vm_deallocate(ME, a, SIZE / 2);
}

static void
a_copy_shared_page_survives_the_other_side_deallocating(void)
{
	vm_address_t a = region(2 * PAGE);
	mach_port_t child;
	uint32_t pages;

	CHECK(a);
	fill(a, 2 * PAGE, 31);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	pages = free_pages_with_heap();
	CHECK_EQ(vm_deallocate(ME, a + PAGE, PAGE), KERN_SUCCESS);	/* page 0 keeps our page table */
	CHECK_EQ(free_pages_with_heap(), pages);			/* the page is still the child's */
	CHECK_EQ(peek(child, a + PAGE + 8), 31 + 1026 * 2654435761u);
	end_child(child);
	vm_deallocate(ME, a, PAGE);
}

/* ---- vm_read ---- */

static void
read_result_is_a_copy_that_does_not_follow_later_writes(void)
{
	vm_address_t a = region(2 * PAGE), b;
	mach_msg_type_number_t n;

	CHECK(a);
	fill(a, 2 * PAGE, 41);
	CHECK_EQ(vm_read(ME, a, 2 * PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(n, 2 * PAGE);
	fill(a, 2 * PAGE, 42);				/* the source changes */
	CHECK(filled(b, 2 * PAGE, 41));			/* the copy does not */
	fill(b, 2 * PAGE, 43);				/* the copy changes */
	CHECK(filled(a, 2 * PAGE, 42));			/* the source does not */
	CHECK_EQ(rinfo(ME, b).prot, VM_PROT_DEFAULT);
	vm_deallocate(ME, b, n);
	vm_deallocate(ME, a, 2 * PAGE);
}

static void
read_of_another_tasks_unmapped_range_fails_and_allocates_nothing(void)
{
	mach_port_t child = empty_child();
	vm_address_t b = 0x1234;
	mach_msg_type_number_t n = 99;
	uint32_t digest = map_digest(ME), pages = free_pages_with_heap();

	CHECK(MACH_PORT_VALID(child));
	CHECK_EQ(vm_read(child, 0x10000000, PAGE, &b, &n), KERN_INVALID_ADDRESS);
	CHECK_EQ(vm_read(child, 0xC0000000, PAGE, &b, &n), KERN_INVALID_ADDRESS);	/* the kernel's */
	CHECK_EQ(vm_read(child, 0xFFFFF000, 0x2000, &b, &n), KERN_INVALID_ADDRESS);	/* wraps */
	CHECK_EQ(b, 0x1234);
	CHECK_EQ(n, 99);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
	end_child(child);
}

static void
read_of_a_partially_mapped_range_fails_and_changes_nothing(void)
{
	mach_port_t child = empty_child();
	vm_address_t a = 0x36000000, b = 0;
	mach_msg_type_number_t n = 0;
	uint32_t digest, cdigest, pages;
	vm_address_t buf = region(2 * PAGE);

	CHECK(MACH_PORT_VALID(child) && buf);
	CHECK_EQ(vm_allocate(child, &a, 2 * PAGE, 0), KERN_SUCCESS);
	memset((void *)buf, 0x5A, 2 * PAGE);
	CHECK_EQ(vm_write(child, a, buf, 2 * PAGE), KERN_SUCCESS);
	vm_deallocate(ME, buf, 2 * PAGE);
	digest = map_digest(ME);
	cdigest = map_digest(child);
	pages = free_pages_with_heap();
	CHECK_EQ(vm_read(child, a, 3 * PAGE, &b, &n), KERN_INVALID_ADDRESS);	/* one page too many */
	CHECK_EQ(vm_read(child, a - PAGE, 2 * PAGE, &b, &n), KERN_INVALID_ADDRESS);	/* one page early */
	CHECK_EQ(b, 0);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(map_digest(child), cdigest);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(peek(child, a + PAGE), 0x5A5A5A5A);
	end_child(child);
}

/* ---- vm_write ---- */

static void
write_into_read_only_memory_of_another_task_fails(void)
{
	mach_port_t child = empty_child();
	vm_address_t a = 0x37000000;
	vm_address_t buf = region(PAGE);
	uint32_t before, pages;

	CHECK(MACH_PORT_VALID(child) && buf);
	CHECK_EQ(vm_allocate(child, &a, 2 * PAGE, 0), KERN_SUCCESS);
	memset((void *)buf, 0x11, PAGE);
	CHECK_EQ(vm_write(child, a, buf, PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_write(child, a + PAGE, buf, PAGE), KERN_SUCCESS);
	CHECK_EQ(vm_protect(child, a + PAGE, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	before = sum_of(child, a, 2 * PAGE);
	pages = free_pages_with_heap();
	memset((void *)buf, 0x22, PAGE);
	CHECK_EQ(vm_write(child, a + PAGE, buf, PAGE), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_write(child, a, buf, PAGE), KERN_SUCCESS);	/* writable page */
	CHECK_EQ(peek(child, a + PAGE), 0x11111111);
	CHECK_EQ(peek(child, a), 0x22222222);
	CHECK(sum_of(child, a, 2 * PAGE) != before);
	CHECK_EQ(free_pages_with_heap(), pages);
	end_child(child);
	vm_deallocate(ME, buf, PAGE);
}

static void
write_to_an_unaligned_address_is_invalid_argument(void)
{
	vm_address_t a = region(PAGE);
	static uint32_t word = 0xFFFFFFFF;

	CHECK(a);
	fill(a, PAGE, 51);
	CHECK_EQ(vm_write(ME, a + 4, (vm_address_t)&word, 4), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_write(ME, a + PAGE - 1, (vm_address_t)&word, 1), KERN_INVALID_ARGUMENT);
	CHECK(filled(a, PAGE, 51));
	vm_deallocate(ME, a, PAGE);
}

static void
write_running_past_the_mapped_range_writes_nothing(void)
{
	mach_port_t child = empty_child();
	vm_address_t a = 0x38000000, buf = region(2 * PAGE);

	CHECK(MACH_PORT_VALID(child) && buf);
	CHECK_EQ(vm_allocate(child, &a, PAGE, 0), KERN_SUCCESS);
	memset((void *)buf, 0x33, 2 * PAGE);
	CHECK_EQ(vm_write(child, a, buf, 2 * PAGE), KERN_INVALID_ADDRESS);
	vm_deallocate(ME, buf, 2 * PAGE);
	CHECK_EQ(peek(child, a), 0);				/* not even the first page */
	CHECK_EQ(peek(child, a + PAGE - 4), 0);
	CHECK_EQ(rinfo(child, a).size, PAGE);			/* and nothing was added */
	end_child(child);
}

/* ---- vm_copy_to: the RPC, and the trap with the RPC behind it (vm_copy_to_quick) ---- */

typedef kern_return_t (*copy_to_fn)(mach_port_t, vm_address_t, vm_size_t, mach_port_t, vm_address_t);

static void
copy_to_moves_unaligned_bytes_across_a_page_from_a_task_into_ours_by(copy_to_fn copy_to)
{
	mach_port_t child = empty_child();
	vm_address_t a = 0x3A000000, buf = region(2 * PAGE), mine = region(PAGE);
	uint8_t *m = (uint8_t *)mine;

	CHECK(MACH_PORT_VALID(child) && buf && mine);
	CHECK_EQ(vm_allocate(child, &a, 2 * PAGE, 0), KERN_SUCCESS);
	for (unsigned i = 0; i < 2 * PAGE; i++)
		((uint8_t *)buf)[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ(vm_write(child, a, buf, 2 * PAGE), KERN_SUCCESS);
	memset(m, 0xEE, PAGE);
	CHECK_EQ(copy_to(child, a + PAGE - 5, 11, ME, mine + 3), KERN_SUCCESS);
	for (unsigned i = 0; i < 11; i++)
		CHECK_EQ(m[3 + i], (uint8_t)((PAGE - 5 + i) * 7 + 1));
	CHECK_EQ(m[2], 0xEE);					/* nothing around it */
	CHECK_EQ(m[14], 0xEE);
	vm_deallocate(ME, buf, 2 * PAGE);
	vm_deallocate(ME, mine, PAGE);
	end_child(child);
}

static void
copy_to_moves_unaligned_bytes_from_ours_into_a_task_and_keeps_the_rest_by(copy_to_fn copy_to)
{
	mach_port_t child = empty_child();
	vm_address_t a = 0x3A100000;
	static const char text[] = "across a page";

	CHECK(MACH_PORT_VALID(child));
	CHECK_EQ(vm_allocate(child, &a, 2 * PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(copy_to(ME, (vm_address_t)text, 12, child, a + PAGE - 6), KERN_SUCCESS);
	CHECK_EQ(peek(child, a + PAGE - 8), 'a' << 16 | 'c' << 24);	/* two zero bytes, then "ac" */
	CHECK_EQ(peek(child, a + PAGE - 4), 'r' | 'o' << 8 | 's' << 16 | 's' << 24);
	CHECK_EQ(peek(child, a + PAGE), ' ' | 'a' << 8 | ' ' << 16 | 'p' << 24);
	CHECK_EQ(peek(child, a + PAGE + 4), 'a' | 'g' << 8);		/* "ag", then zeroes: 12 bytes */
	end_child(child);
}

static void
copy_to_refuses_bad_ranges_on_either_side_and_changes_nothing_by(copy_to_fn copy_to)
{
	mach_port_t child = empty_child(), port = MACH_PORT_NULL;
	vm_address_t a = 0x3A200000, w = 0x3A300000, mine = region(2 * PAGE);
	uint32_t pages, refs = 0;

	CHECK(MACH_PORT_VALID(child) && mine);
	CHECK_EQ(vm_allocate(child, &a, PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(child, &w, PAGE, 0), KERN_SUCCESS);
	memset((void *)mine, 0x11, 2 * PAGE);
	CHECK_EQ(copy_to(ME, mine, 8, child, a), KERN_SUCCESS);
	CHECK_EQ(vm_protect(child, a, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(vm_protect(ME, mine + PAGE, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	pages = free_pages_with_heap();
	/* the source: unmapped, running past its region, the kernel's, wrapping */
	CHECK_EQ(copy_to(child, a + PAGE, 4, ME, mine), KERN_INVALID_ADDRESS);
	CHECK_EQ(copy_to(child, a + PAGE - 2, 4, ME, mine), KERN_INVALID_ADDRESS);
	CHECK_EQ(copy_to(child, 0xC0000000, 4, ME, mine), KERN_INVALID_ADDRESS);
	CHECK_EQ(copy_to(ME, 0xFFFFFFF0, 0x20, child, w), KERN_INVALID_ADDRESS);
	/* the destination: read-only, unmapped, no task's port */
	CHECK_EQ(copy_to(ME, mine, 4, child, a), KERN_PROTECTION_FAILURE);
	CHECK_EQ(copy_to(child, a, 4, ME, mine + PAGE), KERN_PROTECTION_FAILURE);
	CHECK_EQ(copy_to(child, a, 4, ME, 0x7000000), KERN_INVALID_ADDRESS);
	CHECK_EQ(copy_to(child, a, 4, port, mine), KERN_INVALID_ARGUMENT);
	CHECK_EQ(copy_to(child, a, 8 << 20, ME, mine), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ(((volatile uint32_t *)mine)[0], 0x11111111);
	CHECK_EQ(((volatile uint32_t *)(mine + PAGE))[0], 0x11111111);
	CHECK_EQ(peek(child, a), 0x11111111);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(peek(child, w), 0);
	CHECK_EQ(copy_to(child, a, 0, ME, 0x7000000), KERN_SUCCESS);	/* nothing to copy */
	/* a failed call kept none of the rights it carried, a successful one neither */
	CHECK_EQ(mach_port_get_refs(ME, port, MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
	CHECK_EQ(refs, 1);
	mach_port_destroy(ME, port);
	vm_deallocate(ME, mine, 2 * PAGE);
	end_child(child);
}

static void copy_to_moves_unaligned_bytes_across_a_page_from_a_task_into_ours(void) { copy_to_moves_unaligned_bytes_across_a_page_from_a_task_into_ours_by(vm_copy_to); }
static void copy_to_moves_unaligned_bytes_across_a_page_from_a_task_into_ours_quick(void) { copy_to_moves_unaligned_bytes_across_a_page_from_a_task_into_ours_by(vm_copy_to_quick); }
static void copy_to_moves_unaligned_bytes_from_ours_into_a_task_and_keeps_the_rest(void) { copy_to_moves_unaligned_bytes_from_ours_into_a_task_and_keeps_the_rest_by(vm_copy_to); }
static void copy_to_moves_unaligned_bytes_from_ours_into_a_task_and_keeps_the_rest_quick(void) { copy_to_moves_unaligned_bytes_from_ours_into_a_task_and_keeps_the_rest_by(vm_copy_to_quick); }
static void copy_to_refuses_bad_ranges_on_either_side_and_changes_nothing(void) { copy_to_refuses_bad_ranges_on_either_side_and_changes_nothing_by(vm_copy_to); }
static void copy_to_refuses_bad_ranges_on_either_side_and_changes_nothing_quick(void) { copy_to_refuses_bad_ranges_on_either_side_and_changes_nothing_by(vm_copy_to_quick); }

/*
 * The trap declines what is not a send right to one of this kernel's task
 * ports, and changes nothing: the RPC behind it answers (an interposer's port,
 * another node's task, a dead or bad name).
 */
static void
copy_to_trap_leaves_other_ports_to_the_rpc(void)
{
	mach_port_t child = empty_child(), port = MACH_PORT_NULL, dead = MACH_PORT_NULL, rcv = MACH_PORT_NULL;
	vm_address_t a = 0x3A400000, mine = region(PAGE);
	uint32_t refs = 0;

	CHECK(MACH_PORT_VALID(child) && mine);
	CHECK_EQ(vm_allocate(child, &a, PAGE, 0), KERN_SUCCESS);
	memset((void *)mine, 0x22, PAGE);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &rcv), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &dead), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, dead, dead, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(ME, dead, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);	/* a dead name now */
	/* either side: a plain port's send right, a receive right alone, a dead name, no name, null */
	CHECK_EQ(trap_vm_copy_to(port, a, 4, ME, mine), TRAP_BY_RPC);
	CHECK_EQ(trap_vm_copy_to(ME, mine, 4, port, a), TRAP_BY_RPC);
	CHECK_EQ(trap_vm_copy_to(rcv, a, 4, ME, mine), TRAP_BY_RPC);
	CHECK_EQ(trap_vm_copy_to(child, a, 4, dead, mine), TRAP_BY_RPC);
	CHECK_EQ(trap_vm_copy_to(0x7777, a, 4, ME, mine), TRAP_BY_RPC);
	CHECK_EQ(trap_vm_copy_to(ME, mine, 4, MACH_PORT_NULL, a), TRAP_BY_RPC);
	CHECK_EQ(peek(child, a), 0);
	/* and the RPC behind it answers as it does alone */
	CHECK_EQ(vm_copy_to_quick(ME, mine, 4, port, a), KERN_INVALID_ARGUMENT);
	CHECK_EQ(vm_copy_to_quick(0x7777, a, 4, ME, mine), MACH_SEND_INVALID_DEST);
	CHECK_EQ(vm_copy_to_quick(child, a, 4, dead, mine), vm_copy_to(child, a, 4, dead, mine));
	CHECK_EQ(vm_copy_to_quick(ME, mine, 4, rcv, a), vm_copy_to(ME, mine, 4, rcv, a));
	CHECK_EQ(peek(child, a), 0);
	/* neither way changed a right */
	CHECK_EQ(mach_port_get_refs(ME, port, MACH_PORT_RIGHT_SEND, &refs), KERN_SUCCESS);
	CHECK_EQ(refs, 1);
	CHECK_EQ(mach_port_get_refs(ME, dead, MACH_PORT_RIGHT_DEAD_NAME, &refs), KERN_SUCCESS);
	CHECK_EQ(refs, 1);
	/* a task's port works from either side; a terminated task's gets the RPC's answer both ways */
	CHECK_EQ(trap_vm_copy_to(ME, mine, 4, child, a), KERN_SUCCESS);
	CHECK_EQ(peek(child, a), 0x22222222);
	CHECK_EQ(trap_vm_copy_to(child, a, 2, ME, mine + 1), KERN_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)mine)[0], 0x22222222);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK_EQ(vm_copy_to_quick(ME, mine, 4, child, a), vm_copy_to(ME, mine, 4, child, a));
	CHECK(vm_copy_to_quick(ME, mine, 4, child, a) != KERN_SUCCESS);
	CHECK_EQ(vm_copy_to_quick(child, a, 4, ME, mine), vm_copy_to(child, a, 4, ME, mine));
	mach_port_destroy(ME, port);
	mach_port_destroy(ME, rcv);
	mach_port_destroy(ME, dead);
	vm_deallocate(ME, mine, PAGE);
	wait_dead_name(child);
	mach_port_deallocate(ME, child);
}

/* ---- vm_copy ---- */

static void
copy_to_an_overlapping_higher_range_moves_the_old_bytes(void)
{
	vm_address_t a = region(4 * PAGE);

	CHECK(a);
	for (unsigned i = 0; i < 4; i++)
		fill(a + i * PAGE, PAGE, 100 + i);
	CHECK_EQ(vm_copy(ME, a, 3 * PAGE, a + PAGE), KERN_SUCCESS);
	CHECK(filled(a, PAGE, 100));
	CHECK(filled(a + PAGE, PAGE, 100));		/* as if copied through a buffer */
	CHECK(filled(a + 2 * PAGE, PAGE, 101));
	CHECK(filled(a + 3 * PAGE, PAGE, 102));
	vm_deallocate(ME, a, 4 * PAGE);
}

static void
copy_to_an_overlapping_lower_range_moves_the_old_bytes(void)
{
	vm_address_t a = region(4 * PAGE);

	CHECK(a);
	for (unsigned i = 0; i < 4; i++)
		fill(a + i * PAGE, PAGE, 200 + i);
	CHECK_EQ(vm_copy(ME, a + PAGE, 3 * PAGE, a), KERN_SUCCESS);
	CHECK(filled(a, PAGE, 201));
	CHECK(filled(a + PAGE, PAGE, 202));
	CHECK(filled(a + 2 * PAGE, PAGE, 203));
	CHECK(filled(a + 3 * PAGE, PAGE, 203));
	vm_deallocate(ME, a, 4 * PAGE);
}

static void
copy_across_regions_keeps_each_destinations_attributes(void)
{
	vm_address_t a = 0x39000000, b = 0x39002000, d = region(4 * PAGE);
	struct rinfo r;

	CHECK(d);
	CHECK_EQ(vm_allocate(ME, &a, 2 * PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(ME, &b, 2 * PAGE, 0), KERN_SUCCESS);	/* adjacent: two regions */
	vm_inherit(ME, b, 2 * PAGE, VM_INHERIT_NONE);
	vm_inherit(ME, d + 2 * PAGE, 2 * PAGE, VM_INHERIT_SHARE);
	fill(a, 4 * PAGE, 61);
	CHECK_EQ(vm_copy(ME, a, 4 * PAGE, d), KERN_SUCCESS);
	CHECK(filled(d, 4 * PAGE, 61));
	r = rinfo(ME, d);
	CHECK_EQ(r.size, 2 * PAGE);
	CHECK_EQ(r.inh, VM_INHERIT_COPY);
	r = rinfo(ME, d + 2 * PAGE);
	CHECK_EQ(r.inh, VM_INHERIT_SHARE);
	vm_deallocate(ME, a, 4 * PAGE);
	vm_deallocate(ME, d, 4 * PAGE);
}

static void
copy_is_isolated_from_later_writes_both_ways(void)
{
	vm_address_t a = region(4 * PAGE);

	CHECK(a);
	fill(a, 2 * PAGE, 71);
	CHECK_EQ(vm_copy(ME, a, 2 * PAGE, a + 2 * PAGE), KERN_SUCCESS);
	((volatile uint32_t *)a)[0] = 1;				/* source written */
	CHECK_EQ(((volatile uint32_t *)(a + 2 * PAGE))[0], 71);
	((volatile uint32_t *)(a + 3 * PAGE))[0] = 2;			/* copy written */
	CHECK_EQ(((volatile uint32_t *)(a + PAGE))[0], 71 + 1024 * 2654435761u);
	CHECK(filled(a + 2 * PAGE + 4, PAGE - 4, 71 + 2654435761u));
	vm_deallocate(ME, a, 4 * PAGE);
}

static void
copy_into_read_only_or_unmapped_memory_fails_and_changes_nothing(void)
{
	vm_address_t a = region(5 * PAGE);
	uint32_t digest, pages;

	CHECK(a);
	fill(a, 5 * PAGE, 81);
	CHECK_EQ(vm_protect(ME, a + 4 * PAGE, PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, a + PAGE, PAGE), KERN_SUCCESS);
	digest = map_digest(ME);
	pages = free_pages_with_heap();
	CHECK_EQ(vm_copy(ME, a, PAGE, a + 4 * PAGE), KERN_PROTECTION_FAILURE);
	CHECK_EQ(vm_copy(ME, a + 2 * PAGE, 2 * PAGE, a + 3 * PAGE), KERN_PROTECTION_FAILURE); /* half writable */
	CHECK_EQ(vm_copy(ME, a + 2 * PAGE, PAGE, a + PAGE), KERN_INVALID_ADDRESS);	/* into the hole */
	CHECK_EQ(vm_copy(ME, a, 2 * PAGE, a + 2 * PAGE), KERN_INVALID_ADDRESS);	/* from the hole */
	CHECK_EQ(vm_copy(ME, a + 2 * PAGE, PAGE, a + 5), KERN_INVALID_ARGUMENT);	/* unaligned */
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK(filled(a, PAGE, 81));
	CHECK(filled(a + 2 * PAGE, 3 * PAGE, 81 + 2048 * 2654435761u));
	vm_deallocate(ME, a, 5 * PAGE);
}

/* ---- vm_region ---- */

static void
region_reports_protection_maximum_inheritance_and_size(void)
{
	vm_address_t a = region(5 * PAGE);
	struct rinfo r;

	CHECK(a);
	CHECK_EQ(vm_protect(ME, a, 5 * PAGE, 1, VM_PROT_READ | VM_PROT_WRITE), KERN_SUCCESS);
	CHECK_EQ(vm_protect(ME, a, 5 * PAGE, 0, VM_PROT_READ), KERN_SUCCESS);
	CHECK_EQ(vm_inherit(ME, a, 5 * PAGE, VM_INHERIT_NONE), KERN_SUCCESS);
	r = rinfo(ME, a + 3 * PAGE + 17);			/* any address inside it */
	CHECK_EQ(r.kr, KERN_SUCCESS);
	CHECK_EQ(r.addr, a);
	CHECK_EQ(r.size, 5 * PAGE);
	CHECK_EQ(r.prot, VM_PROT_READ);
	CHECK_EQ(r.max, VM_PROT_READ | VM_PROT_WRITE);
	CHECK_EQ(r.inh, VM_INHERIT_NONE);
	vm_deallocate(ME, a, 5 * PAGE);
}

static void
region_in_a_hole_reports_the_next_region_and_past_the_end_no_space(void)
{
	mach_port_t child = empty_child();
	vm_address_t a = 0x3A000000, b = 0x3A010000;
	struct rinfo r;

	CHECK(MACH_PORT_VALID(child));
	CHECK_EQ(rinfo(child, 0).kr, KERN_NO_SPACE);		/* an empty map */
	CHECK_EQ(vm_allocate(child, &a, PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(child, &b, 2 * PAGE, 0), KERN_SUCCESS);
	r = rinfo(child, 0);
	CHECK_EQ(r.addr, a);
	r = rinfo(child, a + PAGE);
	CHECK_EQ(r.addr, b);
	CHECK_EQ(r.size, 2 * PAGE);
	r = rinfo(child, b + 2 * PAGE);
	CHECK_EQ(r.kr, KERN_NO_SPACE);
	CHECK_EQ(r.addr, b + 2 * PAGE);				/* out-parameters untouched */
	CHECK_EQ(rinfo(child, 0xC0000000).kr, KERN_NO_SPACE);
	CHECK_EQ(rinfo(child, 0xFFFFFFFF).kr, KERN_NO_SPACE);
	end_child(child);
}

/* ---- the task argument ---- */

/*
 * The vm calls are RPCs on a task port, so a name that is not one fails as
 * mach_msg says (MACH_SEND_INVALID_DEST), another kernel object's port as its
 * server says (MIG_BAD_ID), and a dying task with KERN_INVALID_TASK.
 */
#define DYING 1		/* want: MACH_SEND_INVALID_DEST or KERN_INVALID_TASK */

static bool
refused(kern_return_t kr, kern_return_t want)
{
	return want == DYING ? kr == MACH_SEND_INVALID_DEST || kr == KERN_INVALID_TASK : kr == want;
}

/* Every vm call on name; each must fail with want and touch nothing of ours. */
static int
all_calls_refuse(mach_port_t name, kern_return_t want)
{
	vm_address_t a = 0x3B000000, b = 0;
	mach_msg_type_number_t n = 0;
	static uint32_t word;
	int bad = 0;

	bad |= !refused(vm_allocate(name, &a, PAGE, 0), want) << 0;
	bad |= (a != 0x3B000000) << 1;
	bad |= !refused(vm_deallocate(name, 0x10000000, PAGE), want) << 2;
	bad |= !refused(vm_protect(name, 0x10000000, PAGE, 0, VM_PROT_READ), want) << 3;
	bad |= !refused(vm_inherit(name, 0x10000000, PAGE, VM_INHERIT_NONE), want) << 4;
	bad |= !refused(vm_read(name, 0x10000000, PAGE, &b, &n), want) << 5;
	bad |= (b != 0) << 6;
	bad |= !refused(vm_write(name, 0x10000000, (vm_address_t)&word, 4), want) << 7;
	bad |= !refused(vm_copy(name, 0x10000000, PAGE, 0x10001000), want) << 8;
	bad |= !refused(rinfo(name, 0).kr, want) << 9;
	return bad;
}

static void
calls_on_an_unknown_name_are_invalid_dest(void)
{
	uint32_t digest = map_digest(ME), pages = free_pages_with_heap();

	CHECK_EQ(all_calls_refuse(0x7777, MACH_SEND_INVALID_DEST), 0);
	CHECK_EQ(all_calls_refuse(MACH_PORT_NULL, MACH_SEND_INVALID_DEST), 0);
	CHECK_EQ(all_calls_refuse(MACH_PORT_DEAD, MACH_SEND_INVALID_DEST), 0);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
}

static void
calls_on_a_dead_task_are_refused(void)
{
	mach_port_t child;
	vm_address_t a = 0x3B000000;

	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(child, &a, PAGE, 0), KERN_SUCCESS);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK_EQ(all_calls_refuse(child, DYING), 0);		/* at once, dead name or not yet */
	CHECK(wait_dead_name(child));
	CHECK_EQ(all_calls_refuse(child, MACH_SEND_INVALID_DEST), 0);
	mach_port_deallocate(ME, child);
}

/*
 * (A send right to an ordinary port is not tried: the request would wait in its
 * queue for a server, as in Mach.)
 */
static void
calls_on_a_port_that_is_not_a_task_are_refused(void)
{
	mach_port_t p, th = mach_thread_self(), host = mach_host_self();
	uint32_t digest = map_digest(ME), pages = free_pages_with_heap();

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	CHECK_EQ(all_calls_refuse(p, MACH_SEND_INVALID_DEST), 0);	/* receive right only */
	CHECK_EQ(all_calls_refuse(th, MIG_BAD_ID), 0);			/* a thread */
	CHECK_EQ(all_calls_refuse(host, MIG_BAD_ID), 0);		/* the host */
	mach_port_destroy(ME, p);
	mach_port_deallocate(ME, th);
	mach_port_deallocate(ME, host);
	CHECK_EQ(map_digest(ME), digest);
	CHECK_EQ(free_pages_with_heap(), pages);
}

/* ---- sharing proved by page counts ---- */

static void
out_of_line_copy_is_isolated_both_ways_in_another_task(void)
{
	enum { N = 4 };
	mach_port_t child, p;
	vm_address_t a = region(N * PAGE), got, b;
	vm_size_t size;
	mach_msg_type_number_t n;
	uint32_t pages, v = 0xC0C0;

	CHECK(a);
	fill(a, N * PAGE, 91);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);
	CHECK_EQ(send_region(p, a, N * PAGE, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(receive_region(p, &got, &size), MACH_MSG_SUCCESS);
	/* fork after the transfer: three holders of every page, none copied yet */
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	pages = free_pages_with_heap();
	CHECK_EQ(vm_write(child, got, (vm_address_t)&v, 4), KERN_SUCCESS);	/* the child's copy */
	CHECK_EQ(pages - free_pages_with_heap(), 1);
	((volatile uint32_t *)(a + PAGE))[0] = 1;				/* the sender's */
	CHECK_EQ(pages - free_pages_with_heap(), 2);
	CHECK(filled(got, N * PAGE, 91));					/* ours received, untouched */
	CHECK_EQ(vm_read(child, got, N * PAGE, &b, &n), KERN_SUCCESS);
	CHECK_EQ(((uint32_t *)b)[0], 0xC0C0);
	CHECK(filled(b + PAGE, (N - 1) * PAGE, 91 + 1024 * 2654435761u));
	vm_deallocate(ME, b, n);
	end_child(child);
	vm_deallocate(ME, got, size);
	vm_deallocate(ME, a, N * PAGE);
	mach_port_destroy(ME, p);
}

static void
forked_child_writing_copies_only_the_pages_it_writes(void)
{
	enum { N = 8 };
	vm_address_t a = region(N * PAGE);
	mach_port_t child;
	uint32_t before, pages, v = 1;

	CHECK(a);
	fill(a, N * PAGE, 17);
	before = free_pages_with_heap();
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	pages = free_pages_with_heap();
	for (unsigned i = 0; i < N; i += 2)
		CHECK_EQ(vm_write(child, a + i * PAGE, (vm_address_t)&v, 4), KERN_SUCCESS);
	CHECK_EQ(pages - free_pages_with_heap(), N / 2);		/* one page per page written */
	CHECK_EQ(vm_write(child, a, (vm_address_t)&v, 4), KERN_SUCCESS);
	CHECK_EQ(pages - free_pages_with_heap(), N / 2);		/* a page already its own costs nothing */
	CHECK(filled(a, N * PAGE, 17));
	end_child(child);
	CHECK_EQ(free_pages_with_heap(), before);			/* its copies came back when it died */
	vm_deallocate(ME, a, N * PAGE);
}

/*
 * An external pager serving a pattern: byte i of page p is p * 16 + 1. It
 * records what the kernel tells it, for the case below to check.
 */
static struct {
	volatile int inits, requests, returns, terminates, unlocks, supplied;
	mach_port_t control;
	uint8_t returned[4096];
	volatile uint32_t returned_offset;
	mach_port_t port;
	bool refuse;		/* page 0 unavailable, page 1 in error once, page 2: the pager dies */
	volatile int errors;
	bool serve_returned;	/* a page given back is what a later data_request gets */
	volatile bool hold;	/* lock_completed waits here until it is cleared */
	volatile int completed;	/* lock_completed seen */
} pager;

kern_return_t
memory_object_do_memory_object_init(mach_port_t mo, mach_port_t control, vm_size_t page_size)
{
	pager.inits++;
	pager.control = control;	/* kept: the case sends lock_request on it */
	return page_size == 4096 ? KERN_SUCCESS : KERN_FAILURE;
}

kern_return_t
memory_object_do_memory_object_data_request(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					    vm_size_t length, vm_prot_t access)
{
	static uint8_t page[4096];

	pager.requests++;
	if (pager.refuse && offset == 0) {
		memory_object_data_unavailable(control, offset, length);
	} else if (pager.refuse && offset == 4096 && pager.errors++ == 0) {
		memory_object_data_error(control, offset, length, KERN_MEMORY_ERROR);
	} else if (pager.refuse && offset == 2 * 4096) {
		mach_port_destroy(ME, pager.port);	/* dies with the request unanswered */
	} else if (pager.serve_returned && pager.returns && offset == pager.returned_offset) {
		memory_object_data_supply(control, offset, pager.returned, sizeof pager.returned, VM_PROT_NONE,
					  false, MACH_PORT_NULL);
	} else {
		memset(page, (int)(offset / 4096 * 16 + 1), sizeof page);
		/* page 1's supply asks to hear that it was taken */
		memory_object_data_supply(control, offset, page, sizeof page, VM_PROT_NONE, false,
					  offset == 4096 ? pager.port : MACH_PORT_NULL);
	}
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_unlock(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   vm_size_t length, vm_prot_t access)
{
	pager.unlocks++;
	memory_object_lock_request(control, offset, length, MEMORY_OBJECT_RETURN_NONE, false, VM_PROT_NONE,
				   MACH_PORT_NULL);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_lock_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
					      vm_size_t length)
{
	pager.completed++;
	while (pager.hold)	/* not receiving meanwhile */
		trap_thread_yield();
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_supply_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
						vm_size_t length, kern_return_t result, vm_offset_t error_offset)
{
	if (offset == 4096 && length == 4096 && result == KERN_SUCCESS)
		pager.supplied++;
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_return(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   uint8_t *data, mach_msg_type_number_t count, boolean_t dirty,
					   boolean_t kernel_copy)
{
	if (count == sizeof pager.returned)
		memcpy(pager.returned, data, count);
	pager.returned_offset = offset;
	pager.returns++;
	vm_deallocate(ME, (vm_address_t)data, count);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_terminate(mach_port_t mo, mach_port_t control)
{
	mach_port_deallocate(ME, control);
	pager.terminates++;
	return KERN_SUCCESS;
}

static void *
pager_loop(void *arg)
{
	static const msg_demux_t demux[] = { memory_object_server };

	msg_serve(pager.port, demux, 1, NULL, MEMORY_OBJECT_REQUEST_MAX_SIZE, MEMORY_OBJECT_REPLY_MAX_SIZE);
	return NULL;	/* the port was destroyed */
}

/* A fresh pager on a thread of ours, holding the receive right and a send right to its port. */
static bool
start_pager(cthread_t *th)
{
	return mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &pager.port) == KERN_SUCCESS &&
	       mach_port_insert_right(ME, pager.port, pager.port, MACH_MSG_TYPE_MAKE_SEND) == KERN_SUCCESS &&
	       cthread_fork(th, pager_loop, NULL) == KERN_SUCCESS;
}

static bool
wait_until(volatile int *counter, int value)
{
	for (int i = 0; i < 20000 && *counter < value; i++)
		trap_thread_yield();
	return *counter >= value;
}

static void
external_pager_serves_faults_locks_and_gets_dirty_pages_back(void)
{
	vm_address_t addr = 0;
	cthread_t th;
	volatile uint8_t *p;

	memset(&pager, 0, sizeof pager);
	CHECK(start_pager(&th));
	CHECK_EQ(vm_map(ME, &addr, 2 * 4096, 0, true, pager.port, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_SUCCESS);
	CHECK(wait_until(&pager.inits, 1));
	p = (volatile uint8_t *)addr;
	CHECK_EQ(p[0], 1);		/* page 0 faulted in through data_request */
	CHECK_EQ(p[4096 + 100], 17);	/* page 1 too */
	CHECK_EQ(pager.requests, 2);
	CHECK(wait_until(&pager.supplied, 1));	/* and its supply_completed came back */
	p[4096 + 5] = 0x77;		/* page 1 is now dirty, page 0 clean */
	/* give back the dirty pages and lock both against writing */
	CHECK_EQ(memory_object_lock_request(pager.control, 0, 2 * 4096, MEMORY_OBJECT_RETURN_DIRTY, false,
					    VM_PROT_WRITE, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK(wait_until(&pager.returns, 1));
	CHECK_EQ(pager.returned_offset, 4096);
	CHECK_EQ(pager.returned[5], 0x77);
	CHECK_EQ(pager.returned[6], 17);
	CHECK_EQ(pager.unlocks, 0);
	p[10] = 5;			/* locked: faults back to the pager (data_unlock), which unlocks */
	CHECK_EQ(pager.unlocks, 1);
	CHECK_EQ(p[10], 5);
	CHECK_EQ(p[4096 + 5], 0x77);
	CHECK_EQ(vm_deallocate(ME, addr, 2 * 4096), KERN_SUCCESS);
	CHECK(wait_until(&pager.terminates, 1));
	CHECK_EQ(pager.returns, 2);	/* page 0, written since; page 1 is clean since its return */
	CHECK_EQ(pager.returned_offset, 0);
	CHECK_EQ(pager.returned[10], 5);
	mach_port_deallocate(ME, pager.control);
	/* a map with a bad offset changes nothing */
	addr = 0;
	CHECK_EQ(vm_map(ME, &addr, 4096, 0, true, pager.port, 100, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_INVALID_ARGUMENT);
	mach_port_destroy(ME, pager.port);
	cthread_join(th);
}

static void
pager_refusals_and_death_reach_the_faulting_thread(void)
{
	vm_address_t addr = 0;
	cthread_t th;

	memset(&pager, 0, sizeof pager);
	pager.refuse = true;
	CHECK(start_pager(&th));
	CHECK_EQ(vm_map(ME, &addr, 3 * 4096, 0, true, pager.port, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_SUCCESS);
	mach_port_deallocate(ME, pager.port);	/* the object holds its own send right */
	CHECK_EQ(((volatile uint32_t *)addr)[7], 0);	/* unavailable: zeros */
	victim = addr + 4096;
	victim_value = 0;
	CHECK_EQ(run_catching(reads_victim), EXC_BAD_ACCESS);	/* data_error */
	CHECK_EQ(seen_code0, KERN_MEMORY_ERROR);
	CHECK_EQ(seen_code1, (int32_t)victim);
	CHECK_EQ(run_catching(reads_victim), 0);		/* the next fault asks again */
	CHECK_EQ(victim_value, 0x11111111);
	victim = addr + 2 * 4096;
	CHECK_EQ(run_catching(reads_victim), EXC_BAD_ACCESS);	/* the pager died */
	CHECK_EQ(seen_code0, KERN_MEMORY_FAILURE);
	CHECK_EQ(pager.requests, 4);
	cthread_join(th);
	CHECK_EQ(((volatile uint32_t *)(addr + 4096))[0], 0x11111111);	/* resident pages stay */
	CHECK_EQ(vm_deallocate(ME, addr, 3 * 4096), KERN_SUCCESS);
}

/*
 * A child inherits a mapped object region by each page's inheritance: a
 * copied page's writes stay the child's and never reach the pager, a shared
 * page is the object's page in both tasks.
 */
static void
forked_object_region_keeps_copies_private_and_shares_shared_pages(void)
{
	vm_address_t addr = 0;
	volatile uint8_t *p;
	mach_port_t child;
	uint32_t v = 0xC0C0C0C0;
	cthread_t th;

	memset(&pager, 0, sizeof pager);
	CHECK(start_pager(&th));
	CHECK_EQ(vm_map(ME, &addr, 2 * 4096, 0, true, pager.port, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_SUCCESS);
	mach_port_deallocate(ME, pager.port);
	CHECK_EQ(vm_inherit(ME, addr + 4096, 4096, VM_INHERIT_SHARE), KERN_SUCCESS);
	p = (volatile uint8_t *)addr;
	CHECK_EQ(p[0], 1);
	p[4096 + 1] = 0x42;
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(peek(child, addr), 0x01010101);
	CHECK_EQ(peek(child, addr + 4096), 0x11114211);		/* our write, through the object */
	CHECK_EQ(vm_write(child, addr, (vm_address_t)&v, 4), KERN_SUCCESS);	/* its copy */
	CHECK_EQ(p[0], 1);
	CHECK_EQ(peek(child, addr), 0xC0C0C0C0);
	CHECK_EQ(vm_write(child, addr + 4096, (vm_address_t)&v, 4), KERN_SUCCESS);	/* the shared page */
	CHECK_EQ(p[4096 + 3], 0xC0);
	p[4096 + 8] = 0x99;
	CHECK_EQ(peek(child, addr + 4096 + 8), 0x11111199);
	end_child(child);
	CHECK_EQ(vm_deallocate(ME, addr, 2 * 4096), KERN_SUCCESS);
	CHECK(wait_until(&pager.terminates, 1));
	CHECK_EQ(pager.returns, 1);			/* page 1 only: page 0 was only read here */
	CHECK_EQ(pager.returned_offset, 4096);
	CHECK_EQ(pager.returned[0], 0xC0);
	CHECK_EQ(pager.returned[8], 0x99);
	mach_port_deallocate(ME, pager.control);
	mach_port_destroy(ME, pager.port);
	cthread_join(th);
}

/*
 * A copy of an object (vm_map with copy=TRUE, a child's VM_INHERIT_COPY) is
 * the object as it was when the copy was made: later writes through a shared
 * mapping do not show in it, even on pages it has not touched yet, or that
 * were not even resident then.
 */
static void
copies_of_an_object_keep_its_contents_from_when_they_were_made(void)
{
	vm_address_t shared = 0, copy = 0;
	volatile uint8_t *s, *c;
	mach_port_t child;
	cthread_t th;

	memset(&pager, 0, sizeof pager);
	CHECK(start_pager(&th));
	CHECK_EQ(vm_map(ME, &shared, 3 * 4096, 0, true, pager.port, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_SUCCESS);
	s = (volatile uint8_t *)shared;
	s[0] = 0x10;				/* page 0 resident and dirty, and writable here */
	CHECK_EQ(vm_map(ME, &copy, 3 * 4096, 0, true, pager.port, 0, true, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_SUCCESS);
	mach_port_deallocate(ME, pager.port);
	c = (volatile uint8_t *)copy;
	CHECK_EQ(c[0], 0x10);			/* the copy sees what was there */
	s[0] = 0x20;				/* a write through the shared mapping... */
	CHECK_EQ(c[0], 0x10);			/* ...after the copy was made does not show */
	s[4096] = 0x21;				/* page 1: the copy has not read it yet */
	CHECK_EQ(c[4096], 17);
	s[2 * 4096] = 0x22;			/* page 2: not even resident when the copy was made */
	CHECK_EQ(c[2 * 4096], 33);
	c[1] = 0x30;				/* the copy's own writes stay its own */
	CHECK_EQ(s[1], 1);
	/* a child's VM_INHERIT_COPY of the shared mapping is a copy too */
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	s[4096 + 4] = 0x44;
	CHECK_EQ(peek(child, shared + 4096 + 4), 0x11111111);
	CHECK_EQ(peek(child, shared + 4096), 0x11111121);
	CHECK_EQ(peek(child, copy), 0x01013010);	/* and of our copy, its contents */
	end_child(child);
	CHECK_EQ(vm_deallocate(ME, copy, 3 * 4096), KERN_SUCCESS);
	CHECK_EQ(vm_deallocate(ME, shared, 3 * 4096), KERN_SUCCESS);
	CHECK(wait_until(&pager.terminates, 1));
	CHECK_EQ(pager.returns, 3);		/* the shared writes, not the copy's */
	mach_port_deallocate(ME, pager.control);
	mach_port_destroy(ME, pager.port);
	cthread_join(th);
}

/* lock_request write-protects; it must not make a no-access page readable. */
static void
lock_request_leaves_a_no_access_page_unreadable(void)
{
	vm_address_t addr = 0;
	cthread_t th;

	memset(&pager, 0, sizeof pager);
	CHECK(start_pager(&th));
	CHECK_EQ(vm_map(ME, &addr, 4096, 0, true, pager.port, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_SUCCESS);
	mach_port_deallocate(ME, pager.port);
	CHECK_EQ(((volatile uint8_t *)addr)[0], 1);		/* resident and mapped */
	CHECK_EQ(vm_protect(ME, addr, 4096, 0, VM_PROT_NONE), KERN_SUCCESS);
	CHECK(wait_until(&pager.inits, 1));
	CHECK_EQ(memory_object_lock_request(pager.control, 0, 4096, MEMORY_OBJECT_RETURN_NONE, false,
					    VM_PROT_WRITE, MACH_PORT_NULL), KERN_SUCCESS);
	victim = addr;
	victim_value = 0;
	CHECK_EQ(run_catching(reads_victim), EXC_BAD_ACCESS);
	CHECK_EQ(victim_value, 0);
	CHECK_EQ(vm_deallocate(ME, addr, 4096), KERN_SUCCESS);
	CHECK(wait_until(&pager.terminates, 1));
	mach_port_deallocate(ME, pager.control);
	mach_port_destroy(ME, pager.port);
	cthread_join(th);
}

/*
 * Memory as short as a task can make it when a pager asks for its dirty pages
 * back without a flush. User pages (page tables included) stop at the
 * kernel's reserve, so this task takes them down to it with vm_write; name
 * tables stop there too, and queued messages (we are privileged) at the
 * reserve itself: the reserve is the kernel's (kernel/README.md, Limits). With
 * the reserve the kernel copies the page and sends the copy; without it (the
 * kernel's own use of the reserve, which no task can cause any more) it would
 * hand over the page itself and drop it from the object, as a flush does, and
 * what it cannot build would wait in the kernel until memory is back: that
 * path is no longer reached from a test. The pager gets the data, and a later
 * read sees it. The pager is held in a handler meanwhile, so that it receives
 * only once memory is back.
 */
static uint8_t hog_buf[64 * 1024] __attribute__((aligned(4096)));
static uint8_t hog_src[64 * 1024] __attribute__((aligned(4096)));

/* The stack below this case's frame: earlier cases went deeper, so it costs no new page. */
static void __attribute__((noinline))
prefault_stack(void)
{
	volatile uint8_t pad[2 * 1024];

	for (unsigned i = 0; i < sizeof pad; i += 1024)
		pad[i] = 1;
}

/* Queues inline messages of size bytes on port until the kernel has no room for one more. */
static mach_msg_return_t
hog_heap(mach_port_t port, mach_msg_size_t size, int *n)
{
	mach_msg_header_t *h = (mach_msg_header_t *)hog_buf;
	mach_msg_return_t mr;

	do {
		h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND_ONCE, 0);	/* no queue limit */
		h->msgh_size = size;
		h->msgh_remote_port = port;
		h->msgh_local_port = MACH_PORT_NULL;
		h->msgh_id = (mach_msg_id_t)size;
		mr = mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
		if (mr == MACH_MSG_SUCCESS)
			(*n)++;
	} while (mr == MACH_MSG_SUCCESS);
	return mr;
}

static void
dirty_page_reaches_its_pager_when_memory_is_short(void)
{
	static const mach_msg_size_t sizes[] = { 64 * 1024, 4096, 256, sizeof(mach_msg_header_t) };
	enum { USER = 64u << 20, MAX_CHILDREN = 4 };
	mach_port_t hog[4], children[MAX_CHILDREN] = { 0 }, name;
	vm_address_t addr = 0, ua = 0;
	uint32_t off, names = 0, heap_pages, pool, nchildren = 0;
	kern_return_t kr;
	int queued = 0;
	volatile uint8_t *p;
	cthread_t th;

	memset(&pager, 0, sizeof pager);
	pager.serve_returned = true;
	CHECK(start_pager(&th));
	CHECK_EQ(vm_map(ME, &addr, 4096, 0, true, pager.port, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			VM_INHERIT_COPY), KERN_SUCCESS);
	CHECK(wait_until(&pager.inits, 1));
	p = (volatile uint8_t *)addr;
	CHECK_EQ(p[0], 1);
	p[5] = 0x77;				/* dirty */
	/* the pager waits in lock_completed while memory is short */
	pager.hold = true;
	CHECK_EQ(memory_object_lock_request(pager.control, 0, 4096, MEMORY_OBJECT_RETURN_NONE, false,
					    VM_PROT_NONE, pager.port), KERN_SUCCESS);
	CHECK(wait_until(&pager.completed, 1));
	/* everything this thread touches from here to the release is resident */
	prefault_stack();
	memset(hog_buf, 1, sizeof hog_buf);
	memset(hog_src, 2, sizeof hog_src);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &hog[i]), KERN_SUCCESS);
	for (int i = 0; i < MAX_CHILDREN; i++)
		CHECK_EQ(task_create(ME, false, &children[i]), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(ME, &ua, USER, true), KERN_SUCCESS);
	/* user pages, down to the reserve: 16 pages a call, then one */
	for (off = 0; off < USER && vm_write(ME, ua + off, (vm_offset_t)hog_src, sizeof hog_src) == KERN_SUCCESS;
	     off += sizeof hog_src)
		;
	for (; off < USER && vm_write(ME, ua + off, (vm_offset_t)hog_src, 4096) == KERN_SUCCESS; off += 4096)
		;
	CHECK(off > 0 && off < USER);
	/*
	 * Names, until a name table cannot grow: each child may hold
	 * TASK_LIMIT_NAMES names (256 pages of table), so as many children as it
	 * takes (made before user pages ran out: a page directory is a user
	 * page); a child refused below its limit found no page above the reserve.
	 */
	for (nchildren = 0; nchildren < MAX_CHILDREN; nchildren++) {
		uint32_t in_this = 0;
		if (!children[nchildren])
			break;
		while ((kr = mach_port_allocate(children[nchildren], MACH_PORT_RIGHT_DEAD_NAME, &name)) ==
		       KERN_SUCCESS)
			in_this++;
		CHECK_EQ(kr, KERN_NO_SPACE);
		names += in_this;
		if (in_this < TASK_LIMIT_NAMES_DEFAULT) {
			nchildren++;
			break;
		}
	}
	heap_pages = free_pages_with_heap();
	/* the heap: messages of each size until there is no room for one more (sends stop at
	 * twice the reserve, so there may be none) */
	for (int i = 0; i < 4; i++)
		CHECK_EQ(hog_heap(hog[i], sizes[i], &queued), MACH_SEND_NO_BUFFER);
	/* room for the lock_request itself, no more */
	if (queued)
		mach_msg((mach_msg_header_t *)hog_buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof hog_buf, hog[2], 0,
			 MACH_PORT_NULL);
	pool = stats().free_pages;
	CHECK_EQ(memory_object_lock_request(pager.control, 0, 4096, MEMORY_OBJECT_RETURN_DIRTY, false,
					    VM_PROT_NONE, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK(stats().free_pages <= pool);	/* no page came free meanwhile */
	/* memory back */
	for (int i = 0; i < 4; i++)
		mach_port_destroy(ME, hog[i]);
	for (int i = 0; i < MAX_CHILDREN; i++)
		end_child(children[i]);
	CHECK_EQ(vm_deallocate(ME, ua, USER), KERN_SUCCESS);
	printf("# %u KiB of user pages, %u dead names in %u children, %d messages; %u pages free then, with the "
	       "heap's %u\n", off / 1024, names, nchildren, queued, pool, heap_pages);
	pager.hold = false;
	CHECK(wait_until(&pager.returns, 1));
	CHECK_EQ(pager.returned_offset, 0);
	CHECK_EQ(pager.returned[5], 0x77);
	CHECK_EQ(pager.returned[6], 1);
	CHECK_EQ(p[5], 0x77);			/* from the object, or from the pager again */
	CHECK_EQ(p[6], 1);
	CHECK_EQ(vm_deallocate(ME, addr, 4096), KERN_SUCCESS);
	CHECK(wait_until(&pager.terminates, 1));
	CHECK_EQ(pager.returns, 1);		/* clean since its return */
	mach_port_deallocate(ME, pager.control);
	mach_port_destroy(ME, pager.port);
	cthread_join(th);
}

/*
 * Interrupts off, bounded: nothing a task asks of the VM keeps them off longer
 * than IRQOFF_BOUND guest instructions (the kernel is booted with
 * irqoff_stats, QEMU with -icount shift=0, where rdtsc counts instructions).
 * The bound is one page copied (1,024 rep movsl steps, plus the page's lookup)
 * and a fixed overhead for what runs under a lock besides (a zero-filled page
 * in a fault, the switch to the receiver of a reply, about 3,000 instructions
 * as measured). Copies go a page at a time; the map is a mutex, so fork,
 * vm_protect and vm_deallocate of large regions and the teardown of a task
 * run with interrupts on, taking the pmap's lock for a few pages at a time.
 * Each operation gets a window of its own, opened and closed by
 * irqoff_take(). What the suite did before is printed, not checked: it
 * includes console output, where the serial line may make the kernel wait.
 */
#define IRQOFF_BOUND (4096 + 4096)


static void
interrupts_stay_off_at_most_a_page_copy_in_vm_calls(void)
{
	struct manifold_kernel_stats st = irqoff_take();
	const uint32_t size = 1u << 20;
	vm_address_t a = 0, b = 0, r = 0;
	mach_msg_type_number_t n = 0;
	mach_port_t child = MACH_PORT_NULL;

	if (!st.irqoff_enabled || !tsc_counts_instructions()) {
		printf("# skipped: needs the irqoff_stats boot option and QEMU -icount shift=0\n");
		return;
	}
	printf("# before this case (not checked): %u instructions, from %#x to %#x (build/kernel.sym)\n",
	       st.irqoff_max_cycles, st.irqoff_max_from, st.irqoff_max_to);
	irq_worst = 0;
	CHECK_EQ(vm_allocate(ME, &a, size + PAGE, 1), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(ME, &b, size + PAGE, 1), KERN_SUCCESS);
	irqoff_take();
	for (uint32_t o = 0; o < size + PAGE; o += PAGE)	/* zero fill, one fault a page */
		((volatile uint32_t *)a)[o / 4] = o;
	irq_window("zero-fill faults");
	CHECK_EQ(vm_write(ME, b, a, PAGE), KERN_SUCCESS);
	irq_window("vm_write of a page");
	CHECK_EQ(vm_write(ME, b, a + 100, PAGE), KERN_SUCCESS);
	irq_window("vm_write of a page, unaligned source");
	CHECK_EQ(vm_write(ME, b, a, size), KERN_SUCCESS);
	irq_window("vm_write of 1 MiB");	/* the request's 256 pages are freed with no lock held */
	CHECK_EQ(vm_write(ME, b, a + 100, size), KERN_SUCCESS);
	irq_window("vm_write of 1 MiB, unaligned source");
	CHECK_EQ(vm_copy(ME, a, size, b), KERN_SUCCESS);
	irq_window("vm_copy of 1 MiB");
	CHECK_EQ(vm_copy(ME, b, size, b + PAGE), KERN_SUCCESS);
	irq_window("vm_copy of 1 MiB, overlapping upwards");
	CHECK_EQ(((volatile uint32_t *)b)[2 * PAGE / 4], PAGE);
	CHECK_EQ(vm_copy(ME, b + PAGE, size, b), KERN_SUCCESS);
	irq_window("vm_copy of 1 MiB, overlapping downwards");
	CHECK_EQ(((volatile uint32_t *)b)[PAGE / 4], PAGE);
	CHECK_EQ(vm_read(ME, a, size, &r, &n), KERN_SUCCESS);
	irq_window("vm_read of 1 MiB");
	CHECK_EQ(n, size);
	CHECK_EQ(((volatile uint32_t *)r)[(size - PAGE) / 4], size - PAGE);
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	irq_window("fork of this task (3 MiB touched)");
	CHECK_EQ(vm_protect(ME, a, size, 0, VM_PROT_READ), KERN_SUCCESS);
	irq_window("vm_protect of 1 MiB");
	CHECK_EQ(vm_protect(ME, a, size, 0, VM_PROT_DEFAULT), KERN_SUCCESS);
	((volatile uint32_t *)a)[0] = 1;	/* a copy-on-write break */
	irq_window("vm_protect back, a write");
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK(wait_dead_name(child));
	irq_window("task_terminate of the child, its teardown");
	mach_port_deallocate(ME, child);
	CHECK_EQ(vm_deallocate(ME, r, n), KERN_SUCCESS);
	irq_window("vm_deallocate of 1 MiB (a vm_read's pages)");
	CHECK_EQ(vm_deallocate(ME, a, size + PAGE), KERN_SUCCESS);
	irq_window("vm_deallocate of 1 MiB");
	CHECK_EQ(vm_deallocate(ME, b, size + PAGE), KERN_SUCCESS);
	irq_window("vm_deallocate of 1 MiB (copied pages)");
	{	/* a task's long line: the console takes its spin lock 64 bytes at a time (kern/console.c) */
		static char line[8192];

		memset(line, '=', sizeof line);
		memcpy(line, "# ", 2);
		line[sizeof line - 1] = '\n';
		CHECK_EQ(trap_console_write(line, sizeof line), KERN_SUCCESS);
		irq_window("console_write of an 8 KiB line");
	}
	printf("# worst: %u instructions (%s), from %#x to %#x; bound %u\n", irq_worst, irq_worst_op, irq_from,
	       irq_to, IRQOFF_BOUND);
	CHECK(irq_worst <= IRQOFF_BOUND);
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(protect_read_only_then_writes_are_refused_to_copies),
	T(maximum_protection_only_goes_down),
	T(protect_and_inherit_check_their_arguments),
	T(inheritance_is_recorded_per_page_range),
	T(vm_region_walks_the_whole_map),
	T(read_write_and_copy_move_bytes),
	T(another_task_is_reached_through_its_task_port),
	T(lazy_allocation_takes_pages_only_when_touched),
	T(fork_shares_pages_until_one_side_writes),
	T(inheritance_none_and_share_are_honoured),
	T(forked_child_runs_in_its_own_copy),
	T(out_of_line_regions_move_by_virtual_copy),
	T(deallocate_option_moves_pages_without_copying),
	T(virtual_copy_of_a_partial_last_page_carries_only_the_region),
	T(running_out_of_memory_kills_only_the_task_that_did),
	T(allocate_fixed_lands_at_the_address_and_reads_zero),
	T(allocate_rounds_the_size_up_to_whole_pages),
	T(allocate_anywhere_never_overlaps_existing_regions),
	T(allocate_fixed_over_an_occupied_range_returns_no_space),
	T(allocate_of_size_zero_succeeds_and_allocates_nothing),
	T(allocate_fixed_at_an_unaligned_address_is_refused),
	T(allocate_fixed_outside_user_space_is_invalid_address),
	T(allocate_anywhere_larger_than_any_gap_returns_no_space),
	T(deallocate_in_the_middle_punches_a_hole),
	T(deallocate_trims_the_head_and_tail_of_a_region),
	T(deallocate_spans_several_regions_and_holes),
	T(deallocate_of_an_unmapped_range_succeeds_and_changes_nothing),
	T(deallocate_of_kernel_space_changes_nothing),
	T(deallocated_then_reallocated_memory_reads_zero),
	T(protect_splits_a_region_per_page),
	T(setting_the_maximum_lowers_the_current_protection),
	T(protection_above_the_maximum_fails_and_changes_nothing),
	T(the_maximum_cannot_be_raised_again),
	T(protect_over_a_hole_is_invalid_address_and_changes_nothing),
	T(write_to_a_read_only_page_raises_bad_access),
	T(read_of_a_no_access_page_raises_bad_access),
	T(execute_permission_lets_code_run),
	T(inherit_rejects_a_bad_value_and_changes_nothing),
	T(child_map_has_the_parents_regions_and_attributes),
	T(inherit_none_leaves_a_hole_the_child_can_fill),
	T(inherit_share_carries_writes_both_ways),
	T(a_copy_shared_page_survives_the_other_side_deallocating),
	T(inherit_share_shares_pages_not_touched_yet),
	T(inherit_copy_isolates_both_directions),
	T(shared_pages_stay_shared_when_a_sharer_forks_a_copy),
	T(a_shared_page_sent_out_of_line_arrives_as_it_was_sent),
	T(fork_keeps_a_no_access_page_out_of_reach),
	T(a_large_shared_region_forks_without_being_filled),
	T(read_result_is_a_copy_that_does_not_follow_later_writes),
	T(read_of_another_tasks_unmapped_range_fails_and_allocates_nothing),
	T(read_of_a_partially_mapped_range_fails_and_changes_nothing),
	T(write_into_read_only_memory_of_another_task_fails),
	T(write_to_an_unaligned_address_is_invalid_argument),
	T(write_running_past_the_mapped_range_writes_nothing),
	T(copy_to_moves_unaligned_bytes_across_a_page_from_a_task_into_ours),
	T(copy_to_moves_unaligned_bytes_from_ours_into_a_task_and_keeps_the_rest),
	T(copy_to_refuses_bad_ranges_on_either_side_and_changes_nothing),
	T(copy_to_moves_unaligned_bytes_across_a_page_from_a_task_into_ours_quick),
	T(copy_to_moves_unaligned_bytes_from_ours_into_a_task_and_keeps_the_rest_quick),
	T(copy_to_refuses_bad_ranges_on_either_side_and_changes_nothing_quick),
	T(copy_to_trap_leaves_other_ports_to_the_rpc),
	T(copy_to_an_overlapping_higher_range_moves_the_old_bytes),
	T(copy_to_an_overlapping_lower_range_moves_the_old_bytes),
	T(copy_across_regions_keeps_each_destinations_attributes),
	T(copy_is_isolated_from_later_writes_both_ways),
	T(copy_into_read_only_or_unmapped_memory_fails_and_changes_nothing),
	T(region_reports_protection_maximum_inheritance_and_size),
	T(region_in_a_hole_reports_the_next_region_and_past_the_end_no_space),
	T(calls_on_an_unknown_name_are_invalid_dest),
	T(calls_on_a_dead_task_are_refused),
	T(calls_on_a_port_that_is_not_a_task_are_refused),
	T(out_of_line_copy_is_isolated_both_ways_in_another_task),
	T(forked_child_writing_copies_only_the_pages_it_writes),
	T(external_pager_serves_faults_locks_and_gets_dirty_pages_back),
	T(pager_refusals_and_death_reach_the_faulting_thread),
	T(forked_object_region_keeps_copies_private_and_shares_shared_pages),
	T(copies_of_an_object_keep_its_contents_from_when_they_were_made),
	T(lock_request_leaves_a_no_access_page_unreadable),
	T(fuzz_100000_random_vm_calls),
	T(dirty_page_reaches_its_pager_when_memory_is_short),
	T(interrupts_stay_off_at_most_a_page_copy_in_vm_calls),
};

static uint32_t pages_before;

static void
leaks_before(void)
{
	pages_before = free_pages_with_heap();
}

static const char *
leaks_after(long long *delta)
{
	if (pages_before != free_pages_with_heap()) {
		*delta = (long long)pages_before - free_pages_with_heap();
		return "pages were not given back";
	}
	return NULL;
}

int
main(void)
{
	static const struct leak_check leaks = { leaks_before, leaks_after };
	int fail = run_suite("vm", tests, (int)(sizeof tests / sizeof tests[0]), &leaks);

	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
