/*
 * The tables of proxy.c as claim.c (the sending node's half) and deliver.c
 * (the home node's) use them: exports with their holders, proxies and
 * forwarders, and the few control messages between gns's. Private to those
 * three files; the rest of gns uses proxy.h. Only gns's loop thread runs them.
 */
#ifndef GNS_PROXY_TABLE_H
#define GNS_PROXY_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include "carry.h"
#include "gport.h"

#define ME mach_task_self()

/* A node holding an export's identity: grants less releases (below zero while an ADD is on its way). */
struct holder {
	uint16_t node;		/* 0: the entry is free */
	int16_t balance;
};

#define EXPORT_HOLDERS 8

struct export {
	uint32_t number;	/* 0: the slot is free */
	uint64_t check;
	mach_port_t name;	/* our send right (one reference), or our send-once right */
	bool once;
	uint32_t peer;		/* once: the node it was carried to (its death releases the right) */
	bool pinned;		/* given out of the accounting (xipc_export, or holders full): lives until its port dies */
	struct holder holders[EXPORT_HOLDERS];	/* send exports: who holds the identity */
};

struct proxy {
	struct gport gid;	/* node 0: the slot is free; port 0: moving, the new home's MOVED not in yet */
	mach_port_t port;	/* our receive right */
	bool once;		/* stands for a send-once right: one message, then it goes */
	uint32_t grants;	/* times the home granted us the identity: what a RELEASE gives back */
	struct gport moving;	/* a receive right carried away: the gid it went under (MOVED names it) */
	struct gport redirect;	/* REDIRECT heard: the new home's identity, until REDIRECTED (redirect.c) */
};

struct export *export_by_number(uint32_t number);
struct export *export_by_name(mach_port_t name);	/* a send export's */
void export_gid(const struct export *e, struct gport *g);
/* Takes the right: a new export for it, or NULL (full; the caller releases the right). */
struct export *export_new(mach_port_t name, bool once);
/* Forgets e; its right stays with the caller (moved into a message, or to release). */
void export_forget(struct export *e);
/* node's balance moves by delta (a grant +1, a release -count); the export may go (and its right). */
void export_grant(struct export *e, uint32_t node, int delta);

struct proxy *proxy_by_port(mach_port_t port);
/* The send proxy of g (not a one-shot one, not a forwarder still moving), or NULL. */
struct proxy *proxy_by_gid(const struct gport *g);
/* The loop's port set, which proxies join. */
mach_port_t proxy_port_set(void);
/* The proxy for g (a send proxy shared, made if there is none; once: a new one-shot one), or NULL when full. */
struct proxy *proxy_get(const struct gport *g, bool once);
/* Its holders' rights become dead names (with their dead-name notifications); counted as a death. */
void proxy_destroy(struct proxy *p);
/*
 * A one-shot proxy whose one right was used up (its message or its send-once
 * notification came, so no right to its port is left): it goes, and its port
 * waits for the next one-shot proxy (up to ONCE_POOL of them) rather than
 * being destroyed and made again, which cost every remote RPC's reply a few
 * traps.
 */
void proxy_once_done(struct proxy *p);
#define ONCE_POOL 32
/*
 * A forwarder for the receive right name, carried to dest_node under *g
 * (proxy.c: Receive rights that move). *request: the send-once right of the
 * port's no-senders request, taken off the port to go along (or null).
 */
struct proxy *move_out(mach_port_t name, uint32_t dest_node, struct gport *g, mach_port_t *request);

/* NAK or DROP of g to peer; ADD of g (to its home) for node. */
void send_control(uint32_t peer, enum carry_kind kind, const struct gport *g);
void send_add(const struct gport *g, uint32_t node);
/* send_control on the transport's port tport (in order with what went to that port). */
void send_control_on(uint32_t peer, uint32_t tport, enum carry_kind kind, const struct gport *g);

/* redirect.c: holders of a moved port learn its new home. */
void redirect_init(void);
/* A message from peer came to e's port, a forwarder now: REDIRECT to peer. */
void redirect_peer(const struct export *e, uint32_t peer);
/* MOVED gave fwd its new identity: REDIRECT to every holder of the port's export. */
void redirect_holders(const struct proxy *fwd);
/* The flush's marker came through the forwarder p: true if in was it (consumed). */
bool redirect_claim(const struct proxy *p, mach_msg_header_t *in);
/* REDIRECT, FLUSH, MARK or REDIRECTED from peer. */
void redirect_input(uint32_t peer, uint8_t kind, struct carry_in *in);

/* deliver.c: a MSG payload from peer delivered here. */
void proxy_deliver(uint32_t peer, struct carry_in *in);

#endif
