/*
 * Waiting: wait4 and waitpid for a child's end (its zombie's status, then
 * its slot goes) or, when asked, its stop or continue, and the sleeps (nanosleep, clock_nanosleep), which are
 * calls held with a deadline (syscall.h, SYS_DEFER).
 */
#include <string.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define WNOHANG		0x00000001u
#define WUNTRACED	0x00000002u
#define WCONTINUED	0x00000008u
#define WAIT_LINUX_ONLY	0xE0000000u	/* __WNOTHREAD, __WALL, __WCLONE: nothing to say with one thread each */

/* Whether c is one of the children pid selects, as wait4 reads pid. */
static bool
selects(const struct process *p, const struct process *c, int32_t pid)
{
	if (c->ppid != p->pid)
		return false;
	if (pid > 0)
		return c->pid == (uint32_t)pid;
	if (pid == 0)
		return c->pgid == p->pgid;
	if (pid == -1)
		return true;
	return c->pgid == (uint32_t)-pid;
}

struct wait_scan {
	const struct process *p;
	int32_t pid;
	uint32_t options;
	int children;
	struct process *zombie, *changed;	/* an ended child; one stopped or continued with news */
};

static void
scan(struct process *c, void *arg)
{
	struct wait_scan *w = arg;

	if (!selects(w->p, c, w->pid))
		return;
	w->children++;
	if (c->state == PROC_ZOMBIE && !w->zombie)
		w->zombie = c;
	if (c->state == PROC_LIVE && !w->changed &&
	    (((w->options & WUNTRACED) && c->stop_report) || ((w->options & WCONTINUED) && c->cont_report)))
		w->changed = c;
}

static int32_t
do_wait(struct process *p, int32_t pid, uint32_t status_at, uint32_t options, uint32_t rusage_at)
{
	struct wait_scan w = { p, pid, options, 0, NULL, NULL };
	int r;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WAIT_LINUX_ONLY) || pid == INT32_MIN)
		return -LNX_EINVAL;
	process_each(scan, &w);
	if (w.children == 0)
		return -LNX_ECHILD;
	if (!w.zombie && w.changed) {
		/* a stop (0x7f, the signal above it) or a continue (0xffff), told once */
		struct process *c = w.changed;
		int status = c->stop_report && (options & WUNTRACED) ? 0x7F | c->stop_sig << 8 : 0xFFFF;

		if (status == 0xFFFF)
			c->cont_report = false;
		else
			c->stop_report = false;
		if (status_at && (r = umem_write(p, status_at, &status, sizeof status)) != 0)
			return r;
		return (int32_t)c->pid;
	}
	if (!w.zombie) {
		p->wait_key = p;	/* a child's end, stop or continue wakes its parent (process.c, signal.c) */
		return options & WNOHANG ? 0 : SYS_DEFER;
	}
	/* reaped first, then told: a bad pointer gets EFAULT and the child is gone, as on Linux */
	pid = (int32_t)w.zombie->pid;
	int status = w.zombie->status;
	struct lnx_rusage ru;

	cputime_rusage(w.zombie->cpu_us + w.zombie->child_cpu_us, &ru);	/* as Linux's wait4 gives the child's */
	cputime_reaped(p, w.zombie);
	process_reap(w.zombie);
	if (status_at && (r = umem_write(p, status_at, &status, sizeof status)) != 0)
		return r;
	if (rusage_at && (r = umem_write(p, rusage_at, &ru, sizeof ru)) != 0)
		return r;
	return pid;
}

/* wait4(pid, status, options, rusage) */
SYS(wait4)
{
	return do_wait(p, (int32_t)a[0], a[1], a[2], a[3]);
}

/* waitpid(pid, status, options) */
SYS(waitpid)
{
	return do_wait(p, (int32_t)a[0], a[1], a[2], 0);
}

/* A sleep of ns: held until its deadline (ms, rounded up: the loop's clock counts them). */
static int32_t
sleep_ns(struct process *p, uint64_t ns)
{
	uint64_t ms = (ns + 999999) / 1000000;

	if (msg_deferred_expired() || ns == 0)
		return 0;
	p->defer_ms = ms > 0x7FFFFFFF ? 0x7FFFFFFF : (uint32_t)ms;
	p->wait_key = p;	/* its deadline, or a signal */
	return SYS_DEFER;
}

static int
read_timespec(struct process *p, uint32_t at, uint64_t *ns)
{
	struct lnx_timespec32 ts;
	int r = umem_read(p, at, &ts, sizeof ts);

	if (r)
		return r;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -LNX_EINVAL;
	*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return 0;
}

/* nanosleep(req, rem): rem is left alone, as no signal cuts a sleep short yet. */
SYS(nanosleep)
{
	uint64_t ns;
	int r;

	if (msg_deferred_expired())
		return 0;
	if ((r = read_timespec(p, a[0], &ns)) != 0)
		return r;
	return sleep_ns(p, ns);
}

/* clock_nanosleep(clock, flags, req, rem): TIMER_ABSTIME counts from the clock's zero, the boot. */
SYS(clock_nanosleep)
{
	uint64_t ns, now = 0;
	int r;

	if (a[0] != LNX_CLOCK_REALTIME && a[0] != LNX_CLOCK_MONOTONIC && a[0] != 7)
		return -LNX_EINVAL;	/* 7: BOOTTIME; the CPU-time clocks are not slept on here */
	if (msg_deferred_expired())
		return 0;
	if ((r = read_timespec(p, a[2], &ns)) != 0)
		return r;
	if (a[1] & 1) {
		trap_clock_uptime(&now);
		ns = ns > now ? ns - now : 0;
	}
	return sleep_ns(p, ns);
}

SYS(sched_yield)
{
	(void)p, (void)a;
	return 0;
}
