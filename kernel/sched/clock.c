/*
 * Time since boot, and the timer interrupt's work. Receive timeouts and sleeps
 * count in ticks (HZ a second). With a tickless timer (arch/i386/timer.c: the
 * HPET) time is read from the timer's counter, and its interrupt is armed for
 * the next tick while a thread runs, but only for the first sleeper due while
 * the CPU idles (clock_idle_arm, from the idle loop): an idle node takes no
 * interrupt while nothing is due. Without one, the 8254's HZ interrupts a
 * second are counted, as before.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/lock_order.h>
#include <kern/sched.h>

#define NS_PER_TICK (1000000000ull / HZ)

static struct spinlock clock_lock = SPINLOCK_INIT("clock", LOCK_RANK_CLOCK);
static uint64_t ticks;		/* [clock_lock] interrupts counted, without a tickless timer */
static uint64_t interrupts;	/* [clock_lock] timer interrupts taken (kernel_stats) */

uint64_t
clock_ticks(void)
{
	uint32_t f;
	uint64_t t;

	if (arch_timer_tickless())
		return arch_timer_ns() / NS_PER_TICK;
	f = spin_lock_irqsave(&clock_lock);
	t = ticks;
	spin_unlock_irqrestore(&clock_lock, f);
	return t;
}

/*
 * Nanoseconds since boot: the counter's own when there is a tickless timer
 * (the HPET's 100 ns or finer), else whole ticks. Timeouts still count whole
 * ticks, so that they never end early by this finer clock: see clock_deadline.
 */
uint64_t
clock_uptime_ns(void)
{
	if (arch_timer_tickless())
		return arch_timer_ns();
	return clock_ticks() * NS_PER_TICK;
}

/*
 * The tick by which n whole ticks will have passed from now. A tick under way
 * counts for nothing when clock_uptime_ns is finer than ticks: a wait that
 * began just before a tick's boundary would otherwise end n - 1 ticks and a
 * sliver later by the clock a task reads. Up to a tick long, never short.
 */
uint64_t
clock_deadline(uint64_t n)
{
	return clock_ticks() + n + (arch_timer_tickless() ? 1 : 0);
}

uint64_t
clock_interrupts(void)
{
	uint32_t f = spin_lock_irqsave(&clock_lock);
	uint64_t n = interrupts;

	spin_unlock_irqrestore(&clock_lock, f);
	return n;
}

/* The next tick's boundary: where a running thread's next interrupt goes. Interrupts off. */
static void
arm_next_tick(void)
{
	arch_timer_arm_ns((clock_ticks() + 1) * NS_PER_TICK);
}

void
clock_tick(void)
{
	uint32_t f = spin_lock_irqsave(&clock_lock);

	interrupts++;
	if (!arch_timer_tickless())
		ticks++;
	spin_unlock_irqrestore(&clock_lock, f);
	if (arch_timer_tickless())
		arm_next_tick();
	sched_tick();
}

/*
 * The CPU is about to halt with nothing to run: the next interrupt at
 * wake_tick, the first tick a sleeper waits for (0: none), and at most a
 * second on. Interrupts off, until the halt.
 */
void
clock_idle_arm(uint64_t wake_tick)
{
	uint64_t now;

	if (!arch_timer_tickless())
		return;
	now = clock_ticks();
	if (!wake_tick || wake_tick > now + HZ)
		wake_tick = now + HZ;
	arch_timer_arm_ns(wake_tick * NS_PER_TICK);
}

/* A thread runs again after the idle halt: ticks again, for its quantum and for sleepers it adds. */
void
clock_idle_over(void)
{
	if (arch_timer_tickless())
		arm_next_tick();
}
