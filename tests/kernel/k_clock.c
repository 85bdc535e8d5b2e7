/*
 * Kernel suite: the clock and the tickless idle loop (sched/clock.c). An idle
 * CPU takes a timer interrupt only when a sleeper is due, and the clock loses
 * nothing while ticks are skipped: checked against the CMOS clock, which
 * QEMU keeps from the host's time.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/sched.h>
#include "ktest.h"

KTEST(kernel, idle_cpu_takes_no_timer_interrupt_until_a_sleeper_is_due)
{
	uint64_t n0, t0;

	if (!arch_timer_tickless()) {
		kprintf("# no HPET (or hpet=off): the 8254 ticks HZ times a second\n");
		return;
	}
	thread_sleep_ticks(1);	/* the runner's tasks settle */
	n0 = clock_interrupts();
	t0 = clock_ticks();
	thread_sleep_ticks(HZ / 2);
	/* with a tick it was HZ / 2; now the sleep's end, and whatever else woke */
	KEXPECT(clock_interrupts() - n0 <= 5);
	KEXPECT(clock_ticks() - t0 >= HZ / 2);
	KEXPECT(clock_ticks() - t0 < HZ);
}

static inline void
out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
in8(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint8_t
cmos(uint8_t reg)
{
	out8(0x70, reg);
	return in8(0x71);
}

/* The CMOS clock's seconds, outside its update (binary or BCD, as register B says). */
static uint32_t
rtc_seconds(void)
{
	uint8_t s;

	while (cmos(0x0A) & 0x80)
		;
	s = cmos(0x00);
	return (cmos(0x0B) & 0x04) ? s : (uint32_t)(s >> 4) * 10 + (s & 0xF);
}

/* Waits, a tick at a time, for the CMOS clock's next second: the uptime when it began. */
static uint64_t
next_rtc_second(uint32_t *sec)
{
	uint32_t s = rtc_seconds(), now;

	while ((now = rtc_seconds()) == s)
		thread_sleep_ticks(1);
	*sec = now;
	return clock_uptime_ns();
}

KTEST(kernel, clock_keeps_time_while_ticks_are_skipped)
{
	uint32_t s0, s1, secs;
	uint64_t u0, u1, want, got;
	int64_t off_ms;

	u0 = next_rtc_second(&s0);
	thread_sleep_ticks(2 * HZ + HZ / 2);	/* one idle stretch: no tick while it lasts */
	u1 = next_rtc_second(&s1);
	secs = (s1 + 60 - s0) % 60;
	want = (uint64_t)secs * 1000000000ull;
	got = u1 - u0;
	off_ms = ((int64_t)got - (int64_t)want) / 1000000;
	kprintf("# %u CMOS seconds took %llu ms of uptime\n", secs, (unsigned long long)(got / 1000000));
	KEXPECT(secs == 3);
	KEXPECT(off_ms > -40 && off_ms < 40);
}
