/*
 * poll, ppoll, select and pselect6: what each descriptor's file says now
 * (fd.h's poll op); when nothing is ready the call is held, with the
 * timeout as its deadline, on its own process (a signal wakes it) and
 * looked at again when one of the files it asked changes: each file names
 * the key its changes wake (fd.h's wake_key: a pipe, the tty, the
 * sockets), the held poll keeps them (POLL_KEYS at most, else it is held on
 * no key and goes at every wake) and is on the list of held polls that
 * server_retry_on walks (poll_wake).
 * ppoll's and pselect6's signal mask is taken for the call's length only
 * as far as delivery goes: it replaces the mask until the call answers.
 */
#include <string.h>
#include <manifold/msg.h>
#include "fd.h"
#include "linux.h"
#include "signal.h"
#include "syscall.h"
#include "umem.h"

#define POLL_MAX FD_MAX

struct lnx_pollfd {
	int32_t fd;
	int16_t events, revents;
};

static struct lnx_pollfd fds[POLL_MAX];	/* one call at a time: unix_lock */
static const void *keys[POLL_KEYS];	/* the last scan's files' wake keys, each once */
static uint32_t nkeys;
static bool too_many_keys;		/* ...or more kinds than that */
static struct process *pollers;		/* [U] processes whose poll or select is held, through poll_next */

static void
note_key(struct file *f)
{
	const void *k = f->ops->wake_key ? f->ops->wake_key(f) : NULL;
	uint32_t i;

	if (!k)
		return;	/* always ready: nothing wakes a wait on it */
	for (i = 0; i < nkeys && keys[i] != k; i++)
		;
	if (i < nkeys)
		return;
	if (nkeys == POLL_KEYS)
		too_many_keys = true;
	else
		keys[nkeys++] = k;
}

/* Fills revents, and notes what each file's changes wake; the number of descriptors with any. */
static int32_t
scan(struct process *p, uint32_t n)
{
	int32_t ready = 0;

	nkeys = 0;
	too_many_keys = false;
	for (uint32_t i = 0; i < n; i++) {
		struct file *f;

		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if (!(f = fd_get(p, (uint32_t)fds[i].fd))) {
			fds[i].revents = LNX_POLLNVAL;
		} else {
			fds[i].revents = (int16_t)(f->ops->poll(f) &
						   ((uint16_t)fds[i].events | LNX_POLLERR | LNX_POLLHUP));
			note_key(f);
		}
		ready += fds[i].revents != 0;
	}
	return ready;
}

/* Nothing is ready: p's call is held (main.c) on what the last scan noted, until ms (0: no limit). */
static int32_t
hold(struct process *p, int64_t ms)
{
	p->defer_ms = ms < 0 ? 0 : ms > 0x7FFFFFFF ? 0x7FFFFFFF : (uint32_t)ms;
	if (ms > 0 && p->defer_ms == 0)
		p->defer_ms = 1;
	if (too_many_keys)
		return SYS_DEFER;	/* on no key: it goes at every wake */
	p->wait_key = p;	/* a signal, and its deadline */
	memcpy(p->poll_keys, keys, nkeys * sizeof keys[0]);
	p->npoll_keys = (uint8_t)nkeys;
	if (!p->polling) {
		p->poll_next = pollers;
		pollers = p;
		p->polling = true;
	}
	return SYS_DEFER;
}

void
poll_forget(struct process *p)
{
	struct process **q;

	if (!p->polling)
		return;
	for (q = &pollers; *q != p; q = &(*q)->poll_next)
		;
	*q = p->poll_next;
	p->polling = false;
}

/* Stays on the list until served again (poll_forget): a second wake meanwhile is one more note, no more. */
void
poll_wake(const void *key)
{
	for (struct process *q = pollers; q; q = q->poll_next)
		for (uint32_t i = 0; i < q->npoll_keys; i++)
			if (q->poll_keys[i] == key) {
				server_retry_process(q);
				break;
			}
}

/* timeout_ms < 0: no limit. */
static int32_t
do_poll(struct process *p, uint32_t at, uint32_t n, int64_t timeout_ms)
{
	int32_t ready;
	int r;

	if (n > POLL_MAX)
		return -LNX_EINVAL;
	if (n && (r = umem_read(p, at, fds, n * sizeof fds[0])) != 0)
		return r;
	ready = scan(p, n);
	if (ready == 0 && timeout_ms != 0 && !msg_deferred_expired())
		return hold(p, timeout_ms);
	if (n && (r = umem_write(p, at, fds, n * sizeof fds[0])) != 0)
		return r;
	return ready;
}

SYS(poll)
{
	return do_poll(p, a[0], a[1], (int32_t)a[2] < 0 ? -1 : (int32_t)a[2]);
}

int
timespec_ms(struct process *p, uint32_t at, bool wide, int64_t *ms)
{
	int64_t sec, nsec;
	int r;

	if (!at) {
		*ms = -1;
		return 0;
	}
	if (wide) {
		struct lnx_timespec64 t;

		if ((r = umem_read(p, at, &t, sizeof t)) != 0)
			return r;
		sec = t.tv_sec, nsec = t.tv_nsec;
	} else {
		struct lnx_timespec32 t;

		if ((r = umem_read(p, at, &t, sizeof t)) != 0)
			return r;
		sec = t.tv_sec, nsec = t.tv_nsec;
	}
	if (sec < 0 || nsec < 0 || nsec >= 1000000000)
		return -LNX_EINVAL;
	*ms = sec > 0x7FFFFFFF / 1000 ? 0x7FFFFFFF : sec * 1000 + (nsec + 999999) / 1000000;
	return 0;
}

/* ppoll's sigmask: the mask while held (rt_sigsuspend's way), given back after. */
static int
take_mask(struct process *p, uint32_t at, uint32_t size)
{
	uint64_t set;
	int r;

	if (!at || p->replay)
		return 0;
	if (size != 8)
		return -LNX_EINVAL;
	if ((r = umem_read(p, at, &set, sizeof set)) != 0)
		return r;
	p->suspend_mask = p->sigmask;
	p->suspended = true;
	p->sigmask = set & ~(SIG_BIT(LNX_SIGKILL) | SIG_BIT(LNX_SIGSTOP));
	return 0;
}

static void
give_mask(struct process *p, int32_t r)
{
	/* a signal that ends the call leaves the mask to its handler's frame (signal.c) */
	if (p->suspended && r != SYS_DEFER && r != -LNX_EINTR) {
		p->sigmask = p->suspend_mask;
		p->suspended = false;
	}
}

static int32_t
ppoll(struct process *p, const uint32_t a[6], bool wide)
{
	int64_t ms;
	int32_t r;

	if ((r = timespec_ms(p, a[2], wide, &ms)) != 0 || (r = take_mask(p, a[3], a[4])) != 0)
		return r;
	r = do_poll(p, a[0], a[1], ms);
	give_mask(p, r);
	return r;
}

SYS(ppoll)
{
	return ppoll(p, a, false);
}

SYS(ppoll_time64)
{
	return ppoll(p, a, true);
}

/*
 * select's three sets as a poll: readable is POLLIN (or end of file,
 * an error), writable POLLOUT, exceptional POLLPRI; a bad descriptor in a
 * set is EBADF.
 */
static int32_t
do_select(struct process *p, uint32_t n, const uint32_t sets[3], int64_t ms)
{
	uint32_t bits[3][FD_MAX / 32], out[3][FD_MAX / 32];
	uint32_t words = (n + 31) / 32, k = 0, map[FD_MAX];
	int32_t ready = 0;
	int r;

	if ((int32_t)n < 0)
		return -LNX_EINVAL;
	if (n > FD_MAX)
		n = FD_MAX, words = FD_MAX / 32;
	memset(bits, 0, sizeof bits);
	for (int s = 0; s < 3; s++)
		if (sets[s] && words && (r = umem_read(p, sets[s], bits[s], words * 4)) != 0)
			return r;
	for (uint32_t fd = 0; fd < n; fd++) {
		int16_t ev = 0;

		for (int s = 0; s < 3; s++)
			if (bits[s][fd / 32] & (1u << (fd % 32)))
				ev |= (int16_t)(s == 0 ? LNX_POLLIN : s == 1 ? LNX_POLLOUT : LNX_POLLPRI);
		if (!ev)
			continue;
		if (!fd_get(p, fd))
			return -LNX_EBADF;
		fds[k].fd = (int32_t)fd;
		fds[k].events = ev;
		map[k++] = fd;
	}
	scan(p, k);
	memset(out, 0, sizeof out);
	for (uint32_t i = 0; i < k; i++) {
		uint32_t fd = map[i], rev = (uint16_t)fds[i].revents;
		bool got[3] = { (rev & (LNX_POLLIN | LNX_POLLHUP | LNX_POLLERR)) && (fds[i].events & LNX_POLLIN),
				(rev & (LNX_POLLOUT | LNX_POLLERR)) && (fds[i].events & LNX_POLLOUT),
				(rev & LNX_POLLPRI) != 0 };

		for (int s = 0; s < 3; s++)
			if (got[s]) {
				out[s][fd / 32] |= 1u << (fd % 32);
				ready++;
			}
	}
	if (ready == 0 && ms != 0 && !msg_deferred_expired())
		return hold(p, ms);
	for (int s = 0; s < 3; s++)
		if (sets[s] && words && (r = umem_write(p, sets[s], out[s], words * 4)) != 0)
			return r;
	return ready;
}

/* _newselect(n, readfds, writefds, exceptfds, struct timeval *) */
SYS(_newselect)
{
	const uint32_t sets[3] = { a[1], a[2], a[3] };
	int64_t ms = -1;

	if (a[4]) {
		struct lnx_timeval tv;
		int r = umem_read(p, a[4], &tv, sizeof tv);

		if (r)
			return r;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -LNX_EINVAL;
		ms = tv.tv_sec > 0x7FFFFFFF / 1000 ? 0x7FFFFFFF : (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	}
	return do_select(p, a[0], sets, ms);
}

/* pselect6(n, readfds, writefds, exceptfds, timespec *, {const sigset_t *, size_t} *) */
static int32_t
pselect(struct process *p, const uint32_t a[6], bool wide)
{
	const uint32_t sets[3] = { a[1], a[2], a[3] };
	uint32_t sig[2] = { 0, 0 };
	int64_t ms;
	int32_t r;

	if ((r = timespec_ms(p, a[4], wide, &ms)) != 0)
		return r;
	if (a[5] && (r = umem_read(p, a[5], sig, sizeof sig)) != 0)
		return r;
	if ((r = take_mask(p, sig[0], sig[1])) != 0)
		return r;
	r = do_select(p, a[0], sets, ms);
	give_mask(p, r);
	return r;
}

SYS(pselect6)
{
	return pselect(p, a, false);
}

SYS(pselect6_time64)
{
	return pselect(p, a, true);
}
