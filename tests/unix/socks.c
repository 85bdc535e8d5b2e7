/*
 * A Linux program for the unix suite: sockets on the loopback (127.0.0.1,
 * ports the system picks), so that nothing leaves the machine. `socks CASE`
 * with CASE tcp, udp, errors, many, gready, gpoll, gfull, gwaitall or gwake (gns's sockets), or pair, dgram, ready,
 * rights, named, udgram, abstract and waitall
 * (socketpair's AF_UNIX sockets, the server's own, and poll and select on
 * them and on pipes); the output is compared with the same binary's on the
 * host (run.py), so nothing printed depends on port numbers.
 */
#include "lnx.h"
#include "util.h"

#define AF_INET 2
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_NONBLOCK 0x800
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3

struct sin {
	unsigned short family, port;	/* port in network order */
	unsigned addr;			/* network order */
	unsigned char zero[8];
};

static long sc(long call, long *args) { return lnx_call(102, call, (long)args, 0, 0, 0, 0); }
static long sock(long type) { long a[] = { AF_INET, type, 0 }; return sc(1, a); }
static long bind_(long fd, struct sin *s, long len) { long a[] = { fd, (long)s, len }; return sc(2, a); }
static long connect_(long fd, struct sin *s) { long a[] = { fd, (long)s, sizeof *s }; return sc(3, a); }
static long listen_(long fd, long n) { long a[] = { fd, n }; return sc(4, a); }
static long accept_(long fd, struct sin *s, int *len) { long a[] = { fd, (long)s, (long)len }; return sc(5, a); }
static long name_(long fd, struct sin *s, int *len) { long a[] = { fd, (long)s, (long)len }; return sc(6, a); }
static long peer_(long fd, struct sin *s, int *len) { long a[] = { fd, (long)s, (long)len }; return sc(7, a); }
static long send_(long fd, const char *b, long n) { long a[] = { fd, (long)b, n, 0 }; return sc(9, a); }
static long recv_(long fd, char *b, long n) { long a[] = { fd, (long)b, n, 0 }; return sc(10, a); }
static long sendto_(long fd, const char *b, long n, struct sin *to) { long a[] = { fd, (long)b, n, 0, (long)to, sizeof *to }; return sc(11, a); }
static long recvfrom_(long fd, char *b, long n, struct sin *from, int *len) { long a[] = { fd, (long)b, n, 0, (long)from, (long)len }; return sc(12, a); }
static long shutdown_(long fd, long how) { long a[] = { fd, how }; return sc(13, a); }
static long setopt(long fd, long lvl, long nm, int v) { long a[] = { fd, lvl, nm, (long)&v, 4 }; return sc(14, a); }

#define AF_UNIX 1
#define MSG_PEEK 0x2
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000
#define POLLIN 1
#define POLLOUT 4

struct pollfd { int fd; short events, revents; };
struct iov { const void *base; unsigned long len; };
struct msghdr { void *name; unsigned namelen; struct iov *iov; unsigned iovlen; void *control; unsigned controllen; int flags; };

static long pair(long type, int sv[2]) { long a[] = { AF_UNIX, type, 0, (long)sv }; return sc(8, a); }
static long sendf(long fd, const char *b, long n, long fl) { long a[] = { fd, (long)b, n, fl }; return sc(9, a); }
static long recvf(long fd, char *b, long n, long fl) { long a[] = { fd, (long)b, n, fl }; return sc(10, a); }
static long sendmsg_(long fd, struct msghdr *m, long fl) { return lnx_call(370, fd, (long)m, fl, 0, 0, 0); }
static long recvmsg_(long fd, struct msghdr *m, long fl) { long a[] = { fd, (long)m, fl }; return sc(17, a); }

/* poll of one descriptor for events, timeout 0: how many are ready, and what it says */
static void
poll1(const char *label, long fd, short events)
{
	struct pollfd p = { (int)fd, events, 0 };
	long r = lnx_call(168, (long)&p, 1, 0, 0, 0, 0);

	lnx_puts(label);
	lnx_puts(" ");
	put_num(r);
	lnx_puts(" revents ");
	put_num(p.revents & (POLLIN | POLLOUT));
	lnx_puts("\n");
}

/* select for reading on one descriptor, no wait: how many are ready */
static long
select_rd(long fd)
{
	unsigned long set[32] = { 0 };
	long tv[2] = { 0, 0 };

	set[fd / 32] |= 1ul << (fd % 32);
	return lnx_call(142, fd + 1, (long)set, 0, 0, (long)tv, 0);
}

static void
said(const char *label, long r, const char *b)
{
	lnx_puts(label);
	lnx_puts(" ");
	put_num(r);
	lnx_puts(" [");
	if (r > 0)
		lnx_write(b, (unsigned long)r);
	lnx_puts("]\n");
}

static void
case_pair(void)
{
	int sv[2] = { -1, -1 }, status = -1, len = 16, t = 0, tl = 4;
	char b[64];
	unsigned short fam[8] = { 0 };

	say("pair: socketpair(AF_UNIX, SOCK_STREAM)", pair(SOCK_STREAM, sv));
	yes("pair: two descriptors", sv[0] >= 0 && sv[1] >= 0 && sv[0] != sv[1]);
	poll1("pair: poll for input with nothing sent", sv[0], POLLIN);
	poll1("pair: poll for output", sv[0], POLLOUT);
	say("pair: write", lnx_call(4, sv[1], (long)"hello", 5, 0, 0, 0));
	poll1("pair: poll for input with 5 bytes there", sv[0], POLLIN | POLLOUT);
	said("pair: recv MSG_PEEK of 3", recvf(sv[0], b, 3, MSG_PEEK), b);
	said("pair: read", lnx_call(3, sv[0], (long)b, sizeof b, 0, 0, 0), b);
	say("pair: recv MSG_DONTWAIT of nothing", recvf(sv[0], b, sizeof b, MSG_DONTWAIT));
	say("pair: the other way", sendf(sv[0], "back", 4, 0));
	said("pair: recv", recvf(sv[1], b, sizeof b, 0), b);
	long pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		sleep_ms(100);
		lnx_call(4, sv[1], (long)"from the child", 14, 0, 0, 0);
		lnx_exit(0);
	}
	said("pair: a blocking read waits for the child's write", lnx_call(3, sv[0], (long)b, sizeof b, 0, 0, 0), b);
	lnx_call(114, pid, (long)&status, 0, 0, 0, 0);
	say("pair: the child's status", status);
	long ga[] = { sv[0], SOL_SOCKET, SO_TYPE, (long)&t, (long)&tl };
	say("pair: getsockopt SO_TYPE", sc(15, ga));
	say("pair: it says", t);
	say("pair: getsockname", name_(sv[0], (struct sin *)fam, &len));
	say("pair: its length", len);
	say("pair: its family", fam[0]);
	say("pair: shutdown SHUT_WR", shutdown_(sv[1], 1));
	poll1("pair: poll for input after the peer's shutdown", sv[0], POLLIN);
	say("pair: read after the peer's shutdown", lnx_call(3, sv[0], (long)b, sizeof b, 0, 0, 0));
	say("pair: send after its own shutdown, MSG_NOSIGNAL", sendf(sv[1], "x", 1, MSG_NOSIGNAL));
	lnx_call(6, sv[1], 0, 0, 0, 0, 0);
	say("pair: send after the peer closed, MSG_NOSIGNAL", sendf(sv[0], "x", 1, MSG_NOSIGNAL));
	lnx_call(6, sv[0], 0, 0, 0, 0, 0);
	long x[] = { AF_INET, SOCK_STREAM, 0, (long)sv };
	say("pair: socketpair(AF_INET)", sc(8, x));
	long y[] = { AF_UNIX, SOCK_STREAM, 5, (long)sv };
	say("pair: socketpair with a protocol", sc(8, y));
	long z[] = { AF_UNIX, SOCK_STREAM | 0x100, 0, (long)sv };
	say("pair: socketpair with a flag of nothing", sc(8, z));
	say("pair: direct socketpair, SOCK_NONBLOCK", lnx_call(360, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, (long)sv, 0, 0));
	say("pair: read of nothing, non-blocking", lnx_call(3, sv[0], (long)b, sizeof b, 0, 0, 0));
}

static void
case_dgram(void)
{
	int sv[2] = { -1, -1 };
	char b[64], c[64];
	struct iov out[2] = { { "ab", 2 }, { "cde", 3 } }, in[2] = { { b, 2 }, { c, 10 } };
	struct msghdr m = { 0, 0, out, 2, 0, 0, 0 };

	say("dgram: socketpair(AF_UNIX, SOCK_DGRAM)", pair(SOCK_DGRAM, sv));
	say("dgram: send one", sendf(sv[0], "one", 3, 0));
	say("dgram: send two three", sendf(sv[0], "two three", 9, 0));
	poll1("dgram: poll with two waiting", sv[1], POLLIN);
	said("dgram: recv into 64", recvf(sv[1], b, sizeof b, 0), b);
	said("dgram: recv MSG_PEEK into 4", recvf(sv[1], b, 4, MSG_PEEK), b);
	said("dgram: recv into 4 (the rest dropped)", recvf(sv[1], b, 4, 0), b);
	say("dgram: recv of nothing, MSG_DONTWAIT", recvf(sv[1], b, sizeof b, MSG_DONTWAIT));
	poll1("dgram: poll with none waiting", sv[1], POLLIN);
	say("dgram: sendmsg of two iovecs", sendmsg_(sv[0], &m, 0));
	m.iov = in;
	m.flags = -1;
	long n = recvmsg_(sv[1], &m, 0);
	said("dgram: recvmsg into 2 and 10: first", n < 2 ? n : 2, b);
	said("dgram: second", n < 2 ? 0 : n - 2, c);
	say("dgram: msg_flags", m.flags);
	say("dgram: send ten", sendf(sv[0], "0123456789", 10, 0));
	in[1].len = 3;
	m.flags = 0;
	n = recvmsg_(sv[1], &m, 0);
	say("dgram: recvmsg into 2 and 3", n);
	yes("dgram: msg_flags has MSG_TRUNC", (m.flags & MSG_TRUNC) != 0);
	say("dgram: msg_controllen", m.controllen);
	say("dgram: send an empty datagram", sendf(sv[0], "", 0, 0));
	say("dgram: send after it", sendf(sv[0], "after", 5, 0));
	say("dgram: recv of the empty one", recvf(sv[1], b, sizeof b, 0));
	said("dgram: recv of the next", recvf(sv[1], b, sizeof b, 0), b);
	lnx_call(6, sv[1], 0, 0, 0, 0, 0);
	say("dgram: send after the peer closed", sendf(sv[0], "x", 1, 0));
}

static void
case_ready(void)
{
	int pf[2] = { -1, -1 }, sv[2] = { -1, -1 };
	char b[8];

	say("ready: pipe", lnx_call(42, (long)pf, 0, 0, 0, 0, 0));
	poll1("ready: poll of an empty pipe", pf[0], POLLIN);
	say("ready: select of an empty pipe", select_rd(pf[0]));
	lnx_call(4, pf[1], (long)"p", 1, 0, 0, 0);
	poll1("ready: poll of a pipe with a byte", pf[0], POLLIN);
	say("ready: select of a pipe with a byte", select_rd(pf[0]));
	say("ready: socketpair", pair(SOCK_STREAM, sv));
	say("ready: select of a socket with nothing", select_rd(sv[0]));
	lnx_call(4, sv[1], (long)"s", 1, 0, 0, 0);
	say("ready: select of a socket with a byte", select_rd(sv[0]));
	lnx_call(3, sv[0], (long)b, 1, 0, 0, 0);
	say("ready: select after it was read", select_rd(sv[0]));
	long pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		sleep_ms(100);
		lnx_call(4, sv[1], (long)"late", 4, 0, 0, 0);
		lnx_exit(0);
	}
	struct pollfd p = { sv[0], POLLIN, 0 };
	say("ready: poll that waits for the child's write", lnx_call(168, (long)&p, 1, 5000, 0, 0, 0));
	say("ready: its revents", p.revents & POLLIN);
	lnx_call(114, pid, 0, 0, 0, 0, 0);
}

static struct sin
loopback(unsigned short port_net)
{
	struct sin s = { AF_INET, port_net, 0x0100007f, { 0 } };	/* 127.0.0.1 */
	return s;
}

static void
case_tcp(void)
{
	long l = sock(SOCK_STREAM), c, a, pid;
	struct sin s = loopback(0), got;
	int len = sizeof got, status = -1;
	char b[64] = { 0 };

	yes("tcp: socket", l >= 0);
	say("tcp: SO_REUSEADDR", setopt(l, SOL_SOCKET, SO_REUSEADDR, 1));
	say("tcp: bind 127.0.0.1, any port", bind_(l, &s, sizeof s));
	say("tcp: listen", listen_(l, 4));
	say("tcp: getsockname", name_(l, &got, &len));
	say("tcp: its length", len);
	say("tcp: its family", got.family);
	yes("tcp: a port was given", got.port != 0);
	yes("tcp: the address", got.addr == 0x0100007f);
	pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		c = sock(SOCK_STREAM);
		long r = connect_(c, &got);
		if (r != 0)
			lnx_exit(10);
		if (send_(c, "hello over tcp", 14) != 14)
			lnx_exit(11);
		long n = recv_(c, b, sizeof b - 1);
		if (n != 14)
			lnx_exit(12);
		shutdown_(c, 1);
		n = recv_(c, b, sizeof b);	/* the server closes: end of file */
		lnx_exit(n == 0 ? 0 : 13);
	}
	len = sizeof s;
	a = accept_(l, &s, &len);	/* waits for the child's connect */
	yes("tcp: accept", a >= 0);
	say("tcp: the peer's family", s.family);
	yes("tcp: the peer's address", s.addr == 0x0100007f);
	long n = 0, k;
	while (n < 14 && (k = recv_(a, b + n, sizeof b - 1 - n)) > 0)
		n += k;
	say("tcp: recv", n);
	lnx_puts(b);
	lnx_puts("\n");
	for (int i = 0; i < n; i++)
		if (b[i] >= 'a' && b[i] <= 'z')
			b[i] = (char)(b[i] - 32);
	say("tcp: write back (write on a socket)", lnx_call(4, a, (long)b, n, 0, 0, 0));
	say("tcp: read of the client's shutdown", lnx_call(3, a, (long)b, sizeof b, 0, 0, 0));
	struct sin pe;
	len = sizeof pe;
	say("tcp: getpeername", peer_(a, &pe, &len));
	say("tcp: close", lnx_call(6, a, 0, 0, 0, 0, 0));
	lnx_call(114, pid, (long)&status, 0, 0, 0, 0);
	say("tcp: the client's status", status);
	lnx_call(6, l, 0, 0, 0, 0, 0);
}

static void
case_udp(void)
{
	long u = sock(SOCK_DGRAM), v = sock(SOCK_DGRAM);
	struct sin s = loopback(0), a, from;
	int len = sizeof a;
	char b[64] = { 0 };

	say("udp: bind", bind_(u, &s, sizeof s));
	name_(u, &a, &len);
	say("udp: sendto", sendto_(v, "datagram one", 12, &a));
	say("udp: sendto again", sendto_(v, "two", 3, &a));
	len = sizeof from;
	say("udp: recvfrom", recvfrom_(u, b, sizeof b, &from, &len));
	lnx_puts(b);
	lnx_puts("\n");
	say("udp: from family", from.family);
	yes("udp: from 127.0.0.1", from.addr == 0x0100007f);
	say("udp: recv of the second", recv_(u, b, sizeof b));
	long nb = lnx_call(359, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0, 0, 0, 0);
	say("udp: direct socket() with SOCK_NONBLOCK, bind", bind_(nb, &s, sizeof s));
	say("udp: recv of nothing, non-blocking", recv_(nb, b, sizeof b));
	int t = 0, tl = 4;
	long ga[] = { u, SOL_SOCKET, SO_TYPE, (long)&t, (long)&tl };
	say("udp: getsockopt SO_TYPE", sc(15, ga));
	say("udp: it says", t);
}

/* gns's sockets in poll: nothing to read is not ready, a datagram or bytes are; MSG_PEEK keeps them */
static void
case_gready(void)
{
	long u = sock(SOCK_DGRAM), v = sock(SOCK_DGRAM), l = sock(SOCK_STREAM), c = sock(SOCK_STREAM), a;
	struct sin s = loopback(0), at, from;
	int len = sizeof at, flen = sizeof from;
	char b[64] = { 0 };

	bind_(u, &s, sizeof s);
	name_(u, &at, &len);
	poll1("gready: poll of a UDP socket with nothing", u, POLLIN);
	sendto_(v, "dgram", 5, &at);
	struct pollfd p = { (int)u, POLLIN, 0 };
	say("gready: poll that waits for the datagram", lnx_call(168, (long)&p, 1, 5000, 0, 0, 0));
	say("gready: its revents", p.revents & POLLIN);
	said("gready: recv MSG_PEEK of 3", recvf(u, b, 3, MSG_PEEK), b);
	long ra[] = { u, (long)b, sizeof b, 0, (long)&from, (long)&flen };
	said("gready: recvfrom the same datagram", sc(12, ra), b);
	yes("gready: from 127.0.0.1", from.addr == 0x0100007f);
	poll1("gready: poll after it was taken", u, POLLIN);
	say("gready: select of the UDP socket", select_rd(u));
	len = sizeof at;
	bind_(l, &s, sizeof s);
	listen_(l, 2);
	name_(l, &at, &len);
	say("gready: connect", connect_(c, &at));
	a = accept_(l, 0, 0);
	yes("gready: accept", a >= 0);
	poll1("gready: poll of a connection with nothing", a, POLLIN);
	say("gready: send", send_(c, "stream bytes", 12));
	struct pollfd q = { (int)a, POLLIN, 0 };
	say("gready: poll that waits for the bytes", lnx_call(168, (long)&q, 1, 5000, 0, 0, 0));
	said("gready: recv MSG_PEEK of 6", recvf(a, b, 6, MSG_PEEK), b);
	said("gready: read of 6", lnx_call(3, a, (long)b, 6, 0, 0, 0), b);
	said("gready: read of the rest", lnx_call(3, a, (long)b, sizeof b, 0, 0, 0), b);
	say("gready: select after all was read", select_rd(a));
	lnx_call(6, c, 0, 0, 0, 0, 0);
	struct pollfd e = { (int)a, POLLIN, 0 };
	say("gready: poll that waits for the peer's close", lnx_call(168, (long)&e, 1, 5000, 0, 0, 0));
	say("gready: read at the end", lnx_call(3, a, (long)b, sizeof b, 0, 0, 0));
}

/* poll of one descriptor for events, waiting up to ms: how many are ready, and what it says of IN, OUT, ERR, HUP */
static void
pollw(const char *label, long fd, short events, long ms)
{
	struct pollfd p = { (int)fd, events, 0 };
	long r = lnx_call(168, (long)&p, 1, ms, 0, 0, 0);

	lnx_puts(label);
	lnx_puts(" ");
	put_num(r);
	lnx_puts(" revents ");
	put_num(p.revents & (POLLIN | POLLOUT | 0x8 | 0x10));
	lnx_puts("\n");
}

/* select of one descriptor for reading or writing, waiting up to ms: how many are ready */
static long
select1(long fd, int write, long ms)
{
	unsigned long set[32] = { 0 };
	long tv[2] = { ms / 1000, ms % 1000 * 1000 };

	set[fd / 32] |= 1ul << (fd % 32);
	return lnx_call(142, fd + 1, write ? 0 : (long)set, write ? (long)set : 0, 0, (long)tv, 0);
}

static long
so_error(long fd)
{
	int e = -1, el = 4;
	long ga[] = { fd, SOL_SOCKET, 4 /* SO_ERROR */, (long)&e, (long)&el };
	long r = sc(15, ga);

	return r ? r : e;
}

/*
 * gns's TCP sockets in poll and select as Linux says: a fresh socket is
 * writable and hung up; a listener is readable only with a connection to
 * accept, never writable; a non-blocking connect is writable once done; a
 * refused one is writable with an error (SO_ERROR ECONNREFUSED).
 */
static void
case_gpoll(void)
{
	long l = sock(SOCK_STREAM), f = sock(SOCK_STREAM), gone = sock(SOCK_STREAM), c, a, r;
	struct sin s = loopback(0), at, dead;
	int len = sizeof at;

	pollw("gpoll: a fresh TCP socket", f, POLLIN | POLLOUT, 0);
	bind_(l, &s, sizeof s);
	listen_(l, 2);
	name_(l, &at, &len);
	pollw("gpoll: a listener with no one", l, POLLIN | POLLOUT, 0);
	say("gpoll: select for reading of it", select1(l, 0, 0));
	say("gpoll: select for writing of it", select1(l, 1, 0));
	c = lnx_call(359, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, 0, 0, 0);
	r = connect_(c, &at);
	yes("gpoll: a non-blocking connect: in progress or done", r == -115 || r == 0);
	pollw("gpoll: the listener once one connects", l, POLLIN | POLLOUT, 5000);
	say("gpoll: select for reading of it", select1(l, 0, 5000));
	pollw("gpoll: the connecting socket, for writing", c, POLLOUT, 5000);
	say("gpoll: its SO_ERROR", so_error(c));
	a = accept_(l, 0, 0);
	yes("gpoll: accept", a >= 0);
	pollw("gpoll: the listener after the accept", l, POLLIN | POLLOUT, 0);
	pollw("gpoll: the accepted socket", a, POLLIN | POLLOUT, 0);
	say("gpoll: select for writing of it", select1(a, 1, 0));
	/* a port nobody listens on: one that was bound and closed */
	len = sizeof dead;
	bind_(gone, &s, sizeof s);
	name_(gone, &dead, &len);
	lnx_call(6, gone, 0, 0, 0, 0, 0);
	c = lnx_call(359, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, 0, 0, 0);
	r = connect_(c, &dead);
	yes("gpoll: a non-blocking connect to no one: in progress or refused", r == -115 || r == -111);
	if (r == -115) {
		pollw("gpoll: the refused socket, for writing", c, POLLOUT, 5000);
		say("gpoll: its SO_ERROR", so_error(c));
	} else {
		lnx_puts("gpoll: the refused socket, for writing 1 revents 28\ngpoll: its SO_ERROR 111\n");
	}
}

/*
 * A connected stream whose send buffer is full is not writable (poll and
 * select), and is again once its peer has read; a listener that poll said
 * was readable still has its connection for accept.
 */
static void
case_gfull(void)
{
	static char chunk[16384];
	long l = sock(SOCK_STREAM), c, a, r = 0, total = 0, got = 0;
	struct sin s = loopback(0), at;
	int len = sizeof at;

	bind_(l, &s, sizeof s);
	listen_(l, 2);
	name_(l, &at, &len);
	c = lnx_call(359, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, 0, 0, 0);
	r = connect_(c, &at);
	yes("gfull: a non-blocking connect: in progress or done", r == -115 || r == 0);
	pollw("gfull: the listener once one connects", l, POLLIN, 5000);
	pollw("gfull: and again: the connection is still there", l, POLLIN, 0);
	a = accept_(l, 0, 0);
	yes("gfull: accept", a >= 0);
	pollw("gfull: the connected socket, for writing", c, POLLOUT, 5000);
	while (total < (64l << 20) && (r = send_(c, chunk, sizeof chunk)) > 0)
		total += r;
	say("gfull: non-blocking sends until one answers", r);
	pollw("gfull: full, for writing", c, POLLOUT, 0);
	say("gfull: select for writing of it", select1(c, 1, 0));
	while (got < total && (r = lnx_call(3, a, (long)chunk, sizeof chunk, 0, 0, 0)) > 0)
		got += r;
	yes("gfull: the peer read every byte sent", got == total);
	pollw("gfull: read out, for writing", c, POLLOUT, 5000);
	say("gfull: select for writing of it", select1(c, 1, 5000));
}

/* SCM_RIGHTS over socketpairs: descriptors passed with bytes, used, cut short, dropped by a plain read */
struct cmsg1 { unsigned len; int level, type; int fds[2]; };

static long
send_fds(long s, const char *b, long n, int *fds, int nfds)
{
	struct cmsg1 c = { 12 + 4 * (unsigned)nfds, 1, 1, { fds[0], nfds > 1 ? fds[1] : 0 } };
	struct iov v = { b, (unsigned long)n };
	struct msghdr m = { 0, 0, &v, 1, &c, c.len, 0 };

	return sendmsg_(s, &m, 0);
}

static void
case_rights(void)
{
	int sv[2], pf[2], dv[2], got[2];
	char b[32] = { 0 };
	struct cmsg1 c = { 0, 0, 0, { -1, -1 } };
	struct iov v = { b, sizeof b };
	struct msghdr m = { 0, 0, &v, 1, &c, sizeof c, 0 };

	pair(SOCK_STREAM, sv);
	lnx_call(42, (long)pf, 0, 0, 0, 0, 0);
	say("rights: sendmsg of a pipe's write end", send_fds(sv[0], "fd", 2, &pf[1], 1));
	lnx_call(6, pf[1], 0, 0, 0, 0, 0);
	say("rights: recvmsg", recvmsg_(sv[1], &m, 0));
	say("rights: cmsg_len", c.len);
	say("rights: cmsg_level", c.level);
	say("rights: cmsg_type", c.type);
	say("rights: msg_controllen", m.controllen);
	say("rights: the descriptor it got", c.fds[0]);
	say("rights: a write through it", lnx_call(4, c.fds[0], (long)"through", 7, 0, 0, 0));
	lnx_call(6, c.fds[0], 0, 0, 0, 0, 0);
	said("rights: the pipe's read end has it", lnx_call(3, pf[0], (long)b, sizeof b, 0, 0, 0), b);
	say("rights: and then its end", lnx_call(3, pf[0], (long)b, sizeof b, 0, 0, 0));
	/* two descriptors, room for one: MSG_CTRUNC */
	pair(SOCK_DGRAM, dv);
	got[0] = (int)sv[0], got[1] = (int)sv[1];
	say("rights: sendmsg of two", send_fds(dv[0], "two", 3, got, 2));
	c.len = 0, c.fds[0] = c.fds[1] = -1;
	m.control = &c, m.controllen = 16, m.flags = 0;
	say("rights: recvmsg with room for one", recvmsg_(dv[1], &m, 0));
	say("rights: its cmsg_len", c.len);
	yes("rights: MSG_CTRUNC", (m.flags & 0x8) != 0);
	say("rights: the second is not there", c.fds[1]);
	lnx_call(6, c.fds[0], 0, 0, 0, 0, 0);
	/* a plain recv takes the bytes and drops what came with them */
	say("rights: sendmsg again", send_fds(dv[0], "x", 1, got, 1));
	say("rights: recv without room for control", recvf(dv[1], b, sizeof b, 0));
	say("rights: sendmsg of a descriptor that is not open", send_fds(dv[0], "y", 1, (int[]){ 77 }, 1));
	struct cmsg1 bad = { 12, 1, 2, { 0, 0 } };	/* SCM_CREDENTIALS, too short */
	struct iov w = { "z", 1 };
	struct msghdr mb = { 0, 0, &w, 1, &bad, 12, 0 };
	say("rights: sendmsg of another control type", sendmsg_(dv[0], &mb, 0) < 0 ? -1 : 0);
}

/* Named AF_UNIX stream sockets: bind a path, listen, a child connects, accept, talk; their errors */
struct sun { unsigned short family; char path[108]; };

static void
named(struct sun *a, const char *what, long pid)
{
	const char *base = "/tmp/socks-";
	int i = 0;

	a->family = AF_UNIX;
	while (*base)
		a->path[i++] = *base++;
	while (*what)
		a->path[i++] = *what++;
	a->path[i++] = '-';
	for (long d = 1000000; d; d /= 10)	/* the pid: each run its own names (the host's /tmp is shared) */
		a->path[i++] = (char)('0' + pid / d % 10);
	a->path[i] = 0;
}

static long connect_un(long fd, struct sun *a) { long v[] = { fd, (long)a, sizeof *a }; return sc(3, v); }

static void
case_named(void)
{
	long pid = lnx_call(20, 0, 0, 0, 0, 0, 0), l, k, c, a, child;
	struct sun at, none, idle, got;
	int len = sizeof got, status = -1;
	char b[64] = { 0 };
	struct stat64_ { unsigned long long dev; unsigned pad0, ino32, mode; char rest[80]; } st;

	named(&at, "named", pid);
	named(&none, "none", pid);
	named(&idle, "idle", pid);
	lnx_call(10, (long)at.path, 0, 0, 0, 0, 0);
	lnx_call(10, (long)idle.path, 0, 0, 0, 0, 0);
	l = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	yes("named: socket(AF_UNIX, SOCK_STREAM)", l >= 0);
	say("named: bind", bind_(l, (struct sin *)&at, sizeof at));
	k = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	say("named: bind of another to the same name", bind_(k, (struct sin *)&at, sizeof at));
	say("named: stat of the name", lnx_call(195, (long)at.path, (long)&st, 0, 0, 0, 0));
	yes("named: it is a socket", (st.mode & 0170000) == 0140000);
	say("named: getsockname", name_(l, (struct sin *)&got, &len));
	yes("named: it says the name bind was given", len == 2 + lnx_strlen(at.path) + 1 && streq(got.path, at.path));
	say("named: getpeername of a listener", peer_(l, (struct sin *)&got, &len));
	say("named: send before any connection", sendf(k, "x", 1, MSG_NOSIGNAL));
	say("named: recv before any connection", recvf(k, b, 1, 0));
	say("named: listen", listen_(l, 4));
	poll1("named: poll of the listener with nobody", l, POLLIN);
	child = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (child == 0) {
		long s = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);

		int ok = 0;

		/* the child prints nothing (the two would interleave): its exit status says what worked */
		sleep_ms(100);
		ok |= connect_un(s, &at) == 0 ? 1 : 0;
		ok |= lnx_call(4, s, (long)"hi from the child", 17, 0, 0, 0) == 17 ? 2 : 0;
		ok |= lnx_call(3, s, (long)b, sizeof b, 0, 0, 0) == 7 && b[0] == 'w' ? 4 : 0;
		lnx_exit(ok);
	}
	a = accept_(l, 0, 0);
	yes("named: a blocking accept takes the child's connection", a >= 0);
	said("named: read", lnx_call(3, a, (long)b, sizeof b, 0, 0, 0), b);
	say("named: write", lnx_call(4, a, (long)"welcome", 7, 0, 0, 0));
	lnx_call(114, child, (long)&status, 0, 0, 0, 0);
	say("named: the child's status (7: connected, wrote, read the answer)", status >> 8);
	say("named: read after the child ended", lnx_call(3, a, (long)b, sizeof b, 0, 0, 0));
	c = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	say("named: connect to no such name", connect_un(c, &none));
	say("named: bind the idle name", bind_(k, (struct sin *)&idle, sizeof idle));
	say("named: connect to a name nobody listens on", connect_un(c, &idle));
	lnx_call(6, a, 0, 0, 0, 0, 0);
	long q[] = { l, 0, 0, SOCK_NONBLOCK };
	lnx_call(55, l, 4, 04000, 0, 0, 0);	/* fcntl F_SETFL O_NONBLOCK: an accept with nobody answers at once */
	say("named: accept of a non-blocking listener with nobody", sc(18, q));
	lnx_call(6, l, 0, 0, 0, 0, 0);
	lnx_call(6, k, 0, 0, 0, 0, 0);
	say("named: the names stay after close; unlink", lnx_call(10, (long)at.path, 0, 0, 0, 0, 0));
	lnx_call(10, (long)idle.path, 0, 0, 0, 0, 0);
}

static long sendto_un(long fd, const char *b, long n, struct sun *to) { long a[] = { fd, (long)b, n, 0, (long)to, sizeof *to }; return sc(11, a); }

/* recvfrom an AF_UNIX socket: the count and bytes, and the sender's name's length and whether it is want's path */
static void
recvfrom_un(const char *label, long fd, const struct sun *want)
{
	struct sun from = { 0 };
	int len = sizeof from;
	char b[64] = { 0 };
	long a[] = { fd, (long)b, sizeof b, 0, (long)&from, (long)&len };

	said(label, sc(12, a), b);
	say("  its sender's name's length (2: unnamed)", want ? (len == 2 + lnx_strlen(want->path) + 1) : len);
	if (want)
		yes("  and it is the sender's path", streq(from.path, want->path));
}

/*
 * AF_UNIX datagram sockets bound to paths: sendto by name with the sender's
 * name in recvfrom (none for an unbound sender), connect as a default
 * destination, and Linux's errors.
 */
static void
case_udgram(void)
{
	long pid = lnx_call(20, 0, 0, 0, 0, 0, 0), a, b, u, st, r;
	struct sun na, nb, nst, none, got;
	int len = sizeof got;
	char buf[64] = { 0 };

	named(&na, "ua", pid);
	named(&nb, "ub", pid);
	named(&nst, "ustream", pid);
	named(&none, "unone", pid);
	a = lnx_call(359, AF_UNIX, SOCK_DGRAM, 0, 0, 0, 0);
	b = lnx_call(359, AF_UNIX, SOCK_DGRAM, 0, 0, 0, 0);
	u = lnx_call(359, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, 0, 0, 0);
	yes("udgram: socket(AF_UNIX, SOCK_DGRAM)", a >= 0 && b >= 0 && u >= 0);
	say("udgram: bind a", bind_(a, (struct sin *)&na, sizeof na));
	say("udgram: bind b", bind_(b, (struct sin *)&nb, sizeof nb));
	say("udgram: sendto a from b", sendto_un(b, "from b", 6, &na));
	recvfrom_un("udgram: recvfrom of a", a, &nb);
	say("udgram: sendto a from an unbound socket", sendto_un(u, "anon", 4, &na));
	recvfrom_un("udgram: recvfrom of a", a, 0);
	say("udgram: send without a destination", sendf(u, "x", 1, MSG_NOSIGNAL));
	say("udgram: recv of nothing, non-blocking", recvf(u, buf, sizeof buf, 0));
	poll1("udgram: poll of a with nothing", a, POLLIN | POLLOUT);
	say("udgram: connect the unbound one to a", connect_un(u, &na));
	say("udgram: send on it", sendf(u, "conn", 4, 0));
	say("udgram: getpeername", peer_(u, (struct sin *)&got, &len));
	yes("udgram: it says a's name", len == 2 + lnx_strlen(na.path) + 1 && streq(got.path, na.path));
	poll1("udgram: poll of a with one", a, POLLIN);
	said("udgram: read of a", lnx_call(3, a, (long)buf, sizeof buf, 0, 0, 0), buf);
	say("udgram: sendto b from a", sendto_un(a, "to b", 4, &nb));
	recvfrom_un("udgram: recvfrom of b", b, &na);
	say("udgram: sendto a name that is not there", sendto_un(a, "x", 1, &none));
	st = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	bind_(st, (struct sin *)&nst, sizeof nst);
	say("udgram: sendto a stream socket's name", sendto_un(a, "x", 1, &nst));
	say("udgram: connect to a stream socket's name", connect_un(b, &nst));
	lnx_call(6, a, 0, 0, 0, 0, 0);
	r = sendf(u, "late", 4, MSG_NOSIGNAL);
	say("udgram: send once a is closed", r);
	lnx_call(6, b, 0, 0, 0, 0, 0);
	lnx_call(6, u, 0, 0, 0, 0, 0);
	lnx_call(6, st, 0, 0, 0, 0, 0);
	say("udgram: unlink a's name", lnx_call(10, (long)na.path, 0, 0, 0, 0, 0));
	lnx_call(10, (long)nb.path, 0, 0, 0, 0, 0);
	lnx_call(10, (long)nst.path, 0, 0, 0, 0, 0);
}

#define MSG_WAITALL 0x100

/* A child that writes the n strings of bits into fd, 50 ms apart, and ends; its pid. */
static long
trickle(long fd, const char *const *bits, int n)
{
	long pid = lnx_call(2, 0, 0, 0, 0, 0, 0);

	if (pid == 0) {
		for (int i = 0; i < n; i++) {
			sleep_ms(50);
			lnx_call(4, fd, (long)bits[i], lnx_strlen(bits[i]), 0, 0, 0);
		}
		lnx_exit(0);
	}
	return pid;
}

/* recvmsg with MSG_WAITALL of 8 bytes into two iovecs of 3 and 5 from fd, as the bytes trickle in: what it says */
static void
recvmsg_all(const char *label, long fd)
{
	char x[3] = { 0 }, y[8] = { 0 };
	struct iov v[2] = { { x, 3 }, { y, 5 } };
	struct msghdr m = { 0, 0, v, 2, 0, 0, -1 };

	say(label, recvmsg_(fd, &m, MSG_WAITALL));
	lnx_puts("  its iovecs ");
	lnx_write(x, 3);
	lnx_puts(" ");
	lnx_puts(y);
	lnx_puts("\n");
	say("  its msg_flags", m.flags);
}

static const char *const three[] = { "abc", "defgh", "xy" };

/*
 * MSG_WAITALL on stream sockets: a receive waits for its whole count (the
 * bytes coming in pieces from a child), or for the end; without waiting it
 * takes what is there; on a datagram socket it takes one datagram.
 */
static void
case_waitall(void)
{
	int sv[2], dg[2], status = -1;
	char b[16] = { 0 };
	long child;

	pair(SOCK_STREAM, sv);
	child = trickle(sv[1], three, 3);
	lnx_call(6, sv[1], 0, 0, 0, 0, 0);
	said("waitall: recv of 8 as the bytes come in two pieces", recvf(sv[0], b, 8, MSG_WAITALL), b);
	said("waitall: recv of 8 with 2 more and then the end", recvf(sv[0], b, 8, MSG_WAITALL), b);
	lnx_call(114, child, (long)&status, 0, 0, 0, 0);
	say("waitall: the child's status", status);
	pair(SOCK_STREAM, sv);
	sendf(sv[1], "abc", 3, 0);
	said("waitall: with MSG_DONTWAIT, what is there", recvf(sv[0], b, 8, MSG_WAITALL | MSG_DONTWAIT), b);
	say("waitall: and then nothing", recvf(sv[0], b, 8, MSG_WAITALL | MSG_DONTWAIT));
	pair(SOCK_DGRAM, dg);
	sendf(dg[1], "one", 3, 0);
	sendf(dg[1], "two", 3, 0);
	said("waitall: a datagram socket gives one datagram", recvf(dg[0], b, 8, MSG_WAITALL), b);
	/* recvmsg: the pieces scattered over two iovecs, where each one before ended */
	static const char *const two[] = { "ab", "cdefg" };
	pair(SOCK_STREAM, sv);
	child = trickle(sv[1], two, 2);
	lnx_call(6, sv[1], 0, 0, 0, 0, 0);
	recvmsg_all("waitall: recvmsg of 8 as 2 and then 5 come, and the end", sv[0]);
	lnx_call(114, child, (long)&status, 0, 0, 0, 0);
}

/* MSG_WAITALL on a TCP connection through gns: the bytes come in pieces from a child, the receive waits for all */
static void
case_gwaitall(void)
{
	long l = sock(SOCK_STREAM), c = sock(SOCK_STREAM), a, child;
	struct sin s = loopback(0), at;
	int len = sizeof at, status = -1;
	char b[16] = { 0 };

	bind_(l, &s, sizeof s);
	listen_(l, 2);
	name_(l, &at, &len);
	say("gwaitall: connect", connect_(c, &at));
	a = accept_(l, 0, 0);
	child = trickle(c, three, 3);
	lnx_call(6, c, 0, 0, 0, 0, 0);
	said("gwaitall: recv of 8 as the bytes come in two pieces", recvf(a, b, 8, MSG_WAITALL), b);
	said("gwaitall: recv of 8 with 2 more and then the end", recvf(a, b, 8, MSG_WAITALL), b);
	lnx_call(114, child, (long)&status, 0, 0, 0, 0);
	say("gwaitall: the child's status", status);
	/* recvmsg, over two iovecs */
	static const char *const two[] = { "ab", "cdefgh" };
	c = sock(SOCK_STREAM);
	say("gwaitall: connect again", connect_(c, &at));
	a = accept_(l, 0, 0);
	child = trickle(c, two, 2);
	lnx_call(6, c, 0, 0, 0, 0, 0);
	recvmsg_all("gwaitall: recvmsg of 8 as 2 and then 6 come", a);
	lnx_call(114, child, (long)&status, 0, 0, 0, 0);
}

/* How many of n UDP sockets could be made (each left open) */
static long
open_many(long n)
{
	long k = 0;

	while (k < n && sock(SOCK_DGRAM) >= 0)
		k++;
	return k;
}

/* Ten sockets in a process and ten in its child: each process has a quota of its own (gns's is per task) */
static void
case_many(void)
{
	int status = -1;

	say("many: the parent's sockets", open_many(10));
	long pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		say("many: the child's own", open_many(10));
		lnx_exit(0);
	}
	lnx_call(114, pid, (long)&status, 0, 0, 0, 0);
	say("many: the child's status", status);
	say("many: the parent's after the child ended", open_many(1));
}

/*
 * Calls held on gns's sockets while nothing happens for a second: an accept,
 * a recv and a poll, each woken by what its child does. run.py counts the
 * held calls the server served again in this run (gns says when a socket is
 * ready: a few; a 10 ms ticker's: about 100 a second waited).
 */
static void
case_gwake(void)
{
	long l = sock(SOCK_STREAM), a, pid;
	struct sin s = loopback(0), got;
	int len = sizeof got, status = -1;
	char b[16];

	bind_(l, &s, sizeof s);
	listen_(l, 1);
	name_(l, &got, &len);
	pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		long c = sock(SOCK_STREAM);
		sleep_ms(500);
		if (connect_(c, &got) != 0)
			lnx_exit(10);
		sleep_ms(500);
		send_(c, "wake", 4);
		sleep_ms(500);
		send_(c, "poll", 4);
		recv_(c, b, sizeof b);	/* the end: the parent closed */
		lnx_exit(0);
	}
	len = sizeof s;
	a = accept_(l, &s, &len);
	yes("gwake: a held accept woken by the connect", a >= 0);
	said("gwake: a held recv woken by the data", recv_(a, b, sizeof b), b);
	struct pollfd p = { (int)a, POLLIN, 0 };
	say("gwake: a held poll woken by the data", lnx_call(168, (long)&p, 1, -1, 0, 0, 0));
	say("gwake: its revents", p.revents);
	said("gwake: what came", recv_(a, b, sizeof b), b);
	lnx_call(6, a, 0, 0, 0, 0, 0);
	lnx_call(114, pid, (long)&status, 0, 0, 0, 0);
	say("gwake: the child's status", status);
}

/*
 * An abstract name: sun_path's first byte 0, then "socks-" what and the pid
 * (each run its own: the host's abstract names are the whole machine's); the
 * address's length, which is all that bounds the name.
 */
static long
abstract_named(struct sun *a, const char *what, long pid)
{
	named(a, what, pid);
	long n = lnx_strlen(a->path) - 5;	/* "/tmp/socks-what-pid" less "/tmp/", after a 0 */

	for (long i = 0; i < n; i++)
		a->path[1 + i] = a->path[5 + i];
	for (long i = 1 + n; i < 108; i++)
		a->path[i] = 0;	/* not the name's (its length ends it): for the test's strlen */
	a->path[0] = 0;
	return 2 + 1 + n;
}

/* A name's shape, as getsockname gave it: its length, and for an autobound one 0 and 5 hex digits. */
static void
autobound(const char *label, long fd)
{
	struct sun got = { 0 };
	int len = sizeof got, hex = 1;

	say(label, name_(fd, (struct sin *)&got, &len));
	say("  its length", len);
	for (int i = 1; i < 6; i++)
		hex &= (got.path[i] >= '0' && got.path[i] <= '9') || (got.path[i] >= 'a' && got.path[i] <= 'f');
	yes("  0 and 5 hex digits", got.path[0] == 0 && hex);
}

/*
 * Abstract names (in no file system, free again when the socket closes) for
 * stream and datagram sockets, and autobind (bind with the family alone).
 */
static void
case_abstract(void)
{
	long pid = lnx_call(20, 0, 0, 0, 0, 0, 0), l, c, a, d, e, child;
	struct sun na, nd, got, from;
	long la = abstract_named(&na, "abs", pid), ld = abstract_named(&nd, "absd", pid);
	int len = sizeof got, status = -1;
	char b[64] = { 0 };

	l = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	say("abstract: bind a stream socket", bind_(l, (struct sin *)&na, la));
	say("abstract: getsockname", name_(l, (struct sin *)&got, &len));
	yes("abstract: it says the name, its length as bind's", len == la && got.path[0] == 0 &&
	    lnx_strlen(got.path + 1) == la - 3 && streq(got.path + 1, na.path + 1));
	say("abstract: no file of that name", lnx_call(33, (long)na.path + 1, 0, 0, 0, 0, 0));
	c = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	say("abstract: bind another to it", bind_(c, (struct sin *)&na, la));
	long v[] = { c, (long)&na, la };
	say("abstract: connect with nobody listening", sc(3, v));
	say("abstract: listen", listen_(l, 4));
	child = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (child == 0) {
		long s = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
		long w[] = { s, (long)&na, la };
		int ok = sc(3, w) == 0 ? 1 : 0;

		ok |= lnx_call(4, s, (long)"abstract hi", 11, 0, 0, 0) == 11 ? 2 : 0;
		lnx_exit(ok);
	}
	a = accept_(l, 0, 0);
	yes("abstract: accept", a >= 0);
	said("abstract: read", lnx_call(3, a, (long)b, sizeof b, 0, 0, 0), b);
	lnx_call(114, child, (long)&status, 0, 0, 0, 0);
	say("abstract: the child's status (3: connected, wrote)", status >> 8);
	len = sizeof got;
	say("abstract: getsockname of the accepted end", name_(a, (struct sin *)&got, &len));
	yes("abstract: the listener's name", len == la && streq(got.path + 1, na.path + 1));
	lnx_call(6, a, 0, 0, 0, 0, 0);
	lnx_call(6, l, 0, 0, 0, 0, 0);
	say("abstract: the name is free once its socket closed: bind", bind_(c, (struct sin *)&na, la));
	lnx_call(6, c, 0, 0, 0, 0, 0);
	long nl = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	long x[] = { nl, (long)&na, la };
	say("abstract: connect with the name's length", sc(3, x));
	d = lnx_call(359, AF_UNIX, SOCK_DGRAM, 0, 0, 0, 0);
	e = lnx_call(359, AF_UNIX, SOCK_DGRAM, 0, 0, 0, 0);
	say("abstract: bind a datagram socket", bind_(d, (struct sin *)&nd, ld));
	long st[] = { e, (long)"to d", 4, 0, (long)&nd, ld };
	say("abstract: sendto it from an unbound one", sc(11, st));
	len = sizeof from;
	long rf[] = { d, (long)b, sizeof b, 0, (long)&from, (long)&len };
	said("abstract: recvfrom", sc(12, rf), b);
	say("  its sender's name's length (unnamed)", len);
	say("abstract: autobind the sender (bind with the family alone)", bind_(e, (struct sin *)&got, 2));
	autobound("abstract: getsockname", e);
	say("abstract: bind it again", bind_(e, (struct sin *)&na, la));
	say("abstract: sendto again", sc(11, st));
	len = sizeof from;
	said("abstract: recvfrom", sc(12, rf), b);
	say("  its sender's name's length (autobound)", len);
	yes("  0 and 5 bytes", from.path[0] == 0 && len == 8);
	long sf[] = { d, (long)"back", 4, 0, (long)&from, len };
	say("abstract: sendto the autobound name", sc(11, sf));
	long rb[] = { e, (long)b, sizeof b, 0, 0, 0 };
	said("abstract: recv of it", sc(12, rb), b);
	long cd[] = { e, (long)&nd, ld };
	say("abstract: connect the datagram socket to d's name", sc(3, cd));
	len = sizeof got;
	say("abstract: getpeername", peer_(e, (struct sin *)&got, &len));
	yes("  d's name", len == ld && streq(got.path + 1, nd.path + 1));
	long s2 = lnx_call(359, AF_UNIX, SOCK_STREAM, 0, 0, 0, 0);
	say("abstract: autobind a stream socket", bind_(s2, (struct sin *)&got, 2));
	autobound("abstract: getsockname", s2);
	long z[] = { s2, (long)&got, 2 };
	say("abstract: connect with the family alone", sc(3, z));
	lnx_call(6, d, 0, 0, 0, 0, 0);
	say("abstract: sendto once d closed", sc(11, st));
}

static void
case_errors(void)
{
	long s = sock(SOCK_STREAM), u = sock(SOCK_DGRAM);
	struct sin a = loopback(0);
	int len = sizeof a;
	char b[4];

	long x[] = { 99, SOCK_STREAM, 0 };
	say("errors: a family of nothing", sc(1, x));
	long y[] = { AF_INET, 9, 0 };
	say("errors: a type of nothing", sc(1, y));
	long z[] = { AF_INET, SOCK_STREAM, 17 };
	say("errors: TCP with UDP's protocol", sc(1, z));
	say("errors: bind with a short address", bind_(s, &a, 8));
	say("errors: listen on UDP", listen_(u, 1));
	say("errors: recv of a file that is no socket", recv_(1, b, 4));
	say("errors: recv of a closed descriptor", recv_(77, b, 4));
	say("errors: socketcall 0", sc(0, (long *)0));
	say("errors: socketcall 99", sc(99, (long *)0));
	say("errors: shutdown how 7", shutdown_(s, 7));
	say("errors: getpeername unconnected", peer_(s, &a, &len));
	long n = lnx_call(359, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, 0, 0, 0);
	bind_(n, &a, sizeof a);
	listen_(n, 1);
	say("errors: accept4 of a non-blocking socket with no one", lnx_call(364, n, 0, 0, 0, 0, 0));
	say("errors: accept of a socket not listening", lnx_call(364, s, 0, 0, SOCK_NONBLOCK, 0, 0));
	long q[] = { n, 0, 0, 0x7 };
	say("errors: accept4 with bad flags", sc(18, q));
	long opt[] = { s, 99, 1, (long)b, 4 };
	say("errors: setsockopt of an unknown level", sc(14, opt));
}

void __attribute__((noreturn, used))
start_c(long *sp)
{
	char **argv = (char **)(sp + 1);
	const char *c = sp[0] > 1 ? argv[1] : "";

	if (streq(c, "tcp"))
		case_tcp();
	else if (streq(c, "udp"))
		case_udp();
	else if (streq(c, "errors"))
		case_errors();
	else if (streq(c, "many"))
		case_many();
	else if (streq(c, "gpoll"))
		case_gpoll();
	else if (streq(c, "gfull"))
		case_gfull();
	else if (streq(c, "gready"))
		case_gready();
	else if (streq(c, "rights"))
		case_rights();
	else if (streq(c, "named"))
		case_named();
	else if (streq(c, "udgram"))
		case_udgram();
	else if (streq(c, "gwaitall"))
		case_gwaitall();
	else if (streq(c, "gwake"))
		case_gwake();
	else if (streq(c, "abstract"))
		case_abstract();
	else if (streq(c, "waitall"))
		case_waitall();
	else if (streq(c, "pair"))
		case_pair();
	else if (streq(c, "dgram"))
		case_dgram();
	else if (streq(c, "ready"))
		case_ready();
	else {
		lnx_puts("socks: unknown case\n");
		lnx_exit(2);
	}
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
