/*
 * The header's byte layout, big-endian (network order), and the checks a
 * datagram must pass before any key is used: a malformed one costs no
 * cryptography and touches no session. Offsets are in README.md.
 */
#include "wire.h"

#include "xport.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

void
wire_encode(const struct wire_header *h, uint8_t out[WIRE_HEADER_SIZE])
{
	out[0] = h->version;
	out[1] = h->type;
	put16(out + 2, h->flags);
	put32(out + 4, h->src);
	put32(out + 8, h->dst);
	put64(out + 12, h->session);
	put64(out + 20, h->pn);
	put64(out + 28, h->dsn);
	put64(out + 36, h->ack);
	put64(out + 44, h->sack);
	put32(out + 52, h->window);
	put32(out + 56, h->msg);
	put32(out + 60, h->prev);
	put32(out + 64, h->port);
	put32(out + 68, h->msg_len);
	put32(out + 72, h->frag);
	put32(out + 76, h->frags);
	put16(out + 80, h->payload_len);
	put16(out + 82, 0);
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

	if (len < WIRE_OVERHEAD)
		return XPORT_E_SHORT;
	if (p[0] != WIRE_VERSION)
		return XPORT_E_VERSION;
	h.version = p[0];
	h.type = p[1];
	h.flags = get16(p + 2);
	h.src = get32(p + 4);
	h.dst = get32(p + 8);
	h.session = get64(p + 12);
	h.pn = get64(p + 20);
	h.dsn = get64(p + 28);
	h.ack = get64(p + 36);
	h.sack = get64(p + 44);
	h.window = get32(p + 52);
	h.msg = get32(p + 56);
	h.prev = get32(p + 60);
	h.port = get32(p + 64);
	h.msg_len = get32(p + 68);
	h.frag = get32(p + 72);
	h.frags = get32(p + 76);
	h.payload_len = get16(p + 80);
	if (h.type < WIRE_HELLO || h.type > WIRE_ACK || (h.flags & ~WIRE_F_KNOWN) || get16(p + 82) != 0)
		return XPORT_E_MALFORMED;
	if (h.src == 0 || h.dst == 0 || h.src == h.dst || h.pn == 0)
		return XPORT_E_MALFORMED;
	if ((size_t)h.payload_len + WIRE_OVERHEAD != len)
		return XPORT_E_MALFORMED;
	int err = h.type == WIRE_DATA ? check_data(&h, max_message) : check_control(&h);
	if (err)
		return err;
	*out = h;
	return XPORT_OK;
}
