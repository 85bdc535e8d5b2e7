/* The header's layout and every check wire_decode makes, each with its named error. */
#include <string.h>

#include "unit.h"
#include "wire.h"
#include "xport.h"

static struct wire_header
data_header(void)
{
	struct wire_header h = {
		.version = WIRE_VERSION, .type = WIRE_DATA, .src = 1, .dst = 2, .session = 77, .pn = 5,
		.dsn = 3, .ack = 2, .sack = 0x8001, .msg = 9, .prev = 8, .port = 4,
		.msg_len = 2500, .frag = 1, .frags = 3,
	};
	h.payload_len = wire_frag_len(h.msg_len, h.frags, h.frag);
	return h;
}

static int
decode(const struct wire_header *h, struct wire_header *out)
{
	uint8_t d[2048] = {0};

	size_t n = wire_encode(h, d);
	return wire_decode(d, n + h->payload_len + WIRE_TAG_SIZE, 1 << 20, out);
}

UNIT_TEST(wire_header_round_trips_in_network_order)
{
	struct wire_header h = data_header(), d;
	uint8_t b[WIRE_HEADER_MAX];

	EXPECT_EQ(wire_encode(&h, b), 33);
	EXPECT_EQ(b[0], WIRE_VERSION);
	EXPECT_EQ(b[1], WIRE_DATA);
	EXPECT_EQ(b[3], 0);   /* flags: not auth-only, more than one fragment */
	/* widths, two bits a field: src dst pn ack sack 1, window 0, dsn msg prev port 1,
	 * msg_len 2, frag frags 1 */
	EXPECT_EQ((uint32_t)b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7], 0x55455940u);
	EXPECT_EQ(b[15], 77); /* session at 8 */
	EXPECT_EQ(b[16], 1);  /* src, one byte */
	EXPECT_EQ(b[17], 2);  /* dst */
	EXPECT_EQ(b[19], 5);  /* pn, two bytes at 18 */
	EXPECT_EQ(b[22], 0x80); /* sack 0x8001 at 22 */
	EXPECT_EQ(b[25], 3);  /* dsn, two bytes at 24 */
	EXPECT_EQ(b[28], 4);  /* port */
	EXPECT_EQ(b[29] << 8 | b[30], 2500); /* msg_len */
	EXPECT_EQ(b[32], 3);  /* frags */
	uint8_t again[WIRE_HEADER_MAX];
	EXPECT_EQ(decode(&h, &d), XPORT_OK);
	EXPECT_EQ(d.header_len, 33);
	EXPECT_EQ(wire_encode(&d, again), 33);
	EXPECT(memcmp(b, again, 33) == 0);
	EXPECT_EQ(d.sack, 0x8001);
	EXPECT_EQ(d.msg_len, 2500);
}

UNIT_TEST(wire_a_whole_message_leaves_out_its_cut)
{
	struct wire_header h = data_header(), d;
	uint8_t b[WIRE_HEADER_MAX];

	h.msg_len = h.payload_len = 47;
	h.frag = 0;
	h.frags = 1;
	h.sack = 0;
	EXPECT_EQ(wire_encode(&h, b), 27); /* two Poly1305 blocks, where 84 bytes were six */
	EXPECT_EQ(b[3], 2);                /* WIRE_F_WHOLE */
	EXPECT_EQ(decode(&h, &d), XPORT_OK);
	EXPECT_EQ(d.flags, 0);
	EXPECT_EQ(d.msg_len, 47);
	EXPECT_EQ(d.frag, 0);
	EXPECT_EQ(d.frags, 1);
	h.msg_len = h.payload_len = 0; /* an empty message */
	EXPECT_EQ(decode(&h, &d), XPORT_OK);
	EXPECT_EQ(d.frags, 1);
	EXPECT_EQ(d.payload_len, 0);
}

UNIT_TEST(wire_the_widest_header_is_the_most_there_is_room_for)
{
	struct wire_header h = data_header(), d;
	uint8_t b[WIRE_HEADER_MAX + 1];

	h.src = 0xfffffff1;
	h.dst = 0xfffffff2;
	h.pn = 0x0102030405060708ull;
	h.ack = 0x1112131415161718ull;
	h.sack = 0xf000000000000001ull;
	h.window = 0x7fffffff;
	h.dsn = 0x2122232425262728ull;
	h.msg = 0xfffffff0;
	h.prev = 0xffffffef;
	h.port = 0x10000;
	h.msg_len = 0x100000;
	h.frags = 0x20000;
	h.frag = 0x1ffff;
	h.payload_len = (uint16_t)wire_frag_len(h.msg_len, h.frags, h.frag);
	b[WIRE_HEADER_MAX] = 0x5a;
	EXPECT_EQ(wire_encode(&h, b), WIRE_HEADER_MAX);
	EXPECT_EQ(b[WIRE_HEADER_MAX], 0x5a);
	EXPECT_EQ(decode(&h, &d), XPORT_E_MALFORMED); /* a window: HELLO's and REPLY's only */
	h.window = 0;
	EXPECT_EQ(decode(&h, &d), XPORT_OK);
	EXPECT_EQ(d.pn, h.pn);
	EXPECT_EQ(d.ack, h.ack);
	EXPECT_EQ(d.sack, h.sack);
	EXPECT_EQ(d.dsn, h.dsn);
	EXPECT_EQ(d.src, h.src);
	EXPECT_EQ(d.prev, h.prev);
	EXPECT_EQ(d.frag, 0x1ffff);
	EXPECT_EQ(d.header_len, WIRE_HEADER_MAX - 4);
	h.pn = 0x12345; /* wider than two bytes, narrower than eight */
	EXPECT_EQ(decode(&h, &d), XPORT_OK);
	EXPECT_EQ(d.pn, 0x12345);
	EXPECT_EQ(d.header_len, WIRE_HEADER_MAX - 8);
}

UNIT_TEST(wire_fragments_cut_a_message_evenly_with_a_shorter_last)
{
	EXPECT_EQ(wire_frags_for(0, 1000), 1);
	EXPECT_EQ(wire_frags_for(1000, 1000), 1);
	EXPECT_EQ(wire_frags_for(1001, 1000), 2);
	EXPECT_EQ(wire_frag_size(2500, 3), 834);
	EXPECT_EQ(wire_frag_len(2500, 3, 0), 834);
	EXPECT_EQ(wire_frag_len(2500, 3, 2), 832);
	EXPECT_EQ(wire_frag_len(16u << 20, wire_frags_for(16u << 20, 1372), 0) <= 1372, 1);
}

/* Rounded up without len + d - 1 overflowing 32 bits (wire.c's div_up). */
UNIT_TEST(wire_fragments_of_the_largest_lengths_round_up)
{
	EXPECT_EQ(wire_frags_for(0xFFFFFFFFu, 1372), 3130443);
	EXPECT_EQ(wire_frags_for(0xFFFFFFFFu, 0xFFFFFFFFu), 1);
	EXPECT_EQ(wire_frags_for(0xFFFFFFFEu, 0xFFFFFFFFu), 1);
	EXPECT_EQ(wire_frag_size(0xFFFFFFFFu, 2), 0x80000000u);
	EXPECT_EQ(wire_frag_len(0xFFFFFFFFu, 2, 1), 0x7FFFFFFFu);
	EXPECT_EQ(wire_frag_size(0xFFFFFFFFu, 1), 0xFFFFFFFFu);
	EXPECT_EQ(wire_frag_len(1, 1, 0), 1);
}

UNIT_TEST(wire_decode_names_what_is_wrong)
{
	struct wire_header d, h;
	uint8_t buf[WIRE_HEADER_MIN + WIRE_TAG_SIZE] = {0};

	EXPECT_EQ(wire_decode(buf, sizeof buf - 1, 1000, &d), XPORT_E_SHORT);
	EXPECT_EQ(wire_decode(buf, sizeof buf, 1000, &d), XPORT_E_VERSION);

#define EXPECT_MALFORMED(change)                                                                   \
	do {                                                                                       \
		h = data_header();                                                                 \
		change;                                                                            \
		EXPECT_EQ(decode(&h, &d), XPORT_E_MALFORMED);                                      \
	} while (0)
	EXPECT_MALFORMED(h.type = 0);
	EXPECT_MALFORMED(h.type = 5);
	EXPECT_MALFORMED(h.flags = 0x8000);
	EXPECT_MALFORMED(h.src = 0);
	EXPECT_MALFORMED(h.dst = h.src);
	EXPECT_MALFORMED(h.pn = 0);
	EXPECT_MALFORMED(h.window = 1);                 /* HELLO's and REPLY's only */
	EXPECT_MALFORMED(h.dsn = 0);
	EXPECT_MALFORMED(h.msg = 0);
	EXPECT_MALFORMED(h.prev = h.msg);
	EXPECT_MALFORMED(h.msg_len = 2 << 20);
	EXPECT_MALFORMED(h.frags = 0);
	EXPECT_MALFORMED(h.frag = h.frags);
	EXPECT_MALFORMED(h.payload_len += 1);            /* not this fragment's size */
	EXPECT_MALFORMED(h.frags = 2600);               /* more pieces than bytes */
	EXPECT_MALFORMED(h.msg_len = 0);                /* an empty message is one piece */
	EXPECT_MALFORMED((h.msg_len = 4, h.frags = 3, h.frag = 0, h.payload_len = 2)); /* empty last piece */
	EXPECT_MALFORMED((h.type = WIRE_ACK, h.payload_len = 0));  /* message fields on an ACK */
	EXPECT_MALFORMED((h = (struct wire_header){.version = WIRE_VERSION, .type = WIRE_HELLO, .src = 1, .dst = 2,
						   .pn = 1, .payload_len = 31}));
	EXPECT_MALFORMED((h = (struct wire_header){.version = WIRE_VERSION, .type = WIRE_REPLY, .src = 1, .dst = 2,
						   .pn = 1, .payload_len = 64}));  /* no session */

	/* The widths' unused bits must be zero, a whole message's cut absent, the
	 * header within the datagram, and the length the payload's. */
	h = data_header();
	uint8_t b[2048] = {0};
	size_t n = wire_encode(&h, b), len = n + h.payload_len + WIRE_TAG_SIZE;
	b[7] |= 1;
	EXPECT_EQ(wire_decode(b, len, 1 << 20, &d), XPORT_E_MALFORMED);
	b[7] &= ~1;
	b[3] |= 2; /* whole, with a cut */
	EXPECT_EQ(wire_decode(b, len, 1 << 20, &d), XPORT_E_MALFORMED);
	b[3] &= ~2;
	EXPECT_EQ(wire_decode(b, n - 1 + WIRE_TAG_SIZE, 1 << 20, &d), XPORT_E_SHORT);
	EXPECT_EQ(wire_decode(b, len + 1, 1 << 20, &d), XPORT_E_MALFORMED);
	EXPECT_EQ(wire_decode(b, len, 1 << 20, &d), XPORT_OK);
	h = (struct wire_header){.version = WIRE_VERSION, .type = WIRE_ACK, .src = 1, .dst = 2, .session = 3, .pn = 1};
	n = wire_encode(&h, b);
	EXPECT_EQ(n, 20); /* an ACK with nothing acknowledged: src, dst (a byte each), pn (two) */
	EXPECT_EQ(wire_decode(b, n + WIRE_TAG_SIZE, 1 << 20, &d), XPORT_OK);
	b[3] |= 2; /* whole, on an ACK */
	EXPECT_EQ(wire_decode(b, n + WIRE_TAG_SIZE, 1 << 20, &d), XPORT_E_MALFORMED);
	h.window = 1;
	n = wire_encode(&h, b);
	EXPECT_EQ(wire_decode(b, n + WIRE_TAG_SIZE, 1 << 20, &d), XPORT_E_MALFORMED);
	h.type = WIRE_HELLO;
	h.session = 0;
	n = wire_encode(&h, b);
	EXPECT_EQ(wire_decode(b, n + WIRE_NONCE_SIZE + WIRE_TAG_SIZE, 1 << 20, &d), XPORT_OK);
	EXPECT_EQ(d.window, 1);
}
