/*
 * Messages across nodes (issue 14): what gns's xipc interface
 * (servers/gns/xipc.defs) returns, shared by gns and its clients (the
 * shell's `nodes`, the xipc suite).
 */
#ifndef MANIFOLD_XIPC_H
#define MANIFOLD_XIPC_H

#include <stdint.h>

/* Errors of xipc.defs's routines. */
#define XIPC_E_OFF       0x5800	/* no cluster key or no node number: inter-node IPC is off */
#define XIPC_E_INVALID   0x5801	/* a bad argument */
#define XIPC_E_FORGED    0x5802	/* a global identity whose check field is wrong */
#define XIPC_E_NOT_FOUND 0x5803	/* no node holds the name */
#define XIPC_E_FULL      0x5804	/* no room for another proxy, export or lookup */
#define XIPC_E_NODE_FULL 0x5805	/* that node's ports have their share of this node's proxies (XIPC_PROXY_NODE_MAX) */

/* Proxies one gns keeps of one other node's ports at most (its forwarders counted): no node takes them all. */
#define XIPC_PROXY_NODE_MAX 1024

/* UDP ports: the transport's datagrams, and the beacons (broadcast). */
#define XIPC_UDP_PORT    7700
#define XIPC_BEACON_PORT 7701

/* xipc_nodes: one record per peer. */
enum {
	XIPC_NODE_ID,		/* its node number */
	XIPC_NODE_STATE,	/* XIPC_PEER_* */
	XIPC_NODE_SESSION,	/* 1: the transport's session is up */
	XIPC_NODE_RTT_US,	/* the transport's smoothed round-trip time, 0 before one */
	XIPC_NODE_BEACONS,	/* beacons heard from it */
	XIPC_NODE_RX,		/* datagrams from it */
	XIPC_NODE_TX,		/* datagrams to it */
	XIPC_NODE_SILENT_MS,	/* since its last beacon */
	XIPC_NODE_PROXIES,	/* our proxies of its ports */
	XIPC_NODE_DEATHS,	/* times we declared it dead */
	XIPC_NODE_WORDS
};
enum { XIPC_PEER_ALIVE = 1, XIPC_PEER_DEAD = 2 };

/* xipc_proxies: one record per proxy (a remote port we stand for) and per export (a port of ours others may hold). */
enum {
	XIPC_PROXY_KIND,	/* XIPC_KIND_* */
	XIPC_PROXY_NODE,	/* the identity's home node */
	XIPC_PROXY_NUMBER,	/* its number there */
	XIPC_PROXY_NAME,	/* gns's name for the port (a proxy's receive right, an export's right) */
	XIPC_PROXY_ONCE,	/* 1: a send-once right's, used once */
	XIPC_PROXY_WORDS
};
enum { XIPC_KIND_PROXY = 1, XIPC_KIND_EXPORT = 2 };

/* xipc_stats: counters. The names, in order, for printing. */
#define XIPC_STAT_LIST(X) \
	X(MSGS_OUT, "messages_out") X(MSGS_IN, "messages_in") X(BYTES_OUT, "bytes_out") X(BYTES_IN, "bytes_in") \
	X(PROXIES, "proxies") X(EXPORTS, "exports") X(PROXIES_DIED, "proxies_died") X(EXPORTS_RELEASED, "exports_released") \
	X(RECEIVE_MOVED_OUT, "receive_moved_out") X(RECEIVE_MOVED_IN, "receive_moved_in") \
	X(HELD, "held_for_full_queues") X(PAUSES, "senders_paused") \
	X(PAUSED, "proxies_paused") X(RESUMED, "proxies_resumed") \
	X(REDIRECTS, "redirects_sent") X(REDIRECTED, "proxies_redirected") X(FORWARDERS, "forwarders") \
	X(REQUESTS_MOVED, "notify_requests_moved") \
	X(LOOKUPS, "lookups") X(LOOKUPS_ANSWERED, "lookups_answered") \
	X(BEACONS_OUT, "beacons_out") X(BEACONS_IN, "beacons_in") \
	X(NOTICES_OUT, "death_notices_out") X(NOTICES_IN, "death_notices_in") \
	X(NOTICES_REFUTED, "death_notices_refuted") \
	X(SUSPICIONS, "suspicions") X(SUSPICIONS_REFUTED, "suspicions_refuted") \
	X(REFUTATIONS, "refutations") X(PROBES_RELAYED, "probes_relayed") X(GOSSIP_IN, "deaths_gossiped_in") \
	X(NOTICES_WAITED, "death_notices_waited") X(VOUCHES, "vouches") X(STALLS, "stalls") \
	X(R_FORGED, "rejected_forged_id") X(R_NO_PORT, "rejected_unknown_port") \
	X(R_DEST_DEAD, "rejected_dest_dead") X(R_DEST_FULL, "rejected_dest_full") \
	X(R_RECEIVE_RIGHT, "rejected_receive_right") X(R_PORT_ARRAY, "rejected_port_array") \
	X(R_MALFORMED, "rejected_malformed") X(R_UNDELIVERABLE, "rejected_undeliverable") \
	X(R_TABLE_FULL, "rejected_table_full") X(R_NODE_SHARE, "rejected_node_share") \
	X(R_BEACON_TAG, "rejected_beacon_tag") X(R_BEACON_REPLAY, "rejected_beacon_replay") \
	X(R_BEACON_MALFORMED, "rejected_beacon_malformed") \
	X(R_XPORT_SHORT, "rejected_short") X(R_XPORT_VERSION, "rejected_version") \
	X(R_XPORT_MALFORMED, "rejected_datagram_malformed") X(R_XPORT_NOT_FOR_US, "rejected_not_for_us") \
	X(R_XPORT_UNKNOWN_SESSION, "rejected_unknown_session") X(R_XPORT_BAD_TAG, "rejected_bad_tag") \
	X(R_XPORT_MODE, "rejected_mode") X(R_XPORT_REPLAY, "rejected_replay") \
	X(R_XPORT_DUPLICATE, "rejected_duplicate") X(R_XPORT_WINDOW, "rejected_window") \
	X(R_XPORT_NOMEM, "rejected_nomem") X(XPORT_RETRANSMITS, "retransmits") X(XPORT_DROPPED, "messages_dropped") \
	X(DIRECT_OUT, "datagrams_out_direct") X(DIRECT_IN, "datagrams_in_direct")

#define XIPC_STAT_ENUM(id, name) XIPC_STAT_##id,
enum { XIPC_STAT_LIST(XIPC_STAT_ENUM) XIPC_STAT_WORDS };
#undef XIPC_STAT_ENUM

#endif
