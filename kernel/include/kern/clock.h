/*
 * Time since boot, counted in timer ticks (HZ a second) and refined with the TSC.
 */
#ifndef KERN_CLOCK_H
#define KERN_CLOCK_H

#include <stdint.h>

#define HZ 100

uint64_t clock_ticks(void);
uint64_t clock_uptime_ns(void);
void clock_tick(void);	/* from the timer interrupt */

#endif
