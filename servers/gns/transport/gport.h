/*
 * A port's global identity: (node, port number, check field). The check
 * field is 64 random bits the home node keeps beside the port (as Amoeba's
 * capabilities keep theirs), so a node can name only ports whose identity it
 * was given: a forged identity fails gport_check. 16 bytes on the wire.
 */
#ifndef XPORT_GPORT_H
#define XPORT_GPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPORT_WIRE_SIZE 16

struct gport {
	uint32_t node;   /* the home node, nonzero */
	uint32_t port;   /* the port's number in the home node's gns, nonzero */
	uint64_t check;  /* random, nonzero */
};

/* node, port, check, big-endian. */
void gport_encode(const struct gport *g, uint8_t out[GPORT_WIRE_SIZE]);
/* XPORT_OK, XPORT_E_SHORT (len < 16) or XPORT_E_MALFORMED (a zero field); *g only on success. */
int gport_decode(const uint8_t *in, size_t len, struct gport *g);
/* A new check field from the caller's random source (never 0). */
uint64_t gport_new_check(void (*random)(void *ctx, void *buf, size_t len), void *ctx);
/* Does the claimed identity carry the check field the home node keeps? Constant time. */
bool gport_check(const struct gport *claimed, uint64_t kept);
bool gport_equal(const struct gport *a, const struct gport *b);

#endif
