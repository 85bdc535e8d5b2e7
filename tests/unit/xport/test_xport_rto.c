/*
 * Retransmission when the peer is late rather than the wire lossy: a busy
 * receiver (gns copying a megabyte, say) answers a whole flight after its
 * RTO. Only the oldest fragment goes again; the rest wait for its fate.
 * And when a flight really was lost, it comes back within a few round
 * trips once the peer answers, not an RTO per fragment.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "unit.h"
#include "wire.h"

static int delivered;
static uint64_t last_at;	/* the virtual time of the last delivery */

static void
count(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	delivered++;
	last_at = sim->now;
}

/* Twenty messages on a quick wire (0.5 ms each way): the RTT estimate settles at 3.5 ms, the RTO at its 10 ms floor. */
static struct xport *
warm_pair(struct sim *sim, uint64_t seed)
{
	uint8_t m[100] = {0};

	delivered = 0;
	sim_init(sim, seed);
	sim->deliver = count;
	sim_add(sim, 1, 0x52, NULL);
	sim_add(sim, 2, 0x52, NULL);
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(xport_send(sim->nodes[0].x, 2, 1, m, sizeof m, sim->now), XPORT_OK);
		EXPECT(sim_run(sim, sim->now + 10000000));
	}
	EXPECT_EQ(xport_stats(sim->nodes[0].x)->tx_retransmits, 0);
	return sim->nodes[0].x;
}

UNIT_TEST(xport_a_late_peer_gets_the_oldest_fragment_again_not_the_whole_flight)
{
	struct sim sim;
	struct xport *a = warm_pair(&sim, 5), *b = sim.nodes[1].x;
	uint8_t m[1000] = {0};

	/* then 40 ms each way (a stalled receiver), and 30 fragments at once */
	sim.delay_us = 40000;
	for (int i = 0; i < 30; i++)
		EXPECT_EQ(xport_send(a, 2, 1 + i % 4, m, sizeof m, sim.now), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(delivered, 20 + 30);
	/* the oldest at 10, 30 and 70 ms of an 80 ms round trip; the whole flight would be 90 */
	EXPECT(xport_stats(a)->tx_retransmits <= 4);
	EXPECT(xport_stats(b)->rx_rejected[XPORT_E_DUPLICATE] <= 4);
	printf("# a late peer: %llu retransmissions, %llu duplicates refused\n",
	       (unsigned long long)xport_stats(a)->tx_retransmits,
	       (unsigned long long)xport_stats(b)->rx_rejected[XPORT_E_DUPLICATE]);
	sim_free(&sim);
}

static int lose_left;

/* Loses the next lose_left DATA datagrams from node 1. */
static bool
lose_flight(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	if (from == 1 && d[1] == WIRE_DATA && lose_left > 0) {
		lose_left--;
		return false;
	}
	return true;
}

UNIT_TEST(xport_a_lost_flight_comes_back_within_a_few_round_trips)
{
	struct sim sim;
	struct xport *a = warm_pair(&sim, 6);
	uint8_t m[1000] = {0};
	uint64_t t0;

	sim.tap = lose_flight;
	lose_left = 30;
	t0 = sim.now;
	for (int i = 0; i < 30; i++)
		EXPECT_EQ(xport_send(a, 2, 1 + i % 4, m, sizeof m, sim.now), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(delivered, 20 + 30);
	/* one RTO (10 ms), then two more per acknowledgement: well under 30 RTOs (300 ms) */
	EXPECT(last_at - t0 < 100000);
	EXPECT(xport_stats(a)->tx_retransmits <= 40);
	printf("# a lost flight of 30: all delivered %llu us after it was sent, %llu retransmissions\n",
	       (unsigned long long)(last_at - t0), (unsigned long long)xport_stats(a)->tx_retransmits);
	sim_free(&sim);
}

/*
 * A peer that answers later than the RTO, message after message (a guest its
 * host starves): each first send is resent and then acknowledged, and Karn's
 * rule takes no sample from either. The duplicate's acknowledgement shows the
 * resend was not needed, so the first send's round trip counts, and the RTO
 * grows past it: only the first messages are resent.
 */
UNIT_TEST(xport_a_peer_that_answers_after_the_rto_raises_it_instead_of_getting_every_message_twice)
{
	struct sim sim;
	struct xport *a = warm_pair(&sim, 7);
	uint8_t m[100] = {0};

	sim.delay_us = 8000;	/* a 16 ms round trip, over the 10 ms floor the RTO settled at */
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(xport_send(a, 2, 1, m, sizeof m, sim.now), XPORT_OK);
		EXPECT(sim_run(&sim, sim.now + 10000000));
	}
	EXPECT_EQ(delivered, 20 + 20);
	EXPECT(xport_stats(a)->tx_retransmits <= 3);
	EXPECT(xport_rtt(a, 2) >= 10000);
	printf("# a late peer, 20 messages one at a time: %llu resent, the RTT estimate %llu us\n",
	       (unsigned long long)xport_stats(a)->tx_retransmits, (unsigned long long)xport_rtt(a, 2));
	sim_free(&sim);
}
