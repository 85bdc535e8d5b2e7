/*
 * Time: the kernel's clock counts from boot; the time of day is the kernel's
 * too (Mach's host_get_time: the RTC's reading at boot plus the time since,
 * as host_set_time and host_adjust_time moved it). The server keeps its
 * difference from the clock since boot (wall_base_ns) and asks again once a
 * second of the clock (WALL_ASK_NS), so a time set or slewed by another task is
 * seen within that, at one RPC a second at most. CLOCK_REALTIME, time(),
 * gettimeofday and UTIME_NOW are that base plus the clock; the other clocks
 * count from boot. If the kernel does not answer, the epoch is the boot.
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

void
clock_start(void)
{
	wall_ask(clock_now_ns());
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
