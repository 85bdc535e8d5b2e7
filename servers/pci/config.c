/*
 * PCI configuration mechanism 1: the address of a register goes to
 * CONFIG_ADDRESS (0xCF8: enable bit 31, bus, device, function, register
 * number with its low two bits clear), then its dword is at CONFIG_DATA
 * (0xCFC), a byte or a word of it at 0xCFC plus the offset's low bits. The
 * two steps must not interleave with another thread's: one mutex.
 */
#include <mach/mach.h>
#include <manifold/cthread.h>
#include "pci.h"

#define CONFIG_ADDRESS 0xCF8
#define CONFIG_DATA 0xCFC

static struct cthread_mutex config_lock = CTHREAD_MUTEX_INITIALIZER;

static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

bool
pci_config_valid(uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset, uint32_t width)
{
	return bus < 256 && slot < 32 && func < 8 && offset < 256 && (width == 1 || width == 2 || width == 4) &&
	       offset % width == 0;
}

static void
select_register(uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset)
{
	outl(CONFIG_ADDRESS, 0x80000000u | bus << 16 | slot << 11 | func << 8 | (offset & 0xFC));
}

uint32_t
pci_config_get(uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset, uint32_t width)
{
	uint16_t data = (uint16_t)(CONFIG_DATA + (offset & 3));
	uint32_t v;

	cthread_mutex_lock(&config_lock);
	select_register(bus, slot, func, offset);
	v = width == 4 ? inl(data) : width == 2 ? inw(data) : inb(data);
	cthread_mutex_unlock(&config_lock);
	return v;
}

void
pci_config_put(uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset, uint32_t width, uint32_t value)
{
	uint16_t data = (uint16_t)(CONFIG_DATA + (offset & 3));

	cthread_mutex_lock(&config_lock);
	select_register(bus, slot, func, offset);
	if (width == 4)
		outl(data, value);
	else if (width == 2)
		outw(data, (uint16_t)value);
	else
		outb(data, (uint8_t)value);
	cthread_mutex_unlock(&config_lock);
}
