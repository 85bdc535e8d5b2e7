/*
 * gns's inter-node encoding (servers/gns/carry.c): what one gns writes the
 * other reads back field by field, and the reader never goes past its end
 * whatever it is given (a peer holding the key is still not trusted to be
 * well formed).
 */
#include <stdlib.h>
#include <string.h>

#include "carry.h"
#include "unit.h"

UNIT_TEST(carry_reads_back_what_it_wrote)
{
	struct carry_out o = {0};
	struct gport g = {3, 0x1234, 0xfedcba9876543210ull}, h;
	static const char text[] = "/cluster/echo";
	struct carry_in in;

	carry_put8(&o, CARRY_MSG);
	carry_put32(&o, 0xdeadbeef);
	carry_put_gid(&o, &g);
	carry_put_right(&o, RIGHT_ONCE, &g);
	carry_put_right(&o, RIGHT_DEAD, NULL);
	carry_put32(&o, sizeof text);
	carry_put_bytes(&o, text, sizeof text);
	for (int i = 0; i < 1000; i++)	/* past the first allocation */
		carry_put32(&o, (uint32_t)i);
	EXPECT(!o.failed);
	in = (struct carry_in){ .p = o.p, .len = o.len };
	EXPECT_EQ(carry_get8(&in), CARRY_MSG);
	EXPECT_EQ(carry_get32(&in), 0xdeadbeef);
	carry_get_gid(&in, &h);
	EXPECT(gport_equal(&g, &h));
	memset(&h, 0, sizeof h);
	EXPECT_EQ(carry_get_right(&in, &h), RIGHT_ONCE);
	EXPECT(gport_equal(&g, &h));
	EXPECT_EQ(carry_get_right(&in, &h), RIGHT_DEAD);
	EXPECT_EQ(carry_get32(&in), sizeof text);
	EXPECT(memcmp(carry_get_bytes(&in, sizeof text), text, sizeof text) == 0);
	for (int i = 0; i < 1000; i++)
		EXPECT_EQ(carry_get32(&in), (uint32_t)i);
	EXPECT(!in.bad);
	EXPECT_EQ(in.off, in.len);
	carry_out_free(&o);
}

UNIT_TEST(carry_reader_stops_at_the_end_and_stays_bad)
{
	struct carry_out o = {0};
	struct gport g = {1, 2, 3};

	carry_put8(&o, CARRY_FOUND);
	carry_put32(&o, 77);
	carry_put_gid(&o, &g);
	for (size_t cut = 0; cut < o.len; cut++) {
		/* a copy of exactly cut bytes: ASan sees any read past it */
		uint8_t *p = malloc(cut ? cut : 1);
		struct carry_in in = { .p = p, .len = cut };
		struct gport h;

		memcpy(p, o.p, cut);
		carry_get8(&in);
		carry_get32(&in);
		carry_get_gid(&in, &h);
		EXPECT(in.bad);
		EXPECT_EQ(carry_get32(&in), 0);	/* once bad, reads give 0 */
		EXPECT(carry_get_bytes(&in, 0) == NULL);
		free(p);
	}
	carry_out_free(&o);
}

UNIT_TEST(carry_refuses_unknown_rights_and_zero_identities)
{
	uint8_t unknown[] = { 9 };
	uint8_t zero_gid[1 + GPORT_WIRE_SIZE] = { RIGHT_SEND };	/* node, port and check all 0 */
	struct carry_in in = { .p = unknown, .len = sizeof unknown };
	struct gport g;

	EXPECT_EQ(carry_get_right(&in, &g), RIGHT_NULL);
	EXPECT(in.bad);
	in = (struct carry_in){ .p = zero_gid, .len = sizeof zero_gid };
	EXPECT_EQ(carry_get_right(&in, &g), RIGHT_NULL);
	EXPECT(in.bad);
}

UNIT_TEST(carry_reader_survives_100000_random_inputs)
{
	uint32_t x = 0x9e3779b9;

	for (int round = 0; round < 100000; round++) {
		size_t len = (x = x * 1103515245 + 12345) % 64;
		uint8_t *p = malloc(len ? len : 1);
		struct carry_in in = { .p = p, .len = len };
		struct gport g;

		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)((x = x * 1103515245 + 12345) >> 16) % 8;	/* small values: kinds and counts */
		/* the shape of a MSG: kind, gid, id, flags, a right, a count, then that many descriptors */
		carry_get8(&in);
		carry_get_gid(&in, &g);
		carry_get32(&in);
		carry_get8(&in);
		carry_get_right(&in, &g);
		for (uint32_t n = carry_get32(&in); n && !in.bad; n--) {
			if (carry_get8(&in) == DESC_OOL)
				carry_get_bytes(&in, carry_get32(&in));
			else
				carry_get_right(&in, &g);
		}
		EXPECT(in.off <= in.len);
		free(p);
	}
}

/* Lent regions come out in place, between the bytes written before and after them. */
UNIT_TEST(carry_lent_regions_are_parts_in_their_place)
{
	static const uint8_t big[3000] = {1, 2, 3}, other[10] = {9};
	struct carry_out o = {0};
	struct xport_part parts[2 * CARRY_LENT_MAX + 1];
	uint8_t joined[4000];
	size_t len = 0;
	struct carry_in in;
	int n;

	carry_put32(&o, sizeof big);
	carry_lend(&o, big, sizeof big);
	carry_lend(&o, other, sizeof other);	/* two in a row: no empty part between */
	carry_lend(&o, other, 0);		/* nothing lent */
	carry_put32(&o, 0x01020304);
	n = carry_parts(&o, parts);
	EXPECT_EQ(n, 4);
	EXPECT_EQ(o.lent_bytes, sizeof big + sizeof other);
	EXPECT(parts[1].p == big && parts[2].p == other);
	for (int i = 0; i < n; i++) {
		EXPECT(parts[i].len > 0);
		memcpy(joined + len, parts[i].p, parts[i].len);
		len += parts[i].len;
	}
	EXPECT_EQ(len, o.len + o.lent_bytes);
	in = (struct carry_in){ .p = joined, .len = len };
	EXPECT_EQ(carry_get32(&in), sizeof big);
	EXPECT(memcmp(carry_get_bytes(&in, sizeof big), big, sizeof big) == 0);
	EXPECT(memcmp(carry_get_bytes(&in, sizeof other), other, sizeof other) == 0);
	EXPECT_EQ(carry_get32(&in), 0x01020304);
	EXPECT(!in.bad && in.off == in.len);
	carry_out_free(&o);
}

/* A receive right carries its receiver's no-senders request (or none); a request of another kind is refused. */
UNIT_TEST(carry_a_receive_right_brings_its_no_senders_request)
{
	struct gport g = {.node = 1, .port = 2, .check = 3}, once = {.node = 1, .port = 9, .check = 10}, h;
	struct carry_ns ns = {.kind = RIGHT_ONCE, .gid = once}, got;
	struct carry_out o = {0};
	struct carry_in in;

	carry_put_right_ns(&o, RIGHT_RECEIVE, &g, &ns);
	carry_put_right(&o, RIGHT_RECEIVE, &g);	/* none along */
	carry_put_right_ns(&o, RIGHT_SEND, &g, &ns);	/* only a receive right carries one */
	in = (struct carry_in){ .p = o.p, .len = o.len };
	EXPECT_EQ(carry_get_right_ns(&in, &h, &got), RIGHT_RECEIVE);
	EXPECT(gport_equal(&h, &g) && got.kind == RIGHT_ONCE && gport_equal(&got.gid, &once));
	EXPECT_EQ(carry_get_right_ns(&in, &h, &got), RIGHT_RECEIVE);
	EXPECT_EQ(got.kind, RIGHT_NULL);
	EXPECT_EQ(carry_get_right(&in, &h), RIGHT_SEND);
	EXPECT(!in.bad && in.off == in.len);
	/* a request that is a send right: malformed */
	o.p[1 + GPORT_WIRE_SIZE] = RIGHT_SEND;
	in = (struct carry_in){ .p = o.p, .len = o.len };
	EXPECT_EQ(carry_get_right_ns(&in, &h, &got), RIGHT_NULL);
	EXPECT(in.bad);
	carry_out_free(&o);
}
