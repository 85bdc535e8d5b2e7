/*
 * Proxies and exports (proxy.h): the two tables, the holders of each
 * export, forwarders of receive rights that moved away, and the control
 * messages between gns's. A message is carried by claim.c (the sending
 * node's half: proxy_claim) and deliver.c (the home node's: a MSG payload
 * becomes a message sent with mach_msg); lookup.c resolves names on top of
 * proxy_export and proxy_import.
 *
 * Cluster-wide no-senders: an export counts, per node, the identities it
 * granted there less those the node released (a signed balance: a RELEASE
 * may overtake the ADD that grants it). A proxy counts the grants it was
 * given and releases them all when it has no senders left; when every
 * balance is zero the export goes and its send right with it, so the port's
 * receiver gets its no-senders notification once no local sender is left.
 * A port's death tells every holder (a NAK), whose proxies become dead names.
 * Only gns's loop thread runs this.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/xipc.h>
#include "carry.h"
#include "cluster.h"
#include "lookup.h"
#include "proxy.h"
#include "proxy_table.h"
#include "table.h"

/* Grown a chunk at a time (table.h: slots never move); high is the scans' bound. */
static struct table exports = TABLE_INIT(struct export, EXPORT_MAX);
static struct table proxies = TABLE_INIT(struct proxy, PROXY_MAX);
#define EXPORT_AT(i) ((struct export *)table_at(&exports, (i)))
#define PROXY_AT(i) ((struct proxy *)table_at(&proxies, (i)))
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
	redirect_init();
}

mach_port_t
proxy_port_set(void)
{
	return port_set;
}

/* ---- exports ---- */

struct export *
export_by_number(uint32_t number)
{
	for (int i = 0; i < exports.high; i++)
		if (EXPORT_AT(i)->number == number && number != 0)
			return EXPORT_AT(i);
	return NULL;
}

struct export *
export_by_name(mach_port_t name)
{
	for (int i = 0; i < exports.high; i++)
		if (EXPORT_AT(i)->number && !EXPORT_AT(i)->once && EXPORT_AT(i)->name == name)
			return EXPORT_AT(i);
	return NULL;
}

void
export_gid(const struct export *e, struct gport *g)
{
	g->node = cluster_node();
	g->port = e->number;
	g->check = e->check;
}

/* A free export slot (the table grown if it has none), or -1: EXPORT_MAX are in use. */
static int
export_slot(void)
{
	int i;

	for (i = 0; i < exports.cap; i++)
		if (!EXPORT_AT(i)->number)
			return i;
	if (!table_grow(&exports)) {
		xipc_stat[XIPC_STAT_R_TABLE_FULL]++;
		return -1;
	}
	return i;
}

/* Takes the right: a new export for it, or NULL (full; the caller releases the right). */
struct export *
export_new(mach_port_t name, bool once)
{
	mach_port_t prev;
	int i = export_slot();

	if (i >= 0) {
		struct export *e = EXPORT_AT(i);
		uint64_t check = 0;

		while (check == 0)
			cluster_random(&check, sizeof check);
		if (++next_number == 0)
			next_number = 1;
		e->number = next_number;
		if (i >= exports.high)
			exports.high = i + 1;
		e->check = check;
		e->name = name;
		e->once = once;
		/*
		 * The port's death frees the export (proxy_dead_name). Not for a
		 * send-once export (a remote RPC's reply right): its one use, a
		 * DROP or its node's death ends it anyway (a reply to a dead port
		 * is refused and NAKed), and the request cost every remote RPC a
		 * trap and a port-deleted notification when the right moved on.
		 */
		if (!once && mach_port_request_notification(ME, name, MACH_NOTIFY_DEAD_NAME, 1, notify_port,
							    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) == KERN_SUCCESS &&
		    MACH_PORT_VALID(prev))
			mach_port_deallocate(ME, prev);
		return e;
	}
	return NULL;
}

/* Forgets e; its right stays with the caller (moved into a message, or to release). */
void
export_forget(struct export *e)
{
	memset(e, 0, sizeof *e);
	while (exports.high > 0 && !EXPORT_AT(exports.high - 1)->number)
		exports.high--;
}


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
void
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
	for (int i = 0; i < exports.high; i++)
		if (EXPORT_AT(i)->number && EXPORT_AT(i)->name == name) {
			struct export *e = EXPORT_AT(i);
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

struct proxy *
proxy_by_port(mach_port_t port)
{
	if (!MACH_PORT_VALID(port))
		return NULL;
	for (int i = 0; i < proxies.high; i++)
		if (PROXY_AT(i)->gid.node && PROXY_AT(i)->port == port)
			return PROXY_AT(i);
	return NULL;
}


int
proxy_room(uint32_t node)
{
	int mine = 0, used = 0;

	for (int i = 0; i < proxies.high; i++)
		if (PROXY_AT(i)->gid.node) {
			used++;
			mine += PROXY_AT(i)->gid.node == node;
		}
	if (mine >= PROXY_NODE_MAX) {
		xipc_stat[XIPC_STAT_R_NODE_SHARE]++;
		return XIPC_E_NODE_FULL;
	}
	if (used >= PROXY_MAX) {
		xipc_stat[XIPC_STAT_R_TABLE_FULL]++;
		return XIPC_E_FULL;
	}
	return 0;
}

/* A free proxy slot for one of node's ports (the table grown if need be), or NULL: proxy_room says why. */
static struct proxy *
proxy_slot(uint32_t node)
{
	int i;

	if (proxy_room(node) != 0)
		return NULL;
	for (i = 0; i < proxies.cap; i++)
		if (!PROXY_AT(i)->gid.node)
			break;
	if (i == proxies.cap && !table_grow(&proxies)) {
		xipc_stat[XIPC_STAT_R_TABLE_FULL]++;
		return NULL;	/* (no memory for a chunk) */
	}
	if (i >= proxies.high)
		proxies.high = i + 1;
	return PROXY_AT(i);
}

struct proxy *
proxy_by_gid(const struct gport *g)
{
	for (int i = 0; i < proxies.high; i++) {
		struct proxy *p = PROXY_AT(i);
		if (p->gid.node && !p->once && p->gid.port && gport_equal(&p->gid, g))
			return p;
	}
	return NULL;
}

/* Ports of used one-shot proxies: in the port set, with no right and nothing queued. */
static mach_port_t once_pool[ONCE_POOL];
static int once_pooled;

void
proxy_once_done(struct proxy *p)
{
	mach_port_t port = p->port;

	memset(p, 0, sizeof *p);
	while (proxies.high > 0 && !PROXY_AT(proxies.high - 1)->gid.node)
		proxies.high--;
	if (once_pooled < ONCE_POOL)
		once_pool[once_pooled++] = port;
	else
		mach_port_mod_refs(ME, port, MACH_PORT_RIGHT_RECEIVE, -1);
}

/* The proxy for g (a send proxy, made if there is none), or NULL when full. */
struct proxy *
proxy_get(const struct gport *g, bool once)
{
	struct proxy *free_slot;
	mach_port_t port, prev;

	for (int i = 0; !once && i < proxies.high; i++) {
		struct proxy *p = PROXY_AT(i);
		if (p->gid.node && !p->once && p->gid.port && gport_equal(&p->gid, g))
			return p;
	}
	if ((free_slot = proxy_slot(g->node)) == NULL)
		return NULL;
	if (once && once_pooled > 0) {
		free_slot->gid = *g;	/* a used one-shot proxy's port, ready as it is */
		free_slot->port = once_pool[--once_pooled];
		free_slot->once = true;
		free_slot->grants = 0;
		return free_slot;
	}
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS)
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
	free_slot->port = port;
	free_slot->once = once;
	free_slot->grants = 0;
	return free_slot;
}

/* Its holders' rights become dead names (with their dead-name notifications). */
void
proxy_destroy(struct proxy *p)
{
	mach_port_t port = p->port;

	memset(p, 0, sizeof *p);
	while (proxies.high > 0 && !PROXY_AT(proxies.high - 1)->gid.node)
		proxies.high--;
	mach_port_mod_refs(ME, port, MACH_PORT_RIGHT_RECEIVE, -1);
	xipc_stat[XIPC_STAT_PROXIES_DIED]++;
}

int
proxy_node_died(uint32_t node)
{
	int n = 0;

	for (int i = 0; i < proxies.high; i++)
		if (PROXY_AT(i)->gid.node == node) {
			proxy_destroy(PROXY_AT(i));
			n++;
		}
	/* the replies it owed will not come: their waiters hear it now (a send-once notification) */
	for (int i = 0; i < exports.high; i++)
		if (EXPORT_AT(i)->number && EXPORT_AT(i)->once && EXPORT_AT(i)->peer == node) {
			mach_port_t name = EXPORT_AT(i)->name;
			export_forget(EXPORT_AT(i));
			mach_port_deallocate(ME, name);
		}
	/* what it held is let go: an export nobody else holds goes (cluster-wide no-senders) */
	for (int i = 0; i < exports.high; i++) {
		struct export *e = EXPORT_AT(i);
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
	for (int i = 0; i < proxies.high; i++)
		if (PROXY_AT(i)->gid.node && (gport_equal(&PROXY_AT(i)->gid, g) ||
					    (!PROXY_AT(i)->gid.port && gport_equal(&PROXY_AT(i)->moving, g))))
			proxy_destroy(PROXY_AT(i));
}

int
proxy_count(uint32_t node)
{
	int n = 0;

	for (int i = 0; i < proxies.high; i++)
		if (PROXY_AT(i)->gid.node && (node == 0 || PROXY_AT(i)->gid.node == node))
			n++;
	return n;
}

int
proxy_forwarder_count(void)
{
	int n = 0;

	for (int i = 0; i < proxies.high; i++)
		n += PROXY_AT(i)->gid.node && PROXY_AT(i)->moving.node;
	return n;
}

int
proxy_export_count(void)
{
	int n = 0;

	for (int i = 0; i < exports.high; i++)
		if (EXPORT_AT(i)->number)
			n++;
	return n;
}

int
proxy_records(uint32_t *words, int max)
{
	int n = 0;

	for (int i = 0; i < proxies.high; i++) {
		if (!PROXY_AT(i)->gid.node)
			continue;
		if (n < max) {
			uint32_t *w = words + n * XIPC_PROXY_WORDS;
			w[XIPC_PROXY_KIND] = XIPC_KIND_PROXY;
			w[XIPC_PROXY_NODE] = PROXY_AT(i)->gid.node;
			w[XIPC_PROXY_NUMBER] = PROXY_AT(i)->gid.port;
			w[XIPC_PROXY_NAME] = PROXY_AT(i)->port;
			w[XIPC_PROXY_ONCE] = PROXY_AT(i)->once;
		}
		n++;
	}
	for (int i = 0; i < exports.high; i++) {
		if (!EXPORT_AT(i)->number)
			continue;
		if (n < max) {
			uint32_t *w = words + n * XIPC_PROXY_WORDS;
			w[XIPC_PROXY_KIND] = XIPC_KIND_EXPORT;
			w[XIPC_PROXY_NODE] = cluster_node();
			w[XIPC_PROXY_NUMBER] = EXPORT_AT(i)->number;
			w[XIPC_PROXY_NAME] = EXPORT_AT(i)->name;
			w[XIPC_PROXY_ONCE] = EXPORT_AT(i)->once;
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
		int err = proxy_room(g->node);
		if (granted)
			proxy_release(g, 1);
		return err ? err : XIPC_E_FULL;
	}
	if (granted)
		p->grants++;
	*port = p->port;
	*make_send = true;
	return 0;
}

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
struct proxy *
move_out(mach_port_t name, uint32_t dest_node, struct gport *g, mach_port_t *request)
{
	struct proxy *p;

	*request = MACH_PORT_NULL;
	if (dest_node == 0 || (p = proxy_slot(dest_node)) == NULL)
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
	mach_port_set_qlimit(ME, name, MACH_PORT_QLIMIT_MAX);
	/* the receiver's no-senders request moves with the right (the new home asks it again) */
	if (mach_port_request_notification(ME, name, MACH_NOTIFY_NO_SENDERS, 0, MACH_PORT_NULL,
					   MACH_MSG_TYPE_MAKE_SEND_ONCE, request) != KERN_SUCCESS)
		*request = MACH_PORT_NULL;
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
	for (int i = 0; i < proxies.high; i++) {
		struct proxy *p = PROXY_AT(i);
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
			return;
		}
		redirect_holders(p);	/* the other nodes holding the port learn where it went */
		return;
	}
	xipc_stat[XIPC_STAT_R_NO_PORT]++;
	proxy_release(&new, 1);	/* nobody waits for it here: the new home may let it go */
}

void
send_control(uint32_t peer, enum carry_kind kind, const struct gport *g)
{
	struct carry_out o = {0};

	carry_put8(&o, (uint8_t)kind);
	carry_put_gid(&o, g);
	if (!o.failed)
		cluster_send(peer, 0, o.p, o.len);
	carry_out_free(&o);
}

void
send_control_on(uint32_t peer, uint32_t tport, enum carry_kind kind, const struct gport *g)
{
	struct carry_out o = {0};

	carry_put8(&o, (uint8_t)kind);
	carry_put_gid(&o, g);
	if (!o.failed)
		cluster_send(peer, tport, o.p, o.len);
	carry_out_free(&o);
}

void
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

/*
 * Back-pressure from g's home: our proxy of g leaves the loop's port set
 * (paused) or joins it again. Paused, its queue fills and its senders wait
 * or time out as they asked, as at a full local port.
 */
static void
pause_proxy(const struct gport *g, bool pause)
{
	for (int i = 0; i < proxies.high; i++) {
		struct proxy *p = PROXY_AT(i);
		if (!p->gid.node || p->once || !p->gid.port || !gport_equal(&p->gid, g))
			continue;
		mach_port_move_member(ME, p->port, pause ? MACH_PORT_NULL : port_set);
		xipc_stat[pause ? XIPC_STAT_PAUSED : XIPC_STAT_RESUMED]++;	/* (the fill case asserts both) */
		if (!pause)	/* a redirection waiting for its flush ends too: we go on through the old home */
			memset(&p->redirect, 0, sizeof p->redirect);
	}
}

void
proxy_input(uint32_t peer, const uint8_t *payload, size_t len)
{
	struct carry_in in = {.p = payload, .len = len};
	struct gport g;

	switch (carry_get8(&in)) {
	case CARRY_MSG:
		proxy_deliver(peer, &in);
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
	case CARRY_PAUSE:
	case CARRY_RESUME:
		carry_get_gid(&in, &g);
		if (in.bad || in.off != in.len || g.node != peer) {
			xipc_stat[XIPC_STAT_R_MALFORMED]++;
			break;
		}
		pause_proxy(&g, payload[0] == CARRY_PAUSE);
		break;
	case CARRY_REDIRECT:
	case CARRY_FLUSH:
	case CARRY_MARK:
	case CARRY_REDIRECTED:
		redirect_input(peer, payload[0], &in);
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
