/*
 * msg_server_run (see <manifold/msg.h>): the loop every server runs, with the
 * rules msgc's generated demultiplexers expect of it, by one thread or a pool
 * of cthreads. Each turn: receive (until the timer's or a deferred request's
 * time) → notification? its callback → else the demuxes and the reply →
 * held-back requests that may go now (defer.c) → the timer.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/trap.h>
#include <msgc_runtime.h>
#include "serve_thread.h"

static cthread_key_t thread_key;
static int key_state;	/* [A] 0: none, 1: being made, 2: made */

static inline uint64_t
tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * The clock, for the timer and held requests. A reading is a trap (about
 * 390 instructions), once a turn in a timed server (gns: three or four a
 * round trip of udp_rr_remote), and a server's timers want milliseconds at
 * most. So the thread's last reading is used again while the time stamp
 * counter says fewer than CLOCK_REUSE_CYCLES went by since it was made:
 * under a millisecond on a CPU of 1 GHz or more (instructions, under QEMU's
 * -icount), so a timer fires at most that much late and a held request's
 * deadline, set from such a reading, comes at most that much early (the
 * clock's own step is the HPET's, or 10 ms without one). A counter that
 * went back (another CPU's) reads the clock.
 */
#define CLOCK_REUSE_CYCLES (1u << 20)

static uint64_t
now_us(struct serve_thread *t)
{
	uint64_t ns = 0, c = tsc();

	if (t && t->clock_tsc && c - t->clock_tsc < CLOCK_REUSE_CYCLES)
		return t->clock_us;
	trap_clock_uptime(&ns);
	if (t) {
		t->clock_tsc = c;
		t->clock_us = ns / 1000;
		t->clock_ms = ns / 1000000;
	}
	return ns / 1000;
}

uint64_t
serve_now_ms(struct serve_thread *t)
{
	uint64_t us = now_us(t);

	return t ? t->clock_ms : us / 1000;
}

struct serve_thread *
serve_thread_self(void)
{
	return __atomic_load_n(&key_state, __ATOMIC_ACQUIRE) == 2 ? cthread_getspecific(thread_key) : NULL;
}

static void
make_key(void)
{
	int expect = 0;

	if (__atomic_compare_exchange_n(&key_state, &expect, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		cthread_key_create(&thread_key);
		__atomic_store_n(&key_state, 2, __ATOMIC_RELEASE);
	}
	while (__atomic_load_n(&key_state, __ATOMIC_ACQUIRE) != 2)
		thread_switch(MACH_PORT_NULL, 0, 0);
}

bool
msg_trailer_sender(const mach_msg_header_t *in, uint32_t *task_id)
{
	const mach_msg_security_trailer_t *tr =
		(const mach_msg_security_trailer_t *)((const char *)in + ((in->msgh_size + 3) & ~3u));

	if (tr->msgh_trailer_type != MACH_MSG_TRAILER_FORMAT_0 || tr->msgh_trailer_size < sizeof *tr)
		return false;
	*task_id = tr->msgh_sender.val[0];
	return true;
}

bool
msg_request_sender(uint32_t *task_id)
{
	struct serve_thread *t = serve_thread_self();

	if (!t || !t->in || !t->has_sender)
		return false;
	*task_id = t->sender;
	return true;
}

static bool
is_error_reply(const mach_msg_header_t *out)
{
	return !(out->msgh_bits & MACH_MSGH_BITS_COMPLEX) && out->msgh_size == sizeof(mig_reply_error_t) &&
	       ((const mig_reply_error_t *)out)->RetCode != KERN_SUCCESS;
}

/*
 * A notification from the kernel, checked before it is believed: the kernel's
 * are simple (but port-destroyed, which carries exactly one receive right) and
 * of their exact size. True if it was one (and is dealt with).
 */
#define BODY_SIZE(type) offsetof(type, trailer)	/* msgh_size counts no trailer */

static bool
notification(struct msg_server *s, mach_msg_header_t *in)
{
	bool on_notify = MACH_PORT_VALID(s->notify_port) && in->msgh_local_port == s->notify_port;

	if (!MACH_PORT_VALID(s->notify_port) && s->other)
		return false;	/* a server of the older shape sees them in `other` */

	switch (in->msgh_id) {
	case MACH_NOTIFY_DEAD_NAME: {
		mach_port_name_t dead = ((mach_dead_name_notification_t *)in)->not_port;
		if (in->msgh_size != BODY_SIZE(mach_dead_name_notification_t) || (in->msgh_bits & MACH_MSGH_BITS_COMPLEX))
			return false;
		if (on_notify && s->dead_name)
			s->dead_name(dead);
		/* the notification brings a reference for the dead name, as in Mach */
		if (on_notify)
			mach_port_deallocate(mach_task_self(), dead);
		mach_msg_destroy(in);	/* a forged one's reply right */
		return true;
	}
	case MACH_NOTIFY_PORT_DESTROYED: {
		mach_port_destroyed_notification_t *pd = (mach_port_destroyed_notification_t *)in;
		if (!(in->msgh_bits & MACH_MSGH_BITS_COMPLEX) || in->msgh_size != BODY_SIZE(mach_port_destroyed_notification_t) ||
		    pd->not_body.msgh_descriptor_count != 1 || pd->not_port.type != MACH_MSG_PORT_DESCRIPTOR ||
		    pd->not_port.disposition != MACH_MSG_TYPE_PORT_RECEIVE)
			return false;
		if (on_notify && s->port_destroyed)
			s->port_destroyed(pd->not_port.name);
		else
			mach_msg_destroy(in);
		return true;
	}
	case MACH_NOTIFY_NO_SENDERS:
		if (in->msgh_size != BODY_SIZE(mach_no_senders_notification_t) || (in->msgh_bits & MACH_MSGH_BITS_COMPLEX))
			return false;
		if (s->no_senders)
			s->no_senders(in->msgh_local_port);
		mach_msg_destroy(in);
		return true;
	case MACH_NOTIFY_SEND_ONCE:
	case MACH_NOTIFY_PORT_DELETED:
		if (in->msgh_bits & MACH_MSGH_BITS_COMPLEX)
			return false;
		if (!on_notify && s->other)
			return false;	/* a send-once right the server made for a port of its own: `other`'s */
		mach_msg_destroy(in);
		return true;
	}
	return false;
}

/* A reply that could not go (its client died meanwhile) still holds the reply right and any memory. */
static void
send_reply(mach_msg_header_t *out)
{
	if (mach_msg(out, MACH_SEND_MSG | MACH_SEND_TIMEOUT, out->msgh_size, 0, 0, 0, 0) != MACH_MSG_SUCCESS)
		mach_msg_destroy(out);
}

void
serve_dispatch(struct serve_thread *t, mach_msg_header_t *in)
{
	struct msg_server *s = t->s;
	mach_msg_header_t *out = t->out;
	bool claimed = false, alone = false;

	if (t->reply_pending && t->replaying && s->held_replies_first && t->spare) {
		out = t->spare;	/* the waiting reply stays for the receive; this one goes first */
		alone = true;
	} else if (t->reply_pending) {	/* out is about to be written again (a held request served once more) */
		t->reply_pending = false;
		send_reply(out);
	}
	if (s->claim && s->claim(in))
		return;
	if (in->msgh_id >= MACH_NOTIFY_FIRST && in->msgh_id <= MACH_NOTIFY_LAST && notification(s, in))
		return;
	t->in = in;
	for (int i = 0; i < s->ndemuxes && !claimed; i++)
		claimed = s->demuxes[i](in, out);
	t->in = NULL;
	if (!claimed && s->other) {
		s->other(in);
		return;
	}
	/* an unknown id leaves an error reply in out too (MIG_BAD_ID) */
	if (is_error_reply(out)) {
		if (((mig_reply_error_t *)out)->RetCode == MIG_NO_REPLY)
			return;	/* deferred, or a simpleroutine: the handler keeps what it must */
		in->msgh_remote_port = MACH_PORT_NULL;	/* the reply right went to out */
		mach_msg_destroy(in);
	}
	if (out->msgh_remote_port == MACH_PORT_NULL)
		return;
	if (alone) {
		send_reply(out);
		return;
	}
	/*
	 * A send-once right never waits for room: such a reply may go with the
	 * loop's next receive. A held request's too, where the server lets its
	 * tick come first (reply_after_tick): a later replay sends it first.
	 */
	if (t->combine && (!t->replaying || t->s->reply_after_tick) &&
	    MACH_MSGH_BITS_REMOTE(out->msgh_bits) == MACH_MSG_TYPE_MOVE_SEND_ONCE)
		t->reply_pending = true;
	else
		send_reply(out);
}

/* The waiting message did not go: its sender hears (a send-once right to release), else it is lost. */
static void
later_failed(struct serve_thread *t, mach_msg_return_t mr)
{
	void (*failed)(mach_msg_header_t *, mach_msg_return_t, void *) = t->later_failed;

	t->later_failed = NULL;
	if (failed) {
		t->later_failing = true;	/* what the callback sends goes at once, alone */
		failed(t->later, mr, t->later_arg);
		t->later_failing = false;
	}
}

/* The waiting message (msg_send_with_receive's or msg_send_once_with_receive's), sent alone. */
static void
send_later_alone(struct serve_thread *t)
{
	mach_msg_return_t mr;

	if (t->later_pending) {
		t->later_pending = false;
		mr = mach_msg(t->later, MACH_SEND_MSG | MACH_SEND_TIMEOUT, t->later->msgh_size, 0, 0, 0, 0);
		if (mr != MACH_MSG_SUCCESS)
			later_failed(t, mr);	/* (which forgets the callback too) */
		else
			t->later_failed = NULL;
	}
}

/* The reply held for the next receive, sent now: there will be none (the loop ends). */
static void
flush_reply(struct serve_thread *t)
{
	send_later_alone(t);
	if (t->reply_pending) {
		t->reply_pending = false;
		send_reply(t->out);
	}
}

static bool
send_later(const mach_msg_header_t *msg, mach_msg_type_name_t dest,
	   void (*failed)(mach_msg_header_t *msg, mach_msg_return_t mr, void *arg), void *arg)
{
	struct serve_thread *t = serve_thread_self();

	/* a reply will take the receive (one waits, or the request being served has a reply port): no gain */
	if (!t || !t->combine || t->later_pending || t->later_failing || t->reply_pending ||
	    (t->in && MACH_PORT_VALID(t->in->msgh_remote_port)) || msg->msgh_size > t->buf_size ||
	    (msg->msgh_bits & (MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS_LOCAL_MASK)) != 0 ||
	    MACH_MSGH_BITS_REMOTE(msg->msgh_bits) != dest)
		return false;
	if (!t->later && (t->later = malloc(t->buf_size)) == NULL)
		return false;
	memcpy(t->later, msg, msg->msgh_size);
	t->later_pending = true;
	t->later_failed = failed;
	t->later_arg = arg;
	return true;
}

bool
msg_send_with_receive(const mach_msg_header_t *msg)
{
	return send_later(msg, MACH_MSG_TYPE_COPY_SEND, NULL, NULL);
}

bool
msg_send_once_with_receive(const mach_msg_header_t *msg,
			   void (*failed)(mach_msg_header_t *msg, mach_msg_return_t mr, void *arg), void *arg)
{
	return send_later(msg, MACH_MSG_TYPE_MOVE_SEND_ONCE, failed, arg);
}

/* mach_msg's error for its send half (then nothing was received), not its receive's. */
static bool
send_failed(mach_msg_return_t mr)
{
	return mr != MACH_MSG_SUCCESS && (mr & 0xFFFFC000u) == (MACH_SEND_IN_PROGRESS & 0xFFFFC000u);
}

/*
 * The turn's receive, with the last turn's reply when one waits: one trap
 * for both, as a client's RPC makes (and the kernel's fast path takes it
 * whole). The two buffers change roles then: the request arrives where the
 * reply was. A reply that cannot go is destroyed and the receive made alone.
 */
static mach_msg_return_t
receive(struct serve_thread *t, mach_msg_header_t **in, mach_msg_size_t in_size, uint32_t wait)
{
	mach_msg_option_t rcv = MACH_RCV_MSG | (wait ? MACH_RCV_TIMEOUT : 0) |
				(t->s->sender_ids ? MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER) : 0);
	mach_msg_header_t *out = t->out;
	mach_msg_return_t mr;

	if (t->later_pending && t->reply_pending)
		send_later_alone(t);	/* one message a trap: the reply takes the receive */
	if (t->later_pending) {
		t->later_pending = false;
		mr = mach_msg(t->later, MACH_SEND_MSG | MACH_SEND_TIMEOUT | rcv, t->later->msgh_size, in_size,
			      t->s->port, wait, 0);
		if (!send_failed(mr)) {	/* the buffers change roles, as with a reply */
			mach_msg_header_t *p = t->later;
			t->later = *in;
			*in = p;
			t->later_failed = NULL;
			return mr;
		}
		later_failed(t, mr);
	}
	if (t->reply_pending) {
		t->reply_pending = false;
		mr = mach_msg(out, MACH_SEND_MSG | MACH_SEND_TIMEOUT | rcv, out->msgh_size, in_size, t->s->port, wait,
			      0);
		if (!send_failed(mr)) {
			t->out = *in;
			*in = out;
			return mr;
		}
		mach_msg_destroy(out);
	}
	return mach_msg(*in, rcv, 0, in_size, t->s->port, wait, 0);
}

/* ms until the timer or a held request is due (0: no limit). */
static uint32_t
next_wait(uint32_t timer, uint32_t deferred)
{
	if (!timer)
		return deferred;
	return deferred && deferred < timer ? deferred : timer;
}

static mach_msg_return_t
serve_loop(struct msg_server *s)
{
	mach_msg_size_t in_size = s->max_request + (mach_msg_size_t)sizeof(mach_msg_max_trailer_t);
	struct serve_thread t = { .s = s };
	mach_msg_header_t *in;
	uint32_t timer = 0, deferred = 0;
	uint64_t timer_due = 0, now, us;
	mach_msg_size_t buf_size;

	/* room for any notification, whatever the interface's largest request */
	if (in_size < sizeof(mach_port_destroyed_notification_t) + sizeof(mach_msg_max_trailer_t))
		in_size = sizeof(mach_port_destroyed_notification_t) + sizeof(mach_msg_max_trailer_t);
	/* each buffer serves as either (receive) */
	buf_size = s->max_reply < sizeof(mig_reply_error_t) ? sizeof(mig_reply_error_t) : s->max_reply;
	if (buf_size < in_size)
		buf_size = in_size;
	in = malloc(buf_size);
	t.out = malloc(buf_size);
	t.buf_size = buf_size;
	t.combine = true;
	if (!in || !t.out) {
		free(in);
		free(t.out);
		return MACH_RCV_TOO_LARGE;
	}
	cthread_setspecific(thread_key, &t);
	if (s->tick && s->tick_untimed) {
		timer = s->tick();
	} else if (s->tick) {
		us = now_us(&t);
		if (s->nthreads <= 1)
			s->tick_now_us = us;
		timer = s->tick();
		timer_due = timer ? serve_now_ms(&t) + timer : 0;
	}
	while (!s->stop) {
		uint32_t wait = next_wait(timer, deferred);
		mach_msg_return_t mr = receive(&t, &in, in_size, wait);

		if (mr == MACH_MSG_SUCCESS) {
			t.has_sender = s->sender_ids && msg_trailer_sender(in, &t.sender);
			serve_dispatch(&t, in);
			t.has_sender = false;
		} else if (mr != MACH_RCV_TIMED_OUT && mr != MACH_RCV_TOO_LARGE) {	/* too large: destroyed */
			flush_reply(&t);
			cthread_setspecific(thread_key, NULL);
			free(in);
			free(t.out);
			free(t.later);
			return mr;
		}
		t.spare = in;	/* served: free until the next receive, for held requests' replies */
		/*
		 * The clock once a turn (now_us: a trap at most once a millisecond),
		 * and only when the timer or a held request needs it (defer_run reads
		 * it itself if a request was held meanwhile: now 0): held requests
		 * and the timer are in whole milliseconds, and a turn that outlasts
		 * one only makes the next wait a little shorter or a held request's
		 * expiry a turn later.
		 */
		now = 0;
		if (s->tick && !s->tick_untimed) {
			us = now_us(&t);
			now = t.clock_ms;
			if (s->nthreads <= 1)
				s->tick_now_us = us;
		}
		deferred = defer_run(&t, now);
		if (s->tick_untimed) {
			/* timer_due stays 0: the next wait is the whole timer again, from now */
			if (s->tick && (mr == MACH_MSG_SUCCESS || mr == MACH_RCV_TIMED_OUT)) {
				if (!s->reply_after_tick)
					flush_reply(&t);
				timer = s->tick();
				deferred = defer_run(&t, now);
			}
		} else if (s->tick && (mr == MACH_MSG_SUCCESS || (timer_due && now >= timer_due))) {
			/* the reply goes before anything the timer sends, unless the server lets it wait */
			if (!s->reply_after_tick)
				flush_reply(&t);
			timer = s->tick();
			timer_due = timer ? now + timer : 0;
			/* the timer may have made held requests ready (gns's lwIP timers and frames) */
			deferred = defer_run(&t, now);
		} else if (timer_due) {
			timer = timer_due > now ? (uint32_t)(timer_due - now) : 1;
		}
	}
	flush_reply(&t);
	cthread_setspecific(thread_key, NULL);
	free(in);
	free(t.out);
	free(t.later);
	return MACH_MSG_SUCCESS;
}

static void *
pool_thread(void *arg)
{
	return (void *)(uintptr_t)serve_loop(arg);
}

/*
 * The other threads of a pool are never joined: they serve until a receive
 * fails or stop is set, and the caller's return from here is normally
 * followed by the task's exit, which ends them.
 */
mach_msg_return_t
msg_server_run(struct msg_server *s)
{
	make_key();	/* s->lock is zeroed with the rest: an unlocked mutex */
	for (int i = 1; i < s->nthreads; i++) {
		cthread_t t;
		if (cthread_fork(&t, pool_thread, s) != KERN_SUCCESS)
			break;	/* serve with the threads we have */
		cthread_detach(t);
	}
	return serve_loop(s);
}

mach_msg_return_t
msg_serve_threads(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other,
		  mach_msg_size_t max_request, mach_msg_size_t max_reply, int nthreads)
{
	struct msg_server *s = calloc(1, sizeof *s);	/* a pool's threads use it for ever */
	mach_msg_return_t mr;

	if (!s)
		return MACH_RCV_TOO_LARGE;
	s->port = port;
	s->demuxes = demuxes;
	s->ndemuxes = n;
	s->other = other;
	s->max_request = max_request;
	s->max_reply = max_reply;
	s->nthreads = nthreads;
	mr = msg_server_run(s);
	if (nthreads <= 1)
		free(s);
	return mr;
}

mach_msg_return_t
msg_serve(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other, mach_msg_size_t max_request,
	  mach_msg_size_t max_reply)
{
	return msg_serve_threads(port, demuxes, n, other, max_request, max_reply, 1);
}
