/* Global port identities: the encoding round trip, bad encodings, the check. */
#include <string.h>

#include "gport.h"
#include "unit.h"
#include "xport.h"

static void
counting_random(void *ctx, void *buf, size_t len)
{
	unsigned *n = ctx;
	/* Zeros first: gport_new_check must draw again. */
	memset(buf, (*n)++ < 2 ? 0 : 0x5a, len);
}

UNIT_TEST(gport_round_trips_through_its_encoding)
{
	struct gport g = {7, 0x10203, 0x0123456789abcdefull}, d;
	uint8_t b[GPORT_WIRE_SIZE];

	gport_encode(&g, b);
	EXPECT_EQ(b[0], 0);
	EXPECT_EQ(b[3], 7);
	EXPECT_EQ(b[8], 0x01);
	EXPECT_EQ(b[15], 0xef);
	EXPECT_EQ(gport_decode(b, sizeof b, &d), XPORT_OK);
	EXPECT(gport_equal(&g, &d));
}

UNIT_TEST(gport_decode_refuses_short_and_zero_fields)
{
	struct gport g = {1, 2, 3}, d = {9, 9, 9};
	uint8_t b[GPORT_WIRE_SIZE];

	gport_encode(&g, b);
	EXPECT_EQ(gport_decode(b, 15, &d), XPORT_E_SHORT);
	for (int field = 0; field < 3; field++) {
		struct gport z = g;
		if (field == 0)
			z.node = 0;
		else if (field == 1)
			z.port = 0;
		else
			z.check = 0;
		gport_encode(&z, b);
		EXPECT_EQ(gport_decode(b, sizeof b, &d), XPORT_E_MALFORMED);
	}
	EXPECT_EQ(d.node, 9); /* untouched on failure */
}

UNIT_TEST(gport_check_refuses_a_forged_check_field)
{
	unsigned n = 0;
	uint64_t kept = gport_new_check(counting_random, &n);
	struct gport real = {2, 40, kept}, forged = real;

	EXPECT(kept != 0);
	EXPECT_EQ(n, 3);
	EXPECT(gport_check(&real, kept));
	for (int bit = 0; bit < 64; bit++) {
		forged.check = kept ^ ((uint64_t)1 << bit);
		EXPECT(!gport_check(&forged, kept));
	}
	forged.check = 0;
	EXPECT(!gport_check(&forged, 0)); /* a port with no check field is never matched */
}
