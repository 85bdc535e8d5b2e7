/*
 * Attacks on a node, each rejected with its named error, counted, and
 * delivering nothing: replayed datagrams (fresh and older than the window),
 * tampered payload, header and tag bytes, a foreign session id, a downgrade
 * to auth-only, a datagram for another node, and a node with the wrong
 * cluster key. The genuine traffic beside them arrives whole and in order.
 */
#include <string.h>

#include "sim.h"
#include "traffic.h"
#include "unit.h"
#include "wire.h"

#define CAPTURE_MAX 8

struct capture {
	uint8_t dgram[CAPTURE_MAX][2048];
	size_t len[CAPTURE_MAX];
	int n;
	uint8_t type;
};

static struct capture cap;

/* Keeps copies of the first datagrams of one type from node 1 to node 2. */
static bool
tap_1_to_2(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	if (from == 1 && to == 2 && d[1] == cap.type && cap.n < CAPTURE_MAX) {
		memcpy(cap.dgram[cap.n], d, *len);
		cap.len[cap.n++] = *len;
	}
	return true;
}

static int
inject_changed(struct sim *sim, int which, size_t offset, uint8_t xor)
{
	uint8_t d[2048];

	memcpy(d, cap.dgram[which], cap.len[which]);
	d[offset] ^= xor;
	return sim_inject(sim, 2, d, cap.len[which]);
}

/*
 * The captured datagram with a header field changed: decoded, changed and
 * encoded again (its width may change), before the original payload and tag.
 */
static int
inject_header_changed(struct sim *sim, int which, void (*change)(struct wire_header *))
{
	struct wire_header h;
	uint8_t d[2048];

	if (wire_decode(cap.dgram[which], cap.len[which], 1u << 30, &h) != XPORT_OK)
		return -1;
	change(&h);
	size_t n = wire_encode(&h, d), rest = cap.len[which] - h.header_len;
	memcpy(d + n, cap.dgram[which] + h.header_len, rest);
	return sim_inject(sim, 2, d, n + rest);
}

static void port_changed(struct wire_header *h) { h->port ^= 2; }
static void pn_changed(struct wire_header *h) { h->pn ^= 0x80; }
static void dst_changed(struct wire_header *h) { h->dst ^= 4; }
static void sack_changed(struct wire_header *h) { h->sack ^= 1; }

/* Nodes 1 and 2 with one key, checked traffic, and datagrams of `type` from 1 to 2 kept. */
static void
setup(struct sim *sim, struct traffic *t, uint64_t seed, uint8_t key, uint8_t type)
{
	memset(&cap, 0, sizeof cap);
	cap.type = type;
	sim_init(sim, seed);
	sim->deliver = traffic_deliver;
	sim->user = t;
	sim->tap = tap_1_to_2;
	sim_add(sim, 1, key, NULL);
	sim_add(sim, 2, key, NULL);
}

/* setup, and node 1's first message to node 2: a session between them. */
static void
setup_session(struct sim *sim, struct traffic *t, uint64_t seed, uint8_t key, uint8_t type)
{
	setup(sim, t, seed, key, type);
	traffic_send(sim, t, 1, 2, 0, 64);
	EXPECT(sim_run(sim, sim->now + 10000000));
}

UNIT_TEST(xport_attacks_are_rejected_counted_and_deliver_nothing)
{
	struct sim sim;
	struct traffic t = {0};

	setup(&sim, &t, 99, 0x44, WIRE_DATA);
	sim_add(&sim, 3, 0x45, NULL); /* the wrong cluster key */
	for (int i = 0; i < 5; i++)
		traffic_send(&sim, &t, 1, 2, 1, 100);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(cap.n, 5);
	EXPECT_EQ(t.delivered, 5);

	struct wire_header h1;
	EXPECT_EQ(wire_decode(cap.dgram[1], cap.len[1], 1u << 30, &h1), XPORT_OK);
	size_t payload = h1.header_len + 10, tag = cap.len[1] - 1;
	EXPECT_EQ(sim_inject(&sim, 2, cap.dgram[0], cap.len[0]), XPORT_E_REPLAY);
	EXPECT_EQ(inject_changed(&sim, 1, payload, 0x01), XPORT_E_BAD_TAG);
	EXPECT_EQ(inject_header_changed(&sim, 1, port_changed), XPORT_E_BAD_TAG); /* in the header */
	EXPECT_EQ(inject_header_changed(&sim, 1, pn_changed), XPORT_E_BAD_TAG);   /* the packet number */
	EXPECT_EQ(inject_header_changed(&sim, 1, sack_changed), XPORT_E_BAD_TAG);
	EXPECT_EQ(inject_changed(&sim, 1, tag, 0x10), XPORT_E_BAD_TAG);
	EXPECT_EQ(inject_changed(&sim, 1, 8 + 7, 0x01), XPORT_E_UNKNOWN_SESSION);
	EXPECT_EQ(inject_changed(&sim, 1, 3, WIRE_F_AUTH_ONLY), XPORT_E_MODE);
	EXPECT_EQ(inject_header_changed(&sim, 1, dst_changed), XPORT_E_NOT_FOR_US);
	EXPECT_EQ(inject_changed(&sim, 1, 0, 0x02), XPORT_E_VERSION);
	EXPECT_EQ(sim_inject(&sim, 2, cap.dgram[1], WIRE_HEADER_MIN + WIRE_TAG_SIZE - 1), XPORT_E_SHORT);
	EXPECT_EQ(sim_inject(&sim, 2, cap.dgram[1], h1.header_len - 1 + WIRE_TAG_SIZE), XPORT_E_SHORT);

	/* 600 more datagrams move the replay window past the oldest captured ones. */
	for (int i = 0; i < 600; i++)
		traffic_send(&sim, &t, 1, 2, 2, 20);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(sim_inject(&sim, 2, cap.dgram[2], cap.len[2]), XPORT_E_REPLAY);

	/* Node 3 has the wrong key: its HELLOs fail, it gives node 2 up, nothing arrives. */
	EXPECT_EQ(traffic_send(&sim, &t, 3, 2, 0, 50), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 100000000));
	struct xport *victim = sim.nodes[1].x;
	const struct xport_stats *st = xport_stats(victim);
	EXPECT_EQ(sim.nodes[2].events[XPORT_EV_DEAD], 1);
	EXPECT_EQ(xport_stats(sim.nodes[2].x)->msgs_dropped, 1);
	EXPECT_EQ(st->rx_rejected[XPORT_E_BAD_TAG], 5 + xport_stats(sim.nodes[2].x)->tx_hellos);
	EXPECT_EQ(st->rx_rejected[XPORT_E_REPLAY], 2);
	EXPECT_EQ(st->rx_rejected[XPORT_E_UNKNOWN_SESSION], 1);
	EXPECT_EQ(st->rx_rejected[XPORT_E_MODE], 1);
	EXPECT_EQ(st->rx_rejected[XPORT_E_NOT_FOR_US], 1);
	EXPECT_EQ(st->rx_rejected[XPORT_E_VERSION], 1);
	EXPECT_EQ(st->rx_rejected[XPORT_E_SHORT], 2);
	EXPECT_EQ(st->sessions_up, 1);
	EXPECT_EQ(t.delivered, 605);
	EXPECT_EQ(st->msgs_delivered, 605);
	EXPECT_EQ(t.out_of_order, 0);
	EXPECT_EQ(t.corrupt, 0);
	sim_free(&sim);
}

UNIT_TEST(xport_a_replayed_handshake_changes_no_session)
{
	struct sim sim;
	struct traffic t = {0};

	setup_session(&sim, &t, 5, 0x46, WIRE_HELLO);
	EXPECT_EQ(cap.n, 1);
	/* Node 2 answers it again as a lost REPLY's retry; node 1 confirms again; no new session. */
	EXPECT_EQ(sim_inject(&sim, 2, cap.dgram[0], cap.len[0]), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	traffic_send(&sim, &t, 1, 2, 0, 64);
	traffic_send(&sim, &t, 2, 1, 0, 64);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(t.delivered, 3);
	for (uint32_t id = 1; id <= 2; id++) {
		EXPECT_EQ(xport_stats(sim.nodes[id - 1].x)->sessions_up, 1);
		EXPECT_EQ(sim.nodes[id - 1].events[XPORT_EV_RESTARTED], 0);
	}
	sim_free(&sim);
}

UNIT_TEST(xport_a_hello_replayed_to_a_restarted_node_delays_its_traffic_only)
{
	struct sim sim;
	struct traffic t = {0};

	setup_session(&sim, &t, 6, 0x47, WIRE_HELLO);
	sim_remove(&sim, 2);
	sim_add(&sim, 2, 0x47, NULL);
	/* The new node 2 answers the old HELLO: a session nobody confirms, which it gives up. */
	EXPECT_EQ(sim_inject(&sim, 2, cap.dgram[0], cap.len[0]), XPORT_OK);
	traffic_send(&sim, &t, 2, 1, 0, 64);
	EXPECT(sim_run(&sim, sim.now + 100000000));
	EXPECT_EQ(t.delivered, 2);
	EXPECT_EQ(t.out_of_order, 0);
	EXPECT_EQ(xport_stats(sim.nodes[0].x)->rx_rejected[XPORT_E_UNKNOWN_SESSION], 12);
	EXPECT_EQ(sim.nodes[0].events[XPORT_EV_RESTARTED], 1);
	sim_free(&sim);
}
