#ifndef GDT_H
#define GDT_H

#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UCODE (0x18 | 3)
#define SEG_UDATA (0x20 | 3)
#define SEG_TSS   0x28
#define SEG_UTLS  (0x30 | 3)	/* the running thread's TLS segment (i386_TLS_SELECTOR) */

#define IOPB_BYTES 8192		/* a bit for each of the 65,536 I/O ports */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
void gdt_init(void);
void tss_set_kernel_stack(uint32_t esp0);
/*
 * The TSS's I/O permission bitmap (IOPB_BYTES); the word that says whether the
 * CPU looks at it (else every port faults), and that word's two values.
 */
uint8_t *tss_iomap(void);
extern uint16_t *const tss_iomap_base;
extern const uint16_t tss_iomap_base_on, tss_iomap_base_off;
/* Where the TSS keeps the kernel stack of the running thread (sysenter's entry loads it from there). */
uint32_t *tss_kernel_stack_slot(void);
/* The TLS slot's descriptor (two words, arch_thread's tls): the running thread's, set on every switch. */
void gdt_set_tls(const uint32_t desc[2]);
/* The descriptor of a ring-3 data segment at base, limit in bytes or (pages) in 4 KiB units. */
void gdt_tls_descriptor(uint32_t base, uint32_t limit, bool pages, uint32_t desc[2]);
#endif

#endif
