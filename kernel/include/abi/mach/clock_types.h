/*
 * Mach's kernel clocks (OSF Mach 3.0's clock interface): the identities
 * host_get_clock_service and host_get_clock_control take, the time a clock
 * reads or is set to, and what clock_get_attributes and clock_sleep take.
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

/* clock_get_attributes' flavors (Mach's numbers); each answer is one word, in nanoseconds */
typedef int clock_flavor_t;
#define CLOCK_GET_TIME_RES	1	/* how finely clock_get_time moves */
#define CLOCK_MAP_TIME_RES	2	/* (no clock is mapped here: KERN_INVALID_VALUE) */
#define CLOCK_ALARM_CURRES	3	/* how finely a sleep ends, now */
#define CLOCK_ALARM_MINRES	4	/* ...at finest */
#define CLOCK_ALARM_MAXRES	5	/* ...at coarsest */

#define CLOCK_ALARM_MAX	64	/* clock_alarm: alarms waiting at once, over all tasks */
#define CLOCK_ALARM_TASK_MAX	8	/* ...and of one task (a proxy's gns asks for a whole node) */

/* clock_sleep's sleep_type and clock_alarm's alarm_type (Mach's numbers) */
typedef int sleep_type_t;
#define TIME_ABSOLUTE	0	/* until the clock reads sleep_time */
#define TIME_RELATIVE	1	/* for sleep_time from now */

#endif
