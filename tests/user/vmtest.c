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
#include "suite.h"

#define ME mach_task_self()
#define PAGE 4096u

static uint32_t
free_pages(void)
{
	struct manifold_kernel_stats st;

	trap_raw(TRAP_kernel_stats, (uint32_t)&st, 0, 0, 0, 0);
	return st.free_pages;
}

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

static void
allocation_until_memory_runs_out_fails_cleanly(void)
{
	static vm_address_t got[4096];
	uint32_t free0 = free_pages();
	int n = 0;
	kern_return_t kr = KERN_SUCCESS;

	while (n < 4096) {
		vm_address_t a = 0;
		kr = vm_allocate(ME, &a, 64 * PAGE, 1);
		if (kr != KERN_SUCCESS)
			break;
		got[n++] = a;
	}
	CHECK_EQ(kr, KERN_RESOURCE_SHORTAGE);	/* refused, not crashed */
	CHECK(n > 10);
	for (int i = 0; i < n; i++)
		CHECK_EQ(vm_deallocate(ME, got[i], 64 * PAGE), KERN_SUCCESS);
	CHECK_EQ(free_pages(), free0);		/* pages and page tables all back */
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
	T(allocation_until_memory_runs_out_fails_cleanly),
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
