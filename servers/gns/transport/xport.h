/*
 * The inter-node transport: reliable, ordered, authenticated and encrypted
 * delivery of messages between nodes over an unreliable datagram service.
 * Portable: no Manifold or lwIP calls. The caller supplies the clock (every
 * entry takes `now`), the datagram output and delivery callbacks, and
 * randomness; the library never sleeps and never blocks. One thread at a time.
 * README.md in this folder has the wire format and the protocol.
 */
#ifndef XPORT_H
#define XPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XPORT_KEY_SIZE 32

/* Why an input was dropped or a call refused. xport_strerror names each. */
enum xport_error {
	XPORT_OK = 0,
	XPORT_E_SHORT,           /* datagram shorter than header and tag */
	XPORT_E_VERSION,         /* unknown protocol version */
	XPORT_E_MALFORMED,       /* a field out of range or inconsistent */
	XPORT_E_NOT_FOR_US,      /* destination node is not this node */
	XPORT_E_UNKNOWN_SESSION, /* no session with that id from that node */
	XPORT_E_BAD_TAG,         /* authentication failed (tampered, wrong key) */
	XPORT_E_MODE,            /* auth-only where encryption is required, or back */
	XPORT_E_REPLAY,          /* packet number seen before, or older than the window */
	XPORT_E_DUPLICATE,       /* data already received (a retransmission) */
	XPORT_E_WINDOW,          /* data beyond the receive window */
	XPORT_E_NOMEM,           /* out of memory, or over a memory limit */
	XPORT_E_TOO_BIG,         /* message larger than max_message */
	XPORT_E_QUEUE_FULL,      /* too many bytes queued for that peer */
	XPORT_E_INVALID,         /* a bad argument from the caller */
	XPORT_E_COUNT
};

enum xport_event {
	XPORT_EV_UP,        /* a session with the peer is established */
	XPORT_EV_DEAD,      /* the peer stopped answering; its queued messages are dropped */
	XPORT_EV_RESTARTED, /* the peer began a new session; the old one's messages are dropped */
};

struct xport_config {
	uint32_t node;                          /* this node, nonzero */
	uint8_t  cluster_key[XPORT_KEY_SIZE];   /* shared by the whole cluster */
	bool     auth_only;                     /* authenticate, do not encrypt (measurement) */
	uint32_t mtu;                           /* largest datagram; 0: 1472 (UDP in Ethernet) */
	uint32_t window_bytes;                  /* unacknowledged bytes in flight; 0: 256 KiB */
	uint32_t max_message;                   /* 0: 64 MiB */
	uint32_t max_queued;                    /* bytes queued per peer; 0: 2 * max_message */
	uint32_t rx_limit;                      /* reassembly bytes per peer; 0: 2 * max_message */
	uint64_t rto_initial_us;                /* 0: 200 ms */
	uint64_t rto_min_us;                    /* 0: 10 ms */
	uint64_t rto_max_us;                    /* 0: 2 s */
	uint32_t max_tries;                     /* sends of one datagram before the peer is dead; 0: 12 */
	void    *ctx;                           /* passed to every callback */
	/* A datagram for node `peer`; the bytes are valid during the call only. */
	void (*output)(void *ctx, uint32_t peer, const void *dgram, size_t len);
	/* A whole message for `port` from `peer`; the bytes are valid during the call only. */
	void (*deliver)(void *ctx, uint32_t peer, uint32_t port, const void *data, size_t len);
	/*
	 * Instead of deliver (one of the two): the message's bytes are handed
	 * over, not lent, so a large one is never copied; the callee gives them
	 * back with xport_data_free, during the call or after it.
	 */
	void (*deliver_take)(void *ctx, uint32_t peer, uint32_t port, void *data, size_t len);
	/* Optional: sessions coming and going. */
	void (*event)(void *ctx, uint32_t peer, enum xport_event ev);
	/* Fills buf with unpredictable bytes (session nonces). */
	void (*random)(void *ctx, void *buf, size_t len);
	/*
	 * Optional, both or neither: where a message being reassembled lives
	 * (blocks of XPORT_BIG_BLOCK bytes or more; smaller ones, and all without
	 * these, are malloc's). gns gives page-granular memory it can return to
	 * the kernel at once, where malloc's heap would keep a 16 MiB peak.
	 */
	void *(*big_alloc)(void *ctx, size_t len);
	void (*big_free)(void *ctx, void *p, size_t len);
};

#define XPORT_BIG_BLOCK (64 * 1024)

/* A piece of a message lent to xport_send_parts. */
struct xport_part {
	const void *p;
	size_t len;
};

#define XPORT_PARTS_MAX 256

/* Everything counted; rx_rejected[e] counts inputs dropped with error e. */
struct xport_stats {
	uint64_t rx_datagrams, rx_rejected[XPORT_E_COUNT];
	uint64_t tx_datagrams, tx_retransmits, tx_hellos, tx_acks;
	uint64_t msgs_sent, msgs_delivered, bytes_delivered;
	uint64_t msgs_dropped;       /* queued to a peer that died or restarted */
	uint64_t sessions_up, peers_dead, peers_restarted;
	uint64_t mem_bytes;          /* held now by the library */
};

struct xport;

/* NULL when the configuration is invalid or memory is short. */
struct xport *xport_create(const struct xport_config *cfg);
void xport_destroy(struct xport *x);

/*
 * Queues a copy of a message for `port` on node `peer`; it is delivered there
 * once, after every earlier message of this node to that peer (so per port in
 * order). Starts a session when there is none.
 * Errors: XPORT_E_INVALID (peer 0 or this node), XPORT_E_TOO_BIG,
 * XPORT_E_QUEUE_FULL, XPORT_E_NOMEM.
 */
int xport_send(struct xport *x, uint32_t peer, uint32_t port, const void *data, size_t len, uint64_t now);

/*
 * As xport_send, but the message is the bytes of parts[0..n) in order, lent,
 * not copied: each fragment is read from them as it goes out (and again if it
 * is resent). They must stay valid and unchanged until done(ctx, arg) is
 * called, exactly once, when the message has been wholly acknowledged or was
 * dropped (the peer died or restarted, xport_forget, xport_destroy). done may
 * not call the library. On an error return done is not called and the parts
 * are the caller's again. So a message of any size costs the library a few
 * words: what is in flight (the flow-control window) is read from the
 * caller's memory, never held twice. Errors as xport_send, XPORT_E_INVALID
 * also for n > XPORT_PARTS_MAX, a part with bytes but no pointer, or no done.
 */
int xport_send_parts(struct xport *x, uint32_t peer, uint32_t port, const struct xport_part *parts, int n,
		     void (*done)(void *ctx, void *arg), void *arg, uint64_t now);

/* One datagram from the network. XPORT_OK, or why it was dropped (also counted). */
int xport_input(struct xport *x, const void *dgram, size_t len, uint64_t now);

/*
 * Retransmissions, delayed acknowledgements, handshakes. Returns when to call
 * it next (UINT64_MAX: nothing pending); call it also after xport_input and
 * xport_send, which may want an earlier deadline.
 */
uint64_t xport_tick(struct xport *x, uint64_t now);

/*
 * No deadline xport_input or xport_send sets is nearer than this (the
 * delayed acknowledgement's, rto_min / 4): a caller may put its next
 * xport_tick that far off after them rather than tick at once (gns does:
 * a tick after every datagram cost it 320 instructions).
 */
uint64_t xport_min_delay(const struct xport *x);

/*
 * RFC 6298's smoothing of one sample into an average and its mean deviation
 * (the first sample, *avg 0, sets the average to it, at least 1, and the
 * deviation to half of it): the transport's round trips, and gns's heartbeat
 * gaps (detect.c).
 */
void xport_smooth(uint64_t *avg, uint64_t *dev, uint64_t sample);

const struct xport_stats *xport_stats(const struct xport *x);
const char *xport_strerror(int err);

/* Gives back a message deliver_take handed over (its bytes are no longer counted in mem_bytes). */
void xport_data_free(struct xport *x, void *data, size_t len);

/* Bytes of messages to the peer not yet acknowledged (0 for an unknown peer). */
size_t xport_pending(const struct xport *x, uint32_t peer);

/* The smoothed round-trip time to the peer in microseconds; 0 before a measurement. */
uint64_t xport_rtt(const struct xport *x, uint32_t peer);

/*
 * Declares the peer dead now, as its failure detector decided (gns's
 * heartbeats): its sessions and queued messages go, with the DEAD event.
 * A later xport_send starts a new session. XPORT_E_INVALID for an unknown peer.
 */
int xport_forget(struct xport *x, uint32_t peer);

#endif
