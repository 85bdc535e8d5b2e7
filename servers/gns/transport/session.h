/*
 * The transport's internal state, shared by its files: xport.c (entries,
 * peers, the tick), handshake.c (sessions start), send.c (the sending half:
 * fragments, flow control, retransmission, acknowledgements received) and
 * recv.c (the receiving half: reassembly, ordered delivery). One thread.
 */
#ifndef XPORT_SESSION_H
#define XPORT_SESSION_H

#include "seal.h"
#include "window.h"
#include "wire.h"
#include "xport.h"

/*
 * A message being sent: queued on its peer until its last fragment is out,
 * then held by its flights until the last is acknowledged. Its bytes are
 * parts[0..nparts): a copy after the parts array (xport_send) or the
 * caller's own memory (xport_send_parts, whose done is called at the end).
 */
struct out_msg {
	struct out_msg *next;    /* the peer's queue, in order */
	uint32_t id, prev;       /* 0 until its first fragment goes out in a session */
	uint32_t port, len, frags;
	uint32_t next_frag;      /* first fragment not yet sent */
	uint32_t in_flight;      /* fragments sent and not acknowledged */
	uint32_t nparts;
	size_t   size;           /* of this block, for xport_free */
	void   (*done)(void *ctx, void *arg);   /* lent parts: given back */
	void    *done_arg;
	struct xport_part parts[];
};

/*
 * At most this many fragments in flight: the first one not acknowledged and
 * the 64 after it that the sack bits report. With more, a fragment past the
 * sack's reach times out while a hole before it is being filled, though it
 * arrived (with 256 in flight, three quarters of the retransmissions on the
 * tests' lossy wire were of data that had arrived; with 65, a fifth).
 */
#define FLIGHT_MAX 65
/* The flight table's slots: a power of two above FLIGHT_MAX, so that a dsn's
 * slot is a mask (a 64-bit modulo by 65 is a libgcc call on i386, several a
 * datagram) and the FLIGHT_MAX dsns in flight still have one each. */
#define FLIGHT_SLOTS 128
_Static_assert((FLIGHT_SLOTS & (FLIGHT_SLOTS - 1)) == 0 && FLIGHT_SLOTS >= FLIGHT_MAX, "slots by mask");

/* A fragment sent and not acknowledged; session->flight[FLIGHT_SLOT(dsn)]. */
#define FLIGHT_SLOT(dsn) ((uint32_t)(dsn) & (FLIGHT_SLOTS - 1))
struct flight {
	struct out_msg *msg;     /* NULL: the slot is free */
	uint64_t dsn;
	uint32_t frag, tries;
	uint64_t sent_at, deadline;
	bool     fast_resent;    /* resent early once on a gap in the acknowledgements */
	bool     deferred;       /* its RTO passed while an older one was unanswered: not resent yet */
};

/* A message being received, kept by id until every earlier one is delivered. */
struct in_msg {
	struct in_msg *next;     /* the session's list, by id */
	uint32_t id, prev, port, len, frags, got;
	bool     delivered;      /* data and have are gone; the id stays until the floor passes */
	uint8_t *have;           /* a bit per fragment */
	uint8_t *data;
};

/*
 * The last message id sent to a port, so that the next one to the same port
 * names it as `prev`: messages to different ports do not wait for each other.
 */
#define PORTS_IN_FLIGHT 64
struct port_last {
	uint32_t port, last; /* last: the message id (from 1) last started to port */
};

struct session {
	struct seal_keys keys;
	bool     initiator;
	uint8_t  init_nonce[WIRE_NONCE_SIZE], resp_nonce[WIRE_NONCE_SIZE];
	uint32_t reply_tries;    /* a responder's session until confirmed: REPLYs sent */
	uint64_t reply_deadline;
	/* sending */
	uint64_t tx_pn;          /* the last packet number used */
	uint64_t snd_una;        /* the oldest dsn not acknowledged (snd_nxt if none) */
	uint64_t snd_nxt;        /* the next dsn to give a fragment */
	uint64_t high_acked;     /* the highest dsn the peer acknowledged (0: none yet) */
	uint32_t next_msg;       /* the next message id */
	struct port_last ports[PORTS_IN_FLIGHT];	/* [0, nports) in use (send.c, start_msg) */
	uint32_t nports;
	uint32_t flight_bytes;   /* payload bytes sent and not acknowledged */
	uint32_t peer_window;    /* what the peer said it takes in flight (its HELLO or REPLY) */
	uint64_t srtt, rttvar, rto;
	uint64_t resent_rtt;     /* from the first send of the last resent fragment acknowledged to
				  * its acknowledgement: a sample once a duplicate's ack shows the resend
				  * was not needed (send_acked) */
	struct flight flight[FLIGHT_SLOTS];
	/* receiving */
	struct window rx_pn;     /* packet numbers seen: replay */
	struct window rx_dsn;    /* data received: acknowledgement, duplicates */
	uint32_t rx_floor;       /* the lowest message id not delivered */
	struct in_msg *in;
	uint64_t rx_held;        /* bytes of messages being reassembled */
	uint32_t rx_unacked;     /* DATA received since our last acknowledgement */
	bool     ack_due;        /* DATA waits for our acknowledgement until ack_deadline */
	uint64_t ack_deadline;
};

enum peer_state { PEER_IDLE, PEER_HELLO };

struct peer {
	struct peer *next;
	uint32_t node;
	enum peer_state state;
	uint8_t  hello_nonce[WIRE_NONCE_SIZE]; /* PEER_HELLO: the nonce we sent */
	uint32_t hello_tries;
	uint64_t hello_deadline;
	struct session *cur;     /* established: what we send on */
	struct session *pending; /* we answered a HELLO; becomes cur on the first datagram under it */
	struct out_msg *queue, *queue_tail;
	uint64_t queued_bytes;   /* every message of this peer not yet freed */
};

/*
 * xport.c keeps up to XPORT_SPARES freed blocks of XPORT_SMALL_BLOCK bytes
 * (a short message's record, a delivered message's bytes: one of each an RPC
 * each way) for the next, where malloc and free cost about 300 instructions a
 * pair; they are free as far as mem_bytes goes. Not under AddressSanitizer,
 * which should see every block's life.
 */
#define XPORT_SMALL_BLOCK 256
#if defined(__SANITIZE_ADDRESS__)
#define XPORT_SPARES 0
#else
#define XPORT_SPARES 8
#endif

struct xport {
	struct xport_config cfg;
	struct xport_stats stats;
	uint8_t  hello_key[XPORT_KEY_SIZE];
	uint32_t max_payload;    /* mtu - WIRE_OVERHEAD_MAX */
	struct peer *peers;
	uint8_t *txbuf, *rxbuf;  /* mtu bytes each */
	void *spare[XPORT_SPARES + 1]; /* free blocks of XPORT_SMALL_BLOCK bytes kept for the next (xport.c) */
	int nspare;
};

/* xport.c */
struct peer *peer_find(struct xport *x, uint32_t node);
struct peer *peer_get(struct xport *x, uint32_t node);
void *xport_alloc(struct xport *x, size_t len);
void xport_free(struct xport *x, void *p, size_t len);
void xport_event(struct xport *x, struct peer *p, enum xport_event ev);
void xport_output(struct xport *x, struct peer *p, size_t len);
uint64_t xport_backoff(const struct xport *x, uint64_t rto, uint32_t tries);

/* handshake.c */
void handshake_start(struct xport *x, struct peer *p, uint64_t now);
int handshake_input(struct xport *x, const struct wire_header *h, const uint8_t *dgram, uint64_t now);
/* false: our HELLO went unanswered max_tries times; the peer is dead */
bool handshake_tick(struct xport *x, struct peer *p, uint64_t now, uint64_t *next);
void handshake_promote(struct xport *x, struct peer *p, uint64_t now);
struct session *session_create(struct xport *x, struct peer *p, bool initiator, const uint8_t *init_nonce,
			       const uint8_t *resp_nonce);
/* Drops what was in flight on it, and clears the peer's pointer to it. */
void session_destroy(struct xport *x, struct peer *p, struct session *s);
void peer_drop_queue(struct xport *x, struct peer *p);

/* send.c */
void send_flush(struct xport *x, struct peer *p, uint64_t now);
void send_ack(struct xport *x, struct peer *p, struct session *s);
int send_acked(struct xport *x, struct peer *p, struct session *s, const struct wire_header *h, uint64_t now);
/* false: a fragment was sent max_tries times; the peer is dead */
bool send_tick(struct xport *x, struct peer *p, uint64_t now, uint64_t *next);
void send_free_msg(struct xport *x, struct peer *p, struct out_msg *m);
void send_drop_flights(struct xport *x, struct peer *p, struct session *s);

/* recv.c */
int recv_data(struct xport *x, struct peer *p, struct session *s, const struct wire_header *h,
	      const uint8_t *payload, uint64_t now);
void recv_free(struct xport *x, struct session *s);

#endif
