/*
 * Test traffic with its own checks: each message names its sender, port and
 * sequence number and carries a pattern derived from them, so the receiver
 * can tell a message delivered twice, out of order, missing or corrupted.
 */
#ifndef TRAFFIC_H
#define TRAFFIC_H

#include <stdint.h>

#include "sim.h"

#define TRAFFIC_PORTS 4

struct traffic {
	uint32_t next_seq[SIM_NODES + 1][SIM_NODES + 1][TRAFFIC_PORTS]; /* [from][to][port], sender side */
	uint32_t expect[SIM_NODES + 1][SIM_NODES + 1][TRAFFIC_PORTS];   /* [to][from][port], receiver side */
	uint64_t sent, delivered, out_of_order, corrupt;
};

/* Sends one message of `len` bytes (at least 16) from node `from` to `to`. */
int traffic_send(struct sim *sim, struct traffic *t, uint32_t from, uint32_t to, uint32_t port, uint32_t len);
/* The sim's deliver callback; sim->user must point to the struct traffic. */
void traffic_deliver(struct sim *sim, uint32_t at, uint32_t from, uint32_t port, const void *data, size_t len);

#endif
