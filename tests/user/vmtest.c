/*
 * vmtest: the `vm` suite, run in the guest as the first task. The VM issue is
 * under way: these cases cover what exists (regions allocated and backed at
 * once, protection, inheritance recorded, vm_region, vm_read/vm_write/vm_copy,
 * on this task and on another through its task port). Copy-on-write, faults
 * and pagers will add theirs. After each case every free page must be back,
 * page tables included.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include <stdbool.h>
#include "suite.h"

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
	CHECK_EQ(vm_read(ME, a, PAGE, &b, &n), KERN_INVALID_ADDRESS);	/* no access at all */
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
		CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh), KERN_SUCCESS);
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
	CHECK_EQ(vm_protect(MACH_PORT_NULL, a, PAGE, 0, VM_PROT_READ), KERN_INVALID_TASK);
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
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh), KERN_SUCCESS);
	CHECK_EQ(size, PAGE);			/* split into three */
	CHECK_EQ(in, VM_INHERIT_COPY);
	addr = a + PAGE;
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh), KERN_SUCCESS);
	CHECK_EQ(in, VM_INHERIT_SHARE);
	addr = a + 2 * PAGE;
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh), KERN_SUCCESS);
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

	while (vm_region(ME, &addr, &size, &p, &m, &in, &sh) == KERN_SUCCESS) {
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
	CHECK_EQ(vm_region(ME, &addr, &size, &p, &m, &in, &sh), KERN_NO_SPACE);
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
	CHECK_EQ(vm_write(ME, a, 0x7000000, 4), KERN_INVALID_ADDRESS);		/* our side unmapped */
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
	uint32_t free0 = free_pages();
	vm_address_t a = region(64 * PAGE);

	CHECK(a);
	CHECK(free0 - free_pages() <= 1);			/* nothing but perhaps a page table... */
	CHECK_EQ(((volatile uint32_t *)a)[5], 0);		/* a read fills with zeros */
	((volatile uint32_t *)(a + 10 * PAGE))[0] = 9;
	((volatile uint32_t *)(a + 63 * PAGE))[1023] = 9;
	CHECK(free0 - free_pages() <= 4);			/* ...and three pages */
	CHECK(free0 - free_pages() >= 3);
	vm_deallocate(ME, a, 64 * PAGE);
	CHECK_EQ(free_pages(), free0);
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
	before = free_pages();
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	after_fork = free_pages();
	CHECK(before - after_fork < N);		/* the 16 pages are shared, not copied */
	((volatile uint32_t *)a)[0] = 7;		/* the parent writes one page */
	CHECK_EQ(after_fork - free_pages(), 1);	/* ...and gets one copy */
	((volatile uint32_t *)a)[1] = 8;		/* a second write costs nothing more */
	CHECK_EQ(after_fork - free_pages(), 1);
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
	uint32_t free0 = free_pages();
	mach_port_t child;
	vm_address_t a = 0x40000000;

	hog_base = a;		/* the child's copy of it says where to touch */
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(vm_allocate(child, &a, 0x20000000, 0), KERN_SUCCESS);	/* 512 MiB: more than there is */
	CHECK_EQ(start_in(child, child_touches_until_memory_runs_out, &child_stack[1020]), KERN_SUCCESS);
	CHECK(wait_dead_name(child));		/* it died of it; we did not */
	mach_port_deallocate(ME, child);
	CHECK_EQ(free_pages(), free0);		/* and everything it had came back */
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
	before = free_pages();
	CHECK_EQ(send_region(p, a, N * PAGE, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(receive_region(p, &got, &size), MACH_MSG_SUCCESS);
	CHECK_EQ(size, N * PAGE);
	CHECK(got != a);
	CHECK(before - free_pages() <= 2);		/* no page was copied (a page table may be new) */
	CHECK_EQ(((volatile uint32_t *)(got + 5 * PAGE))[0], 6);
	before = free_pages();
	((volatile uint32_t *)(got + 5 * PAGE))[0] = 60;	/* the receiver writes: one copy */
	CHECK_EQ(before - free_pages(), 1);
	CHECK_EQ(((volatile uint32_t *)(a + 5 * PAGE))[0], 6);	/* the sender's stays */
	((volatile uint32_t *)(a + 2 * PAGE))[0] = 30;		/* the sender writes: one copy */
	CHECK_EQ(before - free_pages(), 2);
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
	before = free_pages();
	CHECK_EQ(send_region(p, a, 4 * PAGE, 1), MACH_MSG_SUCCESS);
	again = a;
	CHECK_EQ(vm_allocate(ME, &again, PAGE, 0), KERN_SUCCESS);	/* the range left the sender */
	vm_deallocate(ME, again, PAGE);
	CHECK_EQ(receive_region(p, &got, &size), MACH_MSG_SUCCESS);
	CHECK_EQ(((volatile uint32_t *)(got + 3 * PAGE))[1], 0xAB03);
	((volatile uint32_t *)(got + 3 * PAGE))[1] = 1;	/* the only holder writes: no copy */
	CHECK(before - free_pages() <= 2);
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
 * 100,000 random vm calls: on a child task (anything goes there), on a
 * sandbox range of ours, and on names that are not tasks. Every call must
 * return (a code or success) and, at the end, every page must be back.
 */
static void
fuzz_100000_random_vm_calls(void)
{
	uint32_t free0 = free_pages();
	mach_port_t child, bogus;
	static uint8_t buf[3 * PAGE];
	const vm_address_t sand = 0x50000000, sand_size = 0x00400000;

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &bogus);
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	for (int i = 0; i < 100000; i++) {
		uint32_t pick = rnd() % 10;
		mach_port_t task = pick < 6 ? child : pick < 9 ? ME : (rnd() % 2 ? bogus : rnd());
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
		switch (rnd() % 8) {
		case 0:
			vm_allocate(task, &addr, size, rnd() % 2);
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
			vm_region(task, &got, &sz, &p, &m, &in, &sh);
		}
		}
	}
	task_terminate(child);
	CHECK(wait_dead_name(child));
	mach_port_deallocate(ME, child);
	mach_port_destroy(ME, bogus);
	vm_deallocate(ME, sand, sand_size);
	CHECK_EQ(free_pages(), free0);
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
	T(fuzz_100000_random_vm_calls),
};

static uint32_t pages_before;

static void
leaks_before(void)
{
	pages_before = free_pages();
}

static const char *
leaks_after(long long *delta)
{
	if (pages_before != free_pages()) {
		*delta = (long long)pages_before - free_pages();
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
