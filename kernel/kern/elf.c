/*
 * ELF32 executable checks (see kern/elf.h). The field layout follows the System V
 * ABI's ELF specification; only what a static i386 executable uses is read.
 */
#include <kern/elf.h>

struct elf32_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD		1
#define PF_X		1
#define PF_W		2
#define ET_EXEC		2
#define EM_386		3

static int
get_header(const void *image, size_t size, struct elf32_ehdr *h)
{
	const uint8_t *p = image;

	for (size_t i = 0; i < sizeof *h; i++)
		((uint8_t *)h)[i] = i < size ? p[i] : 0;
	return size >= sizeof *h;
}

enum elf_error
elf_parse(const void *image, size_t size, uint32_t user_lo, uint32_t user_hi, struct elf_image *out)
{
	const uint8_t *base = image;
	struct elf32_ehdr h;
	int entry_ok = 0, complete;

	if (size == 0)
		return ELF_EMPTY;
	complete = get_header(image, size, &h);
	if (size < 4 || h.ident[0] != 0x7F || h.ident[1] != 'E' || h.ident[2] != 'L' || h.ident[3] != 'F')
		return ELF_NOT_ELF;
	if (!complete)
		return ELF_TRUNCATED;
	if (h.ident[4] != 1 || h.ident[5] != 1)
		return ELF_WRONG_CLASS;
	if (h.machine != EM_386)
		return ELF_WRONG_MACHINE;
	if (h.type != ET_EXEC)
		return ELF_NOT_EXECUTABLE;
	if (h.phentsize != sizeof(struct elf32_phdr) || h.phnum == 0)
		return ELF_NO_SEGMENTS;
	if (h.phoff > size || (size_t)h.phnum * sizeof(struct elf32_phdr) > size - h.phoff)
		return ELF_TRUNCATED;

	out->nsegments = 0;
	out->entry = h.entry;
	for (unsigned i = 0; i < h.phnum; i++) {
		struct elf32_phdr ph;
		const uint8_t *src = base + h.phoff + i * sizeof ph;

		for (size_t j = 0; j < sizeof ph; j++)
			((uint8_t *)&ph)[j] = src[j];
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (out->nsegments == ELF_MAX_SEGMENTS)
			return ELF_TOO_MANY_SEGMENTS;
		if (ph.filesz > ph.memsz || ph.vaddr < user_lo || ph.vaddr >= user_hi ||
		    ph.memsz > user_hi - ph.vaddr)
			return ELF_BAD_SEGMENT;
		if (ph.offset > size || ph.filesz > size - ph.offset)
			return ELF_TRUNCATED;
		if ((ph.flags & PF_X) && h.entry >= ph.vaddr && h.entry - ph.vaddr < ph.memsz)
			entry_ok = 1;
		out->seg[out->nsegments++] = (struct elf_segment){
			.vaddr = ph.vaddr, .memsz = ph.memsz, .offset = ph.offset,
			.filesz = ph.filesz, .writable = (ph.flags & PF_W) != 0,
		};
	}
	if (out->nsegments == 0)
		return ELF_NO_SEGMENTS;
	if (!entry_ok)
		return ELF_BAD_ENTRY;
	return ELF_OK;
}

const char *
elf_error_string(enum elf_error e)
{
	switch (e) {
	case ELF_OK: return "ok";
	case ELF_EMPTY: return "empty file";
	case ELF_NOT_ELF: return "not an ELF file";
	case ELF_TRUNCATED: return "truncated ELF file";
	case ELF_WRONG_CLASS: return "not a 32-bit little-endian ELF file";
	case ELF_WRONG_MACHINE: return "ELF file for another machine (not i386)";
	case ELF_NOT_EXECUTABLE: return "ELF file is not an executable";
	case ELF_BAD_SEGMENT: return "ELF segment outside user space";
	case ELF_TOO_MANY_SEGMENTS: return "too many ELF segments";
	case ELF_NO_SEGMENTS: return "ELF file has nothing to load";
	case ELF_BAD_ENTRY: return "ELF entry point outside its code";
	}
	return "unknown ELF error";
}
