/*
 * Time since boot, counted in timer ticks (HZ a second) and refined with the TSC.
 */
#ifndef KERN_CLOCK_H
#define KERN_CLOCK_H

#include <stdint.h>
#include <mach/thread_status.h>

#define HZ 100

uint64_t clock_ticks(void);
uint64_t clock_uptime_ns(void);
void clock_tick(void);	/* from the timer interrupt */

/* Ticks as Mach's time_value_t (seconds and microseconds), for task_info and thread_info. */
static inline void
clock_ticks_to_time_value(uint64_t ticks, time_value_t *tv)
{
	tv->seconds = (integer_t)(ticks / HZ);
	tv->microseconds = (integer_t)(ticks % HZ * (1000000 / HZ));
}

#endif
