/*
 * The HPET (IA-PC HPET specification 1.0a): a counter that runs by itself,
 * read at any moment, and its timer 0 routed to IRQ 0 in place of the 8254
 * (the legacy replacement route), armed one-shot for the next thing due.
 * timer.c decides whether to use it; the clock (kernel/sched/clock.c) reads
 * time from the counter, so a skipped tick loses no time.
 *
 * Found where ACPI's HPET table says, or else at the address PC chipsets and
 * QEMU give it, 0xFED00000 (firmware without a legacy RSDP, as under UEFI);
 * taken only if its capabilities make sense there.
 * Timer 0 runs in 32-bit mode: a deadline is never more than HPET_ARM_MAX_S
 * ahead, well inside the 2^32 counts (43 s at QEMU's 100 MHz) it can reach.
 */
#include <kern/lib.h>
#include "acpi.h"
#include "hpet.h"
#include "layout.h"
#include "pmap.h"

#define HPET_PHYS	0xFED00000u
#define HPET_CAP	0x000	/* low: revision, timers, 64-bit counter, legacy route; high: period (fs) */
#define HPET_CONF	0x010
#define HPET_COUNT	0x0F0
#define HPET_T0_CONF	0x100
#define HPET_T0_CMP	0x108

#define CAP_COUNT_64	(1u << 13)
#define CAP_LEGACY	(1u << 15)
#define CONF_ENABLE	(1u << 0)
#define CONF_LEGACY	(1u << 1)
#define TN_LEVEL	(1u << 1)
#define TN_ENABLE	(1u << 2)
#define TN_PERIODIC	(1u << 3)
#define TN_32BIT	(1u << 8)

#define PERIOD_MAX_FS	100000000u	/* the specification's longest period, 100 ns */
#define HPET_ARM_MAX_S	1		/* a deadline further off is armed a second ahead */

static volatile uint32_t *regs;		/* [I] */
static uint64_t freq;			/* [I] counts a second */
static uint32_t ns_per_count;		/* [I] a count's length when it is whole nanoseconds (QEMU: 10), else 0 */

static inline uint32_t
rd(uint32_t off)
{
	return regs[off / 4];
}

static inline void
wr(uint32_t off, uint32_t v)
{
	regs[off / 4] = v;
}

bool
hpet_init(void)
{
	uint32_t cap, period, t0, phys = HPET_PHYS;
	bool from_acpi = acpi_hpet_base(&phys);

	regs = pmap_map_device(phys, PAGE_SIZE);
	if (!regs)
		return false;
	cap = rd(HPET_CAP);
	period = rd(HPET_CAP + 4);
	/* nothing there reads as all ones; a revision of 0 is no HPET */
	if (cap == 0xFFFFFFFFu || (cap & 0xFF) == 0 || period == 0 || period > PERIOD_MAX_FS ||
	    !(cap & CAP_COUNT_64) || !(cap & CAP_LEGACY))
		return false;
	freq = 1000000000000000ull / period;
	ns_per_count = period % 1000000 == 0 ? period / 1000000 : 0;
	wr(HPET_CONF, rd(HPET_CONF) & ~(CONF_ENABLE | CONF_LEGACY));	/* stopped while set */
	wr(HPET_COUNT, 0);
	wr(HPET_COUNT + 4, 0);
	t0 = rd(HPET_T0_CONF) & ~(TN_LEVEL | TN_PERIODIC | TN_ENABLE);
	wr(HPET_T0_CONF, t0 | TN_32BIT);
	wr(HPET_T0_CMP, (uint32_t)(freq / 100));	/* a first interrupt 10 ms on */
	wr(HPET_T0_CONF, t0 | TN_32BIT | TN_ENABLE);
	wr(HPET_CONF, rd(HPET_CONF) | CONF_ENABLE | CONF_LEGACY);	/* the 8254 no longer reaches IRQ 0 */
	kprintf("hpet: at %#x (%s), %u kHz\n", phys, from_acpi ? "ACPI's HPET table" : "no table: the usual address",
		(unsigned)(freq / 1000));
	return true;
}

/* The 64-bit counter by two 32-bit reads: the high half again until it held still. */
static uint64_t
count(void)
{
	uint32_t hi, lo;

	do {
		hi = rd(HPET_COUNT + 4);
		lo = rd(HPET_COUNT);
	} while (hi != rd(HPET_COUNT + 4));
	return (uint64_t)hi << 32 | lo;
}

uint64_t
hpet_ns(void)
{
	uint64_t c = count();

	if (ns_per_count)
		return c * ns_per_count;
	return c / freq * 1000000000ull + c % freq * 1000000000ull / freq;
}

/* The first count at or after ns. */
static uint64_t
ns_to_count(uint64_t ns)
{
	if (ns_per_count)
		return (ns + ns_per_count - 1) / ns_per_count;
	return ns / 1000000000ull * freq + (ns % 1000000000ull * freq + 999999999ull) / 1000000000ull;
}

/*
 * The timer's interrupt when the counter reaches ns since boot: soon after
 * now (10 us) when that has passed, at most HPET_ARM_MAX_S ahead. A deadline
 * the counter passed while it was written would never match (on hardware; QEMU
 * fires at once): it is moved on and written again. Interrupts off.
 */
void
hpet_arm_ns(uint64_t ns)
{
	uint64_t want = ns_to_count(ns), margin = freq / 100000 + 1, now = count();

	for (;;) {
		if (want < now + margin)
			want = now + margin;
		if (want > now + HPET_ARM_MAX_S * freq)
			want = now + HPET_ARM_MAX_S * freq;
		wr(HPET_T0_CMP, (uint32_t)want);
		now = count();
		if (now < want)
			return;
		margin *= 2;
	}
}
