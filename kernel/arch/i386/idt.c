/*
 * The interrupt descriptor table: CPU exceptions 0-31, the 16 PIC interrupts at
 * 32-47, the native system-call vector 0x30 and the personalities' 0x80, the
 * only ones (with int3 and into) that user code may raise itself. Any other
 * `int n` from user mode is a general-protection fault, and so is 0x80 in a
 * task without a syscall port (trap.c).
 */
#include <stdint.h>
#include "gdt.h"
#include "idt.h"
#include "trapframe.h"

struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type_attr;
	uint16_t off_hi;
} __attribute__((packed));

static struct gate idt[256];
extern uint32_t trap_vectors[];

static void
set_gate(int n, uint32_t handler, int dpl)
{
	idt[n].off_lo = handler & 0xFFFF;
	idt[n].sel = SEG_KCODE;
	idt[n].zero = 0;
	idt[n].type_attr = (uint8_t)(0x8E | (dpl << 5));	/* present, 32-bit interrupt gate */
	idt[n].off_hi = handler >> 16;
}

void
idt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = { sizeof idt - 1, (uint32_t)idt };

	for (int n = 0; n < 48; n++)
		set_gate(n, trap_vectors[n], 0);
	set_gate(T_BREAKPOINT, trap_vectors[T_BREAKPOINT], 3);
	set_gate(T_OVERFLOW, trap_vectors[T_OVERFLOW], 3);
	set_gate(T_SYSCALL, trap_vectors[48], 3);
	set_gate(T_PERSONALITY, trap_vectors[49], 3);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}
