/*
 * The point of no return: copies the trampoline (trampoline.S) to a page below
 * 4 GiB, takes the final memory map, exits boot services, converts the map
 * and jumps to the trampoline, which leaves long mode and enters the kernel.
 * Everything that can fail is done before ExitBootServices, so the loader
 * still returns to the firmware on any error.
 */
#include "loader.h"
#include "multiboot.h"

/* trampoline.S; the layout of its parameter block must match. */
extern char tramp_start[], tramp_end[], tramp_params[], tramp_gdt[];
struct tramp_params {
	UINT32 entry;		/* kernel entry, physical */
	UINT32 mbi;		/* EBX for the kernel */
	UINT32 segs;		/* struct segment_copy[nsegs], physical */
	UINT32 nsegs;
	UINT16 gdt_limit;	/* lgdt operand: limit, then 64-bit base */
	UINT64 gdt_base;
} __attribute__((packed));

#define TRAMP_PAGE 4096		/* code, parameters, GDT, then the stack at the top */

EFI_STATUS
handoff(struct kernel_image *img, struct mb_info *mbi)
{
	UINTN tsize = tramp_end - tramp_start;
	UINT8 *page;
	struct tramp_params *p;
	struct segment_copy *segs;
	EFI_MEMORY_DESCRIPTOR *map;
	UINTN map_size = 0, map_cap, key, dsize;
	UINT32 dver;
	EFI_STATUS st;

	if (tsize > TRAMP_PAGE / 2)
		return fail(EFI_LOAD_ERROR, L"internal: trampoline too large (%d bytes)", tsize);
	page = alloc_pages(TRAMP_PAGE, ANYWHERE);
	segs = alloc_pages(img->nseg * sizeof *segs, ANYWHERE);
	if (!page || !segs)
		return fail(EFI_OUT_OF_RESOURCES, L"no memory below 4 GiB for the trampoline");
	CopyMem(page, tramp_start, tsize);
	CopyMem(segs, img->seg, img->nseg * sizeof *segs);
	p = (struct tramp_params *)(page + (tramp_params - tramp_start));
	p->entry = img->entry;
	p->mbi = (UINT32)(UINTN)mbi;
	p->segs = (UINT32)(UINTN)segs;
	p->nsegs = img->nseg;
	/* The GDT moved with the code: point lgdt at the copy. */
	p->gdt_base = (UINT64)(UINTN)page + (tramp_gdt - tramp_start);

	/*
	 * Size the map, then reserve room for it (and for its Multiboot form)
	 * with slack, since these allocations themselves add descriptors.
	 */
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail(st, L"cannot size the memory map");
	map_cap = map_size + 16 * dsize;
	if (!(map = AllocatePool(map_cap)))
		return fail(EFI_OUT_OF_RESOURCES, L"no memory for the memory map");
	if (EFI_ERROR((st = mbinfo_mmap_reserve(mbi, map_cap / dsize))))
		return st;

	Print(L"manifold-efi: starting the kernel\n");
	/*
	 * ExitBootServices fails if the map changed since we read it (a timer
	 * event may allocate); then read it again and retry, without any other
	 * firmware call in between, as the UEFI spec allows.
	 */
	for (int tries = 0;; tries++) {
		map_size = map_cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, map, &key, &dsize, &dver);
		if (EFI_ERROR(st))
			return tries ? st : fail(st, L"cannot read the memory map");
		st = uefi_call_wrapper(BS->ExitBootServices, 2, loader_image, key);
		if (!EFI_ERROR(st))
			break;
		if (tries == 3)
			return st;	/* no console is safe to print to now */
	}

	mbinfo_add_mmap(mbi, map, map_size, dsize);
	((void (*)(void))page)();
	return EFI_ABORTED;	/* not reached */
}
