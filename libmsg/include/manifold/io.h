/*
 * x86 port I/O for driver tasks: the instructions work only on ports the
 * kernel granted the task (device_io_port_grant); any other is a
 * general-protection fault, and the task dies.
 */
#ifndef MANIFOLD_IO_H
#define MANIFOLD_IO_H

#include <stdint.h>

static inline uint8_t
io_in8(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t
io_in16(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t
io_in32(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void
io_out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
io_out16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
io_out32(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* n 16-bit words from port into buf (rep insw): an ATA sector's data. */
static inline void
io_in16_rep(uint16_t port, void *buf, uint32_t n)
{
	__asm__ volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

/* n 16-bit words from buf to port (rep outsw). */
static inline void
io_out16_rep(uint16_t port, const void *buf, uint32_t n)
{
	__asm__ volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

#endif
