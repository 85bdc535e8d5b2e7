/*
 * Checking an ELF32 i386 executable before anything is loaded from it. The
 * checks are the whole contract: after elf_parse() succeeds, every segment lies
 * inside the file and inside user space, so the loader copies without checking.
 * Portable C, tested on the host too.
 */
#ifndef KERN_ELF_H
#define KERN_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

enum elf_error {
	ELF_OK,
	ELF_EMPTY,		/* a zero-length image */
	ELF_NOT_ELF,		/* no ELF magic */
	ELF_TRUNCATED,		/* headers or segments reach past the end of the file */
	ELF_WRONG_CLASS,	/* not 32-bit little-endian */
	ELF_WRONG_MACHINE,	/* not i386 */
	ELF_NOT_EXECUTABLE,	/* not ET_EXEC (relocatable, shared, core) */
	ELF_BAD_SEGMENT,	/* a segment outside user space, wrapping, or filesz > memsz */
	ELF_TOO_MANY_SEGMENTS,
	ELF_NO_SEGMENTS,
	ELF_BAD_ENTRY,		/* the entry point is in no executable segment */
};

struct elf_segment {
	uint32_t vaddr, memsz;	/* where it goes */
	uint32_t offset, filesz;	/* what of the file fills it; the rest is zero */
	int writable;
};

struct elf_image {
	uint32_t entry;
	int nsegments;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* user_lo/user_hi: the range segments must fit in. */
enum elf_error elf_parse(const void *image, size_t size, uint32_t user_lo, uint32_t user_hi,
			 struct elf_image *out);
const char *elf_error_string(enum elf_error e);

#endif
