/*
 * Segments: flat 4 GiB code and data for the kernel (ring 0) and for user tasks
 * (ring 3), and the TSS whose esp0 is the kernel stack the CPU switches to when a
 * user thread traps. The TSS's I/O permission bitmap follows it, inside its
 * limit; iopb.c fills it for the driver task that runs, and points the TSS
 * past its limit (every port faults) for any other task.
 */
#include <stddef.h>
#include <stdint.h>
#include <kern/lib.h>
#include "gdt.h"

struct gdt_entry {
	uint16_t limit_lo, base_lo;
	uint8_t base_mid, access, flags_limit_hi, base_hi;
} __attribute__((packed));

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

static struct gdt_entry gdt[7];	/* slot 6: the running thread's TLS segment */
/*
 * The bitmap has a bit per port, set: the port faults in user mode. The CPU
 * reads two bytes for a port's bit, so a last byte of ones ends it.
 */
static struct {
	struct tss tss;
	uint8_t iomap[IOPB_BYTES + 1];
} __attribute__((packed, aligned(4))) tss_area;
#define IOMAP_NONE ((uint16_t)sizeof tss_area)	/* past the limit: no bitmap */

static void
set_entry(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	gdt[i].limit_lo = limit & 0xFFFF;
	gdt[i].base_lo = base & 0xFFFF;
	gdt[i].base_mid = (base >> 16) & 0xFF;
	gdt[i].access = access;
	gdt[i].flags_limit_hi = (uint8_t)((flags << 4) | ((limit >> 16) & 0x0F));
	gdt[i].base_hi = (base >> 24) & 0xFF;
}

void
gdt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr = { sizeof gdt - 1, (uint32_t)gdt };

	set_entry(0, 0, 0, 0, 0);
	set_entry(SEG_KCODE >> 3, 0, 0xFFFFF, 0x9A, 0xC);	/* present, ring 0, code */
	set_entry(SEG_KDATA >> 3, 0, 0xFFFFF, 0x92, 0xC);
	set_entry(SEG_UCODE >> 3, 0, 0xFFFFF, 0xFA, 0xC);	/* ring 3 */
	set_entry(SEG_UDATA >> 3, 0, 0xFFFFF, 0xF2, 0xC);
	set_entry(SEG_UTLS >> 3, 0, 0, 0xF2, 0x4);	/* one byte at 0 until a thread's is loaded */
	tss_area.tss.ss0 = SEG_KDATA;
	tss_area.tss.iomap_base = IOMAP_NONE;		/* every port faults until a driver runs */
	memset(tss_area.iomap, 0xFF, sizeof tss_area.iomap);
	set_entry(SEG_TSS >> 3, (uint32_t)&tss_area, sizeof tss_area - 1, 0x89, 0x0);

	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %1, %%ds\n\t mov %1, %%es\n\t mov %1, %%ss\n\t"
		"xor %%eax, %%eax\n\t mov %%ax, %%fs\n\t mov %%ax, %%gs\n\t"
		"ljmp %2, $1f\n1:\n\t"
		"ltr %w3"
		: : "m"(gdtr), "r"(SEG_KDATA), "i"(SEG_KCODE), "r"(SEG_TSS) : "eax", "memory");
}

void
tss_set_kernel_stack(uint32_t esp0)
{
	tss_area.tss.esp0 = esp0;
}

uint8_t *
tss_iomap(void)
{
	return tss_area.iomap;
}

/*
 * Always a present ring-3 data segment, whatever the thread asked: trapret
 * pops a user's %gs of SEG_UTLS in ring 0, where a bad descriptor would be a
 * kernel fault.
 */
void
gdt_tls_descriptor(uint32_t base, uint32_t limit, bool pages, uint32_t desc[2])
{
	struct gdt_entry e;

	e.limit_lo = limit & 0xFFFF;
	e.base_lo = base & 0xFFFF;
	e.base_mid = (base >> 16) & 0xFF;
	e.access = 0xF2;	/* present, ring 3, data, writable */
	e.flags_limit_hi = (uint8_t)(((pages ? 0xC : 0x4) << 4) | ((limit >> 16) & 0x0F));
	e.base_hi = (base >> 24) & 0xFF;
	memcpy(desc, &e, sizeof e);
}

void
gdt_set_tls(const uint32_t desc[2])
{
	uint32_t *slot = (uint32_t *)&gdt[SEG_UTLS >> 3];	/* two stores: this runs on every switch */

	slot[0] = desc[0];
	slot[1] = desc[1];
}

uint16_t *const tss_iomap_base = (uint16_t *)((char *)&tss_area.tss + offsetof(struct tss, iomap_base));
const uint16_t tss_iomap_base_on = (uint16_t)offsetof(typeof(tss_area), iomap), tss_iomap_base_off = IOMAP_NONE;

uint32_t *
tss_kernel_stack_slot(void)
{
	/* esp0 is the second word of the (packed, aligned) TSS */
	return (uint32_t *)((char *)&tss_area.tss + offsetof(struct tss, esp0));
}
