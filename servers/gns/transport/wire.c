/*
 * The header's byte layout, big-endian (network order), and the checks a
 * datagram must pass before any key is used: a malformed one costs no
 * cryptography and touches no session. The layout is in README.md: a fixed
 * 16 bytes (version, type, flags, the fields' widths, session), then each
 * field in as few bytes as its width code says, none when it is zero. Poly1305
 * authenticates the header in 16-byte blocks: a null RPC's was 84 bytes, six
 * blocks, and is now 31-36, three.
 */
#include "wire.h"

#include "xport.h"

/* The bytes a width code means, for the 32-bit and the 64-bit fields. */
static const uint8_t size32[4] = {0, 1, 2, 4};
static const uint8_t size64[4] = {0, 2, 4, 8};

/* The fields after the fixed part, in order; each has a 2-bit width code,
 * the first in the widths word's top bits. */
enum { F_SRC, F_DST, F_PN, F_ACK, F_SACK, F_WINDOW, F_DSN, F_MSG, F_PREV, F_PORT, F_MSG_LEN, F_FRAG,
       F_FRAGS, F_COUNT };
#define WIDTHS_UNUSED ((1u << (32 - 2 * F_COUNT)) - 1) /* low bits no field uses: must be 0 */

/* Set by the encoder on a DATA of one fragment: msg_len, frag and frags are
 * then not sent (payload_len, 0 and 1). Never seen outside this file. */
#define WIRE_F_WHOLE 0x0002

static void
put_be(uint8_t *p, uint32_t v, unsigned n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint32_t
get_be(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

struct enc {
	uint8_t *q;
	uint32_t widths;
	unsigned shift;
};

static void
put32(struct enc *e, uint32_t v)
{
	unsigned code = v == 0 ? 0 : v < 0x100 ? 1 : v < 0x10000 ? 2 : 3;

	e->shift -= 2;
	e->widths |= (uint32_t)code << e->shift;
	put_be(e->q, v, size32[code]);
	e->q += size32[code];
}

static void
put64(struct enc *e, uint64_t v)
{
	uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
	unsigned code = hi ? 3 : lo >= 0x10000 ? 2 : lo ? 1 : 0;

	e->shift -= 2;
	e->widths |= (uint32_t)code << e->shift;
	if (code == 3) {
		put_be(e->q, hi, 4);
		put_be(e->q + 4, lo, 4);
	} else {
		put_be(e->q, lo, size64[code]);
	}
	e->q += size64[code];
}

size_t
wire_encode(const struct wire_header *h, uint8_t out[WIRE_HEADER_MAX])
{
	bool whole = h->type == WIRE_DATA && h->frags == 1;
	uint16_t flags = h->flags | (whole ? WIRE_F_WHOLE : 0);
	struct enc e = {out + WIRE_HEADER_MIN, 0, 32};

	out[0] = h->version;
	out[1] = h->type;
	put_be(out + 2, flags, 2);
	put_be(out + 8, (uint32_t)(h->session >> 32), 4);
	put_be(out + 12, (uint32_t)h->session, 4);
	put32(&e, h->src);
	put32(&e, h->dst);
	put64(&e, h->pn);
	put64(&e, h->ack);
	put64(&e, h->sack);
	put32(&e, h->window);
	put64(&e, h->dsn);
	put32(&e, h->msg);
	put32(&e, h->prev);
	put32(&e, h->port);
	if (!whole) {
		put32(&e, h->msg_len);
		put32(&e, h->frag);
		put32(&e, h->frags);
	}
	put_be(out + 4, e.widths, 4);
	return (size_t)(e.q - out);
}

struct dec {
	const uint8_t *p, *end;
	uint32_t widths;
	unsigned shift;
	bool short_;
};

static uint32_t
take32(struct dec *d)
{
	d->shift -= 2;
	unsigned n = size32[d->widths >> d->shift & 3];
	if (n > (size_t)(d->end - d->p)) {
		d->short_ = true;
		return 0;
	}
	uint32_t v = get_be(d->p, n);
	d->p += n;
	return v;
}

static uint64_t
take64(struct dec *d)
{
	d->shift -= 2;
	unsigned n = size64[d->widths >> d->shift & 3];
	if (n > (size_t)(d->end - d->p)) {
		d->short_ = true;
		return 0;
	}
	uint64_t v = n == 8 ? (uint64_t)get_be(d->p, 4) << 32 | get_be(d->p + 4, 4) : get_be(d->p, n);
	d->p += n;
	return v;
}

/*
 * Rounded-up quotients in 32 bits, quotient and remainder: the sum a 64-bit
 * (len + d - 1) / d needed was a libgcc __udivdi3 call on i386, some 50
 * instructions each, and a null RPC's datagram made seven of them (both ends).
 */
static uint32_t
div_up(uint32_t len, uint32_t d)
{
	return len / d + (len % d != 0);
}

uint32_t
wire_frags_for(uint32_t len, uint32_t max_payload)
{
	return len == 0 ? 1 : div_up(len, max_payload);
}

uint32_t
wire_frag_size(uint32_t len, uint32_t frags)
{
	return div_up(len, frags);
}

uint32_t
wire_frag_len(uint32_t len, uint32_t frags, uint32_t frag)
{
	uint64_t size = wire_frag_size(len, frags), off = size * frag;

	return off >= len ? 0 : (uint32_t)(len - off < size ? len - off : size);
}

/* The message fields of a DATA header: one consistent way to cut the message. */
static int
check_data(const struct wire_header *h, uint32_t max_message)
{
	if (h->window) /* the session's constant: its HELLO and REPLY said it */
		return XPORT_E_MALFORMED;
	if (h->dsn == 0 || h->msg == 0 || h->prev >= h->msg || h->msg_len > max_message)
		return XPORT_E_MALFORMED;
	if (h->frags == 0 || h->frag >= h->frags || (h->msg_len == 0 && h->frags != 1))
		return XPORT_E_MALFORMED;
	if (h->msg_len > 0) {
		/* More pieces than bytes, or an empty last piece: not how a sender cuts. */
		uint64_t size = wire_frag_size(h->msg_len, h->frags);
		if (h->frags > h->msg_len || size * (h->frags - 1) >= h->msg_len)
			return XPORT_E_MALFORMED;
	}
	if (h->payload_len != wire_frag_len(h->msg_len, h->frags, h->frag))
		return XPORT_E_MALFORMED;
	return XPORT_OK;
}

/* The other types carry no message: their message fields must be zero. */
static int
check_control(const struct wire_header *h)
{
	if (h->dsn || h->msg || h->prev || h->port || h->msg_len || h->frag || h->frags)
		return XPORT_E_MALFORMED;
	if (h->type == WIRE_ACK && h->window)
		return XPORT_E_MALFORMED; /* the session's constant: its HELLO and REPLY said it */
	switch (h->type) {
	case WIRE_HELLO:
		return h->payload_len == WIRE_NONCE_SIZE && h->session == 0 && h->ack == 0 &&
				       h->sack == 0 ? XPORT_OK : XPORT_E_MALFORMED;
	case WIRE_REPLY:
		return h->payload_len == 2 * WIRE_NONCE_SIZE && h->session != 0 && h->ack == 0 &&
				       h->sack == 0 ? XPORT_OK : XPORT_E_MALFORMED;
	default: /* WIRE_ACK */
		return h->payload_len == 0 && h->session != 0 ? XPORT_OK : XPORT_E_MALFORMED;
	}
}
int
wire_decode(const uint8_t *p, size_t len, uint32_t max_message, struct wire_header *out)
{
	struct wire_header h;

	if (len < WIRE_HEADER_MIN + WIRE_TAG_SIZE)
		return XPORT_E_SHORT;
	if (p[0] != WIRE_VERSION)
		return XPORT_E_VERSION;
	h.version = p[0];
	h.type = p[1];
	h.flags = (uint16_t)get_be(p + 2, 2);
	struct dec d = {p + WIRE_HEADER_MIN, p + len - WIRE_TAG_SIZE, get_be(p + 4, 4), 32, false};
	bool whole = h.flags & WIRE_F_WHOLE;
	if (h.type < WIRE_HELLO || h.type > WIRE_ACK || (h.flags & ~(WIRE_F_KNOWN | WIRE_F_WHOLE)) ||
	    (d.widths & WIDTHS_UNUSED) || (whole && h.type != WIRE_DATA))
		return XPORT_E_MALFORMED;
	h.flags &= ~WIRE_F_WHOLE;
	h.session = (uint64_t)get_be(p + 8, 4) << 32 | get_be(p + 12, 4);
	h.src = take32(&d);
	h.dst = take32(&d);
	h.pn = take64(&d);
	h.ack = take64(&d);
	h.sack = take64(&d);
	h.window = take32(&d);
	h.dsn = take64(&d);
	h.msg = take32(&d);
	h.prev = take32(&d);
	h.port = take32(&d);
	if (whole) {
		if (d.widths & ((1u << d.shift) - 1)) /* a whole message's cut is not sent */
			return XPORT_E_MALFORMED;
		h.frag = 0;
		h.frags = 1;
	} else {
		h.msg_len = take32(&d);
		h.frag = take32(&d);
		h.frags = take32(&d);
	}
	if (d.short_)
		return XPORT_E_SHORT;
	if ((size_t)(d.end - d.p) > 0xffff)
		return XPORT_E_MALFORMED;
	h.header_len = (uint8_t)(d.p - p);
	h.payload_len = (uint16_t)(d.end - d.p);
	if (whole)
		h.msg_len = h.payload_len;
	if (h.src == 0 || h.dst == 0 || h.src == h.dst || h.pn == 0)
		return XPORT_E_MALFORMED;
	int err = h.type == WIRE_DATA ? check_data(&h, max_message) : check_control(&h);
	if (err)
		return err;
	*out = h;
	return XPORT_OK;
}
