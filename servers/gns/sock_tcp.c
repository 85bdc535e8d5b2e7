/*
 * TCP sockets over lwIP's raw API (sock.h). lwIP calls back from inside
 * gns's loop (a frame, a timer, the loopback queue): each callback only
 * records what happened in the socket and calls sock_wake with it (or its
 * owner, for room), and the requests held on it see it when they are
 * served again.
 *
 * Back-pressure both ways comes from TCP itself: bytes received are
 * acknowledged to the peer's window (tcp_recved) only once the client has
 * read them, and a send takes only what the send buffer has room for.
 */
#include <string.h>
#include <manifold/socket.h>
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "sock.h"

/* one of libmsg's send calls offers enough to fill the send buffer (socket_codes.h) */
_Static_assert(TCP_SND_BUF <= SOCK_SEND_MAX, "SOCK_SEND_MAX below the TCP send buffer");
_Static_assert(LISTEN == GNS_NET_S_LISTEN && ESTABLISHED == GNS_NET_S_ESTABLISHED && TIME_WAIT == GNS_NET_S_TIME_WAIT,
	       "lwIP's TCP states are numbered as netstat's");

static void
ip_from(ip_addr_t *a, uint32_t ip)
{
	ip_addr_set_ip4_u32(a, lwip_htonl(ip));
}

static uint32_t
ip_to(const ip_addr_t *a)
{
	return lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(a)));
}

static err_t
on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;

	if (!p) {
		if (s) {
			s->eof = true;
			sock_wake(s);
		}
		return ERR_OK;
	}
	if (!s || s->shut_rd) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	/* a pbuf chain counts in 16 bits: lwIP keeps the rest and offers it again */
	if (s->rx && (uint32_t)s->rx->tot_len + p->tot_len > 0xffff)
		return ERR_MEM;
	/* no memory for a copy: lwIP keeps p (refused data) and takes no more of this connection's */
	if (!sock_rx_stream(&s->rx, p))
		return ERR_MEM;
	sock_wake(s);
	return ERR_OK;
}

/*
 * Room in the send buffer and in the owner's share: any of its sends may go
 * on, once half the buffer is free or nothing is left in flight (a low-water
 * mark, as Linux's for a writer). Woken at every acknowledgement, a writer
 * put one or two segments at a time, often short ones, sent at once (no
 * Nagle), and the stream kept to that: tcp_bulk_remote's sender took about
 * three times the send calls and twice the messages a kB in one run of three.
 */
static err_t
on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct sock *s = arg;

	if (s && (tcp_sndbuf(pcb) >= TCP_SND_BUF / 2 || tcp_sndqueuelen(pcb) == 0))
		sock_wake(s->owner);
	return ERR_OK;
}

/* lwIP has freed the pcb (a reset, or its retransmissions gave up). */
static void
on_err(void *arg, err_t err)
{
	struct sock *s = arg;

	if (!s)
		return;
	s->tcp = NULL;
	if (s->connecting)
		s->err = err == ERR_RST ? SOCK_ECONNREFUSED : SOCK_ETIMEDOUT;
	else
		s->err = err == ERR_ABRT ? SOCK_ETIMEDOUT : SOCK_ECONNRESET;
	sock_wake(s);
	sock_wake(s->owner);	/* a send waiting for room */
}

static err_t
on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;

	if (s) {
		s->connecting = false;
		s->connected = true;
		sock_wake(s);
	}
	return ERR_OK;
}

static void
callbacks(struct sock *s, struct tcp_pcb *pcb)
{
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_nagle_disable(pcb);	/* a message is one write: send it now */
}

/* A connection to a listening socket: a socket without a port until socket_accept takes it. */
static err_t
on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *l = arg, *c = NULL;
	int quota;

	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	/* charged to the listener's owner: a backlog cannot hold more than its quota */
	if (!l || l->npending >= l->backlog || (c = sock_alloc(SOCK_STREAM, l->owner, &quota)) == NULL) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->tcp = pcb;
	c->connected = true;
	c->listener = l;
	callbacks(c, pcb);
	l->pending[l->npending++] = c;
	sock_wake(l);
	return ERR_OK;
}

int
tcp_sock_open(struct sock *s)
{
	s->tcp = tcp_new();
	if (!s->tcp)
		return SOCK_ENOBUFS;
	callbacks(s, s->tcp);
	return 0;
}

int
tcp_sock_bind(struct sock *s, uint32_t ip, uint32_t port)
{
	ip_addr_t a;

	if (!s->tcp)
		return SOCK_EINVAL;
	ip_from(&a, ip);
	return sock_lwip_error(tcp_bind(s->tcp, &a, (u16_t)port));
}

int
tcp_sock_listen(struct sock *s, uint32_t backlog)
{
	struct tcp_pcb *l = tcp_listen_with_backlog(s->tcp, (u8_t)backlog);

	if (!l)
		return SOCK_ENOBUFS;	/* s->tcp is still the unlistening pcb */
	s->tcp = l;			/* lwIP freed the old one */
	tcp_arg(l, s);
	tcp_accept(l, on_accept);
	s->listening = true;
	s->backlog = (int)backlog;
	return 0;
}

int
tcp_sock_connect(struct sock *s, uint32_t ip, uint32_t port)
{
	ip_addr_t a;

	ip_from(&a, ip);
	return sock_lwip_error(tcp_connect(s->tcp, &a, (u16_t)port, on_connected));
}

void
tcp_sock_held(struct sock *s, uint32_t *bytes, uint32_t *segs)
{
	*bytes = *segs = 0;
	if (s->tcp && !s->listening) {
		*bytes = TCP_SND_BUF - tcp_sndbuf(s->tcp);
		*segs = tcp_sndqueuelen(s->tcp);
	}
}

int
tcp_sock_send(struct sock *s, const uint8_t *data, uint32_t len, uint32_t room, uint32_t room_segs)
{
	uint32_t n = tcp_sndbuf(s->tcp);

	if (n > len)
		n = len;
	if (n > room)
		n = room;
	/* a write makes at most one segment per MSS (and may fill the last one queued) */
	if (n > room_segs * TCP_MSS)
		n = room_segs * TCP_MSS;
	if (tcp_sndqueuelen(s->tcp) >= TCP_SND_QUEUELEN)
		n = 0;
	/* short of segments or heap: try less, and wait for acknowledgements when nothing fits */
	while (n > 0 && tcp_write(s->tcp, data, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
		n /= 2;
	if (n == 0) {
		/* nothing in flight would make room; unless the client's share is what is short */
		if (tcp_sndqueuelen(s->tcp) == 0 && tcp_sndbuf(s->tcp) > 0 && room > 0 && room_segs > 0)
			return -SOCK_ENOBUFS;
		return 0;
	}
	tcp_output(s->tcp);
	return (int)n;
}

bool
tcp_sock_send_room(struct sock *s, uint32_t room, uint32_t room_segs)
{
	/* tcp_sock_send's limits, all of them: it would take at least a byte */
	return s->tcp && tcp_sndbuf(s->tcp) > 0 && room > 0 && room_segs > 0 &&
	       tcp_sndqueuelen(s->tcp) < TCP_SND_QUEUELEN;
}

uint32_t
tcp_sock_readable(struct sock *s)
{
	return s->rx ? s->rx->tot_len : 0;
}

uint32_t
tcp_sock_recv(struct sock *s, uint8_t *buf, uint32_t max)
{
	uint32_t n = tcp_sock_readable(s);

	if (n > max)
		n = max;
	if (n == 0)
		return 0;
	pbuf_copy_partial(s->rx, buf, (u16_t)n, 0);
	s->rx = pbuf_free_header(s->rx, (u16_t)n);
	if (s->tcp)
		tcp_recved(s->tcp, (u16_t)n);	/* the peer may send that much more */
	return n;
}

int
tcp_sock_shutdown(struct sock *s, bool rd, bool wr)
{
	if (rd && s->rx) {
		if (s->tcp)
			tcp_recved(s->tcp, s->rx->tot_len);
		pbuf_free(s->rx);
		s->rx = NULL;
	}
	if (wr && s->tcp && !s->shut_wr && tcp_shutdown(s->tcp, 0, 1) != ERR_OK)
		return SOCK_ENOBUFS;
	return 0;
}

void
tcp_sock_close(struct sock *s)
{
	struct tcp_pcb *pcb = s->tcp;

	if (s->rx) {
		pbuf_free(s->rx);
		s->rx = NULL;
	}
	s->tcp = NULL;
	if (!pcb)
		return;
	tcp_arg(pcb, NULL);
	if (s->listening) {
		tcp_accept(pcb, NULL);
		tcp_close(pcb);
		return;
	}
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	/* FIN after what is queued; a reset when lwIP has no memory for it */
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

uint32_t
tcp_sock_local_port(struct sock *s)
{
	return s->tcp ? s->tcp->local_port : 0;
}

void
tcp_sock_name(struct sock *s, bool peer, uint32_t *ip, uint32_t *port)
{
	*ip = *port = 0;
	if (!s->tcp)
		return;
	if (peer) {
		if (s->listening)
			return;
		*ip = ip_to(&s->tcp->remote_ip);
		*port = s->tcp->remote_port;
	} else {
		*ip = ip_to(&s->tcp->local_ip);
		*port = s->tcp->local_port;
	}
}

void
tcp_sock_netstat(struct sock *s, uint32_t *rec)
{
	rec[GNS_NET_PROTO] = GNS_PROTO_TCP;
	tcp_sock_name(s, false, &rec[GNS_NET_LOCAL_IP], &rec[GNS_NET_LOCAL_PORT]);
	tcp_sock_name(s, true, &rec[GNS_NET_REMOTE_IP], &rec[GNS_NET_REMOTE_PORT]);
	rec[GNS_NET_RX_QUEUED] = tcp_sock_readable(s);
	if (!s->tcp) {
		rec[GNS_NET_STATE] = GNS_NET_S_CLOSED;	/* reset, or refused: the client has not closed it */
		return;
	}
	/* lwIP's enum tcp_state is RFC 793's order, as GNS_NET_S_* */
	rec[GNS_NET_STATE] = s->tcp->state == CLOSED && s->tcp->local_port == 0 ? GNS_NET_S_UNBOUND
										 : (uint32_t)s->tcp->state;
	if (s->listener)
		rec[GNS_NET_STATE] = GNS_NET_S_ACCEPTED;
	if (!s->listening)
		rec[GNS_NET_TX_QUEUED] = TCP_SND_BUF - tcp_sndbuf(s->tcp);
}
