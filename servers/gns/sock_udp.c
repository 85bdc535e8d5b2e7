/*
 * UDP sockets over lwIP's raw API (sock.h): datagrams that arrive wait in a
 * short queue per socket (SOCK_DGRAM_QUEUE; beyond it they are dropped, as
 * a full socket buffer drops them anywhere), and sends go out at once.
 */
#include <stdlib.h>
#include <string.h>
#include <manifold/socket.h>
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "sock.h"

static void
on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	struct sock *s = arg;
	struct sock_dgram *d;

	if (!s || s->shut_rd)
		goto drop;
	/* what one socket may make gns hold: a count and a byte bound, then the queue drops */
	if (s->ndq >= SOCK_DGRAM_QUEUE || s->dq_bytes + p->tot_len > GNS_SOCK_QUEUE_BYTES ||
	    (d = malloc(sizeof *d)) == NULL) {
		s->dropped++;
		goto drop;
	}
	{
		bool holds = false;
		struct pbuf *kept;
		for (struct sock_dgram *q = s->dq; q && !holds; q = q->next)
			holds = sock_rx_holds_lwip(q->p);
		if ((kept = sock_rx_datagram(p, holds)) == NULL) {
			free(d);
			s->dropped++;
			goto drop;
		}
		p = kept;
	}
	d->next = NULL;
	d->p = p;
	d->ip = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
	d->port = port;
	if (s->dq_tail)
		s->dq_tail->next = d;
	else
		s->dq = d;
	s->dq_tail = d;
	s->ndq++;
	s->dq_bytes += p->tot_len;
	sock_wake(s);
	return;
drop:
	pbuf_free(p);
}

int
udp_sock_open(struct sock *s)
{
	s->udp = udp_new();
	if (!s->udp)
		return SOCK_ENOBUFS;
	udp_recv(s->udp, on_recv, s);
	return 0;
}

int
udp_sock_bind(struct sock *s, uint32_t ip, uint32_t port)
{
	ip_addr_t a;

	ip_addr_set_ip4_u32(&a, lwip_htonl(ip));
	return sock_lwip_error(udp_bind(s->udp, &a, (u16_t)port));
}

int
udp_sock_connect(struct sock *s, uint32_t ip, uint32_t port)
{
	ip_addr_t a;

	ip_addr_set_ip4_u32(&a, lwip_htonl(ip));
	if (udp_connect(s->udp, &a, (u16_t)port) != ERR_OK)
		return SOCK_EADDRINUSE;	/* binding an ephemeral port failed */
	sock_register_bound(s, s->udp->local_port);
	s->peer_ip = ip;
	s->peer_port = port;
	return 0;
}

int
udp_sock_send(struct sock *s, const uint8_t *data, uint32_t len, uint32_t ip, uint32_t port)
{
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	ip_addr_t a;
	err_t err;

	if (!p)
		return SOCK_ENOBUFS;
	pbuf_take(p, data, (u16_t)len);
	ip_addr_set_ip4_u32(&a, lwip_htonl(ip));
	err = udp_sendto(s->udp, p, &a, (u16_t)port);
	pbuf_free(p);
	sock_register_bound(s, s->udp->local_port);
	return sock_lwip_error(err);
}

bool
udp_sock_recv(struct sock *s, uint8_t *buf, uint32_t max, uint32_t *len, uint32_t *ip, uint32_t *port)
{
	struct sock_dgram *d = s->dq;
	uint32_t n;

	if (!d)
		return false;
	s->dq = d->next;
	if (!s->dq)
		s->dq_tail = NULL;
	s->ndq--;
	s->dq_bytes -= d->p->tot_len;
	n = d->p->tot_len < max ? d->p->tot_len : max;
	pbuf_copy_partial(d->p, buf, (u16_t)n, 0);
	*len = n;
	*ip = d->ip;
	*port = d->port;
	pbuf_free(d->p);
	free(d);
	return true;
}

void
udp_sock_close(struct sock *s)
{
	uint32_t len, ip, port;
	static uint8_t sink[1];

	while (udp_sock_recv(s, sink, 0, &len, &ip, &port))
		;
	if (s->udp) {
		udp_remove(s->udp);
		s->udp = NULL;
	}
}

void
udp_sock_name(struct sock *s, uint32_t *ip, uint32_t *port)
{
	*ip = s->udp ? lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&s->udp->local_ip))) : 0;
	*port = s->udp ? s->udp->local_port : 0;
}

void
udp_sock_netstat(struct sock *s, uint32_t *rec)
{
	rec[GNS_NET_PROTO] = GNS_PROTO_UDP;
	udp_sock_name(s, &rec[GNS_NET_LOCAL_IP], &rec[GNS_NET_LOCAL_PORT]);
	rec[GNS_NET_REMOTE_IP] = s->peer_ip;
	rec[GNS_NET_REMOTE_PORT] = s->peer_port;
	rec[GNS_NET_STATE] = s->peer_ip ? GNS_NET_S_CONNECTED
			     : rec[GNS_NET_LOCAL_PORT] ? GNS_NET_S_BOUND : GNS_NET_S_UNBOUND;
	rec[GNS_NET_RX_QUEUED] = s->dq_bytes;
}
