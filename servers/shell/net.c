/*
 * The shell's network commands, clients of gns's sockets through libmsg's
 * <manifold/socket.h>: `udpsend HOST PORT TEXT` sends one datagram,
 * `udprecv PORT [MS]` prints the next one to come, `nc HOST PORT [TEXT]`
 * connects over TCP, sends TEXT and a newline, and prints what comes back
 * until the peer closes or is quiet for NC_QUIET_MS.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <manifold/socket.h>
#include "commands.h"

#define NC_CONNECT_MS 5000
#define NC_QUIET_MS 2000
#define UDPRECV_DEFAULT_MS 10000

/* a.b.c.d into host byte order; false unless it is exactly that. */
bool
parse_ip(const char *s, uint32_t *ip)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char *end;
		unsigned long b = strtoul(s, &end, 10);
		if (end == s || b > 255 || *end != (i < 3 ? '.' : '\0'))
			return false;
		v = v << 8 | (uint32_t)b;
		s = end + 1;
	}
	*ip = v;
	return true;
}

bool
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long p = strtoul(s, &end, 10);

	if (end == s || *end || p == 0 || p > 65535)
		return false;
	*port = (uint16_t)p;
	return true;
}

void
print_ip(uint32_t ip)
{
	printf("%u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff, ip >> 8 & 0xff, ip & 0xff);
}

/* The words from `from` on, joined by blanks (the shell split them). */
static void
join(char *buf, size_t size, int argc, char **argv, int from)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = from; i < argc && at < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s", i > from ? " " : "", argv[i]);
}

void
cmd_udpsend(int argc, char **argv)
{
	char text[SOCK_DGRAM_MAX];
	mach_port_t s;
	uint32_t ip;
	uint16_t port;
	size_t sent;
	int err;

	if (argc < 4 || !parse_ip(argv[1], &ip) || !parse_port(argv[2], &port)) {
		printf("shell: usage: udpsend HOST PORT TEXT (HOST as a.b.c.d)\n");
		return;
	}
	join(text, sizeof text, argc, argv, 3);
	if ((err = sock_socket(SOCK_DGRAM, &s)) != 0) {
		printf("udpsend: %s\n", strerror(err));
		return;
	}
	err = sock_sendto(s, text, strlen(text), ip, port, 0, NC_CONNECT_MS, &sent);
	if (err)
		printf("udpsend: %s\n", strerror(err));
	else
		printf("udpsend: %u bytes to %s:%u\n", (unsigned)sent, argv[1], port);
	sock_close(s);
}

void
cmd_udprecv(int argc, char **argv)
{
	char buf[SOCK_DGRAM_MAX + 1];
	uint32_t ms = UDPRECV_DEFAULT_MS, ip;
	uint16_t port, from;
	mach_port_t s = MACH_PORT_NULL;
	size_t got;
	int err;

	if (argc < 2 || argc > 3 || !parse_port(argv[1], &port)) {
		printf("shell: usage: udprecv PORT [MS]\n");
		return;
	}
	if (argc == 3)
		ms = (uint32_t)strtoul(argv[2], NULL, 10);
	if ((err = sock_socket(SOCK_DGRAM, &s)) != 0 || (err = sock_bind(s, 0, port)) != 0 ||
	    (err = sock_recvfrom(s, buf, sizeof buf - 1, 0, ms, &got, &ip, &from)) != 0) {
		printf("udprecv: %s\n", strerror(err));
	} else {
		buf[got] = '\0';
		printf("udprecv: %u bytes from ", (unsigned)got);
		print_ip(ip);
		printf(":%u: %s\n", from, buf);
	}
	if (MACH_PORT_VALID(s))
		sock_close(s);
}

void
cmd_nc(int argc, char **argv)
{
	char buf[512];
	mach_port_t s;
	uint32_t ip;
	uint16_t port;
	size_t n;
	int err;

	if (argc < 3 || !parse_ip(argv[1], &ip) || !parse_port(argv[2], &port)) {
		printf("shell: usage: nc HOST PORT [TEXT]\n");
		return;
	}
	if ((err = sock_socket(SOCK_STREAM, &s)) != 0) {
		printf("nc: %s\n", strerror(err));
		return;
	}
	if ((err = sock_connect(s, ip, port, 0, NC_CONNECT_MS)) != 0) {
		printf("nc: %s:%u: %s\n", argv[1], port, strerror(err));
		sock_close(s);
		return;
	}
	if (argc > 3) {
		join(buf, sizeof buf - 1, argc, argv, 3);
		strcat(buf, "\n");
		if ((err = sock_send(s, buf, strlen(buf), 0, NC_CONNECT_MS, &n)) != 0)
			printf("nc: send: %s\n", strerror(err));
	}
	while ((err = sock_recv(s, buf, sizeof buf - 1, 0, NC_QUIET_MS, &n)) == 0 && n > 0) {
		buf[n] = '\0';
		printf("%s", buf);
	}
	if (err && err != ETIMEDOUT)
		printf("nc: %s\n", strerror(err));
	sock_close(s);
}
