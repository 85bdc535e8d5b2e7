/*
 * The kernel's virtual address layout, shared by C and assembly.
 *
 *   0x00000000 - 0xBFFFFFFF  user space (per task)
 *   0xC0000000 - 0xDFFFFFFF  all physical memory below 512 MiB, mapped 1:1
 *   0xE0000000 - 0xE3FFFFFF  kernel heap (kmalloc), page tables preallocated
 *   0xF0000000 - 0xF3FFFFFF  device windows (framebuffer, MMIO)
 *
 * The kernel's page-directory entries are fixed once pmap_init() has run, so a
 * task's page directory can copy them at creation and never needs updating.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define KERNEL_BASE	0xC0000000
#define USER_TOP	0xC0000000
#define DIRECT_MAP_MAX	0x20000000	/* bytes of physical memory the kernel maps */
#define KHEAP_BASE	0xE0000000
#define KHEAP_SIZE	0x04000000
#define DEVMAP_BASE	0xF0000000
#define DEVMAP_SIZE	0x04000000
#define BOOT_STACK_SIZE	16384
#define KSTACK_SIZE	8192
#define PAGE_SIZE	4096

#ifndef __ASSEMBLER__
#include <stdint.h>
#define P2V(pa)	((void *)((uintptr_t)(pa) + KERNEL_BASE))
#define V2P(va)	((uintptr_t)(va) - KERNEL_BASE)
#endif

#endif
