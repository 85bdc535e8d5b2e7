/*
 * The transport end to end over the simulated wire: clean and lossy
 * (10 % loss, 5 % duplication, jitter that reorders), two and three nodes,
 * 10,000 messages each delivered once and in order per port while an
 * attacker tampers with copies and replays old datagrams and a node with the
 * wrong key tries to join, a 16 MiB message reassembled and hashed, and
 * memory back to what the sessions alone hold at the end.
 */
#include <bearssl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "sim.h"
#include "traffic.h"
#include "unit.h"
#include "wire.h"

/* What an endpoint holds with its sessions up and nothing in flight. */
static uint64_t
idle_memory(struct xport *x, int peers)
{
	return 2 * (uint64_t)x->cfg.mtu + (uint64_t)peers * (sizeof(struct peer) + sizeof(struct session));
}

static void
lossy(struct sim *sim)
{
	sim->loss_pct = 10;
	sim->dup_pct = 5;
	sim->jitter_us = 3000; /* six times the base delay: plenty of reordering */
}

UNIT_TEST(xport_two_nodes_deliver_in_order_on_a_clean_wire)
{
	struct sim sim;
	struct traffic t = {0};

	sim_init(&sim, 1);
	sim.deliver = traffic_deliver;
	sim.user = &t;
	sim_add(&sim, 1, 0x11, NULL);
	sim_add(&sim, 2, 0x11, NULL);
	for (uint32_t i = 0; i < 200; i++) {
		EXPECT_EQ(traffic_send(&sim, &t, 1, 2, i % TRAFFIC_PORTS, 16 + i * 37), XPORT_OK);
		EXPECT_EQ(traffic_send(&sim, &t, 2, 1, i % TRAFFIC_PORTS, 16 + (i * 101) % 4000), XPORT_OK);
	}
	EXPECT(sim_run(&sim, 60000000));
	EXPECT_EQ(t.delivered, 400);
	EXPECT_EQ(t.out_of_order, 0);
	EXPECT_EQ(t.corrupt, 0);
	for (uint32_t id = 1; id <= 2; id++) {
		const struct xport_stats *st = xport_stats(sim.nodes[id - 1].x);
		for (int e = 1; e < XPORT_E_COUNT; e++)
			EXPECT_EQ(st->rx_rejected[e], 0);
		EXPECT_EQ(st->sessions_up, 1);
		EXPECT_EQ(st->tx_retransmits, 0);
		EXPECT_EQ(st->mem_bytes, idle_memory(sim.nodes[id - 1].x, 1));
		EXPECT_EQ(xport_pending(sim.nodes[id - 1].x, 3 - id), 0);
	}
	sim_free(&sim);
}

/* The attacker on the wire: tampered copies and replays of old datagrams. */
static struct {
	uint8_t old[16][2048];
	size_t old_len[16];
	uint32_t old_to[16];
	unsigned kept, seen;
	uint64_t tampered, replayed;
} attacker;

static bool
attack_tap(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	uint8_t copy[2048];

	if (from == 4) /* the node with the wrong key speaks for itself */
		return true;
	if (attacker.seen++ % 40 == 0) {
		unsigned i = attacker.kept++ % 16;
		memcpy(attacker.old[i], d, *len);
		attacker.old_len[i] = *len;
		attacker.old_to[i] = to;
	}
	uint64_t r = sim_rand(sim) % 1000;
	if (r < 5) { /* a byte of payload or tag changed, on a copy */
		memcpy(copy, d, *len);
		struct wire_header h;
		size_t at = wire_decode(d, *len, 1u << 30, &h) == XPORT_OK ? h.header_len : WIRE_HEADER_MIN;
		copy[at + sim_rand(sim) % (*len - at)] ^= 0x40;
		sim_enqueue(sim, from, to, copy, *len);
		attacker.tampered++;
	} else if (r < 10 && attacker.kept > 16) {
		unsigned i = sim_rand(sim) % 16;
		sim_enqueue(sim, from, attacker.old_to[i], attacker.old[i], attacker.old_len[i]);
		attacker.replayed++;
	}
	return true;
}

UNIT_TEST(xport_three_nodes_deliver_10000_messages_once_in_order_through_a_lossy_wire)
{
	struct sim sim;
	struct traffic t = {0};

	memset(&attacker, 0, sizeof attacker);
	sim_init(&sim, 42);
	lossy(&sim);
	sim.deliver = traffic_deliver;
	sim.user = &t;
	sim.tap = attack_tap;
	for (uint32_t id = 1; id <= 3; id++)
		sim_add(&sim, id, 0x22, NULL);
	struct xport *intruder = sim_add(&sim, 4, 0x23, NULL); /* the wrong cluster key */
	/* In waves, so that sessions are busy while new messages queue behind. */
	for (int wave = 0; wave < 10; wave++) {
		for (int i = 0; i < 1000; i++) {
			uint32_t from = 1 + sim_rand(&sim) % 3, to = 1 + (from + sim_rand(&sim) % 2) % 3;
			uint32_t len = sim_rand(&sim) % 10 == 0 ? 16 + sim_rand(&sim) % 6000 : 16 + sim_rand(&sim) % 600;
			EXPECT_EQ(traffic_send(&sim, &t, from, to, sim_rand(&sim) % TRAFFIC_PORTS, len), XPORT_OK);
		}
		if (wave < 3)
			for (uint32_t to = 1; to <= 3; to++)
				EXPECT_EQ(xport_send(intruder, to, 0, "let me in", 9, sim.now), XPORT_OK);
		sim_run(&sim, sim.now + 20000);
	}
	EXPECT(sim_run(&sim, sim.now + 600000000));
	EXPECT_EQ(t.sent, 10000);
	EXPECT_EQ(t.delivered, 10000); /* nothing from the intruder: it would be corrupt */
	EXPECT_EQ(t.out_of_order, 0);
	EXPECT_EQ(t.corrupt, 0);
	EXPECT(sim.lost > 1000);
	EXPECT(sim.duplicated > 500);
	EXPECT(attacker.tampered > 50);
	EXPECT(attacker.replayed > 50);
	uint64_t retransmits = 0, replays = 0, dups = 0, bad_tags = 0, delivered = 0;
	for (uint32_t id = 1; id <= 3; id++) {
		struct xport *x = sim.nodes[id - 1].x;
		const struct xport_stats *st = xport_stats(x);
		retransmits += st->tx_retransmits;
		replays += st->rx_rejected[XPORT_E_REPLAY];
		dups += st->rx_rejected[XPORT_E_DUPLICATE];
		bad_tags += st->rx_rejected[XPORT_E_BAD_TAG];
		EXPECT_EQ(st->rx_rejected[XPORT_E_MALFORMED], 0);
		EXPECT_EQ(st->peers_dead, 0);
		EXPECT_EQ(st->msgs_dropped, 0);
		delivered += st->msgs_delivered;
		EXPECT_EQ(st->mem_bytes, idle_memory(x, 2)); /* nothing for the intruder: no HELLO of its passed */
	}
	EXPECT_EQ(delivered, 10000);
	printf("# 10,000 messages through the lossy wire: %llu retransmissions, %llu duplicates refused, %llu us\n",
	       (unsigned long long)retransmits, (unsigned long long)dups, (unsigned long long)sim.now);
	EXPECT_EQ(sim.nodes[3].events[XPORT_EV_DEAD], 3);
	EXPECT_EQ(xport_stats(intruder)->msgs_dropped, 9);
	/* Every tampered copy failed its tag; so did every HELLO of the intruder that arrived. */
	EXPECT(bad_tags >= attacker.tampered);
	EXPECT(bad_tags <= attacker.tampered + xport_stats(intruder)->tx_hellos);
	EXPECT(bad_tags > attacker.tampered); /* some of the intruder's got through the loss */
	EXPECT(retransmits > 0);
	EXPECT(replays >= attacker.replayed); /* the attacker's, and the wire's duplicates */
	EXPECT(dups > 0);                     /* retransmissions of what had arrived */
	/* no input or send wanted a tick sooner than xport_min_delay (gns ticks that late after them) */
	EXPECT_EQ(sim.early_deadlines, 0);
	sim_free(&sim);
}

static void
sha256(const void *data, size_t len, uint8_t out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, out);
}

struct big {
	uint8_t want[32], got[32];
	size_t len;
	int count;
};

static void
big_deliver(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	struct big *b = sim->user;

	b->count++;
	b->len = len;
	sha256(data, len, b->got);
}

UNIT_TEST(xport_a_16_mib_message_arrives_whole_through_a_lossy_wire)
{
	struct sim sim;
	struct big b = {.count = 0};
	size_t len = 16 << 20;
	uint8_t *msg = malloc(len);

	sim_init(&sim, 7);
	lossy(&sim);
	sim.deliver = big_deliver;
	sim.user = &b;
	for (size_t i = 0; i < len; i += 8) {
		uint64_t r = sim_rand(&sim);
		memcpy(msg + i, &r, 8);
	}
	sha256(msg, len, b.want);
	sim_add(&sim, 1, 0x33, NULL);
	sim_add(&sim, 2, 0x33, NULL);
	EXPECT_EQ(xport_send(sim.nodes[0].x, 2, 9, msg, len, sim.now), XPORT_OK);
	free(msg);
	EXPECT(sim_run(&sim, sim.now + 600000000));
	EXPECT_EQ(b.count, 1);
	EXPECT_EQ(b.len, len);
	EXPECT(memcmp(b.want, b.got, 32) == 0);
	EXPECT_EQ(xport_stats(sim.nodes[1].x)->bytes_delivered, len);
	for (uint32_t id = 1; id <= 2; id++)
		EXPECT_EQ(xport_stats(sim.nodes[id - 1].x)->mem_bytes, idle_memory(sim.nodes[id - 1].x, 1));
	sim_free(&sim);
}
