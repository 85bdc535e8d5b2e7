/*
 * Kernel suite: 64-bit division, which gcc leaves to libgcc (__udivdi3,
 * __divdi3, __moddi3, __udivmoddi4 ...), reached through libgcc_regparm.c's
 * register wrappers (the kernel is built with -mregparm=3, libgcc is not). A wrapper
 * that passed its arguments wrongly would give wrong quotients here, where
 * the clock's divisions would only drift.
 */
#include <kern/lib.h>
#include "ktest.h"

/* volatile: each division is made at run time, by libgcc */
static volatile uint64_t u[] = { 0, 1, 7, 1000000000ull, 0xffffffffull, 0x100000000ull, 0x123456789abcdefull,
				 0xffffffffffffffffull };
static volatile int64_t s[] = { 1, -1, 7, -7, 1000000000ll, -1000000000000ll, 0x7fffffffffffffffll };

KTEST(kernel, sixty_four_bit_division_through_libgcc_gives_exact_quotients_and_remainders)
{
	for (unsigned i = 0; i < ARRAY_SIZE(u); i++)
		for (unsigned j = 1; j < ARRAY_SIZE(u); j++) {
			uint64_t a = u[i], b = u[j], q = a / b, r = a % b;

			KEXPECT(r < b);
			KEXPECT_EQ(q * b + r, a);	/* one division gives both (__udivmoddi4) */
			KEXPECT(a / b == q);
		}
	for (unsigned i = 0; i < ARRAY_SIZE(s); i++)
		for (unsigned j = 0; j < ARRAY_SIZE(s); j++) {
			int64_t a = s[i], b = s[j], q = a / b, r = a - q * b;

			KEXPECT((r < 0 ? -r : r) < (b < 0 ? -b : b));
			KEXPECT(r == 0 || (r < 0) == (a < 0));	/* truncated toward zero */
			KEXPECT_EQ(a % b, r);
		}
	KEXPECT_EQ(u[6] / u[3], 81985529ull);	/* 0x123456789abcdef / 10^9 */
	KEXPECT_EQ(u[6] % u[3], 216486895ull);
	KEXPECT_EQ(s[5] / s[2], -142857142857ll);
}
