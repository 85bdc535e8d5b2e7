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
		.dsn = 3, .ack = 2, .sack = 0x8001, .window = 65536, .msg = 9, .prev = 8, .port = 4,
		.msg_len = 2500, .frag = 1, .frags = 3,
	};
	h.payload_len = wire_frag_len(h.msg_len, h.frags, h.frag);
	return h;
}

static int
decode(const struct wire_header *h, struct wire_header *out)
{
	uint8_t d[2048] = {0};

	wire_encode(h, d);
	return wire_decode(d, WIRE_OVERHEAD + h->payload_len, 1 << 20, out);
}

UNIT_TEST(wire_header_round_trips_in_network_order)
{
	struct wire_header h = data_header(), d;
	uint8_t b[WIRE_HEADER_SIZE];

	wire_encode(&h, b);
	EXPECT_EQ(b[0], 1);
	EXPECT_EQ(b[1], WIRE_DATA);
	EXPECT_EQ(b[7], 1);   /* src, big-endian at 4 */
	EXPECT_EQ(b[11], 2);  /* dst at 8 */
	EXPECT_EQ(b[19], 77); /* session at 12 */
	EXPECT_EQ(b[27], 5);  /* pn at 20 */
	EXPECT_EQ(b[67], 4);  /* port at 64 */
	uint8_t again[WIRE_HEADER_SIZE];
	EXPECT_EQ(decode(&h, &d), XPORT_OK);
	wire_encode(&d, again);
	EXPECT(memcmp(b, again, sizeof b) == 0);
	EXPECT_EQ(d.sack, 0x8001);
	EXPECT_EQ(d.msg_len, 2500);
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
	uint8_t buf[WIRE_OVERHEAD] = {0};

	EXPECT_EQ(wire_decode(buf, WIRE_OVERHEAD - 1, 1000, &d), XPORT_E_SHORT);
	EXPECT_EQ(wire_decode(buf, WIRE_OVERHEAD, 1000, &d), XPORT_E_VERSION);

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
	EXPECT_MALFORMED((h = (struct wire_header){.version = 1, .type = WIRE_HELLO, .src = 1, .dst = 2,
						   .pn = 1, .payload_len = 31}));
	EXPECT_MALFORMED((h = (struct wire_header){.version = 1, .type = WIRE_REPLY, .src = 1, .dst = 2,
						   .pn = 1, .payload_len = 64}));  /* no session */

	/* The reserved field must be zero, and the length must match the payload's. */
	h = data_header();
	uint8_t b[2048] = {0};
	wire_encode(&h, b);
	b[83] = 1;
	EXPECT_EQ(wire_decode(b, WIRE_OVERHEAD + h.payload_len, 1 << 20, &d), XPORT_E_MALFORMED);
	b[83] = 0;
	EXPECT_EQ(wire_decode(b, WIRE_OVERHEAD + h.payload_len + 1, 1 << 20, &d), XPORT_E_MALFORMED);
	EXPECT_EQ(wire_decode(b, WIRE_OVERHEAD + h.payload_len, 1 << 20, &d), XPORT_OK);
}
