/*
 * A Linux program for the unix suite: sockets on the loopback (127.0.0.1,
 * ports the system picks), so that nothing leaves the machine. `socks CASE`
 * with CASE tcp, udp or errors; the output is compared with the same
 * binary's on the host (run.py), so nothing printed depends on port numbers.
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
	else {
		lnx_puts("socks: unknown case\n");
		lnx_exit(2);
	}
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
