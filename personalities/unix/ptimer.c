/*
 * POSIX timers: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete (and the time64 forms of set and get), on
 * CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME, notifying by a
 * signal (SIGEV_SIGNAL, and SIGEV_THREAD_ID naming the process's one
 * thread) or not at all (SIGEV_NONE). Every timer counts on the kernel's
 * clock since boot; an absolute CLOCK_REALTIME time is turned into that
 * clock once, when set (the time of day is never set here, so it cannot
 * move under it). alarm.c's thread sleeps until the earliest of these and of
 * the ITIMER_REALs, and the loop posts the signals (ptimer_fire).
 *
 * A timer's signal is one pending signal of its number (the server queues
 * no real-time signals): while it waits undelivered, expiries are counted as
 * overruns, given to the handler in si_overrun and to timer_getoverrun when
 * it is delivered (ptimer_delivered). Ids count up from 0 per process, as
 * Linux's; fork gives the child none, exec and the end of a process delete
 * them (ptimer_drop). [U] unix_lock, as everything of the server's.
 */
#include <string.h>
#include "linux.h"
#include "ptimer.h"
#include "signal.h"
#include "syscall.h"
#include "umem.h"

#define PTIMER_POOL	256	/* timers of every process together */
#define PTIMER_EACH	32	/* of one process: then EAGAIN, as past Linux's RLIMIT_SIGPENDING */
#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD_ID	4
#define TIMER_ABSTIME	1
#define SI_TIMER	(-2)
#define NS		1000000000ull

struct ptimer {
	uint32_t pid;			/* its process; 0: a free slot */
	int32_t id;			/* timer_t, as the process knows it */
	uint32_t clock;
	int sig;			/* 0: SIGEV_NONE */
	int32_t value;			/* sigev_value: si_value */
	uint64_t due_ns;		/* on the clock since boot; 0: disarmed */
	uint64_t every_ns;		/* its interval (0: once) */
	int32_t overrun;		/* expiries while its signal waited */
	int32_t overrun_last;		/* ...counted for the signal last delivered */
	bool posted;			/* its signal was posted and is not delivered yet */
};

static struct ptimer timers[PTIMER_POOL];

struct lnx_sigevent {		/* the part of Linux's 64-byte struct sigevent that matters */
	int32_t value, signo, notify, tid;
};

struct its64 {			/* struct itimerspec with 64-bit times: interval, then value */
	int64_t isec, insec, sec, nsec;
};

static struct ptimer *
find(const struct process *p, uint32_t id)
{
	for (int i = 0; i < PTIMER_POOL; i++)
		if (timers[i].pid == p->pid && timers[i].id == (int32_t)id)
			return &timers[i];
	return NULL;
}

uint64_t
ptimer_earliest_ns(void)
{
	uint64_t due = 0;

	for (int i = 0; i < PTIMER_POOL; i++)
		if (timers[i].pid && timers[i].due_ns && (!due || timers[i].due_ns < due))
			due = timers[i].due_ns;
	return due;
}

void
ptimer_fire(uint64_t now)
{
	for (int i = 0; i < PTIMER_POOL; i++) {
		struct ptimer *t = &timers[i];
		struct process *q;
		uint64_t missed = 0;

		if (!t->pid || !t->due_ns || t->due_ns > now)
			continue;
		if (t->every_ns) {
			missed = (now - t->due_ns) / t->every_ns;	/* whole intervals gone by unseen */
			t->due_ns += (missed + 1) * t->every_ns;
		} else {
			t->due_ns = 0;
		}
		if (!t->sig || !(q = process_of_pid(t->pid)) || q->state != PROC_LIVE)
			continue;
		if (t->posted && (q->sigpending & SIG_BIT(t->sig))) {
			t->overrun += (int32_t)(missed + 1);
		} else {
			t->overrun = (int32_t)missed;
			t->posted = true;
			signal_send(q, t->sig, (uint32_t)t->id, SI_TIMER, t->value);
		}
	}
}

void
ptimer_delivered(struct process *p, int sig)
{
	if (!p->ntimers)
		return;
	for (int i = 0; i < PTIMER_POOL; i++) {
		struct ptimer *t = &timers[i];

		if (t->pid == p->pid && t->sig == sig && t->posted &&
		    p->sigfrom[sig - 1].code == SI_TIMER && p->sigfrom[sig - 1].pid == (uint32_t)t->id) {
			t->posted = false;
			t->overrun_last = t->overrun;
			t->overrun = 0;
			p->sigfrom[sig - 1].uid = (uint32_t)t->overrun_last;	/* si_overrun */
		}
	}
}

void
ptimer_drop(struct process *p)
{
	if (!p->ntimers)
		return;
	for (int i = 0; i < PTIMER_POOL; i++)
		if (timers[i].pid == p->pid)
			timers[i].pid = 0;
	p->ntimers = 0;
}

/*
 * timer_create(clockid, sevp, timerid), its checks in Linux's order: the
 * sigevent's copy, the clock, room, then an id is taken (gone even if a
 * later check fails, as Linux's is), the sigevent, the id's copy out.
 */
SYS(timer_create)
{
	struct lnx_sigevent ev = { 0, LNX_SIGALRM, SIGEV_SIGNAL, 0 };
	struct ptimer *t = NULL;
	int32_t id;
	int r;

	if (a[1] && (r = umem_read(p, a[1], &ev, sizeof ev)) != 0)
		return r;
	if (a[0] != 0 && a[0] != 1 && a[0] != 7)
		return -LNX_EINVAL;	/* REALTIME, MONOTONIC, BOOTTIME; no CPU-time clocks */
	for (int i = 0; i < PTIMER_POOL && !t; i++)
		if (!timers[i].pid)
			t = &timers[i];
	if (!t || p->ntimers >= PTIMER_EACH)
		return -LNX_EAGAIN;
	do
		id = (int32_t)(p->timer_next_id++ & 0x7FFFFFFF);
	while (find(p, (uint32_t)id));
	if (ev.notify == SIGEV_THREAD_ID && ev.tid != (int32_t)p->pid)
		return -LNX_EINVAL;	/* its one thread only */
	if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID)
		return -LNX_EINVAL;	/* SIGEV_THREAD is libc's, made of SIGEV_THREAD_ID */
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > LNX_NSIG))
		return -LNX_EINVAL;
	if (!a[1])
		ev.value = id;	/* no sigevent: SIGALRM with the id as its value */
	if ((r = umem_write(p, a[2], &id, sizeof id)) != 0)
		return r;
	memset(t, 0, sizeof *t);
	t->pid = p->pid;
	t->id = id;
	t->clock = a[0];
	t->sig = ev.notify == SIGEV_NONE ? 0 : ev.signo;
	t->value = ev.value;
	p->ntimers++;
	return 0;
}

/* What t has left and its interval, as timer_gettime and timer_settime's old value say. */
static struct its64
left(const struct ptimer *t)
{
	uint64_t now = clock_now_ns(), rest = t->due_ns > now ? t->due_ns - now : t->due_ns ? 1 : 0;

	return (struct its64){ (int64_t)(t->every_ns / NS), (int64_t)(t->every_ns % NS), (int64_t)(rest / NS),
			       (int64_t)(rest % NS) };
}

static int
put_its(struct process *p, uint32_t at, const struct its64 *v, bool wide)
{
	struct {
		int32_t isec, insec, sec, nsec;
	} v32 = { (int32_t)v->isec, (int32_t)v->insec, (int32_t)v->sec, (int32_t)v->nsec };

	return wide ? umem_write(p, at, v, sizeof *v) : umem_write(p, at, &v32, sizeof v32);
}

/* timer_settime's checks in Linux's order: the new value's copy, its fields, the timer; then the old value out. */
static int32_t
settime(struct process *p, const uint32_t a[6], bool wide)
{
	struct ptimer *t;
	struct its64 v, old;
	uint64_t value, now;
	int r;

	if (!a[2])
		return -LNX_EINVAL;
	if (wide) {
		r = umem_read(p, a[2], &v, sizeof v);
	} else {
		struct {
			int32_t isec, insec, sec, nsec;
		} v32;

		r = umem_read(p, a[2], &v32, sizeof v32);
		v = (struct its64){ v32.isec, v32.insec, v32.sec, v32.nsec };
	}
	if (r != 0)
		return r;
	if (v.sec < 0 || v.nsec < 0 || v.nsec >= (int64_t)NS || v.isec < 0 || v.insec < 0 || v.insec >= (int64_t)NS)
		return -LNX_EINVAL;
	if (!(t = find(p, a[0])))
		return -LNX_EINVAL;
	old = left(t);
	now = clock_now_ns();
	value = (uint64_t)v.sec * NS + (uint64_t)v.nsec;
	if (value && (a[1] & TIMER_ABSTIME)) {
		/* an absolute time on its own clock, to the clock since boot; gone by already: now */
		uint64_t base = t->clock == 0 ? clock_wall_base_ns() : 0;

		value = value > base + now ? value - base : now;
	} else if (value) {
		value += now;
	}
	t->due_ns = value;
	t->every_ns = value ? (uint64_t)v.isec * NS + (uint64_t)v.insec : 0;
	t->overrun = 0;
	alarm_changed();
	return a[3] ? put_its(p, a[3], &old, wide) : 0;	/* set even when this fails, as on Linux */
}

/* timer_settime(timerid, flags, new, old) and timer_settime64 */
SYS(timer_settime)
{
	return settime(p, a, false);
}

SYS(timer_settime64)
{
	return settime(p, a, true);
}

static int32_t
gettime(struct process *p, const uint32_t a[6], bool wide)
{
	struct ptimer *t = find(p, a[0]);
	struct its64 v;

	if (!t)
		return -LNX_EINVAL;
	v = left(t);
	return put_its(p, a[1], &v, wide);
}

SYS(timer_gettime)
{
	return gettime(p, a, false);
}

SYS(timer_gettime64)
{
	return gettime(p, a, true);
}

SYS(timer_getoverrun)
{
	struct ptimer *t = find(p, a[0]);

	return t ? t->overrun_last : -LNX_EINVAL;
}

SYS(timer_delete)
{
	struct ptimer *t = find(p, a[0]);

	if (!t)
		return -LNX_EINVAL;
	t->pid = 0;
	p->ntimers--;
	return 0;
}
