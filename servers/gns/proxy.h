/*
 * Proxies and exports (proxy.c): how a Mach right crosses nodes.
 *
 * An export is a local port that has a global identity (this node, number,
 * check): gns holds a send right to it (or the one send-once right it was
 * given). A proxy is a port of gns's own standing for a port of another
 * node: a message sent to it is taken whole (proxy_claim), its rights turned
 * into global identities and its out-of-line memory into bytes, carried by
 * the transport to the home node's gns, and delivered there with mach_msg
 * (proxy_input), rights turned back into local ones: the home's own port
 * for an identity of the home, another proxy for any other. A send-once
 * right becomes a one-shot export and, across, a one-shot proxy, so replies
 * go back the same way. A receive right moves, leaving a forwarder at its
 * old home; arrays of rights travel entry by entry. The home counts the
 * nodes holding each export, so its port's receiver gets no-senders when the
 * last remote and local senders are gone (proxy.c; README: Messages across
 * nodes).
 */
#ifndef GNS_PROXY_H
#define GNS_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mach/mach.h>
#include <manifold/xipc.h>
#include "gport.h"

/*
 * The tables grow a chunk of 64 at a time (table.h) up to these bounds; the
 * proxies of one node's ports (its forwarders' too) at most PROXY_NODE_MAX,
 * so that one node, hostile or leaking, cannot take every proxy from the
 * others: past it XIPC_E_NODE_FULL (xipc_import, xipc_resolve) or the message
 * is refused (rejected_node_share), past the table XIPC_E_FULL.
 */
#define PROXY_MAX 4096
#define EXPORT_MAX 4096
#define PROXY_NODE_MAX XIPC_PROXY_NODE_MAX

/* set: the loop's port set, which proxies join; notify: where dead-name notifications of exports go. */
void proxy_init(mach_port_t set, mach_port_t notify);

/* For msg_server's claim: a message (or notification) that came to a proxy is taken whole. */
bool proxy_claim(mach_msg_header_t *in);

/* A payload of kind MSG, NAK, DROP, PING, LOOKUP, FOUND or MISSING from node peer's gns. */
void proxy_input(uint32_t peer, const uint8_t *payload, size_t len);

/* The node died or restarted: every proxy of its ports becomes a dead name. How many did. */
int proxy_node_died(uint32_t node);

/* From the loop's dead-name notification: true if name was an export's (now gone). */
bool proxy_dead_name(mach_port_name_t name);

/* 0 if a proxy of one of node's ports may be made; XIPC_E_NODE_FULL or XIPC_E_FULL (counted) if not. */
int proxy_room(uint32_t node);

/* Live proxies of node's ports (0: of every node); exports held. */
int proxy_count(uint32_t node);
int proxy_export_count(void);
/* Ports whose receive right moved to another node that we still forward. */
int proxy_forwarder_count(void);

/* Fills up to max XIPC_PROXY_WORDS records (proxies, then exports); returns how many there are. */
int proxy_records(uint32_t *words, int max);

/*
 * The identity of name, a send right gns holds (taken: gns keeps one
 * reference), granted to node peer (0: handed out of the accounting, to a
 * local client: the export is pinned until its port dies). A proxy gives
 * the identity it stands for (and its home hears of peer). 0,
 * XIPC_E_INVALID or XIPC_E_FULL (the right is released then).
 */
int proxy_export(mach_port_t name, struct gport *g, uint32_t peer);

/*
 * A port to MAKE_SEND for g: a proxy, or the local port itself (its export,
 * whose check field must match: XIPC_E_FORGED). *make_send says which
 * disposition the caller must use: MAKE_SEND (a proxy) or COPY_SEND.
 * granted: the home counted a grant to us for it (a FOUND), which the proxy
 * gives back when it has no senders left.
 * 0, XIPC_E_INVALID, XIPC_E_FORGED or XIPC_E_FULL.
 */
int proxy_import(const struct gport *g, mach_port_t *port, bool *make_send, bool granted);

/* Tells g's home that count of its grants to us are let go (nothing for our own ports). */
void proxy_release(const struct gport *g, uint32_t count);

#endif
