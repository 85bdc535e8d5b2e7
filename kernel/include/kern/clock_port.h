/*
 * Mach's kernel clocks as ports (kern/clock_rpc.c), the sleep on one
 * (syscall/sys_clock.c) and their alarms (kern/clock_alarm.c). A clock's id is clock_types.h's: SYSTEM_CLOCK,
 * CALENDAR_CLOCK.
 */
#ifndef KERN_CLOCK_PORT_H
#define KERN_CLOCK_PORT_H

#include <stdint.h>
#include <mach/clock_types.h>
#include <mach/kern_return.h>

#define CLOCK_COUNT 2	/* SYSTEM_CLOCK, CALENDAR_CLOCK */

struct port;

void clock_ports_init(void);	/* after kobject_init */
/* The clock's name port (the kernel's reference; NULL for no such clock). */
struct port *clock_name_port(int id);
/* Which clock p is a name or control port of; -1 if it is no clock's. */
int clock_port_id(struct port *p);
/* The clock's time now: nanoseconds since boot, or since 1970 (CALENDAR_CLOCK). */
int64_t clock_read_ns(int id);
/* The calendar clock was set: sleeps on it end (KERN_ABORTED), as Mach's do, and its alarms are looked at again. */
void clock_calendar_set(void);

/* Clock alarms (kern/clock_alarm.c): the thread that sends them, started once. */
void clock_alarm_init(void);
/* An alarm: a clock_alarm_reply to reply (a send-once right, taken on success) once clock reads at (ns). */
kern_return_t clock_alarm_add(int clock, int type, int64_t at, struct port *reply, uint32_t task);
void clock_alarm_calendar_set(void);

#endif
