/*
 * Lent messages (xport_send_parts): the caller's memory is read fragment by
 * fragment, never copied whole, and given back once; and the receiver's
 * reassembly in the caller's big blocks (big_alloc). What gns relies on to
 * carry 16 MiB of out-of-line memory without holding it twice.
 */
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "session.h"
#include "sim.h"
#include "unit.h"

struct lent {
	uint8_t want[32], got[32];
	size_t len;
	int delivered, done, done_before_delivery;
	void *done_arg;
	int big_allocs, big_frees;
	size_t big_largest, big_held;
};

static struct lent *lent_now;

static void
lent_deliver(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	struct lent *l = sim->user;
	br_sha256_context c;

	l->delivered++;
	l->len = len;
	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, l->got);
}

static void
lent_done(void *ctx, void *arg)
{
	lent_now->done++;
	lent_now->done_arg = arg;
	if (!lent_now->delivered)
		lent_now->done_before_delivery++;
}

static void *big_last;	/* the last block lent_big_alloc gave */

static void *
lent_big_alloc(void *ctx, size_t len)
{
	lent_now->big_allocs++;
	lent_now->big_held += len;
	if (len > lent_now->big_largest)
		lent_now->big_largest = len;
	return big_last = malloc(len);
}

static void
lent_big_free(void *ctx, void *p, size_t len)
{
	lent_now->big_frees++;
	lent_now->big_held -= len;
	free(p);
}

/* A header, four regions of 4 MiB (the kernel's largest out-of-line region) and a tail: 16 MiB and some. */
#define REGION (4u << 20)

UNIT_TEST(xport_a_lent_16_mib_message_arrives_whole_and_is_never_copied_whole)
{
	static const char head[] = "a carried message's header", tail[] = "and its inline data";
	struct lent l = {.delivered = 0};
	struct xport_config big = {.big_alloc = lent_big_alloc, .big_free = lent_big_free};
	struct xport_part parts[6];
	br_sha256_context c;
	struct sim sim;
	uint8_t *regions[4];
	uint64_t peak = 0, idle;
	size_t total = 0;

	lent_now = &l;
	sim_init(&sim, 21);
	sim.loss_pct = 5;
	sim.dup_pct = 2;
	sim.jitter_us = 2000;
	sim.deliver = lent_deliver;
	sim.user = &l;
	struct xport *a = sim_add(&sim, 1, 0x44, NULL);
	sim_add(&sim, 2, 0x44, &big);
	br_sha256_init(&c);
	parts[0] = (struct xport_part){head, sizeof head};
	for (int i = 0; i < 4; i++) {
		regions[i] = malloc(REGION);
		for (size_t j = 0; j < REGION; j += 8) {
			uint64_t r = sim_rand(&sim);
			memcpy(regions[i] + j, &r, 8);
		}
		parts[1 + i] = (struct xport_part){regions[i], REGION};
	}
	parts[5] = (struct xport_part){tail, sizeof tail};
	for (int i = 0; i < 6; i++) {
		br_sha256_update(&c, parts[i].p, parts[i].len);
		total += parts[i].len;
	}
	br_sha256_out(&c, l.want);
	/* what the sender holds with a session and nothing in flight */
	idle = 2 * (uint64_t)a->cfg.mtu + sizeof(struct peer) + sizeof(struct session);
	EXPECT_EQ(xport_send_parts(a, 2, 9, parts, 6, lent_done, &l, sim.now), XPORT_OK);
	/* in steps, to see what the sender holds while the message is in flight */
	for (int step = 0; step < 60000 && !l.done; step++) {
		sim_run(&sim, sim.now + 10000);
		uint64_t m = xport_stats(a)->mem_bytes;
		if (m > peak)
			peak = m;
	}
	EXPECT(sim_run(&sim, sim.now + 60000000));
	EXPECT_EQ(l.delivered, 1);
	EXPECT_EQ(l.len, total);
	EXPECT(memcmp(l.want, l.got, 32) == 0);
	EXPECT_EQ(l.done, 1);
	EXPECT_EQ(l.done_before_delivery, 0);
	EXPECT(l.done_arg == &l);
	/* the sender held a session and a message record, not the 16 MiB: under 64 KiB over its idle */
	EXPECT(peak - idle < 64 * 1024);
	printf("# a lent 16 MiB message: the sender held at most %llu bytes over its idle %llu; "
	       "the receiver's largest big block %zu\n",
	       (unsigned long long)(peak - idle), (unsigned long long)idle, l.big_largest);
	/* the receiver reassembled in its caller's big blocks, and gave them all back */
	EXPECT(l.big_largest >= total);
	EXPECT_EQ(l.big_allocs, l.big_frees);
	EXPECT_EQ(l.big_held, 0);
	EXPECT_EQ(xport_stats(a)->mem_bytes, idle);
	for (int i = 0; i < 4; i++)
		free(regions[i]);
	sim_free(&sim);
}

UNIT_TEST(xport_a_lent_message_to_a_forgotten_peer_is_given_back_once)
{
	static uint8_t bytes[100000];
	struct lent l = {.delivered = 0};
	struct xport_part part = {bytes, sizeof bytes};
	struct sim sim;

	lent_now = &l;
	sim_init(&sim, 22);
	sim.deliver = lent_deliver;
	sim.user = &l;
	struct xport *a = sim_add(&sim, 1, 0x45, NULL);
	sim_add(&sim, 2, 0x45, NULL);
	sim_remove(&sim, 2);	/* it never answers */
	EXPECT_EQ(xport_send_parts(a, 2, 1, &part, 1, lent_done, &l, sim.now), XPORT_OK);
	EXPECT_EQ(xport_send_parts(a, 2, 1, &part, 1, lent_done, &l, sim.now), XPORT_OK);
	sim_run(&sim, sim.now + 100000);
	EXPECT_EQ(l.done, 0);
	EXPECT_EQ(xport_forget(a, 2), XPORT_OK);
	EXPECT_EQ(l.done, 2);
	EXPECT_EQ(l.delivered, 0);
	/* and one given back when the whole library goes */
	EXPECT_EQ(xport_send_parts(a, 2, 1, &part, 1, lent_done, &l, sim.now), XPORT_OK);
	sim_remove(&sim, 1);
	EXPECT_EQ(l.done, 3);
	sim_free(&sim);
}

UNIT_TEST(xport_send_parts_refuses_bad_arguments_and_keeps_the_parts)
{
	static uint8_t bytes[2000];
	struct lent l = {.delivered = 0};
	struct xport_part parts[XPORT_PARTS_MAX + 1];
	struct xport_config small = {.max_message = 1000};
	struct xport_config half = {.big_alloc = lent_big_alloc};
	struct sim sim;

	lent_now = &l;
	sim_init(&sim, 23);
	struct xport *x = sim_add(&sim, 1, 0x46, &small);
	for (int i = 0; i < XPORT_PARTS_MAX + 1; i++)
		parts[i] = (struct xport_part){bytes, 1};
	EXPECT_EQ(xport_send_parts(x, 2, 1, parts, 1, NULL, NULL, sim.now), XPORT_E_INVALID);
	EXPECT_EQ(xport_send_parts(x, 2, 1, parts, XPORT_PARTS_MAX + 1, lent_done, NULL, sim.now), XPORT_E_INVALID);
	EXPECT_EQ(xport_send_parts(x, 2, 1, parts, -1, lent_done, NULL, sim.now), XPORT_E_INVALID);
	EXPECT_EQ(xport_send_parts(x, 2, 1, &(struct xport_part){NULL, 5}, 1, lent_done, NULL, sim.now),
		  XPORT_E_INVALID);
	EXPECT_EQ(xport_send_parts(x, 1, 1, parts, 1, lent_done, NULL, sim.now), XPORT_E_INVALID);
	parts[0].len = 600;
	parts[1].len = 600;
	EXPECT_EQ(xport_send_parts(x, 2, 1, parts, 2, lent_done, NULL, sim.now), XPORT_E_TOO_BIG);
	parts[0].len = (size_t)-1;	/* a sum that would wrap */
	EXPECT_EQ(xport_send_parts(x, 2, 1, parts, 2, lent_done, NULL, sim.now), XPORT_E_TOO_BIG);
	EXPECT_EQ(l.done, 0);
	EXPECT_EQ(xport_send_parts(x, 2, 1, NULL, 0, lent_done, NULL, sim.now), XPORT_OK); /* empty, as xport_send's */
	/* one of the two memory hooks alone is a configuration error */
	EXPECT(sim_add(&sim, 2, 0x46, &half) == NULL);
	sim_free(&sim);
}

static bool taken_in_place;

static void
lent_deliver_cb_unused(void *ctx, uint32_t peer, uint32_t port, const void *data, size_t len)
{
}

/* deliver_take: hashes what it was handed, checks it is the reassembly block itself, gives it back. */
static void
lent_take(void *ctx, uint32_t peer, uint32_t port, void *data, size_t len)
{
	struct sim_node *n = ctx;

	lent_deliver(n->sim, n->id, peer, port, data, len);
	taken_in_place = data == big_last;
	xport_data_free(n->x, data, len);
}

UNIT_TEST(xport_deliver_take_hands_a_large_message_over_without_a_copy)
{
	struct lent l = {.delivered = 0};
	struct xport_config take = {.big_alloc = lent_big_alloc, .big_free = lent_big_free, .deliver_take = lent_take};
	struct xport_config both = {.deliver_take = lent_take};
	size_t len = 3u << 20;
	uint8_t *msg = malloc(len);
	br_sha256_context c;
	struct sim sim;

	lent_now = &l;
	taken_in_place = false;
	sim_init(&sim, 24);
	sim.user = &l;
	for (size_t i = 0; i < len; i++)
		msg[i] = (uint8_t)(i * 31 + 7);
	br_sha256_init(&c);
	br_sha256_update(&c, msg, len);
	br_sha256_out(&c, l.want);
	struct xport *a = sim_add(&sim, 1, 0x47, NULL);
	struct xport *b = sim_add(&sim, 2, 0x47, &take);
	EXPECT(b != NULL);
	EXPECT_EQ(xport_send(a, 2, 3, msg, len, sim.now), XPORT_OK);
	EXPECT(sim_run(&sim, sim.now + 60000000));
	EXPECT_EQ(l.delivered, 1);
	EXPECT_EQ(l.len, len);
	EXPECT(memcmp(l.want, l.got, 32) == 0);
	EXPECT(taken_in_place);	/* the block it was reassembled in, not a copy */
	EXPECT_EQ(l.big_allocs, l.big_frees);
	EXPECT_EQ(l.big_held, 0);
	EXPECT_EQ(xport_stats(b)->mem_bytes, 2 * (uint64_t)b->cfg.mtu + sizeof(struct peer) + sizeof(struct session));
	/* deliver and deliver_take together is a configuration error (sim_add sets deliver without take) */
	both.deliver = lent_deliver_cb_unused;
	EXPECT(sim_add(&sim, 3, 0x47, &both) == NULL);
	free(msg);
	sim_free(&sim);
}
