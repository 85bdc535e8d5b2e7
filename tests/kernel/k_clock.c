/*
 * Kernel suite: the clock and the tickless idle loop (sched/clock.c). An idle
 * CPU takes a timer interrupt only when a sleeper is due, and the clock loses
 * nothing while ticks are skipped: checked against the CMOS clock, which
 * QEMU keeps from the host's time.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/device.h>
#include <kern/sched.h>
#include <kern/task.h>
#include <kern/walltime.h>
#include "acpi.h"
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

/*
 * With the HPET the clock tasks read (clock_uptime) is its counter, not whole
 * ticks, and a timeout still lasts at least its ticks by it (clock_deadline).
 */
KTEST(kernel, the_clock_reads_finer_than_a_tick_and_deadlines_never_end_early)
{
	const uint64_t tick_ns = 1000000000ull / HZ;
	uint64_t t0, t1;

	if (!arch_timer_tickless()) {
		kprintf("# no HPET (or hpet=off): the clock counts whole ticks\n");
		return;
	}
	t0 = clock_uptime_ns();
	do
		t1 = clock_uptime_ns();
	while (t1 == t0);
	KEXPECT(t1 - t0 < tick_ns / 10);	/* the counter's step, not a tick's */
	for (int i = 0; i < 5; i++) {
		uint64_t end;

		t0 = clock_uptime_ns();
		end = clock_deadline(1);
		while (clock_ticks() < end)
			thread_sleep_ticks(end - clock_ticks());
		KEXPECT(clock_uptime_ns() - t0 >= tick_ns);
	}
}

/*
 * ACPI's tables as QEMU's firmware (SeaBIOS) gives them: the HPET table says
 * where the HPET is, checksums hold, and a signature nobody uses is not found.
 */
KTEST(kernel, acpi_tables_give_the_hpets_address)
{
	const uint8_t *t;
	uint32_t len, phys = 0;

	KEXPECT(acpi_find("FACP", &t, &len));	/* every ACPI machine has a FADT */
	KEXPECT(len >= 36 && memcmp(t, "FACP", 4) == 0);
	KEXPECT(!acpi_find("QQQQ", &t, &len));
	KEXPECT(acpi_hpet_base(&phys));
	KEXPECT(phys == 0xFED00000u);		/* QEMU's */
}

/* The HPET's legacy route takes IRQ 8 from the RTC: a driver asking for it is refused, not left waiting. */
KTEST(kernel, rtc_line_is_refused_while_the_hpet_keeps_time)
{
	if (!arch_timer_tickless()) {	/* (asking would then attach the line) */
		kprintf("# no HPET (or hpet=off): IRQ 8 is the RTC's, for a driver to ask for\n");
		return;
	}
	KEXPECT(device_irq_attach(kernel_task, 8, NULL) == KERN_NO_ACCESS);
}

/* The CMOS clock's seconds, outside its update (binary or BCD, as register B says). */
static uint32_t
rtc_seconds(void)
{
	uint8_t s;

	while (arch_cmos_read(0x0A) & 0x80)
		;
	s = arch_cmos_read(0x00);
	return (arch_cmos_read(0x0B) & 0x04) ? s : (uint32_t)(s >> 4) * 10 + (s & 0xF);
}

/* The finest clock there is: the HPET's count, else the ticks. */
static uint64_t
fine_ns(void)
{
	return arch_timer_tickless() ? arch_timer_ns() : clock_uptime_ns();
}

/*
 * Spins until the CMOS clock's next second, and brackets the moment it began
 * between two readings of each clock: after the last reading of the old second
 * and before the first of the new. A loaded host may stop the guest anywhere,
 * and then the bracket only widens; nothing is taken as exact.
 */
struct edge {
	uint64_t fine_lo, fine_hi, up_lo, up_hi;
};

static uint32_t
spin_to_next_second(struct edge *e)
{
	uint32_t s = rtc_seconds(), now;
	uint64_t f, u;

	for (;;) {
		f = fine_ns();
		u = clock_uptime_ns();
		now = rtc_seconds();
		if (now != s)
			break;
		e->fine_lo = f;
		e->up_lo = u;
	}
	e->fine_hi = fine_ns();
	e->up_hi = clock_uptime_ns();
	return now;
}

KTEST(kernel, clock_keeps_time_while_ticks_are_skipped)
{
	uint32_t s = rtc_seconds(), s0, s1, secs;
	struct edge e0 = {0}, e1 = {0};
	int64_t want, fmin, fmax, umin, umax;
	const int64_t slack = 20000000;	/* 20 ms: uptime in whole ticks without a tickless timer */

	while (rtc_seconds() == s)	/* an edge, roughly: then the next one is about a second on */
		thread_sleep_ticks(1);
	thread_sleep_ticks(HZ - HZ / 10);
	s0 = spin_to_next_second(&e0);
	thread_sleep_ticks(2 * HZ + HZ - HZ / 10);	/* one idle stretch: no tick while it lasts */
	s1 = spin_to_next_second(&e1);
	secs = (s1 + 60 - s0) % 60;
	want = (int64_t)secs * 1000000000;
	fmin = (int64_t)(e1.fine_lo - e0.fine_hi), fmax = (int64_t)(e1.fine_hi - e0.fine_lo);
	umin = (int64_t)(e1.up_lo - e0.up_hi), umax = (int64_t)(e1.up_hi - e0.up_lo);
	kprintf("# %u CMOS seconds took %lld to %lld us of the timer's count, %lld to %lld ms of uptime\n", secs,
		fmin / 1000, fmax / 1000, umin / 1000000, umax / 1000000);
	KEXPECT(secs == 3);
	KEXPECT(fmin - slack <= want && want <= fmax + slack);
	KEXPECT(umin - slack <= want && want <= umax + slack);
}
