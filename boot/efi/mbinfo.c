/*
 * Builds the Multiboot 1 information structure the kernel receives in EBX:
 * command line, loader name, modules, the framebuffer from GOP, and the
 * memory map converted from the UEFI one. The map is filled in last, after
 * ExitBootServices, into room reserved beforehand (mbinfo_mmap_reserve), since
 * nothing may be allocated between the final GetMemoryMap and the exit.
 */
#include "loader.h"
#include "multiboot.h"

static struct mb_mmap_entry *mmap_room;
static UINTN mmap_capacity;

EFI_STATUS
mbinfo_build(struct boot_config *cfg, struct mb_info **out)
{
	struct mb_info *mbi;
	struct mb_module *mods;
	char *name;

	mbi = info_alloc(sizeof *mbi + cfg->nmodules * sizeof *mods);
	name = info_strdup(LOADER_NAME, str_len(LOADER_NAME));
	if (!mbi || !name)
		return fail(EFI_OUT_OF_RESOURCES, L"no memory below 4 GiB for the boot information");
	ZeroMem(mbi, sizeof *mbi);
	mods = (struct mb_module *)(mbi + 1);

	/* config.c put every string in the boot information already. */
	mbi->flags = MB_INFO_CMDLINE | MB_INFO_LOADER_NAME | MB_INFO_MODS;
	mbi->cmdline = (UINT32)(UINTN)cfg->kernel.cmdline;
	mbi->boot_loader_name = (UINT32)(UINTN)name;
	mbi->mods_count = cfg->nmodules;
	mbi->mods_addr = (UINT32)(UINTN)mods;
	for (UINTN i = 0; i < cfg->nmodules; i++) {
		struct boot_item *m = &cfg->modules[i];

		mods[i].mod_start = (UINT32)(UINTN)m->file.data;
		mods[i].mod_end = (UINT32)((UINTN)m->file.data + m->file.size);
		mods[i].string = (UINT32)(UINTN)m->cmdline;
		mods[i].reserved = 0;
	}
	*out = mbi;
	return EFI_SUCCESS;
}

/* Position and width of the one run of set bits in mask. */
static void
mask_field(UINT32 mask, UINT8 *pos, UINT8 *size)
{
	UINT8 p = 0, s = 0;

	while (mask && !(mask & 1))
		mask >>= 1, p++;
	while (mask & 1)
		mask >>= 1, s++;
	*pos = p;
	*size = s;
}

/*
 * UEFI machines have no VGA text mode, so the kernel's only screen is the GOP
 * framebuffer in whatever mode the firmware left it. Having no GOP, or one
 * the kernel cannot address, is not an error: the serial console remains.
 */
EFI_STATUS
mbinfo_add_framebuffer(struct mb_info *mbi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol, NULL,
			       (void **)&gop);
	if (EFI_ERROR(st) || !gop->Mode || !gop->Mode->Info) {
		Print(L"manifold-efi: no graphics output: the kernel will use serial only\n");
		return EFI_SUCCESS;
	}
	info = gop->Mode->Info;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		mbi->red_position = 0, mbi->green_position = 8, mbi->blue_position = 16;
		mbi->red_size = mbi->green_size = mbi->blue_size = 8;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		mbi->red_position = 16, mbi->green_position = 8, mbi->blue_position = 0;
		mbi->red_size = mbi->green_size = mbi->blue_size = 8;
		break;
	case PixelBitMask:
		mask_field(info->PixelInformation.RedMask, &mbi->red_position, &mbi->red_size);
		mask_field(info->PixelInformation.GreenMask, &mbi->green_position,
			   &mbi->green_size);
		mask_field(info->PixelInformation.BlueMask, &mbi->blue_position,
			   &mbi->blue_size);
		break;
	default:
		Print(L"manifold-efi: the display has no linear framebuffer (Blt only): "
		      L"the kernel will use serial only\n");
		return EFI_SUCCESS;
	}
	if (gop->Mode->FrameBufferBase + gop->Mode->FrameBufferSize > 0x100000000ull) {
		Print(L"manifold-efi: the framebuffer at 0x%lx is above 4 GiB: the kernel "
		      L"will use serial only\n", gop->Mode->FrameBufferBase);
		return EFI_SUCCESS;
	}
	mbi->flags |= MB_INFO_FRAMEBUFFER;
	mbi->framebuffer_addr = gop->Mode->FrameBufferBase;
	mbi->framebuffer_pitch = info->PixelsPerScanLine * 4;
	mbi->framebuffer_width = info->HorizontalResolution;
	mbi->framebuffer_height = info->VerticalResolution;
	mbi->framebuffer_bpp = 32;	/* GOP's direct formats are all 4 bytes a pixel */
	mbi->framebuffer_type = MB_FB_TYPE_RGB;
	Print(L"manifold-efi: framebuffer %dx%d at 0x%lx\n", info->HorizontalResolution,
	      info->VerticalResolution, gop->Mode->FrameBufferBase);
	return EFI_SUCCESS;
}

EFI_STATUS
mbinfo_mmap_reserve(struct mb_info *mbi, UINTN descriptors)
{
	(void)mbi;
	mmap_capacity = descriptors;
	mmap_room = alloc_pages(descriptors * sizeof *mmap_room, BELOW_1M);
	if (!mmap_room)
		return fail(EFI_OUT_OF_RESOURCES, L"no memory below 4 GiB for the memory map");
	return EFI_SUCCESS;
}

static UINT32
mb_type(UINT32 efi_type)
{
	switch (efi_type) {
	/* Ours and the firmware's boot-time memory are free once the kernel runs;
	 * the kernel knows where its modules and this structure lie. */
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiConventionalMemory:
		return MB_MMAP_AVAILABLE;
	case EfiACPIReclaimMemory:
		return MB_MMAP_ACPI;
	case EfiACPIMemoryNVS:
		return MB_MMAP_NVS;
	case EfiUnusableMemory:
		return MB_MMAP_BAD;
	default:	/* runtime services, MMIO, reserved, persistent */
		return MB_MMAP_RESERVED;
	}
}

/*
 * Converts the final UEFI map, merging neighbours of the same Multiboot type,
 * and derives mem_lower/mem_upper from it. Runs after ExitBootServices: no
 * firmware calls, no allocation, no printing.
 */
void
mbinfo_add_mmap(struct mb_info *mbi, EFI_MEMORY_DESCRIPTOR *map, UINTN size, UINTN dsize)
{
	UINTN n = 0;

	for (UINTN off = 0; off + dsize <= size; off += dsize) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + off);
		UINT64 base = d->PhysicalStart, len = d->NumberOfPages * EFI_PAGE_SIZE;
		UINT32 type = mb_type(d->Type);
		struct mb_mmap_entry *prev = n ? &mmap_room[n - 1] : NULL;

		if (prev && prev->type == type && prev->addr + prev->len == base) {
			prev->len += len;
			continue;
		}
		if (n == mmap_capacity)
			break;	/* cannot happen: reserved for every descriptor */
		mmap_room[n++] = (struct mb_mmap_entry){
			.size = sizeof(struct mb_mmap_entry) - 4,
			.addr = base,
			.len = len,
			.type = type,
		};
	}
	mbi->mmap_addr = (UINT32)(UINTN)mmap_room;
	mbi->mmap_length = n * sizeof *mmap_room;
	mbi->flags |= MB_INFO_MMAP;

	mbi->mem_lower = mbi->mem_upper = 0;
	for (UINTN i = 0; i < n; i++) {
		struct mb_mmap_entry *e = &mmap_room[i];

		if (e->type != MB_MMAP_AVAILABLE)
			continue;
		if (e->addr == 0)
			mbi->mem_lower = (e->len > 640 * 1024 ? 640 * 1024 : e->len) / 1024;
		if (e->addr <= 0x100000 && e->addr + e->len > 0x100000) {
			UINT64 kib = (e->addr + e->len - 0x100000) / 1024;

			mbi->mem_upper = kib > 0xFFFFFFFFull ? 0xFFFFFFFF : (UINT32)kib;
		}
	}
	mbi->flags |= MB_INFO_MEM;
}
