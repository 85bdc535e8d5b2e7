/*
 * Holders of a moved port learn its new home, so that the forwarding at the
 * old home ends (README: Receive rights that move). A port of node A moved
 * to node B; node C holds a proxy of A's old identity A:n:
 *
 *   1. A tells C: REDIRECT(A:n, B:m), when MOVED gives the forwarder B's
 *      identity (to every node holding A:n but B) and again whenever a
 *      message of C's still comes through A:n.
 *   2. C pauses its proxy (out of the loop's port set: its senders' messages
 *      wait in its queue) and sends FLUSH(A:n) to A behind everything it sent
 *      to A:n (the same transport port: in order).
 *   3. A puts a marker into the forwarder's own queue, behind what C sent;
 *      when the forwarder takes it, it goes to B as MARK(B:m, A:n, C) behind
 *      those messages (again the same transport port).
 *   4. B, at the marker, has delivered (or holds, in order) all of C's
 *      messages that went through A: it counts C as a holder of B:m and
 *      tells C: REDIRECTED(A:n, B:m).
 *   5. C's proxy takes B:m, joins the port set again (its queued messages go
 *      straight to B now, after the forwarded ones) and RELEASEs A:n at A.
 *
 * So each sender's order holds across the change. Once every holder has
 * left A:n (and A's own senders are gone) the export goes, the forwarder
 * has no senders and goes too, RELEASEing B's grant. The marker is a message
 * whose reply right is a send right to mark_port, a port only gns has, so no
 * task can forge one. If A cannot queue the marker (the forwarder's queue is
 * full) it answers RESUME, and C goes on through A until the next REDIRECT.
 * Only gns's loop thread runs this.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/xipc.h>
#include "carry.h"
#include "cluster.h"
#include "proxy.h"
#include "proxy_table.h"

#define MARK_ID 0x6d61726b	/* the marker's id; its reply right is what is checked */

static mach_port_t mark_port;

void
redirect_init(void)
{
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &mark_port);
}

/* REDIRECT, REDIRECTED: two identities. */
static void
send_pair(uint32_t peer, enum carry_kind kind, const struct gport *old, const struct gport *new)
{
	struct carry_out o = {0};

	carry_put8(&o, (uint8_t)kind);
	carry_put_gid(&o, old);
	carry_put_gid(&o, new);
	if (!o.failed)
		cluster_send(peer, 0, o.p, o.len);
	carry_out_free(&o);
}

/* The forwarder of e's port, if its move is complete (B's identity known). */
static struct proxy *
forwarder_of(const struct export *e)
{
	struct proxy *p = proxy_by_port(e->name);

	return p && p->moving.node && p->gid.port ? p : NULL;
}

void
redirect_peer(const struct export *e, uint32_t peer)
{
	struct proxy *fwd = e->once ? NULL : forwarder_of(e);
	struct gport old;

	if (!fwd || peer == fwd->gid.node || peer == cluster_node())
		return;
	export_gid(e, &old);
	send_pair(peer, CARRY_REDIRECT, &old, &fwd->gid);
	xipc_stat[XIPC_STAT_REDIRECTS]++;
}

void
redirect_holders(const struct proxy *fwd)
{
	struct export *e = export_by_name(fwd->port);

	for (int i = 0; e && i < EXPORT_HOLDERS; i++)
		if (e->holders[i].node && e->holders[i].balance != 0)
			redirect_peer(e, e->holders[i].node);
}

/* FLUSH(A:n) from C, at A: the marker goes into the forwarder's queue behind C's messages. */
static void
flush_input(uint32_t peer, const struct gport *old)
{
	struct export *e = export_by_number(old->port);
	struct {
		mach_msg_header_t h;
		uint32_t node;
	} m;

	if (!e || e->once || !gport_check(old, e->check)) {
		send_control(peer, CARRY_NAK, old);	/* gone (or never was): C's proxy dies */
		return;
	}
	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	m.h.msgh_size = sizeof m;
	m.h.msgh_remote_port = e->name;
	m.h.msgh_local_port = mark_port;
	m.h.msgh_id = MARK_ID;
	m.node = peer;
	if (!forwarder_of(e) ||
	    mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL) !=
		    MACH_MSG_SUCCESS)
		send_control(peer, CARRY_RESUME, old);	/* C goes on through us for now */
}

bool
redirect_claim(const struct proxy *p, mach_msg_header_t *in)
{
	struct export *e;
	struct gport old;
	struct carry_out o = {0};
	uint32_t node;

	if (in->msgh_id != MARK_ID || in->msgh_remote_port != mark_port ||
	    MACH_MSGH_BITS_REMOTE(in->msgh_bits) != MACH_MSG_TYPE_PORT_SEND)
		return false;
	node = in->msgh_size >= sizeof *in + 4 ? *(uint32_t *)(in + 1) : 0;
	if (p->moving.node && p->gid.port && (e = export_by_name(p->port)) != NULL && node) {
		export_gid(e, &old);
		carry_put8(&o, CARRY_MARK);
		carry_put_gid(&o, &p->gid);
		carry_put_gid(&o, &old);
		carry_put32(&o, node);
		/* on the new identity's transport port: behind the messages forwarded before it */
		if (o.failed || cluster_send(p->gid.node, p->gid.port, o.p, o.len) != 0)
			send_control(node, CARRY_RESUME, &old);
		carry_out_free(&o);
	}
	mach_msg_destroy(in);	/* (our send right to mark_port) */
	return true;
}

/* MARK(B:m, A:n, C) from A, at B: C's forwarded messages are all here; C may come straight. */
static void
mark_input(uint32_t peer, struct carry_in *in)
{
	struct gport new, old;
	struct export *e;
	uint32_t node;

	carry_get_gid(in, &new);
	carry_get_gid(in, &old);
	node = carry_get32(in);
	if (in->bad || in->off != in->len || new.node != cluster_node() || old.node != peer || node == 0 ||
	    node == cluster_node() || node == peer) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		return;
	}
	if ((e = export_by_number(new.port)) == NULL || e->once || !gport_check(&new, e->check)) {
		send_control(node, CARRY_NAK, &old);	/* the port died here meanwhile */
		return;
	}
	export_grant(e, node, +1);	/* before C can RELEASE it */
	send_pair(node, CARRY_REDIRECTED, &old, &new);
}

void
redirect_input(uint32_t peer, uint8_t kind, struct carry_in *in)
{
	struct gport old, new;
	struct proxy *p;

	if (kind == CARRY_MARK) {
		mark_input(peer, in);
		return;
	}
	carry_get_gid(in, &old);
	if (kind != CARRY_FLUSH)
		carry_get_gid(in, &new);
	if (in->bad || in->off != in->len) {
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		return;
	}
	switch (kind) {
	case CARRY_REDIRECT:	/* at C, from A */
		if (old.node != peer || new.node == cluster_node() || (p = proxy_by_gid(&old)) == NULL ||
		    p->redirect.node)
			return;	/* not ours, or a flush already on its way */
		p->redirect = new;
		mach_port_move_member(ME, p->port, MACH_PORT_NULL);
		send_control_on(peer, old.port, CARRY_FLUSH, &old);
		break;
	case CARRY_FLUSH:	/* at A, from C */
		if (old.node != cluster_node()) {
			xipc_stat[XIPC_STAT_R_MALFORMED]++;
			return;
		}
		flush_input(peer, &old);
		break;
	case CARRY_REDIRECTED:	/* at C, from B */
		if (new.node != peer || (p = proxy_by_gid(&old)) == NULL || !gport_equal(&p->redirect, &new)) {
			proxy_release(&new, 1);	/* nobody here waits for it: B may let it go */
			return;
		}
		uint32_t grants = p->grants;
		p->gid = new;
		p->grants = 1;	/* B counted us once, at the marker */
		memset(&p->redirect, 0, sizeof p->redirect);
		mach_port_move_member(ME, p->port, proxy_port_set());
		proxy_release(&old, grants);
		xipc_stat[XIPC_STAT_REDIRECTED]++;
		break;
	}
}
