/*
 * Proxies and exports (proxy.h): the two tables, and the translation of a
 * message both ways. The sending node's half is proxy_claim (a message that
 * came to a proxy becomes a MSG payload), the home node's is deliver (a MSG
 * payload becomes a message sent with mach_msg). lookup.c resolves names on
 * top of proxy_export and proxy_import.
 *
 * Cluster-wide no-senders: an export counts, per node, the identities it
 * granted there less those the node released (a signed balance: a RELEASE
 * may overtake the ADD that grants it). A proxy counts the grants it was
 * given and releases them all when it has no senders left; when every
 * balance is zero the export goes and its send right with it, so the port's
 * receiver gets its no-senders notification once no local sender is left.
 * A port's death tells every holder (a NAK), whose proxies become dead names.
 *
 * Delivery checks the whole payload before it changes anything (decode, then
 * commit), and never blocks: a destination whose queue is full loses the
 * message (counted; the reply right in it is released, so an RPC fails
 * rather than hangs). Only gns's loop thread runs this.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/xipc.h>
#include "carry.h"
#include "cluster.h"
#include "hold.h"
#include "lookup.h"
#include "proxy.h"

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
};

static struct export exports[EXPORT_MAX];
static struct proxy proxies[PROXY_MAX];
static int export_high, proxy_high;	/* every slot from here on is free: the lookups' bound */
static uint32_t next_number;
static mach_port_t port_set, notify_port;

void
proxy_init(mach_port_t set, mach_port_t notify)
{
	port_set = set;
	notify_port = notify;
	/* numbers start anywhere: a node that boots again does not hand out its old ones in order */
	cluster_random(&next_number, sizeof next_number);
	next_number = (next_number & 0x3fffffffu) + 1;
}

/* ---- exports ---- */

static struct export *
export_by_number(uint32_t number)
{
	for (int i = 0; i < export_high; i++)
		if (exports[i].number == number && number != 0)
			return &exports[i];
	return NULL;
}

static struct export *
export_by_name(mach_port_t name)
{
	for (int i = 0; i < export_high; i++)
		if (exports[i].number && !exports[i].once && exports[i].name == name)
			return &exports[i];
	return NULL;
}

static void
export_gid(const struct export *e, struct gport *g)
{
	g->node = cluster_node();
	g->port = e->number;
	g->check = e->check;
}

/* Takes the right: a new export for it, or NULL (full; the caller releases the right). */
static struct export *
export_new(mach_port_t name, bool once)
{
	mach_port_t prev;

	for (int i = 0; i < EXPORT_MAX; i++) {
		struct export *e = &exports[i];
		uint64_t check = 0;

		if (e->number)
			continue;
		while (check == 0)
			cluster_random(&check, sizeof check);
		if (++next_number == 0)
			next_number = 1;
		e->number = next_number;
		if (i >= export_high)
			export_high = i + 1;
		e->check = check;
		e->name = name;
		e->once = once;
		/* the port's death frees the export (proxy_dead_name) */
		if (mach_port_request_notification(ME, name, MACH_NOTIFY_DEAD_NAME, 1, notify_port,
						   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) == KERN_SUCCESS &&
		    MACH_PORT_VALID(prev))
			mach_port_deallocate(ME, prev);
		return e;
	}
	return NULL;
}

/* Forgets e; its right stays with the caller (moved into a message, or to release). */
static void
export_forget(struct export *e)
{
	memset(e, 0, sizeof *e);
	while (export_high > 0 && !exports[export_high - 1].number)
		export_high--;
}

static void send_control(uint32_t peer, enum carry_kind kind, const struct gport *g);
static void send_add(const struct gport *g, uint32_t node);

static bool
export_held(const struct export *e)
{
	for (int i = 0; i < EXPORT_HOLDERS; i++)
		if (e->holders[i].node && e->holders[i].balance != 0)
			return true;
	return false;
}

/* Nobody else holds the identity: it goes, and our send right (the receiver's no-senders may follow). */
static void
export_release_if_unheld(struct export *e)
{
	mach_port_t name = e->name;

	if (e->once || e->pinned || export_held(e))
		return;
	export_forget(e);
	mach_port_deallocate(ME, name);
	xipc_stat[XIPC_STAT_EXPORTS_RELEASED]++;
}

/* node's balance moves by delta (a grant +1, a release -count); the export may go. */
static void
export_grant(struct export *e, uint32_t node, int delta)
{
	struct holder *h = NULL;

	if (e->once || node == 0 || node > 0xffff)
		return;
	for (int i = 0; i < EXPORT_HOLDERS && !h; i++)
		if (e->holders[i].node == node)
			h = &e->holders[i];
	for (int i = 0; i < EXPORT_HOLDERS && !h; i++)
		if (!e->holders[i].node || e->holders[i].balance == 0)
			h = &e->holders[i];
	if (!h || h->balance + delta > INT16_MAX || h->balance + delta < INT16_MIN) {
		e->pinned = true;	/* more holders than we count: it stays until its port dies */
		return;
	}
	h->node = (uint16_t)node;
	h->balance = (int16_t)(h->balance + delta);
	if (delta < 0)
		export_release_if_unheld(e);
}

bool
proxy_dead_name(mach_port_name_t name)
{
	for (int i = 0; i < export_high; i++)
		if (exports[i].number && exports[i].name == name) {
			struct export *e = &exports[i];
			struct gport g = { .node = cluster_node(), .port = e->number, .check = e->check };
			/* every node holding it hears now, not at its next use: its proxies become dead names */
			for (int j = 0; j < EXPORT_HOLDERS && !e->once; j++)
				if (e->holders[j].node && e->holders[j].balance != 0)
					send_control(e->holders[j].node, CARRY_NAK, &g);
			export_forget(e);
			mach_port_deallocate(ME, name);	/* the export's own reference */
			return true;
		}
	return false;
}

/* ---- proxies ---- */

static struct proxy *
proxy_by_port(mach_port_t port)
{
	if (!MACH_PORT_VALID(port))
		return NULL;
	for (int i = 0; i < proxy_high; i++)
		if (proxies[i].gid.node && proxies[i].port == port)
			return &proxies[i];
	return NULL;
}

static struct proxy *move_out(mach_port_t name, uint32_t dest_node, struct gport *g);

/* The proxy for g (a send proxy, made if there is none), or NULL when full. */
static struct proxy *
proxy_get(const struct gport *g, bool once)
{
	struct proxy *free_slot = NULL;
	mach_port_t port, prev;

	for (int i = 0; i < PROXY_MAX; i++) {
		struct proxy *p = &proxies[i];
		if (!p->gid.node) {
			if (!free_slot)
				free_slot = p;
		} else if (!once && !p->once && p->gid.port && gport_equal(&p->gid, g)) {
			return p;
		}
	}
	if (!free_slot || mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS)
		return NULL;
	/* no-senders comes to the proxy itself: nobody here holds it any more */
	if ((!once && mach_port_request_notification(ME, port, MACH_NOTIFY_NO_SENDERS, 1, port,
						     MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS) ||
	    mach_port_move_member(ME, port, port_set) != KERN_SUCCESS) {
		mach_port_destroy(ME, port);
		return NULL;
	}
	mach_port_set_qlimit(ME, port, MACH_PORT_QLIMIT_MAX);
	free_slot->gid = *g;
	if (free_slot - proxies >= proxy_high)
		proxy_high = (int)(free_slot - proxies) + 1;
	free_slot->port = port;
	free_slot->once = once;
	free_slot->grants = 0;
	return free_slot;
}

/* Its holders' rights become dead names (with their dead-name notifications). */
static void
proxy_destroy(struct proxy *p)
{
	mach_port_t port = p->port;

	memset(p, 0, sizeof *p);
	while (proxy_high > 0 && !proxies[proxy_high - 1].gid.node)
		proxy_high--;
	mach_port_mod_refs(ME, port, MACH_PORT_RIGHT_RECEIVE, -1);
	xipc_stat[XIPC_STAT_PROXIES_DIED]++;
}

int
proxy_node_died(uint32_t node)
{
	int n = 0;

	for (int i = 0; i < proxy_high; i++)
		if (proxies[i].gid.node == node) {
			proxy_destroy(&proxies[i]);
			n++;
		}
	/* the replies it owed will not come: their waiters hear it now (a send-once notification) */
	for (int i = 0; i < export_high; i++)
		if (exports[i].number && exports[i].once && exports[i].peer == node) {
			mach_port_t name = exports[i].name;
			export_forget(&exports[i]);
			mach_port_deallocate(ME, name);
		}
	/* what it held is let go: an export nobody else holds goes (cluster-wide no-senders) */
	for (int i = 0; i < export_high; i++) {
		struct export *e = &exports[i];
		if (!e->number || e->once)
			continue;
		for (int j = 0; j < EXPORT_HOLDERS; j++)
			if (e->holders[j].node == node)
				e->holders[j].balance = 0;
		export_release_if_unheld(e);
	}
	lookup_node_died(node);
	return n;
}

/* The home said the port is gone (or never was; or, for a forwarder still moving, never arrived): our proxies of it die. */
static void
proxy_kill_gid(const struct gport *g)
{
	for (int i = 0; i < proxy_high; i++)
		if (proxies[i].gid.node && (gport_equal(&proxies[i].gid, g) ||
					    (!proxies[i].gid.port && gport_equal(&proxies[i].moving, g))))
			proxy_destroy(&proxies[i]);
}

int
proxy_count(uint32_t node)
{
	int n = 0;

	for (int i = 0; i < proxy_high; i++)
		if (proxies[i].gid.node && (node == 0 || proxies[i].gid.node == node))
			n++;
	return n;
}

int
proxy_export_count(void)
{
	int n = 0;

	for (int i = 0; i < export_high; i++)
		if (exports[i].number)
			n++;
	return n;
}

int
proxy_records(uint32_t *words, int max)
{
	int n = 0;

	for (int i = 0; i < proxy_high; i++) {
		if (!proxies[i].gid.node)
			continue;
		if (n < max) {
			uint32_t *w = words + n * XIPC_PROXY_WORDS;
			w[XIPC_PROXY_KIND] = XIPC_KIND_PROXY;
			w[XIPC_PROXY_NODE] = proxies[i].gid.node;
			w[XIPC_PROXY_NUMBER] = proxies[i].gid.port;
			w[XIPC_PROXY_NAME] = proxies[i].port;
			w[XIPC_PROXY_ONCE] = proxies[i].once;
		}
		n++;
	}
	for (int i = 0; i < export_high; i++) {
		if (!exports[i].number)
			continue;
		if (n < max) {
			uint32_t *w = words + n * XIPC_PROXY_WORDS;
			w[XIPC_PROXY_KIND] = XIPC_KIND_EXPORT;
			w[XIPC_PROXY_NODE] = cluster_node();
			w[XIPC_PROXY_NUMBER] = exports[i].number;
			w[XIPC_PROXY_NAME] = exports[i].name;
			w[XIPC_PROXY_ONCE] = exports[i].once;
		}
		n++;
	}
	return n;
}

int
proxy_export(mach_port_t name, struct gport *g, uint32_t peer)
{
	struct proxy *p = proxy_by_port(name);
	struct export *e;

	if (!MACH_PORT_VALID(name))
		return XIPC_E_INVALID;
	if (p && p->gid.port) {	/* (a forwarder still moving is exported as our own port) */
		*g = p->gid;
		/* the home learns of peer before our own proxy can release (ordered on port 0) */
		if (peer && peer != g->node)
			send_add(g, peer);
		mach_port_deallocate(ME, name);	/* the send right to our own proxy */
		return 0;
	}
	if ((e = export_by_name(name)) != NULL) {
		mach_port_deallocate(ME, name);	/* the export holds one reference already */
	} else if ((e = export_new(name, false)) == NULL) {
		mach_port_deallocate(ME, name);
		return XIPC_E_FULL;
	}
	if (peer)
		export_grant(e, peer, +1);
	else
		e->pinned = true;
	export_gid(e, g);
	return 0;
}

int
proxy_import(const struct gport *g, mach_port_t *port, bool *make_send, bool granted)
{
	struct export *e;
	struct proxy *p;

	if (!g->node || !g->port || !g->check)
		return XIPC_E_INVALID;
	if (g->node == cluster_node()) {
		if ((e = export_by_number(g->port)) == NULL || e->once || !gport_check(g, e->check)) {
			xipc_stat[XIPC_STAT_R_FORGED]++;
			return XIPC_E_FORGED;
		}
		*port = e->name;
		*make_send = false;
		return 0;
	}
	if ((p = proxy_get(g, false)) == NULL) {
		if (granted)
			proxy_release(g, 1);
		return XIPC_E_FULL;
	}
	if (granted)
		p->grants++;
	*port = p->port;
	*make_send = true;
	return 0;
}

/* ---- the sending node: a message that came to a proxy ---- */

/*
 * What the message being carried changed: send-once exports made, grants
 * of send exports to the destination node (undone if it cannot go), and
 * identities of other nodes' ports it passes on (their homes hear an ADD
 * once it went).
 */
struct made {
	struct export *e[CARRY_DESC_MAX + 1];
	int n;
	struct export *granted[CARRY_DESC_MAX + 1];
	int ngranted;
	struct gport passed[CARRY_DESC_MAX + 1];
	int npassed;
	struct proxy *moved[CARRY_DESC_MAX + 1];	/* receive rights carried away: forwarders */
	int nmoved;
};

/*
 * Receive rights that move. The old home keeps the port as a forwarder: a
 * proxy whose identity is not known yet (gid.port 0), out of the loop's port
 * set, so that whatever is sent to the port meanwhile (its queued messages,
 * local senders', other nodes' through our export) waits in its queue, in
 * order. The new home makes a port, exports it and answers MOVED with its
 * identity; the forwarder then joins the port set and everything in the
 * queue, and after it, goes there in order. Other nodes keep sending to the
 * old identity, through the forwarder (README: Receive rights that move).
 */
static struct proxy *
move_out(mach_port_t name, uint32_t dest_node, struct gport *g)
{
	struct proxy *p = NULL;

	if (dest_node == 0)
		return NULL;
	for (int i = 0; i < PROXY_MAX && !p; i++)
		if (!proxies[i].gid.node)
			p = &proxies[i];
	if (!p)
		return NULL;
	memset(p, 0, sizeof *p);
	p->gid.node = dest_node;
	p->port = name;
	p->moving.node = cluster_node();
	if (++next_number == 0)
		next_number = 1;
	p->moving.port = next_number;
	while (p->moving.check == 0)
		cluster_random(&p->moving.check, sizeof p->moving.check);
	if (p - proxies >= proxy_high)
		proxy_high = (int)(p - proxies) + 1;
	mach_port_set_qlimit(ME, name, MACH_PORT_QLIMIT_MAX);
	*g = p->moving;
	xipc_stat[XIPC_STAT_RECEIVE_MOVED_OUT]++;
	return p;
}

/* MOVED from peer: the port we carried under old lives at new now; its forwarder starts. */
static void
moved_input(uint32_t peer, struct carry_in *in)
{
	struct gport old, new;
	mach_port_t prev;

	carry_get_gid(in, &old);
	carry_get_gid(in, &new);
	if (in->bad || in->off != in->len || new.node != peer || old.node != cluster_node()) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		return;
	}
	for (int i = 0; i < proxy_high; i++) {
		struct proxy *p = &proxies[i];
		if (p->gid.node != peer || p->gid.port != 0 || !gport_equal(&p->moving, &old) ||
		    !gport_check(&old, p->moving.check))
			continue;
		p->gid = new;
		p->grants = 1;	/* the new home counted us as a holder */
		if (mach_port_request_notification(ME, p->port, MACH_NOTIFY_NO_SENDERS, 1, p->port,
						   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) == KERN_SUCCESS &&
		    MACH_PORT_VALID(prev))
			mach_port_deallocate(ME, prev);	/* the old receiver's request: it has no port here now */
		if (mach_port_move_member(ME, p->port, port_set) != KERN_SUCCESS) {
			proxy_release(&new, 1);
			proxy_destroy(p);
		}
		return;
	}
	xipc_stat[XIPC_STAT_R_NO_PORT]++;
	proxy_release(&new, 1);	/* nobody waits for it here: the new home may let it go */
}

/* A right of the received message, as it will travel; the right itself is taken. */
static enum carry_right
right_out(mach_port_t name, mach_msg_type_name_t type, struct gport *g, struct made *made, uint32_t dest_node)
{
	struct proxy *p;
	struct export *e;

	if (name == MACH_PORT_NULL)
		return RIGHT_NULL;
	if (name == MACH_PORT_DEAD)
		return RIGHT_DEAD;
	if (type == MACH_MSG_TYPE_PORT_RECEIVE) {
		if ((p = move_out(name, dest_node, g)) == NULL) {
			/* no room to forward: the port dies here, as in a destroyed message */
			xipc_stat[XIPC_STAT_R_RECEIVE_RIGHT]++;
			mach_port_mod_refs(ME, name, MACH_PORT_RIGHT_RECEIVE, -1);
			return RIGHT_NULL;
		}
		made->moved[made->nmoved++] = p;
		return RIGHT_RECEIVE;
	}
	if ((p = proxy_by_port(name)) != NULL && p->gid.port) {
		*g = p->gid;
		if (type == MACH_MSG_TYPE_PORT_SEND && g->node != dest_node)
			made->passed[made->npassed++] = *g;
		if (type == MACH_MSG_TYPE_PORT_SEND_ONCE && p->once) {
			proxy_destroy(p);	/* the one right moves on: the proxy is not needed here */
			xipc_stat[XIPC_STAT_PROXIES_DIED]--;	/* not a death */
		}
		mach_port_deallocate(ME, name);
		return type == MACH_MSG_TYPE_PORT_SEND_ONCE ? RIGHT_ONCE : RIGHT_SEND;
	}
	if (type == MACH_MSG_TYPE_PORT_SEND && (e = export_by_name(name)) != NULL) {
		mach_port_deallocate(ME, name);
	} else if ((e = export_new(name, type == MACH_MSG_TYPE_PORT_SEND_ONCE)) != NULL) {
		made->e[made->n++] = e;
	} else {
		xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
		mach_port_deallocate(ME, name);
		return RIGHT_NULL;
	}
	if (!e->once) {
		export_grant(e, dest_node, +1);
		made->granted[made->ngranted++] = e;
	}
	export_gid(e, g);
	return e->once ? RIGHT_ONCE : RIGHT_SEND;
}

/* A message that could not go: the exports made for it go, and their rights (a reply's: its RPC fails). */
static void
made_release(struct made *made, uint32_t dest_node)
{
	for (int i = 0; i < made->n; i++) {
		mach_port_t name = made->e[i]->name;
		export_forget(made->e[i]);
		mach_port_deallocate(ME, name);
	}
	for (int i = 0; i < made->ngranted; i++)
		export_grant(made->granted[i], dest_node, -1);
	for (int i = 0; i < made->nmoved; i++) {
		proxy_destroy(made->moved[i]);	/* the receive right goes with the message, as on one node */
		xipc_stat[XIPC_STAT_PROXIES_DIED]--;
	}
}

static void
send_control(uint32_t peer, enum carry_kind kind, const struct gport *g)
{
	struct carry_out o = {0};

	carry_put8(&o, (uint8_t)kind);
	carry_put_gid(&o, g);
	if (!o.failed)
		cluster_send(peer, 0, o.p, o.len);
	carry_out_free(&o);
}

static void
send_add(const struct gport *g, uint32_t node)
{
	struct carry_out o = {0};

	carry_put8(&o, CARRY_ADD);
	carry_put_gid(&o, g);
	carry_put32(&o, node);
	if (!o.failed)
		cluster_send(g->node, 0, o.p, o.len);
	carry_out_free(&o);
}

void
proxy_release(const struct gport *g, uint32_t count)
{
	struct carry_out o = {0};

	if (count == 0 || g->node == cluster_node())
		return;
	carry_put8(&o, CARRY_RELEASE);
	carry_put_gid(&o, g);
	carry_put32(&o, count);
	if (!o.failed)
		cluster_send(g->node, 0, o.p, o.len);
	carry_out_free(&o);
}

static bool
is_notification(const mach_msg_header_t *in, mach_msg_id_t id, mach_msg_size_t size)
{
	return in->msgh_id == id && in->msgh_size == size && !(in->msgh_bits & MACH_MSGH_BITS_COMPLEX);
}

/* Encodes in (whose rights and memory it takes) as a MSG for p's port; false if it cannot be carried. */
static bool
encode(const struct proxy *p, mach_msg_header_t *in, struct carry_out *o, struct made *made)
{
	mach_msg_size_t size = in->msgh_size, ndesc = 0, off = sizeof *in;
	mach_msg_descriptor_t *d = NULL;
	struct gport g;
	enum carry_right r;
	bool ok = true;

	carry_put8(o, CARRY_MSG);
	carry_put_gid(o, &p->gid);
	carry_put32(o, (uint32_t)in->msgh_id);
	carry_put8(o, (in->msgh_bits & MACH_MSGH_BITS_COMPLEX) ? 1 : 0);
	r = right_out(in->msgh_remote_port, MACH_MSGH_BITS_REMOTE(in->msgh_bits), &g, made, p->gid.node);
	carry_put_right(o, r, &g);
	if (in->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		ndesc = ((mach_msg_body_t *)(in + 1))->msgh_descriptor_count;
		d = (mach_msg_descriptor_t *)((mach_msg_body_t *)(in + 1) + 1);
		off += sizeof(mach_msg_body_t) + ndesc * sizeof *d;
	}
	carry_put32(o, ndesc);
	for (mach_msg_size_t i = 0; i < ndesc; i++, d++) {
		switch (d->type.type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			carry_put8(o, DESC_PORT);
			r = right_out(d->port.name, d->port.disposition, &g, made, p->gid.node);
			carry_put_right(o, r, &g);
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
		case MACH_MSG_OOL_VOLATILE_DESCRIPTOR:
			carry_put8(o, DESC_OOL);
			carry_put32(o, d->out_of_line.size);
			if (d->out_of_line.size) {
				carry_put_bytes(o, (const void *)(uintptr_t)d->out_of_line.address, d->out_of_line.size);
				vm_deallocate(ME, d->out_of_line.address, d->out_of_line.size);
			}
			break;
		default:
			/* arrays of ports are not carried yet: the message is refused, its rights released */
			xipc_stat[XIPC_STAT_R_PORT_ARRAY]++;
			for (mach_msg_size_t j = 0; j < d->ool_ports.count && d->ool_ports.address; j++) {
				mach_port_t n = ((mach_port_t *)(uintptr_t)d->ool_ports.address)[j];
				if (MACH_PORT_VALID(n))
					mach_port_deallocate(ME, n);
			}
			if (d->ool_ports.address && d->ool_ports.count)
				vm_deallocate(ME, d->ool_ports.address, d->ool_ports.count * sizeof(mach_port_t));
			carry_put8(o, DESC_PORT);
			carry_put_right(o, RIGHT_NULL, NULL);
			ok = false;
			break;
		}
	}
	carry_put32(o, size > off ? size - off : 0);
	if (size > off)
		carry_put_bytes(o, (const uint8_t *)in + off, size - off);
	return ok && !o->failed;
}

/* Within what a home decodes: descriptors and inline bytes. */
static bool
carriable(const mach_msg_header_t *in)
{
	mach_msg_size_t ndesc = 0, off = sizeof *in;

	if (in->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		ndesc = ((const mach_msg_body_t *)(in + 1))->msgh_descriptor_count;
		off += sizeof(mach_msg_body_t) + ndesc * sizeof(mach_msg_descriptor_t);
	}
	return ndesc <= CARRY_DESC_MAX && off <= in->msgh_size && in->msgh_size - off <= CARRY_INLINE_MAX;
}

bool
proxy_claim(mach_msg_header_t *in)
{
	struct proxy *p = proxy_by_port(in->msgh_local_port);
	struct carry_out o = {0};
	struct made made = {.n = 0};
	struct gport gid;
	int err;

	if (!p)
		return false;
	if (is_notification(in, MACH_NOTIFY_NO_SENDERS, offsetof(mach_no_senders_notification_t, trailer))) {
		mach_port_status_t st;
		mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;
		mach_port_t prev;

		/* believed only if the kernel agrees (a sender could forge one) */
		if (mach_port_get_attributes(ME, p->port, MACH_PORT_RECEIVE_STATUS, (integer_t *)&st, &n) ==
			    KERN_SUCCESS && !st.mps_srights && st.mps_msgcount == 0) {
			struct gport g = p->gid;
			uint32_t grants = p->grants;
			proxy_destroy(p);
			xipc_stat[XIPC_STAT_PROXIES_DIED]--;	/* let go, not dead */
			proxy_release(&g, grants);	/* the home counts us out */
		} else if (mach_port_request_notification(ME, p->port, MACH_NOTIFY_NO_SENDERS, 1, p->port,
							  MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) == KERN_SUCCESS &&
			   MACH_PORT_VALID(prev)) {
			mach_port_deallocate(ME, prev);
		}
		mach_msg_destroy(in);
		return true;
	}
	gid = p->gid;
	if (p->once && is_notification(in, MACH_NOTIFY_SEND_ONCE, offsetof(mach_send_once_notification_t, trailer))) {
		/* the send-once right we gave was destroyed unused: so must the home's be */
		proxy_destroy(p);
		xipc_stat[XIPC_STAT_PROXIES_DIED]--;
		send_control(gid.node, CARRY_DROP, &gid);
		mach_msg_destroy(in);
		return true;
	}
	if (p->once) {
		proxy_destroy(p);	/* its one message came */
		xipc_stat[XIPC_STAT_PROXIES_DIED]--;
	}
	if (!carriable(in)) {
		/* the home would refuse it: refused here, its rights released (a waiting caller hears at once) */
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		mach_msg_destroy(in);
		return true;
	}
	if (!encode(&(struct proxy){ .gid = gid }, in, &o, &made) ||
	    (err = cluster_send(gid.node, gid.port, o.p, o.len)) != 0) {
		xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
		made_release(&made, gid.node);
	} else {
		for (int i = 0; i < made.n; i++)
			made.e[i]->peer = gid.node;
		/* after the message, before our own proxy's RELEASE can follow: both go on port 0, in order */
		for (int i = 0; i < made.npassed; i++)
			send_add(&made.passed[i], gid.node);
		xipc_stat[XIPC_STAT_MSGS_OUT]++;
		xipc_stat[XIPC_STAT_BYTES_OUT] += (uint32_t)o.len;
	}
	carry_out_free(&o);
	return true;
}

/* ---- the home node: a MSG payload delivered ---- */

struct right_in {
	enum carry_right kind;
	struct gport gid;
};

struct decoded {
	struct gport dest;
	uint32_t id;
	bool complex;
	struct right_in reply;
	uint32_t ndesc;
	struct {
		uint8_t kind;		/* DESC_PORT or DESC_OOL */
		struct right_in right;
		const uint8_t *bytes;
		uint32_t size;
	} desc[CARRY_DESC_MAX];
	const uint8_t *data;
	uint32_t data_len;
};

/* Every field checked; nothing changed. */
static bool
decode(struct carry_in *in, struct decoded *m)
{
	carry_get_gid(in, &m->dest);
	m->id = carry_get32(in);
	m->complex = carry_get8(in) & 1;
	m->reply.kind = carry_get_right(in, &m->reply.gid);
	m->ndesc = carry_get32(in);
	if (m->ndesc > CARRY_DESC_MAX || (m->ndesc && !m->complex))
		return false;
	for (uint32_t i = 0; i < m->ndesc && !in->bad; i++) {
		m->desc[i].kind = carry_get8(in);
		if (m->desc[i].kind == DESC_PORT) {
			m->desc[i].right.kind = carry_get_right(in, &m->desc[i].right.gid);
		} else if (m->desc[i].kind == DESC_OOL) {
			m->desc[i].size = carry_get32(in);
			m->desc[i].bytes = carry_get_bytes(in, m->desc[i].size);
		} else {
			return false;
		}
	}
	m->data_len = carry_get32(in);
	if (m->data_len > CARRY_INLINE_MAX)
		return false;
	m->data = carry_get_bytes(in, m->data_len);
	return !in->bad && in->off == in->len;
}

/*
 * A right the message names by gns's own name with a COPY or MAKE
 * disposition becomes a right of its own, moved (*name, *type replaced):
 * what a held message names cannot go meanwhile. False if the kernel refused.
 */
static bool
own_right(mach_port_t *name, mach_msg_type_name_t *type)
{
	mach_port_t right;
	mach_msg_type_name_t t;

	if (!MACH_PORT_VALID(*name) || (*type != MACH_MSG_TYPE_COPY_SEND && *type != MACH_MSG_TYPE_MAKE_SEND &&
					*type != MACH_MSG_TYPE_MAKE_SEND_ONCE))
		return true;
	if (mach_port_extract_right(ME, *name, *type, &right, &t) != KERN_SUCCESS)
		return false;
	*name = right;
	*type = t;
	return true;
}

/* Gives back a right own_right made (its type a PORT_ one). */
static void
unown_right(mach_port_t name)
{
	mach_port_deallocate(ME, name);
}

/*
 * The destination's queue is full: h goes to hold.c, its rights made gns's
 * own first. False (nothing changed) when there is no room or a right could
 * not be had; the message is lost then, as before.
 */
static bool
hold(mach_msg_header_t *h, size_t size, const struct decoded *m)
{
	mach_msg_type_name_t rt = MACH_MSGH_BITS_REMOTE(h->msgh_bits), lt = MACH_MSGH_BITS_LOCAL(h->msgh_bits);
	mach_port_t rn = h->msgh_remote_port, ln = h->msgh_local_port;
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)((mach_msg_body_t *)(h + 1) + 1);
	mach_port_t names[CARRY_DESC_MAX];
	uint8_t types[CARRY_DESC_MAX];
	size_t ool = 0;
	uint32_t i, done;

	for (i = 0; i < m->ndesc; i++)
		if (m->desc[i].kind == DESC_OOL)
			ool += m->desc[i].size;
	if (!hold_room(size, ool) || !own_right(&rn, &rt))
		return false;
	if (!own_right(&ln, &lt)) {
		if (rn != h->msgh_remote_port || rt != MACH_MSGH_BITS_REMOTE(h->msgh_bits))
			unown_right(rn);
		return false;
	}
	for (done = 0; done < m->ndesc; done++) {
		mach_msg_type_name_t t = d[done].port.disposition;
		if (m->desc[done].kind != DESC_PORT)
			continue;
		names[done] = d[done].port.name;
		types[done] = d[done].port.disposition;
		if (!own_right(&d[done].port.name, &t))
			goto undo;
		d[done].port.disposition = (uint8_t)t;
	}
	h->msgh_remote_port = rn;
	h->msgh_local_port = ln;
	h->msgh_bits = MACH_MSGH_BITS(rt, lt) | (h->msgh_bits & MACH_MSGH_BITS_COMPLEX);
	hold_add(h, size, ool);
	return true;
undo:
	/* every right made so far given back, names and dispositions as they were: the message is lost as before */
	for (i = 0; i < done; i++)
		if (m->desc[i].kind == DESC_PORT && types[i] != d[i].port.disposition) {
			unown_right(d[i].port.name);
			d[i].port.name = names[i];
			d[i].port.disposition = types[i];
		}
	if (lt != MACH_MSGH_BITS_LOCAL(h->msgh_bits))
		unown_right(ln);
	if (rt != MACH_MSGH_BITS_REMOTE(h->msgh_bits))
		unown_right(rn);
	return false;
}

/* A receive right may come only from its own home, and not as the reply right. */
static bool
moves_from(const struct decoded *m, uint32_t peer)
{
	if (m->reply.kind == RIGHT_RECEIVE)
		return false;
	for (uint32_t i = 0; i < m->ndesc; i++)
		if (m->desc[i].kind == DESC_PORT && m->desc[i].right.kind == RIGHT_RECEIVE &&
		    m->desc[i].right.gid.node != peer)
			return false;
	return true;
}

/* What was made for a message being built, undone if mach_msg refuses it. */
struct built {
	mach_port_t once_rights[CARRY_DESC_MAX + 2];	/* send-once rights taken out of exports */
	int nonce;
	struct proxy *new_once[CARRY_DESC_MAX + 2];	/* one-shot proxies made for it */
	int nnew;
	struct proxy *granted[CARRY_DESC_MAX + 2];	/* send proxies counted a grant for it */
	int ngranted;
	struct export *arrived[CARRY_DESC_MAX + 2];	/* receive rights that moved here */
	uint32_t arrived_from[CARRY_DESC_MAX + 2];
	int narrived;
};

/*
 * A receive right that moved here from r->gid.node: a new port, exported
 * (the old home, its forwarder, holds the identity), the old home told
 * (MOVED), the receive right moved to the receiver.
 */
static void
move_in(const struct right_in *r, mach_port_t *name, mach_msg_type_name_t *type, struct built *b)
{
	struct carry_out o = {0};
	struct export *e;
	struct gport g;
	mach_port_t port;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS)
		goto fail;
	if (mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    (e = export_new(port, false)) == NULL) {
		mach_port_destroy(ME, port);
		goto fail;
	}
	mach_port_set_qlimit(ME, port, MACH_PORT_QLIMIT_MAX);
	export_grant(e, r->gid.node, +1);
	export_gid(e, &g);
	carry_put8(&o, CARRY_MOVED);
	carry_put_gid(&o, &r->gid);
	carry_put_gid(&o, &g);
	if (!o.failed)
		cluster_send(r->gid.node, 0, o.p, o.len);
	carry_out_free(&o);
	b->arrived[b->narrived] = e;
	b->arrived_from[b->narrived++] = r->gid.node;
	*name = port;
	*type = MACH_MSG_TYPE_MOVE_RECEIVE;
	xipc_stat[XIPC_STAT_RECEIVE_MOVED_IN]++;
	return;
fail:
	/* the right is lost: the old home's forwarder dies (its holders get dead names) */
	send_control(r->gid.node, CARRY_NAK, &r->gid);
	xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
}

/* A right as the receiver will get it: *name and *type for the message. */
static void
right_in(const struct right_in *r, mach_port_t *name, mach_msg_type_name_t *type, struct built *b)
{
	struct export *e;
	struct proxy *p;

	*name = MACH_PORT_NULL;
	*type = MACH_MSG_TYPE_COPY_SEND;
	if (r->kind == RIGHT_DEAD) {
		*name = MACH_PORT_DEAD;
		return;
	}
	if (r->kind == RIGHT_NULL)
		return;
	if (r->kind == RIGHT_RECEIVE) {
		move_in(r, name, type, b);
		return;
	}
	if (r->gid.node == cluster_node()) {
		e = export_by_number(r->gid.port);
		if (!e || !gport_check(&r->gid, e->check)) {
			xipc_stat[e ? XIPC_STAT_R_FORGED : XIPC_STAT_R_NO_PORT]++;
			return;	/* a null right in its place */
		}
		*name = e->name;
		if (e->once) {
			*type = MACH_MSG_TYPE_MOVE_SEND_ONCE;
			b->once_rights[b->nonce++] = e->name;
			export_forget(e);
		}
		return;
	}
	if ((p = proxy_get(&r->gid, r->kind == RIGHT_ONCE)) == NULL) {
		xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
		if (r->kind == RIGHT_SEND)
			proxy_release(&r->gid, 1);	/* the grant came to nothing */
		return;
	}
	*name = p->port;
	*type = p->once ? MACH_MSG_TYPE_MAKE_SEND_ONCE : MACH_MSG_TYPE_MAKE_SEND;
	if (p->once) {
		b->new_once[b->nnew++] = p;
	} else {
		p->grants++;
		b->granted[b->ngranted++] = p;
	}
}

/* A grant counted for a message that was not delivered: given back; a proxy it alone made goes. */
static void
ungrant(struct proxy *p)
{
	mach_port_status_t st;
	mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;
	struct gport g = p->gid;

	if (!p->gid.node)
		return;	/* gone already (the same proxy twice in one message) */
	p->grants--;
	proxy_release(&g, 1);
	if (p->grants == 0 &&
	    mach_port_get_attributes(ME, p->port, MACH_PORT_RECEIVE_STATUS, (integer_t *)&st, &n) == KERN_SUCCESS &&
	    !st.mps_srights && st.mps_msgcount == 0) {
		proxy_destroy(p);
		xipc_stat[XIPC_STAT_PROXIES_DIED]--;
	}
}

/*
 * A send-once right carried in a message that will not be delivered: its
 * home releases it, so whoever waits on it (a client for its reply) hears of
 * it at once, as when a message is destroyed on one node.
 */
static void
drop_once_right(const struct gport *g)
{
	struct export *e;

	if (g->node != cluster_node()) {
		send_control(g->node, CARRY_DROP, g);
		return;
	}
	if ((e = export_by_number(g->port)) != NULL && e->once && gport_check(g, e->check)) {
		mach_port_t name = e->name;
		export_forget(e);
		mach_port_deallocate(ME, name);
	}
}

/* A right carried in a message refused before anything was made for it: let go at its home. */
static void
drop_right(const struct right_in *r)
{
	if (r->kind == RIGHT_ONCE)
		drop_once_right(&r->gid);
	else if (r->kind == RIGHT_SEND)
		proxy_release(&r->gid, 1);	/* a grant to us (nothing, for our own ports) */
	else if (r->kind == RIGHT_RECEIVE)
		send_control(r->gid.node, CARRY_NAK, &r->gid);	/* it dies: so does its forwarder */
}

/* Every right of a message refused before anything was made for it. */
static void
drop_carried(const struct decoded *m)
{
	drop_right(&m->reply);
	for (uint32_t i = 0; i < m->ndesc; i++)
		if (m->desc[i].kind == DESC_PORT)
			drop_right(&m->desc[i].right);
}

static void
deliver(uint32_t peer, struct carry_in *in)
{
	struct decoded *m = malloc(sizeof *m);
	struct built b = {.nonce = 0};
	struct export *e;
	mach_msg_header_t *h = NULL;
	mach_msg_descriptor_t *d;
	mach_msg_type_name_t dest_type, reply_type;
	mach_port_t reply;
	size_t size;
	mach_msg_return_t mr;

	if (!m)
		goto undeliverable;
	memset(m, 0, sizeof *m);
	if (!decode(in, m) || m->dest.node != cluster_node() || !moves_from(m, peer)) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		goto out;
	}
	e = export_by_number(m->dest.port);
	if (!e || !gport_check(&m->dest, e->check)) {
		xipc_stat[e ? XIPC_STAT_R_FORGED : XIPC_STAT_R_NO_PORT]++;
		if (e)
			printf("gns: a forged port id from node %u refused\n", (unsigned)peer);
		send_control(peer, CARRY_NAK, &m->dest);
		drop_carried(m);
		goto out;
	}
	size = sizeof *h + (m->complex ? sizeof(mach_msg_body_t) + m->ndesc * sizeof *d : 0) + m->data_len;
	if ((h = calloc(1, size)) == NULL)
		goto undeliverable;
	/* commit: from here on, what is made is undone on failure */
	h->msgh_remote_port = e->name;
	dest_type = e->once ? MACH_MSG_TYPE_MOVE_SEND_ONCE : MACH_MSG_TYPE_COPY_SEND;
	if (e->once) {
		b.once_rights[b.nonce++] = e->name;
		export_forget(e);
	}
	right_in(&m->reply, &reply, &reply_type, &b);
	h->msgh_local_port = reply;
	h->msgh_bits = MACH_MSGH_BITS(dest_type, MACH_PORT_VALID(reply) ? reply_type : 0) |
		       (m->complex ? MACH_MSGH_BITS_COMPLEX : 0);
	h->msgh_size = (mach_msg_size_t)size;
	h->msgh_id = (mach_msg_id_t)m->id;
	d = (mach_msg_descriptor_t *)((mach_msg_body_t *)(h + 1) + 1);
	if (m->complex)
		((mach_msg_body_t *)(h + 1))->msgh_descriptor_count = m->ndesc;
	for (uint32_t i = 0; i < m->ndesc; i++, d++) {
		if (m->desc[i].kind == DESC_PORT) {
			mach_msg_type_name_t t;
			d->port.type = MACH_MSG_PORT_DESCRIPTOR;
			right_in(&m->desc[i].right, &d->port.name, &t, &b);
			d->port.disposition = (uint8_t)t;
			continue;
		}
		d->out_of_line.type = MACH_MSG_OOL_DESCRIPTOR;
		d->out_of_line.copy = MACH_MSG_VIRTUAL_COPY;
		d->out_of_line.deallocate = 1;	/* our copy moves to the receiver */
		d->out_of_line.size = m->desc[i].size;
		if (m->desc[i].size) {
			vm_address_t a = 0;
			if (vm_allocate(ME, &a, m->desc[i].size, TRUE) != KERN_SUCCESS) {
				d->out_of_line.size = 0;
				xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
				continue;
			}
			memcpy((void *)(uintptr_t)a, m->desc[i].bytes, m->desc[i].size);
			d->out_of_line.address = a;
		}
	}
	if (m->data_len)
		memcpy((uint8_t *)h + size - m->data_len, m->data, m->data_len);
	if (hold_pending(h->msgh_remote_port))
		mr = MACH_SEND_TIMED_OUT;	/* behind the ones held for it: order per port */
	else
		mr = mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, (mach_msg_size_t)size, 0, MACH_PORT_NULL, 0,
			      MACH_PORT_NULL);
	if (mr == MACH_MSG_SUCCESS) {
		xipc_stat[XIPC_STAT_MSGS_IN]++;
		xipc_stat[XIPC_STAT_BYTES_IN] += (uint32_t)in->len;
		goto out;
	}
	if (mr == MACH_SEND_TIMED_OUT && hold(h, size, m)) {
		xipc_stat[XIPC_STAT_BYTES_IN] += (uint32_t)in->len;
		h = NULL;	/* hold.c has it */
		goto out;
	}
	/* refused: nothing moved; undo what was made for it */
	if (mr == MACH_SEND_INVALID_DEST) {
		xipc_stat[XIPC_STAT_R_DEST_DEAD]++;
		if (!(dest_type == MACH_MSG_TYPE_MOVE_SEND_ONCE))
			proxy_dead_name(h->msgh_remote_port);
		send_control(peer, CARRY_NAK, &m->dest);
	} else if (mr == MACH_SEND_TIMED_OUT) {
		xipc_stat[XIPC_STAT_R_DEST_FULL]++;
	} else {
		xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
	}
	for (int i = 0; i < b.nonce; i++)
		mach_port_deallocate(ME, b.once_rights[i]);
	for (int i = 0; i < b.nnew; i++) {
		send_control(b.new_once[i]->gid.node, CARRY_DROP, &b.new_once[i]->gid);
		proxy_destroy(b.new_once[i]);
		xipc_stat[XIPC_STAT_PROXIES_DIED]--;
	}
	for (int i = 0; i < b.ngranted; i++)
		ungrant(b.granted[i]);
	/* a receive right in a message not delivered dies, as on one node: its forwarder's too */
	for (int i = 0; i < b.narrived; i++) {
		struct export *a = b.arrived[i];
		struct gport g;
		mach_port_t port = a->name;
		export_gid(a, &g);
		send_control(b.arrived_from[i], CARRY_NAK, &g);
		export_forget(a);
		mach_port_destroy(ME, port);
	}
	d = (mach_msg_descriptor_t *)((mach_msg_body_t *)(h + 1) + 1);
	for (uint32_t i = 0; i < m->ndesc; i++, d++)
		if (m->desc[i].kind == DESC_OOL && d->out_of_line.address)
			vm_deallocate(ME, d->out_of_line.address, d->out_of_line.size);
	goto out;
undeliverable:
	xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
out:
	free(h);
	free(m);
}

/* DROP: the one-shot proxy of our send-once export was destroyed unused over there. */
static void
drop_once(struct carry_in *in)
{
	struct gport g;
	struct export *e;

	carry_get_gid(in, &g);
	if (in->bad || g.node != cluster_node() || (e = export_by_number(g.port)) == NULL || !e->once ||
	    !gport_check(&g, e->check)) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		return;
	}
	mach_port_t name = e->name;
	export_forget(e);
	mach_port_deallocate(ME, name);	/* its holder gets a send-once notification, as on one node */
}

/* RELEASE: peer's proxy let go of count grants. ADD: peer passed our identity on to a node. */
static void
holders_input(uint32_t peer, uint8_t kind, struct carry_in *in)
{
	struct gport g;
	struct export *e;
	uint32_t n;

	carry_get_gid(in, &g);
	n = carry_get32(in);
	if (in->bad || in->off != in->len || g.node != cluster_node() || n == 0 || n > 0xffff) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		return;
	}
	if ((e = export_by_number(g.port)) == NULL || e->once || !gport_check(&g, e->check)) {
		/* gone already; a node given it now holds a dead identity: its proxy dies */
		if (kind == CARRY_ADD && !e && n != cluster_node())
			send_control(n, CARRY_NAK, &g);
		xipc_stat[e ? XIPC_STAT_R_FORGED : XIPC_STAT_R_NO_PORT]++;
		return;
	}
	if (kind == CARRY_RELEASE)
		export_grant(e, peer, -(int)n);
	else if (n != cluster_node())
		export_grant(e, n, +1);
}

void
proxy_input(uint32_t peer, const uint8_t *payload, size_t len)
{
	struct carry_in in = {.p = payload, .len = len};
	struct gport g;

	switch (carry_get8(&in)) {
	case CARRY_MSG:
		deliver(peer, &in);
		break;
	case CARRY_NAK:
		carry_get_gid(&in, &g);
		if (!in.bad)
			proxy_kill_gid(&g);
		break;
	case CARRY_DROP:
		drop_once(&in);
		break;
	case CARRY_RELEASE:
	case CARRY_ADD:
		holders_input(peer, payload[0], &in);
		break;
	case CARRY_MOVED:
		moved_input(peer, &in);
		break;
	case CARRY_PING:
		break;
	case CARRY_LOOKUP:
	case CARRY_FOUND:
	case CARRY_MISSING:
		lookup_input(peer, payload[0], &in);
		break;
	default:
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		break;
	}
}
