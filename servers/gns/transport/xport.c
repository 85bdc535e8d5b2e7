/*
 * The transport's entries (xport.h): creation with the defaults filled in,
 * the peer table, input dispatch in the order that keeps forged or malformed
 * datagrams cheap (header checks, then the session, then the tag, then
 * replay), the tick, counters and error names. Memory is counted so that a
 * test can see it come back.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

static const char *const error_names[XPORT_E_COUNT] = {
	[XPORT_OK] = "ok",
	[XPORT_E_SHORT] = "datagram too short",
	[XPORT_E_VERSION] = "unknown protocol version",
	[XPORT_E_MALFORMED] = "malformed header",
	[XPORT_E_NOT_FOR_US] = "addressed to another node",
	[XPORT_E_UNKNOWN_SESSION] = "unknown session",
	[XPORT_E_BAD_TAG] = "authentication failed",
	[XPORT_E_MODE] = "wrong protection mode",
	[XPORT_E_REPLAY] = "replayed packet number",
	[XPORT_E_DUPLICATE] = "duplicate data",
	[XPORT_E_WINDOW] = "outside the receive window",
	[XPORT_E_NOMEM] = "out of memory",
	[XPORT_E_TOO_BIG] = "message too big",
	[XPORT_E_QUEUE_FULL] = "send queue full",
	[XPORT_E_INVALID] = "invalid argument",
};

const char *
xport_strerror(int err)
{
	return err >= 0 && err < XPORT_E_COUNT ? error_names[err] : "unknown error";
}

/* Callers give the length back to xport_free: mem_bytes is exact. */
void *
xport_alloc(struct xport *x, size_t len)
{
	void *p;

	if (len >= XPORT_BIG_BLOCK && x->cfg.big_alloc)
		p = x->cfg.big_alloc(x->cfg.ctx, len);
	else if (len <= XPORT_SMALL_BLOCK)
		p = x->nspare ? x->spare[--x->nspare] : malloc(XPORT_SMALL_BLOCK);
	else
		p = malloc(len);
	if (p)
		x->stats.mem_bytes += len;
	return p;
}

void
xport_free(struct xport *x, void *p, size_t len)
{
	if (!p)
		return;
	x->stats.mem_bytes -= len;
	if (len >= XPORT_BIG_BLOCK && x->cfg.big_free)
		x->cfg.big_free(x->cfg.ctx, p, len);
	else if (len <= XPORT_SMALL_BLOCK && x->nspare < XPORT_SPARES)
		x->spare[x->nspare++] = p;
	else
		free(p);
}

void
xport_data_free(struct xport *x, void *data, size_t len)
{
	if (!data)
		return;
	x->stats.mem_bytes += len;	/* (counted out when it was handed over) */
	xport_free(x, data, len);
}

void
xport_event(struct xport *x, struct peer *p, enum xport_event ev)
{
	if (x->cfg.event)
		x->cfg.event(x->cfg.ctx, p->node, ev);
}

/* The datagram built in txbuf goes out. */
void
xport_output(struct xport *x, struct peer *p, size_t len)
{
	x->stats.tx_datagrams++;
	x->cfg.output(x->cfg.ctx, p->node, x->txbuf, len);
}

/* rto doubled per try after the first, capped. */
uint64_t
xport_backoff(const struct xport *x, uint64_t rto, uint32_t tries)
{
	for (uint32_t i = 1; i < tries && rto < x->cfg.rto_max_us; i++)
		rto *= 2;
	return rto < x->cfg.rto_max_us ? rto : x->cfg.rto_max_us;
}

struct xport *
xport_create(const struct xport_config *cfg)
{
	struct xport_config c = *cfg;

	if (c.node == 0 || !c.output || !c.deliver == !c.deliver_take || !c.random || !c.big_alloc != !c.big_free)
		return NULL;
	if (!c.mtu)
		c.mtu = 1472;
	if (c.mtu < WIRE_OVERHEAD_MAX + 64 || c.mtu > WIRE_OVERHEAD_MAX + 0xffff)
		return NULL;
	if (!c.window_bytes)
		c.window_bytes = 256 * 1024;
	if (!c.max_message)
		c.max_message = 64 * 1024 * 1024;
	if (!c.max_queued)
		c.max_queued = 2 * c.max_message;
	if (!c.rx_limit)
		c.rx_limit = 2 * c.max_message;
	if (!c.rto_initial_us)
		c.rto_initial_us = 200 * 1000;
	if (!c.rto_min_us)
		c.rto_min_us = 10 * 1000;
	if (!c.rto_max_us)
		c.rto_max_us = 2 * 1000 * 1000;
	if (!c.max_tries)
		c.max_tries = 12;

	struct xport *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->cfg = c;
	x->max_payload = c.mtu - WIRE_OVERHEAD_MAX; /* room for the widest header */
	x->txbuf = xport_alloc(x, c.mtu);
	x->rxbuf = xport_alloc(x, c.mtu);
	if (!x->txbuf || !x->rxbuf) {
		xport_destroy(x);
		return NULL;
	}
	seal_hello_key(c.cluster_key, x->hello_key);
	return x;
}

/* Forgets the peer's sessions and everything queued for it. */
static void
peer_reset(struct xport *x, struct peer *p)
{
	if (p->cur)
		session_destroy(x, p, p->cur);
	if (p->pending)
		session_destroy(x, p, p->pending);
	peer_drop_queue(x, p);
	p->state = PEER_IDLE;
}

void
xport_destroy(struct xport *x)
{
	if (!x)
		return;
	while (x->peers) {
		struct peer *p = x->peers;
		x->peers = p->next;
		peer_reset(x, p);
		xport_free(x, p, sizeof *p);
	}
	xport_free(x, x->txbuf, x->cfg.mtu);
	xport_free(x, x->rxbuf, x->cfg.mtu);
	while (x->nspare)
		free(x->spare[--x->nspare]);
	memset(x->hello_key, 0, sizeof x->hello_key);
	free(x);
}

struct peer *
peer_find(struct xport *x, uint32_t node)
{
	for (struct peer *p = x->peers; p; p = p->next)
		if (p->node == node)
			return p;
	return NULL;
}

/* Only for a peer we send to, or one whose handshake datagram was authentic. */
struct peer *
peer_get(struct xport *x, uint32_t node)
{
	struct peer *p = peer_find(x, node);

	if (p)
		return p;
	p = xport_alloc(x, sizeof *p);
	if (!p)
		return NULL;
	memset(p, 0, sizeof *p);
	p->node = node;
	p->next = x->peers;
	x->peers = p;
	return p;
}

/* Queues a message whose parts are already set; *m is the peer's now. */
static int
enqueue(struct xport *x, struct peer *p, struct out_msg *m, uint64_t now)
{
	if (p->queue_tail)
		p->queue_tail->next = m;
	else
		p->queue = m;
	p->queue_tail = m;
	p->queued_bytes += m->len;
	x->stats.msgs_sent++;
	send_flush(x, p, now);
	return XPORT_OK;
}

/* The checks both sends make; the peer, or an error. */
static int
send_check(struct xport *x, uint32_t node, size_t len, struct peer **pp)
{
	if (node == 0 || node == x->cfg.node)
		return XPORT_E_INVALID;
	if (len > x->cfg.max_message)
		return XPORT_E_TOO_BIG;
	struct peer *p = peer_get(x, node);
	if (!p)
		return XPORT_E_NOMEM;
	if (p->queued_bytes + len > x->cfg.max_queued)
		return XPORT_E_QUEUE_FULL;
	*pp = p;
	return XPORT_OK;
}

int
xport_send(struct xport *x, uint32_t node, uint32_t port, const void *data, size_t len, uint64_t now)
{
	struct peer *p;
	int err;

	if (len && !data)
		return XPORT_E_INVALID;
	if ((err = send_check(x, node, len, &p)) != XPORT_OK)
		return err;
	size_t size = sizeof(struct out_msg) + sizeof(struct xport_part) + len;
	struct out_msg *m = xport_alloc(x, size);
	if (!m)
		return XPORT_E_NOMEM;
	memset(m, 0, sizeof *m);
	m->size = size;
	m->port = port;
	m->len = (uint32_t)len;
	m->frags = wire_frags_for(m->len, x->max_payload);
	m->nparts = 1;
	m->parts[0].p = (uint8_t *)(m->parts + 1);
	m->parts[0].len = len;
	if (len)
		memcpy(m->parts + 1, data, len);
	return enqueue(x, p, m, now);
}

int
xport_send_parts(struct xport *x, uint32_t node, uint32_t port, const struct xport_part *parts, int n,
		 void (*done)(void *ctx, void *arg), void *arg, uint64_t now)
{
	struct peer *p;
	size_t len = 0;
	int err;

	if (n < 0 || n > XPORT_PARTS_MAX || (n && !parts) || !done)
		return XPORT_E_INVALID;
	for (int i = 0; i < n; i++) {
		if (parts[i].len && !parts[i].p)
			return XPORT_E_INVALID;
		if (parts[i].len > x->cfg.max_message - len)
			return XPORT_E_TOO_BIG;
		len += parts[i].len;
	}
	if ((err = send_check(x, node, len, &p)) != XPORT_OK)
		return err;
	size_t size = sizeof(struct out_msg) + (size_t)n * sizeof(struct xport_part);
	struct out_msg *m = xport_alloc(x, size);
	if (!m)
		return XPORT_E_NOMEM;
	memset(m, 0, sizeof *m);
	m->size = size;
	m->port = port;
	m->len = (uint32_t)len;
	m->frags = wire_frags_for(m->len, x->max_payload);
	m->nparts = (uint32_t)n;
	if (n)
		memcpy(m->parts, parts, (size_t)n * sizeof *parts);
	m->done = done;
	m->done_arg = arg;
	return enqueue(x, p, m, now);
}

static struct session *
session_of(struct peer *p, uint64_t id)
{
	if (p && p->cur && p->cur->keys.session == id)
		return p->cur;
	if (p && p->pending && p->pending->keys.session == id)
		return p->pending;
	return NULL;
}

static int
input(struct xport *x, const uint8_t *dgram, size_t len, uint64_t now)
{
	struct wire_header h;
	int err = wire_decode(dgram, len, x->cfg.max_message, &h);

	if (err)
		return err;
	if (len > x->cfg.mtu)
		return XPORT_E_MALFORMED;
	if (h.dst != x->cfg.node)
		return XPORT_E_NOT_FOR_US;
	if (h.type == WIRE_HELLO || h.type == WIRE_REPLY)
		return handshake_input(x, &h, dgram, now);

	struct peer *p = peer_find(x, h.src);
	struct session *s = session_of(p, h.session);
	if (!s)
		return XPORT_E_UNKNOWN_SESSION;
	bool auth_only = h.flags & WIRE_F_AUTH_ONLY;
	if (auth_only != x->cfg.auth_only)
		return XPORT_E_MODE;
	const uint8_t *payload = seal_open(s->keys.rx, h.pn, auth_only, dgram, h.header_len, h.payload_len, x->rxbuf);
	if (!payload)
		return XPORT_E_BAD_TAG;
	if (window_seen(&s->rx_pn, h.pn))
		return XPORT_E_REPLAY;
	window_slide(&s->rx_pn, h.pn);
	window_mark(&s->rx_pn, h.pn);

	/* The peer has our REPLY's keys: the session it started is the one now. */
	if (s == p->pending)
		handshake_promote(x, p, now);
	err = send_acked(x, p, s, &h, now);
	if (!err && h.type == WIRE_DATA)
		err = recv_data(x, p, s, &h, payload, now);
	send_flush(x, p, now);
	return err;
}

int
xport_input(struct xport *x, const void *dgram, size_t len, uint64_t now)
{
	x->stats.rx_datagrams++;
	int err = input(x, dgram, len, now);
	if (err)
		x->stats.rx_rejected[err]++;
	return err;
}

static void
peer_dead(struct xport *x, struct peer *p)
{
	peer_reset(x, p);
	x->stats.peers_dead++;
	xport_event(x, p, XPORT_EV_DEAD);
}

uint64_t
xport_tick(struct xport *x, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (struct peer *p = x->peers; p; p = p->next) {
		if (!handshake_tick(x, p, now, &next)) {
			peer_dead(x, p);
			continue;
		}
		/* Without a session this starts a HELLO for what is queued (a pending one expired). */
		send_flush(x, p, now);
		if (p->state == PEER_HELLO && p->hello_deadline < next)
			next = p->hello_deadline;
		struct session *s = p->cur;
		if (!s)
			continue;
		if (!send_tick(x, p, now, &next)) {
			peer_dead(x, p);
			continue;
		}
		if (s->ack_due && s->ack_deadline <= now)
			send_ack(x, p, s);
		else if (s->ack_due && s->ack_deadline < next)
			next = s->ack_deadline;
	}
	return next;
}

const struct xport_stats *
xport_stats(const struct xport *x)
{
	return &x->stats;
}

size_t
xport_pending(const struct xport *x, uint32_t node)
{
	struct peer *p = peer_find((struct xport *)x, node);

	return p ? p->queued_bytes : 0;
}

uint64_t
xport_min_delay(const struct xport *x)
{
	return x->cfg.rto_min_us / 4;	/* recv.c's delayed acknowledgement; RTOs and handshakes are longer */
}

uint64_t
xport_rtt(const struct xport *x, uint32_t node)
{
	struct peer *p = peer_find((struct xport *)x, node);

	return p && p->cur ? p->cur->srtt : 0;
}

int
xport_forget(struct xport *x, uint32_t node)
{
	struct peer *p = peer_find(x, node);

	if (!p)
		return XPORT_E_INVALID;
	peer_dead(x, p);
	return XPORT_OK;
}
