/*
 * Time: the kernel's clock counts from boot; the time of day is the CMOS
 * real-time clock's, read once at the start (clock_start) through its two
 * I/O ports, which the bootstrap grants the module named `unix` when it
 * checks in (servers/bootstrap/devices.c). CLOCK_REALTIME, time(),
 * gettimeofday and UTIME_NOW are that reading plus the time since; the other
 * clocks count from boot. Without the ports (another module name, a boot
 * without the bootstrap's ports) the epoch is the boot, as before.
 */
#include <string.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "linux.h"
#include "syscall.h"
#include "umem.h"

static uint64_t wall_base_ns;	/* [I] the time of day at boot, set once before the loop runs */

uint64_t
clock_now_ns(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns;
}

uint64_t
clock_wall_base_ns(void)
{
	return wall_base_ns;
}

static uint64_t
wall_ns(void)
{
	return wall_base_ns + clock_now_ns();
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static uint8_t
cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

/* Days from 1970-01-01 to y-m-d (the proleptic Gregorian calendar). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* The RTC's date and time as seconds since 1970 (UTC, as QEMU and Linux keep it), or -1 if it makes no sense. */
static int64_t
rtc_read(void)
{
	uint8_t r[7], again[7], b;
	static const uint8_t regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 };	/* s m h day month year century */

	for (int tries = 0; tries < 1000; tries++) {
		if (cmos(0x0A) & 0x80)
			continue;	/* an update is under way: its values are half old, half new */
		for (int i = 0; i < 7; i++)
			r[i] = cmos(regs[i]);
		for (int i = 0; i < 7; i++)
			again[i] = cmos(regs[i]);
		if (memcmp(r, again, sizeof r) == 0)
			break;
	}
	b = cmos(0x0B);
	bool pm = !(b & 0x02) && (r[2] & 0x80);

	r[2] &= 0x7F;
	if (!(b & 0x04))	/* BCD */
		for (int i = 0; i < 7; i++)
			r[i] = (uint8_t)((r[i] >> 4) * 10 + (r[i] & 0x0F));
	if (!(b & 0x02))
		r[2] = (uint8_t)(r[2] % 12 + (pm ? 12 : 0));
	unsigned century = r[6] >= 19 && r[6] <= 30 ? r[6] : 20;
	if (r[0] > 59 || r[1] > 59 || r[2] > 23 || r[3] < 1 || r[3] > 31 || r[4] < 1 || r[4] > 12)
		return -1;
	return days_from_civil(century * 100 + r[5], r[4], r[3]) * 86400 + r[2] * 3600 + r[1] * 60 + r[0];
}

void
clock_start(const char *argv0)
{
	const char *w = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	int64_t t;

	/* the ports are ours only if the bootstrap knew us as `unix` and took our checkin */
	if (strncmp(w, "unix", 4) != 0 || (w[4] != '\0' && strcmp(w + 4, ".elf") != 0) ||
	    !MACH_PORT_VALID(msg_service_checkin(NULL)))
		return;
	if ((t = rtc_read()) > 0)
		wall_base_ns = (uint64_t)t * 1000000000u - clock_now_ns();
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
