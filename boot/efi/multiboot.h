/*
 * The Multiboot 1 boot information structure, as the loader hands it to the
 * kernel (Multiboot Specification 0.6.96, including its framebuffer fields).
 * Every address in it is a 32-bit physical address: the kernel runs with
 * paging off when it first reads this.
 */
#ifndef BOOT_EFI_MULTIBOOT_H
#define BOOT_EFI_MULTIBOOT_H

#include <efi.h>

#define MB_HEADER_MAGIC     0x1BADB002u	/* in the kernel's first 8 KiB */
#define MB_BOOT_MAGIC       0x2BADB002u	/* in EAX at the kernel's entry */
#define MB_HEADER_SEARCH    8192

/* Header flags 0-15 are requirements: a loader must refuse ones it lacks. */
#define MB_HFLAG_PAGE_ALIGN 0x00000001u
#define MB_HFLAG_MEMINFO    0x00000002u
#define MB_HFLAG_VIDEO      0x00000004u
#define MB_HFLAGS_KNOWN     (MB_HFLAG_PAGE_ALIGN | MB_HFLAG_MEMINFO | MB_HFLAG_VIDEO)

/* Info flags: which fields below are valid. */
#define MB_INFO_MEM         (1u << 0)
#define MB_INFO_CMDLINE     (1u << 2)
#define MB_INFO_MODS        (1u << 3)
#define MB_INFO_MMAP        (1u << 6)
#define MB_INFO_LOADER_NAME (1u << 9)
#define MB_INFO_FRAMEBUFFER (1u << 12)

#define MB_MMAP_AVAILABLE   1
#define MB_MMAP_RESERVED    2
#define MB_MMAP_ACPI        3
#define MB_MMAP_NVS         4
#define MB_MMAP_BAD         5

#define MB_FB_TYPE_RGB      1

struct mb_header {
	UINT32 magic;
	UINT32 flags;
	UINT32 checksum;	/* magic + flags + checksum == 0 (mod 2^32) */
};

struct mb_info {
	UINT32 flags;
	UINT32 mem_lower;	/* KiB from 0, up to 640 KiB */
	UINT32 mem_upper;	/* KiB of the run starting at 1 MiB */
	UINT32 boot_device;
	UINT32 cmdline;
	UINT32 mods_count;
	UINT32 mods_addr;
	UINT32 syms[4];
	UINT32 mmap_length;
	UINT32 mmap_addr;
	UINT32 drives_length;
	UINT32 drives_addr;
	UINT32 config_table;
	UINT32 boot_loader_name;
	UINT32 apm_table;
	UINT32 vbe_control_info;
	UINT32 vbe_mode_info;
	UINT16 vbe_mode;
	UINT16 vbe_interface_seg;
	UINT16 vbe_interface_off;
	UINT16 vbe_interface_len;
	UINT64 framebuffer_addr;
	UINT32 framebuffer_pitch;
	UINT32 framebuffer_width;
	UINT32 framebuffer_height;
	UINT8 framebuffer_bpp;
	UINT8 framebuffer_type;
	UINT8 red_position, red_size;
	UINT8 green_position, green_size;
	UINT8 blue_position, blue_size;
} __attribute__((packed));

struct mb_module {
	UINT32 mod_start;
	UINT32 mod_end;		/* one past the last byte */
	UINT32 string;
	UINT32 reserved;
} __attribute__((packed));

/* `size` counts the bytes after itself, so a reader can step over new fields. */
struct mb_mmap_entry {
	UINT32 size;
	UINT64 addr;
	UINT64 len;
	UINT32 type;
} __attribute__((packed));

#endif
