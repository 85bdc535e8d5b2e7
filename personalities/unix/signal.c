/*
 * Posting and delivering signals (signal.h). Linux's default actions: most
 * signals terminate; SIGCHLD, SIGCONT, SIGURG and SIGWINCH are ignored;
 * SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU stop (the task is suspended, and a
 * held call stays held) until SIGCONT. A signal's default action is taken
 * when it is posted if nothing blocks it, else when it is unblocked; a
 * caught one waits in sigpending until signal_deliver makes its frame: as
 * the process's call answers, or at once when it runs its own code.
 */
#include <string.h>
#include "linux.h"
#include "pgrp.h"
#include "ptimer.h"
#include "signal.h"

#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_STOPPED	5
#define CLD_CONTINUED	6
#define SI_USER		0
#define SI_KERNEL	0x80
#define UNBLOCKABLE	(SIG_BIT(LNX_SIGKILL) | SIG_BIT(LNX_SIGSTOP))

enum action { ACT_TERMINATE, ACT_IGNORE, ACT_STOP, ACT_CONTINUE };

static enum action
default_action(int sig)
{
	switch (sig) {
	case LNX_SIGCHLD:
	case LNX_SIGURG:
	case LNX_SIGWINCH:
		return ACT_IGNORE;
	case LNX_SIGCONT:
		return ACT_CONTINUE;
	case LNX_SIGSTOP:
	case LNX_SIGTSTP:
	case LNX_SIGTTIN:
	case LNX_SIGTTOU:
		return ACT_STOP;
	}
	return ACT_TERMINATE;
}

static bool
is_stop(int sig)
{
	return default_action(sig) == ACT_STOP;
}

static void
stop(struct process *p, int sig)
{
	if (p->stopped)
		return;
	p->stopped = true;
	p->stop_sig = sig;
	p->stop_report = true;
	p->cont_report = false;
	task_suspend(p->task);
	signal_child_changed(p, CLD_STOPPED, sig);
	server_retry_process(process_of_pid(p->ppid));	/* in wait4 with WUNTRACED */
}

static void
cont(struct process *p)
{
	p->sigpending &= ~(SIG_BIT(LNX_SIGSTOP) | SIG_BIT(LNX_SIGTSTP) | SIG_BIT(LNX_SIGTTIN) | SIG_BIT(LNX_SIGTTOU));
	if (!p->stopped)
		return;
	p->stopped = false;
	p->stop_report = false;
	p->cont_report = true;
	task_resume(p->task);
	signal_child_changed(p, CLD_CONTINUED, LNX_SIGCONT);
	server_retry_process(p);	/* its own held call */
	server_retry_process(process_of_pid(p->ppid));	/* in wait4 with WCONTINUED */
}

/*
 * A caught signal for a process that is not in the server (no call being
 * served, none held): its thread is suspended, and if no call of its waits
 * on its port (it was running its own code), the handler's frame is built
 * from the registers thread_get_state gives and set with thread_set_state
 * before it goes on. One processor and a suspended thread: it cannot reach
 * its next `int 0x80` meanwhile. A call already queued takes the signal as
 * it answers, as any call does.
 */
static void
deliver_now(struct process *p)
{
	i386_thread_state_t st;
	mach_port_status_t ps;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT, pn = MACH_PORT_RECEIVE_STATUS_COUNT;

	if (p->regs || p->held || p->stopped || thread_suspend(p->thread) != KERN_SUCCESS)
		return;
	if (mach_port_get_attributes(mach_task_self(), p->port, MACH_PORT_RECEIVE_STATUS, (integer_t *)&ps, &pn) ==
		    KERN_SUCCESS &&
	    ps.mps_msgcount == 0 &&
	    thread_get_state(p->thread, i386_THREAD_STATE, (natural_t *)&st, &n) == KERN_SUCCESS) {
		p->regs = &st;
		signal_deliver(p);
		p->regs = NULL;
		if (p->state == PROC_LIVE)
			thread_set_state(p->thread, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT);
	}
	if (p->state == PROC_LIVE)
		thread_resume(p->thread);
}

void
signal_send(struct process *p, int sig, uint32_t from, int32_t code, int32_t status)
{
	signal_send_info(p, sig, &(struct sig_from){ from, code, status, 0 });
}

void
signal_send_info(struct process *p, int sig, const struct sig_from *info)
{
	const struct lnx_sigaction_rec *act;
	uint64_t bit = SIG_BIT(sig);
	bool blocked;

	if (!p || p->state != PROC_LIVE || sig < 1 || sig > LNX_NSIG)
		return;
	if (sig == LNX_SIGKILL) {
		process_exit(p, LNX_SIGKILL);
		return;
	}
	if (sig == LNX_SIGCONT)
		cont(p);
	else if (is_stop(sig))
		p->sigpending &= ~SIG_BIT(LNX_SIGCONT);
	act = &p->sigactions[sig - 1];
	blocked = (p->sigmask & bit) != 0;
	/* a blocked signal is kept, whatever its action: it may change, or rt_sigtimedwait take it (Linux's) */
	if (act->handler == LNX_SIG_IGN && !blocked)
		return;
	if (act->handler == LNX_SIG_DFL && !blocked) {
		switch (default_action(sig)) {
		case ACT_TERMINATE:
			process_exit(p, sig);
			return;
		case ACT_STOP:
			if (sig == LNX_SIGSTOP || !pgrp_orphaned(p->pgid))
				stop(p, sig);	/* an orphaned group's SIGTSTP, SIGTTIN, SIGTTOU: dropped */
			return;
		case ACT_IGNORE:
		case ACT_CONTINUE:
			return;
		}
	}
	if (act->handler == LNX_SIG_DFL && default_action(sig) != ACT_TERMINATE && default_action(sig) != ACT_STOP &&
	    !blocked)
		return;	/* ignored by default: nothing to keep */
	/* a standard signal is one pending instance (the last sender's); a real-time one is queued */
	if (sig < LNX_SIGRTMIN || !sigqueue_add(p, sig, info))
		p->sigfrom[sig - 1] = *info;
	p->sigpending |= bit;
	if (!blocked) {
		server_retry_process(p);	/* a held call of p's ends */
		deliver_now(p);		/* or it runs its own code */
	} else if (p->sigwait_set & bit) {
		server_retry_process(p);	/* its rt_sigtimedwait takes it */
	}
}

/*
 * The signal of ready (a set of pending ones) that goes first, or 0: as
 * Linux's next_signal, a synchronous one (a fault's: SIGILL, SIGTRAP,
 * SIGBUS, SIGFPE, SIGSEGV, SIGSYS) before the rest, then the lowest number.
 */
static int
first_signal(uint64_t ready)
{
	const uint64_t sync = SIG_BIT(4) | SIG_BIT(5) | SIG_BIT(7) | SIG_BIT(8) | SIG_BIT(LNX_SIGSEGV) | SIG_BIT(31);

	if (ready & sync)
		ready &= sync;
	return ready ? __builtin_ctzll(ready) + 1 : 0;
}

int
signal_take(struct process *p, uint64_t set)
{
	int s = first_signal(p->sigpending & set);

	if (!s)
		return 0;
	if (s >= LNX_SIGRTMIN)
		sigqueue_take(p, s);	/* the oldest instance's siginfo into sigfrom */
	else
		p->sigpending &= ~SIG_BIT(s);
	ptimer_delivered(p, s);
	return s;
}

void
signal_raise(struct process *p, int sig)
{
	signal_send(p, sig, 0, SI_KERNEL, 0);
}

struct group_send {
	uint32_t pgrp;
	int sig;
	bool found;
};

static void
group_one(struct process *q, void *arg)
{
	struct group_send *g = arg;

	if (q->state == PROC_LIVE && q->pgid == g->pgrp) {
		g->found = true;
		signal_send(q, g->sig, 0, SI_KERNEL, 0);
	}
}

bool
signal_group(uint32_t pgrp, int sig)
{
	struct group_send g = { pgrp, sig, false };

	process_each(group_one, &g);
	return g.found;
}

struct group_find {
	uint32_t pgrp;
	bool found;
};

static void
group_live(struct process *q, void *arg)
{
	struct group_find *g = arg;

	if (q->state == PROC_LIVE && q->pgid == g->pgrp)
		g->found = true;
}

bool
signal_group_exists(uint32_t pgrp)
{
	struct group_find g = { pgrp, false };

	process_each(group_live, &g);
	return g.found;
}

void
signal_child_ended(struct process *parent, struct process *child)
{
	const struct lnx_sigaction_rec *act = &parent->sigactions[LNX_SIGCHLD - 1];
	int st = child->status;

	if (act->handler == LNX_SIG_IGN || (act->flags & LNX_SA_NOCLDWAIT)) {
		child->ppid = INIT_PID;	/* nobody will wait: init reaps it (process_exit) */
		return;
	}
	signal_send(parent, LNX_SIGCHLD, child->pid, st & 0x7F ? CLD_KILLED : CLD_EXITED,
		    st & 0x7F ? st & 0x7F : (st >> 8) & 0xFF);
}

void
signal_child_changed(struct process *child, int32_t code, int32_t sig)
{
	struct process *parent = process_of_pid(child->ppid);

	if (!parent || parent->state != PROC_LIVE)
		return;
	if (parent->sigactions[LNX_SIGCHLD - 1].flags & LNX_SA_NOCLDSTOP)
		return;
	signal_send(parent, LNX_SIGCHLD, child->pid, code, sig);
}

/* The pending signal p does not block that goes first, or 0. */
static int
next_signal(const struct process *p)
{
	return first_signal(p->sigpending & ~p->sigmask);
}

bool
signal_restarts(struct process *p)
{
	int s = next_signal(p);

	return s && (p->sigactions[s - 1].flags & LNX_SA_RESTART);
}

bool
signal_is_notice(struct process *p)
{
	int s = next_signal(p);

	return s && default_action(s) == ACT_IGNORE;
}

void
signal_deliver_pending(struct process *p)
{
	int s;

	while (p->state == PROC_LIVE && (s = next_signal(p)) != 0) {
		struct lnx_sigaction_rec act = p->sigactions[s - 1];
		uint64_t old = p->suspended ? p->suspend_mask : p->sigmask;

		if (s >= LNX_SIGRTMIN)
			sigqueue_take(p, s);	/* the oldest instance's siginfo; pending while another waits */
		else
			p->sigpending &= ~SIG_BIT(s);
		ptimer_delivered(p, s);
		if (act.handler == LNX_SIG_IGN)
			continue;
		if (act.handler == LNX_SIG_DFL) {
			/* it was blocked when it came: its default action now */
			if (default_action(s) == ACT_TERMINATE)
				process_exit(p, s);
			else if (default_action(s) == ACT_STOP && (s == LNX_SIGSTOP || !pgrp_orphaned(p->pgid)))
				stop(p, s);
			continue;
		}
		if (signal_frame_push(p, s, &act, old) != 0) {
			/* no room for the frame: Linux kills with SIGSEGV */
			process_exit(p, LNX_SIGSEGV);
			return;
		}
		p->suspended = false;
		p->sigmask = (old | act.mask[0] | (uint64_t)act.mask[1] << 32) & ~UNBLOCKABLE;
		if (!(act.flags & LNX_SA_NODEFER))
			p->sigmask |= SIG_BIT(s);
		if (act.flags & LNX_SA_RESETHAND)
			p->sigactions[s - 1].handler = LNX_SIG_DFL;
		/*
		 * and on to the next signal the new mask lets through: its frame goes
		 * on top of this one, so its handler runs first, as Linux builds every
		 * pending signal's frame before the process runs again
		 */
	}
}

void
signal_exec(struct process *p)
{
	for (int s = 0; s < LNX_NSIG; s++)
		if (p->sigactions[s].handler != LNX_SIG_IGN)
			memset(&p->sigactions[s], 0, sizeof p->sigactions[s]);
}
