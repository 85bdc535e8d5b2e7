/*
 * Host tests of the frame rings (libmsg/src/frame_ring.c, frame_region.c):
 * order, full and empty, index wrap-around, the kick protocol, and a peer
 * that writes impossible indices, lengths or headers. Regions are malloc'd
 * at their exact size, so that AddressSanitizer catches any access outside.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <manifold/frame_ring.h>
#include "unit.h"

struct session {
	void *base;
	size_t size;
	struct frame_end driver, client;
};

static void
session_open(struct session *s, uint32_t rx, uint32_t tx)
{
	s->size = frame_region_size(rx, tx);
	s->base = malloc(s->size);
	EXPECT_EQ(frame_region_init(&s->driver, s->base, s->size, rx, tx), 0);
	EXPECT_EQ(frame_region_attach(&s->client, s->base, s->size), 0);
}

static struct frame_region_header *
header(struct session *s)
{
	return s->base;
}

static void
fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7);
}

/*
 * Each frame carries its own flags word, and a plain put clears what an
 * earlier frame left in the slot; the features the driver offered reach the
 * client at attach, and a region made without them offers none.
 */
UNIT_TEST(frame_ring_flags_go_with_each_frame_and_features_with_the_region)
{
	struct session s;
	uint8_t in[64] = { 1 };
	const uint8_t *data;

	s.size = frame_region_size(2, 2);
	s.base = malloc(s.size);
	EXPECT_EQ(frame_region_init_features(&s.driver, s.base, s.size, 2, 2, FRAME_FEAT_TX_CSUM), 0);
	EXPECT_EQ(frame_region_attach(&s.client, s.base, s.size), 0);
	EXPECT_EQ(s.client.features, FRAME_FEAT_TX_CSUM);
	EXPECT_EQ(s.driver.features, FRAME_FEAT_TX_CSUM);
	EXPECT_EQ(frame_ring_peeked_flags(&s.driver.in), 0);	/* nothing peeked */
	for (int round = 0; round < 2; round++) {	/* two slots: round 1 reuses round 0's */
		EXPECT_EQ(frame_ring_put_flags(&s.client.out, in, sizeof in, FRAME_TX_CSUM_IP | FRAME_TX_CSUM_TCP), 0);
		EXPECT_EQ(frame_ring_put(&s.client.out, in, sizeof in), 0);
		EXPECT_EQ(frame_ring_peek(&s.driver.in, &data), (int)sizeof in);
		EXPECT_EQ(frame_ring_peeked_flags(&s.driver.in), FRAME_TX_CSUM_IP | FRAME_TX_CSUM_TCP);
		frame_ring_consume(&s.driver.in);
		EXPECT_EQ(frame_ring_peek(&s.driver.in, &data), (int)sizeof in);
		EXPECT_EQ(frame_ring_peeked_flags(&s.driver.in), 0);
		frame_ring_consume(&s.driver.in);
	}
	EXPECT_EQ(frame_ring_put_flags(&s.driver.out, in, sizeof in, FRAME_RX_L4_OK), 0);
	EXPECT_EQ(frame_ring_peek(&s.client.in, &data), (int)sizeof in);
	EXPECT_EQ(frame_ring_peeked_flags(&s.client.in), FRAME_RX_L4_OK);
	free(s.base);
	session_open(&s, 2, 2);
	EXPECT_EQ(s.client.features, 0);
	free(s.base);
}

UNIT_TEST(frame_ring_put_then_get_returns_the_same_frame)
{
	struct session s;
	uint8_t in[1514], out[FRAME_DATA_MAX];

	session_open(&s, 8, 8);
	fill(in, sizeof in, 1);
	EXPECT_EQ(frame_ring_put(&s.client.out, in, sizeof in), 0);
	EXPECT_EQ(frame_ring_get(&s.driver.in, out, sizeof out), (int)sizeof in);
	EXPECT(memcmp(in, out, sizeof in) == 0);
	EXPECT_EQ(frame_ring_get(&s.driver.in, out, sizeof out), FRAME_RING_EMPTY);
	/* and the other direction */
	EXPECT_EQ(frame_ring_put(&s.driver.out, in, 60), 0);
	EXPECT_EQ(frame_ring_get(&s.client.in, out, sizeof out), 60);
	EXPECT(memcmp(in, out, 60) == 0);
	free(s.base);
}

UNIT_TEST(frame_ring_is_full_after_nslots_frames_and_empty_after_taking_them)
{
	struct session s;
	uint8_t buf[FRAME_DATA_MAX];

	session_open(&s, 4, 16);
	EXPECT_EQ(frame_ring_free_slots(&s.driver.out), 4);
	for (uint32_t i = 0; i < 4; i++) {
		fill(buf, 100 + i, i);
		EXPECT_EQ(frame_ring_put(&s.driver.out, buf, 100 + i), 0);
	}
	EXPECT_EQ(frame_ring_free_slots(&s.driver.out), 0);
	EXPECT_EQ(frame_ring_put(&s.driver.out, buf, 10), FRAME_RING_FULL);
	for (uint32_t i = 0; i < 4; i++) {
		uint8_t want[FRAME_DATA_MAX];

		fill(want, 100 + i, i);
		EXPECT_EQ(frame_ring_get(&s.client.in, buf, sizeof buf), (int)(100 + i));
		EXPECT(memcmp(buf, want, 100 + i) == 0);
	}
	EXPECT_EQ(frame_ring_get(&s.client.in, buf, sizeof buf), FRAME_RING_EMPTY);
	EXPECT_EQ(frame_ring_free_slots(&s.driver.out), 4);
	free(s.base);
}

/* Indices that start just below 2^32 wrap to 0 in the middle of the run. */
UNIT_TEST(frame_ring_indices_wrap_around_at_2_to_the_32)
{
	struct session s;
	uint8_t buf[FRAME_DATA_MAX], want[FRAME_DATA_MAX];
	uint32_t next_in = 0, next_out = 0;

	session_open(&s, 8, 8);
	header(&s)->tx.prod = header(&s)->tx.cons = 0xfffffff5u;
	frame_ring_attach_producer(&s.client.out, &header(&s)->tx, s.client.out.slots, 8);
	frame_ring_attach_consumer(&s.driver.in, &header(&s)->tx, s.driver.in.slots, 8);
	/* Uneven batches, so that full, empty and the wrap meet at every slot. */
	for (int round = 0; round < 200; round++) {
		int puts = 1 + round % 7, gets = 1 + (round * 5) % 8;

		for (int i = 0; i < puts; i++) {
			uint32_t len = 14 + next_in % 1500;

			fill(buf, len, next_in);
			if (frame_ring_put(&s.client.out, buf, len) != 0)
				break;
			next_in++;
		}
		for (int i = 0; i < gets; i++) {
			uint32_t len = 14 + next_out % 1500;
			int got = frame_ring_get(&s.driver.in, buf, sizeof buf);

			if (got == FRAME_RING_EMPTY)
				break;
			EXPECT_EQ(got, len);
			fill(want, len, next_out);
			EXPECT(memcmp(buf, want, len) == 0);
			next_out++;
		}
	}
	EXPECT(next_in > 100);
	EXPECT(next_in - next_out <= 8);
	EXPECT(s.client.out.mine < 0xfffffff5u);	/* it did wrap */
	EXPECT_EQ(header(&s)->tx.cons, 0xfffffff5u + next_out);
	free(s.base);
}

UNIT_TEST(frame_ring_refuses_frames_longer_than_a_slot)
{
	struct session s;
	static uint8_t big[FRAME_DATA_MAX + 1];
	uint8_t *slot, small[32];

	session_open(&s, 2, 2);
	EXPECT_EQ(frame_ring_put(&s.client.out, big, sizeof big), FRAME_RING_TOO_BIG);
	EXPECT_EQ(frame_ring_put(&s.client.out, big, FRAME_DATA_MAX), 0);
	EXPECT_EQ(frame_ring_commit(&s.client.out, 10), FRAME_RING_FULL);	/* nothing reserved */
	EXPECT_EQ(frame_ring_reserve(&s.client.out, &slot), 0);
	EXPECT_EQ(frame_ring_commit(&s.client.out, FRAME_DATA_MAX + 1), FRAME_RING_TOO_BIG);
	EXPECT_EQ(frame_ring_commit(&s.client.out, 20), 0);
	/* a reader's buffer too small for the first: that frame is dropped */
	EXPECT_EQ(frame_ring_get(&s.driver.in, small, sizeof small), FRAME_RING_TOO_BIG);
	EXPECT_EQ(frame_ring_get(&s.driver.in, small, sizeof small), 20);
	free(s.base);
}

UNIT_TEST(frame_ring_hostile_producer_index_is_refused_and_sticks)
{
	struct session s;
	uint8_t buf[FRAME_DATA_MAX];
	const uint8_t *p;

	session_open(&s, 8, 8);
	EXPECT_EQ(frame_ring_put(&s.driver.out, buf, 60), 0);
	header(&s)->rx.prod = s.client.in.mine + 9;	/* nine frames in eight slots */
	EXPECT_EQ(frame_ring_peek(&s.client.in, &p), FRAME_RING_CORRUPT);
	header(&s)->rx.prod = s.client.in.mine + 1;	/* back to honest: too late */
	EXPECT_EQ(frame_ring_get(&s.client.in, buf, sizeof buf), FRAME_RING_CORRUPT);
	EXPECT(!frame_ring_wait_for_frames(&s.client.in));
	EXPECT(!frame_ring_kick_producer(&s.client.in));
	free(s.base);
	/* behind the consumer is as impossible as too far ahead */
	session_open(&s, 8, 8);
	header(&s)->rx.prod = s.client.in.mine - 1;
	EXPECT_EQ(frame_ring_peek(&s.client.in, &p), FRAME_RING_CORRUPT);
	free(s.base);
}

UNIT_TEST(frame_ring_hostile_consumer_index_is_refused)
{
	struct session s;
	uint8_t buf[64] = { 0 }, *slot;

	session_open(&s, 4, 4);
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, sizeof buf), 0);
	header(&s)->tx.cons = s.client.out.mine + 1;	/* took a frame never given */
	EXPECT_EQ(frame_ring_reserve(&s.client.out, &slot), FRAME_RING_CORRUPT);
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, sizeof buf), FRAME_RING_CORRUPT);
	EXPECT_EQ(frame_ring_free_slots(&s.client.out), FRAME_RING_CORRUPT);
	free(s.base);

	session_open(&s, 4, 4);
	header(&s)->tx.cons = 0x80000000u;
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, sizeof buf), FRAME_RING_CORRUPT);
	free(s.base);
}

/* Every length the slot cannot hold is refused before a byte is read. */
UNIT_TEST(frame_ring_hostile_length_is_refused)
{
	static const uint32_t bad[] = { FRAME_DATA_MAX + 1, FRAME_SLOT_SIZE, 0x80000000u, 0xffffffffu };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct session s;
		uint8_t buf[FRAME_DATA_MAX];
		const uint8_t *p;

		session_open(&s, 2, 2);
		EXPECT_EQ(frame_ring_put(&s.driver.out, buf, 60), 0);
		s.driver.out.slots[0].len = bad[i];
		EXPECT_EQ(frame_ring_peek(&s.client.in, &p), FRAME_RING_CORRUPT);
		free(s.base);
	}
	/* the largest honest length passes, at the last slot of the region */
	struct session s;
	uint8_t buf[FRAME_DATA_MAX];

	session_open(&s, 2, 2);
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, 1), 0);
	EXPECT_EQ(frame_ring_get(&s.driver.in, buf, sizeof buf), 1);
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, FRAME_DATA_MAX), 0);
	EXPECT_EQ(frame_ring_get(&s.driver.in, buf, sizeof buf), (int)FRAME_DATA_MAX);
	free(s.base);
}

UNIT_TEST(frame_region_attach_refuses_headers_that_do_not_fit)
{
	struct session s;
	struct frame_end end;

	session_open(&s, 16, 16);
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size - 4096), FRAME_RING_CORRUPT);
	EXPECT_EQ(frame_region_attach(&end, s.base, 100), FRAME_RING_CORRUPT);
	header(&s)->rx_slots = 32;	/* more slots than the region holds */
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size), FRAME_RING_CORRUPT);
	header(&s)->rx_slots = 12;	/* not a power of two */
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size), FRAME_RING_CORRUPT);
	header(&s)->rx_slots = 0;
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size), FRAME_RING_CORRUPT);
	header(&s)->rx_slots = 16;
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size), 0);
	header(&s)->slot_size = 4096;
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size), FRAME_RING_CORRUPT);
	header(&s)->slot_size = FRAME_SLOT_SIZE;
	header(&s)->magic ^= 1;
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size), FRAME_RING_CORRUPT);
	header(&s)->magic ^= 1;
	header(&s)->version = 2;
	EXPECT_EQ(frame_region_attach(&end, s.base, s.size), FRAME_RING_CORRUPT);
	EXPECT_EQ(frame_region_size(8192, 1), 0);
	EXPECT_EQ(frame_region_size(8, 8), 4096 + 16 * 2048);
	EXPECT_EQ(frame_region_init(&end, s.base, s.size, 32, 16), FRAME_RING_TOO_BIG);
	free(s.base);
}

UNIT_TEST(frame_ring_kicks_only_a_consumer_that_sleeps)
{
	struct session s;
	uint8_t buf[64] = { 0 };

	session_open(&s, 8, 8);
	/* nobody asleep: steady traffic sends no kick */
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, 10), 0);
	EXPECT(!frame_ring_kick_consumer(&s.client.out));
	/* a frame is waiting: the consumer must not sleep */
	EXPECT(!frame_ring_wait_for_frames(&s.driver.in));
	EXPECT_EQ(frame_ring_get(&s.driver.in, buf, sizeof buf), 10);
	EXPECT(frame_ring_wait_for_frames(&s.driver.in));	/* empty: sleep */
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, 10), 0);
	EXPECT(frame_ring_kick_consumer(&s.client.out));	/* exactly one kick */
	EXPECT_EQ(frame_ring_put(&s.client.out, buf, 10), 0);
	EXPECT(!frame_ring_kick_consumer(&s.client.out));
	free(s.base);
}

UNIT_TEST(frame_ring_kicks_a_producer_waiting_for_space)
{
	struct session s;
	uint8_t buf[64] = { 0 };

	session_open(&s, 2, 2);
	EXPECT(!frame_ring_wait_for_space(&s.driver.out));	/* room: no sleep */
	EXPECT_EQ(frame_ring_put(&s.driver.out, buf, 10), 0);
	EXPECT_EQ(frame_ring_put(&s.driver.out, buf, 10), 0);
	EXPECT(frame_ring_wait_for_space(&s.driver.out));
	EXPECT_EQ(frame_ring_get(&s.client.in, buf, sizeof buf), 10);
	EXPECT(frame_ring_kick_producer(&s.client.in));
	EXPECT_EQ(frame_ring_get(&s.client.in, buf, sizeof buf), 10);
	EXPECT(!frame_ring_kick_producer(&s.client.in));
	free(s.base);
}

/*
 * Two threads, a producer and a consumer, each sleeping on a semaphore (the
 * kick) whenever its ring says it may: 200,000 frames must arrive in order
 * and no wakeup may be lost (a lost one shows as a wait that times out).
 */
struct stress {
	struct session s;
	sem_t kick_consumer, kick_producer;
	uint32_t frames;
	uint32_t received, lost_wakeups, kicks;
	bool bad;
};

static bool
sleep_on(sem_t *sem)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 5;
	return sem_timedwait(sem, &t) == 0;
}

static void *
stress_producer(void *arg)
{
	struct stress *st = arg;
	uint8_t buf[256];

	for (uint32_t i = 0; i < st->frames;) {
		uint32_t len = 4 + i % 200;

		memcpy(buf, &i, 4);
		int err = frame_ring_put(&st->s.client.out, buf, len);
		if (err == FRAME_RING_FULL) {
			if (frame_ring_wait_for_space(&st->s.client.out) && !sleep_on(&st->kick_producer))
				__atomic_add_fetch(&st->lost_wakeups, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (err != 0) {
			st->bad = true;
			break;
		}
		if (frame_ring_kick_consumer(&st->s.client.out)) {
			__atomic_add_fetch(&st->kicks, 1, __ATOMIC_RELAXED);
			sem_post(&st->kick_consumer);
		}
		i++;
	}
	return NULL;
}

static void *
stress_consumer(void *arg)
{
	struct stress *st = arg;
	uint8_t buf[FRAME_DATA_MAX];

	while (st->received < st->frames && !st->bad) {
		int len = frame_ring_get(&st->s.driver.in, buf, sizeof buf);
		uint32_t seq;

		if (len == FRAME_RING_EMPTY) {
			if (frame_ring_wait_for_frames(&st->s.driver.in) && !sleep_on(&st->kick_consumer)) {
				__atomic_add_fetch(&st->lost_wakeups, 1, __ATOMIC_RELAXED);
				break;
			}
			continue;
		}
		memcpy(&seq, buf, 4);
		if (len != (int)(4 + st->received % 200) || seq != st->received) {
			st->bad = true;
			break;
		}
		st->received++;
		if (frame_ring_kick_producer(&st->s.driver.in)) {
			__atomic_add_fetch(&st->kicks, 1, __ATOMIC_RELAXED);
			sem_post(&st->kick_producer);
		}
	}
	return NULL;
}

UNIT_TEST(frame_ring_two_threads_lose_no_frame_and_no_wakeup)
{
	struct stress st = { .frames = 200000 };
	pthread_t p, c;

	session_open(&st.s, 16, 16);
	sem_init(&st.kick_consumer, 0, 0);
	sem_init(&st.kick_producer, 0, 0);
	pthread_create(&c, NULL, stress_consumer, &st);
	pthread_create(&p, NULL, stress_producer, &st);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	EXPECT(!st.bad);
	EXPECT_EQ(st.lost_wakeups, 0);
	EXPECT_EQ(st.received, st.frames);
	/* kicks only when a side slept: far fewer than one per frame */
	EXPECT(st.kicks < st.frames / 2);
	sem_destroy(&st.kick_consumer);
	sem_destroy(&st.kick_producer);
	free(st.s.base);
}
