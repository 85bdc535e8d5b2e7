/*
 * The sending half of a session: messages cut into fragments, each given the
 * next data sequence number (dsn) and kept in flight until acknowledged;
 * flow control (bytes in flight at most the smaller of our window and the
 * peer's; at most FLIGHT_MAX fragments, what one acknowledgement describes);
 * retransmission at the RTO (RFC 6298's estimate, Karn's rule), doubled per
 * try; one early resend of the first hole the peer's selective
 * acknowledgement shows. At the RTO only the oldest fragment in flight, and
 * those the peer has acknowledged later data than, are sent again: the rest
 * wait for the oldest's fate, since a timeout with nothing later
 * acknowledged is as likely a late peer (a busy receiver) as a lost flight. Every transmission takes a new packet number, so a
 * resent fragment is sealed anew under a new nonce.
 */
#include "session.h"

#include <string.h>

static uint32_t
frag_len(const struct out_msg *m, uint32_t frag)
{
	return wire_frag_len(m->len, m->frags, frag);
}

/* What every DATA and ACK carries: a new packet number and our acknowledgements. */
static void
base_header(struct xport *x, struct peer *p, struct session *s, uint8_t type, struct wire_header *h)
{
	memset(h, 0, sizeof *h);
	h->version = WIRE_VERSION;
	h->type = type;
	h->flags = x->cfg.auth_only ? WIRE_F_AUTH_ONLY : 0;
	h->src = x->cfg.node;
	h->dst = p->node;
	h->session = s->keys.session;
	h->pn = ++s->tx_pn;
	h->ack = s->rx_dsn.base - 1;
	h->sack = window_sack(&s->rx_dsn);
	s->rx_unacked = 0;
	s->ack_due = false;
}

/* Copies len bytes of m from offset off: the fragment may span parts. */
static void
msg_read(const struct out_msg *m, size_t off, uint8_t *out, size_t len)
{
	for (uint32_t i = 0; i < m->nparts && len; i++) {
		const struct xport_part *pt = &m->parts[i];
		if (off >= pt->len) {
			off -= pt->len;
			continue;
		}
		size_t n = pt->len - off < len ? pt->len - off : len;
		memcpy(out, (const uint8_t *)pt->p + off, n);
		out += n;
		len -= n;
		off = 0;
	}
}

static void
send_fragment(struct xport *x, struct peer *p, struct session *s, const struct flight *f)
{
	const struct out_msg *m = f->msg;
	struct wire_header h;

	base_header(x, p, s, WIRE_DATA, &h);
	h.dsn = f->dsn;
	h.msg = m->id;
	h.prev = m->prev;
	h.port = m->port;
	h.msg_len = m->len;
	h.frag = f->frag;
	h.frags = m->frags;
	h.payload_len = frag_len(m, f->frag);
	size_t hlen = wire_encode(&h, x->txbuf);
	msg_read(m, (size_t)f->frag * wire_frag_size(m->len, m->frags), x->txbuf + hlen, h.payload_len);
	seal_datagram(s->keys.tx, h.pn, x->cfg.auth_only, x->txbuf, hlen, h.payload_len);
	xport_output(x, p, hlen + h.payload_len + WIRE_TAG_SIZE);
}

void
send_ack(struct xport *x, struct peer *p, struct session *s)
{
	struct wire_header h;

	base_header(x, p, s, WIRE_ACK, &h);
	size_t hlen = wire_encode(&h, x->txbuf);
	seal_datagram(s->keys.tx, h.pn, x->cfg.auth_only, x->txbuf, hlen, 0);
	x->stats.tx_acks++;
	xport_output(x, p, hlen + WIRE_TAG_SIZE);
}

void
send_free_msg(struct xport *x, struct peer *p, struct out_msg *m)
{
	p->queued_bytes -= m->len;
	if (m->done)
		m->done(x->cfg.ctx, m->done_arg);
	xport_free(x, m, m->size);
}

/* The lowest message id not wholly acknowledged: every one below it was delivered. */
static uint32_t
horizon(const struct session *s, const struct peer *p)
{
	if (s->snd_una < s->snd_nxt)
		return s->flight[FLIGHT_SLOT(s->snd_una)].msg->id;
	if (p->queue && p->queue->next_frag > 0)
		return p->queue->id;
	return s->next_msg;
}

/*
 * Gives m its id and the id of the last message to its port still possibly
 * undelivered (0 when there is none). false: PORTS_IN_FLIGHT ports already
 * have messages in flight; m waits for acknowledgements. The ports in use
 * are s->ports[0, nports); an entry whose last message is below the horizon
 * is done and goes (the last entry takes its place), so the search is as long
 * as the ports really in flight: a reply, to a new port every RPC, scanned
 * all 64 entries before (some 400 instructions a message).
 */
static bool
start_msg(struct session *s, const struct peer *p, struct out_msg *m)
{
	uint32_t done = horizon(s, p);
	struct port_last *slot = NULL;

	for (uint32_t i = 0; i < s->nports;) {
		struct port_last *e = &s->ports[i];
		if (e->last < done) {
			*e = s->ports[--s->nports];
			continue;
		}
		if (e->port == m->port) {
			slot = e;
			break;
		}
		i++;
	}
	if (!slot) {
		if (s->nports == PORTS_IN_FLIGHT)
			return false;
		slot = &s->ports[s->nports++];
		slot->port = m->port;
		slot->last = 0;
	}
	m->id = s->next_msg++;
	m->prev = slot->last;
	slot->last = m->id;
	return true;
}

void
send_flush(struct xport *x, struct peer *p, uint64_t now)
{
	struct session *s = p->cur;

	if (!s) {
		if (p->queue && !p->pending && p->state == PEER_IDLE)
			handshake_start(x, p, now);
		return;
	}
	uint32_t limit = x->cfg.window_bytes < s->peer_window ? x->cfg.window_bytes : s->peer_window;
	while (p->queue && s->snd_nxt - s->snd_una < FLIGHT_MAX) {
		struct out_msg *m = p->queue;
		uint32_t len = frag_len(m, m->next_frag);
		/* One fragment always goes, or a zero window would stop the session for good. */
		if (s->flight_bytes && s->flight_bytes + len > limit)
			break;
		if (m->next_frag == 0 && !start_msg(s, p, m))
			break;
		struct flight *f = &s->flight[FLIGHT_SLOT(s->snd_nxt)];
		*f = (struct flight){
			.msg = m,
			.dsn = s->snd_nxt++,
			.frag = m->next_frag++,
			.tries = 1,
			.sent_at = now,
			.deadline = now + s->rto,
		};
		m->in_flight++;
		s->flight_bytes += len;
		send_fragment(x, p, s, f);
		if (m->next_frag == m->frags) { /* all out: the flights hold it now */
			p->queue = m->next;
			if (!p->queue)
				p->queue_tail = NULL;
			m->next = NULL;
		}
	}
}

void
xport_smooth(uint64_t *avg, uint64_t *dev, uint64_t sample)
{
	if (*avg == 0) {
		*avg = sample ? sample : 1;
		*dev = sample / 2;
	} else {
		uint64_t d = *avg > sample ? *avg - sample : sample - *avg;
		*dev = (3 * *dev + d) / 4;
		*avg = (7 * *avg + sample) / 8;
	}
}

static void
rtt_sample(struct xport *x, struct session *s, uint64_t r)
{
	xport_smooth(&s->srtt, &s->rttvar, r);
	s->rto = s->srtt + 4 * s->rttvar;
	if (s->rto < x->cfg.rto_min_us)
		s->rto = x->cfg.rto_min_us;
	if (s->rto > x->cfg.rto_max_us)
		s->rto = x->cfg.rto_max_us;
}

static void
ack_one(struct xport *x, struct peer *p, struct session *s, uint64_t dsn, uint64_t now)
{
	struct flight *f = &s->flight[FLIGHT_SLOT(dsn)];
	struct out_msg *m = f->msg;

	if (!m || f->dsn != dsn)
		return;
	if (f->tries == 1) /* Karn: a resent fragment's acknowledgement could be either send's */
		rtt_sample(x, s, now - f->sent_at);
	else
		s->resent_rtt = now - f->sent_at;	/* ...unless the peer says it had the first (below) */
	s->flight_bytes -= frag_len(m, f->frag);
	m->in_flight--;
	f->msg = NULL;
	if (m->next_frag == m->frags && m->in_flight == 0)
		send_free_msg(x, p, m);
}

/* Whether dsn is in flight and was sent more than once (tries > 1). Counts it in *newly. */
static bool
resent_in_flight(const struct session *s, uint64_t dsn, int *newly)
{
	const struct flight *f = &s->flight[FLIGHT_SLOT(dsn)];

	if (!f->msg || f->dsn != dsn)
		return true;	/* acknowledged before: no evidence either way */
	(*newly)++;
	return f->tries > 1;
}

int
send_acked(struct xport *x, struct peer *p, struct session *s, const struct wire_header *h, uint64_t now)
{
	bool only_resent = true;
	int newly = 0;

	if (h->ack >= s->snd_nxt)
		return XPORT_E_MALFORMED; /* acknowledges what was never sent */
	if (h->ack > s->high_acked)
		s->high_acked = h->ack;
	if (h->sack) {
		uint64_t top = h->ack + 2 + (63 - (uint64_t)__builtin_clzll(h->sack));
		if (top < s->snd_nxt && top > s->high_acked)
			s->high_acked = top;
	}
	for (uint64_t dsn = s->snd_una; dsn <= h->ack; dsn++) {
		only_resent &= resent_in_flight(s, dsn, &newly);
		ack_one(x, p, s, dsn, now);
	}
	/* the bits set only: testing all 64 cost about 1,050 instructions a datagram on i386 */
	for (uint64_t sack = h->sack; sack; sack &= sack - 1) {
		int i = __builtin_ctzll(sack);
		if (h->ack + 2 + i < s->snd_nxt) {
			only_resent &= resent_in_flight(s, h->ack + 2 + i, &newly);
			ack_one(x, p, s, h->ack + 2 + i, now);
		}
	}
	while (s->snd_una < s->snd_nxt && !s->flight[FLIGHT_SLOT(s->snd_una)].msg)
		s->snd_una++;
	/*
	 * An ACK that acknowledges nothing new answers a duplicate (recv_data): the
	 * peer had the fragment already, so its resend was not needed and the first
	 * send's time to its acknowledgement is a true round trip, a late one. Without
	 * it Karn's rule keeps only the quick samples and the RTO stays under the
	 * late answers it keeps resending for (a peer starved by its host: about one
	 * RPC in seven resent, and acked twice, under make bench's load).
	 */
	if (h->type == WIRE_ACK && newly == 0 && s->resent_rtt) {
		rtt_sample(x, s, s->resent_rtt);
		s->resent_rtt = 0;
	}
	/*
	 * What this acknowledges was all sent again (after an RTO), none of it
	 * only once: the originals were lost, and so likely were the ones sent
	 * with them, whose RTO passed unsent (deferred in send_tick). One more
	 * goes than was acknowledged, so a lost flight comes back in a few round
	 * trips. An acknowledgement of an original instead means the peer was
	 * late, not the wire lossy: the deferred wait for their own answers.
	 */
	for (uint64_t dsn = s->snd_una; only_resent && newly > 0 && dsn < s->snd_nxt && dsn <= s->snd_una + (uint64_t)newly;
	     dsn++) {
		struct flight *d = &s->flight[FLIGHT_SLOT(dsn)];
		if (d->msg && d->dsn == dsn && d->deferred) {
			d->deferred = false;
			d->tries++;
			d->deadline = now + xport_backoff(x, s->rto, d->tries);
			x->stats.tx_retransmits++;
			send_fragment(x, p, s, d);
		}
	}

	/*
	 * Later data arrived but ack + 1 did not: it was likely lost; do not wait
	 * for the RTO. (Waiting for three later arrivals, as TCP waits for three
	 * duplicate acks, resent no less on the tests' lossy wire, and cannot fire
	 * with fewer than four fragments in flight; restarting the timers of what
	 * is in flight on every new acknowledgement made recovery much slower.)
	 */
	struct flight *f = &s->flight[FLIGHT_SLOT(h->ack + 1)];
	if (h->sack && f->msg && f->dsn == h->ack + 1 && !f->fast_resent) {
		f->fast_resent = true;
		f->tries++;
		f->deadline = now + xport_backoff(x, s->rto, f->tries);
		x->stats.tx_retransmits++;
		send_fragment(x, p, s, f);
	}
	return XPORT_OK;
}

bool
send_tick(struct xport *x, struct peer *p, uint64_t now, uint64_t *next)
{
	struct session *s = p->cur;

	for (uint64_t dsn = s->snd_una; dsn < s->snd_nxt; dsn++) {
		struct flight *f = &s->flight[FLIGHT_SLOT(dsn)];
		if (!f->msg)
			continue;
		if (f->deadline <= now && dsn != s->snd_una && s->high_acked < dsn) {
			/* nothing after it arrived: wait for the oldest's fate rather than resend the flight */
			f->deadline = now + xport_backoff(x, s->rto, f->tries);
			f->deferred = true;
		} else if (f->deadline <= now) {
			f->deferred = false;
			if (f->tries >= x->cfg.max_tries)
				return false;
			f->tries++;
			f->deadline = now + xport_backoff(x, s->rto, f->tries);
			x->stats.tx_retransmits++;
			send_fragment(x, p, s, f);
		}
		if (f->deadline < *next)
			*next = f->deadline;
	}
	return true;
}

void
send_drop_flights(struct xport *x, struct peer *p, struct session *s)
{
	for (int i = 0; i < FLIGHT_SLOTS; i++) {
		struct flight *f = &s->flight[i];
		struct out_msg *m = f->msg;
		if (!m)
			continue;
		f->msg = NULL;
		m->in_flight--;
		if (m->next_frag == m->frags && m->in_flight == 0) {
			x->stats.msgs_dropped++;
			send_free_msg(x, p, m);
		}
	}
	s->flight_bytes = 0;
}
