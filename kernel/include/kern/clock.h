/*
 * Time since boot: in timer ticks (HZ a second), the unit of timeouts, and in
 * nanoseconds. A tickless timer (the HPET) keeps it without interrupts; the
 * 8254 by HZ interrupts a second (sched/clock.c).
 */
#ifndef KERN_CLOCK_H
#define KERN_CLOCK_H

#include <stdint.h>
#include <mach/thread_status.h>

#define HZ 100

uint64_t clock_ticks(void);
uint64_t clock_uptime_ns(void);
/* The tick a timeout of n ticks from now ends at: never early by clock_uptime_ns. */
uint64_t clock_deadline(uint64_t n);
void clock_tick(void);	/* from the timer interrupt */
uint64_t clock_interrupts(void);	/* timer interrupts taken since boot */
void clock_idle_arm(uint64_t wake_tick);	/* the idle loop, before its halt (0: no sleeper) */
void clock_idle_over(void);	/* ...and after it, when a thread is to run */

/* Ticks as Mach's time_value_t (seconds and microseconds), for task_info and thread_info. */
static inline void
clock_ticks_to_time_value(uint64_t ticks, time_value_t *tv)
{
	tv->seconds = (integer_t)(ticks / HZ);
	tv->microseconds = (integer_t)(ticks % HZ * (1000000 / HZ));
}

#endif
