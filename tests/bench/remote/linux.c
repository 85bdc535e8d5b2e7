/*
 * The Linux side of make bench's remote rows (remote.h says the protocol;
 * tools/bench/remote.sh runs it on two Linux peers, tools/net/):
 *
 *   bench-net client ITERS BYTES   10.77.0.1: ITERS UDP round trips, then BYTES over TCP
 *   bench-net server ITERS BYTES   10.77.0.2: the echo, then the receiver
 *
 * Debian's 686 kernel ticks periodically (no NO_HZ) and counts idle time in
 * ticks only, so idle is left out another way: a SCHED_IDLE thread spins
 * whenever nothing else runs, so the CPU never halts and the rdtsc span is all
 * instructions, and the spinner's share is its loop count times the loop's
 * SPIN_INSNS instructions. Linux preempts a SCHED_IDLE thread at once on a
 * wakeup, as it leaves its idle loop; a thread of this process, so that
 * switching to it keeps the address space, as a switch to the idle task does.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "measure.h"
#include "remote.h"

#define SPIN_INSNS 3	/* addl, adcl, jmp */

static char buf[BULK_CHUNK], reply[RR_SIZE];
static volatile uint32_t spins[2];	/* the spinner's 64-bit count, low word first */

struct span {
	uint64_t tsc, spins;
};

static uint64_t
spin_count(void)
{
	uint32_t hi, lo;

	do {	/* the spinner may be between its two adds */
		hi = spins[1];
		lo = spins[0];
	} while (hi != spins[1]);
	return (uint64_t)hi << 32 | lo;
}

static void *
spin(void *unused)
{
	__asm__ volatile("1: addl $1, (%0)\n\tadcl $0, 4(%0)\n\tjmp 1b" : : "r"(spins) : "memory", "cc");
	return NULL;
}

static void
spinner_start(void)
{
	struct sched_param none = { 0 };
	pthread_attr_t a;
	pthread_t t;

	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_IDLE);
	pthread_attr_setschedparam(&a, &none);
	if (pthread_create(&t, &a, spin, NULL) != 0) {
		fprintf(stderr, "bench-net: no SCHED_IDLE spinner\n");
		exit(1);
	}
}

static void
span_start(struct span *s)
{
	s->spins = spin_count();
	s->tsc = bench_rdtsc();
}

static uint64_t
span_busy(const struct span *s)
{
	uint64_t tsc = bench_rdtsc();

	return tsc - s->tsc - SPIN_INSNS * (spin_count() - s->spins);
}

static int
fail(const char *what)
{
	printf("FAIL bench-net: %s: %m\n", what);
	return -1;
}

static void
wait_for(int s, int ms)
{
	struct timeval tv = { ms / 1000, ms % 1000 * 1000 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static struct sockaddr_in
server_at(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, SERVER_IP, &a.sin_addr);
	return a;
}

static int
rr_client(unsigned iters)
{
	struct sockaddr_in to = server_at(RR_PORT);
	struct span sp;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(buf, 0, RR_SIZE);
	wait_for(s, 1000);
	/* warm-up: ARP, and a server that may not be bound yet (a lost one is sent again) */
	buf[0] = RR_WARM;
	for (unsigned i = 0; i < RR_WARMUP; i++)
		do
			sendto(s, buf, RR_SIZE, 0, (struct sockaddr *)&to, sizeof to);
		while (recv(s, reply, RR_SIZE, 0) < 0);
	wait_for(s, RR_WAIT_MS);
	buf[0] = RR_MEASURED;
	span_start(&sp);
	for (unsigned i = 0; i < iters; i++) {
		if (sendto(s, buf, RR_SIZE, 0, (struct sockaddr *)&to, sizeof to) != RR_SIZE)
			return fail("round trip");
		do	/* a warm-up's echo sent twice may still come: not this round trip's */
			if (recv(s, reply, RR_SIZE, 0) != RR_SIZE)
				return fail("round trip");
		while (reply[0] != RR_MEASURED);
	}
	printf("NODE udp_rr_remote client %llu %u\n", (unsigned long long)span_busy(&sp), iters);
	buf[0] = RR_END;
	wait_for(s, 1000);
	do
		sendto(s, buf, RR_SIZE, 0, (struct sockaddr *)&to, sizeof to);
	while (recv(s, reply, RR_SIZE, 0) < 0 || reply[0] != RR_END);
	close(s);
	return 0;
}

static int
rr_server(void)
{
	struct sockaddr_in me = server_at(RR_PORT), from;
	struct span sp;
	unsigned count = 0;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	me.sin_addr.s_addr = INADDR_ANY;
	if (bind(s, (struct sockaddr *)&me, sizeof me) != 0)
		return fail("bind");
	for (;;) {
		socklen_t len = sizeof from;
		ssize_t n = recvfrom(s, buf, RR_SIZE, 0, (struct sockaddr *)&from, &len);
		if (n <= 0)
			return fail("receive");
		if (buf[0] == RR_MEASURED && count++ == 0)
			span_start(&sp);
		if (buf[0] == RR_END && count > 0) {
			printf("NODE udp_rr_remote server %llu %u\n", (unsigned long long)span_busy(&sp), count);
			count = 0;
		}
		sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
		if (buf[0] == RR_END)
			break;
	}
	wait_for(s, 3000);	/* the client's end may be lost: answer a repeat for a while */
	for (;;) {
		socklen_t len = sizeof from;
		ssize_t n = recvfrom(s, buf, RR_SIZE, 0, (struct sockaddr *)&from, &len);
		if (n <= 0)
			break;
		sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
	close(s);
	return 0;
}

static int
bulk_sender(unsigned long long bytes)
{
	struct sockaddr_in to = server_at(BULK_PORT);
	struct span sp;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	/* the receiver listened before it echoed the first datagram */
	if (connect(s, (struct sockaddr *)&to, sizeof to) != 0)
		return fail("connect");
	memset(buf, 0x5a, sizeof buf);
	for (unsigned long long w = 0; w < BULK_WARMUP; w += BULK_CHUNK)
		if (write(s, buf, BULK_CHUNK) != BULK_CHUNK)
			return fail("warm-up send");
	if (read(s, buf, 1) != 1)
		return fail("go");
	span_start(&sp);
	for (unsigned long long sent = 0; sent < bytes;) {
		ssize_t n = write(s, buf, bytes - sent < BULK_CHUNK ? bytes - sent : BULK_CHUNK);
		if (n <= 0)
			return fail("send");
		sent += (unsigned long long)n;
	}
	if (read(s, buf, 1) != 1)
		return fail("done");
	printf("NODE tcp_bulk_remote sender %llu %llu\n", (unsigned long long)span_busy(&sp), bytes);
	close(s);
	return 0;
}

static int
listener(void)
{
	struct sockaddr_in me = server_at(BULK_PORT);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	me.sin_addr.s_addr = INADDR_ANY;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&me, sizeof me) != 0 || listen(l, 1) != 0)
		return fail("listen");
	return l;
}

/* Takes the sender's connection on l, listening since before the round trips. */
static int
bulk_receiver(int l, unsigned long long bytes)
{
	struct span sp;
	unsigned long long got = 0;
	int c;

	if ((c = accept(l, NULL, NULL)) < 0)
		return fail("accept");
	for (unsigned long long w = 0; w < BULK_WARMUP;) {
		ssize_t n = read(c, buf, BULK_WARMUP - w < BULK_CHUNK ? BULK_WARMUP - w : BULK_CHUNK);
		if (n <= 0)
			return fail("warm-up receive");
		w += (unsigned long long)n;
	}
	span_start(&sp);
	if (write(c, "g", 1) != 1)
		return fail("go");
	while (got < bytes) {
		ssize_t n = read(c, buf, sizeof buf);
		if (n <= 0)
			return fail("receive");
		got += (unsigned long long)n;
	}
	printf("NODE tcp_bulk_remote receiver %llu %llu\n", (unsigned long long)span_busy(&sp), got);
	if (write(c, "d", 1) != 1)
		return fail("done");
	read(c, buf, 1);	/* the sender closes first */
	close(c);
	close(l);
	return 0;
}

int
main(int argc, char **argv)
{
	int bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 4 || (strcmp(argv[1], "client") != 0 && strcmp(argv[1], "server") != 0)) {
		fprintf(stderr, "usage: bench-net client|server ITERS BYTES\n");
		return 2;
	}
	spinner_start();
	if (strcmp(argv[1], "client") == 0) {
		bad = rr_client((unsigned)atoi(argv[2])) || bulk_sender(strtoull(argv[3], NULL, 10));
	} else {
		int l = listener();
		bad = l < 0 || rr_server() || bulk_receiver(l, strtoull(argv[3], NULL, 10));
	}
	printf("NODE done\n");
	exit(bad);	/* the spinner ends with the process */
}
