/*
 * COM1 at 115200 8N1: the console every Manifold machine has. Output is
 * polled; input arrives by interrupt (IRQ4) and goes to kern/console_input.c,
 * where the console_read trap takes it.
 */
#include <kern/console_input.h>
#include "cpu.h"
#include "pic.h"
#include "uart.h"

#define COM1 0x3F8

void
uart_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB: set the divisor */
	outb(COM1 + 0, 0x01);	/* 115200 = 115200 / 1 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8 bits, no parity, one stop bit */
	outb(COM1 + 2, 0xC7);	/* FIFO on, cleared */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

void
uart_putc(char c)
{
	/* Bounded wait: a machine without a UART must not hang the console. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

/* From here on, every received byte raises IRQ4. Called once interrupts can be taken. */
void
uart_enable_input(void)
{
	outb(COM1 + 1, 0x01);	/* interrupt when received data is available */
	outb(COM1 + 4, 0x0B);	/* DTR, RTS, OUT2: OUT2 gates the UART's line to the PIC */
	pic_unmask(UART_IRQ);
}

/* IRQ4: drain the receive FIFO (several bytes may be waiting behind one edge). */
void
uart_interrupt(void)
{
	for (int i = 0; i < 64 && (inb(COM1 + 5) & 0x01); i++)
		console_input_put((char)inb(COM1));
}
