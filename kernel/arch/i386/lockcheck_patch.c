/*
 * Turns the lock-order check on (boot option lockcheck): each site of
 * <kern/spinlock.h> becomes a call to its stub in lockcheck.S. Unpatched, the
 * sites are the instructions the locks need anyway. Runs once, before any
 * lock is taken and before any other CPU.
 */
#include <stdint.h>
#include <kern/lib.h>
#include <kern/spinlock.h>

/* kind 0: a lock's movl $1, %reg (b8+reg imm32); kind 1: an unlock's movl $0, (%reg) (c7 0reg imm32) */
struct lockcheck_patch {
	uint32_t site, kind;
};

extern const struct lockcheck_patch __start_lockcheck_patch[], __stop_lockcheck_patch[];
extern const uint32_t lockcheck_acquire_stubs[8], lockcheck_release_stubs[4];

static void
write_call(volatile uint8_t *s, uint32_t stub)
{
	uint32_t rel = stub - ((uint32_t)(uintptr_t)s + 5);

	s[1] = (uint8_t)rel;
	s[2] = (uint8_t)(rel >> 8);
	s[3] = (uint8_t)(rel >> 16);
	s[4] = (uint8_t)(rel >> 24);
	s[0] = 0xE8;
}

void
arch_lockcheck_patch(void)
{
	for (const struct lockcheck_patch *p = __start_lockcheck_patch; p < __stop_lockcheck_patch; p++) {
		volatile uint8_t *s = (volatile uint8_t *)p->site;
		if (p->kind == 0 && s[0] >= 0xB8 && s[0] < 0xC0 && lockcheck_acquire_stubs[s[0] - 0xB8]) {
			write_call(s, lockcheck_acquire_stubs[s[0] - 0xB8]);
		} else if (p->kind == 1 && s[0] == 0xC7 && s[1] < 4) {
			write_call(s, lockcheck_release_stubs[s[1]]);
			s[5] = 0x90;
		} else {
			panic("lockcheck: site %p is not an instruction it knows (%02x %02x)", (void *)s, s[0], s[1]);
		}
	}
	__asm__ volatile("" ::: "memory");
}
