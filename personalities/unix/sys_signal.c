/*
 * The signal calls: dispositions (rt_sigaction), the mask (rt_sigprocmask,
 * sigprocmask), sending (kill, tkill, tgkill), waiting (pause, sigsuspend,
 * rt_sigsuspend: calls held until a signal ends them), what is pending, the
 * alternate stack (sigaltstack), and the way back from a handler (sigreturn,
 * rt_sigreturn). signal.c posts and delivers.
 */
#include <string.h>
#include <manifold/msg.h>
#include "linux.h"
#include "signal.h"
#include "syscall.h"
#include "umem.h"

#define UNBLOCKABLE (SIG_BIT(LNX_SIGKILL) | SIG_BIT(LNX_SIGSTOP))

/* rt_sigaction(sig, const struct sigaction *act, struct sigaction *oact, size_t sigsetsize) */
SYS(rt_sigaction)
{
	struct lnx_sigaction_rec act;
	uint32_t sig = a[0];
	int r;

	if (sig == 0 || sig > LNX_NSIG || a[3] != 8)
		return -LNX_EINVAL;
	if (a[1] && (r = umem_read(p, a[1], &act, sizeof act)) != 0)
		return r;
	if (a[1] && (sig == LNX_SIGKILL || sig == LNX_SIGSTOP))
		return -LNX_EINVAL;
	if (a[2] && (r = umem_write(p, a[2], &p->sigactions[sig - 1], sizeof act)) != 0)
		return r;
	if (a[1]) {
		p->sigactions[sig - 1] = act;
		/* POSIX: setting SIG_IGN (or SIG_DFL of an ignored-by-default signal) drops what is pending */
		if (act.handler == LNX_SIG_IGN ||
		    (act.handler == LNX_SIG_DFL && (sig == LNX_SIGCHLD || sig == LNX_SIGURG || sig == LNX_SIGWINCH))) {
			p->sigpending &= ~SIG_BIT(sig);
			sigqueue_flush(p, (int)sig);
		}
	}
	return 0;
}

/* The new mask by how (SIG_BLOCK 0, SIG_UNBLOCK 1, SIG_SETMASK 2). */
static uint64_t
apply(uint64_t old, uint32_t how, uint64_t set)
{
	uint64_t m = how == 0 ? old | set : how == 1 ? old & ~set : set;

	return m & ~UNBLOCKABLE;
}

/* rt_sigprocmask(how, const sigset_t *set, sigset_t *oset, size_t sigsetsize) */
SYS(rt_sigprocmask)
{
	uint64_t set, old = p->sigmask;
	int r;

	if (a[3] != 8 || (a[1] && a[0] > 2))
		return -LNX_EINVAL;
	if (a[1] && (r = umem_read(p, a[1], &set, sizeof set)) != 0)
		return r;
	if (a[2] && (r = umem_write(p, a[2], &old, sizeof old)) != 0)
		return r;
	if (a[1])
		p->sigmask = apply(old, a[0], set);
	return 0;	/* a signal it unblocked is delivered as the call returns (main.c) */
}

/*
 * sigaltstack(const stack_t *ss, stack_t *old): stack_t is { ss_sp, ss_flags,
 * ss_size }. old is what was there before ss, written only on success.
 */
SYS(sigaltstack)
{
	struct {
		uint32_t sp, flags, size;
	} ss, old = { p->ss_sp, signal_altstack_flags(p, p->regs->esp) | (p->ss_flags & LNX_SS_AUTODISARM), p->ss_size };
	int r;

	if (a[0] && (r = umem_read(p, a[0], &ss, sizeof ss)) != 0)
		return r;
	if (a[0] && (r = signal_altstack_set(p, p->regs->esp, ss.sp, ss.flags, ss.size)) != 0)
		return r;
	return a[1] ? umem_write(p, a[1], &old, sizeof old) : 0;
}

/* sigprocmask(how, const old_sigset_t *set, old_sigset_t *oset): the first 32 signals only. */
SYS(sigprocmask)
{
	uint32_t set, old = (uint32_t)p->sigmask;
	int r;

	if (a[1] && a[0] > 2)
		return -LNX_EINVAL;
	if (a[1] && (r = umem_read(p, a[1], &set, sizeof set)) != 0)
		return r;
	if (a[2] && (r = umem_write(p, a[2], &old, sizeof old)) != 0)
		return r;
	if (a[1])
		p->sigmask = (p->sigmask & ~0xFFFFFFFFull) | (apply(old, a[0], set) & 0xFFFFFFFFull);
	return 0;
}

SYS(rt_sigpending)
{
	uint64_t set = p->sigpending & p->sigmask;

	if (a[1] != 8)
		return -LNX_EINVAL;
	return umem_write(p, a[0], &set, sizeof set);
}

struct kill_all {
	struct process *from;
	int sig;
	bool found;
};

static void
kill_one(struct process *q, void *arg)
{
	struct kill_all *k = arg;

	if (q->state != PROC_LIVE || q == k->from)
		return;
	k->found = true;
	if (k->sig)
		signal_send(q, k->sig, k->from->pid, 0, 0);
}

struct kill_group {
	struct process *from;
	uint32_t pgrp;
	int sig;
	bool found;
};

static void
kill_member(struct process *q, void *arg)
{
	struct kill_group *k = arg;

	if (q->state != PROC_LIVE || q->pgid != k->pgrp)
		return;
	k->found = true;
	if (k->sig)
		signal_send(q, k->sig, k->from->pid, 0, 0);
}

/* kill(pid, sig): one process, the caller's group (0), every process but init and the caller (-1), a group (< -1). */
SYS(kill)
{
	int32_t pid = (int32_t)a[0];
	int sig = (int)a[1];

	if (a[1] > LNX_NSIG)
		return -LNX_EINVAL;
	if (pid > 0) {
		struct process *t = process_of_pid((uint32_t)pid);

		if (!t)
			return -LNX_ESRCH;
		if (sig)
			signal_send(t, sig, p->pid, 0, 0);	/* a zombie takes it and nothing happens */
		return 0;
	}
	if (pid == -1) {
		struct kill_all k = { p, sig, false };

		process_each(kill_one, &k);
		return k.found ? 0 : -LNX_ESRCH;
	}
	if (pid == INT32_MIN)
		return -LNX_ESRCH;
	struct kill_group k = { p, pid == 0 ? p->pgid : (uint32_t)-pid, sig, false };

	process_each(kill_member, &k);
	return k.found ? 0 : -LNX_ESRCH;
}

/* tkill(tid, sig) and tgkill(tgid, tid, sig): a process has one thread, whose id is its pid. */
static int32_t
thread_kill(struct process *p, uint32_t tid, uint32_t sig)
{
	struct process *t;

	if ((int32_t)tid <= 0 || sig > LNX_NSIG)
		return -LNX_EINVAL;
	if (!(t = process_of_pid(tid)) || t->state != PROC_LIVE)
		return -LNX_ESRCH;
	if (sig)
		signal_send(t, (int)sig, p->pid, -6 /* SI_TKILL */, 0);
	return 0;
}

SYS(tkill)
{
	return thread_kill(p, a[0], a[1]);
}

SYS(tgkill)
{
	if ((int32_t)a[0] <= 0)
		return -LNX_EINVAL;
	if (a[0] != a[1])
		return -LNX_ESRCH;
	return thread_kill(p, a[1], a[2]);
}

/* pause(): held until a signal ends it (-EINTR once the handler is set up). */
SYS(pause)
{
	(void)a;
	p->wait_key = p;
	return SYS_DEFER;
}

/* rt_sigsuspend(mask, size): the mask while held; the caller's comes back after the handler. */
SYS(rt_sigsuspend)
{
	uint64_t set;
	int r;

	p->wait_key = p;
	if (p->replay)
		return SYS_DEFER;
	if (a[1] != 8)
		return -LNX_EINVAL;
	if ((r = umem_read(p, a[0], &set, sizeof set)) != 0)
		return r;
	p->suspend_mask = p->sigmask;
	p->suspended = true;
	p->sigmask = set & ~UNBLOCKABLE;
	return SYS_DEFER;
}

/*
 * rt_sigtimedwait(set, info, timeout, size), which glibc's sigwaitinfo and
 * sigtimedwait call: a pending signal of set (blocked or not) is taken, not
 * delivered, and its number answered, its siginfo written to info; with
 * none, a zero timeout answers EAGAIN at once, else the call is held, on the
 * process (a signal of set sent meanwhile wakes it though blocked:
 * sigwait_set, signal.c), until its timeout (EAGAIN) or another signal
 * that a handler takes (EINTR, main.c).
 */
static int32_t
sigtimedwait(struct process *p, const uint32_t a[6], bool wide)
{
	uint64_t set;
	int64_t ms;
	int s, r;

	if (a[3] != 8)
		return -LNX_EINVAL;
	if ((r = umem_read(p, a[0], &set, sizeof set)) != 0 || (r = timespec_ms(p, a[2], wide, &ms)) != 0)
		return r;
	set &= ~UNBLOCKABLE;
	if ((s = signal_take(p, set)) != 0)
		return a[1] && (r = signal_siginfo_write(p, s, a[1])) != 0 ? r : s;
	if (ms == 0 || msg_deferred_expired())
		return -LNX_EAGAIN;
	p->sigwait_set = set;
	p->wait_key = p;
	p->defer_ms = ms < 0 ? 0 : ms > 0x7FFFFFFF ? 0x7FFFFFFF : (uint32_t)ms;
	return SYS_DEFER;
}

SYS(rt_sigtimedwait)
{
	return sigtimedwait(p, a, false);
}

SYS(rt_sigtimedwait_time64)
{
	return sigtimedwait(p, a, true);
}

/* sigsuspend(old_mask): i386's older form, the mask as a word (the first 32 signals). */
SYS(sigsuspend)
{
	p->wait_key = p;
	if (p->replay)
		return SYS_DEFER;
	p->suspend_mask = p->sigmask;
	p->suspended = true;
	p->sigmask = ((p->sigmask & ~0xFFFFFFFFull) | a[2]) & ~UNBLOCKABLE;
	return SYS_DEFER;
}

static int32_t
sigreturn(struct process *p, bool rt)
{
	uint64_t mask;

	if (signal_frame_pop(p, rt, &mask) != 0) {
		process_exit(p, LNX_SIGSEGV);	/* Linux: a frame it cannot read is a SIGSEGV */
		return 0;
	}
	p->sigmask = mask & ~UNBLOCKABLE;
	return (int32_t)p->regs->eax;	/* the interrupted code's eax, as it was */
}

SYS(sigreturn)
{
	(void)a;
	return sigreturn(p, false);
}

SYS(rt_sigreturn)
{
	(void)a;
	return sigreturn(p, true);
}
