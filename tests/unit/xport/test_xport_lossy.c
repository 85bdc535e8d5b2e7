/*
 * The transport end to end over the simulated wire: clean and lossy
 * (10 % loss, 5 % duplication, jitter that reorders), two and three nodes,
 * 10,000 messages each delivered once and in order per port, a 16 MiB
 * message reassembled and hashed, and memory back to what the sessions
 * alone hold at the end.
 */
#include <bearssl.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "sim.h"
#include "traffic.h"
#include "unit.h"

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

UNIT_TEST(xport_three_nodes_deliver_10000_messages_once_in_order_through_a_lossy_wire)
{
	struct sim sim;
	struct traffic t = {0};

	sim_init(&sim, 42);
	lossy(&sim);
	sim.deliver = traffic_deliver;
	sim.user = &t;
	for (uint32_t id = 1; id <= 3; id++)
		sim_add(&sim, id, 0x22, NULL);
	/* In waves, so that sessions are busy while new messages queue behind. */
	for (int wave = 0; wave < 10; wave++) {
		for (int i = 0; i < 1000; i++) {
			uint32_t from = 1 + sim_rand(&sim) % 3, to = 1 + (from + sim_rand(&sim) % 2) % 3;
			uint32_t len = sim_rand(&sim) % 10 == 0 ? 16 + sim_rand(&sim) % 6000 : 16 + sim_rand(&sim) % 600;
			EXPECT_EQ(traffic_send(&sim, &t, from, to, sim_rand(&sim) % TRAFFIC_PORTS, len), XPORT_OK);
		}
		sim_run(&sim, sim.now + 20000);
	}
	EXPECT(sim_run(&sim, sim.now + 600000000));
	EXPECT_EQ(t.sent, 10000);
	EXPECT_EQ(t.delivered, 10000);
	EXPECT_EQ(t.out_of_order, 0);
	EXPECT_EQ(t.corrupt, 0);
	EXPECT(sim.lost > 1000);
	EXPECT(sim.duplicated > 500);
	uint64_t retransmits = 0, replays = 0, dups = 0;
	for (uint32_t id = 1; id <= 3; id++) {
		struct xport *x = sim.nodes[id - 1].x;
		const struct xport_stats *st = xport_stats(x);
		retransmits += st->tx_retransmits;
		replays += st->rx_rejected[XPORT_E_REPLAY];
		dups += st->rx_rejected[XPORT_E_DUPLICATE];
		EXPECT_EQ(st->rx_rejected[XPORT_E_BAD_TAG], 0);
		EXPECT_EQ(st->rx_rejected[XPORT_E_MALFORMED], 0);
		EXPECT_EQ(st->peers_dead, 0);
		EXPECT_EQ(st->msgs_dropped, 0);
		EXPECT_EQ(st->mem_bytes, idle_memory(x, 2));
	}
	EXPECT(retransmits > 0);
	EXPECT(replays > 0); /* the wire's duplicates: the same packet number twice */
	EXPECT(dups > 0);    /* retransmissions of what had arrived */
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
