/*
 * A simulated network for transport tests: up to SIM_NODES endpoints
 * (struct xport) exchanging datagrams through a queue ordered by arrival
 * time, on a virtual microsecond clock. Seeded, so every run is the same:
 * loss, duplication, delay with jitter (which reorders), and a tap that sees
 * (and may change or drop) every datagram on its way.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xport.h"

#define SIM_NODES 4

struct sim;

/* Returns false to drop the datagram; may change its bytes and length (up to its mtu). */
typedef bool (*sim_tap_fn)(struct sim *sim, uint32_t from, uint32_t to, uint8_t *dgram, size_t *len);
typedef void (*sim_deliver_fn)(struct sim *sim, uint32_t at, uint32_t from, uint32_t port,
			       const void *data, size_t len);

struct sim_node {
	struct sim *sim;
	uint32_t id;
	struct xport *x;
	uint32_t events[3];      /* XPORT_EV_* seen */
	uint64_t deadline;       /* from the last xport_tick */
};

struct sim_packet {
	uint64_t at, order;
	uint32_t from, to;
	size_t len;
	uint8_t *data;
};

struct sim {
	uint64_t now;
	uint64_t rng;
	unsigned loss_pct, dup_pct;   /* per datagram */
	uint64_t delay_us, jitter_us; /* arrival after delay + [0, jitter) */
	struct sim_node nodes[SIM_NODES];
	struct sim_packet *queue;     /* a binary heap on (at, order) */
	size_t queued, cap;
	uint64_t order;
	uint64_t sent, lost, duplicated;
	uint64_t early_deadlines;     /* ticks that wanted a deadline nearer than xport_min_delay allows */
	sim_tap_fn tap;
	sim_deliver_fn deliver;
	void *user;
};

void sim_init(struct sim *sim, uint64_t seed);
/* Node `id` (1..SIM_NODES) with the cluster key byte `key` repeated; cfg may set the rest. */
struct xport *sim_add(struct sim *sim, uint32_t id, uint8_t key, const struct xport_config *cfg);
/* Destroys node id's endpoint (a crash: nothing is said to anyone). */
void sim_remove(struct sim *sim, uint32_t id);
/* Runs until nothing is queued or due, or until `limit` (virtual us); true when quiet. */
bool sim_run(struct sim *sim, uint64_t limit);
/* Puts a datagram on the wire (after the usual delay, never lost): a tap's forgeries. */
void sim_enqueue(struct sim *sim, uint32_t from, uint32_t to, const void *dgram, size_t len);
/* Hands a datagram to node `to` now, bypassing the wire; returns xport_input's answer. */
int sim_inject(struct sim *sim, uint32_t to, const void *dgram, size_t len);
void sim_free(struct sim *sim);
uint64_t sim_rand(struct sim *sim);

#endif
