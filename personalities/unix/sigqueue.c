/*
 * Real-time signals' queue: a real-time signal (SIGRTMIN, 32, and above)
 * sent while it is caught or blocked is queued once per sending, each
 * instance with its own siginfo (sigqueue's si_value), and delivered one
 * at a time, oldest first, as Linux does; a standard signal stays one
 * pending instance (sigfrom). signal_send queues (sigqueue_add), and
 * signal_deliver takes the oldest into sigfrom before making its frame
 * (sigqueue_take); the pending bit stays while one is queued. Also
 * rt_sigqueueinfo and rt_tgsigqueueinfo, which send with the caller's siginfo.
 *   [U] unix_lock, as everything of the server's
 */
#include <stdlib.h>
#include "linux.h"
#include "process.h"
#include "signal.h"
#include "syscall.h"
#include "umem.h"

#define SI_TKILL	(-6)	/* tkill's si_code */
#define SIGQUEUE_MAX 128	/* queued instances a process: then EAGAIN (Linux's RLIMIT_SIGPENDING) */

struct sigq {
	struct sigq *next;
	int sig;
	struct sig_from from;
};

bool
sigqueue_add(struct process *p, int sig, const struct sig_from *from)
{
	struct sigq *q, **tail;

	if (p->nqueued >= SIGQUEUE_MAX || !(q = malloc(sizeof *q)))
		return false;
	q->next = NULL;
	q->sig = sig;
	q->from = *from;
	for (tail = &p->sigqueue; *tail; tail = &(*tail)->next)
		;
	*tail = q;
	p->nqueued++;
	return true;
}

void
sigqueue_take(struct process *p, int sig)
{
	bool more = false;

	for (struct sigq **at = &p->sigqueue; *at;) {
		struct sigq *q = *at;

		if (q->sig != sig) {
			at = &q->next;
		} else if (more) {
			return;	/* another instance waits: the signal stays pending */
		} else {
			p->sigfrom[sig - 1] = q->from;
			*at = q->next;
			free(q);
			p->nqueued--;
			more = true;
		}
	}
	p->sigpending &= ~SIG_BIT(sig);
}

void
sigqueue_flush(struct process *p, int sig)
{
	for (struct sigq **at = &p->sigqueue; *at;) {
		struct sigq *q = *at;

		if (sig && q->sig != sig) {
			at = &q->next;
			continue;
		}
		*at = q->next;
		free(q);
		p->nqueued--;
	}
}

/*
 * Sends sig to the process pid with the caller's siginfo at info_at: only to
 * itself may a process say the signal came from the kernel or kill (si_code
 * >= 0, or SI_TKILL), as Linux checks.
 */
static int32_t
queue_info(struct process *p, int32_t pid, uint32_t sig, uint32_t info_at)
{
	int32_t info[8];	/* si_signo, si_errno, si_code, si_pid, si_uid, si_value: the words used here */
	struct process *t;
	int r;

	if (sig > LNX_NSIG)
		return -LNX_EINVAL;
	if ((r = umem_read(p, info_at, info, sizeof info)) != 0)
		return r;
	if (pid <= 0 || !(t = process_of_pid((uint32_t)pid)))
		return -LNX_ESRCH;
	if (t != p && (info[2] >= 0 || info[2] == SI_TKILL))
		return -LNX_EPERM;
	if (!sig || t->state != PROC_LIVE)
		return 0;
	if (sig >= LNX_SIGRTMIN && t->nqueued >= SIGQUEUE_MAX)
		return -LNX_EAGAIN;
	signal_send_info(t, (int)sig, &(struct sig_from){ (uint32_t)info[3], info[2], info[5], (uint32_t)info[4] });
	return 0;
}

/* rt_sigqueueinfo(pid, sig, info) */
SYS(rt_sigqueueinfo)
{
	return queue_info(p, (int32_t)a[0], a[1], a[2]);
}

/* rt_tgsigqueueinfo(tgid, tid, sig, info): a process has one thread, whose id is its pid. */
SYS(rt_tgsigqueueinfo)
{
	if ((int32_t)a[0] <= 0 || (int32_t)a[1] <= 0)
		return -LNX_EINVAL;
	if (a[0] != a[1])
		return -LNX_ESRCH;
	return queue_info(p, (int32_t)a[0], a[2], a[3]);
}
