/*
 * Kernel suite: boot modules that are not programs are refused with a clear
 * message, and refusing them leaves nothing behind.
 */
#include <kern/boot.h>
#include <kern/console.h>
#include <kern/kmem.h>
#include <kern/loader.h>
#include <kern/page.h>
#include <kern/sched.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "ktest.h"
#include "layout.h"

static void
expect_refused(const char *name, enum elf_error want, const char *message)
{
	struct boot_module *m = ktest_module(name);
	enum elf_error why = ELF_OK;
	struct task *t = NULL;

	if (!m) {
		ktest_fail(__FILE__, __LINE__, "no boot module %s", name);
		return;
	}
	KEXPECT_EQ(loader_start_task(P2V(m->start), m->size, m->cmdline, &t, &why), KERN_INVALID_OBJECT);
	KEXPECT_EQ(why, want);
	KEXPECT(t == NULL);
	KEXPECT(strcmp(elf_error_string(why), message) == 0);
}

KTEST(kernel, boot_module_that_is_not_elf_is_refused)
{
	expect_refused("notelf.bin", ELF_NOT_ELF, "not an ELF file");
}

KTEST(kernel, truncated_boot_module_is_refused)
{
	expect_refused("truncated", ELF_TRUNCATED, "truncated ELF file");
}

KTEST(kernel, boot_module_for_another_machine_is_refused)
{
	expect_refused("x86_64", ELF_WRONG_CLASS, "not a 32-bit little-endian ELF file");
	expect_refused("wrongmachine", ELF_WRONG_MACHINE, "ELF file for another machine (not i386)");
}

KTEST(kernel, empty_boot_module_is_refused)
{
	expect_refused("empty.bin", ELF_EMPTY, "empty file");
}

/* Hand-made files (tests/kernel/mkelf.py): segments no loader may map. */
KTEST(kernel, elf_segments_in_kernel_space_wrapping_or_over_the_stacks_are_refused)
{
	uint32_t pages = page_free_count();

	expect_refused("kspace", ELF_BAD_SEGMENT, "ELF segment outside user space");
	expect_refused("wrapping", ELF_BAD_SEGMENT, "ELF segment outside user space");
	expect_refused("stackseg", ELF_BAD_SEGMENT, "ELF segment outside user space");
	expect_refused("pastend", ELF_TRUNCATED, "truncated ELF file");
	KEXPECT_EQ(page_free_count(), pages);
}

/*
 * Two segments on the same pages (code, then data over its second half and
 * beyond) are one mapping with the protections merged; the task runs, is
 * ended, and every page comes back.
 */
KTEST(kernel, elf_segments_that_overlap_are_loaded_once_and_freed_once)
{
	struct boot_module *m = ktest_module("overlap");
	enum elf_error why = ELF_OK;
	uint32_t pages;
	struct task *t = NULL;

	KEXPECT(m != NULL);
	if (!m)
		return;
	thread_sleep_ticks(5);		/* earlier cases' tasks finished */
	pages = page_free_count() + kmem_pages_mapped();	/* the heap keeps a few pages for reuse */
	KEXPECT_EQ(loader_start_task(P2V(m->start), m->size, m->cmdline, &t, &why), KERN_SUCCESS);
	KEXPECT(t != NULL);
	if (!t)
		return;
	thread_sleep_ticks(2);		/* it runs its jmp . */
	KEXPECT_EQ(t->state, TASK_ALIVE);
	KEXPECT(vm_map_size(t) >= 3 * PAGE_SIZE);
	task_terminate(t, TASK_KILLED, 0);
	KEXPECT_EQ(task_wait(t, 500), 0);
	task_unref(t);
	thread_sleep_ticks(5);		/* the reaper frees it */
	KEXPECT_EQ(page_free_count() + kmem_pages_mapped(), pages);
}
