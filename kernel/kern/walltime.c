/*
 * The time of day. At boot it is the RTC's reading (arch_rtc_seconds); after
 * that, that reading plus the clock's time since boot, so it never steps
 * unless host_set_time says so. host_adjust_time slews it instead: the
 * adjustment is added gradually, WALLTIME_SLEW_PPM of the time that passes,
 * so the time of day stays monotonic while it is slowed. The slew is not
 * applied tick by tick: what of it has been applied is worked out from the
 * time since it began whenever the time is read, and folded into the base
 * when a new adjustment replaces it.
 */
#include <kern/clock.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/spinlock.h>
#include <kern/walltime.h>

#define NS_PER_S 1000000000LL

static struct spinlock walltime_lock = SPINLOCK_INIT("walltime", LOCK_RANK_WALLTIME);
static int64_t base_ns;		/* [walltime_lock] the time of day at uptime 0, adjustments folded in */
static int64_t slew_ns;		/* [walltime_lock] the adjustment being slewed (signed) */
static uint64_t slew_from;	/* [walltime_lock] the uptime it began at */

void
walltime_init(void)
{
	int64_t s = arch_rtc_seconds();

	if (s < 0) {
		kprintf("kernel: the real-time clock makes no sense; the time of day starts at 1970\n");
		s = 0;
	}
	base_ns = s * NS_PER_S - (int64_t)clock_uptime_ns();
}

/* What of the adjustment is applied by uptime now: walltime_lock held. */
static int64_t
slewed_locked(uint64_t now)
{
	int64_t most = (int64_t)((now - slew_from) / (1000000 / WALLTIME_SLEW_PPM));

	if (slew_ns >= 0)
		return slew_ns < most ? slew_ns : most;
	return -slew_ns < most ? slew_ns : -most;
}

int64_t
walltime_now_ns(void)
{
	uint32_t f = spin_lock_irqsave(&walltime_lock);
	uint64_t now = clock_uptime_ns();
	int64_t t = base_ns + (int64_t)now + (slew_ns ? slewed_locked(now) : 0);

	spin_unlock_irqrestore(&walltime_lock, f);
	return t;
}

void
walltime_set_ns(int64_t t)
{
	uint32_t f = spin_lock_irqsave(&walltime_lock);

	base_ns = t - (int64_t)clock_uptime_ns();
	slew_ns = 0;
	spin_unlock_irqrestore(&walltime_lock, f);
}

int64_t
walltime_adjust_ns(int64_t delta)
{
	uint32_t f = spin_lock_irqsave(&walltime_lock);
	uint64_t now = clock_uptime_ns();
	int64_t done = slew_ns ? slewed_locked(now) : 0, left = slew_ns - done;

	base_ns += done;
	slew_ns = delta;
	slew_from = now;
	spin_unlock_irqrestore(&walltime_lock, f);
	return left;
}

bool
walltime_value_valid(const time_value_t *tv)
{
	return tv->microseconds >= 0 && tv->microseconds < 1000000;
}

int64_t
walltime_value_ns(const time_value_t *tv)
{
	return (int64_t)tv->seconds * NS_PER_S + (int64_t)tv->microseconds * 1000;
}

/* Rounded toward minus infinity, so that microseconds stay in [0, 1,000,000) for a negative time too. */
void
walltime_ns_value(int64_t ns, time_value_t *tv)
{
	int64_t us = ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000);
	int64_t s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);

	tv->seconds = (integer_t)s;
	tv->microseconds = (integer_t)(us - s * 1000000);
}
