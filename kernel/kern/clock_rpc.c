/*
 * Mach's kernel clocks as ports: each clock's name port (clock.defs, from
 * host_get_clock_service) reads it, and the calendar clock's control port
 * (clock_priv.defs, from host_get_clock_control) reads and changes it. The
 * clocks themselves are kern/clock.h's (since boot) and kern/walltime.c's (the
 * time of day); the sleep on a clock is a trap (syscall/sys_clock.c), an
 * alarm kern/clock_alarm.c's.
 *
 * kobject.c hands every request to a clock's port (kotype KOBJ_CLOCK_CTRL,
 * name port or control port alike) to clock_priv_kserver; the one here sends
 * it on to clock.defs' decoder or to clock_priv.defs' (built as
 * clock_priv_decode: kernel/rules.mk), the latter for the control port only.
 */
#include <kern/arch.h>
#include <kern/clock.h>
#include <kern/clock_port.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/walltime.h>
#include <mach/clock_types.h>
#include <mach/mig_errors.h>
#include "clock_kserver.h"
#include "clock_priv_kserver.h"

/* Each clock's port: its kobject is the clock's id plus one (never NULL: a NULL kobject means a dead port). */
static struct port *clock_name_ports[CLOCK_COUNT];	/* [I] clock_ports_init */
struct port *calendar_ctrl_port;			/* [I] kobject_init */

bool clock_priv_decode(struct port *msgc_object, struct kmsg *in, struct kmsg *out);

_Static_assert(CLOCK_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "clock replies fit kobject.c's buffer");

void
clock_ports_init(void)
{
	for (uintptr_t id = 0; id < CLOCK_COUNT; id++) {
		clock_name_ports[id] = kobject_port_create(KOBJ_CLOCK_CTRL, (void *)(id + 1));
		if (!clock_name_ports[id])
			panic("no memory for the clock ports");
	}
}

struct port *
clock_name_port(int id)
{
	return id >= 0 && id < CLOCK_COUNT ? clock_name_ports[id] : NULL;
}

int
clock_port_id(struct port *p)
{
	if (p == calendar_ctrl_port)
		return CALENDAR_CLOCK;
	for (int id = 0; id < CLOCK_COUNT; id++)
		if (p == clock_name_ports[id])
			return id;
	return -1;
}

/* A clock's time now, in nanoseconds since its epoch. */
int64_t
clock_read_ns(int id)
{
	return id == CALENDAR_CLOCK ? walltime_now_ns() : (int64_t)clock_uptime_ns();
}

bool
clock_priv_kserver(struct port *clock, struct kmsg *in, struct kmsg *out)
{
	mach_msg_id_t id = in->msg->msgh_id;

	if (id >= CLOCK_PRIV_BASE_ID && id < CLOCK_PRIV_BASE_ID + 100 && clock != calendar_ctrl_port) {
		msgc_prepare_reply(in, out);
		msgc_reply_error(out, MIG_BAD_ID);	/* a name port changes nothing */
		return false;
	}
	if (id >= CLOCK_PRIV_BASE_ID && id < CLOCK_PRIV_BASE_ID + 100)
		return clock_priv_decode(clock, in, out);
	return clock_kserver(clock, in, out);
}

kern_return_t
kdo_clock_get_time(struct port *clock, mach_timespec_t *cur_time)
{
	int64_t ns = clock_read_ns(clock_port_id(clock));

	cur_time->tv_sec = (unsigned int)(ns / NSEC_PER_SEC);
	cur_time->tv_nsec = (int)(ns % NSEC_PER_SEC);
	return KERN_SUCCESS;
}

kern_return_t
kdo_clock_get_attributes(struct port *clock, integer_t flavor, integer_t *clock_attr,
			 mach_msg_type_number_t *clock_attrCnt)
{
	(void)clock;	/* both clocks move with the same counter and sleep by the same tick */
	switch (flavor) {
	case CLOCK_GET_TIME_RES:
		*clock_attr = arch_timer_tickless() ? 1 : NSEC_PER_SEC / HZ;
		break;
	case CLOCK_ALARM_CURRES:
	case CLOCK_ALARM_MINRES:
	case CLOCK_ALARM_MAXRES:
		*clock_attr = NSEC_PER_SEC / HZ;
		break;
	default:
		return KERN_INVALID_VALUE;
	}
	*clock_attrCnt = 1;
	return KERN_SUCCESS;
}

kern_return_t
kdo_clock_set_time(struct port *clock_ctrl, mach_timespec_t new_time)
{
	(void)clock_ctrl;	/* the calendar clock's: the only control port there is */
	if (new_time.tv_nsec < 0 || new_time.tv_nsec >= NSEC_PER_SEC)
		return KERN_INVALID_VALUE;
	walltime_set_ns((int64_t)new_time.tv_sec * NSEC_PER_SEC + new_time.tv_nsec);
	clock_calendar_set();
	return KERN_SUCCESS;
}

kern_return_t
kdo_clock_adjust_time(struct port *clock_ctrl, time_value_t new_adjustment, time_value_t *old_adjustment)
{
	(void)clock_ctrl;
	if (!walltime_value_valid(&new_adjustment))
		return KERN_INVALID_VALUE;
	walltime_ns_value(walltime_adjust_ns(walltime_value_ns(&new_adjustment)), old_adjustment);
	return KERN_SUCCESS;
}

kern_return_t
kdo_clock_alarm(struct port *clock, integer_t alarm_type, mach_timespec_t alarm_time, struct port *alarm_port)
{
	int id = clock_port_id(clock);
	int64_t t = (int64_t)alarm_time.tv_sec * NSEC_PER_SEC + alarm_time.tv_nsec;

	if ((alarm_type != TIME_ABSOLUTE && alarm_type != TIME_RELATIVE) || alarm_time.tv_nsec < 0 ||
	    alarm_time.tv_nsec >= NSEC_PER_SEC)
		return KERN_INVALID_VALUE;
	if (!alarm_port)
		return KERN_INVALID_ARGUMENT;
	/* (a kernel object's request is served in its sender's thread: the task is the asker) */
	return clock_alarm_add(id, alarm_type, alarm_type == TIME_RELATIVE ? clock_read_ns(id) + t : t, alarm_port,
			       curtask()->id);
}
