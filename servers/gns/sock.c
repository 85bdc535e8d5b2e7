/*
 * gns's sockets (sock.h): the table, each socket's port, and socket.defs's
 * handlers. A handler finds the socket by the port the request came on,
 * checks the call against the socket's state, and either answers or holds
 * the request on what it waits for (msg_defer_on: the socket, or its owner
 * for TCP room) until an lwIP callback calls sock_wake with that; a held
 * request goes through its handler again from the start, so each handler
 * is written as "answer if you can, else wait", never as a continuation.
 * TCP's and UDP's lwIP sides are sock_tcp.c and sock_udp.c.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include "lwip/netif.h"
#include "registration.h"
#include "sock.h"
#include "socket_server.h"

/* lwIP's pools hold every socket of the table (lwipopts.h): quotas and SOCK_MAX come first. */
_Static_assert(MEMP_NUM_TCP_PCB >= 2 * SOCK_MAX && MEMP_NUM_TCP_PCB_LISTEN >= SOCK_MAX &&
	       MEMP_NUM_UDP_PCB >= SOCK_MAX + 1, "lwIP's PCBs are fewer than gns's sockets");
/* each socket keeps at most one pool pbuf (sock_rx.c): the rest of the pool is for input */
_Static_assert(PBUF_POOL_SIZE >= SOCK_MAX + SOCK_RX_INPUT_POOL, "lwIP's pool cannot hold a pbuf per socket and input");
_Static_assert(SOCK_MAX >= 2 * GNS_CLIENT_SOCKETS, "two clients' quotas fit in the table");

#define ME mach_task_self()

static struct sock socks[SOCK_MAX];
static int narmed;	/* sockets with a socket_notify right: an owner's wake looks for them only then */
static struct msg_server *server;
static mach_port_t port_set;

void
sock_init(struct msg_server *s, mach_port_t set)
{
	server = s;
	port_set = set;
}

struct msg_server *
sock_server(void)
{
	return server;
}

static void notify_check(struct sock *s, bool closing);

/*
 * Keyed: a datagram for one socket used to serve again every request held
 * in gns, any socket's, any client's (each a pass through its handler).
 */
void
sock_wake(const void *key)
{
	if (server)
		msg_retry_key(server, key);
	/* a socket's own key, or its owner's (TCP room), or a registration's (none armed) */
	if ((const struct sock *)key >= socks && (const struct sock *)key < socks + SOCK_MAX) {
		notify_check((struct sock *)key, false);
		return;
	}
	for (int i = 0; i < SOCK_MAX && narmed > 0; i++)
		if (socks[i].used && MACH_PORT_VALID(socks[i].notify) && (const void *)socks[i].owner == key)
			notify_check(&socks[i], false);
}

struct sock *
sock_alloc(int type, struct client *owner, int *err)
{
	for (int i = 0; i < SOCK_MAX; i++) {
		if (!socks[i].used) {
			if ((*err = client_charge_socket(owner)) != 0)
				return NULL;
			memset(&socks[i], 0, sizeof socks[i]);
			socks[i].used = true;
			socks[i].type = type;
			socks[i].owner = owner;
			return &socks[i];
		}
	}
	*err = SOCK_ENOBUFS;
	return NULL;
}

mach_port_t
sock_port_in_set(void)
{
	mach_port_t p, prev;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	/* no-senders comes to the port itself: its client is gone, or let go */
	if (mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE,
					   &prev) != KERN_SUCCESS ||
	    mach_port_move_member(ME, p, port_set) != KERN_SUCCESS) {
		mach_port_destroy(ME, p);
		return MACH_PORT_NULL;
	}
	return p;
}

bool
sock_give_port(struct sock *s)
{
	s->port = sock_port_in_set();
	return MACH_PORT_VALID(s->port);
}

struct sock *
sock_find(mach_port_t port)
{
	if (!MACH_PORT_VALID(port))
		return NULL;
	for (int i = 0; i < SOCK_MAX; i++)
		if (socks[i].used && socks[i].port == port)
			return &socks[i];
	return NULL;
}

int
sock_count(void)
{
	int n = 0;

	for (int i = 0; i < SOCK_MAX; i++)
		n += socks[i].used;
	return n;
}

static uint32_t
sock_proto(const struct sock *s)
{
	return s->type == SOCK_STREAM ? GNS_PROTO_TCP : GNS_PROTO_UDP;
}

void
sock_register_bound(struct sock *s, uint32_t port)
{
	/* lwIP picked it; a number someone registered but never bound stays theirs to bind */
	if (!s->reg && !MACH_PORT_VALID(s->reg_right) && port != 0)
		reg_claim(sock_proto(s), port, s, &s->reg);
}

void
sock_destroy(struct sock *s)
{
	mach_port_t port = s->port;

	if (s->listening)
		while (s->npending > 0)
			sock_destroy(s->pending[0]);
	if (s->listener) {
		struct sock *l = s->listener;
		for (int i = 0; i < l->npending; i++) {
			if (l->pending[i] == s) {
				memmove(&l->pending[i], &l->pending[i + 1], (size_t)(l->npending - i - 1) * sizeof s);
				l->npending--;
				break;
			}
		}
	}
	if (s->type == SOCK_STREAM)
		tcp_sock_close(s);
	else
		udp_sock_close(s);
	if (s->reg)
		reg_release(s->reg);
	if (MACH_PORT_VALID(s->reg_right))
		mach_port_deallocate(ME, s->reg_right);	/* the registration may end now */
	notify_check(s, true);
	s->used = false;
	s->port = MACH_PORT_NULL;
	if (s->type == SOCK_STREAM)
		sock_wake(s->owner);	/* what it had unacknowledged no longer counts in the owner's share */
	client_release_socket(s->owner);
	s->owner = NULL;
	if (MACH_PORT_VALID(port)) {
		/* waiting calls hear of it as a dead server (MIG_SERVER_DIED): the socket is gone */
		msg_deferred_cancel(server, port);
		mach_port_destroy(ME, port);
	}
}

int
sock_lwip_error(int err)
{
	switch (err) {
	case ERR_OK:
		return 0;
	case ERR_USE:
		return SOCK_EADDRINUSE;
	case ERR_RTE:
		return SOCK_EHOSTUNREACH;
	case ERR_MEM:
	case ERR_BUF:
		return SOCK_ENOBUFS;
	default:
		return SOCK_EINVAL;
	}
}

static bool
ip_is_ours(uint32_t ip)
{
	struct netif *n;

	if (ip == 0)
		return true;
	NETIF_FOREACH(n) {
		if (ip4_addr_get_u32(netif_ip4_addr(n)) == lwip_htonl(ip))
			return true;
	}
	return false;
}

int
sock_netstat_records(uint32_t *out, int at, int max)
{
	int n = 0;

	for (int i = 0; i < SOCK_MAX; i++) {
		if (!socks[i].used)
			continue;
		if (at + n < max) {
			uint32_t *rec = out + (size_t)(at + n) * GNS_NET_WORDS;
			memset(rec, 0, GNS_NET_WORDS * sizeof *rec);
			if (socks[i].type == SOCK_STREAM)
				tcp_sock_netstat(&socks[i], rec);
			else
				udp_sock_netstat(&socks[i], rec);
			rec[GNS_NET_OWNER] = socks[i].owner->task_id;
		}
		n++;
	}
	return n;
}

int
sock_held_by(struct client *c)
{
	int n = 0;

	for (int i = 0; i < SOCK_MAX; i++)
		if (socks[i].used && socks[i].owner == c && MACH_PORT_VALID(socks[i].port))
			n += msg_deferred_count(server, socks[i].port);
	return n;
}

/* Every request gns holds now, any client's. */
static int
held_total(void)
{
	int n;

	cthread_mutex_lock(&server->lock);
	n = server->ndeferred;
	cthread_mutex_unlock(&server->lock);
	return n;
}

kern_return_t
sock_wait_on(struct client *c, const void *key, uint32_t flags, uint32_t timeout_ms, kern_return_t expired)
{
	if (flags & SOCK_NONBLOCK)
		return SOCK_EWOULDBLOCK;
	if (msg_deferred_expired())
		return expired;
	/*
	 * A request served again is out of the list while it is: only the others
	 * count. Counting c's walks every socket and registration (some 800
	 * instructions, a held recv each round trip of udp_rr_remote); while gns
	 * holds fewer than the quota in all, c cannot be at it.
	 */
	if (held_total() >= GNS_CLIENT_HELD && sock_held_by(c) + registration_held_by(c) >= GNS_CLIENT_HELD)
		return SOCK_EDQUOT;
	if (!msg_defer_on(timeout_ms, key))
		return SOCK_ENOBUFS;
	return MIG_NO_REPLY;
}

static bool
is_bound(struct sock *s)
{
	uint32_t ip, port;

	if (s->type == SOCK_STREAM)
		return tcp_sock_local_port(s) != 0;
	udp_sock_name(s, &ip, &port);
	return port != 0;
}

kern_return_t
socket_do_socket_bind(mach_port_t sock, uint32_t addr, uint32_t port)
{
	struct sock *s = sock_find(sock);
	int err;

	if (!s)
		return SOCK_EBADF;
	if (port > 65535 || is_bound(s) || s->listening || s->connecting || s->connected)
		return SOCK_EINVAL;
	if (!ip_is_ours(addr))
		return SOCK_EADDRNOTAVAIL;
	if (port != 0 && (err = reg_claim(sock_proto(s), port, s, &s->reg)) != 0)
		return err;
	err = s->type == SOCK_STREAM ? tcp_sock_bind(s, addr, port) : udp_sock_bind(s, addr, port);
	if (err) {
		if (s->reg)
			reg_release(s->reg);
		s->reg = NULL;
		return err;
	}
	if (port == 0) {
		uint32_t ip;
		if (s->type == SOCK_STREAM)
			port = tcp_sock_local_port(s);
		else
			udp_sock_name(s, &ip, &port);
		sock_register_bound(s, port);
	}
	return KERN_SUCCESS;
}

kern_return_t
socket_do_socket_bind_registered(mach_port_t sock, mach_port_t registration, uint32_t addr)
{
	struct sock *s = sock_find(sock);
	struct reg *r = registration_find(registration);
	int err;

	if (!s)
		return SOCK_EBADF;
	if (!r || r->proto != sock_proto(s))
		return SOCK_EINVAL;
	if (is_bound(s) || s->listening || s->connecting || s->connected)
		return SOCK_EINVAL;
	if (!ip_is_ours(addr))
		return SOCK_EADDRNOTAVAIL;
	err = s->type == SOCK_STREAM ? tcp_sock_bind(s, addr, r->number) : udp_sock_bind(s, addr, r->number);
	if (err)
		return err;
	s->reg_right = registration;	/* the request's send right is ours now */
	return KERN_SUCCESS;
}

kern_return_t
socket_do_socket_listen(mach_port_t sock, uint32_t backlog)
{
	struct sock *s = sock_find(sock);

	if (!s)
		return SOCK_EBADF;
	if (s->type != SOCK_STREAM)
		return SOCK_EOPNOTSUPP;
	if (s->listening)
		return KERN_SUCCESS;
	if (!is_bound(s) || s->connecting || s->connected || !s->tcp)
		return SOCK_EINVAL;
	if (backlog < 1)
		backlog = 1;
	if (backlog > SOCK_BACKLOG_MAX)
		backlog = SOCK_BACKLOG_MAX;
	return tcp_sock_listen(s, backlog);
}

kern_return_t
socket_do_socket_accept(mach_port_t sock, uint32_t flags, uint32_t timeout_ms, mach_port_t *conn, uint32_t *addr,
			uint32_t *port)
{
	struct sock *s = sock_find(sock), *c;

	if (!s)
		return SOCK_EBADF;
	if (!s->listening)
		return SOCK_EINVAL;
	if (s->npending == 0)
		return sock_wait_on(s->owner, s, flags, timeout_ms, SOCK_ETIMEDOUT);
	c = s->pending[0];
	if (!sock_give_port(c))
		return SOCK_ENOBUFS;
	memmove(&s->pending[0], &s->pending[1], (size_t)(s->npending - 1) * sizeof c);
	s->npending--;
	c->listener = NULL;
	tcp_sock_name(c, true, addr, port);
	*conn = c->port;
	return KERN_SUCCESS;
}

static kern_return_t
tcp_connect_call(struct sock *s, uint32_t addr, uint32_t port, uint32_t flags, uint32_t timeout_ms)
{
	int err;

	if (s->connected) {
		uint32_t pip, pport;
		/* the same peer again: the answer to a non-blocking connect's outcome */
		tcp_sock_name(s, true, &pip, &pport);
		return pip == addr && pport == port ? KERN_SUCCESS : SOCK_EISCONN;
	}
	if (s->connecting) {
		if (s->err) {
			s->connecting = false;
			err = s->err;
			s->err = 0;
			return err;
		}
		if (flags & SOCK_NONBLOCK)
			return SOCK_EALREADY;
		if (msg_deferred_expired()) {
			tcp_sock_close(s);	/* the attempt is over */
			s->connecting = false;
			return SOCK_ETIMEDOUT;
		}
		return sock_wait_on(s->owner, s, 0, timeout_ms, SOCK_ETIMEDOUT);
	}
	if (s->listening || addr == 0 || port == 0 || port > 65535)
		return SOCK_EINVAL;
	if (!s->tcp)
		return s->err ? s->err : SOCK_EINVAL;
	if ((err = tcp_sock_connect(s, addr, port)) != 0)
		return err;
	s->connecting = true;
	sock_register_bound(s, tcp_sock_local_port(s));
	if (flags & SOCK_NONBLOCK)
		return SOCK_EINPROGRESS;
	return sock_wait_on(s->owner, s, 0, timeout_ms, SOCK_ETIMEDOUT);
}

kern_return_t
socket_do_socket_connect(mach_port_t sock, uint32_t addr, uint32_t port, uint32_t flags, uint32_t timeout_ms)
{
	struct sock *s = sock_find(sock);
	int err;

	if (!s)
		return SOCK_EBADF;
	if (s->type == SOCK_STREAM)
		return tcp_connect_call(s, addr, port, flags, timeout_ms);
	if (addr == 0 || port == 0 || port > 65535)
		return SOCK_EINVAL;
	if ((err = udp_sock_connect(s, addr, port)) != 0)
		return err;
	return KERN_SUCCESS;
}

/* socket_send's work, inline or out of line alike. */
/*
 * What c may still add to the TCP data its connections have in lwIP
 * (GNS_CLIENT_TCP_BYTES and _SEGS): lwIP's heap and segments are shared by
 * every connection, and without a share one client's connections to peers
 * that do not read took them all (some 11 connections at TCP_SND_BUF), so
 * that other clients' sends found nothing. Acknowledgements free it again
 * (on_sent wakes the held sends).
 */
static void
client_tcp_room(const struct client *c, uint32_t *room, uint32_t *room_segs)
{
	uint32_t bytes = 0, segs = 0, b, n;

	for (int i = 0; i < SOCK_MAX; i++) {
		if (!socks[i].used || socks[i].owner != c || socks[i].type != SOCK_STREAM)
			continue;
		tcp_sock_held(&socks[i], &b, &n);
		bytes += b;
		segs += n;
	}
	*room = bytes < GNS_CLIENT_TCP_BYTES ? GNS_CLIENT_TCP_BYTES - bytes : 0;
	*room_segs = segs < GNS_CLIENT_TCP_SEGS ? GNS_CLIENT_TCP_SEGS - segs : 0;
}

static kern_return_t
send_call(mach_port_t sock, const uint8_t *data, uint32_t len, uint32_t addr, uint32_t port, uint32_t flags,
	  uint32_t timeout_ms, uint32_t *sent)
{
	struct sock *s = sock_find(sock);
	uint32_t room, room_segs;
	int n;

	if (!s)
		return SOCK_EBADF;
	if (s->type == SOCK_DGRAM) {
		if (s->shut_wr)
			return SOCK_EPIPE;
		if (len > SOCK_DGRAM_MAX)
			return SOCK_EMSGSIZE;
		if (port > 65535)
			return SOCK_EINVAL;
		if (addr == 0 && port == 0) {
			addr = s->peer_ip;
			port = s->peer_port;
		}
		if (addr == 0 || port == 0)
			return SOCK_EDESTADDRREQ;
		if ((n = udp_sock_send(s, data, len, addr, port)) != 0)
			return n;
		*sent = len;
		return KERN_SUCCESS;
	}
	if (s->shut_wr)
		return SOCK_EPIPE;
	if (s->err && !s->connecting)
		return s->err;
	if (!s->connected)
		return s->connecting ? sock_wait_on(s->owner, s, flags, timeout_ms, SOCK_ETIMEDOUT) : SOCK_ENOTCONN;
	if (!s->tcp)
		return SOCK_ECONNRESET;
	if (len == 0) {
		*sent = 0;
		return KERN_SUCCESS;
	}
	client_tcp_room(s->owner, &room, &room_segs);
	n = tcp_sock_send(s, data, len, room, room_segs);
	if (n < 0)
		return -n;
	if (n == 0)	/* room comes with acknowledgements to any of the owner's connections */
		return sock_wait_on(s->owner, s->owner, flags, timeout_ms, SOCK_ETIMEDOUT);
	*sent = (uint32_t)n;
	return KERN_SUCCESS;
}

kern_return_t
socket_do_socket_send(mach_port_t sock, const uint8_t *data, mach_msg_type_number_t dataCnt, uint32_t addr,
		      uint32_t port, uint32_t flags, uint32_t timeout_ms, uint32_t *sent)
{
	return send_call(sock, data, dataCnt, addr, port, flags, timeout_ms, sent);
}

kern_return_t
socket_do_socket_send_ool(mach_port_t sock, uint8_t *data, mach_msg_type_number_t dataCnt, uint32_t addr,
			  uint32_t port, uint32_t flags, uint32_t timeout_ms, uint32_t *sent)
{
	kern_return_t kr = send_call(sock, data, dataCnt, addr, port, flags, timeout_ms, sent);

	/* held, the request keeps its memory; failed, msg_serve releases it; done, it is ours to free */
	if (kr == KERN_SUCCESS && dataCnt > 0)
		vm_deallocate(ME, (vm_address_t)data, dataCnt);
	return kr;
}

/*
 * socket_recv's work: how many bytes are ready for one call of at most max
 * (TCP: what has come; UDP: the next datagram), 0 with KERN_SUCCESS at the
 * end of the stream, or why not.
 */
static kern_return_t
recv_ready(struct sock *s, uint32_t flags, uint32_t timeout_ms)
{
	if (s->type == SOCK_DGRAM) {
		if (s->ndq > 0 || s->shut_rd)
			return KERN_SUCCESS;
		return sock_wait_on(s->owner, s, flags, timeout_ms, SOCK_ETIMEDOUT);
	}
	if (tcp_sock_readable(s) > 0 || s->eof || s->shut_rd)
		return KERN_SUCCESS;
	if (s->err && !s->connecting)
		return s->err;
	if (!s->connected && !s->connecting)
		return SOCK_ENOTCONN;
	if (!s->tcp)
		return SOCK_ECONNRESET;
	return sock_wait_on(s->owner, s, flags, timeout_ms, SOCK_ETIMEDOUT);
}

static uint32_t
recv_take(struct sock *s, uint8_t *buf, uint32_t max, uint32_t *addr, uint32_t *port)
{
	uint32_t len = 0;

	*addr = *port = 0;
	if (s->type == SOCK_DGRAM) {
		if (!s->shut_rd)
			udp_sock_recv(s, buf, max, &len, addr, port);
		return len;
	}
	if (s->shut_rd)
		return 0;
	tcp_sock_name(s, true, addr, port);
	return tcp_sock_recv(s, buf, max);
}

kern_return_t
socket_do_socket_recv(mach_port_t sock, uint32_t max, uint32_t flags, uint32_t timeout_ms, uint8_t *data,
		      mach_msg_type_number_t *dataCnt, uint32_t *addr, uint32_t *port)
{
	struct sock *s = sock_find(sock);
	kern_return_t kr;

	if (!s)
		return SOCK_EBADF;
	if (max == 0)
		return SOCK_EINVAL;
	if ((kr = recv_ready(s, flags, timeout_ms)) != KERN_SUCCESS)
		return kr;
	if (max > *dataCnt)
		max = *dataCnt;
	*dataCnt = recv_take(s, data, max, addr, port);
	return KERN_SUCCESS;
}

/*
 * Where socket_recv_ool's data is put: one region of SOCK_OOL_MAX, reused.
 * The reply carries a virtual copy of it (socket.defs: no dealloc), made
 * when the reply is sent, which the loop does before it serves another
 * request (libmsg's serve_dispatch); once the client has deallocated its
 * copy, the next write here takes the same pages back. A new region per
 * reply cost a vm_allocate and a zero-filled page per 4 KiB, about twice
 * what the handler costs now (1.11 against 0.59 instructions a byte, by
 * rdtsc around it in tcp_bulk_remote's receiver).
 */
static uint8_t *stage;

kern_return_t
socket_do_socket_recv_ool(mach_port_t sock, uint32_t max, uint32_t flags, uint32_t timeout_ms, uint8_t **data,
			  mach_msg_type_number_t *dataCnt, uint32_t *addr, uint32_t *port)
{
	struct sock *s = sock_find(sock);
	vm_address_t buf = 0;
	uint32_t room;
	kern_return_t kr;

	if (!s)
		return SOCK_EBADF;
	if (max == 0 || max > SOCK_OOL_MAX)
		return SOCK_EINVAL;
	if ((kr = recv_ready(s, flags, timeout_ms)) != KERN_SUCCESS)
		return kr;
	room = s->type == SOCK_DGRAM ? SOCK_DGRAM_MAX : tcp_sock_readable(s);
	if (room > max)
		room = max;
	if (room > 0 && !stage) {
		if (vm_allocate(ME, &buf, SOCK_OOL_MAX, TRUE) != KERN_SUCCESS)
			return SOCK_ENOBUFS;
		stage = (uint8_t *)buf;
	}
	*dataCnt = room > 0 ? recv_take(s, stage, room, addr, port) : 0;
	*data = *dataCnt > 0 ? stage : NULL;
	if (room == 0)
		*addr = *port = 0;
	return KERN_SUCCESS;
}

kern_return_t
socket_do_socket_shutdown(mach_port_t sock, uint32_t how)
{
	struct sock *s = sock_find(sock);
	bool rd = how == SOCK_SHUT_RD || how == SOCK_SHUT_RDWR, wr = how == SOCK_SHUT_WR || how == SOCK_SHUT_RDWR;

	if (!s)
		return SOCK_EBADF;
	if (how > SOCK_SHUT_RDWR)
		return SOCK_EINVAL;
	if (s->type == SOCK_STREAM) {
		int err;
		if (!s->connected)
			return SOCK_ENOTCONN;
		if ((err = tcp_sock_shutdown(s, rd, wr)) != 0)
			return err;
	}
	s->shut_rd |= rd;
	s->shut_wr |= wr;
	sock_wake(s);	/* a reader waiting on this socket gets its end of stream */
	sock_wake(s->owner);	/* a send waiting for room, its EPIPE */
	return KERN_SUCCESS;
}

kern_return_t
socket_do_socket_close(mach_port_t sock)
{
	struct sock *s = sock_find(sock);

	if (!s)
		return SOCK_EBADF;
	sock_destroy(s);
	return KERN_SUCCESS;
}

/* What s is ready for now (SOCK_POLL_*): socket_poll's, and socket_notify's RECV. */
static uint32_t
ready_events(struct sock *s)
{
	uint32_t events = 0, room, room_segs;

	if (s->listening && s->npending > 0)
		events |= SOCK_POLL_ACCEPT;
	/* as send_call goes: a datagram, and a send that fails at once, never wait */
	if (s->type == SOCK_DGRAM || s->shut_wr || (s->err && !s->connecting) || (s->connected && !s->tcp)) {
		events |= SOCK_POLL_SEND;
	} else if (s->connected) {
		client_tcp_room(s->owner, &room, &room_segs);
		if (tcp_sock_send_room(s, room, room_segs))
			events |= SOCK_POLL_SEND;
	}
	/* as recv_ready goes: anything but a wait */
	if (s->type == SOCK_DGRAM ? s->ndq > 0 || s->shut_rd
				  : tcp_sock_readable(s) > 0 || s->eof || s->shut_rd || (s->err && !s->connecting) ||
					    (!s->connected && !s->connecting) || !s->tcp)
		events |= SOCK_POLL_RECV;
	return events;
}

kern_return_t
socket_do_socket_poll(mach_port_t sock, uint32_t *events)
{
	struct sock *s = sock_find(sock);

	if (!s)
		return SOCK_EBADF;
	*events = ready_events(s) & (SOCK_POLL_ACCEPT | SOCK_POLL_SEND);
	return KERN_SUCCESS;
}

/* A header alone of id on the send-once right; a dead receiver's right just goes. */
static void
notify_send(mach_port_t right, uint32_t id)
{
	mach_msg_header_t m = { 0 };

	m.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	m.msgh_size = sizeof m;
	m.msgh_remote_port = right;
	m.msgh_id = (mach_msg_id_t)id;
	if (mach_msg(&m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL) !=
	    MACH_MSG_SUCCESS)
		mach_port_deallocate(ME, right);
}

/*
 * socket_notify's message, sent once s is ready for what it was armed for,
 * or closes (a connect's end is SOCK_POLL_SEND: connected with room, or
 * failed).
 */
static void
notify_check(struct sock *s, bool closing)
{
	mach_port_t right = s->notify;

	if (!MACH_PORT_VALID(right))
		return;
	if (!closing && !(ready_events(s) & s->notify_events))	/* closing: its pcb may be gone */
		return;
	s->notify = MACH_PORT_NULL;
	narmed--;
	notify_send(right, s->notify_id);
}

kern_return_t
socket_do_socket_notify(mach_port_t sock, mach_port_t notify, uint32_t id, uint32_t events)
{
	struct sock *s = sock_find(sock);

	if (!s)
		return SOCK_EBADF;	/* the loop destroys the request's right */
	if (MACH_PORT_VALID(s->notify))
		notify_send(s->notify, SOCK_NOTIFY_REPLACED);	/* not dropped: that would say gns died */
	else
		narmed++;
	s->notify = notify;	/* the request's send-once right is ours now */
	s->notify_id = id;
	s->notify_events = events;
	notify_check(s, false);
	return KERN_SUCCESS;
}

kern_return_t
socket_do_socket_name(mach_port_t sock, boolean_t peer, uint32_t *addr, uint32_t *port)
{
	struct sock *s = sock_find(sock);

	if (!s)
		return SOCK_EBADF;
	if (s->type == SOCK_STREAM) {
		if (peer && !s->connected)
			return SOCK_ENOTCONN;
		tcp_sock_name(s, peer, addr, port);
		return KERN_SUCCESS;
	}
	if (peer) {
		if (s->peer_ip == 0)
			return SOCK_ENOTCONN;
		*addr = s->peer_ip;
		*port = s->peer_port;
		return KERN_SUCCESS;
	}
	udp_sock_name(s, addr, port);
	return KERN_SUCCESS;
}
