/*
 * alarm, setitimer and getitimer: ITIMER_REAL, one timer a process, which
 * raises SIGALRM when it runs out and again every interval. A thread of the
 * server's (alarm_thread) sleeps on a condition of unix_lock until the
 * earliest timer is due, then wakes the loop (server_wake, UNIX_ALARM_ID);
 * the loop posts the signals (alarm_fire), as it does every signal, so a
 * held pause or read ends as for any other. fork clears
 * the child's timer; exec keeps it (POSIX). ITIMER_VIRTUAL and ITIMER_PROF
 * (a process's CPU time) are not kept: EINVAL. The thread also wakes the
 * loop for POSIX timers (ptimer.c), which the loop fires with these.
 */
#include "linux.h"
#include "ptimer.h"
#include "signal.h"
#include "syscall.h"
#include "umem.h"

#define RESEND_MS 10	/* a wake the loop did not take yet (its queue full) goes again */

static struct cthread_cond changed = CTHREAD_COND_INITIALIZER;	/* a timer was set, or fired */

struct itimerval_ {	/* Linux's struct itimerval: the interval, then the value */
	uint32_t isec, iusec, sec, usec;
};

static uint64_t
now_us(void)
{
	return clock_now_ns() / 1000;
}

static void
earliest(struct process *p, void *arg)
{
	uint64_t *due = arg;

	if (p->state == PROC_LIVE && p->alarm_due_us && (!*due || p->alarm_due_us < *due))
		*due = p->alarm_due_us;
}

static void *
alarm_thread(void *arg)
{
	(void)arg;
	cthread_mutex_lock(&unix_lock);
	for (;;) {
		uint64_t due = 0, now, t;

		process_each(earliest, &due);
		if ((t = ptimer_earliest_ns()) && (!due || (t + 999) / 1000 < due))
			due = (t + 999) / 1000;	/* POSIX timers' too */
		now = now_us();
		if (!due) {
			cthread_cond_wait(&changed, &unix_lock);
		} else if (due > now) {
			cthread_cond_timedwait(&changed, &unix_lock, (uint32_t)((due - now + 999) / 1000));
		} else {
			server_wake(UNIX_ALARM_ID);	/* never waits: safe under the lock */
			cthread_cond_timedwait(&changed, &unix_lock, RESEND_MS);
		}
	}
	return NULL;
}

int
alarm_start(void)
{
	cthread_t t;

	if (cthread_fork(&t, alarm_thread, NULL) != KERN_SUCCESS)
		return -1;
	cthread_detach(t);
	return 0;
}

static void
fire(struct process *p, void *arg)
{
	uint64_t now = *(uint64_t *)arg;

	if (p->state != PROC_LIVE || !p->alarm_due_us || p->alarm_due_us > now)
		return;
	p->alarm_due_us = p->alarm_every_us ? now + p->alarm_every_us : 0;
	signal_raise(p, LNX_SIGALRM);
}

void
alarm_fire(void)
{
	uint64_t now = now_us();

	process_each(fire, &now);
	ptimer_fire(clock_now_ns());
	cthread_cond_broadcast(&changed);
}

void
alarm_changed(void)
{
	cthread_cond_broadcast(&changed);
}

/* p's timer as Linux's itimerval: what is left of it, and its interval. */
static struct itimerval_
get(struct process *p)
{
	struct itimerval_ v = { p->alarm_every_us / 1000000, p->alarm_every_us % 1000000, 0, 0 };
	uint64_t now = now_us(), left;

	if (p->alarm_due_us) {
		left = p->alarm_due_us > now ? p->alarm_due_us - now : 1;	/* due: the loop posts it soon */
		v.sec = (uint32_t)(left / 1000000);
		v.usec = (uint32_t)(left % 1000000);
	}
	return v;
}

static void
set(struct process *p, uint64_t value_us, uint64_t every_us)
{
	p->alarm_due_us = value_us ? now_us() + value_us : 0;
	p->alarm_every_us = value_us ? every_us : 0;
	cthread_cond_broadcast(&changed);
}

/* alarm(seconds): the seconds the last one had left, rounded as Linux does (a due one is 1). */
SYS(alarm)
{
	struct itimerval_ old = get(p);
	uint32_t left = old.sec + (old.usec >= 500000);

	if (!left && (old.sec || old.usec))
		left = 1;
	set(p, (uint64_t)a[0] * 1000000, 0);
	return (int32_t)left;
}

/* setitimer(which, new, old) */
SYS(setitimer)
{
	struct itimerval_ v, old = get(p);
	int r;

	if (a[0] != 0)
		return -LNX_EINVAL;	/* ITIMER_REAL only */
	if (a[1] && (r = umem_read(p, a[1], &v, sizeof v)) != 0)
		return r;
	if (!a[1])
		v = (struct itimerval_){ 0, 0, 0, 0 };	/* Linux takes a null new value as zeroes */
	if (v.usec >= 1000000 || v.iusec >= 1000000)
		return -LNX_EINVAL;
	if (a[2] && (r = umem_write(p, a[2], &old, sizeof old)) != 0)
		return r;
	set(p, (uint64_t)v.sec * 1000000 + v.usec, (uint64_t)v.isec * 1000000 + v.iusec);
	return 0;
}

/* getitimer(which, value) */
SYS(getitimer)
{
	struct itimerval_ v = get(p);

	if (a[0] != 0)
		return -LNX_EINVAL;
	return umem_write(p, a[1], &v, sizeof v);
}
