/*
 * Starting a session (README.md, Sessions): the initiator's HELLO carries its
 * nonce, the responder's REPLY both nonces; each side derives the pair's keys
 * from the cluster key and the nonces (seal.c). Both are tagged with
 * HMAC-SHA256 under a key every node of the cluster derives, so a node without
 * the key gets nothing answered. The responder's session stays pending until
 * the first datagram under its keys arrives: a replayed HELLO cannot replace
 * a working session. Both sides may start at once: the lower node's HELLO wins.
 */
#include "session.h"

#include <string.h>

/* Returns the header's length. */
static size_t
handshake_header(struct xport *x, struct peer *p, uint8_t type, uint64_t session, uint64_t pn,
		 uint16_t payload_len)
{
	struct wire_header h = {
		.version = WIRE_VERSION,
		.type = type,
		.src = x->cfg.node,
		.dst = p->node,
		.session = session,
		.pn = pn,
		.window = x->cfg.window_bytes,
		.payload_len = payload_len,
	};
	return wire_encode(&h, x->txbuf);
}

static void
send_hello(struct xport *x, struct peer *p, uint64_t now)
{
	p->hello_tries++;
	size_t hlen = handshake_header(x, p, WIRE_HELLO, 0, p->hello_tries, WIRE_NONCE_SIZE);
	memcpy(x->txbuf + hlen, p->hello_nonce, WIRE_NONCE_SIZE);
	seal_hello(x->hello_key, x->txbuf, hlen + WIRE_NONCE_SIZE);
	x->stats.tx_hellos++;
	xport_output(x, p, hlen + WIRE_NONCE_SIZE + WIRE_TAG_SIZE);
	p->hello_deadline = now + xport_backoff(x, x->cfg.rto_initial_us, p->hello_tries);
}

static void
send_reply(struct xport *x, struct peer *p, struct session *s, uint64_t now)
{
	s->reply_tries++;
	size_t hlen = handshake_header(x, p, WIRE_REPLY, s->keys.session, s->reply_tries, 2 * WIRE_NONCE_SIZE);
	memcpy(x->txbuf + hlen, s->init_nonce, WIRE_NONCE_SIZE);
	memcpy(x->txbuf + hlen + WIRE_NONCE_SIZE, s->resp_nonce, WIRE_NONCE_SIZE);
	seal_hello(x->hello_key, x->txbuf, hlen + 2 * WIRE_NONCE_SIZE);
	x->stats.tx_hellos++;
	xport_output(x, p, hlen + 2 * WIRE_NONCE_SIZE + WIRE_TAG_SIZE);
	s->reply_deadline = now + xport_backoff(x, x->cfg.rto_initial_us, s->reply_tries);
}

struct session *
session_create(struct xport *x, struct peer *p, bool initiator, const uint8_t *init_nonce,
	       const uint8_t *resp_nonce)
{
	struct session *s = xport_alloc(x, sizeof *s);

	if (!s)
		return NULL;
	memset(s, 0, sizeof *s);
	s->initiator = initiator;
	memcpy(s->init_nonce, init_nonce, WIRE_NONCE_SIZE);
	memcpy(s->resp_nonce, resp_nonce, WIRE_NONCE_SIZE);
	seal_derive(x->cfg.cluster_key, initiator ? x->cfg.node : p->node, initiator ? p->node : x->cfg.node,
		    init_nonce, resp_nonce, initiator, &s->keys);
	s->snd_una = s->snd_nxt = 1;
	s->next_msg = 1;
	s->peer_window = x->cfg.window_bytes;
	s->rto = x->cfg.rto_initial_us;
	window_init(&s->rx_pn, 1);
	window_init(&s->rx_dsn, 1);
	s->rx_floor = 1;
	return s;
}

void
session_destroy(struct xport *x, struct peer *p, struct session *s)
{
	send_drop_flights(x, p, s);
	/* The message at the head of the queue was started under this session's ids. */
	if (s == p->cur && p->queue && p->queue->next_frag > 0) {
		struct out_msg *m = p->queue;
		p->queue = m->next;
		if (!p->queue)
			p->queue_tail = NULL;
		x->stats.msgs_dropped++;
		send_free_msg(x, p, m);
	}
	recv_free(x, s);
	if (p->cur == s)
		p->cur = NULL;
	if (p->pending == s)
		p->pending = NULL;
	memset(&s->keys, 0, sizeof s->keys);
	xport_free(x, s, sizeof *s);
}

void
peer_drop_queue(struct xport *x, struct peer *p)
{
	while (p->queue) {
		struct out_msg *m = p->queue;
		p->queue = m->next;
		x->stats.msgs_dropped++;
		send_free_msg(x, p, m);
	}
	p->queue_tail = NULL;
}

void
handshake_start(struct xport *x, struct peer *p, uint64_t now)
{
	x->cfg.random(x->cfg.ctx, p->hello_nonce, WIRE_NONCE_SIZE);
	p->state = PEER_HELLO;
	p->hello_tries = 0;
	send_hello(x, p, now);
}

void
handshake_promote(struct xport *x, struct peer *p, uint64_t now)
{
	struct session *s = p->pending;

	p->pending = NULL;
	if (p->cur) {
		session_destroy(x, p, p->cur);
		x->stats.peers_restarted++;
		xport_event(x, p, XPORT_EV_RESTARTED);
	}
	p->cur = s;
	p->state = PEER_IDLE;
	x->stats.sessions_up++;
	xport_event(x, p, XPORT_EV_UP);
}

static int
hello_input(struct xport *x, const struct wire_header *h, const uint8_t *nonce, uint64_t now)
{
	struct peer *p = peer_get(x, h->src);

	if (!p)
		return XPORT_E_NOMEM;
	/* A HELLO we answered before: our REPLY was lost. */
	struct session *known[] = {p->pending, p->cur};
	for (int i = 0; i < 2; i++) {
		struct session *s = known[i];
		if (s && !s->initiator && seal_equal(s->init_nonce, nonce, WIRE_NONCE_SIZE)) {
			send_reply(x, p, s, now);
			return XPORT_OK;
		}
	}
	if (p->state == PEER_HELLO && x->cfg.node < p->node)
		return XPORT_OK; /* they will answer ours */
	p->state = PEER_IDLE;

	uint8_t resp_nonce[WIRE_NONCE_SIZE];
	x->cfg.random(x->cfg.ctx, resp_nonce, sizeof resp_nonce);
	struct session *s = session_create(x, p, false, nonce, resp_nonce);
	if (!s)
		return XPORT_E_NOMEM;
	s->peer_window = h->window;
	if (p->pending) /* an older HELLO's, never confirmed */
		session_destroy(x, p, p->pending);
	p->pending = s;
	send_reply(x, p, s, now);
	return XPORT_OK;
}

static int
reply_input(struct xport *x, const struct wire_header *h, const uint8_t *nonces, uint64_t now)
{
	struct peer *p = peer_find(x, h->src);
	const uint8_t *init_nonce = nonces, *resp_nonce = nonces + WIRE_NONCE_SIZE;

	if (!p)
		return XPORT_E_UNKNOWN_SESSION;
	if (p->state == PEER_HELLO && seal_equal(init_nonce, p->hello_nonce, WIRE_NONCE_SIZE)) {
		struct session *s = session_create(x, p, true, init_nonce, resp_nonce);
		if (!s)
			return XPORT_E_NOMEM;
		if (s->keys.session != h->session) {
			session_destroy(x, p, s);
			return XPORT_E_MALFORMED;
		}
		s->peer_window = h->window;
		if (p->cur)
			session_destroy(x, p, p->cur);
		p->cur = s;
		p->state = PEER_IDLE;
		x->stats.sessions_up++;
		xport_event(x, p, XPORT_EV_UP);
		send_ack(x, p, s); /* the responder's confirmation */
		send_flush(x, p, now);
		return XPORT_OK;
	}
	struct session *s = p->cur;
	if (s && s->initiator && seal_equal(s->init_nonce, init_nonce, WIRE_NONCE_SIZE) &&
	    seal_equal(s->resp_nonce, resp_nonce, WIRE_NONCE_SIZE)) {
		send_ack(x, p, s); /* our confirmation was lost */
		return XPORT_OK;
	}
	return XPORT_E_UNKNOWN_SESSION;
}

int
handshake_input(struct xport *x, const struct wire_header *h, const uint8_t *dgram, uint64_t now)
{
	if (!seal_hello_check(x->hello_key, dgram, h->header_len + h->payload_len))
		return XPORT_E_BAD_TAG;
	if (h->type == WIRE_HELLO)
		return hello_input(x, h, dgram + h->header_len, now);
	return reply_input(x, h, dgram + h->header_len, now);
}

bool
handshake_tick(struct xport *x, struct peer *p, uint64_t now, uint64_t *next)
{
	if (p->state == PEER_HELLO) {
		if (p->hello_deadline <= now) {
			if (p->hello_tries >= x->cfg.max_tries)
				return false;
			send_hello(x, p, now);
		}
		if (p->hello_deadline < *next)
			*next = p->hello_deadline;
	}
	struct session *s = p->pending;
	if (s && s->reply_deadline <= now) {
		if (s->reply_tries >= x->cfg.max_tries) {
			session_destroy(x, p, s); /* never confirmed: a replayed or abandoned HELLO */
			s = NULL;
		} else {
			send_reply(x, p, s, now);
		}
	}
	if (s && s->reply_deadline < *next)
		*next = s->reply_deadline;
	return true;
}
