/*
 * The shell's bulk transfers, for tests between nodes and with the Linux peer
 * (tests/net/run.py, tests/cluster/): a known pattern out, MD5 digests of what
 * went and what came (md5.c; busybox's md5sum prints the same on Linux).
 *
 *   tcpgen HOST PORT BYTES [echo] [kill=TASK@N[,N...]]
 *                                   send BYTES of the pattern; with echo, read
 *                                   the stream back meanwhile and digest it too
 *                                   (a refused connect is tried again for 20 s)
 *   tcpsink PORT [echo] [kill=TASK@N[,N...]]  accept one connection, read it to its end
 *                                   (sending each piece back with echo)
 *   udpgen HOST PORT COUNT SIZE [echo]  COUNT datagrams of SIZE pattern bytes;
 *                                   with echo, each must come back unchanged
 *   udpsink PORT COUNT [echo]       take COUNT datagrams (echoing each)
 *
 * The pattern is xorshift32 from PATTERN_SEED, four bytes a step, little-endian:
 * a test on the host makes the same bytes and knows their digest.
 *
 * kill=TASK@N,... terminates /tasks/TASK each time N bytes (up to four marks,
 * ascending) of the stream went (tcpgen) or came (tcpsink), and says so: the net
 * suite kills the node's own e1000 driver so, at known points in the middle of a
 * stream, since the shell that could type `kill` is busy with the stream itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include "commands.h"
#include "md5.h"

#define PATTERN_SEED 0x2545f491u
#define CHUNK 65536		/* bytes per send or recv call: fewer RPCs to gns */
#define CONNECT_MS 10000
#define ACCEPT_MS 120000	/* a test starts the sink first, then the other side */
#define QUIET_MS 30000		/* a stream or a datagram that long overdue is lost */
#define ECHO_MS 2000		/* a datagram's echo: resent after this */
#define ECHO_TRIES 5
#define FIRST_ECHO_TRIES 30	/* for the first datagram: the receiver may not be bound yet */
#define CONNECT_TRIES 20	/* a second apart: the peer's listener may come a little later */

static uint8_t out[CHUNK], in[CHUNK];

struct pattern {
	uint32_t x;
};

static void
pattern_fill(struct pattern *p, uint8_t *buf, size_t len)	/* len a multiple of 4 but at the end */
{
	for (size_t i = 0; i < len; i += 4) {
		p->x ^= p->x << 13;
		p->x ^= p->x >> 17;
		p->x ^= p->x << 5;
		for (size_t k = 0; k < 4 && i + k < len; k++)
			buf[i + k] = (uint8_t)(p->x >> (8 * k));
	}
}

static bool
has_echo(int argc, char **argv, int at)
{
	return argc > at && strcmp(argv[at], "echo") == 0;
}

/* A stream's options after its fixed arguments: echo, kill=TASK@N[,N...]. */
#define KILLS_MAX 4
struct stream_opts {
	bool echo;
	char kill[32];			/* a task to terminate mid-stream, or "" */
	uint64_t kill_at[KILLS_MAX];	/* ... once this many bytes went or came, ascending */
	int kills, killed;
};

static bool
parse_stream_opts(int argc, char **argv, int at, struct stream_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = at; i < argc; i++) {
		char *name, *mark, *end;
		if (strcmp(argv[i], "echo") == 0) {
			o->echo = true;
			continue;
		}
		if (strncmp(argv[i], "kill=", 5) != 0)
			return false;
		name = argv[i] + 5;
		if ((mark = strchr(name, '@')) == NULL || mark == name || mark - name >= (int)sizeof o->kill)
			return false;
		memcpy(o->kill, name, (size_t)(mark - name));
		o->kill[mark - name] = '\0';
		o->kills = 0;
		do {
			if (o->kills == KILLS_MAX)
				return false;
			o->kill_at[o->kills] = strtoull(mark + 1, &end, 10);
			if (end == mark + 1 || (*end != '\0' && *end != ',') ||
			    (o->kills > 0 && o->kill_at[o->kills] <= o->kill_at[o->kills - 1]))
				return false;
			o->kills++;
			mark = end;
		} while (*mark == ',');
	}
	return true;
}

/* Kills the option's task once bytes reach its next mark (one kill per call). */
static void
stream_kill(const char *cmd, struct stream_opts *o, uint64_t bytes)
{
	kern_return_t kr;

	if (o->killed == o->kills || bytes < o->kill_at[o->killed])
		return;
	o->killed++;
	kr = kill_task(o->kill);
	if (kr == KERN_SUCCESS)
		printf("%s: killed %s at %llu bytes\n", cmd, o->kill, (unsigned long long)bytes);
	else
		printf("%s: cannot kill %s: %s\n", cmd, o->kill, kern_return_name(kr));
}

static void
report(const char *cmd, const char *what, uint64_t bytes, struct md5 *m)
{
	char hex[33];

	md5_hex(m, hex);
	printf("%s: %s %llu bytes, md5 %s\n", cmd, what, (unsigned long long)bytes, hex);
}

/* A connected socket in *s; a refused connect is tried again on a new socket. */
static int
connect_retrying(uint32_t ip, uint16_t port, mach_port_t *s)
{
	int err = ECONNREFUSED;

	for (int try = 0; try < CONNECT_TRIES && err == ECONNREFUSED; try++) {
		if (try)
			msg_sleep_ms(1000);
		if ((err = sock_socket(SOCK_STREAM, s)) != 0)
			return err;
		if ((err = sock_connect(*s, ip, port, 0, CONNECT_MS)) != 0)
			sock_close(*s);
	}
	return err;
}

/* Sends from the pattern until total went, reading the echo back alongside when back is set. */
static int
tcp_pump(mach_port_t s, uint64_t total, struct stream_opts *o, struct md5 *sent_md5, struct md5 *back_md5,
	 uint64_t *back)
{
	bool echo = o->echo;
	struct pattern p = { PATTERN_SEED };
	uint64_t sent = 0;
	size_t have = 0, off = 0;	/* out[off..have) is made but not sent yet */
	size_t n;
	int err;

	while (sent < total || (echo && *back < total)) {
		bool stuck = true;
		if (sent < total) {
			if (off == have) {
				have = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;
				off = 0;
				pattern_fill(&p, out, have);
				md5_update(sent_md5, out, have);
			}
			/* without an echo to read, block; with one, never wait on the send alone */
			err = sock_send(s, out + off, have - off, echo ? SOCK_NONBLOCK : 0, QUIET_MS, &n);
			if (err && err != EWOULDBLOCK)
				return err;
			if (!err && n > 0) {
				off += n;
				sent += n;
				stuck = false;
				stream_kill("tcpgen", o, sent);
			}
		}
		if (echo) {
			/* wait a little for the echo while the send side is full, and long once all went */
			uint32_t ms = sent < total ? (stuck ? 20 : 0) : QUIET_MS;
			err = sock_recv(s, in, sizeof in, ms ? 0 : SOCK_NONBLOCK, ms, &n);
			if (err == EWOULDBLOCK || (err == ETIMEDOUT && sent < total))
				continue;
			if (err)
				return err;
			if (n == 0)
				return ECONNRESET;	/* closed before all came back */
			md5_update(back_md5, in, n);
			*back += n;
		}
	}
	return 0;
}

void
cmd_tcpgen(int argc, char **argv)
{
	struct md5 sent_md5, back_md5;
	struct stream_opts o;
	uint64_t total, back = 0;
	mach_port_t s;
	uint32_t ip;
	uint16_t port;
	int err;

	if (argc < 4 || !parse_ip(argv[1], &ip) || !parse_port(argv[2], &port) ||
	    !parse_stream_opts(argc, argv, 4, &o)) {
		printf("shell: usage: tcpgen HOST PORT BYTES [echo] [kill=TASK@N[,N...]]\n");
		return;
	}
	total = strtoull(argv[3], NULL, 10);
	md5_init(&sent_md5);
	md5_init(&back_md5);
	if ((err = connect_retrying(ip, port, &s)) != 0) {
		printf("tcpgen: %s:%u: %s\n", argv[1], port, strerror(err));
		return;
	}
	if ((err = tcp_pump(s, total, &o, &sent_md5, &back_md5, &back)) != 0) {
		printf("tcpgen: %s:%u: %s\n", argv[1], port, strerror(err));
	} else {
		report("tcpgen", "sent", total, &sent_md5);
		if (o.echo)
			report("tcpgen", "back", back, &back_md5);
		/* the end of our stream; then wait for the peer's, so that every byte is in before we close */
		size_t n;
		sock_shutdown(s, SOCK_SHUT_WR);
		while (sock_recv(s, in, sizeof in, 0, QUIET_MS, &n) == 0 && n > 0)
			;
	}
	sock_close(s);
}

void
cmd_tcpsink(int argc, char **argv)
{
	struct md5 m;
	struct stream_opts o;
	uint64_t got = 0;
	mach_port_t l = MACH_PORT_NULL, c = MACH_PORT_NULL;
	uint32_t ip;
	uint16_t port, from;
	size_t n, sent;
	int err;

	if (argc < 2 || !parse_port(argv[1], &port) || !parse_stream_opts(argc, argv, 2, &o)) {
		printf("shell: usage: tcpsink PORT [echo] [kill=TASK@N[,N...]]\n");
		return;
	}
	md5_init(&m);
	if ((err = sock_socket(SOCK_STREAM, &l)) != 0 || (err = sock_bind(l, 0, port)) != 0 ||
	    (err = sock_listen(l, 1)) != 0) {
		printf("tcpsink: %s\n", strerror(err));
		goto out;
	}
	printf("tcpsink: listening on %u\n", port);
	if ((err = sock_accept(l, 0, ACCEPT_MS, &c, &ip, &from)) != 0) {
		printf("tcpsink: accept: %s\n", strerror(err));
		goto out;
	}
	while ((err = sock_recv(c, in, sizeof in, 0, QUIET_MS, &n)) == 0 && n > 0) {
		md5_update(&m, in, n);
		got += n;
		if (o.echo && (err = sock_send(c, in, n, 0, QUIET_MS, &sent)) != 0)
			break;
		stream_kill("tcpsink", &o, got);
	}
	if (err) {
		printf("tcpsink: after %llu bytes: %s\n", (unsigned long long)got, strerror(err));
	} else {
		printf("tcpsink: from ");
		print_ip(ip);
		printf(":%u\n", from);
		report("tcpsink", o.echo ? "echoed" : "got", got, &m);
	}
out:
	if (MACH_PORT_VALID(c))
		sock_close(c);
	if (MACH_PORT_VALID(l))
		sock_close(l);
}

/*
 * Sends one datagram and waits for it to come back the same, resending a few
 * times; whatever else comes meanwhile (a late echo of an earlier one) is passed over.
 */
static int
udp_echo_one(mach_port_t s, const uint8_t *buf, size_t len, uint32_t ip, uint16_t port, int tries)
{
	size_t n;
	int err = ETIMEDOUT;

	for (int try = 0; try < tries && err == ETIMEDOUT; try++) {
		if ((err = sock_sendto(s, buf, len, ip, port, 0, CONNECT_MS, &n)) != 0)
			return err;
		while ((err = sock_recvfrom(s, in, sizeof in, 0, ECHO_MS, &n, NULL, NULL)) == 0)
			if (n == len && memcmp(in, buf, len) == 0)
				return 0;
	}
	return err;
}

void
cmd_udpgen(int argc, char **argv)
{
	struct pattern p = { PATTERN_SEED };
	struct md5 m;
	bool echo = has_echo(argc, argv, 5);
	mach_port_t s;
	uint32_t ip, count, size, i;
	uint16_t port;
	size_t n;
	int err = 0;

	if (argc < 5 || !parse_ip(argv[1], &ip) || !parse_port(argv[2], &port) ||
	    (size = (uint32_t)strtoul(argv[4], NULL, 10)) == 0 || size > SOCK_DGRAM_MAX) {
		printf("shell: usage: udpgen HOST PORT COUNT SIZE [echo] (SIZE 1 to %u)\n", SOCK_DGRAM_MAX);
		return;
	}
	count = (uint32_t)strtoul(argv[3], NULL, 10);
	md5_init(&m);
	if ((err = sock_socket(SOCK_DGRAM, &s)) != 0) {
		printf("udpgen: %s\n", strerror(err));
		return;
	}
	for (i = 0; i < count; i++) {
		pattern_fill(&p, out, size);
		md5_update(&m, out, size);
		if (echo)
			err = udp_echo_one(s, out, size, ip, port, i ? ECHO_TRIES : FIRST_ECHO_TRIES);
		else
			err = sock_sendto(s, out, size, ip, port, 0, CONNECT_MS, &n);
		if (err)
			break;
	}
	if (err) {
		printf("udpgen: datagram %u: %s\n", i, strerror(err));
	} else {
		report("udpgen", "sent", (uint64_t)count * size, &m);
		printf("udpgen: %u datagrams%s\n", count, echo ? ", each echoed intact" : "");
	}
	sock_close(s);
}

void
cmd_udpsink(int argc, char **argv)
{
	struct md5 m;
	bool echo = has_echo(argc, argv, 3);
	mach_port_t s = MACH_PORT_NULL;
	uint32_t count, i, ip;
	uint64_t bytes = 0;
	uint16_t port, from;
	size_t n, sent;
	int err;

	if (argc < 3 || !parse_port(argv[1], &port)) {
		printf("shell: usage: udpsink PORT COUNT [echo]\n");
		return;
	}
	count = (uint32_t)strtoul(argv[2], NULL, 10);
	md5_init(&m);
	if ((err = sock_socket(SOCK_DGRAM, &s)) != 0 || (err = sock_bind(s, 0, port)) != 0) {
		printf("udpsink: %s\n", strerror(err));
		goto out;
	}
	printf("udpsink: listening on %u\n", port);
	for (i = 0; i < count; i++) {
		if ((err = sock_recvfrom(s, in, sizeof in, 0, i ? QUIET_MS : ACCEPT_MS, &n, &ip, &from)) != 0)
			break;
		md5_update(&m, in, n);
		bytes += n;
		if (echo && (err = sock_sendto(s, in, n, ip, from, 0, CONNECT_MS, &sent)) != 0)
			break;
	}
	if (err) {
		printf("udpsink: datagram %u: %s\n", i, strerror(err));
	} else {
		printf("udpsink: %u datagrams from ", count);
		print_ip(ip);
		printf("\n");
		report("udpsink", echo ? "echoed" : "got", bytes, &m);
	}
out:
	if (MACH_PORT_VALID(s))
		sock_close(s);
}
