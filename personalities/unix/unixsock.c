/*
 * AF_UNIX sockets made by socketpair (unixsock.h), served inside the server:
 * no gns needed. Each end is a struct file holding a struct usend; each end
 * has a receive ring (64 KiB) that the other end's sends fill, so a send is
 * a copy into the peer's ring and a receive a copy out of one's own. A stream
 * socket's ring holds bytes; a datagram socket's holds records, each the
 * bytes' length, the sender's name's length, the name (none for an unnamed
 * sender) and the bytes, so that a receive takes one record whole (what does
 * not fit the caller's buffer is dropped, MSG_TRUNC). A datagram socket made
 * by socket() sends to a name (sendto), or to the one connect named, found
 * by the number of its file at each send. What waits: a receive
 * on an empty ring while the peer can still send, and a send without room in
 * the peer's ring; each is held (SYS_DEFER) and tried again whenever an end
 * changes (all on one key, usock_key, with the polls that asked an end). A stream send keeps its progress
 * in the process (io_done) while it is held, so no byte goes twice.
 *   [U] unix_lock, as everything of the server's
 */
#include <stdlib.h>
#include <string.h>
#include <manifold/fsc.h>
#include "fd.h"
#include "fsfile.h"
#include "linux.h"
#include "signal.h"
#include "syscall.h"
#include "umem.h"
#include "unixsock.h"

#define RING	65536u
#define CHUNK	4096u
#define HDR	8u	/* a datagram record's words: the bytes' length, the sender's name's */

/* Descriptors in flight (SCM_RIGHTS): files that go with the byte at `at` of the stream into an end. */
struct rights {
	struct rights *next;
	uint32_t at;			/* the position (bytes ever put into the ring) of the data they go with */
	uint32_t n;
	struct file *files[UNIXSOCK_RIGHTS_MAX];	/* one reference each */
};

const char usock_key;

/* p's call waits for an end to change: held on usock_key, which every change of an end wakes. */
static int32_t
wait_on_ends(struct process *p)
{
	p->wait_key = &usock_key;
	return SYS_DEFER;
}

struct usend {
	struct usend *peer;		/* [U] the other end; NULL once its file closed */
	uint32_t type;			/* [U] UNIXSOCK_STREAM or UNIXSOCK_DGRAM */
	uint8_t ring[RING];		/* [U] what the peer sent and this end has not received */
	uint32_t head, count;		/* [U] bytes ring[head..] (circularly) hold */
	bool shut_rd, shut_wr;		/* [U] shutdown: this end receives no more / sends no more */
	uint32_t put, taken;		/* [U] bytes ever put into the ring, and taken from it */
	struct rights *inbox;		/* [U] what came with the ring's bytes, in order */
	struct rights *outgoing;	/* [U] sendmsg's rights for this end's next send (unixsock_attach) */
	/* named stream sockets (socket, bind, listen, connect, accept) */
	bool unconnected;		/* [U] made by socket(): no peer yet (ENOTCONN, EINVAL) */
	bool listening;			/* [U] listen: connects queue on pending */
	uint32_t backlog, npending;	/* [U] */
	struct usend *pending;		/* [U] a listener's connections not accepted yet (their link: next) */
	struct usend *next;		/* [U] */
	struct usend *from;		/* [U] a connection's listener, while it is pending */
	uint64_t ino;			/* [U] bound: fs's file number of its name, or an abstract one's (0: not bound) */
	struct unixsock_name name;	/* [U] bound: what it was bound to (getsockname) */
	struct unixsock_name peer_name;	/* [U] a connecting end: its listener's name, for getpeername */
	uint64_t dest_ino;		/* [U] a datagram socket connect named: its name's file number (0: none) */
};

#define BOUND_MAX 32
static struct usend *bound[BOUND_MAX];	/* [U] the ends bound to a name, for connect to find */
/* An abstract name's number, in bound[]'s ino: above any of fs's (ext2's are 32 bits) */
#define ABSTRACT_INO (1ull << 63)
static uint64_t abstract_seq;		/* [U] */

static void
rights_free(struct rights *r)
{
	while (r) {
		struct rights *next = r->next;

		for (uint32_t i = 0; i < r->n; i++)
			file_unref(r->files[i]);
		free(r);
		r = next;
	}
}

static struct usend *
end_of(const struct file *f)
{
	return f->obj;
}

static void
ring_put(struct usend *e, const uint8_t *data, uint32_t n)
{
	uint32_t tail = (e->head + e->count) % RING, first = RING - tail < n ? RING - tail : n;

	memcpy(e->ring + tail, data, first);
	memcpy(e->ring, data + first, n - first);
	e->count += n;
	e->put += n;
}

/* Copies n bytes from offset off of the ring's contents, taking nothing. */
static void
ring_peek(const struct usend *e, uint32_t off, uint8_t *out, uint32_t n)
{
	uint32_t at = (e->head + off) % RING, first = RING - at < n ? RING - at : n;

	memcpy(out, e->ring + at, first);
	memcpy(out + first, e->ring, n - first);
}

static void
ring_take(struct usend *e, uint32_t n)
{
	e->head = (e->head + n) % RING;
	e->count -= n;
	e->taken += n;
	/* rights whose bytes went by without a recvmsg to take them are closed, as Linux's are */
	while (e->inbox && (int32_t)(e->taken - e->inbox->at) > 0) {
		struct rights *r = e->inbox;

		e->inbox = r->next;
		r->next = NULL;
		rights_free(r);
	}
}

/* The sender's outgoing rights go with the bytes about to be put into q (at q->put). */
static void
rights_send(struct usend *e, struct usend *q)
{
	struct rights **pp = &q->inbox;

	if (!e->outgoing)
		return;
	while (*pp)
		pp = &(*pp)->next;
	e->outgoing->at = q->put;
	*pp = e->outgoing;
	e->outgoing = NULL;
}

/* A stream receive stops before the next rights after its first byte (they go with a receive of their own). */
static uint32_t
stream_limit(const struct usend *e, uint32_t n)
{
	for (const struct rights *r = e->inbox; r; r = r->next) {
		uint32_t d = r->at - e->taken;

		if (d > 0 && d < n)
			return d;
	}
	return n;
}

/* Nothing more can come to e: the peer is gone or sends no more, or e receives no more. */
static bool
at_end(const struct usend *e)
{
	if (e->type == UNIXSOCK_DGRAM && e->unconnected)
		return e->shut_rd;	/* socket()'s: anyone may send to it */
	return !e->peer || e->peer->shut_wr || e->shut_rd;
}

/* The datagram socket bound to fs's file ino, or NULL. */
static struct usend *
bound_dgram(uint64_t ino)
{
	for (int i = 0; i < BOUND_MAX; i++)
		if (bound[i] && bound[i]->ino == ino)
			return bound[i]->type == UNIXSOCK_DGRAM ? bound[i] : NULL;
	return NULL;
}

static bool
abstract(const struct unixsock_name *n)
{
	return n->len > 0 && n->b[0] == 0;
}

/* The end bound to abstract name n, or NULL. */
static struct usend *
bound_abstract(const struct unixsock_name *n)
{
	for (int i = 0; i < BOUND_MAX; i++)
		if (bound[i] && bound[i]->name.len == n->len && abstract(&bound[i]->name) &&
		    memcmp(bound[i]->name.b, n->b, n->len) == 0)
			return bound[i];
	return NULL;
}

/*
 * The number bound[] knows name by: fs's file number of path, or the one
 * of the end bound to an abstract name. 0 or Linux's error: ENOENT (no such
 * path), ECONNREFUSED (no end has the abstract name, as Linux says).
 */
static int32_t
name_ino(const struct unixsock_name *name, const char *path, uint64_t *ino)
{
	struct fsc_stat st;
	struct usend *q;
	kern_return_t kr;

	if (abstract(name)) {
		if (!(q = bound_abstract(name)))
			return -LNX_ECONNREFUSED;
		*ino = q->ino;
		return 0;
	}
	if ((kr = fsc_stat(path, true, &st)) != KERN_SUCCESS)
		return fsfile_err(kr);
	*ino = st.ino;
	return 0;
}

/*
 * Where a datagram of e's goes: the socket named to (sendto's, its path's
 * at to_path), or the one e's connect named, or e's pair's peer. 0 or
 * Linux's error: ENOENT (no such name), EPROTOTYPE (a stream socket's),
 * ECONNREFUSED (no socket bound there, or it closed), ENOTCONN (nowhere to
 * send).
 */
static int32_t
dgram_dest(const struct usend *e, const struct unixsock_name *to, const char *to_path, struct usend **q)
{
	uint64_t ino = e->dest_ino;
	int32_t r;

	*q = NULL;
	if (to && (r = name_ino(to, to_path, &ino)) != 0)
		return r;
	if (ino) {
		if (!(*q = bound_dgram(ino)))
			return unixsock_bound_ino(ino) ? -91 /* EPROTOTYPE */ : -LNX_ECONNREFUSED;
		return 0;
	}
	if (e->unconnected)
		return -LNX_ENOTCONN;
	*q = e->peer;
	return e->peer ? 0 : -LNX_ECONNREFUSED;	/* Linux's answer once the other end of a pair closed */
}

/* A datagram of len bytes from e into q's ring with e's name, held while q has no room for it. */
static int32_t
dgram_send(struct process *p, struct usend *e, struct usend *q, const uint8_t *data, uint32_t len, bool block)
{
	uint32_t hdr[2] = { len, e->name.len };

	if (HDR + hdr[1] + len > RING)
		return -LNX_EMSGSIZE;
	if (RING - q->count < HDR + hdr[1] + len)
		return !block ? -LNX_EAGAIN : signal_interrupts(p) ? -LNX_EINTR : wait_on_ends(p);
	rights_send(e, q);
	ring_put(q, (const uint8_t *)hdr, HDR);
	ring_put(q, (const uint8_t *)e->name.b, hdr[1]);
	ring_put(q, data, len);
	server_retry_on(&usock_key);	/* a receiver waiting for it */
	return (int32_t)len;
}

int32_t
unixsock_send(struct process *p, struct file *f, const uint8_t *data, uint32_t len, uint32_t flags,
	      const struct unixsock_name *to, const char *to_path)
{
	struct usend *e = end_of(f), *q = e->peer;
	bool block = !(f->flags & LNX_O_NONBLOCK) && !(flags & UNIXSOCK_DONTWAIT);
	int32_t r;

	if (e->type == UNIXSOCK_DGRAM) {
		if ((r = dgram_dest(e, to, to_path, &q)) != 0)
			return r;
		if (e->shut_wr || q->shut_rd) {
			if (!(flags & UNIXSOCK_NOSIGNAL))
				signal_raise(p, LNX_SIGPIPE);
			return -LNX_EPIPE;
		}
		return dgram_send(p, e, q, data, len, block);
	}
	if (e->unconnected || e->listening)
		return -LNX_ENOTCONN;
	if (!q || e->shut_wr || q->shut_rd) {
		if (!(flags & UNIXSOCK_NOSIGNAL))
			signal_raise(p, LNX_SIGPIPE);
		return p->io_done ? (int32_t)p->io_done : -LNX_EPIPE;
	}
	while (p->io_done < len) {
		uint32_t room = RING - q->count, n = len - p->io_done;

		if (room == 0) {
			if (!block)
				return p->io_done ? (int32_t)p->io_done : -LNX_EAGAIN;
			if (signal_interrupts(p))
				return p->io_done ? (int32_t)p->io_done : -LNX_EINTR;
			return wait_on_ends(p);
		}
		n = n < room ? n : room;
		if (p->io_done == 0)
			rights_send(e, q);	/* with the send's first byte */
		ring_put(q, data + p->io_done, n);
		p->io_done += n;
		server_retry_on(&usock_key);
	}
	return (int32_t)len;
}

int32_t
unixsock_recv(struct process *p, struct file *f, uint8_t *data, uint32_t len, uint32_t flags, uint32_t *msg_flags,
	      struct unixsock_name *from)
{
	struct usend *e = end_of(f);
	bool block = !(f->flags & LNX_O_NONBLOCK) && !(flags & UNIXSOCK_DONTWAIT);
	uint32_t n;

	(void)p;
	*msg_flags = 0;
	if (from)
		from->len = 0;
	if (e->type == UNIXSOCK_STREAM && (e->unconnected || e->listening))
		return -LNX_EINVAL;	/* Linux's answer for a stream socket with no connection */
	if (e->count == 0) {
		if (at_end(e))
			return 0;
		return !block ? -LNX_EAGAIN : wait_on_ends(p);
	}
	if (e->type == UNIXSOCK_DGRAM) {
		uint32_t hdr[2];

		ring_peek(e, 0, (uint8_t *)hdr, HDR);
		n = hdr[0] < len ? hdr[0] : len;
		if (from) {
			ring_peek(e, HDR, (uint8_t *)from->b, hdr[1]);
			from->len = hdr[1];
		}
		ring_peek(e, HDR + hdr[1], data, n);
		if (n < hdr[0])
			*msg_flags |= UNIXSOCK_TRUNC;	/* the rest of the record is dropped */
		if (!(flags & UNIXSOCK_PEEK))
			ring_take(e, HDR + hdr[1] + hdr[0]);
	} else {
		n = stream_limit(e, len < e->count ? len : e->count);
		ring_peek(e, 0, data, n);
		if (!(flags & UNIXSOCK_PEEK))
			ring_take(e, n);
	}
	if (!(flags & UNIXSOCK_PEEK) && e->peer)
		server_retry_on(&usock_key);	/* a sender waiting for room */
	return (int32_t)n;
}

int32_t
unixsock_shutdown(struct file *f, uint32_t how)
{
	struct usend *e = end_of(f);

	if (how > 2)
		return -LNX_EINVAL;
	if (how != 1)
		e->shut_rd = true;
	if (how != 0)
		e->shut_wr = true;
	server_retry_on(&usock_key);	/* receivers see their end, senders their EPIPE */
	return 0;
}

uint32_t
unixsock_type(const struct file *f)
{
	return end_of(f)->type;
}

static int32_t
us_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	static uint8_t data[RING];
	uint32_t mf;
	int32_t n = unixsock_recv(p, f, data, len < RING ? len : RING, UNIXSOCK_PEEK, &mf, NULL);
	int r;

	if (n < 0)
		return n;
	if (n == 0)	/* the end, or an empty datagram: taken, so that the next one comes */
		return unixsock_recv(p, f, data, 0, 0, &mf, NULL);
	if ((r = umem_write(p, buf, data, (uint32_t)n)) != 0)
		return r;	/* nothing taken */
	return unixsock_recv(p, f, data, (uint32_t)n, 0, &mf, NULL);
}

static int32_t
us_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	static uint8_t data[RING];
	int r;

	if (len > RING && end_of(f)->type == UNIXSOCK_DGRAM)
		return -LNX_EMSGSIZE;
	len = len < RING ? len : RING;	/* a stream's short count: the caller writes the rest */
	if (len && (r = umem_read(p, buf, data, len)) != 0)
		return r;
	return unixsock_send(p, f, data, len, 0, NULL, NULL);
}

static uint32_t
us_poll(struct file *f)
{
	struct usend *e = end_of(f), *q = e->peer;
	uint32_t ev = 0;

	if (e->listening)
		return e->pending ? LNX_POLLIN : 0;
	if (e->type == UNIXSOCK_DGRAM && e->unconnected) {	/* socket()'s: writable unless its destination is full */
		q = e->dest_ino ? bound_dgram(e->dest_ino) : NULL;
		return (e->count || e->shut_rd ? LNX_POLLIN : 0) |
		       (!q || RING - q->count >= HDR + 1 ? LNX_POLLOUT : 0);
	}
	if (e->unconnected)
		return LNX_POLLOUT | LNX_POLLHUP;	/* Linux's for a stream socket never connected */

	if (e->count || at_end(e))
		ev |= LNX_POLLIN;
	if (q && !e->shut_wr && !q->shut_rd && RING - q->count >= (e->type == UNIXSOCK_DGRAM ? HDR + 1 : 1))
		ev |= LNX_POLLOUT;
	if (!q || (e->shut_wr && e->shut_rd))
		ev |= LNX_POLLHUP;
	return ev;
}

static void
us_close(struct file *f)
{
	struct usend *e = end_of(f);

	if (e->peer)
		e->peer->peer = NULL;
	if (e->from) {	/* a pending connection whose client closed: out of its listener's queue */
		for (struct usend **pp = &e->from->pending; *pp; pp = &(*pp)->next)
			if (*pp == e) {
				*pp = e->next;
				e->from->npending--;
				break;
			}
	}
	while (e->pending) {	/* connections never accepted: their clients see the end */
		struct usend *c = e->pending;

		e->pending = c->next;
		if (c->peer)
			c->peer->peer = NULL;
		rights_free(c->inbox);
		free(c);
	}
	for (int i = 0; i < BOUND_MAX; i++)
		if (bound[i] == e)
			bound[i] = NULL;	/* a path's file stays on the disk, as Linux leaves it; an abstract name is free */
	rights_free(e->inbox);
	rights_free(e->outgoing);
	free(e);
	server_retry_on(&usock_key);	/* the peer's receivers see the end, its senders EPIPE */
}

static const void *
us_wake_key(struct file *f)
{
	(void)f;
	return &usock_key;
}

static const struct file_ops unixsock_ops = { .read = us_read, .write = us_write, .poll = us_poll,
					      .close = us_close, .wake_key = us_wake_key, .mode = 0140000 | 0777 };

int
unixsock_attach(struct file *f, struct file *const *files, uint32_t n)
{
	struct usend *e = end_of(f);
	struct rights *r = NULL;

	rights_free(e->outgoing);
	e->outgoing = NULL;
	if (n == 0)
		return 0;
	if (n > UNIXSOCK_RIGHTS_MAX)
		return -LNX_EINVAL;
	if (!(r = calloc(1, sizeof *r)))
		return -LNX_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		file_ref(files[i]);
		r->files[r->n++] = files[i];
	}
	e->outgoing = r;
	return 0;
}

uint32_t
unixsock_take_rights(struct file *f, struct file **out)
{
	struct usend *e = end_of(f);
	struct rights *r = e->inbox;
	uint32_t n;

	if (!r || r->at != e->taken)
		return 0;	/* none go with the next byte */
	e->inbox = r->next;
	n = r->n;
	memcpy(out, r->files, n * sizeof out[0]);	/* the references are the caller's now */
	free(r);
	return n;
}

bool
unixsock_is(const struct file *f)
{
	return f->ops == &unixsock_ops;
}

int
unixsock_pair(uint32_t type, uint32_t flags, struct file **a, struct file **b)
{
	struct usend *x = calloc(1, sizeof *x), *y = calloc(1, sizeof *y);

	*a = *b = NULL;
	if (!x || !y)
		goto fail;
	x->peer = y, y->peer = x;
	x->type = y->type = type;
	*a = file_new(&unixsock_ops, LNX_O_RDWR | (flags & LNX_O_NONBLOCK), x);
	*b = file_new(&unixsock_ops, LNX_O_RDWR | (flags & LNX_O_NONBLOCK), y);
	if (*a && *b)
		return 0;
fail:
	free(*a);
	free(*b);
	free(x);
	free(y);
	return -LNX_ENFILE;
}

/* Named stream sockets: socket(AF_UNIX), bind to a path, listen, connect by path, accept. */

int
unixsock_socket(uint32_t type, uint32_t flags, struct file **f)
{
	struct usend *e = calloc(1, sizeof *e);

	*f = NULL;
	if (!e)
		return -LNX_ENFILE;
	e->type = type;
	e->unconnected = true;
	if (!(*f = file_new(&unixsock_ops, LNX_O_RDWR | (flags & LNX_O_NONBLOCK), e))) {
		free(e);
		return -LNX_ENFILE;
	}
	return 0;
}

/* Autobind: the first free of Linux's names, 0 and 5 hex digits. */
static bool
autobind_name(struct unixsock_name *n)
{
	static uint32_t next;	/* [U] */
	static const char hex[] = "0123456789abcdef";

	for (uint32_t tries = 0; tries < 0x100000; tries++, next = (next + 1) & 0xFFFFF) {
		n->len = 6;
		n->b[0] = 0;
		for (int i = 0; i < 5; i++)
			n->b[1 + i] = hex[(next >> (16 - 4 * i)) & 0xF];
		if (!bound_abstract(n)) {
			next = (next + 1) & 0xFFFFF;
			return true;
		}
	}
	return false;
}

int32_t
unixsock_bind(struct file *f, const struct unixsock_name *name, const char *path, uint32_t mode)
{
	struct usend *e = end_of(f);
	struct fsc_stat st;
	mach_port_t port;
	kern_return_t kr;
	int slot = -1;

	if (e->ino || !e->unconnected)
		return -LNX_EINVAL;	/* bound already, or a pair's end */
	for (int i = 0; i < BOUND_MAX && slot < 0; i++)
		if (!bound[i])
			slot = i;
	if (slot < 0)
		return -LNX_ENOMEM;
	if (name->len == 0 || abstract(name)) {
		struct unixsock_name made;

		if (name->len == 0 && !autobind_name(&made))
			return -28;	/* ENOSPC: every name is taken, as Linux answers */
		if (name->len && bound_abstract(name))
			return -98;	/* EADDRINUSE */
		e->name = name->len ? *name : made;
		e->ino = ABSTRACT_INO | ++abstract_seq;
		bound[slot] = e;
		return 0;
	}
	if (!fsfile_owns(path))
		return -LNX_EROFS;
	/* the name is a file of fs's, made here as Linux makes the socket's inode: taken already, EADDRINUSE */
	kr = fsc_open(path, FS_O_WRONLY | FS_O_CREAT | FS_O_EXCL, mode & 0777, &port);
	if (kr == FS_ERR_EEXIST)
		return -98;	/* EADDRINUSE */
	if (kr != KERN_SUCCESS)
		return fsfile_err(kr);
	kr = fsc_fstat(port, &st);
	fsc_close(port);
	if (kr != KERN_SUCCESS)
		return fsfile_err(kr);
	e->name = *name;
	e->ino = st.ino;
	bound[slot] = e;
	return 0;
}

bool
unixsock_bound_ino(uint64_t ino)
{
	for (int i = 0; i < BOUND_MAX; i++)
		if (bound[i] && bound[i]->ino == ino)
			return true;
	return false;
}

int32_t
unixsock_listen(struct file *f, uint32_t backlog)
{
	struct usend *e = end_of(f);

	if (e->type != UNIXSOCK_STREAM)
		return -LNX_EOPNOTSUPP;
	if (!e->unconnected || !e->ino)
		return -LNX_EINVAL;	/* connected, or not bound (Linux would bind it to a made-up name) */
	e->listening = true;
	e->backlog = backlog < 1 ? 1 : backlog > 128 ? 128 : backlog;
	server_retry_on(&usock_key);
	return 0;
}

/* A datagram socket's connect: name's socket is where its sends go, and what getpeername says. */
static int32_t
dgram_connect(struct usend *e, const struct unixsock_name *name, const char *path)
{
	struct usend *q;
	int32_t r;

	if (!e->unconnected)
		return -106;	/* EISCONN: a pair's end */
	if ((r = dgram_dest(e, name, path, &q)) != 0)
		return r;
	e->peer_name = q->name;
	e->dest_ino = q->ino;
	return 0;
}

int32_t
unixsock_connect(struct file *f, const struct unixsock_name *name, const char *path)
{
	struct usend *e = end_of(f), *l = NULL, *c;
	uint64_t ino;
	int32_t r;

	if (e->type == UNIXSOCK_DGRAM)
		return dgram_connect(e, name, path);
	if (e->listening)
		return -LNX_EINVAL;
	if (!e->unconnected)
		return -106;	/* EISCONN */
	if ((r = name_ino(name, path, &ino)) != 0)
		return r;
	for (int i = 0; i < BOUND_MAX && !l; i++)
		if (bound[i] && bound[i]->ino == ino)
			l = bound[i];
	if (l && l->type != UNIXSOCK_STREAM)
		return -91;	/* EPROTOTYPE */
	if (!l || !l->listening || l->npending >= l->backlog)
		return -LNX_ECONNREFUSED;	/* nobody listens there (Linux would wait for room in a full queue) */
	if (!(c = calloc(1, sizeof *c)))
		return -LNX_ENOMEM;
	c->type = UNIXSOCK_STREAM;
	c->peer = e, e->peer = c;
	c->from = l;
	e->unconnected = false;
	e->peer_name = l->name;
	struct usend **pp = &l->pending;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	l->npending++;
	server_retry_on(&usock_key);	/* an accept waiting for it */
	return 0;
}

int32_t
unixsock_accept(struct file *f, uint32_t flags, struct file **out)
{
	struct usend *l = end_of(f), *c = l->pending;

	*out = NULL;
	if (!l->listening)
		return -LNX_EINVAL;
	if (!c)
		return f->flags & LNX_O_NONBLOCK ? -LNX_EAGAIN : SYS_DEFER;
	if (!(*out = file_new(&unixsock_ops, LNX_O_RDWR | (flags & LNX_O_NONBLOCK), c)))
		return -LNX_ENFILE;
	l->pending = c->next;
	l->npending--;
	c->next = NULL;
	c->from = NULL;
	c->name = l->name;	/* an accepted end has its listener's name */
	return 0;
}

const struct unixsock_name *
unixsock_name(const struct file *f, bool peer)
{
	const struct usend *e = end_of(f);
	const struct unixsock_name *n = peer ? &e->peer_name : &e->name;

	return n->len ? n : NULL;
}

bool
unixsock_connected(const struct file *f)
{
	const struct usend *e = end_of(f);

	return (!e->unconnected && !e->listening) || e->dest_ino;
}
