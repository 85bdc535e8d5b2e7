/*
 * The Manifold side of make bench's remote rows (remote.h says the protocol;
 * tools/bench/remote.sh boots two nodes with the e1000 driver and gns):
 *
 *   netbench client ITERS BYTES   node 1: ITERS UDP round trips, then BYTES over TCP
 *   netbench server ITERS BYTES   node 2: the echo, then the receiver
 *
 * Busy instructions are the rdtsc span (instructions under -icount shift=0)
 * less the kernel's halted cycles in it (kernel_stats' idle_cycles: from the
 * idle loop's hlt to the interrupt that ends it). Leaves QEMU when done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/socket.h>
#include <manifold/trap.h>
#include "measure.h"
#include "remote.h"

static uint8_t buf[BULK_CHUNK], reply[RR_SIZE];

struct span {
	uint64_t tsc, idle;
};

static void
span_start(struct span *s)
{
	struct manifold_kernel_stats st;

	trap_raw(TRAP_kernel_stats, (uint32_t)&st, 0, 0, 0, 0);
	s->idle = (uint64_t)st.idle_cycles_hi << 32 | st.idle_cycles_lo;
	s->tsc = bench_rdtsc();
}

/* The busy instructions since span_start. */
static uint64_t
span_busy(const struct span *s)
{
	struct manifold_kernel_stats st;
	uint64_t tsc = bench_rdtsc();

	trap_raw(TRAP_kernel_stats, (uint32_t)&st, 0, 0, 0, 0);
	return tsc - s->tsc - (((uint64_t)st.idle_cycles_hi << 32 | st.idle_cycles_lo) - s->idle);
}

static int
fail(const char *what, int err)
{
	printf("FAIL netbench: %s: %s\n", what, strerror(err));
	return -1;
}

static int
rr_client(uint32_t server, unsigned iters)
{
	struct span sp;
	mach_port_t s;
	size_t n;
	int err;

	if ((err = sock_socket(SOCK_DGRAM, &s)) != 0)
		return fail("socket", err);
	memset(buf, 0, RR_SIZE);
	/* warm-up: ARP, and a server that may not be bound yet (each lost one sent again) */
	buf[0] = RR_WARM;
	for (unsigned i = 0; i < RR_WARMUP; i++) {
		do {
			if ((err = sock_sendto(s, buf, RR_SIZE, server, RR_PORT, 0, RR_WAIT_MS, &n)) != 0)
				return fail("warm-up send", err);
			err = sock_recvfrom(s, reply, RR_SIZE, 0, 1000, &n, NULL, NULL);
		} while (err == ETIMEDOUT);
		if (err)
			return fail("warm-up receive", err);
	}
	buf[0] = RR_MEASURED;
	span_start(&sp);
	for (unsigned i = 0; i < iters; i++) {
		if ((err = sock_sendto(s, buf, RR_SIZE, server, RR_PORT, 0, RR_WAIT_MS, &n)) != 0)
			return fail("round trip", err);
		do	/* a warm-up's echo sent twice may still come: not this round trip's */
			if ((err = sock_recvfrom(s, reply, RR_SIZE, 0, RR_WAIT_MS, &n, NULL, NULL)) != 0)
				return fail("round trip", err);
		while (reply[0] != RR_MEASURED);
	}
	printf("NODE udp_rr_remote client %llu %u\n", (unsigned long long)span_busy(&sp), iters);
	buf[0] = RR_END;
	do {
		sock_sendto(s, buf, RR_SIZE, server, RR_PORT, 0, RR_WAIT_MS, &n);
		err = sock_recvfrom(s, reply, RR_SIZE, 0, 1000, &n, NULL, NULL);
	} while (err == ETIMEDOUT || (!err && reply[0] != RR_END));
	sock_close(s);
	return 0;
}

static int
rr_server(void)
{
	struct span sp;
	mach_port_t s;
	unsigned count = 0;
	uint32_t ip;
	uint16_t port;
	size_t n;
	int err;

	if ((err = sock_socket(SOCK_DGRAM, &s)) != 0 || (err = sock_bind(s, 0, RR_PORT)) != 0)
		return fail("bind", err);
	for (;;) {
		if ((err = sock_recvfrom(s, buf, RR_SIZE, 0, 0, &n, &ip, &port)) != 0)
			return fail("receive", err);
		if (buf[0] == RR_MEASURED && count++ == 0)
			span_start(&sp);
		if (buf[0] == RR_END && count > 0) {
			printf("NODE udp_rr_remote server %llu %u\n", (unsigned long long)span_busy(&sp), count);
			count = 0;
		}
		if ((err = sock_sendto(s, buf, n, ip, port, 0, RR_WAIT_MS, &n)) != 0)
			return fail("reply", err);
		if (buf[0] == RR_END)
			break;
	}
	/* the client's end may be lost: answer a repeat for a while */
	while (sock_recvfrom(s, buf, RR_SIZE, 0, 3000, &n, &ip, &port) == 0)
		sock_sendto(s, buf, n, ip, port, 0, RR_WAIT_MS, &n);
	sock_close(s);
	return 0;
}

static int
bulk_sender(uint32_t server, uint64_t bytes)
{
	struct span sp;
	mach_port_t s;
	uint64_t sent = 0;
	size_t n;
	int err;

	/* the receiver listened before it echoed the first datagram */
	if ((err = sock_socket(SOCK_STREAM, &s)) != 0 || (err = sock_connect(s, server, BULK_PORT, 0, RR_WAIT_MS)) != 0)
		return fail("connect", err);
	memset(buf, 0x5a, sizeof buf);
	for (uint64_t w = 0; w < BULK_WARMUP; w += n)
		if ((err = sock_send(s, buf, BULK_CHUNK, 0, 0, &n)) != 0)
			return fail("warm-up send", err);
	if ((err = sock_recv(s, buf, 1, 0, 0, &n)) != 0 || n != 1)
		return fail("go", err ? err : ECONNRESET);
	span_start(&sp);
	for (; sent < bytes; sent += n)
		if ((err = sock_send(s, buf, bytes - sent < BULK_CHUNK ? (size_t)(bytes - sent) : BULK_CHUNK, 0, 0,
				     &n)) != 0)
			return fail("send", err);
	if ((err = sock_recv(s, buf, 1, 0, 0, &n)) != 0 || n != 1)
		return fail("done", err ? err : ECONNRESET);
	printf("NODE tcp_bulk_remote sender %llu %llu\n", (unsigned long long)span_busy(&sp),
	       (unsigned long long)bytes);
	sock_close(s);
	return 0;
}

/* Takes the sender's connection on l, listening since before the round trips. */
static int
bulk_receiver(mach_port_t l, uint64_t bytes)
{
	struct span sp;
	mach_port_t c;
	uint64_t got = 0;
	uint32_t ip;
	uint16_t port;
	size_t n;
	int err;

	if ((err = sock_accept(l, 0, 0, &c, &ip, &port)) != 0)
		return fail("accept", err);
	for (uint64_t w = 0; w < BULK_WARMUP; w += n)
		if ((err = sock_recv(c, buf, BULK_WARMUP - w < BULK_CHUNK ? (size_t)(BULK_WARMUP - w) : BULK_CHUNK,
				     0, 0, &n)) != 0 || n == 0)
			return fail("warm-up receive", err ? err : ECONNRESET);
	span_start(&sp);
	if ((err = sock_send(c, "g", 1, 0, 0, &n)) != 0)
		return fail("go", err);
	for (; got < bytes; got += n)
		if ((err = sock_recv(c, buf, sizeof buf, 0, 0, &n)) != 0 || n == 0)
			return fail("receive", err ? err : ECONNRESET);
	printf("NODE tcp_bulk_remote receiver %llu %llu\n", (unsigned long long)span_busy(&sp),
	       (unsigned long long)got);
	if ((err = sock_send(c, "d", 1, 0, 0, &n)) != 0)
		return fail("done", err);
	sock_recv(c, buf, 1, 0, 5000, &n);	/* the sender closes first */
	sock_close(c);
	sock_close(l);
	return 0;
}

int
main(int argc, char **argv)
{
	int bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 4 || (strcmp(argv[1], "client") != 0 && strcmp(argv[1], "server") != 0)) {
		printf("FAIL netbench: usage: netbench client|server ITERS BYTES\n");
		trap_debug_exit(0x11);
		return 2;
	}
	unsigned iters = (unsigned)strtoul(argv[2], NULL, 10);
	uint64_t bytes = strtoull(argv[3], NULL, 10);
	uint32_t server = SOCK_IP(10, 77, 0, 2);

	if (strcmp(argv[1], "client") == 0) {
		bad = rr_client(server, iters) || bulk_sender(server, bytes);
	} else {
		mach_port_t l;
		int err;
		if ((err = sock_socket(SOCK_STREAM, &l)) != 0 || (err = sock_bind(l, 0, BULK_PORT)) != 0 ||
		    (err = sock_listen(l, 1)) != 0)
			bad = fail("listen", err);
		else
			bad = rr_server() || bulk_receiver(l, bytes);
	}
	printf("NODE done\n");
	trap_debug_exit(bad ? 0x11 : 0x10);
	return bad;
}
