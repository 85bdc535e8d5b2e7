/*
 * The socket calls on socketpair's AF_UNIX ends (unixsock.c) and sendmsg and
 * recvmsg on every socket (sockmsg.h): sock.c hands a call here when its
 * descriptor is such an end, or when it is socketpair, sendmsg or recvmsg.
 * These work without gns (the word `net`). sendmsg gathers the iovecs into
 * one buffer (64 KiB at most a call: a stream's short count, a datagram's
 * EMSGSIZE), recvmsg scatters what came; SCM_RIGHTS passes descriptors
 * between AF_UNIX ends (rights_in, rights_out), gns's sockets take no
 * control messages.
 *   [U] unix_lock, as everything of the server's
 */
#include <string.h>
#include "fd.h"
#include "files.h"
#include "linux.h"
#include "sockmsg.h"
#include "syscall.h"
#include "umem.h"
#include "unixsock.h"

#define IO_MAX	(64u * 1024u)
#define IOV_MAX	1024u
#define AF_UNIX	1
#define L_EAFNOSUPPORT	97
#define L_EPROTONOSUPPORT 93
#define L_EOPNOTSUPP	95
#define L_EISCONN	106
#define L_SOCK_NONBLOCK	0x800
#define L_SOCK_CLOEXEC	0x80000
#define SUN_PATH	108

static uint8_t data[IO_MAX];

int32_t
sockmsg_socketpair(struct process *p, uint32_t domain, uint32_t type, uint32_t proto, uint32_t sv)
{
	uint32_t base = type & 0xf, flags = type & ~0xfu;
	struct file *a, *b;
	int32_t fds[2];
	int r;

	if (domain != AF_UNIX)
		return domain == 2 ? -L_EOPNOTSUPP : -L_EAFNOSUPPORT;	/* AF_INET has no pairs: Linux's answer */
	if (flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -LNX_EINVAL;
	if (base != UNIXSOCK_STREAM && base != UNIXSOCK_DGRAM)
		return base >= 10 || base == 0 ? -LNX_EINVAL : -94;	/* ESOCKTNOSUPPORT: seqpacket, raw */
	if (proto != 0)
		return -L_EPROTONOSUPPORT;
	if ((r = unixsock_pair(base, flags & L_SOCK_NONBLOCK ? LNX_O_NONBLOCK : 0, &a, &b)) != 0)
		return r;
	if ((fds[0] = fd_install(p, a, 0, flags & L_SOCK_CLOEXEC)) < 0) {
		file_unref(a);
		file_unref(b);
		return fds[0];
	}
	if ((fds[1] = fd_install(p, b, 0, flags & L_SOCK_CLOEXEC)) < 0) {
		fd_close(p, (uint32_t)fds[0]);
		file_unref(b);
		return fds[1];
	}
	if ((r = umem_write(p, sv, fds, sizeof fds)) != 0) {
		fd_close(p, (uint32_t)fds[0]);
		fd_close(p, (uint32_t)fds[1]);
		return r;
	}
	return 0;
}

/* An unnamed AF_UNIX address (what a pair's end is): the family alone, as Linux gives it. */
static int
unnamed_out(struct process *p, uint32_t at, uint32_t lenp)
{
	uint16_t fam = AF_UNIX;
	uint32_t room, two = 2;
	int r;

	if (!at || !lenp)
		return 0;
	if ((r = umem_read(p, lenp, &room, sizeof room)) != 0)
		return r;
	if ((int32_t)room < 0)
		return -LNX_EINVAL;
	if (room && (r = umem_write(p, at, &fam, room < 2 ? room : 2)) != 0)
		return r;
	return umem_write(p, lenp, &two, sizeof two);
}

static int addr_un(struct process *p, uint32_t at, uint32_t len, struct unixsock_name *name, char *abs);
static int name_out(struct process *p, const struct unixsock_name *name, uint32_t at, uint32_t lenp);

/* A datagram's destination (sendto's, sendmsg's), a path's absolute into abs; a stream's is refused. */
static int
send_to(struct process *p, struct file *f, uint32_t at, uint32_t alen, struct unixsock_name *to, char *abs)
{
	int r;

	if (unixsock_type(f) != UNIXSOCK_DGRAM)
		return -L_EISCONN;	/* a connected stream's end: an address is refused */
	if ((r = addr_un(p, at, alen, to, abs)) != 0)
		return r;
	return to->len ? 0 : -LNX_EINVAL;	/* the family alone names nothing to send to */
}

int32_t
sockmsg_unix_send(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at,
		  uint32_t alen)
{
	char abs[PATH_MAX_];
	struct unixsock_name to;
	int r;

	if (flags & ~(uint32_t)(UNIXSOCK_DONTWAIT | UNIXSOCK_NOSIGNAL | 0x8000 /* MSG_MORE */))
		return -L_EOPNOTSUPP;
	if (at && (r = send_to(p, f, at, alen, &to, abs)) != 0)
		return r;
	if (len > IO_MAX && unixsock_type(f) == UNIXSOCK_DGRAM)
		return -LNX_EMSGSIZE;
	len = len < IO_MAX ? len : IO_MAX;
	if (len && (r = umem_read(p, buf, data, len)) != 0)
		return r;
	return unixsock_send(p, f, data, len, flags, at ? &to : NULL, abs);
}

/* A sender's name out (recvfrom's, recvmsg's): an unnamed sender's length is 0, Linux says. */
static int
from_out(struct process *p, const struct unixsock_name *from, uint32_t at, uint32_t lenp)
{
	uint32_t zero = 0;

	if (!at)
		return 0;
	return from->len ? name_out(p, from, at, lenp) : umem_write(p, lenp, &zero, sizeof zero);
}

int32_t
sockmsg_unix_recv(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at,
		  uint32_t lenp)
{
	struct unixsock_name from;
	uint32_t mf;
	int32_t n;
	int r;

	if (flags & ~(uint32_t)(UNIXSOCK_DONTWAIT | UNIXSOCK_PEEK))
		return -L_EOPNOTSUPP;	/* MSG_OOB...; MSG_WAITALL is sock.c's */
	len = len < IO_MAX ? len : IO_MAX;
	if ((n = unixsock_recv(p, f, data, len, flags | UNIXSOCK_PEEK, &mf, &from)) < 0)
		return n;
	if (unixsock_type(f) == UNIXSOCK_DGRAM && (r = from_out(p, &from, at, lenp)) != 0)
		return r;	/* nothing taken */
	if (n == 0)	/* the end, or an empty datagram: taken (unless peeked), so that the next one comes */
		return flags & UNIXSOCK_PEEK ? 0 : unixsock_recv(p, f, data, 0, flags, &mf, NULL);
	if ((r = umem_write(p, buf, data, (uint32_t)n)) != 0 ||
	    (unixsock_type(f) == UNIXSOCK_STREAM && (r = from_out(p, &from, at, lenp)) != 0))
		return r;	/* nothing taken */
	return flags & UNIXSOCK_PEEK ? n : unixsock_recv(p, f, data, (uint32_t)n, flags, &mf, NULL);
}

int32_t
sockmsg_unix_name(struct process *p, struct file *f, uint32_t at, uint32_t lenp, bool peer)
{
	if (!at)
		return -LNX_EFAULT;
	if (peer && !unixsock_connected(f))
		return -LNX_ENOTCONN;
	return name_out(p, unixsock_name(f, peer), at, lenp);
}

/* struct msghdr, i386 */
struct lnx_msghdr {
	uint32_t name, namelen, iov, iovlen, control, controllen, flags;
};

static struct lnx_iovec iov[IOV_MAX];

static int
msg_in(struct process *p, uint32_t at, struct lnx_msghdr *m, uint32_t *total)
{
	int r;

	if ((r = umem_read(p, at, m, sizeof *m)) != 0)
		return r;
	if (m->iovlen > IOV_MAX)
		return -LNX_EMSGSIZE;
	if (m->iovlen && (r = umem_read(p, m->iov, iov, m->iovlen * sizeof iov[0])) != 0)
		return r;
	*total = 0;
	for (uint32_t i = 0; i < m->iovlen; i++) {
		if (iov[i].len > 0x7FFFFFFFu - *total)
			return -LNX_EINVAL;
		*total += iov[i].len;
	}
	return 0;
}

#define SOL_SOCKET	1
#define SCM_RIGHTS	1
#define CMSG_HDR	12u	/* struct cmsghdr on i386: len, level, type */
#define MSG_CTRUNC	0x8
#define MSG_CMSG_CLOEXEC 0x40000000u
#define MSG_WAITALL	0x100

/* sendmsg's control part: SCM_RIGHTS's descriptors attached to f's next send. 0 or -errno. */
static int
rights_in(struct process *p, const struct lnx_msghdr *m, struct file *f)
{
	static uint8_t ctl[CMSG_HDR + 4 * UNIXSOCK_RIGHTS_MAX + 64];
	struct file *files[UNIXSOCK_RIGHTS_MAX];
	uint32_t n = 0;
	int r;

	if (m->controllen == 0)
		return unixsock_attach(f, NULL, 0);
	if (m->controllen > sizeof ctl)
		return -105 /* ENOBUFS */;
	if ((r = umem_read(p, m->control, ctl, m->controllen)) != 0)
		return r;
	for (uint32_t off = 0; off + CMSG_HDR <= m->controllen;) {
		uint32_t len, level, type;

		memcpy(&len, ctl + off, 4);
		memcpy(&level, ctl + off + 4, 4);
		memcpy(&type, ctl + off + 8, 4);
		if (len < CMSG_HDR || len > m->controllen - off)
			return -LNX_EINVAL;
		if (level != SOL_SOCKET || type != SCM_RIGHTS)
			return -LNX_EINVAL;	/* SCM_CREDENTIALS and the rest: not served */
		for (uint32_t k = off + CMSG_HDR; k + 4 <= off + len; k += 4) {
			int32_t fd;

			memcpy(&fd, ctl + k, 4);
			if (n == UNIXSOCK_RIGHTS_MAX)
				return -LNX_EINVAL;
			if (fd < 0 || !(files[n] = fd_get(p, (uint32_t)fd)))
				return -LNX_EBADF;
			n++;
		}
		off += (len + 3) & ~3u;
	}
	return unixsock_attach(f, files, n);
}

/*
 * recvmsg's control part: the descriptors that came with the bytes just
 * received, installed in p and written as one SCM_RIGHTS message (as many as
 * the room holds: the rest are closed and MSG_CTRUNC said). Its length, the
 * new msg_controllen, in *clen. 0 or -errno.
 */
static int
rights_out(struct process *p, struct file *f, const struct lnx_msghdr *m, uint32_t flags, uint32_t *mf,
	   uint32_t *clen)
{
	struct file *files[UNIXSOCK_RIGHTS_MAX];
	uint32_t n = unixsock_take_rights(f, files), room, k = 0;
	uint32_t out[3 + UNIXSOCK_RIGHTS_MAX];

	*clen = 0;
	if (n == 0)
		return 0;
	room = m->controllen >= CMSG_HDR ? (m->controllen - CMSG_HDR) / 4 : 0;
	for (uint32_t i = 0; i < n; i++) {
		int32_t fd = i < room ? fd_install(p, files[i], 0, flags & MSG_CMSG_CLOEXEC) : -1;

		if (fd < 0)
			file_unref(files[i]);	/* no room, or no descriptor: it closes */
		else
			out[3 + k++] = (uint32_t)fd;
	}
	if (k < n)
		*mf |= MSG_CTRUNC;
	if (k == 0)
		return 0;
	out[0] = CMSG_HDR + 4 * k, out[1] = SOL_SOCKET, out[2] = SCM_RIGHTS;
	*clen = out[0];
	return umem_write(p, m->control, out, *clen);
}

int32_t
sockmsg_sendmsg(struct process *p, struct file *f, uint32_t at, uint32_t flags, sockmsg_send_fn gns_send)
{
	struct lnx_msghdr m;
	uint32_t total, got = 0;
	char abs[PATH_MAX_];
	struct unixsock_name to;
	int r;

	if ((r = msg_in(p, at, &m, &total)) != 0)
		return r;
	if (m.controllen && !unixsock_is(f))
		return -LNX_EINVAL;	/* gns's sockets carry no control messages (Linux: none of AF_INET's is served) */
	if (total > IO_MAX && unixsock_is(f) && unixsock_type(f) == UNIXSOCK_DGRAM)
		return -LNX_EMSGSIZE;
	for (uint32_t i = 0; i < m.iovlen && got < IO_MAX; i++) {
		uint32_t n = iov[i].len < IO_MAX - got ? iov[i].len : IO_MAX - got;

		if (n && (r = umem_read(p, iov[i].base, data + got, n)) != 0)
			return r;
		got += n;
	}
	if (!unixsock_is(f))
		return gns_send(p, f, data, got, flags, m.name, m.namelen);
	if (flags & ~(uint32_t)(UNIXSOCK_DONTWAIT | UNIXSOCK_NOSIGNAL | 0x8000))
		return -L_EOPNOTSUPP;
	if (m.name && (r = send_to(p, f, m.name, m.namelen, &to, abs)) != 0)
		return r;
	if ((r = rights_in(p, &m, f)) != 0)
		return r;
	r = unixsock_send(p, f, data, got, flags, m.name ? &to : NULL, abs);
	if (r < 0)
		(void)unixsock_attach(f, NULL, 0);	/* not sent (a held send asks again from the start) */
	return r;
}

/*
 * One receive of recvmsg's: up to max bytes scattered into m's iovecs from
 * offset off of them on, with the sender's name and, on an AF_UNIX end, the
 * descriptors that came with them (their control message's length in
 * *clen, 0: none); a count, -errno or SYS_DEFER; *mf msg_flags.
 */
static int32_t
recv_piece(struct process *p, struct file *f, uint32_t at, const struct lnx_msghdr *m, uint32_t flags, uint32_t off,
	   uint32_t max, sockmsg_recv_fn gns_recv, uint32_t *clen, uint32_t *mf)
{
	struct unixsock_name from;
	uint32_t put = 0, zero = 0, mf2;
	int32_t n;
	int r;

	*clen = 0;
	if (!unixsock_is(f)) {
		n = gns_recv(p, f, data, max, flags, m->name, at + 4);
	} else {
		n = unixsock_recv(p, f, data, max, (flags & ~MSG_CMSG_CLOEXEC) | UNIXSOCK_PEEK, mf, &from);
		if (n > 0 && m->name && (r = from_out(p, &from, m->name, at + 4)) != 0)
			return r;
		if (n > 0 && !m->name && (r = umem_write(p, at + 4, &zero, 4)) != 0)
			return r;
	}
	if (n == 0 && unixsock_is(f) && !(flags & UNIXSOCK_PEEK))
		n = unixsock_recv(p, f, data, 0, flags & ~MSG_CMSG_CLOEXEC, mf, NULL);	/* an empty datagram goes */
	if (n <= 0)
		return n;
	for (uint32_t i = 0; i < m->iovlen && put < (uint32_t)n; i++) {
		uint32_t k;

		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		k = iov[i].len - off < (uint32_t)n - put ? iov[i].len - off : (uint32_t)n - put;
		if ((r = umem_write(p, iov[i].base + off, data + put, k)) != 0)
			return r;	/* a stream's bytes stay: nothing was taken */
		put += k;
		off = 0;
	}
	if (unixsock_is(f) && !(flags & UNIXSOCK_PEEK)) {
		if ((r = rights_out(p, f, m, flags, mf, clen)) != 0)
			return r;
		(void)unixsock_recv(p, f, data, (uint32_t)n, flags & ~MSG_CMSG_CLOEXEC, &mf2, NULL);
	}
	return n;
}

/* msg_controllen (SCM_RIGHTS's length, or 0) and msg_flags out. */
static int
msg_out(struct process *p, uint32_t at, uint32_t clen, uint32_t mf)
{
	int r = umem_write(p, at + 20, &clen, 4);

	return r ? r : umem_write(p, at + 24, &mf, 4);
}

int32_t
sockmsg_recvmsg(struct process *p, struct file *f, uint32_t at, uint32_t flags, sockmsg_recv_fn gns_recv, bool stream)
{
	struct lnx_msghdr m;
	uint32_t total, mf = 0, clen = 0;
	int32_t n;
	int r;

	if ((r = msg_in(p, at, &m, &total)) != 0)
		return r;
	total = total < IO_MAX ? total : IO_MAX;
	if (unixsock_is(f) && (flags & ~(uint32_t)(UNIXSOCK_DONTWAIT | UNIXSOCK_PEEK | MSG_CMSG_CLOEXEC | MSG_WAITALL)))
		return -L_EOPNOTSUPP;
	if (flags & MSG_WAITALL) {
		flags &= ~MSG_WAITALL;	/* a datagram's receive takes one whatever it says, as Linux's */
		if (stream && !(flags & UNIXSOCK_PEEK)) {
			/* as sock.c's recv_all: each piece where the last ended (io_done), until the count is there */
			while (p->io_done < total) {
				n = recv_piece(p, f, at, &m, flags, p->io_done, total - p->io_done, gns_recv, &clen, &mf);
				if (n == SYS_DEFER)
					return (r = msg_out(p, at, 0, 0)) != 0 ? r : n;	/* what a signal's answer leaves */
				if (n <= 0 && !p->io_done)
					return n;
				if (n <= 0)
					break;
				p->io_done += (uint32_t)n;
				if (clen)
					break;	/* descriptors came: Linux's receive ends with them */
			}
			return (r = msg_out(p, at, clen, mf)) != 0 ? r : (int32_t)p->io_done;
		}
	}
	if ((n = recv_piece(p, f, at, &m, flags, 0, total, gns_recv, &clen, &mf)) <= 0)
		return n;
	return (r = msg_out(p, at, clen, mf)) != 0 ? r : n;
}

/* Named AF_UNIX sockets: socket, bind, listen, connect, accept, their names. */

int32_t
sockmsg_unix_socket(struct process *p, uint32_t type, uint32_t proto)
{
	uint32_t base = type & 0xf, flags = type & ~0xfu;
	struct file *f;
	int r;

	if (flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -LNX_EINVAL;
	if (base != UNIXSOCK_STREAM && base != UNIXSOCK_DGRAM)
		return base >= 10 || base == 0 ? -LNX_EINVAL : -94;	/* ESOCKTNOSUPPORT: seqpacket, raw */
	if (proto != 0)
		return -L_EPROTONOSUPPORT;
	if ((r = unixsock_socket(base, flags & L_SOCK_NONBLOCK ? LNX_O_NONBLOCK : 0, &f)) != 0)
		return r;
	return fd_install(p, f, 0, flags & L_SOCK_CLOEXEC);
}

/*
 * sockaddr_un at at (len bytes) as a name: a path (its bytes up to a NUL),
 * made absolute and plain in abs; an abstract one (sun_path's first byte 0:
 * every byte up to len is the name); none (the family alone: bind's
 * autobind). 0 or -errno.
 */
static int
addr_un(struct process *p, uint32_t at, uint32_t len, struct unixsock_name *name, char *abs)
{
	uint8_t sa[2 + SUN_PATH] = { 0 };
	char text[SUN_PATH + 1];
	uint16_t fam;
	int r;

	name->len = 0;
	if (len < 2 || len > 2 + SUN_PATH)
		return -LNX_EINVAL;
	if ((r = umem_read(p, at, sa, len)) != 0)
		return r;
	memcpy(&fam, sa, 2);
	if (fam != AF_UNIX)
		return -LNX_EINVAL;
	if (len == 2)
		return 0;
	if (sa[2] == 0) {
		name->len = len - 2;
		memcpy(name->b, sa + 2, name->len);
		return 0;
	}
	memcpy(text, sa + 2, len - 2);
	text[len - 2] = 0;	/* the path may fill sun_path without its NUL */
	name->len = (uint32_t)strlen(text);
	memcpy(name->b, text, name->len);
	return files_resolve_parent(p, LNX_AT_FDCWD, text, abs);
}

int32_t
sockmsg_unix_bind(struct process *p, struct file *f, uint32_t at, uint32_t len)
{
	char abs[PATH_MAX_];
	struct unixsock_name name;
	int r = addr_un(p, at, len, &name, abs);

	return r ? r : unixsock_bind(f, &name, abs, 0777 & ~p->umask);
}

int32_t
sockmsg_unix_connect(struct process *p, struct file *f, uint32_t at, uint32_t len)
{
	char abs[PATH_MAX_];
	struct unixsock_name name;
	int r = addr_un(p, at, len, &name, abs);

	if (!r && name.len == 0)
		r = -LNX_EINVAL;	/* the family alone: Linux names nothing to connect to */
	return r ? r : unixsock_connect(f, &name, abs);
}

/*
 * A name's sockaddr_un out (NULL: an unnamed end's, the family alone): a
 * path with its NUL, an abstract name as it was given, as Linux's lengths go.
 */
static int
name_out(struct process *p, const struct unixsock_name *name, uint32_t at, uint32_t lenp)
{
	uint8_t sa[2 + SUN_PATH + 1] = { AF_UNIX, 0 };
	uint32_t room, n = 2;
	int r;

	if (!name)
		return unnamed_out(p, at, lenp);
	if (!at || !lenp)
		return 0;
	memcpy(sa + 2, name->b, name->len);
	n = 2 + name->len + (name->b[0] ? 1 : 0);	/* the NUL after a path (sa holds zeroes) */
	if ((r = umem_read(p, lenp, &room, sizeof room)) != 0)
		return r;
	if ((int32_t)room < 0)
		return -LNX_EINVAL;
	if (room && (r = umem_write(p, at, sa, room < n ? room : n)) != 0)
		return r;
	return umem_write(p, lenp, &n, sizeof n);
}

int32_t
sockmsg_unix_accept(struct process *p, struct file *f, uint32_t at, uint32_t lenp, uint32_t flags)
{
	struct file *c;
	int32_t r, nfd;

	if (flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -LNX_EINVAL;
	if ((r = unixsock_accept(f, flags & L_SOCK_NONBLOCK ? LNX_O_NONBLOCK : 0, &c)) != 0) {
		if (r == SYS_DEFER)
			p->wait_key = &usock_key;	/* a connection comes with a change of an end */
		return r;
	}
	if ((nfd = fd_install(p, c, 0, flags & L_SOCK_CLOEXEC)) < 0)
		return nfd;
	if (at && (r = unnamed_out(p, at, lenp)) != 0) {	/* the connecting end is unnamed */
		fd_close(p, (uint32_t)nfd);
		return r;
	}
	return nfd;
}
