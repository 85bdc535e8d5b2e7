/*
 * Turns the interrupts-off measurement on (boot option irqoff_stats): each
 * patch site, five bytes that run as one instruction (a lock's pushfl;
 * popl %reg; cli is three, as it was), becomes a call to its stub in
 * irqoff.S, or a jump for trapret's iret. Unpatched, the sites cost what they did before: nothing.
 * Runs once, before interrupts are on and before any other CPU.
 */
#include <stdint.h>
#include <kern/spinlock.h>

/* kind: 0 a call to stub, 1 a jump to it, 2 a lock's pushfl; popl %reg; cli: stub is a table by reg */
struct irqoff_patch {
	uint32_t site, stub, kind;
};

extern const struct irqoff_patch __start_irqoff_patch[], __stop_irqoff_patch[];

void
arch_irqoff_patch(void)
{
	for (const struct irqoff_patch *p = __start_irqoff_patch; p < __stop_irqoff_patch; p++) {
		volatile uint8_t *s = (volatile uint8_t *)p->site;
		uint32_t stub = p->kind == 2 ? ((const uint32_t *)p->stub)[s[1] - 0x58] : p->stub;
		uint32_t rel = stub - (p->site + 5);
		s[1] = (uint8_t)rel;
		s[2] = (uint8_t)(rel >> 8);
		s[3] = (uint8_t)(rel >> 16);
		s[4] = (uint8_t)(rel >> 24);
		s[0] = p->kind == 1 ? 0xE9 : 0xE8;
	}
	__asm__ volatile("" ::: "memory");
}
