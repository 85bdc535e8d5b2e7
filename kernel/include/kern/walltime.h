/*
 * The time of day: Mach's host_get_time, host_set_time and host_adjust_time
 * (host.defs; kern/walltime.c).
 */
#ifndef KERN_WALLTIME_H
#define KERN_WALLTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/thread_status.h>

/* The RTC's date and time as seconds since 1970 (UTC), or -1 when it makes no sense (arch). */
int64_t arch_rtc_seconds(void);
/* One CMOS register as it reads now (arch; the kernel's clock case watches the seconds' edge). */
uint8_t arch_cmos_read(uint8_t reg);

void walltime_init(void);	/* reads the RTC: the time of day at boot */
/* Nanoseconds since 1970, slewed by any adjustment under way. */
int64_t walltime_now_ns(void);
/* The time of day becomes t (nanoseconds since 1970); an adjustment under way is dropped. */
void walltime_set_ns(int64_t t);
/* Slews the time of day by delta (nanoseconds, either sign) from now on, at
 * WALLTIME_SLEW_PPM; what the last adjustment had still to slew is returned. */
int64_t walltime_adjust_ns(int64_t delta);

#define WALLTIME_SLEW_PPM 500	/* 500 microseconds a second, as BSD's adjtime slews */

/* Mach's normalized time_value_t (0 <= microseconds < 1,000,000) and nanoseconds. */
bool walltime_value_valid(const time_value_t *tv);
int64_t walltime_value_ns(const time_value_t *tv);
void walltime_ns_value(int64_t ns, time_value_t *tv);

#endif
