/*
 * The simulated network of sim.h. Datagrams wait in a binary heap keyed by
 * arrival time and then by the order they were sent, so equal times keep a
 * stable order and a seed gives the same run every time.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

uint64_t
sim_rand(struct sim *sim)
{
	/* xorshift64*: fast, and plenty for choosing what the wire does. */
	sim->rng ^= sim->rng >> 12;
	sim->rng ^= sim->rng << 25;
	sim->rng ^= sim->rng >> 27;
	return sim->rng * 0x2545f4914f6cdd1dull;
}

void
sim_init(struct sim *sim, uint64_t seed)
{
	memset(sim, 0, sizeof *sim);
	sim->rng = seed ? seed : 1;
	sim->now = 1000;
	sim->delay_us = 500;
}

static bool
before(const struct sim_packet *a, const struct sim_packet *b)
{
	return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void
push(struct sim *sim, struct sim_packet pk)
{
	if (sim->queued == sim->cap) {
		sim->cap = sim->cap ? 2 * sim->cap : 256;
		sim->queue = realloc(sim->queue, sim->cap * sizeof *sim->queue);
	}
	size_t i = sim->queued++;
	while (i > 0 && before(&pk, &sim->queue[(i - 1) / 2])) {
		sim->queue[i] = sim->queue[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	sim->queue[i] = pk;
}

static struct sim_packet
pop(struct sim *sim)
{
	struct sim_packet top = sim->queue[0], last = sim->queue[--sim->queued];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= sim->queued)
			break;
		if (c + 1 < sim->queued && before(&sim->queue[c + 1], &sim->queue[c]))
			c++;
		if (!before(&sim->queue[c], &last))
			break;
		sim->queue[i] = sim->queue[c];
		i = c;
	}
	if (sim->queued)
		sim->queue[i] = last;
	return top;
}

void
sim_enqueue(struct sim *sim, uint32_t from, uint32_t to, const void *d, size_t len)
{
	struct sim_packet pk = {
		.at = sim->now + sim->delay_us + (sim->jitter_us ? sim_rand(sim) % sim->jitter_us : 0),
		.order = sim->order++,
		.from = from,
		.to = to,
		.len = len,
		.data = malloc(len ? len : 1),
	};
	memcpy(pk.data, d, len);
	push(sim, pk);
}

static void
on_output(void *ctx, uint32_t peer, const void *dgram, size_t len)
{
	struct sim_node *n = ctx;
	struct sim *sim = n->sim;
	uint8_t buf[2048];

	sim->sent++;
	if (len > sizeof buf)
		return;
	memcpy(buf, dgram, len);
	if (sim->tap && !sim->tap(sim, n->id, peer, buf, &len))
		return;
	if (sim->loss_pct && sim_rand(sim) % 100 < sim->loss_pct) {
		sim->lost++;
		return;
	}
	sim_enqueue(sim, n->id, peer, buf, len);
	if (sim->dup_pct && sim_rand(sim) % 100 < sim->dup_pct) {
		sim->duplicated++;
		sim_enqueue(sim, n->id, peer, buf, len);
	}
}

static void
on_deliver(void *ctx, uint32_t peer, uint32_t port, const void *data, size_t len)
{
	struct sim_node *n = ctx;

	if (n->sim->deliver)
		n->sim->deliver(n->sim, n->id, peer, port, data, len);
}

static void
on_event(void *ctx, uint32_t peer, enum xport_event ev)
{
	struct sim_node *n = ctx;

	n->events[ev]++;
}

static void
on_random(void *ctx, void *buf, size_t len)
{
	struct sim_node *n = ctx;
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)sim_rand(n->sim);
}

struct xport *
sim_add(struct sim *sim, uint32_t id, uint8_t key, const struct xport_config *cfg)
{
	struct sim_node *n = &sim->nodes[id - 1];
	struct xport_config c = {0};

	if (cfg)
		c = *cfg;
	c.node = id;
	memset(c.cluster_key, key, sizeof c.cluster_key);
	c.ctx = n;
	c.output = on_output;
	if (!c.deliver_take)
		c.deliver = on_deliver;
	c.event = on_event;
	c.random = on_random;
	memset(n, 0, sizeof *n);
	n->sim = sim;
	n->id = id;
	n->x = xport_create(&c);
	n->deadline = UINT64_MAX;
	return n->x;
}

void
sim_remove(struct sim *sim, uint32_t id)
{
	struct sim_node *n = &sim->nodes[id - 1];

	xport_destroy(n->x);
	n->x = NULL;
}

int
sim_inject(struct sim *sim, uint32_t to, const void *dgram, size_t len)
{
	struct sim_node *n = &sim->nodes[to - 1];

	return n->x ? xport_input(n->x, dgram, len, sim->now) : -1;
}

bool
sim_run(struct sim *sim, uint64_t limit)
{
	for (;;) {
		while (sim->queued && sim->queue[0].at <= sim->now) {
			struct sim_packet pk = pop(sim);
			if (pk.to >= 1 && pk.to <= SIM_NODES && sim->nodes[pk.to - 1].x)
				xport_input(sim->nodes[pk.to - 1].x, pk.data, pk.len, sim->now);
			free(pk.data);
		}
		uint64_t next = sim->queued ? sim->queue[0].at : UINT64_MAX;
		for (int i = 0; i < SIM_NODES; i++) {
			struct sim_node *n = &sim->nodes[i];
			if (!n->x)
				continue;
			/* what came in or went out since the last tick set no deadline nearer than xport_min_delay */
			uint64_t bound = sim->now + xport_min_delay(n->x);
			if (n->deadline < bound)
				bound = n->deadline;
			n->deadline = xport_tick(n->x, sim->now);
			if (n->deadline < bound)
				sim->early_deadlines++;
			if (n->deadline < next)
				next = n->deadline;
		}
		if (sim->queued && sim->queue[0].at <= sim->now)
			continue; /* the tick sent something due at once */
		/* what the ticks sent (a delayed acknowledgement) arrives in its time, not at the next deadline */
		if (sim->queued && sim->queue[0].at < next)
			next = sim->queue[0].at;
		if (next == UINT64_MAX)
			return true;
		if (next > limit)
			return false;
		sim->now = next > sim->now ? next : sim->now + 1;
	}
}

void
sim_free(struct sim *sim)
{
	while (sim->queued)
		free(pop(sim).data);
	free(sim->queue);
	for (uint32_t id = 1; id <= SIM_NODES; id++)
		if (sim->nodes[id - 1].x)
			sim_remove(sim, id);
}
