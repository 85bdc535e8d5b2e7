/*
 * The header's byte layout, big-endian (network order), and the checks a
 * datagram must pass before any key is used: a malformed one costs no
 * cryptography and touches no session. The layout is in README.md: a fixed
 * 16 bytes (version, type, flags, the fields' widths, session), then each
 * field in as few bytes as its width code says, none when it is zero. Poly1305
 * authenticates the header in 16-byte blocks: a null RPC's was 84 bytes, six
 * blocks, and is now 27-32, two (three once its numbers pass 65,535).
 */
#include "wire.h"

#include "xport.h"

/*
 * The fields after the fixed part, in order, each with a 2-bit width code in
 * the widths word, the first field's in its top bits: src, dst, pn, ack (the
 * word's first byte), sack, window, dsn, msg (the second), prev, port,
 * msg_len, frag (the third), frags (the fourth's top bits; its other six are
 * 0). A code means 0, 1, 2 or 4 bytes for a 32-bit field, 0, 2, 4 or 8 for a
 * 64-bit one (pn, ack, sack, dsn).
 */
#define WIDTHS_UNUSED 0x3fu

/* Set by the encoder on a DATA of one fragment: msg_len, frag and frags are
 * then not sent (payload_len, 0 and 1). Never seen outside this file. */
#define WIRE_F_WHOLE 0x0002

/*
 * The bytes the four fields of one byte of the widths word take, by table:
 * the header's length is known, and checked against the datagram's, before
 * any field is read (a check per field cost more than the fields).
 */
#define S32(c) ((c) == 3 ? 4 : (c))
#define S64(c) ((c) == 0 ? 0 : 1 << (c))
#define SZ(bits, c) ((bits) == 64 ? S64(c) : S32(c))
#define SUM(i, a, b, c, d) (SZ(a, (i) >> 6 & 3) + SZ(b, (i) >> 4 & 3) + SZ(c, (i) >> 2 & 3) + SZ(d, (i) & 3))
#define T4(i, ...) SUM(i, __VA_ARGS__), SUM(i + 1, __VA_ARGS__), SUM(i + 2, __VA_ARGS__), SUM(i + 3, __VA_ARGS__)
#define T16(i, ...) T4(i, __VA_ARGS__), T4(i + 4, __VA_ARGS__), T4(i + 8, __VA_ARGS__), T4(i + 12, __VA_ARGS__)
#define T64(i, ...) T16(i, __VA_ARGS__), T16(i + 16, __VA_ARGS__), T16(i + 32, __VA_ARGS__), T16(i + 48, __VA_ARGS__)
#define T256(...) {T64(0, __VA_ARGS__), T64(64, __VA_ARGS__), T64(128, __VA_ARGS__), T64(192, __VA_ARGS__)}

static const uint8_t sizes0[256] = T256(32, 32, 64, 64); /* src, dst, pn, ack */
static const uint8_t sizes1[256] = T256(64, 32, 64, 32); /* sack, window, dsn, msg */
static const uint8_t sizes2[256] = T256(32, 32, 32, 32); /* prev, port, msg_len, frag */

/* __builtin_memcpy: an unaligned load or store, no call (the guest is -ffreestanding). */
static inline uint32_t
load_be32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static inline void
store_be32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	__builtin_memcpy(p, &v, 4);
}

static inline unsigned
code32(uint32_t v)
{
	return v == 0 ? 0 : v < 0x100 ? 1 : v < 0x10000 ? 2 : 3;
}

static inline unsigned
code64(uint64_t v)
{
	uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;

	return hi ? 3 : lo >= 0x10000 ? 2 : lo ? 1 : 0;
}

/* Writes v in the bytes code c means; returns where the next field goes. */
static inline uint8_t *
put32(uint8_t *q, uint32_t v, unsigned c)
{
	switch (c) {
	case 0:
		return q;
	case 1:
		q[0] = (uint8_t)v;
		return q + 1;
	case 2:
		q[0] = (uint8_t)(v >> 8);
		q[1] = (uint8_t)v;
		return q + 2;
	default:
		store_be32(q, v);
		return q + 4;
	}
}

static inline uint8_t *
put64(uint8_t *q, uint64_t v, unsigned c)
{
	if (c == 3) {
		store_be32(q, (uint32_t)(v >> 32));
		store_be32(q + 4, (uint32_t)v);
		return q + 8;
	}
	return put32(q, (uint32_t)v, c == 2 ? 3 : c == 1 ? 2 : 0);
}

/* Reads the field whose code is c into *v; returns where the next one is. */
static inline const uint8_t *
get32(const uint8_t *q, unsigned c, uint32_t *v)
{
	switch (c) {
	case 0:
		*v = 0;
		return q;
	case 1:
		*v = q[0];
		return q + 1;
	case 2:
		*v = (uint32_t)q[0] << 8 | q[1];
		return q + 2;
	default:
		*v = load_be32(q);
		return q + 4;
	}
}

static inline const uint8_t *
get64(const uint8_t *q, unsigned c, uint64_t *v)
{
	uint32_t lo;

	if (c == 3) {
		*v = (uint64_t)load_be32(q) << 32 | load_be32(q + 4);
		return q + 8;
	}
	q = get32(q, c == 2 ? 3 : c == 1 ? 2 : 0, &lo);
	*v = lo;
	return q;
}

/* One field: its code into the widths word at shift, its bytes at q; returns where the next goes. */
static inline uint8_t *
field32(uint8_t *q, uint32_t v, uint32_t *w, unsigned shift)
{
	unsigned c = code32(v);

	*w |= (uint32_t)c << shift;
	return put32(q, v, c);
}

static inline uint8_t *
field64(uint8_t *q, uint64_t v, uint32_t *w, unsigned shift)
{
	unsigned c = code64(v);

	*w |= (uint32_t)c << shift;
	return put64(q, v, c);
}

size_t
wire_encode(const struct wire_header *h, uint8_t out[WIRE_HEADER_MAX])
{
	bool whole = h->type == WIRE_DATA && h->frags == 1;
	uint32_t w = 0;
	uint8_t *q = out + WIRE_HEADER_MIN;

	q = field32(q, h->src, &w, 30);
	q = field32(q, h->dst, &w, 28);
	q = field64(q, h->pn, &w, 26);
	q = field64(q, h->ack, &w, 24);
	q = field64(q, h->sack, &w, 22);
	q = field32(q, h->window, &w, 20);
	q = field64(q, h->dsn, &w, 18);
	q = field32(q, h->msg, &w, 16);
	q = field32(q, h->prev, &w, 14);
	q = field32(q, h->port, &w, 12);
	if (!whole) {
		q = field32(q, h->msg_len, &w, 10);
		q = field32(q, h->frag, &w, 8);
		q = field32(q, h->frags, &w, 6);
	}
	out[0] = h->version;
	out[1] = h->type;
	out[2] = (uint8_t)(h->flags >> 8);
	out[3] = (uint8_t)(h->flags | (whole ? WIRE_F_WHOLE : 0));
	store_be32(out + 4, w);
	store_be32(out + 8, (uint32_t)(h->session >> 32));
	store_be32(out + 12, (uint32_t)h->session);
	return (size_t)(q - out);
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
	if (frags == 1) /* a whole message: every datagram of a null RPC, asked three times each */
		return frag == 0 ? len : 0;
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
wire_decode(const uint8_t *p, size_t len, uint32_t max_message, struct wire_header *h)
{
	if (len < WIRE_HEADER_MIN + WIRE_TAG_SIZE)
		return XPORT_E_SHORT;
	if (p[0] != WIRE_VERSION)
		return XPORT_E_VERSION;
	uint32_t w = load_be32(p + 4);
	unsigned flags = (unsigned)p[2] << 8 | p[3];
	bool whole = flags & WIRE_F_WHOLE;
	h->version = p[0];
	h->type = p[1];
	h->flags = (uint16_t)(flags & ~WIRE_F_WHOLE);
	if (h->type < WIRE_HELLO || h->type > WIRE_ACK || (flags & ~(WIRE_F_KNOWN | WIRE_F_WHOLE)) ||
	    (w & WIDTHS_UNUSED) || (whole && (h->type != WIRE_DATA || (w & 0x0fc0u))))
		return XPORT_E_MALFORMED; /* (WHOLE: DATA's only, and its cut not sent) */
	size_t hlen = WIRE_HEADER_MIN + sizes0[w >> 24] + sizes1[w >> 16 & 0xff] + sizes2[w >> 8 & 0xff] +
		      S32(w >> 6 & 3);
	if (len < hlen + WIRE_TAG_SIZE)
		return XPORT_E_SHORT;
	if (len - hlen - WIRE_TAG_SIZE > 0xffff)
		return XPORT_E_MALFORMED;
	h->header_len = (uint8_t)hlen;
	h->payload_len = (uint16_t)(len - hlen - WIRE_TAG_SIZE);
	h->session = (uint64_t)load_be32(p + 8) << 32 | load_be32(p + 12);

	const uint8_t *q = p + WIRE_HEADER_MIN;
	q = get32(q, w >> 30, &h->src);
	q = get32(q, w >> 28 & 3, &h->dst);
	q = get64(q, w >> 26 & 3, &h->pn);
	q = get64(q, w >> 24 & 3, &h->ack);
	q = get64(q, w >> 22 & 3, &h->sack);
	q = get32(q, w >> 20 & 3, &h->window);
	q = get64(q, w >> 18 & 3, &h->dsn);
	q = get32(q, w >> 16 & 3, &h->msg);
	q = get32(q, w >> 14 & 3, &h->prev);
	q = get32(q, w >> 12 & 3, &h->port);
	if (whole) {
		h->msg_len = h->payload_len;
		h->frag = 0;
		h->frags = 1;
	} else {
		q = get32(q, w >> 10 & 3, &h->msg_len);
		q = get32(q, w >> 8 & 3, &h->frag);
		get32(q, w >> 6 & 3, &h->frags);
	}
	if (h->src == 0 || h->dst == 0 || h->src == h->dst || h->pn == 0)
		return XPORT_E_MALFORMED;
	if (h->type != WIRE_DATA)
		return check_control(h);
	if (whole) /* one piece, the payload: nothing of the cut to check */
		return h->window || h->dsn == 0 || h->msg == 0 || h->prev >= h->msg || h->msg_len > max_message
			       ? XPORT_E_MALFORMED : XPORT_OK;
	return check_data(h, max_message);
}
