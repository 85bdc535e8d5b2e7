/*
 * Global port identities (gport.h): their 16-byte encoding and the check.
 * No table here: the home node's gns keeps each port's check field, the
 * other nodes' proxies keep the whole identity.
 */
#include "gport.h"

#include "xport.h"

void
gport_encode(const struct gport *g, uint8_t out[GPORT_WIRE_SIZE])
{
	for (int i = 0; i < 4; i++) {
		out[i] = (uint8_t)(g->node >> (24 - 8 * i));
		out[4 + i] = (uint8_t)(g->port >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(g->check >> (56 - 8 * i));
}

int
gport_decode(const uint8_t *in, size_t len, struct gport *g)
{
	struct gport d = {0, 0, 0};

	if (len < GPORT_WIRE_SIZE)
		return XPORT_E_SHORT;
	for (int i = 0; i < 4; i++) {
		d.node = d.node << 8 | in[i];
		d.port = d.port << 8 | in[4 + i];
	}
	for (int i = 0; i < 8; i++)
		d.check = d.check << 8 | in[8 + i];
	if (d.node == 0 || d.port == 0 || d.check == 0)
		return XPORT_E_MALFORMED;
	*g = d;
	return XPORT_OK;
}

uint64_t
gport_new_check(void (*random)(void *ctx, void *buf, size_t len), void *ctx)
{
	uint8_t b[8];
	uint64_t c;

	do {
		random(ctx, b, sizeof b);
		c = 0;
		for (int i = 0; i < 8; i++)
			c = c << 8 | b[i];
	} while (c == 0);
	return c;
}

bool
gport_check(const struct gport *claimed, uint64_t kept)
{
	uint64_t diff = claimed->check ^ kept;

	/* Fold to one bit without a data-dependent branch. */
	diff |= diff >> 32;
	diff |= diff >> 16;
	diff |= diff >> 8;
	return (diff & 0xff) == 0 && kept != 0;
}

bool
gport_equal(const struct gport *a, const struct gport *b)
{
	return a->node == b->node && a->port == b->port && a->check == b->check;
}
