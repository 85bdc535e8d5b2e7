/*
 * Mach's kernel clocks (OSF Mach 3.0's clock interface): the identities
 * host_get_clock_control takes, and the time a clock reads or is set to.
 */
#ifndef MACH_CLOCK_TYPES_H
#define MACH_CLOCK_TYPES_H

#include <mach/std_types.h>

typedef int clock_id_t;
#define SYSTEM_CLOCK	0	/* time since boot (Mach's REALTIME_CLOCK); it cannot be set */
#define CALENDAR_CLOCK	1	/* the time of day, since 1970 (UTC): host_get_time's */

typedef struct {
	unsigned int tv_sec;
	int tv_nsec;		/* 0 to 999,999,999 */
} mach_timespec_t;

#define NSEC_PER_SEC	1000000000

#endif
