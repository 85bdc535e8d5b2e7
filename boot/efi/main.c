/*
 * Manifold's native UEFI loader: efi_main and the small helpers every step
 * shares. It boots a Multiboot 1 kernel and its modules from the volume or
 * the network the loader itself came from, so a UEFI machine gets the same
 * entry contract as GRUB or QEMU -kernel would give. Any failure prints one
 * clear line and returns an error to the firmware, which then tries its next
 * boot option.
 */
#include "loader.h"
#include "multiboot.h"

EFI_HANDLE loader_image;

/* How long a failure message stays up before we return to the firmware. */
#define FAIL_PAUSE_US (3 * 1000 * 1000)

/*
 * Print "manifold-efi: error: <message>" and give the status back, so error
 * paths read `return fail(st, L"...", ...)`. The pause lets a person read the
 * line before the firmware's boot manager redraws the screen.
 */
EFI_STATUS
fail(EFI_STATUS status, CHAR16 *fmt, ...)
{
	va_list ap;

	Print(L"manifold-efi: error: ");
	va_start(ap, fmt);
	VPrint(fmt, ap);
	va_end(ap);
	Print(L"\nmanifold-efi: returning to the firmware (%r)\n", status);
	uefi_call_wrapper(BS->Stall, 1, FAIL_PAUSE_US);
	return status;
}

/* Lowest free RAM at or above `floor` that fits `pages`, or 0. */
static EFI_PHYSICAL_ADDRESS
lowest_free(UINTN pages, UINT64 floor, UINT64 ceiling)
{
	EFI_MEMORY_DESCRIPTOR *map;
	UINTN entries, key, dsize;
	UINT32 dver;
	EFI_PHYSICAL_ADDRESS best = 0;

	if (!(map = LibMemoryMap(&entries, &key, &dsize, &dver)))
		return 0;
	for (UINTN i = 0; i < entries; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * dsize);
		UINT64 s = d->PhysicalStart, e = s + d->NumberOfPages * EFI_PAGE_SIZE;

		if (d->Type != EfiConventionalMemory)
			continue;
		if (s < floor)
			s = floor;
		if (s >= e || e - s < pages * EFI_PAGE_SIZE || s + pages * EFI_PAGE_SIZE > ceiling)
			continue;
		if (!best || s < best)
			best = s;
	}
	FreePool(map);
	return best;
}

/*
 * Page-aligned memory below 4 GiB, never freed: the kernel inherits it. NULL
 * (after a message) when the firmware has none left there.
 */
void *
alloc_pages(UINTN bytes, enum placement where)
{
	UINTN pages = EFI_SIZE_TO_PAGES(bytes ? bytes : 1);
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;

	if (where == BELOW_1M) {
		addr = 0xFFFFF;
		st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
				       pages, &addr);
		if (!EFI_ERROR(st))
			return (void *)(UINTN)addr;
		where = LOWEST;
	}
	if (where == LOWEST && (addr = lowest_free(pages, 0x100000, 0x100000000ull))) {
		st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData,
				       pages, &addr);
		if (!EFI_ERROR(st))
			return (void *)(UINTN)addr;
	}
	addr = 0xFFFFFFFFull;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, pages,
			       &addr);
	if (EFI_ERROR(st)) {
		Print(L"manifold-efi: error: no memory below 4 GiB for %lu bytes (%r)\n",
		      (UINT64)bytes, st);
		return NULL;
	}
	return (void *)(UINTN)addr;
}

/*
 * The boot information (Multiboot structure, module list, every string the
 * kernel gets) comes from one arena below 1 MiB, so the kernel finds it all
 * where GRUB would have put it.
 */
#define INFO_ARENA (64 * 1024)

void *
info_alloc(UINTN bytes)
{
	static UINT8 *arena;
	static UINTN used;
	void *p;

	bytes = (bytes + 7) & ~(UINTN)7;
	if (!arena && !(arena = alloc_pages(INFO_ARENA, BELOW_1M)))
		return NULL;
	if (bytes > INFO_ARENA - used) {
		Print(L"manifold-efi: error: boot information exceeds %d bytes\n", INFO_ARENA);
		return NULL;
	}
	p = arena + used;
	used += bytes;
	return p;
}

UINTN
str_len(const char *s)
{
	UINTN n = 0;

	while (s[n])
		n++;
	return n;
}

static char *
copy_string(char *d, const char *s, UINTN len)
{
	if (d) {
		CopyMem(d, (void *)s, len);
		d[len] = '\0';
	}
	return d;
}

/* A NUL-terminated copy of s[0..len) in the boot information, for the kernel. */
char *
info_strdup(const char *s, UINTN len)
{
	return copy_string(info_alloc(len + 1), s, len);
}

/* A NUL-terminated copy of s[0..len) for the loader's own use. */
char *
pool_strdup(const char *s, UINTN len)
{
	return copy_string(AllocatePool(len + 1), s, len);
}

EFI_STATUS
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static struct boot_config cfg;
	static struct kernel_image kimg;
	struct mb_info *mbi;
	EFI_STATUS st;

	InitializeLib(image, systab);
	loader_image = image;
	/* A slow TFTP server must not trip the firmware's 5-minute watchdog. */
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	Print(L"manifold-efi: " LOADER_NAME L"\n");

	if (EFI_ERROR((st = source_open(image))))
		return st;
	if (EFI_ERROR((st = config_load(&cfg))))
		return st;
	/* The kernel first: its segments claim their memory before modules are placed. */
	if (EFI_ERROR((st = config_read_files(&cfg, FALSE))))
		return st;
	if (EFI_ERROR((st = elf_stage(&cfg.kernel, &kimg))))
		return st;
	if (EFI_ERROR((st = config_read_files(&cfg, TRUE))))
		return st;
	if (EFI_ERROR((st = mbinfo_build(&cfg, &mbi))))
		return st;
	if (EFI_ERROR((st = mbinfo_add_framebuffer(mbi))))
		return st;
	return handoff(&kimg, mbi);	/* returns only on failure */
}
