/*
 * adjtimex, clock_adjtime and clock_adjtime64: the time of day read, stepped
 * or slewed by NTP's struct timex. There is no phase-locked loop here: the
 * kernel's one slew (clock_priv.defs' clock_adjust_time, 500 microseconds a
 * second) serves both ADJ_OFFSET_SINGLESHOT (BSD's adjtime) and ADJ_OFFSET
 * (an NTP offset, which Linux steers by its PLL: here it is slewed away, at
 * most MAXPHASE, as adjtime would), and both read back what is left of it.
 * ADJ_SETOFFSET steps the time by clock_set_time. The other modes (frequency,
 * errors, status, time constant, tick, TAI) are EINVAL; the state reported is
 * Linux's at boot without NTP (STA_UNSYNC: the answer is TIME_ERROR).
 * Changing the time needs the calendar clock's control port (sys_time.c:
 * EPERM without it); every process is root here, so no caller is refused for
 * its uid.
 */
#include <string.h>
#include <mach/mach.h>
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define ADJ_OFFSET		0x0001
#define ADJ_SETOFFSET		0x0100
#define ADJ_MICRO		0x1000
#define ADJ_NANO		0x2000
#define ADJ_OFFSET_SINGLESHOT	0x8001	/* ADJ_ADJTIME (0x8000) with ADJ_OFFSET */
#define ADJ_OFFSET_SS_READ	0xa001	/* ...and ADJ_OFFSET_READONLY (0x2000) */
#define ADJ_ADJTIME		0x8000
#define ADJ_OFFSET_READONLY	0x2000
#define ADJ_KNOWN		(ADJ_OFFSET | ADJ_SETOFFSET | ADJ_MICRO | ADJ_NANO)

#define STA_UNSYNC	0x0040
#define STA_NANO	0x2000
#define TIME_ERROR	5
#define MAXPHASE_NS	500000000LL	/* Linux's bound on an ADJ_OFFSET */
#define NTP_PHASE_LIMIT	16000000	/* us: maxerror and esterror while unsynchronized */

/* struct timex of i386 (adjtimex, clock_adjtime): 128 bytes, longs of 32 bits */
struct lnx_timex32 {
	uint32_t modes;
	int32_t offset, freq, maxerror, esterror;
	int32_t status;
	int32_t constant, precision, tolerance;
	struct lnx_timeval time;
	int32_t tick, ppsfreq, jitter;
	int32_t shift;
	int32_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t pad[11];
};
_Static_assert(sizeof(struct lnx_timex32) == 128, "Linux's i386 struct timex");

/* struct __kernel_timex (clock_adjtime64): 208 bytes, every long 64 bits */
struct lnx_timex64 {
	uint32_t modes, pad0;
	int64_t offset, freq, maxerror, esterror;
	int32_t status, pad1;
	int64_t constant, precision, tolerance;
	int64_t time_sec, time_usec;
	int64_t tick, ppsfreq, jitter;
	int32_t shift, pad2;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t pad[11];
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct lnx_timex64) == 208, "Linux's struct __kernel_timex");

/* What both layouts carry that this file reads or writes. */
struct tx {
	uint32_t modes;
	int64_t offset, time_sec, time_usec;
	int32_t status;
};

static bool sta_nano;	/* [U] STA_NANO: ADJ_NANO set it, ADJ_MICRO clears it (offsets in ns, else us) */

/* What is left of the slew under way, in ns; 0 without the control port. */
static int64_t
slew_left_ns(mach_port_t ctrl)
{
	time_value_t zero = { 0, 0 }, left, none;

	if (!MACH_PORT_VALID(ctrl) || clock_adjust_time(ctrl, zero, &left) != KERN_SUCCESS)
		return 0;
	clock_adjust_time(ctrl, left, &none);	/* put back: only the time it took is lost of it */
	return (int64_t)left.seconds * 1000000000 + (int64_t)left.microseconds * 1000;
}

/* Slews by ns from now on, in place of what was under way; what that had left, in ns. */
static int32_t
slew(mach_port_t ctrl, int64_t ns, int64_t *old_ns)
{
	int64_t us = ns / 1000;
	time_value_t tv = { (integer_t)(us / 1000000), (integer_t)(us % 1000000) }, old;

	if (tv.microseconds < 0)
		tv.seconds -= 1, tv.microseconds += 1000000;
	if (!MACH_PORT_VALID(ctrl))
		return -LNX_EPERM;
	if (clock_adjust_time(ctrl, tv, &old) != KERN_SUCCESS)
		return -LNX_EINVAL;
	*old_ns = (int64_t)old.seconds * 1000000000 + (int64_t)old.microseconds * 1000;
	clock_wall_reask();
	return 0;
}

/* ADJ_SETOFFSET: the time of day moves by sec and nsec (0 to 999,999,999). */
static int32_t
step(mach_port_t ctrl, int64_t sec, int64_t nsec)
{
	mach_timespec_t now;
	int64_t t;

	if (!MACH_PORT_VALID(ctrl))
		return -LNX_EPERM;
	if (clock_get_time(ctrl, &now) != KERN_SUCCESS)
		return -LNX_EPERM;
	t = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + sec * 1000000000 + nsec;
	if (t < 0)
		return -LNX_EINVAL;
	return clock_wall_set(t / 1000000000, (int32_t)(t % 1000000000));
}

/*
 * Linux's do_adjtimex on x: checks everything first (EINVAL, EPERM), then
 * acts, then fills x with the state. The clock's state (TIME_ERROR) or an error.
 */
static int32_t
adjtimex_do(struct tx *x)
{
	mach_port_t ctrl = clock_calendar_ctrl();
	bool adjtime = x->modes & ADJ_ADJTIME;
	int64_t left, unit;
	int32_t r;

	if (adjtime ? (x->modes & ADJ_OFFSET_SS_READ) != x->modes ||
			      (x->modes & ADJ_OFFSET_SINGLESHOT) != ADJ_OFFSET_SINGLESHOT
		    : (x->modes & ~ADJ_KNOWN) != 0)
		return -LNX_EINVAL;
	if ((x->modes & ADJ_SETOFFSET) && !adjtime &&
	    (x->time_usec < 0 || x->time_usec >= (x->modes & ADJ_NANO ? 1000000000 : 1000000)))
		return -LNX_EINVAL;
	if (x->modes && x->modes != ADJ_OFFSET_SS_READ && !MACH_PORT_VALID(ctrl))
		return -LNX_EPERM;

	if (adjtime) {
		left = slew_left_ns(ctrl);
		if (x->modes == ADJ_OFFSET_SINGLESHOT && (r = slew(ctrl, x->offset * 1000, &left)) != 0)
			return r;
		x->offset = left / 1000;
	} else {
		if ((x->modes & ADJ_SETOFFSET) &&
		    (r = step(ctrl, x->time_sec, x->modes & ADJ_NANO ? x->time_usec : x->time_usec * 1000)) != 0)
			return r;
		if (x->modes & ADJ_NANO)
			sta_nano = true;
		if (x->modes & ADJ_MICRO)
			sta_nano = false;
		unit = sta_nano ? 1 : 1000;
		if (x->modes & ADJ_OFFSET) {
			int64_t ns = x->offset * unit;

			ns = ns > MAXPHASE_NS ? MAXPHASE_NS : ns < -MAXPHASE_NS ? -MAXPHASE_NS : ns;
			if ((r = slew(ctrl, ns, &left)) != 0)
				return r;
		}
		x->offset = slew_left_ns(ctrl) / unit;
	}
	{
		uint64_t now = clock_now_ns() + clock_wall_base_ns();

		x->time_sec = (int64_t)(now / 1000000000u);
		x->time_usec = (int64_t)(now % 1000000000u) / (sta_nano ? 1 : 1000);
	}
	x->status = STA_UNSYNC | (sta_nano ? STA_NANO : 0);
	return TIME_ERROR;
}

/* The state every answer gives besides what adjtimex_do fills (Linux's at boot, USER_HZ 100). */
#define TIMEX_FILL(t, x)						\
	do {								\
		memset(&(t), 0, sizeof(t));				\
		(t).modes = (x).modes;					\
		(t).offset = (x).offset;				\
		(t).maxerror = (t).esterror = NTP_PHASE_LIMIT;		\
		(t).status = (x).status;				\
		(t).constant = 2;					\
		(t).precision = 1;					\
		(t).tolerance = 500 << 16;	/* 500 ppm, scaled by 2^16 */	\
		(t).tick = 10000;					\
	} while (0)

static int32_t
adjtimex32(struct process *p, uint32_t addr)
{
	struct lnx_timex32 t;
	struct tx x;
	int32_t r = umem_read(p, addr, &t, sizeof t), state;

	if (r)
		return r;
	x = (struct tx){ t.modes, t.offset, t.time.tv_sec, t.time.tv_usec, 0 };
	if ((state = adjtimex_do(&x)) < 0)
		return state;
	TIMEX_FILL(t, x);
	t.time.tv_sec = (int32_t)x.time_sec;
	t.time.tv_usec = (int32_t)x.time_usec;
	return (r = umem_write(p, addr, &t, sizeof t)) ? r : state;
}

SYS(adjtimex)
{
	return adjtimex32(p, a[0]);
}

/* Only CLOCK_REALTIME (0) can be adjusted, as on Linux: its other clocks (1 to 7 here) are EOPNOTSUPP. */
static int32_t
adjustable(uint32_t clock)
{
	return clock == 0 ? 0 : clock <= 7 ? -LNX_EOPNOTSUPP : -LNX_EINVAL;
}

SYS(clock_adjtime)
{
	int32_t r = adjustable(a[0]);

	return r ? r : adjtimex32(p, a[1]);
}

SYS(clock_adjtime64)
{
	struct lnx_timex64 t;
	struct tx x;
	int32_t r, state;

	if ((r = adjustable(a[0])) != 0 || (r = umem_read(p, a[1], &t, sizeof t)) != 0)
		return r;
	x = (struct tx){ t.modes, t.offset, t.time_sec, t.time_usec, 0 };
	if ((state = adjtimex_do(&x)) < 0)
		return state;
	TIMEX_FILL(t, x);
	t.time_sec = x.time_sec;
	t.time_usec = x.time_usec;
	return (r = umem_write(p, a[1], &t, sizeof t)) ? r : state;
}
