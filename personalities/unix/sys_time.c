/*
 * Time: the kernel's clock counts from boot, and there is no wall clock yet,
 * so CLOCK_REALTIME and time() count from the epoch as if the machine had
 * booted at 1970-01-01 00:00:00 UTC (README: missing).
 */
#include <manifold/trap.h>
#include "linux.h"
#include "syscall.h"
#include "umem.h"

static uint64_t
now_ns(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns;
}

void
sys_time_now(uint32_t *sec)
{
	*sec = (uint32_t)(now_ns() / 1000000000u);
}

SYS(time)
{
	int32_t t = (int32_t)(now_ns() / 1000000000u);
	int r;

	if (a[0] && (r = umem_write(p, a[0], &t, sizeof t)) != 0)
		return r;
	return t;
}

SYS(gettimeofday)
{
	uint64_t ns = now_ns();
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
	uint64_t ns = now_ns();
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
