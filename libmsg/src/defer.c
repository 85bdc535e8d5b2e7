/*
 * Deferred replies (see <manifold/msg.h>): a handler that cannot answer yet
 * (a lookup of a name not registered yet, a read with no line typed) keeps a
 * copy of the request, reply right and all, in its server's list; the loop
 * serves it again when the server says something changed, and once more
 * when its time is up. The list is the server's, under its lock; a request
 * being served again is out of the list, so any thread of a pool can do it.
 * A request held on a key (msg_defer_on) goes again only when that key is
 * woken (msg_retry_key), or at a retry of all, or at its deadline.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <msgc_runtime.h>
#include "serve_thread.h"

/*
 * A held request's buffer: the server's spare (the last one served, sized
 * for its largest request) if there is one, else a new one. A process
 * that holds a request a round trip (the unix server's pipe reads) then
 * costs no malloc and free each time. Only where the largest request is
 * small (HELD_SPARE_MAX): gns's is over 17 KiB, and MSG_DEFERRED_MAX held
 * requests each of that size would be some 17 MiB that its clients could
 * make it hold with a few bytes each; there every copy has its own size.
 */
#define HELD_SPARE_MAX 512

static struct msg_deferred *
held_alloc(struct msg_server *s, mach_msg_size_t size)
{
	struct msg_deferred *d;
	size_t head = sizeof *d - sizeof d->msg;

	if (size > s->max_request || s->max_request > HELD_SPARE_MAX)
		return (d = malloc(head + size)) ? (d->whole = false, d) : NULL;
	if ((d = __atomic_exchange_n(&s->spare_held, NULL, __ATOMIC_ACQ_REL)) == NULL &&
	    (d = malloc(head + s->max_request)) != NULL)
		d->whole = true;
	return d;
}

static void
held_free(struct msg_server *s, struct msg_deferred *d)
{
	struct msg_deferred *none = NULL;

	if (!d->whole || !__atomic_compare_exchange_n(&s->spare_held, &none, d, false, __ATOMIC_ACQ_REL,
						       __ATOMIC_ACQUIRE))
		free(d);
}

bool
msg_defer(uint32_t timeout_ms)
{
	return msg_defer_on(timeout_ms, NULL);
}

bool
msg_defer_on(uint32_t timeout_ms, const void *key)
{
	struct serve_thread *t = serve_thread_self();
	struct msg_server *s;
	struct msg_deferred *d, **tail;

	if (!t || !t->in || t->expired)
		return false;	/* not in a handler, or its time is up: answer now */
	s = t->s;
	if (!(d = held_alloc(s, t->in->msgh_size)))
		return false;
	memcpy(&d->msg, t->in, t->in->msgh_size);
	d->has_sender = t->has_sender;
	d->sender = t->sender;
	/*
	 * A new request's deadline is set by the defer_run that follows its
	 * handler in the same turn, from the clock the loop reads anyway: a
	 * clock trap fewer a held request (gns holds a recv every round trip),
	 * and the deadline a handler's length later, never earlier.
	 */
	d->deadline_ms = t->replaying ? t->deadline_ms : 0;
	d->timeout_ms = t->replaying ? 0 : timeout_ms;
	d->key = key;
	d->woken = false;
	d->next = NULL;
	cthread_mutex_lock(&s->lock);
	if (s->ndeferred >= MSG_DEFERRED_MAX) {
		cthread_mutex_unlock(&s->lock);
		held_free(s, d);
		return false;
	}
	for (tail = &s->deferred; *tail; tail = &(*tail)->next)
		;
	*tail = d;
	s->ndeferred++;
	cthread_mutex_unlock(&s->lock);
	return true;
}

bool
msg_deferred_expired(void)
{
	struct serve_thread *t = serve_thread_self();

	return t && t->expired;
}

void
msg_retry_deferred(struct msg_server *s)
{
	cthread_mutex_lock(&s->lock);
	s->retry = s->retry_all = true;
	cthread_mutex_unlock(&s->lock);
}

/*
 * Only noted here, not matched against the held requests: one being served
 * again is out of the list meanwhile, and must still see a wake that came
 * then (at the next run, as a retry does).
 */
void
msg_retry_key(struct msg_server *s, const void *key)
{
	int i;

	if (!key) {
		msg_retry_deferred(s);
		return;
	}
	cthread_mutex_lock(&s->lock);
	s->retry = true;
	if (!s->retry_all) {
		for (i = 0; i < s->nwake && s->wake[i] != key; i++)
			;
		if (i == s->nwake) {
			if (s->nwake < MSG_WAKE_KEYS)
				s->wake[s->nwake++] = key;
			else
				s->retry_all = true;	/* too many at once: everyone goes */
		}
	}
	cthread_mutex_unlock(&s->lock);
}

void
msg_deferred_cancel(struct msg_server *s, mach_port_t port)
{
	struct msg_deferred *gone = NULL, **p;

	cthread_mutex_lock(&s->lock);
	for (p = &s->deferred; *p;) {
		struct msg_deferred *d = *p;
		if (d->msg.msgh_local_port == port) {
			*p = d->next;
			s->ndeferred--;
			d->next = gone;
			gone = d;
		} else {
			p = &d->next;
		}
	}
	cthread_mutex_unlock(&s->lock);
	while (gone) {
		struct msg_deferred *d = gone;
		gone = d->next;
		mach_msg_destroy(&d->msg);	/* the client hears of it by a send-once notification */
		held_free(s, d);
	}
}

int
msg_deferred_count(struct msg_server *s, mach_port_t port)
{
	int n = 0;

	cthread_mutex_lock(&s->lock);
	for (struct msg_deferred *d = s->deferred; d; d = d->next)
		n += d->msg.msgh_local_port == port;
	cthread_mutex_unlock(&s->lock);
	return n;
}

mach_msg_header_t *
msg_deferred_take(struct msg_server *s, mach_port_t port)
{
	struct msg_deferred *d, **p;

	cthread_mutex_lock(&s->lock);
	for (p = &s->deferred; (d = *p) != NULL && d->msg.msgh_local_port != port; p = &d->next)
		;
	if (d) {
		*p = d->next;
		s->ndeferred--;
	}
	cthread_mutex_unlock(&s->lock);
	return d ? &d->msg : NULL;
}

void
msg_deferred_free(struct msg_server *s, mach_msg_header_t *m)
{
	held_free(s, (struct msg_deferred *)((char *)m - offsetof(struct msg_deferred, msg)));
}

/* Takes the first request held, after a retry of all. */
static struct msg_deferred *
take_first(struct msg_server *s)
{
	struct msg_deferred *d = s->deferred;

	if (d) {
		s->deferred = d->next;
		s->ndeferred--;
	}
	return d;
}

/* Takes the first request that must go again: the first woken, or (woken false) the first due. */
static struct msg_deferred *
take(struct msg_server *s, bool woken, uint64_t now)
{
	struct msg_deferred **p;

	for (p = &s->deferred; *p; p = &(*p)->next) {
		struct msg_deferred *d = *p;
		if (woken ? d->woken : d->deadline_ms && d->deadline_ms <= now) {
			*p = d->next;
			s->ndeferred--;
			return d;
		}
	}
	return NULL;
}

/* Marks the requests held on a key woken since the last run, and those held on none: how many. */
static int
mark_woken(struct msg_server *s)
{
	int n = 0;

	for (struct msg_deferred *d = s->deferred; d; d = d->next) {
		d->woken = !d->key;
		for (int i = 0; i < s->nwake && !d->woken; i++)
			d->woken = s->wake[i] == d->key;
		n += d->woken;
	}
	return n;
}

/* The request goes through the demux again, in the thread's name, then is freed. */
static void
replay(struct serve_thread *t, struct msg_deferred *d, bool expired)
{
	t->replaying = true;
	t->expired = expired;
	t->deadline_ms = d->deadline_ms;
	t->has_sender = d->has_sender;
	t->sender = d->sender;
	serve_dispatch(t, &d->msg);
	t->has_sender = false;
	t->replaying = t->expired = false;
	t->deadline_ms = 0;
	held_free(t->s, d);
}

uint32_t
defer_run(struct serve_thread *t, uint64_t now)
{
	struct msg_server *s = t->s;
	uint64_t next = 0;
	struct msg_deferred *d;
	bool timed;
	int n;

	/*
	 * Nothing held: every turn of nearly every server. Looked at without the
	 * lock, since the clock and the lock cost a trap or two a request; a
	 * request another thread of a pool holds meanwhile is timed by that
	 * thread's own turn, which comes right after it held it.
	 */
	if (!__atomic_load_n(&s->deferred, __ATOMIC_ACQUIRE) && !__atomic_load_n(&s->retry, __ATOMIC_ACQUIRE))
		return 0;
	cthread_mutex_lock(&s->lock);
	timed = now != 0;
	if (!timed) {
		/*
		 * The loop did not read the clock this turn: read it only when a
		 * held request has a deadline to set or to meet (the unix server's
		 * pipe reads have none: two clock readings a round trip fewer).
		 */
		for (d = s->deferred; d && !d->timeout_ms && !d->deadline_ms; d = d->next)
			;
		if ((timed = d != NULL))
			now = serve_now_ms(t);
		else if (!s->retry) {	/* nothing woken, nothing timed: nothing to do */
			cthread_mutex_unlock(&s->lock);
			return 0;
		}
	}
	for (d = s->deferred; timed && d; d = d->next) {
		if (d->timeout_ms) {	/* held since the last run: msg_defer */
			d->deadline_ms = now + d->timeout_ms;
			d->timeout_ms = 0;
		}
	}
	if (s->retry) {
		/*
		 * Those woken (all, after a retry of all), each once, in order;
		 * those held again go to the back, still in order, and are not
		 * taken again: they are new allocations, not woken.
		 */
		bool all = s->retry_all;

		n = all ? s->ndeferred : mark_woken(s);
		s->retry = s->retry_all = false;
		s->nwake = 0;
		while (n-- > 0 && (d = all ? take_first(s) : take(s, true, 0)) != NULL) {
			cthread_mutex_unlock(&s->lock);
			replay(t, d, d->deadline_ms && d->deadline_ms <= now);
			cthread_mutex_lock(&s->lock);
		}
	}
	while ((d = take(s, false, now)) != NULL) {
		cthread_mutex_unlock(&s->lock);
		replay(t, d, true);
		cthread_mutex_lock(&s->lock);
	}
	for (d = s->deferred; d; d = d->next) {
		if (d->deadline_ms) {
			uint64_t left = d->deadline_ms > now ? d->deadline_ms - now : 1;
			if (!next || left < next)
				next = left;
		}
	}
	cthread_mutex_unlock(&s->lock);
	return (uint32_t)next;
}
