/*
 * The machine's timer as the clock (kernel/sched/clock.c) sees it. With an
 * HPET (hpet.c) the counter keeps time by itself and the interrupt comes when
 * it is armed for, so the idle loop can skip ticks (arch_timer_tickless);
 * without one, or booted with hpet=off, the 8254 (pit.c) interrupts HZ times
 * a second and the clock counts those interrupts, as before.
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/lib.h>
#include "hpet.h"
#include "pic.h"
#include "pit.h"

static bool tickless;	/* [I] */

void
timer_init(void)
{
	const char *opt = boot_option("hpet");

	tickless = !(opt && strcmp(opt, "off") == 0) && hpet_init();
	if (!tickless)
		pit_init();
	pic_unmask(0);
}

bool
arch_timer_tickless(void)
{
	return tickless;
}

uint64_t
arch_timer_ns(void)
{
	return hpet_ns();
}

void
arch_timer_arm_ns(uint64_t ns)
{
	hpet_arm_ns(ns);
}
