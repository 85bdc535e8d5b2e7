/*
 * The receiving half of a session: data sequence numbers against the receive
 * window (duplicates answered with an acknowledgement, since ours was likely
 * lost), fragments copied into their message, and delivery in order: a
 * complete message goes up once the message named by its `prev` has. Memory
 * for reassembly is bounded by rx_limit, except for the oldest undelivered
 * message, so that the session always progresses.
 */
#include "session.h"

#include <string.h>

static size_t
have_size(uint32_t frags)
{
	return (frags + 7) / 8;
}

static struct in_msg *
find(struct session *s, uint32_t id)
{
	for (struct in_msg *m = s->in; m && m->id <= id; m = m->next)
		if (m->id == id)
			return m;
	return NULL;
}

static void
release(struct xport *x, struct session *s, struct in_msg *m)
{
	if (m->data) {
		s->rx_held -= m->len;
		xport_free(x, m->data, m->len);
		xport_free(x, m->have, have_size(m->frags));
		m->data = m->have = NULL;
	}
}

static struct in_msg *
create(struct xport *x, struct session *s, const struct wire_header *h)
{
	if (h->msg != s->rx_floor && s->rx_held + h->msg_len > x->cfg.rx_limit)
		return NULL;
	struct in_msg *m = xport_alloc(x, sizeof *m);
	if (!m)
		return NULL;
	memset(m, 0, sizeof *m);
	m->data = xport_alloc(x, h->msg_len);
	m->have = xport_alloc(x, have_size(h->frags));
	if (!m->data || !m->have) {
		xport_free(x, m->data, h->msg_len);
		xport_free(x, m->have, have_size(h->frags));
		xport_free(x, m, sizeof *m);
		return NULL;
	}
	memset(m->have, 0, have_size(h->frags));
	m->id = h->msg;
	m->prev = h->prev;
	m->port = h->port;
	m->len = h->msg_len;
	m->frags = h->frags;
	s->rx_held += m->len;

	struct in_msg **at = &s->in;
	while (*at && (*at)->id < m->id)
		at = &(*at)->next;
	m->next = *at;
	*at = m;
	return m;
}

static bool
ready(struct session *s, const struct in_msg *m)
{
	if (m->delivered || m->got < m->frags)
		return false;
	if (m->prev < s->rx_floor)
		return true;
	const struct in_msg *before = find(s, m->prev);
	return before && before->delivered;
}

/* The deliver callback may call xport_send: the list is scanned anew after each. */
static void
deliver_ready(struct xport *x, struct peer *p, struct session *s)
{
	for (;;) {
		struct in_msg *m = s->in;
		while (m && !ready(s, m))
			m = m->next;
		if (!m)
			break;
		m->delivered = true;
		x->stats.msgs_delivered++;
		x->stats.bytes_delivered += m->len;
		if (x->cfg.deliver_take) {
			uint8_t *data = m->data;
			/* handed over: no longer ours, nor held against the session's limit */
			s->rx_held -= m->len;
			x->stats.mem_bytes -= m->len;
			xport_free(x, m->have, have_size(m->frags));
			m->data = m->have = NULL;
			x->cfg.deliver_take(x->cfg.ctx, p->node, m->port, data, m->len);
		} else {
			x->cfg.deliver(x->cfg.ctx, p->node, m->port, m->data, m->len);
			release(x, s, m);
		}
		while (s->in && s->in->delivered && s->in->id == s->rx_floor) {
			struct in_msg *done = s->in;
			s->in = done->next;
			s->rx_floor++;
			xport_free(x, done, sizeof *done);
		}
	}
}

/* The dsn is in, acknowledged now or soon: every second DATA at once, a lone one after a short delay. */
static void
take_dsn(struct xport *x, struct peer *p, struct session *s, const struct wire_header *h, uint64_t now)
{
	window_mark(&s->rx_dsn, h->dsn);
	window_advance(&s->rx_dsn);
	if (++s->rx_unacked >= 2)
		send_ack(x, p, s);
	else if (!s->ack_due) {
		s->ack_due = true;
		s->ack_deadline = now + x->cfg.rto_min_us / 4;
	}
}

/*
 * The common case: a whole message in one fragment, the next one expected,
 * with nothing waiting before it: delivered from here, with no record of
 * its pieces (create's three allocations, the list, deliver_ready's scans).
 * The same outcome as the general path below.
 */
static int
recv_whole(struct xport *x, struct peer *p, struct session *s, const struct wire_header *h,
	   const uint8_t *payload, uint64_t now)
{
	uint8_t *data = NULL;

	if (x->cfg.deliver_take && !(data = xport_alloc(x, h->msg_len)))
		return XPORT_E_NOMEM; /* not acknowledged: the peer sends it again */
	take_dsn(x, p, s, h, now);
	s->rx_floor++;
	x->stats.msgs_delivered++;
	x->stats.bytes_delivered += h->msg_len;
	if (data) {
		memcpy(data, payload, h->msg_len);
		x->stats.mem_bytes -= h->msg_len;	/* handed over */
		x->cfg.deliver_take(x->cfg.ctx, p->node, h->port, data, h->msg_len);
	} else {
		x->cfg.deliver(x->cfg.ctx, p->node, h->port, payload, h->msg_len);
	}
	return XPORT_OK;
}

int
recv_data(struct xport *x, struct peer *p, struct session *s, const struct wire_header *h,
	  const uint8_t *payload, uint64_t now)
{
	if (window_seen(&s->rx_dsn, h->dsn)) {
		send_ack(x, p, s);
		return XPORT_E_DUPLICATE;
	}
	if (h->msg < s->rx_floor)
		return XPORT_E_MALFORMED; /* new data for a message delivered whole */
	if (h->dsn - s->rx_dsn.base >= WINDOW_SIZE || h->msg - s->rx_floor >= WINDOW_SIZE)
		return XPORT_E_WINDOW;

	if (h->frags == 1 && h->msg == s->rx_floor && h->prev < s->rx_floor && !s->in)
		return recv_whole(x, p, s, h, payload, now);

	struct in_msg *m = find(s, h->msg);
	if (m && (m->port != h->port || m->len != h->msg_len || m->frags != h->frags || m->prev != h->prev))
		return XPORT_E_MALFORMED;
	if (!m && !(m = create(x, s, h)))
		return XPORT_E_NOMEM; /* not acknowledged: the peer sends it again */

	int err = XPORT_OK;
	if (m->delivered || (m->have[h->frag / 8] >> (h->frag % 8)) & 1) {
		err = XPORT_E_DUPLICATE; /* the same piece under a new dsn */
	} else {
		memcpy(m->data + (size_t)h->frag * wire_frag_size(m->len, m->frags), payload, h->payload_len);
		m->have[h->frag / 8] |= 1 << (h->frag % 8);
		m->got++;
	}
	take_dsn(x, p, s, h, now);
	if (!err && m->got == m->frags)
		deliver_ready(x, p, s);
	return err;
}

void
recv_free(struct xport *x, struct session *s)
{
	while (s->in) {
		struct in_msg *m = s->in;
		s->in = m->next;
		release(x, s, m);
		xport_free(x, m, sizeof *m);
	}
}
