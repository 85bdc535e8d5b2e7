/*
 * COM1 at 115200 8N1: the console every Manifold machine has. Polled output;
 * input and interrupts come with the console server.
 */
#include "cpu.h"
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
