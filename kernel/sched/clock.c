/*
 * Time since boot, in timer ticks (HZ a second). Receive timeouts and sleeps
 * count in ticks too.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/lock_order.h>
#include <kern/sched.h>

static struct spinlock clock_lock = SPINLOCK_INIT("clock", LOCK_RANK_CLOCK);
static uint64_t ticks;		/* [clock_lock] 64 bits: not atomic on i386 */

uint64_t
clock_ticks(void)
{
	uint32_t f = spin_lock_irqsave(&clock_lock);
	uint64_t t = ticks;

	spin_unlock_irqrestore(&clock_lock, f);
	return t;
}

uint64_t
clock_uptime_ns(void)
{
	return clock_ticks() * (1000000000ull / HZ);
}

void
clock_tick(void)
{
	uint32_t f = spin_lock_irqsave(&clock_lock);

	ticks++;
	spin_unlock_irqrestore(&clock_lock, f);
	sched_tick();
}
