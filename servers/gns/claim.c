/*
 * The sending node's half of carrying a message (proxy.h): a message that
 * came to a proxy is taken whole (proxy_claim), its rights turned into
 * global identities (exports granted to the destination's node, identities
 * of other nodes' ports passed on with an ADD to their homes, receive rights
 * leaving forwarders behind) and its out-of-line memory into bytes, and sent
 * by the transport to the home node (deliver.c). Only gns's loop thread runs this.
 *
 * A region of CLAIM_LEND_MIN bytes or more is not copied: the transport reads
 * it where the kernel put it in gns's space, fragment by fragment as its
 * window lets them go (xport_send_parts), and it is deallocated when the
 * home has acknowledged all of it (lent_done). So 16 MiB out of line cost
 * gns the message's own pages and a few hundred bytes, not a second copy.
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
#include "proxy.h"
#include "proxy_table.h"

/*
 * What the message being carried changed: send-once exports made, grants
 * of send exports to the destination node (undone if it cannot go), and
 * identities of other nodes' ports it passes on (their homes hear an ADD
 * once it went).
 */
struct made {
	struct export *e[2 * CARRY_RIGHTS_MAX];	/* (a receive right may bring its no-senders request's) */
	int n;
	struct export *granted[CARRY_RIGHTS_MAX];
	int ngranted;
	struct gport passed[CARRY_RIGHTS_MAX];
	int npassed;
	struct proxy *moved[CARRY_RIGHTS_MAX];	/* receive rights carried away: forwarders */
	int nmoved;
};

/* A right of the received message, as it will travel; the right itself is taken. */
static enum carry_right
right_out(mach_port_t name, mach_msg_type_name_t type, struct gport *g, struct made *made, uint32_t dest_node,
	  struct carry_ns *ns)
{
	struct proxy *p;
	struct export *e;
	mach_port_t request;

	ns->kind = RIGHT_NULL;
	if (name == MACH_PORT_NULL)
		return RIGHT_NULL;
	if (name == MACH_PORT_DEAD)
		return RIGHT_DEAD;
	if (type == MACH_MSG_TYPE_PORT_RECEIVE) {
		if ((p = move_out(name, dest_node, g, &request)) == NULL) {
			/* no room to forward: the port dies here, as in a destroyed message */
			xipc_stat[XIPC_STAT_R_RECEIVE_RIGHT]++;
			mach_port_mod_refs(ME, name, MACH_PORT_RIGHT_RECEIVE, -1);
			return RIGHT_NULL;
		}
		made->moved[made->nmoved++] = p;
		/* the receiver's no-senders request goes along: its send-once right, exported */
		if (MACH_PORT_VALID(request)) {
			if ((e = export_new(request, true)) != NULL) {
				made->e[made->n++] = e;
				ns->kind = RIGHT_ONCE;
				export_gid(e, &ns->gid);
			} else {
				mach_port_deallocate(ME, request);	/* (its notify port hears send-once) */
			}
		}
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


#define CLAIM_LEND_MIN (16 * 1024)

/* The lent regions go back to the kernel. */
static void
lent_release(struct carry_out *o)
{
	for (int i = 0; i < o->nlent; i++)
		vm_deallocate(ME, (vm_address_t)(uintptr_t)o->lent[i].p, o->lent[i].len);
}

/* ...and the buffer is freed. */
static void
lent_free(struct carry_out *o)
{
	lent_release(o);
	carry_out_free(o);
}

/* The transport is done with a lent message (acknowledged, or dropped with its peer). */
static void
lent_done(void *ctx, void *arg)
{
	struct carry_out *o = arg;

	(void)ctx;
	lent_free(o);
	free(o);
}

/* Sends o, lending its regions when it has any (then o's contents belong to the transport). */
static int
send_carried(uint32_t node, uint32_t port, struct carry_out *o)
{
	struct xport_part parts[2 * CARRY_LENT_MAX + 1];
	struct carry_out *kept;
	int err;

	if (!o->nlent)
		return cluster_send(node, port, o->p, o->len);
	if ((kept = malloc(sizeof *kept)) == NULL)
		return XPORT_E_NOMEM;
	*kept = *o;
	err = cluster_send_parts(node, port, parts, carry_parts(kept, parts), lent_done, kept);
	if (err != 0) {
		free(kept);
		return err;
	}
	carry_out_reset(o);	/* lent_done frees it all */
	return 0;
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
	struct carry_ns ns;
	enum carry_right r;
	bool ok = true;

	carry_put8(o, CARRY_MSG);
	carry_put_gid(o, &p->gid);
	carry_put32(o, (uint32_t)in->msgh_id);
	carry_put8(o, (in->msgh_bits & MACH_MSGH_BITS_COMPLEX) ? 1 : 0);
	r = right_out(in->msgh_remote_port, MACH_MSGH_BITS_REMOTE(in->msgh_bits), &g, made, p->gid.node, &ns);
	carry_put_right_ns(o, r, &g, &ns);
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
			r = right_out(d->port.name, d->port.disposition, &g, made, p->gid.node, &ns);
			carry_put_right_ns(o, r, &g, &ns);
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
		case MACH_MSG_OOL_VOLATILE_DESCRIPTOR:
			carry_put8(o, DESC_OOL);
			carry_put32(o, d->out_of_line.size);
			if (d->out_of_line.size >= CLAIM_LEND_MIN) {
				carry_lend(o, (const void *)(uintptr_t)d->out_of_line.address, d->out_of_line.size);
			} else if (d->out_of_line.size) {
				carry_put_bytes(o, (const void *)(uintptr_t)d->out_of_line.address, d->out_of_line.size);
				vm_deallocate(ME, d->out_of_line.address, d->out_of_line.size);
			}
			break;
		case MACH_MSG_OOL_PORTS_DESCRIPTOR: {
			/* each right as a port descriptor's (the array's memory goes) */
			mach_port_t *names = (mach_port_t *)(uintptr_t)d->ool_ports.address;
			carry_put8(o, DESC_PORTS);
			carry_put32(o, names ? d->ool_ports.count : 0);
			for (mach_msg_size_t j = 0; names && j < d->ool_ports.count; j++) {
				r = right_out(names[j], d->ool_ports.disposition, &g, made, p->gid.node, &ns);
				carry_put_right_ns(o, r, &g, &ns);
			}
			if (names && d->ool_ports.count)
				vm_deallocate(ME, d->ool_ports.address, d->ool_ports.count * sizeof(mach_port_t));
			break;
		}
		default:
			ok = false;	/* no other kind comes from the kernel */
			break;
		}
	}
	carry_put32(o, size > off ? size - off : 0);
	if (size > off)
		carry_put_bytes(o, (const uint8_t *)in + off, size - off);
	return ok && !o->failed;
}

/* The rights a message carries: the header's two, its port descriptors, its arrays' entries. */
static uint32_t
rights_in(const mach_msg_header_t *in, mach_msg_size_t ndesc)
{
	const mach_msg_descriptor_t *d = (const mach_msg_descriptor_t *)((const mach_msg_body_t *)(in + 1) + 1);
	uint32_t n = 2;

	for (mach_msg_size_t i = 0; i < ndesc; i++, d++)
		if (d->type.type == MACH_MSG_PORT_DESCRIPTOR)
			n++;
		else if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
			n += d->ool_ports.count > CARRY_RIGHTS_MAX ? CARRY_RIGHTS_MAX + 1 : d->ool_ports.count;
	return n;
}

/* Within what a home decodes: descriptors, rights and inline bytes. */
static bool
carriable(const mach_msg_header_t *in)
{
	mach_msg_size_t ndesc = 0, off = sizeof *in;

	if (in->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		ndesc = ((const mach_msg_body_t *)(in + 1))->msgh_descriptor_count;
		off += sizeof(mach_msg_body_t) + ndesc * sizeof(mach_msg_descriptor_t);
	}
	if (ndesc > CARRY_DESC_MAX || off > in->msgh_size || in->msgh_size - off > CARRY_INLINE_MAX)
		return false;
	if (rights_in(in, ndesc) > CARRY_RIGHTS_MAX) {
		xipc_stat[XIPC_STAT_R_PORT_ARRAY]++;	/* arrays with more rights than a home takes */
		return false;
	}
	return true;
}

bool
proxy_claim(mach_msg_header_t *in)
{
	struct proxy *p = proxy_by_port(in->msgh_local_port);
	static struct carry_out o;	/* (large: only gns's loop thread claims) */
	static struct made made;	/* (large: only gns's loop thread claims) */
	struct gport gid;
	int err;

	if (!p)
		return false;
	made.n = made.ngranted = made.npassed = made.nmoved = 0;
	carry_out_rewind(&o);	/* (the last claim's buffer, kept) */
	/* a one-shot proxy asks none for itself: one it gets is a moved request's, carried home */
	if (!p->once && is_notification(in, MACH_NOTIFY_NO_SENDERS, offsetof(mach_no_senders_notification_t, trailer))) {
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
	if (p->moving.node && redirect_claim(p, in))
		return true;	/* a redirection's marker through a forwarder */
	gid = p->gid;
	if (p->once && is_notification(in, MACH_NOTIFY_SEND_ONCE, offsetof(mach_send_once_notification_t, trailer))) {
		/* the send-once right we gave was destroyed unused: so must the home's be */
		proxy_once_done(p);
		send_control(gid.node, CARRY_DROP, &gid);
		mach_msg_destroy(in);
		return true;
	}
	if (p->once)
		proxy_once_done(p);	/* its one message came */
	if (!carriable(in)) {
		/* the home would refuse it: refused here, its rights released (a waiting caller hears at once) */
		xipc_stat[XIPC_STAT_R_MALFORMED]++;
		mach_msg_destroy(in);
		return true;
	}
	bool encoded = encode(&(struct proxy){ .gid = gid }, in, &o, &made);
	size_t bytes = o.len + o.lent_bytes;
	if (!encoded || (err = send_carried(gid.node, gid.port, &o)) != 0) {
		xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
		made_release(&made, gid.node);
	} else {
		for (int i = 0; i < made.n; i++)
			made.e[i]->peer = gid.node;
		/* after the message, before our own proxy's RELEASE can follow: both go on port 0, in order */
		for (int i = 0; i < made.npassed; i++)
			send_add(&made.passed[i], gid.node);
		xipc_stat[XIPC_STAT_MSGS_OUT]++;
		xipc_stat[XIPC_STAT_BYTES_OUT] += (uint32_t)bytes;
	}
	lent_release(&o);	/* (none left when it went lent) */
	carry_out_rewind(&o);	/* the buffer stays for the next claim */
	return true;
}

