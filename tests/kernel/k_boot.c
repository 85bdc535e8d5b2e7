/*
 * Kernel suite: boot modules that are not programs are refused with a clear
 * message, and refusing them leaves nothing behind.
 */
#include <kern/boot.h>
#include <kern/console.h>
#include <kern/loader.h>
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
