/*
 * Checks the kernel file (ELF32, i386, executable, with a Multiboot header)
 * and plans its loading: each PT_LOAD segment goes to its p_paddr, the
 * physical load address, whatever its link address. The bytes are not moved
 * yet: the firmware may still be using part of that memory, which is only ours
 * after ExitBootServices, so the trampoline copies them once paging is off.
 * Here we make sure no later allocation of ours can land in those ranges.
 */
#include "loader.h"
#include "multiboot.h"

#define EI_NIDENT 16
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1

struct elf32_ehdr {
	UINT8 e_ident[EI_NIDENT];
	UINT16 e_type, e_machine;
	UINT32 e_version, e_entry, e_phoff, e_shoff, e_flags;
	UINT16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} __attribute__((packed));

struct elf32_phdr {
	UINT32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} __attribute__((packed));

/*
 * Makes [start, end) ours. If the firmware will not hand it out whole, it may
 * still be memory that boot services only borrow (their code, data, stacks):
 * that is free after ExitBootServices. Then we claim the parts that are free
 * now and leave the borrowed parts to the trampoline. Anything else there
 * (runtime services, ACPI, MMIO, our own image) is a hard error.
 */
static EFI_STATUS
reserve_range(UINT64 start, UINT64 end, const char *path)
{
	EFI_PHYSICAL_ADDRESS addr = start;
	EFI_MEMORY_DESCRIPTOR *map, *d;
	UINTN entries, key, dsize;
	UINT32 dver;
	UINT64 covered = start;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData,
			       EFI_SIZE_TO_PAGES(end - start), &addr);
	if (!EFI_ERROR(st))
		return EFI_SUCCESS;

	map = LibMemoryMap(&entries, &key, &dsize, &dver);
	if (!map)
		return fail(EFI_OUT_OF_RESOURCES, L"cannot read the memory map");
	/* The map is sorted by address in every firmware we know; check as we go. */
	for (UINTN i = 0; i < entries && covered < end; i++) {
		UINT64 ds, de;

		d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * dsize);
		ds = d->PhysicalStart;
		de = ds + d->NumberOfPages * EFI_PAGE_SIZE;
		if (de <= covered || ds >= end)
			continue;
		if (ds > covered)
			break;	/* a hole: not RAM */
		if (d->Type == EfiConventionalMemory) {
			UINT64 s = covered, e = de < end ? de : end;

			addr = s;
			st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress,
					       EfiLoaderData, EFI_SIZE_TO_PAGES(e - s), &addr);
			if (EFI_ERROR(st))
				break;
		} else if (d->Type != EfiBootServicesCode && d->Type != EfiBootServicesData) {
			FreePool(map);
			return fail(EFI_LOAD_ERROR, L"%a wants physical memory 0x%lx-0x%lx, but "
				    L"0x%lx-0x%lx there is firmware memory of type %d",
				    path, start, end, ds, de, d->Type);
		}
		covered = de;
	}
	FreePool(map);
	if (covered < end)
		return fail(EFI_LOAD_ERROR, L"%a wants physical memory 0x%lx-0x%lx, which is "
			    L"not all free RAM (stops at 0x%lx)", path, start, end, covered);
	return EFI_SUCCESS;
}

/* The Multiboot header must be in the first 8 KiB, 4-byte aligned. */
static EFI_STATUS
check_multiboot_header(struct boot_item *k, struct kernel_image *img)
{
	UINTN limit = k->file.size < MB_HEADER_SEARCH ? k->file.size : MB_HEADER_SEARCH;

	for (UINTN off = 0; off + sizeof(struct mb_header) <= limit; off += 4) {
		struct mb_header *h = (struct mb_header *)(k->file.data + off);

		if (h->magic != MB_HEADER_MAGIC || h->magic + h->flags + h->checksum != 0)
			continue;
		if ((h->flags & 0xFFFF) & ~MB_HFLAGS_KNOWN)
			return fail(EFI_UNSUPPORTED, L"%a requires Multiboot features 0x%x that "
				    L"this loader does not provide", k->path,
				    (h->flags & 0xFFFF) & ~MB_HFLAGS_KNOWN);
		img->header_flags = h->flags;
		return EFI_SUCCESS;
	}
	return fail(EFI_LOAD_ERROR, L"%a has no Multiboot header in its first 8 KiB", k->path);
}

EFI_STATUS
elf_stage(struct boot_item *k, struct kernel_image *img)
{
	struct elf32_ehdr *eh = (struct elf32_ehdr *)k->file.data;
	UINT32 entry = 0;
	EFI_STATUS st;

	if (k->file.size < sizeof *eh || eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
	    eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F')
		return fail(EFI_LOAD_ERROR, L"%a is not an ELF file (bad magic)", k->path);
	if (eh->e_ident[4] != ELFCLASS32 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_machine != EM_386 || eh->e_type != ET_EXEC)
		return fail(EFI_LOAD_ERROR, L"%a is not an ELF i386 executable (class %d, "
			    L"data %d, machine %d, type %d)", k->path, eh->e_ident[4],
			    eh->e_ident[5], eh->e_machine, eh->e_type);
	if (eh->e_phentsize != sizeof(struct elf32_phdr) || eh->e_phnum == 0 ||
	    (UINT64)eh->e_phoff + (UINT64)eh->e_phnum * eh->e_phentsize > k->file.size)
		return fail(EFI_LOAD_ERROR, L"%a: corrupt ELF program header table", k->path);
	if (EFI_ERROR((st = check_multiboot_header(k, img))))
		return st;

	img->nseg = 0;
	for (UINTN i = 0; i < eh->e_phnum; i++) {
		struct elf32_phdr *ph = (struct elf32_phdr *)(k->file.data + eh->e_phoff) + i;
		UINT64 start, end;

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		if (ph->p_filesz > ph->p_memsz ||
		    (UINT64)ph->p_offset + ph->p_filesz > k->file.size)
			return fail(EFI_LOAD_ERROR, L"%a: corrupt ELF segment %d (offset 0x%x, "
				    L"file size 0x%x, memory size 0x%x, file is 0x%lx bytes)",
				    k->path, i, ph->p_offset, ph->p_filesz, ph->p_memsz,
				    (UINT64)k->file.size);
		start = ph->p_paddr & ~(UINT64)EFI_PAGE_MASK;
		end = (UINT64)ph->p_paddr + ph->p_memsz;
		if (end > 0x100000000ull || ph->p_paddr < 0x1000)
			return fail(EFI_LOAD_ERROR, L"%a: segment %d has an impossible physical "
				    L"address 0x%x (size 0x%x)", k->path, i, ph->p_paddr,
				    ph->p_memsz);
		if (img->nseg == MAX_SEGMENTS)
			return fail(EFI_UNSUPPORTED, L"%a has more than %d loadable segments",
				    k->path, MAX_SEGMENTS);
		if (EFI_ERROR((st = reserve_range(start, (end + EFI_PAGE_MASK) & ~(UINT64)EFI_PAGE_MASK,
						 k->path))))
			return st;
		/* The entry point may be given as a link (virtual) address: translate it. */
		if (eh->e_entry >= ph->p_vaddr && eh->e_entry - ph->p_vaddr < ph->p_memsz)
			entry = eh->e_entry - ph->p_vaddr + ph->p_paddr;
		else if (eh->e_entry >= ph->p_paddr && eh->e_entry - ph->p_paddr < ph->p_memsz)
			entry = eh->e_entry;
		img->seg[img->nseg++] = (struct segment_copy){
			.dst = ph->p_paddr,
			.src = (UINT32)(UINTN)(k->file.data + ph->p_offset),
			.filesz = ph->p_filesz,
			.memsz = ph->p_memsz,
		};
	}
	if (img->nseg == 0)
		return fail(EFI_LOAD_ERROR, L"%a has no loadable segments", k->path);
	if (!entry)
		return fail(EFI_LOAD_ERROR, L"%a: entry point 0x%x is outside every loadable "
			    L"segment", k->path, eh->e_entry);
	img->entry = entry;
	Print(L"manifold-efi: kernel %a: %d segments, entry 0x%x\n", k->path, img->nseg, entry);
	return EFI_SUCCESS;
}
