/*
 * Signals: posting one to a process (its default action at once when it is
 * not caught or blocked: terminate, ignore, stop, continue), and delivering
 * a caught one with Linux's i386 frames (signal_frame.c) when the process
 * next resumes from a system call: the reply's registers enter the handler.
 * A held call (a read, wait4, pause...) ends when a signal it can take comes:
 * -EINTR, or begun again after the handler (SA_RESTART) for those Linux
 * restarts. A process running its own code is suspended and its registers
 * changed to enter the handler (deliver_now in signal.c).
 */
#ifndef UNIX_SIGNAL_H
#define UNIX_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

#define SIG_BIT(s)	(1ull << ((s) - 1))
#define LNX_SIGRTMIN	32	/* the kernel's first real-time signal: these are queued (sigqueue.c) */

/* Posts sig to p (from pid from, 0: the system), with siginfo's code and status. */
void signal_send(struct process *p, int sig, uint32_t from, int32_t code, int32_t status);
/* The same with the whole siginfo the server keeps (rt_sigqueueinfo's, with si_uid). */
void signal_send_info(struct process *p, int sig, const struct sig_from *info);
/*
 * Real-time signals' instances (sigqueue.c): add one (false: SIGQUEUE_MAX
 * are queued, or no memory), take the oldest of sig into p->sigfrom (the
 * pending bit cleared with the last), drop those of sig (0: all).
 */
bool sigqueue_add(struct process *p, int sig, const struct sig_from *from);
void sigqueue_take(struct process *p, int sig);
void sigqueue_flush(struct process *p, int sig);
/* Posts sig to p from itself or the system (SIGPIPE, SIGSEGV...). */
void signal_raise(struct process *p, int sig);
/* Posts sig to every live process of group pgrp; whether there was one. */
bool signal_group(uint32_t pgrp, int sig);
/* Whether a live process is in group pgrp. */
bool signal_group_exists(uint32_t pgrp);
/* child ended: its parent hears of it (SIGCHLD), or reaps it at once when it said it does not wait. */
void signal_child_ended(struct process *parent, struct process *child);
/* child stopped or continued: SIGCHLD to its parent, unless SA_NOCLDSTOP. */
void signal_child_changed(struct process *child, int32_t code, int32_t sig);
/*
 * Whether a call held for p must end for a signal now: one is pending that
 * it does not block. Inline, as signal_deliver's test is: every call's
 * answer asks (a call of the function and its 64-bit test cost 31).
 */
static inline bool
signal_interrupts(const struct process *p)
{
	return (p->sigpending & ~p->sigmask) != 0;
}
/* Whether the handler about to run asked for interrupted calls to begin again (SA_RESTART). */
bool signal_restarts(struct process *p);
/* Whether the signal about to run is one ignored by default (SIGCHLD, SIGWINCH, SIGURG): news, not a request. */
bool signal_is_notice(struct process *p);
/*
 * Before p resumes: every pending signal it does not block, in Linux's
 * order (the synchronous ones first, then the lowest: signal.c's first_signal),
 * delivered (a frame each, the last on top: p->regs enter its handler) or
 * acted on (terminate, stop). p may be ended.
 */
void signal_deliver_pending(struct process *p);
static inline void
signal_deliver(struct process *p)
{
	if (p->state == PROC_LIVE && signal_interrupts(p))
		signal_deliver_pending(p);
}
/*
 * Takes the pending signal of set that goes first (delivery's order) off
 * p's pending ones (a real-time one's oldest instance), its siginfo in
 * p->sigfrom, undelivered: its number, or 0 if none is pending
 * (rt_sigtimedwait).
 */
int signal_take(struct process *p, uint64_t set);
/* Writes sig's siginfo (p->sigfrom's, 128 bytes, as a handler's frame has it) at at: 0 or -EFAULT. */
int signal_siginfo_write(struct process *p, int sig, uint32_t at);
/* execve: caught signals go back to their default action. */
void signal_exec(struct process *p);

/* signal_frame.c: the handler's frame on the process's stack, and its undoing (sigreturn). 0 or -errno. */
int signal_frame_push(struct process *p, int sig, const struct lnx_sigaction_rec *act, uint64_t old_mask);
int signal_frame_pop(struct process *p, bool rt, uint64_t *mask);
/*
 * sigaltstack's rules (signal_frame.c): the flags of p's alternate stack
 * seen from sp (LNX_SS_DISABLE, LNX_SS_ONSTACK or 0), and a new stack set
 * while at sp: 0, -LNX_EPERM (sp is on the current one), -LNX_EINVAL,
 * -LNX_ENOMEM (smaller than MINSIGSTKSZ).
 */
uint32_t signal_altstack_flags(const struct process *p, uint32_t sp);
int signal_altstack_set(struct process *p, uint32_t sp, uint32_t ss_sp, uint32_t flags, uint32_t size);

#endif
