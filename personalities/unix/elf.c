/*
 * The checks a static i386 Linux executable must pass before any of it is
 * loaded, each with its reason: anything a module holds may be garbage. The
 * layout facts are the ELF specification's (32-bit, little-endian).
 */
#include <stdio.h>
#include <string.h>
#include "exec.h"

#define PAGE 4096u
#define PT_LOAD 1
#define PT_INTERP 3
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define ET_EXEC 2
#define EM_386 3
#define LOAD_MIN 0x1000u	/* the first page stays unmapped, for NULL */
#define LOAD_END 0x40000000u	/* anonymous mmap starts here (sys_mem.c) */
#define IMAGE_SPAN_MAX (256u * 1024 * 1024)

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

static int
refuse(struct exec_why *why, const char *text)
{
	snprintf(why->text, sizeof why->text, "%s", text);
	return -1;
}

static const struct phdr *
phdr_at(const uint8_t *image, uint32_t i)
{
	const struct ehdr *e = (const struct ehdr *)image;

	return (const struct phdr *)(image + e->phoff + i * sizeof(struct phdr));
}

int
elf_check(const uint8_t *image, size_t size, struct elf_load *out, struct exec_why *why)
{
	const struct ehdr *e = (const struct ehdr *)image;
	uint32_t lo = 0xFFFFFFFFu, hi = 0, phdr = 0;
	bool entry_ok = false;

	if (size < sizeof *e || memcmp(e->ident, "\177ELF", 4) != 0)
		return refuse(why, "not an ELF file (bad magic)");
	if (e->ident[4] != 1)
		return refuse(why, "not a 32-bit ELF file");
	if (e->ident[5] != 1)
		return refuse(why, "not a little-endian ELF file");
	if (e->machine != EM_386)
		return refuse(why, "not an i386 program (e_machine)");
	if (e->type != ET_EXEC)
		return refuse(why, "not a static executable (ET_EXEC): position-independent or a library");
	if (e->phentsize != sizeof(struct phdr) || e->phnum == 0 || e->phnum > 64)
		return refuse(why, "bad program header table (size or count)");
	if (e->phoff > size || (size - e->phoff) / sizeof(struct phdr) < e->phnum)
		return refuse(why, "program headers past the end of the file");
	for (uint32_t i = 0; i < e->phnum; i++) {
		const struct phdr *ph = phdr_at(image, i);

		if (ph->type == PT_INTERP)
			return refuse(why, "dynamically linked (PT_INTERP): only static programs run");
		if (ph->type != PT_LOAD || ph->memsz == 0)
			continue;
		if (ph->filesz > ph->memsz)
			return refuse(why, "a segment's file size exceeds its memory size");
		if (ph->offset > size || ph->filesz > size - ph->offset)
			return refuse(why, "a segment lies past the end of the file");
		if (ph->vaddr < LOAD_MIN || ph->vaddr >= LOAD_END || ph->memsz > LOAD_END - ph->vaddr)
			return refuse(why, "a segment lies outside 0x1000-0x40000000");
		if (ph->vaddr < lo)
			lo = ph->vaddr;
		if (ph->vaddr + ph->memsz > hi)
			hi = ph->vaddr + ph->memsz;
		if (e->entry >= ph->vaddr && e->entry < ph->vaddr + ph->memsz && (ph->flags & PF_X))
			entry_ok = true;
		if (e->phoff >= ph->offset && e->phoff - ph->offset < ph->filesz)
			phdr = ph->vaddr + (e->phoff - ph->offset);
	}
	if (hi == 0)
		return refuse(why, "no loadable segment");
	if (!entry_ok)
		return refuse(why, "entry point outside every executable segment");
	lo &= ~(PAGE - 1);
	hi = (hi + PAGE - 1) & ~(PAGE - 1);
	if (hi - lo > IMAGE_SPAN_MAX)
		return refuse(why, "segments span more than 256 MiB");
	out->entry = e->entry;
	out->lo = lo;
	out->hi = hi;
	out->phdr = phdr;
	out->phnum = e->phnum;
	return 0;
}

void
elf_copy_segments(const uint8_t *image, const struct elf_load *l, uint8_t *buf)
{
	const struct ehdr *e = (const struct ehdr *)image;

	for (uint32_t i = 0; i < e->phnum; i++) {
		const struct phdr *ph = phdr_at(image, i);

		if (ph->type == PT_LOAD && ph->memsz)
			memcpy(buf + (ph->vaddr - l->lo), image + ph->offset, ph->filesz);
	}
}

uint32_t
elf_page_prot(const uint8_t *image, uint32_t va)
{
	const struct ehdr *e = (const struct ehdr *)image;
	uint32_t prot = 0;

	for (uint32_t i = 0; i < e->phnum; i++) {
		const struct phdr *ph = phdr_at(image, i);
		uint32_t s = ph->vaddr & ~(PAGE - 1), end = ph->vaddr + ph->memsz;

		if (ph->type != PT_LOAD || !ph->memsz || va < s || va >= end)
			continue;
		prot |= (ph->flags & PF_R ? VM_PROT_READ : 0) | (ph->flags & PF_W ? VM_PROT_WRITE : 0) |
			(ph->flags & PF_X ? VM_PROT_EXECUTE | VM_PROT_READ : 0);
	}
	return prot;
}
