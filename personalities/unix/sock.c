/*
 * Sockets (sock.h): socketcall and the direct calls (socket, bind, connect,
 * listen, accept, accept4, getsockname, getpeername, send, sendto, recv,
 * recvfrom, shutdown, setsockopt, getsockopt), and read and write of a
 * socket, on gns's socket calls.
 *
 * The server has one thread, so it never waits in gns: every call goes to gns
 * with SOCK_NONBLOCK, and one that would block (and whose file is not
 * O_NONBLOCK, nor the call MSG_DONTWAIT) is held (SYS_DEFER) on its socket's
 * key, the struct usock, after asking gns for a message when the socket is
 * ready for what the call waits for (socket_notify, armed once and again
 * after each message: arm). The message comes on sock_notify_port, in the loop's
 * port set, with the socket's id; the calls held on that socket (and polls
 * that asked it) go again (connect asks gns again: EALREADY while it goes
 * on). A gns older than socket_notify: while any socket call is held a
 * ticker thread wakes the loop every TICK_MS and every call held on a gns
 * socket goes again (sock_key). poll and select ask gns without waiting
 * (sock_poll): a receive into the stash, socket_poll for a listener's
 * connections and a stream's send room (taking nothing), a non-blocking
 * connect's outcome, and arm for what was not ready.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include "fd.h"
#include "linux.h"
#include "signal.h"
#include "sock.h"
#include "syscall.h"
#include "umem.h"
#include "sockmsg.h"
#include "unixsock.h"

#define TICK_MS 10
#define IO_MAX (64u * 1024u)

/* Linux's values (socket.h, in.h) */
#define AF_INET 2
#define L_SOCK_STREAM 1
#define L_SOCK_DGRAM 2
#define L_SOCK_NONBLOCK 0x800
#define L_SOCK_CLOEXEC 0x80000
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define TCP_NODELAY 1
#define L_EAFNOSUPPORT 97
#define L_ENOTSOCK 88
#define L_ENOPROTOOPT 92
#define L_EPROTONOSUPPORT 93

bool sock_enabled;
static volatile bool wanted;	/* a held socket call wants the next tick (the ticker clears it) */
static bool ticking;
mach_port_t sock_notify_port;	/* [U] socket_notify's messages; NULL: gns has none, the ticker it is */
uint32_t sock_notices;		/* [U] socket_notify's messages taken */
uint32_t sock_ticks;		/* [U] the ticker's wakes taken */

struct usock {
	mach_port_t port;	/* [U] gns's socket: our one send right */
	uint32_t id;		/* [U] its socket_notify id: ID_BASE + its index in ids */
	uint32_t armed;		/* [U] the events gns will send a message for (0: none asked) */
	uint32_t type;		/* [U] Linux's SOCK_STREAM or SOCK_DGRAM */
	uint32_t opts[10];	/* [U] setsockopt's SOL_SOCKET values, kept for getsockopt: no effect in gns */
	uint32_t nodelay;	/* [U] TCP_NODELAY, kept likewise */
	bool listening;		/* [U] listen was called: readiness is an accept's */
	bool established;	/* [U] TCP: connected (connect succeeded, or accept made it) */
	bool connecting;	/* [U] TCP: a non-blocking connect goes on in gns (EINPROGRESS)... */
	uint32_t conn_ip;	/* [U] ...to this address, asked again to know how it ends */
	uint16_t conn_port;
	int32_t so_error;	/* [U] how such a connect failed: SO_ERROR's (-errno), until getsockopt takes it */
	/*
	 * What a poll or a MSG_PEEK took from gns ahead of a receive (gns tells
	 * nothing of a socket's state otherwise): a stream's bytes, or one
	 * datagram with its sender; the end of a stream; an error to give.
	 */
	uint8_t *stash;		/* [U] IO_MAX bytes, made at the first need */
	uint32_t stash_len, stash_off;	/* [U] bytes stash[stash_off..stash_len) wait */
	bool stash_dgram;	/* [U] a datagram waits (it may be empty) */
	uint32_t stash_ip;	/* [U] its sender */
	uint16_t stash_port;
	bool stash_eof;		/* [U] the stream ended (a recv gave 0) */
	int32_t stash_err;	/* [U] the error the next receive gives */
};

/* gns's errors come as newlib's errno values: Linux's numbers for them */
static int32_t
lnx_err(int e)
{
	switch (e) {
	case 0: return 0;
	case EBADF: return -LNX_EBADF;
	case EINVAL: return -LNX_EINVAL;
	case EADDRINUSE: return -98;
	case EADDRNOTAVAIL: return -99;
	case EPROTONOSUPPORT: return -L_EPROTONOSUPPORT;
	case EOPNOTSUPP: return -LNX_EOPNOTSUPP;
	case EWOULDBLOCK: return -LNX_EAGAIN;
	case ETIMEDOUT: return -110;
	case ECONNREFUSED: return -111;
	case ECONNRESET: return -104;
	case ENOTCONN: return -107;
	case EISCONN: return -106;
	case EINPROGRESS: return -115;
	case EALREADY: return -114;
	case EPIPE: return -LNX_EPIPE;
	case EMSGSIZE: return -90;
	case EDESTADDRREQ: return -89;
	case EHOSTUNREACH: return -113;
	case ENOBUFS: return -105;
	case ENETDOWN: return -100;
	case EDQUOT: return -LNX_EMFILE;	/* gns's quota for the process's task (12 sockets) is used up */
	case ENOMEM: return -LNX_ENOMEM;
	default: return -LNX_EIO;
	}
}

static void *
ticker(void *arg)
{
	(void)arg;
	for (;;) {
		msg_sleep_ms(TICK_MS);
		if (!wanted)
			continue;
		wanted = false;
		server_wake(UNIX_TICK_ID);
	}
	return NULL;
}

void
sock_start(mach_port_t set)
{
	sock_enabled = true;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &sock_notify_port) != KERN_SUCCESS)
		sock_notify_port = MACH_PORT_NULL;
	else if (mach_port_move_member(mach_task_self(), sock_notify_port, set) != KERN_SUCCESS)
		mach_port_destroy(mach_task_self(), sock_notify_port), sock_notify_port = MACH_PORT_NULL;
}

const char sock_key;

/*
 * The sockets by their notify id, so that a message names one: above the
 * kernel's notification ids (a replaced arm's dropped right comes as
 * MACH_NOTIFY_SEND_ONCE), a slot reused as sockets close.
 */
#define ID_BASE 0x10000u
static struct usock **ids;
static uint32_t nids;

static bool
id_take(struct usock *s)
{
	uint32_t i;
	struct usock **more;

	for (i = 0; i < nids && ids[i]; i++)
		;
	if (i == nids) {
		if (!(more = realloc(ids, (nids + 16) * sizeof *ids)))
			return false;
		ids = more;
		memset(ids + nids, 0, 16 * sizeof *ids);
		nids += 16;
	}
	ids[i] = s;
	s->id = ID_BASE + i;
	return true;
}

/* The ticker's way: every call held on any gns socket goes again at the next tick. */
static const void *
tick(void)
{
	if (!ticking) {
		cthread_t t;

		if (cthread_fork(&t, ticker, NULL) != KERN_SUCCESS)
			return NULL;
		cthread_detach(t);
		ticking = true;
	}
	wanted = true;
	return &sock_key;
}

/*
 * Asks gns for a message when s is ready for events (SOCK_POLL_*), unless
 * asked already: the key its waits are held on (s itself), or sock_key,
 * the ticker's, from a gns without socket_notify; NULL if neither works.
 */
static const void *
arm(struct usock *s, uint32_t events)
{
	int e;

	if (!MACH_PORT_VALID(sock_notify_port))
		return tick();
	if ((s->armed & events) == events)
		return s;
	if ((e = sock_notify(s->port, sock_notify_port, s->id, s->armed | events)) == ENOSYS) {
		mach_port_destroy(mach_task_self(), sock_notify_port);	/* an older gns: the ticker from now on */
		sock_notify_port = MACH_PORT_NULL;
		return tick();
	}
	if (e)
		return tick();	/* the socket is gone: the call learns it when it goes again */
	s->armed |= events;
	return s;
}

void
sock_notice(const mach_msg_header_t *in)
{
	uint32_t i = (uint32_t)in->msgh_id - ID_BASE;

	sock_notices++;
	if (in->msgh_id == MACH_NOTIFY_SEND_ONCE) {
		for (i = 0; i < nids; i++)
			if (ids[i] && ids[i]->armed) {
				ids[i]->armed = 0;
				server_retry_on(ids[i]);
			}
	} else if (i < nids && ids[i]) {
		ids[i]->armed = 0;	/* gns sent its one message */
		server_retry_on(ids[i]);
	}	/* else SOCK_NOTIFY_REPLACED, or a closed socket's */
}

/* A call of p's that would block, on s, until it is ready for events. */
static int32_t
hold(struct process *p, struct usock *s, uint32_t events)
{
	const void *key = arm(s, events);

	if (!key)
		return -LNX_EAGAIN;
	p->wait_key = key;
	return SYS_DEFER;
}

static int32_t sock_read(struct process *p, struct file *f, uint32_t buf, uint32_t len);
static int32_t sock_write(struct process *p, struct file *f, uint32_t buf, uint32_t len);

/* Something waits for a receive: bytes, a datagram, the end or an error. */
static bool
stash_ready(const struct usock *s)
{
	return s->stash_len > s->stash_off || s->stash_dgram || s->stash_eof || s->stash_err;
}

/* Takes what gns has for the socket now into its stash, never waiting. */
static void
stash_fill(struct usock *s)
{
	size_t got = 0;
	int32_t r;

	if (stash_ready(s) || (!s->stash && !(s->stash = malloc(IO_MAX))))
		return;
	r = lnx_err(sock_recvfrom(s->port, s->stash, IO_MAX, SOCK_NONBLOCK, 0, &got, &s->stash_ip, &s->stash_port));
	s->stash_off = 0;
	s->stash_len = 0;
	if (r == -LNX_EAGAIN)
		return;
	if (r)
		s->stash_err = r;
	else if (s->type == L_SOCK_DGRAM)
		s->stash_dgram = true, s->stash_len = (uint32_t)got;
	else if (got == 0)
		s->stash_eof = true;
	else
		s->stash_len = (uint32_t)got;
}

/* A connect's answer r (-errno) kept: connected, going on (EINPROGRESS, EALREADY), or over. */
static void
connect_seen(struct usock *s, int32_t r)
{
	if (r == 0 || r == -106 /* EISCONN */)
		s->established = true, s->connecting = false;
	else if (r != -115 && r != -114)
		s->connecting = false;
}

/* Whether a non-blocking connect still goes on: gns asked again (its outcome, once, when over). */
static bool
still_connecting(struct usock *s)
{
	int32_t r;

	if (!s->connecting)
		return false;
	r = lnx_err(sock_connect(s->port, s->conn_ip, s->conn_port, SOCK_NONBLOCK, 0));
	connect_seen(s, r);
	if (!s->connecting && !s->established)
		s->so_error = r;
	return s->connecting;
}

/* What gns says s is ready for (SOCK_POLL_*), taking nothing; 0 if it cannot say. */
static uint32_t
ready(const struct usock *s)
{
	uint32_t events;

	return sock_ready(s->port, &events) == 0 ? events : 0;
}

/*
 * poll and select, as Linux's tcp_poll and udp_poll say: a listener is
 * readable with a connection to accept (gns's socket_poll: it stays gns's
 * until accept takes it) and never writable; a stream connecting is nothing
 * until gns says how it ended, a stream not connected (fresh, or failed:
 * POLLERR while SO_ERROR holds the error) writable and hung up; a connected
 * stream and a datagram socket readable when gns has something for a
 * receive (taken into the stash to know), and writable when socket_poll
 * says a send would take something (a datagram socket: always). A poll
 * that finds it not ready for all it could be asks for the ticker, so that
 * a held poll looks again.
 */
static uint32_t
sock_poll(struct file *f)
{
	struct usock *s = f->obj;
	uint32_t out;

	/* arm: the poll itself is held, or not, by sys_poll.c, on sock_wake_key's key */
	if (s->listening) {
		if (ready(s) & SOCK_POLL_ACCEPT)
			return LNX_POLLIN;
		(void)arm(s, SOCK_POLL_ACCEPT);
		return 0;
	}
	if (s->type == L_SOCK_STREAM && !s->established) {
		if (still_connecting(s)) {
			(void)arm(s, SOCK_POLL_SEND);
			return 0;
		}
		if (!s->established)
			return LNX_POLLOUT | LNX_POLLHUP | (s->so_error ? LNX_POLLERR : 0);
	}
	stash_fill(s);
	out = s->type != L_SOCK_STREAM || (ready(s) & SOCK_POLL_SEND) ? LNX_POLLOUT : 0;
	if (!stash_ready(s) || !out)
		(void)arm(s, (stash_ready(s) ? 0 : SOCK_POLL_RECV) | (out ? 0 : SOCK_POLL_SEND));
	return (stash_ready(s) ? LNX_POLLIN : 0) | out;
}

static void
sock_release(struct file *f)
{
	struct usock *s = f->obj;

	sock_close(s->port);	/* gns sends an armed message now: its id finds nothing */
	ids[s->id - ID_BASE] = NULL;
	free(s->stash);
	free(s);
}

static const void *
sock_wake_key(struct file *f)
{
	return MACH_PORT_VALID(sock_notify_port) ? f->obj : &sock_key;	/* sock_notice's, or the ticker's */
}

static const struct file_ops sock_ops = { .read = sock_read, .write = sock_write, .poll = sock_poll,
					  .close = sock_release, .wake_key = sock_wake_key, .mode = 0140000 | 0777 };

static struct usock *
usock_of(struct process *p, uint32_t fd, int32_t *err)
{
	struct file *f = fd_get(p, fd);

	*err = !f ? -LNX_EBADF : f->ops != &sock_ops ? -L_ENOTSOCK : 0;
	return *err ? NULL : f->obj;
}

static bool
blocking(struct process *p, uint32_t fd, uint32_t msgflags)
{
	struct file *f = fd_get(p, fd);

	return f && !(f->flags & LNX_O_NONBLOCK) && !(msgflags & MSG_DONTWAIT);
}

static bool
file_blocks(const struct file *f, uint32_t msgflags)
{
	return !(f->flags & LNX_O_NONBLOCK) && !(msgflags & MSG_DONTWAIT);
}

static struct file *
new_file(mach_port_t port, uint32_t type, uint32_t flags)
{
	struct usock *s = calloc(1, sizeof *s);
	struct file *f;

	if (!s)
		return NULL;
	s->port = port;
	s->type = type;
	if (!id_take(s)) {
		free(s);
		return NULL;
	}
	if (!(f = file_new(&sock_ops, LNX_O_RDWR | (flags & L_SOCK_NONBLOCK ? LNX_O_NONBLOCK : 0), s)))
		ids[s->id - ID_BASE] = NULL, free(s);
	return f;
}

/* sockaddr_in in, checked: host-order address and port */
static int32_t
addr_in(struct process *p, uint32_t at, uint32_t len, uint32_t *ip, uint16_t *port)
{
	uint8_t sa[16];
	int r;

	if (len < sizeof sa || len > 128)
		return -LNX_EINVAL;
	if ((r = umem_read(p, at, sa, sizeof sa)) != 0)
		return r;
	if (sa[0] != AF_INET || sa[1] != 0)
		return -L_EAFNOSUPPORT;
	*port = (uint16_t)(sa[2] << 8 | sa[3]);
	*ip = (uint32_t)sa[4] << 24 | (uint32_t)sa[5] << 16 | (uint32_t)sa[6] << 8 | sa[7];
	return 0;
}

/* sockaddr_in out, cut to *lenp's room as Linux does; *lenp says the full 16 */
static int32_t
addr_out(struct process *p, uint32_t at, uint32_t lenp, uint32_t ip, uint16_t port)
{
	uint8_t sa[16] = { AF_INET, 0, (uint8_t)(port >> 8), (uint8_t)port, (uint8_t)(ip >> 24), (uint8_t)(ip >> 16),
			   (uint8_t)(ip >> 8), (uint8_t)ip };
	int32_t room;
	uint32_t full = sizeof sa;
	int r;

	if (!at)
		return 0;
	if ((r = umem_read(p, lenp, &room, sizeof room)) != 0)
		return r;
	if (room < 0)
		return -LNX_EINVAL;
	if ((r = umem_write(p, at, sa, (uint32_t)room < full ? (uint32_t)room : full)) != 0)
		return r;
	return umem_write(p, lenp, &full, sizeof full);
}

static int32_t
do_socket(struct process *p, uint32_t domain, uint32_t type, uint32_t proto)
{
	uint32_t base = type & 0xf, flags = type & ~0xfu;
	mach_port_t port;
	struct file *f;
	int e;

	if (domain == 1)
		return sockmsg_unix_socket(p, type, proto);	/* AF_UNIX: the server's own (unixsock.c) */
	if (domain != AF_INET)
		return -L_EAFNOSUPPORT;	/* AF_INET6 is not served */
	if (flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -LNX_EINVAL;
	if (base != L_SOCK_STREAM && base != L_SOCK_DGRAM)
		return base >= 10 || base == 0 ? -LNX_EINVAL : -94;	/* ESOCKTNOSUPPORT: raw, seqpacket... */
	if (proto != 0 && proto != (base == L_SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
		return -L_EPROTONOSUPPORT;
	/* charged to the process's own task: gns's quota (12 sockets a client) is then each process's */
	if ((e = sock_socket_for(p->task, base == L_SOCK_STREAM ? SOCK_STREAM : SOCK_DGRAM, &port)) != 0)
		return lnx_err(e);
	if (!(f = new_file(port, base, flags))) {
		sock_close(port);
		return -LNX_ENOMEM;
	}
	return fd_install(p, f, 0, flags & L_SOCK_CLOEXEC);
}

static int32_t
do_bind(struct process *p, uint32_t fd, uint32_t at, uint32_t len)
{
	uint32_t ip;
	uint16_t port;
	int32_t r;
	struct file *f = fd_get(p, fd);
	struct usock *s;

	if (f && unixsock_is(f))
		return sockmsg_unix_bind(p, f, at, len);
	if (!(s = usock_of(p, fd, &r)) || (r = addr_in(p, at, len, &ip, &port)) != 0)
		return r;
	return lnx_err(sock_bind(s->port, ip, port));
}

static int32_t
do_connect(struct process *p, uint32_t fd, uint32_t at, uint32_t len)
{
	uint32_t ip;
	uint16_t port;
	int32_t r;
	struct file *f = fd_get(p, fd);
	struct usock *s;

	if (f && unixsock_is(f))
		return sockmsg_unix_connect(p, f, at, len);
	if (!(s = usock_of(p, fd, &r)) || (r = addr_in(p, at, len, &ip, &port)) != 0)
		return r;
	r = lnx_err(sock_connect(s->port, ip, port, SOCK_NONBLOCK, 0));
	if (r == -115)
		s->connecting = true, s->conn_ip = ip, s->conn_port = port, s->so_error = 0;
	connect_seen(s, r);
	if ((r == -115 || r == -114) && blocking(p, fd, 0))
		return hold(p, s, SOCK_POLL_SEND);	/* EINPROGRESS, then EALREADY: go on waiting */
	if (r == -114 && p->replay)
		return hold(p, s, SOCK_POLL_SEND);
	return r;
}

static int32_t
do_listen(struct process *p, uint32_t fd, uint32_t backlog)
{
	int32_t r;
	struct file *f = fd_get(p, fd);
	struct usock *s;

	if (f && unixsock_is(f))
		return unixsock_listen(f, backlog);
	if (!(s = usock_of(p, fd, &r)))
		return r;
	if (s->type != L_SOCK_STREAM)
		return -LNX_EOPNOTSUPP;
	r = lnx_err(sock_listen(s->port, (int)(backlog > 128 ? 128 : backlog)));
	if (r == 0)
		s->listening = true;
	return r;
}

static int32_t
do_accept(struct process *p, uint32_t fd, uint32_t at, uint32_t lenp, uint32_t flags)
{
	mach_port_t conn;
	uint32_t ip = 0;
	uint16_t port = 0;
	struct file *f;
	int32_t r, nfd;
	struct file *uf = fd_get(p, fd);
	struct usock *s;

	if (uf && unixsock_is(uf))
		return sockmsg_unix_accept(p, uf, at, lenp, flags);
	if (!(s = usock_of(p, fd, &r)))
		return r;
	if (flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -LNX_EINVAL;
	if (s->type != L_SOCK_STREAM)
		return -LNX_EOPNOTSUPP;
	r = lnx_err(sock_accept(s->port, SOCK_NONBLOCK, 0, &conn, &ip, &port));
	if (r == -LNX_EAGAIN && blocking(p, fd, 0))
		return hold(p, s, SOCK_POLL_ACCEPT);
	if (r)
		return r;
	if (!(f = new_file(conn, L_SOCK_STREAM, flags))) {
		sock_close(conn);
		return -LNX_ENOMEM;
	}
	((struct usock *)f->obj)->established = true;
	if ((nfd = fd_install(p, f, 0, flags & L_SOCK_CLOEXEC)) < 0)
		return nfd;
	if ((r = addr_out(p, at, lenp, ip, port)) != 0) {
		fd_close(p, (uint32_t)nfd);	/* Linux gives the connection back to nobody either */
		return r;
	}
	return nfd;
}

static int32_t
do_name(struct process *p, uint32_t fd, uint32_t at, uint32_t lenp, bool peer)
{
	uint32_t ip = 0;
	uint16_t port = 0;
	int32_t r;
	struct file *f = fd_get(p, fd);
	struct usock *s;

	if (f && unixsock_is(f))
		return sockmsg_unix_name(p, f, at, lenp, peer);
	if (!(s = usock_of(p, fd, &r)))
		return r;
	if (!at)
		return -LNX_EFAULT;
	if ((r = lnx_err(peer ? sock_getpeername(s->port, &ip, &port) : sock_getsockname(s->port, &ip, &port))) != 0)
		return r;
	return addr_out(p, at, lenp, ip, port);
}

static int32_t
send_data(struct process *p, struct file *f, const uint8_t *data, uint32_t len, uint32_t flags, uint32_t at,
	  uint32_t alen)
{
	struct usock *s = f->obj;
	uint32_t ip = 0;
	uint16_t port = 0;
	size_t sent = 0;
	int32_t r;

	if (flags & (MSG_OOB | ~(MSG_DONTWAIT | MSG_NOSIGNAL | 0x8000 /* MSG_MORE */ | 0x40000 /* CONFIRM */)))
		return -LNX_EOPNOTSUPP;
	if (at && (r = addr_in(p, at, alen, &ip, &port)) != 0)
		return r;
	r = lnx_err(at ? sock_sendto(s->port, data, len, ip, port, SOCK_NONBLOCK, 0, &sent)
		       : sock_send(s->port, data, len, SOCK_NONBLOCK, 0, &sent));
	if (sent)
		return (int32_t)sent;
	if (r == -LNX_EAGAIN && file_blocks(f, flags))
		return hold(p, s, SOCK_POLL_SEND);
	if (r == -LNX_EPIPE && !(flags & MSG_NOSIGNAL))
		signal_raise(p, LNX_SIGPIPE);
	return r ? r : 0;
}

static int32_t
send_file(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at, uint32_t alen)
{
	static uint8_t data[IO_MAX];
	int32_t r;

	len = len < IO_MAX ? len : IO_MAX;
	if (len && (r = umem_read(p, buf, data, len)) != 0)
		return r;
	return send_data(p, f, data, len, flags, at, alen);
}

/* A receive from the stash: what waits there, taken unless MSG_PEEK. */
static int32_t
stash_take(struct process *p, struct usock *s, uint8_t *data, uint32_t len, uint32_t flags, uint32_t at,
	   uint32_t lenp)
{
	uint32_t n = s->stash_len - s->stash_off;
	int32_t r;

	if (s->stash_err) {
		r = s->stash_err;
		if (!(flags & MSG_PEEK))
			s->stash_err = 0;
		return r;
	}
	if (n == 0 && !s->stash_dgram)
		return 0;	/* the end of the stream, and it stays so */
	n = n < len ? n : len;
	memcpy(data, s->stash + s->stash_off, n);
	if (at && (r = addr_out(p, at, lenp, s->stash_ip, s->stash_port)) != 0)
		return r;
	if (!(flags & MSG_PEEK)) {
		if (s->stash_dgram)
			s->stash_dgram = false, s->stash_off = s->stash_len = 0;	/* the rest of a datagram goes */
		else
			s->stash_off += n;
	}
	return (int32_t)n;
}

static int32_t
recv_data(struct process *p, struct file *f, uint8_t *data, uint32_t len, uint32_t flags, uint32_t at, uint32_t lenp)
{
	struct usock *s = f->obj;
	uint32_t ip = 0;
	uint16_t port = 0;
	size_t got = 0;
	int32_t r;

	if (flags & ~(uint32_t)(MSG_DONTWAIT | MSG_PEEK))
		return -LNX_EOPNOTSUPP;	/* MSG_OOB: gns has none (MSG_WAITALL: recv_all, sockmsg_recvmsg) */
	len = len < IO_MAX ? len : IO_MAX;
	if (flags & MSG_PEEK)
		stash_fill(s);	/* a peek is a receive kept in the stash */
	if (stash_ready(s))
		return stash_take(p, s, data, len, flags, at, lenp);
	if (flags & MSG_PEEK)
		return file_blocks(f, flags) ? hold(p, s, SOCK_POLL_RECV) : -LNX_EAGAIN;
	r = lnx_err(sock_recvfrom(s->port, data, len, SOCK_NONBLOCK, 0, &got, &ip, &port));
	if (r == -LNX_EAGAIN && file_blocks(f, flags))
		return hold(p, s, SOCK_POLL_RECV);
	if (r)
		return r;
	if (at && (r = addr_out(p, at, lenp, ip, port)) != 0)
		return r;
	return (int32_t)got;
}

static int32_t
recv_file(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at, uint32_t lenp)
{
	static uint8_t data[IO_MAX];
	int32_t n = recv_data(p, f, data, len < IO_MAX ? len : IO_MAX, flags, at, lenp);
	int r;

	if (n > 0 && (r = umem_write(p, buf, data, (uint32_t)n)) != 0)
		return r;
	return n;
}

static int32_t
sock_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	return recv_file(p, f, buf, len, 0, 0, 0);
}

static int32_t
sock_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	return send_file(p, f, buf, len, 0, 0, 0);
}

static int32_t
do_send(struct process *p, uint32_t fd, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at, uint32_t alen)
{
	int32_t r;

	struct file *f = fd_get(p, fd);

	if (f && unixsock_is(f))
		return sockmsg_unix_send(p, f, buf, len, flags, at, alen);
	if (!usock_of(p, fd, &r))
		return r;
	return send_file(p, f, buf, len, flags, at, alen);
}

/* One receive of either kind of socket. */
static int32_t
recv_one(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at, uint32_t lenp)
{
	if (unixsock_is(f))
		return sockmsg_unix_recv(p, f, buf, len, flags, at, lenp);
	return recv_file(p, f, buf, len, flags, at, lenp);
}

/*
 * MSG_WAITALL on a stream: receives until len bytes came, the end, an error
 * or a signal, each piece written to the caller as it comes and counted in
 * p->io_done, so that the held call goes on where it stopped (and a signal
 * answers what came: main.c). A non-blocking one takes what is there.
 */
static int32_t
recv_all(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at, uint32_t lenp)
{
	while (p->io_done < len) {
		int32_t n = recv_one(p, f, buf + p->io_done, len - p->io_done, flags, at, lenp);

		if (n == SYS_DEFER)
			return n;
		if (n <= 0)
			return p->io_done ? (int32_t)p->io_done : n;
		p->io_done += (uint32_t)n;
	}
	return (int32_t)len;
}

static int32_t
do_recv(struct process *p, uint32_t fd, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at, uint32_t lenp)
{
	int32_t r = 0;
	struct file *f = fd_get(p, fd);
	struct usock *s = f && unixsock_is(f) ? NULL : usock_of(p, fd, &r);

	if (!s && !(f && unixsock_is(f)))
		return r;
	if (flags & MSG_WAITALL) {	/* a datagram's receive takes one whatever it says, as Linux's */
		flags &= ~MSG_WAITALL;
		if (!(flags & MSG_PEEK) && len <= 0x7FFFFFFFu &&
		    (s ? s->type : unixsock_type(f)) == L_SOCK_STREAM)
			return recv_all(p, f, buf, len, flags, at, lenp);
	}
	return recv_one(p, f, buf, len, flags, at, lenp);
}

static int32_t
do_shutdown(struct process *p, uint32_t fd, uint32_t how)
{
	int32_t r;
	struct file *f = fd_get(p, fd);
	struct usock *s;

	if (f && unixsock_is(f))
		return unixsock_shutdown(f, how);
	if (!(s = usock_of(p, fd, &r)))
		return r;
	if (how > 2)
		return -LNX_EINVAL;
	return lnx_err(sock_shutdown(s->port, (int)how));	/* SHUT_RD, WR, RDWR: the same numbers */
}

static uint32_t *
opt_slot(struct usock *s, uint32_t level, uint32_t name)
{
	if (level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_BROADCAST || name == SO_SNDBUF ||
				    name == SO_RCVBUF || name == SO_KEEPALIVE))
		return &s->opts[name];
	if (level == IPPROTO_TCP && name == TCP_NODELAY && s->type == L_SOCK_STREAM)
		return &s->nodelay;
	return NULL;
}

static int32_t
do_setsockopt(struct process *p, uint32_t fd, uint32_t level, uint32_t name, uint32_t val, uint32_t len)
{
	int32_t r;
	uint32_t v, *slot;
	struct usock *s = usock_of(p, fd, &r);

	if (!s)
		return r;
	if (!(slot = opt_slot(s, level, name)))
		return -L_ENOPROTOOPT;
	if (len < sizeof v)
		return -LNX_EINVAL;
	if ((r = umem_read(p, val, &v, sizeof v)) != 0)
		return r;
	*slot = v;
	return 0;
}

static int32_t
do_getsockopt(struct process *p, uint32_t fd, uint32_t level, uint32_t name, uint32_t val, uint32_t lenp)
{
	int32_t r = -LNX_EBADF, room;
	uint32_t v, *slot, four = 4;
	struct file *f = fd_get(p, fd);
	struct usock *s = f && unixsock_is(f) ? NULL : usock_of(p, fd, &r);

	if (!s && !(f && unixsock_is(f)))
		return r;
	if (level == SOL_SOCKET && name == SO_TYPE)
		v = s ? s->type : unixsock_type(f);
	else if (!s && level == SOL_SOCKET && name == SO_ERROR)
		v = 0;
	else if (!s)
		return -L_ENOPROTOOPT;	/* an AF_UNIX end keeps no options yet */
	else if (level == SOL_SOCKET && name == SO_ERROR) {
		(void)still_connecting(s);	/* a non-blocking connect's outcome, if it came */
		v = (uint32_t)-s->so_error;	/* taken, as Linux's sock_error */
		s->so_error = 0;
	}
	else if ((slot = opt_slot(s, level, name)))
		v = *slot;
	else
		return -L_ENOPROTOOPT;
	if ((r = umem_read(p, lenp, &room, sizeof room)) != 0)
		return r;
	if (room < 0)
		return -LNX_EINVAL;
	if ((r = umem_write(p, val, &v, (uint32_t)room < four ? (uint32_t)room : four)) != 0)
		return r;
	return umem_write(p, lenp, &four, sizeof four);
}

/* The calls by number: socketcall's and the direct ones share this. */
static int32_t
sock_call(struct process *p, uint32_t call, const uint32_t a[6])
{
	struct file *f = call != 1 && call != 8 ? fd_get(p, a[0]) : NULL;

	/* socketpair and AF_UNIX ends are the server's own; the rest needs gns (README) */
	if (!sock_enabled && call != 8 && !(call == 1 && a[0] == 1) && !(f && unixsock_is(f)))
		return -LNX_ENOSYS;
	switch (call) {
	case 1: return do_socket(p, a[0], a[1], a[2]);
	case 2: return do_bind(p, a[0], a[1], a[2]);
	case 3: return do_connect(p, a[0], a[1], a[2]);
	case 4: return do_listen(p, a[0], a[1]);
	case 5: return do_accept(p, a[0], a[1], a[2], 0);
	case 6: return do_name(p, a[0], a[1], a[2], false);
	case 7: return do_name(p, a[0], a[1], a[2], true);
	case 8: return sockmsg_socketpair(p, a[0], a[1], a[2], a[3]);
	case 9: return do_send(p, a[0], a[1], a[2], a[3], 0, 0);
	case 10: return do_recv(p, a[0], a[1], a[2], a[3], 0, 0);
	case 11: return do_send(p, a[0], a[1], a[2], a[3], a[4], a[5]);
	case 12: return do_recv(p, a[0], a[1], a[2], a[3], a[4], a[5]);
	case 13: return do_shutdown(p, a[0], a[1]);
	case 14: return do_setsockopt(p, a[0], a[1], a[2], a[3], a[4]);
	case 15: return do_getsockopt(p, a[0], a[1], a[2], a[3], a[4]);
	case 16:
	case 17:
		if (!f)
			return -LNX_EBADF;
		if (!unixsock_is(f) && f->ops != &sock_ops)
			return -L_ENOTSOCK;
		if (call == 16)
			return sockmsg_sendmsg(p, f, a[1], a[2], send_data);
		return sockmsg_recvmsg(p, f, a[1], a[2], recv_data,
				       (unixsock_is(f) ? unixsock_type(f) : ((struct usock *)f->obj)->type) == L_SOCK_STREAM);
	case 18: return do_accept(p, a[0], a[1], a[2], a[3]);
	}
	return -LNX_EINVAL;	/* unknown numbers */
}

/* socketcall(call, args): the arguments are words in the process's memory */
SYS(socketcall)
{
	static const uint8_t nargs[19] = { 0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6, 2, 5, 5, 3, 3, 4 };
	uint32_t args[6] = { 0 };
	int r;

	if (a[0] < 1 || a[0] > 18)
		return -LNX_EINVAL;
	if ((r = umem_read(p, a[1], args, nargs[a[0]] * 4u)) != 0)
		return r;
	return sock_call(p, a[0], args);
}

/* The direct calls (Linux 4.3 on): each is socketcall's call with its registers as the words. */
#define DIRECT(name, nr) SYS(name) { return sock_call(p, nr, a); }
DIRECT(socket, 1)
DIRECT(bind, 2)
DIRECT(connect, 3)
DIRECT(listen, 4)
DIRECT(getsockname, 6)
DIRECT(getpeername, 7)
DIRECT(socketpair, 8)
DIRECT(sendto, 11)
DIRECT(recvfrom, 12)
DIRECT(shutdown, 13)
DIRECT(setsockopt, 14)
DIRECT(getsockopt, 15)
DIRECT(accept4, 18)
DIRECT(sendmsg, 16)
DIRECT(recvmsg, 17)
