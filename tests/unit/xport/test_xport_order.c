/*
 * Delivery order: FIFO per port, and only per port. A message whose fragment
 * is lost holds back later messages to its own port, not those to others.
 */
#include <string.h>

#include "sim.h"
#include "unit.h"
#include "wire.h"

static struct {
	uint32_t ports[16];
	int n;
	bool dropped;
} order;

static void
record(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	if (order.n < 16)
		order.ports[order.n++] = port;
}

/* Loses the first transmission of the first DATA for port 7. */
static bool
lose_port_7_once(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	struct wire_header h;

	if (!order.dropped && wire_decode(d, *len, 1u << 30, &h) == XPORT_OK && h.type == WIRE_DATA && h.port == 7) {
		order.dropped = true;
		return false;
	}
	return true;
}

/* Nodes 1 and 2, the first DATA for port 7 lost once; node 1's transport. */
static struct xport *
two_nodes_losing_port_7(struct sim *sim, uint64_t seed, sim_deliver_fn deliver)
{
	memset(&order, 0, sizeof order);
	sim_init(sim, seed);
	sim->deliver = deliver;
	sim->tap = lose_port_7_once;
	sim_add(sim, 1, 0x71, NULL);
	sim_add(sim, 2, 0x71, NULL);
	return sim->nodes[0].x;
}

UNIT_TEST(xport_a_lost_fragment_holds_back_its_own_port_only)
{
	struct sim sim;
	uint8_t m[100] = {0};
	struct xport *a = two_nodes_losing_port_7(&sim, 3, record);

	/* 7 first, then 8, then 7 again: the second 7 must wait for the first; 8 need not. */
	EXPECT_EQ(xport_send(a, 2, 7, m, sizeof m, sim.now), XPORT_OK);
	EXPECT_EQ(xport_send(a, 2, 8, m, sizeof m, sim.now), XPORT_OK);
	EXPECT_EQ(xport_send(a, 2, 7, m, sizeof m, sim.now), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT(order.dropped);
	EXPECT_EQ(order.n, 3);
	EXPECT_EQ(order.ports[0], 8);
	EXPECT_EQ(order.ports[1], 7);
	EXPECT_EQ(order.ports[2], 7);
	EXPECT_EQ(xport_stats(a)->tx_retransmits, 1);
	sim_free(&sim);
}

static struct {
	uint32_t last[80];	/* per port: the last sequence number delivered, + 1 */
	int n, out_of_order;
} many;

static void
record_many(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	uint32_t seq;

	memcpy(&seq, data, sizeof seq);
	if (port >= 80 || seq + 1 <= many.last[port])
		many.out_of_order++;
	else
		many.last[port] = seq + 1;
	many.n++;
}

/* More ports than PORTS_IN_FLIGHT with messages in flight: the rest wait, each port's stay in order. */
UNIT_TEST(xport_more_ports_in_flight_than_it_tracks_wait_and_keep_their_order)
{
	struct sim sim;
	uint8_t m[40] = {0};

	memset(&many, 0, sizeof many);
	struct xport *a = two_nodes_losing_port_7(&sim, 5, record_many);

	for (uint32_t i = 0; i < 300; i++) {
		memcpy(m, &i, sizeof i);
		EXPECT_EQ(xport_send(a, 2, 1 + i % 70, m, sizeof m, sim.now), XPORT_OK);
	}
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT(order.dropped);
	EXPECT_EQ(many.n, 300);
	EXPECT_EQ(many.out_of_order, 0);
	sim_free(&sim);
}
