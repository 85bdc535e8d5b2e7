/*
 * Time: the kernel's clock counts from boot; the time of day is the kernel's
 * too (Mach's host_get_time: the RTC's reading at boot plus the time since,
 * as host_set_time and host_adjust_time moved it). The server keeps its
 * difference from the clock since boot (wall_base_ns) and asks again once a
 * second of the clock (WALL_ASK_NS), so a time set or slewed by another task is
 * seen within that, at one RPC a second at most. CLOCK_REALTIME, time(),
 * gettimeofday and UTIME_NOW are that base plus the clock; the other clocks
 * count from boot. If the kernel does not answer, the epoch is the boot.
 *
 * Setting the time of day (stime, settimeofday, clock_settime of
 * CLOCK_REALTIME) goes to the kernel's calendar clock by its control port
 * (clock_priv.defs' clock_set_time), which the bootstrap gives a module whose
 * line says `clock`. Every process is root here, so any may set it, as
 * CAP_SYS_TIME may on Linux; without the port each gets EPERM. Slewing it
 * (adjtimex) is adjtimex.c's, by the same port.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define WALL_ASK_NS 1000000000u

static uint64_t wall_base_ns;	/* [U] the time of day minus the clock since boot, as last asked */
static uint64_t wall_asked_at;	/* [U] the clock when it was asked (0: never) */

uint64_t
clock_now_ns(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns;
}

/* The kernel's time of day, as a base for the clock since boot; the old base if it does not answer. */
static void
wall_ask(uint64_t now)
{
	static mach_port_t host = MACH_PORT_NULL;
	time_value_t tv;

	if (!MACH_PORT_VALID(host))
		host = mach_host_self();
	wall_asked_at = now ? now : 1;
	if (host_get_time(host, &tv) == KERN_SUCCESS && tv.seconds >= 0)
		wall_base_ns = (uint64_t)tv.seconds * 1000000000u + (uint64_t)tv.microseconds * 1000u -
			       (clock_now_ns() + now) / 2;	/* the clock's middle of the call */
}

uint64_t
clock_wall_base_ns(void)
{
	return wall_base_ns;
}

static uint64_t
wall_ns(void)
{
	uint64_t now = clock_now_ns();

	if (!wall_asked_at || now - wall_asked_at >= WALL_ASK_NS)
		wall_ask(now);
	return wall_base_ns + now;
}

static mach_port_t calendar = MACH_PORT_NULL;	/* [I] the calendar clock's control port, if given */

mach_port_t
clock_calendar_ctrl(void)
{
	return calendar;
}

void
clock_wall_reask(void)
{
	wall_ask(clock_now_ns());
}

void
clock_start(void)
{
	if (msg_clock_control(&calendar) != KERN_SUCCESS)
		calendar = MACH_PORT_NULL;
	wall_ask(clock_now_ns());
}

/* The time of day becomes sec and nsec (checked by the caller), for every process at once. */
int32_t
clock_wall_set(int64_t sec, int32_t nsec)
{
	mach_timespec_t t = { (unsigned int)sec, nsec };
	kern_return_t kr;

	/* (Mach's seconds are 32 bits unsigned: 2106 is the last year it can be set to) */
	if (sec < 0 || sec > UINT32_MAX || nsec < 0 || nsec >= 1000000000)
		return -LNX_EINVAL;
	if (!MACH_PORT_VALID(calendar))
		return -LNX_EPERM;
	kr = clock_set_time(calendar, t);
	if (kr != KERN_SUCCESS)
		return kr == KERN_INVALID_VALUE ? -LNX_EINVAL : -LNX_EPERM;
	wall_ask(clock_now_ns());	/* our base follows at once, not a second later */
	return 0;
}

void
sys_time_now(uint32_t *sec)
{
	*sec = (uint32_t)(wall_ns() / 1000000000u);
}

SYS(time)
{
	int32_t t = (int32_t)(wall_ns() / 1000000000u);
	int r;

	if (a[0] && (r = umem_write(p, a[0], &t, sizeof t)) != 0)
		return r;
	return t;
}

SYS(gettimeofday)
{
	uint64_t ns = wall_ns();
	struct lnx_timeval tv = { (int32_t)(ns / 1000000000u), (int32_t)(ns % 1000000000u / 1000) };

	return a[0] ? umem_write(p, a[0], &tv, sizeof tv) : 0;
}

static bool
clock_known(uint32_t id)
{
	return id <= 7;	/* REALTIME, MONOTONIC, the CPU clocks, RAW, the COARSE ones, BOOTTIME: one clock here */
}

/* clock_gettime and clock_gettime64: the same clock, a 32- or 64-bit timespec */
static int32_t
clock_answer(struct process *p, const uint32_t a[6], bool wide)
{
	/*
	 * CLOCK_REALTIME (0) and CLOCK_REALTIME_COARSE (5) are the time of day,
	 * CLOCK_PROCESS_CPUTIME_ID (2) and CLOCK_THREAD_CPUTIME_ID (3) the
	 * process's CPU time (cputime.c: in the kernel's 10 ms ticks); the rest count from boot
	 */
	uint64_t ns = a[0] == 0 || a[0] == 5 ? wall_ns() : a[0] == 2 || a[0] == 3 ? cputime_us(p) * 1000u : clock_now_ns();
	struct lnx_timespec32 t32 = { (int32_t)(ns / 1000000000u), (int32_t)(ns % 1000000000u) };
	struct lnx_timespec64 t64 = { (int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u) };

	if (!clock_known(a[0]))
		return -LNX_EINVAL;
	return wide ? umem_write(p, a[1], &t64, sizeof t64) : umem_write(p, a[1], &t32, sizeof t32);
}

SYS(clock_gettime)
{
	return clock_answer(p, a, false);
}

SYS(clock_gettime64)
{
	return clock_answer(p, a, true);
}

SYS(stime)
{
	int32_t t;
	int r = umem_read(p, a[0], &t, sizeof t);

	return r ? r : clock_wall_set(t, 0);
}

/* The time zone, if given, is read (EFAULT) and not kept: every clock here is UTC. */
SYS(settimeofday)
{
	struct lnx_timeval tv;
	int32_t tz[2];
	int r;

	if (a[0] && (r = umem_read(p, a[0], &tv, sizeof tv)) != 0)
		return r;
	if (a[1] && (r = umem_read(p, a[1], tz, sizeof tz)) != 0)
		return r;
	if (!a[0])
		return 0;
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -LNX_EINVAL;
	return clock_wall_set(tv.tv_sec, tv.tv_usec * 1000);
}

/* clock_settime and clock_settime64: CLOCK_REALTIME alone can be set, as on Linux */
static int32_t
clock_set(struct process *p, const uint32_t a[6], bool wide)
{
	struct lnx_timespec32 t32;
	struct lnx_timespec64 t64;
	int r;

	if (a[0] != 0)
		return -LNX_EINVAL;
	if (wide) {
		if ((r = umem_read(p, a[1], &t64, sizeof t64)) != 0)
			return r;
	} else {
		if ((r = umem_read(p, a[1], &t32, sizeof t32)) != 0)
			return r;
		t64.tv_sec = t32.tv_sec;
		t64.tv_nsec = t32.tv_nsec;
	}
	if (t64.tv_nsec < 0 || t64.tv_nsec >= 1000000000)
		return -LNX_EINVAL;
	return clock_wall_set(t64.tv_sec, (int32_t)t64.tv_nsec);
}

SYS(clock_settime)
{
	return clock_set(p, a, false);
}

SYS(clock_settime64)
{
	return clock_set(p, a, true);
}
