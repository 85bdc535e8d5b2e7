/*
 * The Multiboot 1 information structure (Multiboot Specification 0.6.96), as
 * GRUB, QEMU's -kernel and our own UEFI loader (boot/efi) hand it to the kernel.
 * All addresses in it are physical.
 */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include <stdint.h>

#define MB_BOOT_MAGIC		0x2BADB002

#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_ELF_SHDR	(1u << 5)
#define MB_INFO_MEM_MAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)
#define MB_INFO_FRAMEBUFFER	(1u << 12)

#define MB_FB_TYPE_INDEXED	0
#define MB_FB_TYPE_RGB		1
#define MB_FB_TYPE_EGA_TEXT	2

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;		/* KiB below 1 MiB, above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
	uint32_t framebuffer_addr, framebuffer_addr_high;
	uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
	uint8_t framebuffer_bpp, framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));

struct multiboot_module {
	uint32_t mod_start, mod_end;		/* [start, end) */
	uint32_t cmdline;
	uint32_t reserved;
} __attribute__((packed));

/* Each entry is preceded by its own size, which does not count itself. */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;				/* 1: available RAM */
} __attribute__((packed));

#define MB_MMAP_AVAILABLE 1

#endif
