/*
 * The cluster as gns sees it (cluster.c): the transport (transport/) over
 * gns's own lwIP on UDP port XIPC_UDP_PORT, the peers heard on the LAN and
 * their liveness (beacons, below), and gns's inter-node counters. Node N is
 * 10.77.0.N; the cluster key comes from the boot line (config.c: key=).
 *
 * Failure detection (detect.c): each node is watched by CLUSTER_WATCHERS
 * others (the live peers after it in node order, around the ring), to which
 * it sends a HEARTBEAT every CLUSTER_BEACON_MS (CLUSTER_BEACON_IDLE_MS while
 * it shares no port). A watcher that hears none for an adaptive silence
 * suspects it: it probes the node directly and through
 * CLUSTER_PROBE_HELPERS other live nodes, and the node, told so, refutes the
 * suspicion with a higher incarnation, announced to every node. Only a
 * suspicion unanswered until a silence of CLUSTER_DEAD_MS is a death, which
 * the watcher broadcasts in a NOTICE (and CLUSTER_NOTICE_REPEATS times
 * again); every node that has not heard the node refute it, nor heard it
 * since, does the same: its session is
 * forgotten and our proxies of its ports become dead names (proxy.c). Every
 * node also broadcasts an announcement every CLUSTER_ANNOUNCE_MS (how nodes
 * find each other; a node answers a newcomer at once), and a node that hears
 * neither heartbeats nor a NOTICE of a peer suspects it after
 * CLUSTER_UNWATCHED_SUSPECT_MS (its watchers died with it, or every NOTICE
 * was lost). All under an HMAC-SHA256 tag keyed from the cluster key, on
 * XIPC_BEACON_PORT. In a cluster of N a node hears CLUSTER_WATCHERS
 * heartbeats a period and N-1 announcements every CLUSTER_ANNOUNCE_MS.
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
 * CLUSTER_BEACON_IDLE_MS. A peer is still suspected within
 * CLUSTER_SUSPECT_MAX_MS; only the margin against a starved host is smaller.
 */
#define CLUSTER_BEACON_IDLE_MS 500
/*
 * A watcher dropped (a node joined between) is told CLUSTER_RESIGNS times;
 * should all be lost, its suspicion's probe learns it (detect.c, ACK_WATCHER).
 */
#define CLUSTER_RESIGNS 3
/*
 * Announcements: the first CLUSTER_ANNOUNCE_FIRST_MS after the start, the
 * gap doubling up to CLUSTER_ANNOUNCE_MS (a lost first one, behind a lossy
 * link, is made up for soon; later ones only find what every node missed).
 */
#define CLUSTER_ANNOUNCE_FIRST_MS 250
#define CLUSTER_ANNOUNCE_MS 10000
/* An unwatched peer's silence (announcements only) that makes us probe it: one announcement missed and a margin. */
#define CLUSTER_UNWATCHED_SUSPECT_MS (CLUSTER_ANNOUNCE_MS + 2000)
/*
 * A watcher suspects its peer after a silence of the heartbeats' smoothed
 * gap plus four of their deviations plus CLUSTER_SUSPECT_SLACK_MS, kept
 * within [CLUSTER_SUSPECT_MS, CLUSTER_SUSPECT_MAX_MS], and probes it then
 * and every CLUSTER_PROBE_MS after; it declares it dead only once the
 * silence reaches CLUSTER_DEAD_MS, measured from the last datagram of any
 * kind heard from it (any authentic datagram of the transport counts), so
 * that a peer starved by its host keeps its proxies if it speaks within
 * that time. Issue 14 asks for a dead node's proxies to die within 2 s:
 * CLUSTER_DEAD_MS leaves 100 ms for the tick's lateness (the judge's own
 * stall beyond CLUSTER_STALL_MS is not counted, below) and the NOTICE's way
 * to the other nodes. So a peer survives a starvation of CLUSTER_DEAD_MS
 * less the gap since its last datagram (up to a heartbeat's 300 ms, more
 * per heartbeat lost) less the time it takes to answer once it runs again.
 * An unwatched peer (announcements only) is declared CLUSTER_CONFIRM_MS
 * after its suspicion.
 */
#define CLUSTER_SUSPECT_MS 800
#define CLUSTER_SUSPECT_MAX_MS 1150
#define CLUSTER_SUSPECT_SLACK_MS 500
#define CLUSTER_DEAD_MS 1900
#define CLUSTER_PROBE_MS 250
#define CLUSTER_CONFIRM_MS 500
/*
 * The loop's own stall: a tick later than it asked by more than this (its
 * QEMU starved by the host, or a long handler: a 16 MiB delivery) adds the
 * delay to every peer's last datagram, since nothing could be heard while we
 * did not run.
 */
#define CLUSTER_STALL_MS 50
/*
 * A NOTICE (or gossip) of a death is believed at once where our own silence
 * of the node is within this of CLUSTER_DEAD_MS; a node that heard it later
 * than its watcher did suspects it and waits for its own silence to reach
 * CLUSTER_DEAD_MS.
 */
#define CLUSTER_NOTICE_SLACK_MS 150
#define CLUSTER_PROBE_HELPERS 2
/* A death's NOTICE is broadcast again this many times, this far apart, by each watcher that saw it. */
#define CLUSTER_NOTICE_REPEATS 3
#define CLUSTER_NOTICE_REPEAT_MS 200
/* ...and every node's heartbeats carry a death it learned (in turn, if several) for this long. */
#define CLUSTER_GOSSIP_MS 3000
/* The transport's retransmission timeout never goes below this (cluster_start: why). */
#define CLUSTER_RTO_MIN_MS 30

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
