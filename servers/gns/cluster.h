/*
 * The cluster as gns sees it (cluster.c): the transport (transport/) over
 * gns's own lwIP on UDP port XIPC_UDP_PORT, the peers heard on the LAN and
 * their liveness (beacons, below), and gns's inter-node counters. Node N is
 * 10.77.0.N; the cluster key comes from the boot line (config.c: key=).
 *
 * Failure detection: each node is watched by CLUSTER_WATCHERS others (the
 * live peers after it in node order, around the ring), to which it sends
 * a HEARTBEAT every CLUSTER_BEACON_MS (CLUSTER_BEACON_IDLE_MS while it
 * shares no port); a watcher that hears none for an adaptive silence
 * declares it dead and broadcasts a NOTICE, on which every node does the
 * same: its session is forgotten and our proxies of its ports become dead
 * names (proxy.c). Every node also broadcasts an announcement every
 * CLUSTER_ANNOUNCE_MS (how nodes find each other; a node answers a newcomer
 * at once), and a node that hears neither heartbeats nor a NOTICE of a peer
 * declares it dead after CLUSTER_UNWATCHED_DEAD_MS (its watchers died with
 * it, or their NOTICEs were lost). All under an HMAC-SHA256 tag keyed from
 * the cluster key, on XIPC_BEACON_PORT. In a cluster of N a node hears
 * CLUSTER_WATCHERS heartbeats a period and N-1 announcements every
 * CLUSTER_ANNOUNCE_MS, where every node used to hear every other's beacons
 * every 200 ms (an idle node's cost was mostly hearing them).
 */
#ifndef GNS_CLUSTER_H
#define GNS_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <manifold/xipc.h>
#include "config.h"
#include "xport.h"

#define CLUSTER_WATCHERS 2
#define CLUSTER_BEACON_MS 300
/*
 * ...while this node shares a port with another (a proxy of a peer's, an
 * export a peer holds); sharing nothing, a heartbeat every
 * CLUSTER_BEACON_IDLE_MS. A peer is still declared dead within
 * CLUSTER_DEAD_MAX_MS; only the margin against a starved host is smaller.
 */
#define CLUSTER_BEACON_IDLE_MS 500
/* A watcher dropped (a node joined between) is told CLUSTER_RESIGNS times: one lost would be a false death. */
#define CLUSTER_RESIGNS 3
/*
 * Announcements: the first CLUSTER_ANNOUNCE_FIRST_MS after the start, the
 * gap doubling up to CLUSTER_ANNOUNCE_MS (a lost first one, behind a lossy
 * link, is made up for soon; later ones only find what every node missed).
 */
#define CLUSTER_ANNOUNCE_FIRST_MS 250
#define CLUSTER_ANNOUNCE_MS 10000
#define CLUSTER_UNWATCHED_DEAD_MS (3 * CLUSTER_ANNOUNCE_MS + 1000)
/*
 * A watcher declares its peer dead after a silence of the heartbeats'
 * smoothed gap plus four of their deviations plus CLUSTER_DEAD_SLACK_MS,
 * kept within [CLUSTER_DEAD_MS, CLUSTER_DEAD_MAX_MS]: four heartbeats missed
 * on a quiet LAN, up to six on a host whose guests are starved in turns
 * (issue 14 asks for 2 s). Any authentic datagram of the transport counts as
 * hearing the peer too.
 */
#define CLUSTER_DEAD_MS 1200
/* The transport's retransmission timeout never goes below this (cluster_start: why). */
#define CLUSTER_RTO_MIN_MS 30
#define CLUSTER_DEAD_MAX_MS 1800
#define CLUSTER_DEAD_SLACK_MS 800

/* Starts the transport and the beacons; false (inter-node IPC off) without a key or a node number. */
bool cluster_start(const struct gns_config *c);
bool cluster_on(void);
uint32_t cluster_node(void);

/* Queues payload for the gns of node peer, in order with earlier ones to the same port; 0 or an XPORT_E_*. */
int cluster_send(uint32_t peer, uint32_t port, const void *payload, size_t len);

/*
 * As cluster_send, the payload lent (xport_send_parts): parts stay valid until
 * done(ctx, arg) is called; on an error return it is not, and they are the caller's.
 */
int cluster_send_parts(uint32_t peer, uint32_t port, const struct xport_part *parts, int n,
		       void (*done)(void *ctx, void *arg), void *arg);

bool cluster_peer_alive(uint32_t node);
/* Calls fn for each live peer. */
void cluster_foreach_alive(void (*fn)(uint32_t node, void *arg), void *arg);

/* Beacons, failure detection, the transport's timers: ms until it wants to run again. */
uint32_t cluster_tick(void);

/* Fills buf with unpredictable bytes (check fields, request ids). */
void cluster_random(void *buf, size_t n);

/* gns's inter-node counters (XIPC_STAT_*), counted where things happen. */
extern uint32_t xipc_stat[XIPC_STAT_WORDS];

#endif
