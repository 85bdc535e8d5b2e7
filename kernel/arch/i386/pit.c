/*
 * The 8254 timer, channel 0, interrupting HZ times a second: the scheduler's
 * tick and the clock's time base on a machine without an HPET (timer.c).
 */
#include <kern/clock.h>
#include "cpu.h"

#define PIT_HZ 1193182

void
pit_init(void)
{
	uint16_t div = PIT_HZ / HZ;

	outb(0x43, 0x34);	/* channel 0, lo/hi byte, rate generator */
	outb(0x40, div & 0xFF);
	outb(0x40, div >> 8);
}
