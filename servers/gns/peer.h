/*
 * The peers as cluster.c (the transport's side) and detect.c (their
 * liveness) share them; private to those two. Only gns's loop thread
 * touches any of it.
 */
#ifndef GNS_PEER_H
#define GNS_PEER_H

#include <stdbool.h>
#include <stdint.h>

#define NODE_MAX 254
#define LAN_NET 0x0a4d0000u		/* 10.77.0.0/16: node N is 10.77.0.N */
#define LAN_BROADCAST 0x0a4dffffu

struct peer {
	uint32_t state;			/* 0 (never heard), XIPC_PEER_ALIVE or XIPC_PEER_DEAD */
	bool session;			/* the transport said UP, and not DEAD since */
	uint64_t boot, seq;		/* of its last authentic beacon */
	uint32_t inc;			/* its incarnation in that boot: the highest heard */
	uint64_t heard_us;		/* when: its last beacon, or authentic datagram; 0: the transport gave up */
	uint64_t beacon_us;		/* its last heartbeat */
	uint64_t gap_us, gapvar_us;	/* its heartbeats' smoothed gap and mean deviation (0: no gap yet) */
	uint64_t suspect_us;		/* when we began to suspect it; 0: we do not */
	uint32_t suspect_inc;		/* the incarnation suspected: only a higher one refutes */
	uint64_t probe_us;		/* this suspicion's next round of probes */
	bool noticed;			/* suspected on another node's word (a NOTICE, gossip): dies at our own silence's bound */
	uint32_t beacons, rx, tx, deaths;
	bool watched;			/* it sends us heartbeats: we are one of its watchers */
	bool watcher;			/* we send it ours */
	uint8_t resigns;		/* RESIGNs still to send it (it watched us, no longer does) */
	uint8_t notices;		/* repeats of our NOTICE of its death still to broadcast */
	uint32_t dead_inc, dead_silent;	/* its death: the incarnation suspected, the watcher's silence */
	uint64_t gossip_until_us;	/* its death goes on our heartbeats until then */
};

extern struct peer peers[NODE_MAX + 1];
/* above every node ever heard: the scans' bound (the tick runs after every message) */
extern uint32_t node_high;

/* cluster.c: node is dead (why: what saw it so; silent: the silence, ms): its session and proxies go. */
void peer_dead(uint32_t node, const char *why, uint32_t silent);
/* cluster.c: node was heard for the first time, or again after its death: its session starts now. */
void peer_alive(uint32_t node, uint64_t now);

#endif
