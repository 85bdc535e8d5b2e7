/*
 * 100,000 malformed inputs to a node with a live session, under ASan and
 * UBSan: random bytes, truncated and corrupted copies of real datagrams of
 * every type, and (as a peer holding the key could send) authentic datagrams
 * whose fields are random near the session's real values. Nothing crashes,
 * every answer is a named error, nothing unauthenticated is delivered, and
 * new endpoints on the same simulated wire carry messages afterwards (the
 * authentic garbage may have stalled the old session: README.md, Known gaps).
 */
#include <string.h>

#include "session.h"
#include "sim.h"
#include "traffic.h"
#include "unit.h"
#include "wire.h"

#define POOL_MAX 64
#define FUZZ_INPUTS 100000

static struct {
	uint8_t dgram[POOL_MAX][2048];
	size_t len[POOL_MAX];
	int n;
} pool;

static bool
keep_all(struct sim *sim, uint32_t from, uint32_t to, uint8_t *d, size_t *len)
{
	/* A few of each type: DATA is the most common, so keep every fourth of it. */
	static unsigned data_seen;
	if (pool.n < POOL_MAX && (d[1] != WIRE_DATA || data_seen++ % 4 == 0)) {
		memcpy(pool.dgram[pool.n], d, *len);
		pool.len[pool.n++] = *len;
	}
	return true;
}

static uint64_t fuzz_delivered;

static void
count_deliver(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len)
{
	fuzz_delivered++;
}

/* v plus or minus a little, or anything. */
static uint64_t
near(struct sim *sim, uint64_t v)
{
	switch (sim_rand(sim) % 4) {
	case 0:
		return sim_rand(sim);
	case 1:
		return v - sim_rand(sim) % 4;
	default:
		return v + sim_rand(sim) % 300;
	}
}

/* A DATA or ACK that passes the tag: what a faulty or hostile keyed peer could send. */
static size_t
authentic_garbage(struct sim *sim, struct xport *from, uint32_t to, uint8_t *out)
{
	struct session *s = peer_find(from, to)->cur;
	struct session *r = peer_find(sim->nodes[to - 1].x, from->cfg.node)->cur;
	struct wire_header h = {
		.version = WIRE_VERSION,
		.type = sim_rand(sim) % 3 ? WIRE_DATA : WIRE_ACK,
		.src = from->cfg.node,
		.dst = to,
		.session = s->keys.session,
		.pn = ++s->tx_pn,
		.ack = near(sim, s->rx_dsn.base - 1) % (s->rx_dsn.base + 2),
		.sack = sim_rand(sim),
		.window = sim_rand(sim) % 8 ? 0 : (uint32_t)sim_rand(sim), /* (DATA and ACK: 0) */
	};
	if (h.type == WIRE_DATA) {
		uint32_t max = from->max_payload;
		h.dsn = near(sim, r->rx_dsn.base);
		h.msg = (uint32_t)near(sim, r->rx_floor);
		h.prev = h.msg ? (uint32_t)(sim_rand(sim) % h.msg) : 0;
		h.port = (uint32_t)sim_rand(sim) % 8;
		h.msg_len = (uint32_t)(sim_rand(sim) % 5000);
		h.frags = wire_frags_for(h.msg_len, max);
		h.frag = (uint32_t)(sim_rand(sim) % h.frags);
		h.payload_len = (uint16_t)wire_frag_len(h.msg_len, h.frags, h.frag);
		if (sim_rand(sim) % 8 == 0) /* sometimes inconsistent: wire_decode's to refuse */
			h.frags += 1;
	}
	size_t n = wire_encode(&h, out);
	for (unsigned i = 0; i < h.payload_len; i++)
		out[n + i] = (uint8_t)sim_rand(sim);
	seal_datagram(s->keys.tx, h.pn, false, out, n, h.payload_len);
	return n + h.payload_len + WIRE_TAG_SIZE;
}

UNIT_TEST(xport_survives_100000_malformed_datagrams)
{
	struct sim sim;
	struct traffic t = {0};
	uint8_t d[2048];
	uint64_t answers[XPORT_E_COUNT] = {0}, unauthenticated_ok = 0;

	memset(&pool, 0, sizeof pool);
	sim_init(&sim, 2024);
	sim.deliver = traffic_deliver;
	sim.user = &t;
	sim.tap = keep_all;
	struct xport *a = sim_add(&sim, 1, 0x61, NULL);
	struct xport *b = sim_add(&sim, 2, 0x61, NULL);
	for (int i = 0; i < 40; i++) {
		traffic_send(&sim, &t, 1, 2, 0, 16 + i * 97);
		traffic_send(&sim, &t, 2, 1, 1, 16 + i * 53);
	}
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT(pool.n >= 16);
	sim.tap = NULL;
	sim.deliver = count_deliver;

	for (int i = 0; i < FUZZ_INPUTS; i++) {
		size_t len;
		int kind = i % 5, which = (int)(sim_rand(&sim) % pool.n);
		struct xport *target = sim_rand(&sim) % 2 ? a : b;
		switch (kind) {
		case 0: /* random bytes, sometimes with a valid version byte */
			len = sim_rand(&sim) % (a->cfg.mtu + 64);
			for (size_t j = 0; j < len; j++)
				d[j] = (uint8_t)sim_rand(&sim);
			if (len && sim_rand(&sim) % 2)
				d[0] = WIRE_VERSION;
			break;
		case 1: /* a real datagram, truncated */
			len = sim_rand(&sim) % pool.len[which];
			memcpy(d, pool.dgram[which], len);
			break;
		case 2: /* a real datagram with a few bytes changed */
			len = pool.len[which];
			memcpy(d, pool.dgram[which], len);
			for (int k = 1 + sim_rand(&sim) % 4; k > 0; k--)
				d[sim_rand(&sim) % len] ^= (uint8_t)(1 + sim_rand(&sim) % 255);
			break;
		case 3: /* a real tag and payload under a random header */
			len = pool.len[which];
			memcpy(d, pool.dgram[which], len);
			for (size_t j = 1; j < WIRE_HEADER_MAX && j < len; j++)
				if (sim_rand(&sim) % 8 == 0)
					d[j] = (uint8_t)sim_rand(&sim);
			if (memcmp(d, pool.dgram[which], len) == 0) /* a short one left as it was: a replay */
				d[1] ^= 0x10;
			break;
		default:
			len = authentic_garbage(&sim, target == a ? b : a, target->cfg.node, d);
			break;
		}
		uint64_t before = fuzz_delivered;
		int err = xport_input(target, d, len, sim.now);
		EXPECT(err >= 0 && err < XPORT_E_COUNT);
		if (err >= 0 && err < XPORT_E_COUNT)
			answers[err]++;
		if (kind != 4 && (err == XPORT_OK || fuzz_delivered != before))
			unauthenticated_ok++;
		if (i % 1000 == 999) { /* let timers run: acknowledgements and retransmissions */
			sim.now += 1000;
			sim_run(&sim, sim.now);
		}
	}
	EXPECT_EQ(unauthenticated_ok, 0);
	EXPECT(answers[XPORT_E_SHORT] > 0);
	EXPECT(answers[XPORT_E_MALFORMED] > 0);
	EXPECT(answers[XPORT_E_BAD_TAG] > 0);
	EXPECT(answers[XPORT_E_DUPLICATE] > 0 && answers[XPORT_E_WINDOW] > 0);
	EXPECT(answers[XPORT_OK] > 0); /* some authentic garbage is well formed */

	/*
	 * Authentic garbage can have acknowledged data that never arrived or filled
	 * the session with messages it will never finish: start both ends afresh,
	 * as gns would after a peer misbehaved, and check a message still goes.
	 */
	sim_run(&sim, sim.now + 200000000);
	sim_remove(&sim, 1);
	sim_remove(&sim, 2);
	memset(&t, 0, sizeof t);
	sim.deliver = traffic_deliver;
	sim_add(&sim, 1, 0x61, NULL);
	sim_add(&sim, 2, 0x61, NULL);
	traffic_send(&sim, &t, 1, 2, 0, 3000);
	EXPECT(sim_run(&sim, sim.now + 10000000));
	EXPECT_EQ(t.delivered, 1);
	sim_free(&sim);
}
