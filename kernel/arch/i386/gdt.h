#ifndef GDT_H
#define GDT_H

#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UCODE (0x18 | 3)
#define SEG_UDATA (0x20 | 3)
#define SEG_TSS   0x28

#define IOPB_BYTES 8192		/* a bit for each of the 65,536 I/O ports */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
void gdt_init(void);
void tss_set_kernel_stack(uint32_t esp0);
/* The TSS's I/O permission bitmap (IOPB_BYTES), and whether the CPU looks at it (else every port faults). */
uint8_t *tss_iomap(void);
void tss_iomap_enable(bool on);
/* Where the TSS keeps the kernel stack of the running thread (sysenter's entry loads it from there). */
uint32_t *tss_kernel_stack_slot(void);
#endif

#endif
