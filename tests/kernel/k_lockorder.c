/*
 * The `lockorder` suite: takes two locks against their ranks, so the system
 * suite can check that the kernel booted with `lockcheck` names both in a
 * panic (kern/lockcheck.c). Booted only with `test=lockorder lockcheck`.
 */
#include <kern/lock_order.h>
#include <kern/spinlock.h>
#include "ktest.h"

static struct spinlock outer = SPINLOCK_INIT("ranked after", LOCK_RANK_TEST + 1);
static struct spinlock inner = SPINLOCK_INIT("ranked before", LOCK_RANK_TEST);

__attribute__((noinline)) static void
take_inner(void)
{
	uint32_t f = spin_lock_irqsave(&inner);

	spin_unlock_irqrestore(&inner, f);
	__asm__ volatile("");	/* keep this frame: no tail call */
}

KTEST(lockorder, a_lock_taken_against_its_rank_is_named_in_a_panic)
{
	uint32_t f = spin_lock_irqsave(&outer);

	take_inner();
	spin_unlock_irqrestore(&outer, f);
	KEXPECT(false);	/* not reached: the second take panics */
}
