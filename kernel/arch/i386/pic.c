/*
 * The two 8259 interrupt controllers, remapped to vectors 32-47. The kernel
 * unmasks the timer and COM1 at boot; drivers' lines are masked and unmasked
 * by kernel/dev/irq.c (under its irq_lock), through the device port.
 */
#include "cpu.h"
#include "pic.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

static uint16_t mask = 0xFFFF & ~(1u << 2);	/* the cascade line stays open */

static void
apply_mask(void)
{
	outb(PIC1_DATA, mask & 0xFF);
	outb(PIC2_DATA, mask >> 8);
}

void
pic_init(void)
{
	outb(PIC1_CMD, 0x11);	/* ICW1: edge triggered, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 32);	/* ICW2: vector offsets */
	outb(PIC2_DATA, 40);
	outb(PIC1_DATA, 4);	/* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);	/* ICW4: 8086 mode */
	outb(PIC2_DATA, 1);
	apply_mask();
}

void
pic_unmask(int irq)
{
	mask &= (uint16_t)~(1u << irq);
	apply_mask();
}

void
pic_mask(int irq)
{
	mask |= (uint16_t)(1u << irq);
	apply_mask();
}

void
pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, 0x20);
	outb(PIC1_CMD, 0x20);
}
