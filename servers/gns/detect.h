/*
 * Failure detection (detect.c): the beacons on XIPC_BEACON_PORT, who watches
 * whom, suspicions and their probes, incarnations, death notices. cluster.h
 * gives the constants and what they mean; peer.h the peers it judges.
 */
#ifndef GNS_DETECT_H
#define GNS_DETECT_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"

struct udp_pcb;

/* Keys the beacons from the cluster key and listens on pcb (bound to XIPC_BEACON_PORT). */
void detect_start(const struct gns_config *c, uint32_t node, struct udp_pcb *pcb);
/* Beacons, suspicions and deaths that are due at now: when it wants to run next. */
uint64_t detect_tick(uint64_t now);
/* An authentic datagram of the transport came from node: it lives. */
void detect_heard(uint32_t node, uint64_t now);
/* A peer's state changed elsewhere (the transport gave up on it): look at the peers at the next tick. */
void detect_wake(void);

#endif
