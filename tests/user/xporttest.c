/*
 * xporttest: the `xport-guest` suite. The inter-node transport
 * (servers/gns/transport/) and BearSSL as the guest builds them (i386,
 * freestanding, newlib), run in a Manifold task: what gns will link. The host
 * suite `xport` covers the protocol; this one shows the same code computes
 * the same on i386: RFC 8439's AEAD example, the keys, and two endpoints over
 * the simulated lossy wire of the host tests (tests/unit/xport/sim.c) carrying
 * 500 messages and 1 MiB checked by SHA-256, with a tampered datagram refused.
 */
#include <bearssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <manifold/trap.h>
#include "suite.h"

#include "kat.h"
#include "seal.h"
#include "sim.h"
#include "traffic.h"
#include "wire.h"

static void
chacha20_poly1305_matches_rfc_8439_on_i386(void)
{
	CHECK(kat_chacha20_poly1305());
	CHECK(kat_aead_sse2_differs(2000) == 0);
}

static void
both_sides_derive_the_same_keys(void)
{
	uint8_t cluster[32], ni[32], nr[32];
	struct seal_keys a, b;

	memset(cluster, 1, 32);
	memset(ni, 2, 32);
	memset(nr, 3, 32);
	seal_derive(cluster, 5, 9, ni, nr, true, &a);
	seal_derive(cluster, 5, 9, ni, nr, false, &b);
	CHECK(memcmp(a.tx, b.rx, 32) == 0 && memcmp(a.rx, b.tx, 32) == 0);
	CHECK(memcmp(a.tx, a.rx, 32) != 0);
	CHECK_EQ(a.session == b.session, 1);
}

static void
five_hundred_messages_cross_a_lossy_wire_in_order(void)
{
	struct sim sim;
	struct traffic *t = calloc(1, sizeof *t);

	sim_init(&sim, 8);
	sim.loss_pct = 10;
	sim.dup_pct = 5;
	sim.jitter_us = 3000;
	sim.deliver = traffic_deliver;
	sim.user = t;
	sim_add(&sim, 1, 0x81, NULL);
	sim_add(&sim, 2, 0x81, NULL);
	for (uint32_t i = 0; i < 500; i++)
		CHECK_EQ(traffic_send(&sim, t, 1 + i % 2, 2 - i % 2, i % TRAFFIC_PORTS, 16 + (i * 131) % 3000), XPORT_OK);
	CHECK(sim_run(&sim, sim.now + 600000000));
	CHECK_EQ(t->delivered, 500);
	CHECK_EQ(t->out_of_order, 0);
	CHECK_EQ(t->corrupt, 0);
	CHECK(sim.lost > 0);
	sim_free(&sim);
	free(t);
}

static struct {
	uint8_t got[32];
	size_t len;
	int count;
} one_mib;

static void
hash_delivery(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, one_mib.got);
	one_mib.len = len;
	one_mib.count++;
}

static bool
tamper_first_data(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	static int done;
	uint8_t copy[2048];

	if (!done && d[1] == WIRE_DATA) {
		done = 1;
		memcpy(copy, d, *len);
		copy[*len - 1] ^= 1;
		sim_enqueue(sim, from, to, copy, *len);
	}
	return true;
}

static void
one_mib_arrives_whole_and_a_tampered_copy_is_refused(void)
{
	struct sim sim;
	size_t len = 1 << 20;
	uint8_t *msg = malloc(len), want[32];
	br_sha256_context c;

	sim_init(&sim, 9);
	sim.loss_pct = 10;
	sim.jitter_us = 1000;
	sim.deliver = hash_delivery;
	sim.tap = tamper_first_data;
	for (size_t i = 0; i < len; i++)
		msg[i] = (uint8_t)(sim_rand(&sim) >> 24);
	br_sha256_init(&c);
	br_sha256_update(&c, msg, len);
	br_sha256_out(&c, want);
	sim_add(&sim, 1, 0x82, NULL);
	struct xport *b = sim_add(&sim, 2, 0x82, NULL);
	CHECK_EQ(xport_send(sim.nodes[0].x, 2, 3, msg, len, sim.now), XPORT_OK);
	free(msg);
	CHECK(sim_run(&sim, sim.now + 600000000));
	CHECK_EQ(one_mib.count, 1);
	CHECK_EQ(one_mib.len, len);
	CHECK(memcmp(one_mib.got, want, 32) == 0);
	CHECK_EQ(xport_stats(b)->rx_rejected[XPORT_E_BAD_TAG], 1);
	CHECK_EQ(xport_stats(b)->mem_bytes == xport_stats(sim.nodes[0].x)->mem_bytes, 1);
	sim_free(&sim);
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(chacha20_poly1305_matches_rfc_8439_on_i386),
	T(both_sides_derive_the_same_keys),
	T(five_hundred_messages_cross_a_lossy_wire_in_order),
	T(one_mib_arrives_whole_and_a_tampered_copy_is_refused),
};

int
main(void)
{
	int fail = run_suite("xport-guest", tests, (int)(sizeof tests / sizeof tests[0]), NULL);

	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
