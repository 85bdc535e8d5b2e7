/*
 * Registrations as ports (registration.h). A socket bound under a
 * registration (socket_bind_registered) holds one of its send rights, so the
 * registration lasts as long as the socket. Frames of a registered EtherType
 * wait in the registration's queue, copied out of lwIP's pbufs, until the
 * client asks for them; a request that finds none waits (msg_defer).
 */
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip_hooks.h"
#include "gns_server.h"
#include "registration.h"
#include "sock.h"

#define ME mach_task_self()
#define ETH_HDR 14

struct frame {
	struct frame *next;
	uint32_t len;
	uint8_t data[];
};

struct registration {
	mach_port_t port;	/* receive right, in the set; NULL: a free slot */
	struct reg *reg;
	struct frame *q, *q_tail;	/* EtherType: frames not taken yet */
	int nq;
	uint32_t q_bytes;		/* their bytes, at most GNS_SOCK_QUEUE_BYTES */
	struct client *owner;
};

static struct registration registrations[REG_MAX];
static mach_port_t service;

static struct registration *
find(mach_port_t port)
{
	for (int i = 0; i < REG_MAX; i++)
		if (MACH_PORT_VALID(port) && registrations[i].port == port)
			return &registrations[i];
	return NULL;
}

struct reg *
registration_find(mach_port_t port)
{
	struct registration *r = find(port);

	return r ? r->reg : NULL;
}

/* lwIP's hook: a frame of a type lwIP does not handle. Ours to free once taken. */
static err_t
ether_input(struct pbuf *p, struct netif *netif)
{
	struct registration *r;
	struct reg *reg;
	struct frame *f;

	if (p->tot_len < ETH_HDR)
		return ERR_VAL;
	reg = reg_find(GNS_PROTO_ETHER, (uint32_t)((const uint8_t *)p->payload)[12] << 8 |
						((const uint8_t *)p->payload)[13]);
	if (!reg)
		return ERR_VAL;	/* nobody registered it: lwIP drops it */
	r = reg->holder;
	if (r->nq >= REGISTRATION_FRAMES || r->q_bytes + p->tot_len > GNS_SOCK_QUEUE_BYTES ||
	    (f = malloc(sizeof *f + p->tot_len)) == NULL) {
		pbuf_free(p);
		return ERR_OK;
	}
	f->next = NULL;
	f->len = pbuf_copy_partial(p, f->data, p->tot_len, 0);
	pbuf_free(p);
	if (r->q_tail)
		r->q_tail->next = f;
	else
		r->q = f;
	r->q_tail = f;
	r->nq++;
	r->q_bytes += f->len;
	sock_wake(r);
	return ERR_OK;
}

void
registration_init(mach_port_t service_port)
{
	service = service_port;
	ether_hook_fn = ether_input;
}

kern_return_t
gns_do_gns_register(mach_port_t server, uint32_t proto, uint32_t number, mach_port_t owner,
		    mach_port_t *registration)
{
	struct registration *r = NULL;
	struct client *c;
	int err;

	if (server != service)
		return SOCK_EOPNOTSUPP;	/* asked of a socket or a registration, not the service */
	if ((err = client_get(owner, &c)) != 0)
		return err;
	if ((err = reg_check(proto, number)) != 0 || (err = client_charge_registration(c)) != 0)
		goto fail;
	err = SOCK_EADDRINUSE;
	if (reg_find(proto, number))
		goto fail_charged;
	for (int i = 0; i < REG_MAX && !r; i++)
		if (!MACH_PORT_VALID(registrations[i].port))
			r = &registrations[i];
	err = SOCK_ENOBUFS;
	if (!r || (r->port = sock_port_in_set()) == MACH_PORT_NULL)
		goto fail_charged;
	if ((err = reg_claim(proto, number, r, &r->reg)) != 0) {
		mach_port_destroy(ME, r->port);
		r->port = MACH_PORT_NULL;
		goto fail_charged;
	}
	r->owner = c;
	*registration = r->port;
	client_done(owner);
	return KERN_SUCCESS;

fail_charged:
	client_release_registration(c);
	return err;
fail:
	client_put(c);
	return err;
}

bool
registration_no_senders(mach_port_t port)
{
	struct registration *r = find(port);

	if (!r)
		return false;
	while (r->q) {
		struct frame *f = r->q;
		r->q = f->next;
		free(f);
	}
	r->q_tail = NULL;
	r->nq = 0;
	r->q_bytes = 0;
	reg_release(r->reg);
	r->reg = NULL;
	client_release_registration(r->owner);
	r->owner = NULL;
	msg_deferred_cancel(sock_server(), r->port);
	mach_port_destroy(ME, r->port);
	r->port = MACH_PORT_NULL;
	return true;
}

static struct registration *
ether_registration(mach_port_t port)
{
	struct registration *r = find(port);

	return r && r->reg->proto == GNS_PROTO_ETHER ? r : NULL;
}

kern_return_t
gns_do_gns_frame_recv(mach_port_t registration, uint32_t flags, uint32_t timeout_ms, uint8_t *frame,
		      mach_msg_type_number_t *frameCnt)
{
	struct registration *r = ether_registration(registration);
	struct frame *f;

	if (!r)
		return SOCK_EOPNOTSUPP;
	if (!r->q)
		return sock_wait_on(r->owner, r, flags, timeout_ms, SOCK_ETIMEDOUT);
	f = r->q;
	r->q = f->next;
	if (!r->q)
		r->q_tail = NULL;
	r->nq--;
	r->q_bytes -= f->len;
	*frameCnt = f->len < *frameCnt ? f->len : *frameCnt;
	memcpy(frame, f->data, *frameCnt);
	free(f);
	return KERN_SUCCESS;
}

kern_return_t
gns_do_gns_frame_send(mach_port_t registration, const uint8_t *frame, mach_msg_type_number_t frameCnt)
{
	struct registration *r = ether_registration(registration);
	struct netif *n = netif_default;
	struct pbuf *p;
	err_t err;

	if (!r)
		return SOCK_EOPNOTSUPP;
	if (frameCnt < ETH_HDR || ((uint32_t)frame[12] << 8 | frame[13]) != r->reg->number)
		return SOCK_EINVAL;
	if (!n || !n->linkoutput || !netif_is_up(n))
		return SOCK_ENETDOWN;
	if ((p = pbuf_alloc(PBUF_RAW, (u16_t)frameCnt, PBUF_RAM)) == NULL)
		return SOCK_ENOBUFS;
	pbuf_take(p, frame, (u16_t)frameCnt);
	memcpy((uint8_t *)p->payload + 6, n->hwaddr, 6);	/* from us, whatever the client wrote */
	err = n->linkoutput(n, p);
	pbuf_free(p);
	return err == ERR_OK ? KERN_SUCCESS : SOCK_ENOBUFS;
}

int
registration_held_by(struct client *c)
{
	int n = 0;

	for (int i = 0; i < REG_MAX; i++)
		if (MACH_PORT_VALID(registrations[i].port) && registrations[i].owner == c)
			n += msg_deferred_count(sock_server(), registrations[i].port);
	return n;
}

int
registration_count(void)
{
	int n = 0;

	for (int i = 0; i < REG_MAX; i++)
		n += MACH_PORT_VALID(registrations[i].port);
	return n;
}

int
registration_netstat(uint32_t *out, int at, int max)
{
	int n = 0;

	for (int i = 0; i < REG_MAX; i++) {
		struct registration *r = &registrations[i];
		if (!MACH_PORT_VALID(r->port))
			continue;
		if (at + n < max) {
			uint32_t *rec = out + (size_t)(at + n) * GNS_NET_WORDS;
			memset(rec, 0, GNS_NET_WORDS * sizeof *rec);
			rec[GNS_NET_PROTO] = r->reg->proto;
			rec[GNS_NET_STATE] = GNS_NET_S_REGISTERED;
			rec[GNS_NET_LOCAL_PORT] = r->reg->number;
			rec[GNS_NET_OWNER] = r->owner->task_id;
			rec[GNS_NET_RX_QUEUED] = r->q_bytes;
		}
		n++;
	}
	return n;
}
