/*
 * The home node's half of carrying a message (proxy.h): a MSG payload is
 * checked whole (decode), then built into a Mach message (identities of our
 * ports become the ports, others proxies, receive rights new ports whose old
 * home hears MOVED) and sent with a zero timeout; a full queue holds it
 * (hold.c), any other refusal undoes what was made for it. Only gns's loop
 * thread runs this.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/msg.h>
#include <manifold/xipc.h>
#include "carry.h"
#include "cluster.h"
#include "hold.h"
#include "proxy.h"
#include "proxy_table.h"

struct right_in {
	enum carry_right kind;
	struct gport gid;
	struct carry_ns ns;	/* RIGHT_RECEIVE: its receiver's no-senders request, if any */
};

struct decoded {
	struct gport dest;
	uint32_t id;
	bool complex;
	struct right_in reply;
	uint32_t ndesc;
	struct {
		uint8_t kind;		/* DESC_PORT, DESC_OOL or DESC_PORTS */
		struct right_in right;	/* DESC_PORT */
		const uint8_t *bytes;	/* DESC_OOL: size bytes */
		uint32_t size;
		uint32_t first, count;	/* DESC_PORTS: arr[first .. first + count) */
		enum carry_right array_kind;	/* DESC_PORTS: its entries' kind (NULL: none but null and dead) */
	} desc[CARRY_DESC_MAX];		/* [0, ndesc) cleared as decode reads them */
	const uint8_t *data;
	uint32_t data_len;
	uint32_t narr;
	struct right_in arr[CARRY_RIGHTS_MAX];	/* the arrays' entries (last: not cleared per message) */
};

/* An array's entries, all of one kind but null and dead ones: false if mixed. */
static bool
decode_array(struct carry_in *in, struct decoded *m, uint32_t i)
{
	uint32_t count = carry_get32(in);

	if (count > CARRY_RIGHTS_MAX - m->narr)
		return false;
	m->desc[i].first = m->narr;
	m->desc[i].count = count;
	m->desc[i].array_kind = RIGHT_NULL;
	for (uint32_t j = 0; j < count && !in->bad; j++) {
		struct right_in *r = &m->arr[m->narr++];
		r->kind = carry_get_right_ns(in, &r->gid, &r->ns);
		if (r->kind == RIGHT_NULL || r->kind == RIGHT_DEAD)
			continue;
		if (m->desc[i].array_kind != RIGHT_NULL && m->desc[i].array_kind != r->kind)
			return false;
		m->desc[i].array_kind = r->kind;
	}
	return !in->bad;
}

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
		memset(&m->desc[i], 0, sizeof m->desc[i]);
		m->desc[i].kind = carry_get8(in);
		if (m->desc[i].kind == DESC_PORT) {
			m->desc[i].right.kind = carry_get_right_ns(in, &m->desc[i].right.gid, &m->desc[i].right.ns);
		} else if (m->desc[i].kind == DESC_OOL) {
			m->desc[i].size = carry_get32(in);
			m->desc[i].bytes = carry_get_bytes(in, m->desc[i].size);
		} else if (m->desc[i].kind != DESC_PORTS || !decode_array(in, m, i)) {
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
		else if (m->desc[i].kind == DESC_PORTS)
			ool += m->desc[i].count * sizeof(mach_port_t);	/* (its rights are ours already) */
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
	for (uint32_t j = 0; j < m->narr; j++)
		if (m->arr[j].kind == RIGHT_RECEIVE && m->arr[j].gid.node != peer)
			return false;
	return true;
}

/* What was made for a message being built, undone if mach_msg refuses it. */
struct built {
	mach_port_t once_rights[CARRY_RIGHTS_MAX];	/* send-once rights taken out of exports */
	int nonce;
	struct proxy *new_once[2 * CARRY_RIGHTS_MAX];	/* one-shot proxies made for it (and moved requests') */
	int nnew;
	struct proxy *granted[CARRY_RIGHTS_MAX];	/* send proxies counted a grant for it */
	int ngranted;
	struct export *arrived[CARRY_RIGHTS_MAX];	/* receive rights that moved here */
	uint32_t arrived_from[CARRY_RIGHTS_MAX];
	int narrived;
	mach_port_t owned[CARRY_RIGHTS_MAX];	/* rights of our own made for arrays (own_right) */
	int nowned;
};

/*
 * The no-senders request that came with a receive right: asked again on the
 * new port, its notification to a one-shot proxy of the old receiver's
 * send-once right (so it crosses back to where the receiver asked for it).
 */
static void
request_no_senders(mach_port_t port, const struct gport *once, struct built *b)
{
	struct proxy *q = proxy_get(once, true);
	mach_port_t prev;

	if (!q) {
		send_control(once->node, CARRY_DROP, once);	/* its notify port hears send-once instead */
		return;
	}
	if (mach_port_request_notification(ME, port, MACH_NOTIFY_NO_SENDERS, 1, q->port, MACH_MSG_TYPE_MAKE_SEND_ONCE,
					   &prev) != KERN_SUCCESS) {
		proxy_destroy(q);	/* its no-senders (none) sends DROP home */
		xipc_stat[XIPC_STAT_PROXIES_DIED]--;
		send_control(once->node, CARRY_DROP, once);
		return;
	}
	if (MACH_PORT_VALID(prev))
		mach_port_deallocate(ME, prev);
	b->new_once[b->nnew++] = q;
	xipc_stat[XIPC_STAT_REQUESTS_MOVED]++;
}

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
	if (r->ns.kind == RIGHT_ONCE)
		request_no_senders(port, &r->ns.gid, b);
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
	for (uint32_t j = 0; j < m->narr; j++)
		drop_right(&m->arr[j]);
}

/*
 * An out-of-line array of rights: one disposition for all, so every entry
 * becomes a right of our own first (own_right), moved: MOVE_SEND,
 * MOVE_SEND_ONCE or MOVE_RECEIVE as the array's kind says.
 */
static void
build_array(const struct decoded *m, uint32_t i, mach_msg_descriptor_t *d, struct built *b)
{
	static const mach_msg_type_name_t moved[] = {
		[RIGHT_NULL] = MACH_MSG_TYPE_MOVE_SEND, [RIGHT_DEAD] = MACH_MSG_TYPE_MOVE_SEND,
		[RIGHT_SEND] = MACH_MSG_TYPE_MOVE_SEND, [RIGHT_ONCE] = MACH_MSG_TYPE_MOVE_SEND_ONCE,
		[RIGHT_RECEIVE] = MACH_MSG_TYPE_MOVE_RECEIVE,
	};
	vm_address_t a = 0;
	mach_port_t *names;

	d->ool_ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	d->ool_ports.copy = MACH_MSG_VIRTUAL_COPY;
	d->ool_ports.deallocate = 1;	/* our array moves to the receiver */
	d->ool_ports.disposition = (uint8_t)moved[m->desc[i].array_kind];
	d->ool_ports.count = 0;
	if (m->desc[i].count == 0 ||
	    vm_allocate(ME, &a, m->desc[i].count * sizeof(mach_port_t), TRUE) != KERN_SUCCESS) {
		if (m->desc[i].count)
			xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;	/* (its grants are not given back: a leak, counted) */
		return;
	}
	names = (mach_port_t *)(uintptr_t)a;
	for (uint32_t j = 0; j < m->desc[i].count; j++) {
		mach_msg_type_name_t t;
		mach_port_t name;
		right_in(&m->arr[m->desc[i].first + j], &name, &t, b);
		if (t == MACH_MSG_TYPE_COPY_SEND || t == MACH_MSG_TYPE_MAKE_SEND || t == MACH_MSG_TYPE_MAKE_SEND_ONCE) {
			if (MACH_PORT_VALID(name) && !own_right(&name, &t)) {
				xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
				name = MACH_PORT_NULL;
			} else if (MACH_PORT_VALID(name)) {
				b->owned[b->nowned++] = name;
			}
		}
		names[j] = name;
	}
	d->ool_ports.address = a;
	d->ool_ports.count = m->desc[i].count;
}

/*
 * The built message's buffer: one of BUILT_SPARE bytes is kept for the next
 * (a calloc and a free a message cost about 350 instructions), unless hold.c
 * took it with its message.
 */
#define BUILT_SPARE 256
static mach_msg_header_t *built_spare;

static mach_msg_header_t *
built_alloc(size_t size)
{
	mach_msg_header_t *h = built_spare;

	if (size > BUILT_SPARE)
		return calloc(1, size);
	if (!h)
		return calloc(1, BUILT_SPARE);
	built_spare = NULL;
	memset(h, 0, size);
	return h;
}

static void
built_free(mach_msg_header_t *h, size_t size)
{
	if (h && size <= BUILT_SPARE && !built_spare)
		built_spare = h;
	else
		free(h);
}

/*
 * A remote RPC's reply (a message moving only its send-once destination)
 * goes with the loop's next receive, one trap for both (libmsg's
 * msg_send_once_with_receive): no full queue refuses it, only its port's
 * death, which once_later_failed then undoes as a refused send is undone
 * below. Counted when it is queued. Only gns's loop thread delivers, one
 * such message at a time.
 */
static struct {
	uint32_t peer;
	struct gport dest;
	uint32_t bytes;
} once_later;

static void
once_later_failed(mach_msg_header_t *h, mach_msg_return_t mr, void *arg)
{
	(void)arg;
	xipc_stat[XIPC_STAT_MSGS_IN]--;
	xipc_stat[XIPC_STAT_BYTES_IN] -= once_later.bytes;
	if (mr == MACH_SEND_INVALID_DEST) {
		xipc_stat[XIPC_STAT_R_DEST_DEAD]++;
		send_control(once_later.peer, CARRY_NAK, &once_later.dest);
	} else {
		xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
	}
	mach_port_deallocate(ME, h->msgh_remote_port);	/* the send-once right (a dead name now) */
}

/* The message moves its destination's send-once right and nothing else: it may wait for the receive. */
static bool
send_once_later(mach_msg_header_t *h, const struct built *b, uint32_t peer, const struct decoded *m, size_t bytes)
{
	if (b->nonce != 1 || b->nnew || b->ngranted || b->narrived || b->nowned ||
	    !msg_send_once_with_receive(h, once_later_failed, NULL))
		return false;
	once_later.peer = peer;
	once_later.dest = m->dest;
	once_later.bytes = (uint32_t)bytes;
	return true;
}

void
proxy_deliver(uint32_t peer, struct carry_in *in)
{
	static struct decoded dm;	/* (20 KiB: only gns's loop thread delivers, and nothing keeps it) */
	struct decoded *m = &dm;
	static struct built b;	/* (large: only gns's loop thread delivers) */
	struct export *e;
	mach_msg_header_t *h = NULL;
	mach_msg_descriptor_t *d;
	mach_msg_type_name_t dest_type, reply_type;
	mach_port_t reply;
	size_t size = 0;
	mach_msg_return_t mr;

	b.nonce = b.nnew = b.ngranted = b.narrived = b.nowned = 0;
	memset(m, 0, offsetof(struct decoded, desc));	/* decode clears each descriptor it reads */
	m->data = NULL;
	m->data_len = m->narr = 0;
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
	redirect_peer(e, peer);	/* a port that moved on: the sender may go straight there */
	size = sizeof *h + (m->complex ? sizeof(mach_msg_body_t) + m->ndesc * sizeof *d : 0) + m->data_len;
	if ((h = built_alloc(size)) == NULL)
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
		if (m->desc[i].kind == DESC_PORTS) {
			build_array(m, i, d, &b);
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
	else if (dest_type == MACH_MSG_TYPE_MOVE_SEND_ONCE && send_once_later(h, &b, peer, m, in->len))
		mr = MACH_MSG_SUCCESS;
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
		hold_note_sender(h->msgh_remote_port, &m->dest, peer);
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
	/* the arrays' own rights first, so that a proxy they alone held is seen unheld below */
	for (int i = 0; i < b.nowned; i++)
		mach_port_deallocate(ME, b.owned[i]);
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
		else if (m->desc[i].kind == DESC_PORTS && d->ool_ports.address)
			vm_deallocate(ME, d->ool_ports.address, d->ool_ports.count * sizeof(mach_port_t));
	goto out;
undeliverable:
	xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
out:
	built_free(h, size);
}

