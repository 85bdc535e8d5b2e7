/*
 * The `deadlock` suite: takes a spin lock it already holds, so the system
 * suite can check that a one-CPU kernel names the lock and who wanted it
 * instead of hanging (kern/spinlock.c). Booted only with `test=deadlock`.
 */
#include <kern/lock_order.h>
#include <kern/spinlock.h>
#include "ktest.h"

static struct spinlock held_twice = SPINLOCK_INIT("held twice", LOCK_RANK_TEST);

__attribute__((noinline)) static void
take_it_again(void)
{
	uint32_t f = spin_lock_irqsave(&held_twice);

	spin_unlock_irqrestore(&held_twice, f);
	__asm__ volatile("");	/* keep this frame: no tail call */
}

KTEST(deadlock, a_lock_taken_twice_is_named_in_a_panic)
{
	uint32_t f = spin_lock_irqsave(&held_twice);

	take_it_again();
	spin_unlock_irqrestore(&held_twice, f);
	KEXPECT(false);	/* not reached: the second take panics */
}
