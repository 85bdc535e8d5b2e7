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
	if (!order.dropped && d[1] == WIRE_DATA && d[67] == 7) {
		order.dropped = true;
		return false;
	}
	return true;
}

UNIT_TEST(xport_a_lost_fragment_holds_back_its_own_port_only)
{
	struct sim sim;
	uint8_t m[100] = {0};

	memset(&order, 0, sizeof order);
	sim_init(&sim, 3);
	sim.deliver = record;
	sim.tap = lose_port_7_once;
	sim_add(&sim, 1, 0x71, NULL);
	sim_add(&sim, 2, 0x71, NULL);
	struct xport *a = sim.nodes[0].x;
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
