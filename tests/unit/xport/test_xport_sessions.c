/*
 * Sessions coming and going: both nodes starting at once, a peer that never
 * answers, a peer that dies mid-session, a peer that restarts, auth-only
 * mode (payload in clear, still authenticated) against encryption, and the
 * caller's mistakes refused with their named errors.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "session.h"
#include "sim.h"
#include "traffic.h"
#include "unit.h"

static void
setup(struct sim *sim, struct traffic *t, uint64_t seed)
{
	memset(t, 0, sizeof *t);
	sim_init(sim, seed);
	sim->deliver = traffic_deliver;
	sim->user = t;
}

/* Nodes 1 and 2 with a session: node 1's first message went. Returns node 1. */
static struct xport *
two_nodes_talked(struct sim *sim, struct traffic *t, uint64_t seed, uint8_t key)
{
	setup(sim, t, seed);
	struct xport *x = sim_add(sim, 1, key, NULL);
	sim_add(sim, 2, key, NULL);
	traffic_send(sim, t, 1, 2, 0, 40);
	EXPECT(sim_run(sim, sim->now + 10000000));
	return x;
}

UNIT_TEST(xport_nodes_starting_at_once_make_one_session)
{
	struct sim sim;
	struct traffic t;

	setup(&sim, &t, 11);
	sim_add(&sim, 1, 0x51, NULL);
	sim_add(&sim, 2, 0x51, NULL);
	traffic_send(&sim, &t, 1, 2, 0, 40);
	traffic_send(&sim, &t, 2, 1, 0, 40);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(t.delivered, 2);
	for (uint32_t id = 1; id <= 2; id++)
		EXPECT_EQ(xport_stats(sim.nodes[id - 1].x)->sessions_up, 1);
	sim_free(&sim);
}

UNIT_TEST(xport_a_silent_peer_is_declared_dead_and_its_messages_dropped)
{
	struct sim sim;
	struct traffic t;

	setup(&sim, &t, 12);
	struct xport *x = sim_add(&sim, 1, 0x52, NULL);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(traffic_send(&sim, &t, 1, 4, 0, 5000), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 100000000));
	EXPECT_EQ(sim.nodes[0].events[XPORT_EV_DEAD], 1);
	EXPECT_EQ(xport_stats(x)->msgs_dropped, 3);
	EXPECT_EQ(xport_stats(x)->tx_hellos, 12);
	EXPECT_EQ(xport_pending(x, 4), 0);
	EXPECT_EQ(xport_stats(x)->mem_bytes, 2 * x->cfg.mtu + sizeof(struct peer));
	sim_free(&sim);
}

UNIT_TEST(xport_a_peer_dying_mid_session_is_declared_dead)
{
	struct sim sim;
	struct traffic t;

	struct xport *x = two_nodes_talked(&sim, &t, 13, 0x53);
	sim_remove(&sim, 2);
	for (int i = 0; i < 4; i++)
		traffic_send(&sim, &t, 1, 2, 0, 3000);
	EXPECT(sim_run(&sim, sim.now + 100000000));
	EXPECT_EQ(sim.nodes[0].events[XPORT_EV_DEAD], 1);
	EXPECT_EQ(xport_stats(x)->msgs_dropped, 4);
	EXPECT_EQ(xport_stats(x)->mem_bytes, 2 * x->cfg.mtu + sizeof(struct peer));
	/* Sending again starts a new handshake (which goes unanswered, and is given up again). */
	traffic_send(&sim, &t, 1, 2, 0, 40);
	EXPECT(sim_run(&sim, sim.now + 100000000));
	EXPECT_EQ(sim.nodes[0].events[XPORT_EV_DEAD], 2);
	sim_free(&sim);
}

UNIT_TEST(xport_a_restarted_peer_gets_a_new_session)
{
	struct sim sim;
	struct traffic t;

	struct xport *x = two_nodes_talked(&sim, &t, 14, 0x54);
	traffic_send(&sim, &t, 2, 1, 0, 40);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	sim_remove(&sim, 2);
	sim_add(&sim, 2, 0x54, NULL);
	traffic_send(&sim, &t, 2, 1, 0, 40); /* the new instance speaks first */
	EXPECT(sim_run(&sim, sim.now + 10000000));
	traffic_send(&sim, &t, 1, 2, 0, 40);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(t.delivered, 4);
	EXPECT_EQ(t.out_of_order, 0);
	EXPECT_EQ(sim.nodes[0].events[XPORT_EV_RESTARTED], 1);
	EXPECT_EQ(xport_stats(x)->sessions_up, 2);
	EXPECT_EQ(xport_stats(x)->mem_bytes, 2 * x->cfg.mtu + sizeof(struct peer) + sizeof(struct session));
	sim_free(&sim);
}

struct seen {
	bool clear;
};
static struct seen seen;
static const char secret[] = "a secret that must not be seen on the wire";

static bool
look_for_secret(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	if (memmem(d, *len, secret, sizeof secret - 1))
		seen.clear = true;
	return true;
}

static void
secret_over(bool auth_only, uint8_t key)
{
	struct sim sim;
	struct traffic t;
	struct xport_config cfg = {.auth_only = auth_only};

	setup(&sim, &t, 15);
	sim.deliver = NULL;
	sim.tap = look_for_secret;
	seen.clear = false;
	sim_add(&sim, 1, key, &cfg);
	struct xport *b = sim_add(&sim, 2, key, &cfg);
	EXPECT_EQ(xport_send(sim.nodes[0].x, 2, 1, secret, sizeof secret, sim.now), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(xport_stats(b)->msgs_delivered, 1);
	EXPECT(seen.clear == auth_only);
	sim_free(&sim);
}

UNIT_TEST(xport_encryption_hides_the_payload_and_auth_only_does_not)
{
	secret_over(false, 0x55);
	secret_over(true, 0x56);
}

static bool
flip_payload(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	struct wire_header h;

	if (wire_decode(d, *len, 1u << 30, &h) == XPORT_OK && h.type == WIRE_DATA && h.payload_len)
		d[h.header_len] ^= 1;
	return true;
}

UNIT_TEST(xport_auth_only_still_rejects_a_tampered_payload)
{
	struct sim sim;
	struct traffic t;
	struct xport_config cfg = {.auth_only = true, .max_tries = 3};

	setup(&sim, &t, 16);
	sim.tap = flip_payload;
	sim_add(&sim, 1, 0x57, &cfg);
	struct xport *b = sim_add(&sim, 2, 0x57, &cfg);
	traffic_send(&sim, &t, 1, 2, 0, 40);
	EXPECT(sim_run(&sim, sim.now + 100000000));
	EXPECT_EQ(t.delivered, 0);
	EXPECT_EQ(xport_stats(b)->rx_rejected[XPORT_E_BAD_TAG], 3);
	EXPECT_EQ(sim.nodes[0].events[XPORT_EV_DEAD], 1);
	sim_free(&sim);
}

UNIT_TEST(xport_refuses_bad_calls_with_named_errors)
{
	struct sim sim;
	struct traffic t;
	struct xport_config small = {.max_message = 1000, .max_queued = 1500};
	uint8_t buf[1200] = {0};

	setup(&sim, &t, 17);
	struct xport *x = sim_add(&sim, 1, 0x58, &small);
	EXPECT_EQ(xport_send(x, 0, 1, buf, 10, sim.now), XPORT_E_INVALID);
	EXPECT_EQ(xport_send(x, 1, 1, buf, 10, sim.now), XPORT_E_INVALID);
	EXPECT_EQ(xport_send(x, 2, 1, NULL, 10, sim.now), XPORT_E_INVALID);
	EXPECT_EQ(xport_send(x, 2, 1, buf, 1001, sim.now), XPORT_E_TOO_BIG);
	EXPECT_EQ(xport_send(x, 2, 1, buf, 1000, sim.now), XPORT_OK);
	EXPECT_EQ(xport_send(x, 2, 1, buf, 600, sim.now), XPORT_E_QUEUE_FULL);
	EXPECT_EQ(xport_send(x, 2, 1, NULL, 0, sim.now), XPORT_OK); /* an empty message is a message */
	EXPECT_EQ(xport_pending(x, 2), 1000);
	EXPECT(strcmp(xport_strerror(XPORT_E_BAD_TAG), "authentication failed") == 0);
	EXPECT(strcmp(xport_strerror(-1), "unknown error") == 0);
	struct xport_config bad = {.mtu = 50};
	EXPECT(sim_add(&sim, 2, 0x58, &bad) == NULL);
	sim_free(&sim);
}

UNIT_TEST(xport_forget_drops_a_peer_at_once_and_a_new_send_starts_afresh)
{
	struct sim sim;
	struct traffic t;

	struct xport *x = two_nodes_talked(&sim, &t, 18, 0x59);
	EXPECT(xport_rtt(x, 2) >= 2 * sim.delay_us);
	EXPECT_EQ(xport_rtt(x, 3), 0);
	sim_remove(&sim, 2); /* gone: what is sent now waits for acknowledgements in vain */
	traffic_send(&sim, &t, 1, 2, 0, 40);
	traffic_send(&sim, &t, 1, 2, 0, 40);
	EXPECT_EQ(xport_forget(x, 2), XPORT_OK);
	EXPECT_EQ(xport_forget(x, 3), XPORT_E_INVALID);
	EXPECT_EQ(sim.nodes[0].events[XPORT_EV_DEAD], 1);
	EXPECT_EQ(xport_stats(x)->msgs_dropped, 2);
	EXPECT_EQ(xport_pending(x, 2), 0);
	EXPECT_EQ(xport_rtt(x, 2), 0);
	EXPECT_EQ(xport_stats(x)->mem_bytes, 2 * x->cfg.mtu + sizeof(struct peer));
	/* The node comes back: a new session, and the message goes. */
	sim_add(&sim, 2, 0x59, NULL);
	memset(&t, 0, sizeof t);
	traffic_send(&sim, &t, 1, 2, 0, 40);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(t.delivered, 1);
	EXPECT_EQ(xport_stats(x)->sessions_up, 2);
	sim_free(&sim);
}

/* Node 1's largest flight_bytes toward node 2, looked at as each DATA of its leaves. */
static uint32_t window_peak;

static bool
watch_flight(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	struct peer *p = from == 1 ? peer_find(sim->nodes[0].x, 2) : NULL;

	(void)to;
	if (p && p->cur && d[1] == WIRE_DATA && *len && p->cur->flight_bytes > window_peak)
		window_peak = p->cur->flight_bytes;
	return true;
}

/* The window travels in HELLO and REPLY only (a session's constant), and holds the sender to it. */
UNIT_TEST(xport_a_peers_window_from_its_handshake_bounds_what_is_in_flight)
{
	struct sim sim;
	struct traffic t;
	struct xport_config small = {.window_bytes = 4096};

	setup(&sim, &t, 18);
	window_peak = 0;
	sim.tap = watch_flight;
	struct xport *a = sim_add(&sim, 1, 0x58, NULL);
	struct xport *b = sim_add(&sim, 2, 0x58, &small);
	traffic_send(&sim, &t, 1, 2, 0, 60000);
	traffic_send(&sim, &t, 2, 1, 0, 60000);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(t.delivered, 2);
	EXPECT_EQ(peer_find(a, 2)->cur->peer_window, 4096);
	EXPECT_EQ(peer_find(b, 1)->cur->peer_window, a->cfg.window_bytes);
	EXPECT(window_peak > 0 && window_peak <= 4096);
	sim_free(&sim);
}
