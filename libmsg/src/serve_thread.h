/*
 * What serve.c and defer.c share: the state of one thread of a server's loop,
 * found by the handlers it calls (msg_defer) through a cthread key.
 */
#ifndef LIBMSG_SERVE_THREAD_H
#define LIBMSG_SERVE_THREAD_H

#include <manifold/msg.h>

struct serve_thread {
	struct msg_server *s;
	mach_msg_header_t *in;		/* the request being served */
	mach_msg_header_t *out;
	uint64_t deadline_ms;		/* of the deferred request served again, else 0 */
	bool replaying, expired;
	bool combine;			/* the loop sends a send-once reply with its next receive */
	bool reply_pending;		/* ...and `out` holds one, not sent yet */
	mach_msg_header_t *spare;	/* the loop's request buffer while it is free (held_replies_first) */
	mach_msg_header_t *later;	/* msg_send_with_receive's buffer (buf_size: it receives too); NULL: none yet */
	bool later_pending;		/* ...holding a message for the next receive */
	void (*later_failed)(mach_msg_header_t *msg, mach_msg_return_t mr, void *arg);	/* NULL: a failure loses it */
	void *later_arg;
	bool later_failing;		/* ...in later_failed, whose message is in `later`: nothing else may wait there */
	mach_msg_size_t buf_size;	/* of the loop's buffers */
	bool has_sender;		/* sender holds the request's sender trailer (msg_request_sender) */
	uint32_t sender;
	uint64_t clock_us, clock_tsc;	/* the last clock reading, and the time stamp counter then */
	uint64_t clock_ms;		/* the same reading in milliseconds: no 64-bit division a turn */
};

struct msg_deferred {
	struct msg_deferred *next;
	uint64_t deadline_ms;		/* 0: none (yet: timeout_ms) */
	uint32_t timeout_ms;		/* a deadline defer_run still sets, from the loop's clock */
	const void *key;		/* what it waits for (msg_defer_on); NULL: any wake */
	bool woken;			/* [lock] a run is to serve it again (its key was woken) */
	bool has_sender;		/* the request's sender, kept for its replays */
	bool whole;			/* room for max_request bytes of message: may be kept as the spare */
	uint32_t sender;
	mach_msg_header_t msg;		/* followed by the rest of the request */
};

/* The clock in ms, or the thread's reading of less than a millisecond ago. */
uint64_t serve_now_ms(struct serve_thread *t);
struct serve_thread *serve_thread_self(void);
/* Runs one received message through the demuxes or the callbacks; sends the reply. */
void serve_dispatch(struct serve_thread *t, mach_msg_header_t *in);
/* Serves held requests again if asked, and those whose time is up; ms until the next deadline (0: none). */
uint32_t defer_run(struct serve_thread *t, uint64_t now);

#endif
