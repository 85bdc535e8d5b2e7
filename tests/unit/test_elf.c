/* ELF checks (kernel/kern/elf.c) on hand-made headers: each error and the happy path. */
#include <stdint.h>
#include <string.h>
#include <kern/elf.h>
#include "unit.h"

struct image {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	struct {
		uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
	} ph[2];
	uint8_t body[256];
} __attribute__((packed));

#define LO 0x1000u
#define HI 0xBFFF0000u

static struct image
good(void)
{
	struct image im;

	memset(&im, 0, sizeof im);
	memcpy(im.ident, "\177ELF\1\1\1", 7);
	im.type = 2;
	im.machine = 3;
	im.version = 1;
	im.entry = 0x400010;
	im.phoff = 52;
	im.ehsize = 52;
	im.phentsize = 32;
	im.phnum = 2;
	im.ph[0].type = 1;	/* text */
	im.ph[0].offset = 0;
	im.ph[0].vaddr = 0x400000;
	im.ph[0].filesz = im.ph[0].memsz = sizeof im;
	im.ph[0].flags = 5;
	im.ph[1].type = 1;	/* data + bss */
	im.ph[1].offset = 116;
	im.ph[1].vaddr = 0x401000;
	im.ph[1].filesz = 16;
	im.ph[1].memsz = 8192;
	im.ph[1].flags = 6;
	return im;
}

static enum elf_error
parse(const struct image *im, size_t size, struct elf_image *out)
{
	return elf_parse(im, size, LO, HI, out);
}

UNIT_TEST(elf_accepts_a_valid_executable)
{
	struct image im = good();
	struct elf_image out;

	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_OK);
	EXPECT_EQ(out.nsegments, 2);
	EXPECT_EQ(out.entry, 0x400010);
	EXPECT_EQ(out.seg[1].memsz, 8192);
	EXPECT_EQ(out.seg[1].writable, 1);
	EXPECT_EQ(out.seg[0].writable, 0);
}

UNIT_TEST(elf_rejects_empty_text_and_truncated_files)
{
	struct image im = good();
	struct elf_image out;

	EXPECT_EQ(elf_parse("", 0, LO, HI, &out), ELF_EMPTY);
	EXPECT_EQ(elf_parse("hello, world", 12, LO, HI, &out), ELF_NOT_ELF);
	EXPECT_EQ(elf_parse("\177EL", 3, LO, HI, &out), ELF_NOT_ELF);
	EXPECT_EQ(parse(&im, 40, &out), ELF_TRUNCATED);		/* inside the ELF header */
	EXPECT_EQ(parse(&im, 80, &out), ELF_TRUNCATED);		/* inside the program headers */
	EXPECT_EQ(parse(&im, 120, &out), ELF_TRUNCATED);	/* segments past the end */
}

UNIT_TEST(elf_rejects_wrong_class_machine_and_type)
{
	struct image im = good();
	struct elf_image out;

	im.ident[4] = 2;
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_WRONG_CLASS);
	im = good();
	im.ident[5] = 2;
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_WRONG_CLASS);
	im = good();
	im.machine = 62;	/* x86-64 */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_WRONG_MACHINE);
	im = good();
	im.type = 3;		/* shared object */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_NOT_EXECUTABLE);
}

UNIT_TEST(elf_rejects_segments_outside_user_space)
{
	struct image im = good();
	struct elf_image out;

	im.ph[1].vaddr = 0xC0000000;	/* the kernel's half */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_BAD_SEGMENT);
	im = good();
	im.ph[1].vaddr = 0xBFFFE000;	/* runs into the stack area */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_BAD_SEGMENT);
	im = good();
	im.ph[1].memsz = 0xFFFFF000;	/* wraps */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_BAD_SEGMENT);
	im = good();
	im.ph[0].vaddr = 0;		/* page 0 stays unmapped */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_BAD_SEGMENT);
	im = good();
	im.ph[1].filesz = 9000;		/* more file than memory */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_BAD_SEGMENT);
}

UNIT_TEST(elf_rejects_bad_entry_and_empty_programs)
{
	struct image im = good();
	struct elf_image out;

	im.entry = 0x401000;		/* in the data segment, which is not executable */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_BAD_ENTRY);
	im = good();
	im.ph[0].type = im.ph[1].type = 4;	/* notes only */
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_NO_SEGMENTS);
	im = good();
	im.phentsize = 40;
	EXPECT_EQ(parse(&im, sizeof im, &out), ELF_NO_SEGMENTS);
	EXPECT_STR(elf_error_string(ELF_WRONG_MACHINE), "ELF file for another machine (not i386)");
}
