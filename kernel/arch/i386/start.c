/*
 * The C entry point: set up the CPU (segments, traps, interrupt controller,
 * timer), read the Multiboot information into kern/boot.h's form, describe
 * physical memory to the page allocator, switch to the real kernel page tables,
 * then hand over to the machine-independent kern_main().
 */
#include <kern/stack_args.h>
#include <kern/boot.h>
#include <kern/console.h>
#include <kern/lib.h>
#include <kern/page.h>
#include "cpu.h"
#include "arch_thread.h"
#include "gdt.h"
#include "idt.h"
#include "layout.h"
#include "multiboot.h"
#include "pic.h"
#include "pit.h"
#include "uart.h"
#include "pmap.h"

void kern_main(void);

extern char _end[];
/* The early page tables map this much; everything boot code reads must lie below. */
#define EARLY_MAPPED 0x04000000

uint32_t boot_mem_kib;

static void
copy_string(char *dst, size_t size, uint32_t pa)
{
	if (!pa || pa >= EARLY_MAPPED) {
		dst[0] = 0;
		return;
	}
	strlcpy(dst, P2V(pa), size);
}

/* Describes RAM to the page allocator; returns the top of usable RAM. */
static paddr_t
read_memory_map(const struct multiboot_info *mbi, paddr_t placement)
{
	paddr_t top = 0;

	if (mbi->flags & MB_INFO_MEM_MAP) {
		uint32_t off = 0;
		while (off + sizeof(struct multiboot_mmap_entry) <= mbi->mmap_length) {
			const struct multiboot_mmap_entry *e = P2V(mbi->mmap_addr + off);
			if (e->type == MB_MMAP_AVAILABLE && e->addr < DIRECT_MAP_MAX) {
				uint64_t end = MIN(e->addr + e->len, (uint64_t)DIRECT_MAP_MAX);
				top = MAX(top, (paddr_t)end);
			}
			if (e->type == MB_MMAP_AVAILABLE && e->addr + e->len > DIRECT_MAP_MAX)	/* said at boot */
				boot_ram_ignored_kib += (uint32_t)((e->addr + e->len -
								    MAX(e->addr, (uint64_t)DIRECT_MAP_MAX)) / 1024);
			off += e->size + 4;
		}
	} else if (mbi->flags & MB_INFO_MEMORY) {
		top = MIN(0x100000 + mbi->mem_upper * 1024u, (uint32_t)DIRECT_MAP_MAX);
	} else {
		panic("the boot loader gave no memory map");
	}
	placement = page_array_place(placement, top);

	if (mbi->flags & MB_INFO_MEM_MAP) {
		uint32_t off = 0;
		while (off + sizeof(struct multiboot_mmap_entry) <= mbi->mmap_length) {
			const struct multiboot_mmap_entry *e = P2V(mbi->mmap_addr + off);
			if (e->type == MB_MMAP_AVAILABLE && e->addr < top)
				page_add_free_range((paddr_t)e->addr, (paddr_t)MIN(e->addr + e->len, (uint64_t)top));
			off += e->size + 4;
		}
	} else {
		page_add_free_range(0x100000, top);
	}
	page_reserve_range(0, 0x100000);	/* BIOS data, the Multiboot info, VGA */
	page_reserve_range(0x100000, placement);	/* kernel, modules, page array */
	return top;
}

STACK_ARGS void
kmain(uint32_t magic, uint32_t mbi_pa)
{
	const struct multiboot_info *mbi;
	paddr_t placement = V2P(_end), top;

	console_init_early();
	gdt_init();
	idt_init();
	arch_fpu_init();
	pic_init();
	if (magic != MB_BOOT_MAGIC)
		panic("not started by a Multiboot loader (magic %#x)", magic);
	if (mbi_pa >= EARLY_MAPPED)
		panic("Multiboot information at %#x is out of reach", mbi_pa);
	mbi = P2V(mbi_pa);

	if (mbi->flags & MB_INFO_CMDLINE)
		copy_string(boot_cmdline, sizeof boot_cmdline, mbi->cmdline);
	if (mbi->flags & MB_INFO_LOADER_NAME) {
		static char name[64];
		copy_string(name, sizeof name, mbi->boot_loader_name);
		boot_loader_name = name;
	}
	if (mbi->flags & MB_INFO_MODS) {
		const struct multiboot_module *mods = P2V(mbi->mods_addr);
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			struct boot_module *m = &boot_modules[boot_module_count];
			if (i >= BOOT_MAX_MODULES) {
				kprintf("kernel: more than %d boot modules; the rest are ignored\n", BOOT_MAX_MODULES);
				break;
			}
			if (mods[i].mod_end < mods[i].mod_start || mods[i].mod_end > EARLY_MAPPED) {
				kprintf("kernel: boot module %u lies out of reach; ignored\n", i);
				continue;
			}
			m->start = mods[i].mod_start;
			m->size = mods[i].mod_end - mods[i].mod_start;
			copy_string(m->cmdline, sizeof m->cmdline, mods[i].cmdline);
			placement = MAX(placement, ROUND_UP(mods[i].mod_end, PAGE_SIZE));
			boot_module_count++;
		}
	}
	placement = ROUND_UP(placement, PAGE_SIZE);
	top = read_memory_map(mbi, placement);
	page_init_end();
	boot_mem_kib = page_total_count() * (PAGE_SIZE / 1024);
	pmap_init(top);
	console_init_screen(mbi);
	timer_init();
	uart_enable_input();
	kern_main();
}
