/*
 * The Manifold side of make bench's remote rows (remote.h says the protocol;
 * tools/bench/remote.sh boots two nodes with the e1000 driver and gns):
 *
 *   netbench client ITERS BYTES   node 1: ITERS UDP round trips, then BYTES over TCP,
 *                                 then ITERS null RPCs through a proxy, then BYTES
 *                                 as out-of-line memory in RPCs of OOL_BYTES each
 *   netbench server ITERS BYTES   node 2: the echo, the receiver, the RPC server
 *
 * Busy instructions are the rdtsc span (instructions under -icount shift=0)
 * less the kernel's halted cycles in it (kernel_stats' idle_cycles: from the
 * idle loop's hlt to the interrupt that ends it). Leaves QEMU when done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include <manifold/trap.h>
#include "measure.h"
#include "payload.h"
#include "bootstrap_client.h"
#include "ns_client.h"
#include "xipc_client.h"
#include <manifold/xipc.h>
#include "remote.h"

static uint8_t buf[BULK_CHUNK], reply[RR_SIZE];

static void prof_start(void);
static void prof_end(const char *row, const char *role, unsigned n);

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
	prof_start();
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
	prof_end("udp_rr_remote", "client", iters);
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
		if (buf[0] == RR_MEASURED && count++ == 0) {
			prof_start();
			span_start(&sp);
		}
		if (buf[0] == RR_END && count > 0) {
			printf("NODE udp_rr_remote server %llu %u\n", (unsigned long long)span_busy(&sp), count);
			prof_end("udp_rr_remote", "server", count);
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
	prof_start();
	span_start(&sp);
	for (; sent < bytes; sent += n)
		if ((err = sock_send(s, buf, bytes - sent < BULK_CHUNK ? (size_t)(bytes - sent) : BULK_CHUNK, 0, 0,
				     &n)) != 0)
			return fail("send", err);
	if ((err = sock_recv(s, buf, 1, 0, 0, &n)) != 0 || n != 1)
		return fail("done", err ? err : ECONNRESET);
	printf("NODE tcp_bulk_remote sender %llu %llu\n", (unsigned long long)span_busy(&sp),
	       (unsigned long long)bytes);
	prof_end("tcp_bulk_remote/kB", "sender", (unsigned)(bytes / 1000));
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
	prof_start();
	span_start(&sp);
	if ((err = sock_send(c, "g", 1, 0, 0, &n)) != 0)
		return fail("go", err);
	for (; got < bytes; got += n)
		if ((err = sock_recv(c, buf, sizeof buf, 0, 0, &n)) != 0 || n == 0)
			return fail("receive", err ? err : ECONNRESET);
	printf("NODE tcp_bulk_remote receiver %llu %llu\n", (unsigned long long)span_busy(&sp),
	       (unsigned long long)got);
	prof_end("tcp_bulk_remote/kB", "receiver", (unsigned)(got / 1000));
	if ((err = sock_send(c, "d", 1, 0, 0, &n)) != 0)
		return fail("done", err);
	sock_recv(c, buf, 1, 0, 5000, &n);	/* the sender closes first */
	sock_close(c);
	sock_close(l);
	return 0;
}

/*
 * `profile` as the last argument (not in make bench: the kernel's timing
 * costs every trap some 20 instructions): the RPC phase's kernel share (traps,
 * their instructions, switches) and each task's CPU time, printed as PROFILE
 * lines beside the NODE line, to see where a remote RPC's instructions go.
 */
static bool profiling;
static struct {
	uint32_t rx, tx;	/* datagrams from and to the other node (xipc_nodes) */
	struct manifold_kernel_stats st;
	struct manifold_task_summary tasks[32];
	uint32_t ntasks;
} prof;

static uint32_t
prof_tasks(struct manifold_task_summary *t, uint32_t max)
{
	mach_port_t ns, bs;
	uint32_t n = 0;
	mach_msg_type_number_t words = max * (sizeof *t / sizeof(uint32_t));

	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_lookup(ns, "/servers/bootstrap", &bs) != KERN_SUCCESS)
		return 0;
	if (bootstrap_task_list(bs, &n, (uint32_t *)t, &words) != KERN_SUCCESS)
		words = 0;
	mach_port_deallocate(mach_task_self(), bs);
	return words / (sizeof *t / sizeof(uint32_t));
}

/* Datagrams from and to the other node, as our gns counts them. */
static void
prof_datagrams(uint32_t *rx, uint32_t *tx)
{
	mach_port_t ns, gns;
	uint32_t words[8 * XIPC_NODE_WORDS], count = 0;
	mach_msg_type_number_t n = 8 * XIPC_NODE_WORDS;

	*rx = *tx = 0;
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_lookup(ns, "/servers/gns", &gns) != KERN_SUCCESS)
		return;
	if (xipc_nodes(gns, &count, words, &n) == KERN_SUCCESS)
		for (uint32_t i = 0; i < n / XIPC_NODE_WORDS; i++) {
			*rx += words[i * XIPC_NODE_WORDS + XIPC_NODE_RX];
			*tx += words[i * XIPC_NODE_WORDS + XIPC_NODE_TX];
		}
	mach_port_deallocate(mach_task_self(), gns);
}

static void
prof_start(void)
{
	if (!profiling)
		return;
	prof_datagrams(&prof.rx, &prof.tx);
	prof.ntasks = prof_tasks(prof.tasks, 32);
	trap_raw(TRAP_kernel_stats, (uint32_t)&prof.st, KSTATS_TIMING_ON, 0, 0, 0);
	trap_raw(TRAP_kernel_stats, (uint32_t)&prof.st, 0, 0, 0, 0);
}

static uint64_t
c64(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

static void
prof_end(const char *row, const char *role, unsigned n)
{
	struct manifold_kernel_stats st;
	static struct manifold_task_summary t[32];
	uint32_t nt, rx, tx;

	if (!profiling || n == 0)
		return;
	trap_raw(TRAP_kernel_stats, (uint32_t)&st, KSTATS_TIMING_OFF, 0, 0, 0);
	nt = prof_tasks(t, 32);
	prof_datagrams(&rx, &tx);
	printf("PROFILE %s %s: datagrams per 100: %u in, %u out\n", row, role,
	       (unsigned)((rx - prof.rx) * 100ull / n), (unsigned)((tx - prof.tx) * 100ull / n));
	printf("PROFILE %s %s: per 100, %u messages by the kernel's fast path\n", row, role,
	       (unsigned)((st.fastpath_hits - prof.st.fastpath_hits) * 100ull / n));
	printf("PROFILE %s %s: each %u traps, %llu insns in sends, %u switches (%llu insns)\n", row, role,
	       (st.traps - prof.st.traps) / n,
	       (unsigned long long)((c64(st.msg_send_cycles_lo, st.msg_send_cycles_hi) -
				     c64(prof.st.msg_send_cycles_lo, prof.st.msg_send_cycles_hi)) / n),
	       (st.switches - prof.st.switches) / n,
	       (unsigned long long)((c64(st.switch_cycles_lo, st.switch_cycles_hi) -
				     c64(prof.st.switch_cycles_lo, prof.st.switch_cycles_hi)) / n));
	/* the bulk rows' n is kB: fewer than one trap each, so per 100 too */
	printf("PROFILE %s %s: per 100, %u traps, %u switches\n", row, role,
	       (unsigned)((st.traps - prof.st.traps) * 100ull / n), (unsigned)((st.switches - prof.st.switches) * 100ull / n));
	for (uint32_t i = 0; i < nt; i++)
		for (uint32_t j = 0; j < prof.ntasks; j++)
			if (t[i].id == prof.tasks[j].id && t[i].cpu_ms > prof.tasks[j].cpu_ms)
				printf("PROFILE %s %s: task %s %u us each\n", row, role, t[i].name,
				       (unsigned)((t[i].cpu_ms - prof.tasks[j].cpu_ms) * 1000ull / n));
}

/* One empty RPC through port with reply right r, or its error. */
static kern_return_t
null_rpc(mach_port_t port, mach_port_t r, mach_msg_id_t id)
{
	struct {
		mach_msg_header_t h;
		mach_msg_trailer_t t;
	} m = {0};

	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_size = sizeof m.h;
	m.h.msgh_remote_port = port;
	m.h.msgh_local_port = r;
	m.h.msgh_id = id;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.h, sizeof m, r, RR_WAIT_MS,
			MACH_PORT_NULL);
}

struct ool_request {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
};

struct ool_reply {
	mach_msg_header_t h;
	uint32_t sum;
	mach_msg_trailer_t t;
};

/* One request carrying data's OOL_BYTES, copied; the server's sum of them in *sum. */
static kern_return_t
ool_rpc(mach_port_t port, mach_port_t r, mach_msg_id_t id, vm_address_t data, uint32_t *sum)
{
	union {
		struct ool_request q;
		struct ool_reply a;
	} m;
	kern_return_t kr;

	memset(&m, 0, sizeof m);
	m.q.h.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.q.h.msgh_size = sizeof m.q;
	m.q.h.msgh_remote_port = port;
	m.q.h.msgh_local_port = r;
	m.q.h.msgh_id = id;
	m.q.body.msgh_descriptor_count = 1;
	m.q.ool.address = data;
	m.q.ool.size = OOL_BYTES;
	m.q.ool.deallocate = false;
	m.q.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.q.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	kr = mach_msg(&m.q.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.q, sizeof m.a, r,
		      OOL_WAIT_MS, MACH_PORT_NULL);
	if (kr != MACH_MSG_SUCCESS)
		return kr;
	if (m.a.h.msgh_id != id + 100 || m.a.h.msgh_size != sizeof m.a.h + sizeof m.a.sum)
		return KERN_FAILURE;
	*sum = m.a.sum;
	return KERN_SUCCESS;
}

/* ool_1m_remote's sender: max(1, bytes / OOL_BYTES) transfers after the warm-up, each answer's sum checked. */
static int
ool_client(mach_port_t port, mach_port_t r, uint64_t bytes)
{
	unsigned n = bytes / OOL_BYTES ? (unsigned)(bytes / OOL_BYTES) : 1;
	vm_address_t data = 0;
	struct span sp;
	uint32_t want, got;

	if (vm_allocate(mach_task_self(), &data, OOL_BYTES, true) != KERN_SUCCESS)
		return fail("ool buffer", ENOMEM);
	payload_fill((uint32_t *)data, OOL_BYTES / 4);
	want = payload_sum((const uint32_t *)data, OOL_BYTES / 4);
	for (unsigned i = 0; i < OOL_WARMUP; i++)
		if (ool_rpc(port, r, OOL_WARM, data, &got) != KERN_SUCCESS || got != want)
			return fail("ool warm-up", EIO);
	prof_start();
	span_start(&sp);
	for (unsigned i = 0; i < n; i++)
		if (ool_rpc(port, r, OOL_MEASURED, data, &got) != KERN_SUCCESS || got != want)
			return fail("ool transfer (or its sum)", EIO);
	printf("NODE ool_1m_remote sender %llu %llu\n", (unsigned long long)span_busy(&sp),
	       (unsigned long long)n * OOL_BYTES);
	prof_end("ool_1m_remote/kB", "sender", (unsigned)((uint64_t)n * OOL_BYTES / 1000));
	null_rpc(port, r, OOL_END);
	vm_deallocate(mach_task_self(), data, OOL_BYTES);
	return 0;
}

static int
rpc_client(unsigned iters, uint64_t bytes)
{
	mach_port_t ns, port = MACH_PORT_NULL, r;
	struct span sp;
	kern_return_t kr = KERN_INVALID_NAME;

	/* the server registers its name after the TCP run: ns asks gns until then */
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return fail("no ns", EINVAL);
	for (int i = 0; i < 100 && kr != KERN_SUCCESS; i++)
		if ((kr = ns_lookup(ns, RPC_NAME, &port)) != KERN_SUCCESS)
			msg_sleep_ms(200);
	if (kr != KERN_SUCCESS)
		return fail("no " RPC_NAME, ENOENT);
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &r);
	for (unsigned i = 0; i < RPC_WARMUP; i++)
		if ((kr = null_rpc(port, r, RPC_WARM)) != KERN_SUCCESS)
			return fail("rpc warm-up", EIO);
	prof_start();
	span_start(&sp);
	for (unsigned i = 0; i < iters; i++)
		if ((kr = null_rpc(port, r, RPC_MEASURED)) != KERN_SUCCESS)
			return fail("rpc", EIO);
	printf("NODE null_rpc_remote client %llu %u\n", (unsigned long long)span_busy(&sp), iters);
	prof_end("null_rpc_remote", "client", iters);
	null_rpc(port, r, RPC_END);
	return ool_client(port, r, bytes);
}

/* A request's region summed word by word and let go; its bytes counted in *bytes when measured. */
static uint32_t
ool_take(const struct ool_request *q, bool measured, uint64_t *bytes)
{
	uint32_t sum = payload_sum((const uint32_t *)q->ool.address, q->ool.size / 4);

	vm_deallocate(mach_task_self(), (vm_address_t)q->ool.address, q->ool.size);
	if (measured)
		*bytes += q->ool.size;
	return sum;
}

static int
rpc_server(void)
{
	mach_port_t ns, p, reg;
	struct span sp, osp;
	unsigned count = 0;
	uint64_t ool_bytes = 0;
	bool answer = false; /* m holds an answer, for the next receive's call to send */
	union {
		mach_msg_header_t h;
		struct ool_request q;
		uint8_t room[128];
	} m;

	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
	    mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    ns_register(ns, RPC_NAME, p, &reg) != KERN_SUCCESS)
		return fail("register " RPC_NAME, EINVAL);
	for (;;) {
		mach_msg_id_t id;
		/* As a Mach server answers: the answer and the next receive in one call. */
		mach_msg_option_t opt = MACH_RCV_MSG | MACH_RCV_TIMEOUT | (answer ? MACH_SEND_MSG | MACH_SEND_TIMEOUT : 0);
		kern_return_t kr = mach_msg(&m.h, opt, answer ? m.h.msgh_size : 0, sizeof m, p, 60000, MACH_PORT_NULL);
		if (kr != MACH_MSG_SUCCESS && answer) { /* the answer failed (the client gone): receive alone */
			answer = false;
			continue;
		}
		answer = false;
		if (kr != MACH_MSG_SUCCESS)
			return fail("rpc receive", ETIMEDOUT);
		id = m.h.msgh_id;
		if (id == RPC_MEASURED && count++ == 0) {
			prof_start();
			span_start(&sp);
		}
		if (id == OOL_WARM || id == OOL_MEASURED) {
			if (!(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) || m.q.body.msgh_descriptor_count != 1 ||
			    m.q.ool.type != MACH_MSG_OOL_DESCRIPTOR || m.q.ool.size != OOL_BYTES)
				return fail("ool request", EINVAL);
			/* the answer: read every word, let the region go */
			*(uint32_t *)(&m.h + 1) = ool_take(&m.q, id == OOL_MEASURED, &ool_bytes);
		}
		if (id == OOL_END) {
			printf("NODE ool_1m_remote receiver %llu %llu\n", (unsigned long long)span_busy(&osp),
			       (unsigned long long)ool_bytes);
			prof_end("ool_1m_remote/kB", "receiver", (unsigned)(ool_bytes / 1000));
		}
		if (id == RPC_END) {
			printf("NODE null_rpc_remote server %llu %u\n", (unsigned long long)span_busy(&sp), count);
			prof_end("null_rpc_remote", "server", count);
		}
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), 0);
		m.h.msgh_size = sizeof m.h + (id == OOL_WARM || id == OOL_MEASURED ? sizeof(uint32_t) : 0);
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id = id + 100;
		if (id != OOL_WARM && id != OOL_END) {
			answer = true;
			continue;
		}
		/* sent alone: the measured span starts once the warm-up's answer is sent
		 * (idle left out) and before the first measured request's receive */
		mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, m.h.msgh_size, 0, MACH_PORT_NULL, RR_WAIT_MS,
			 MACH_PORT_NULL);
		if (id == OOL_WARM) {
			prof_start();
			span_start(&osp);
		}
		if (id == OOL_END)	/* the last phase's end */
			break;
	}
	msg_sleep_ms(1000);	/* the last reply crosses before the node leaves */
	return 0;
}

int
main(int argc, char **argv)
{
	int bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc != 4 && (argc != 5 || strcmp(argv[4], "profile") != 0)) ||
	    (strcmp(argv[1], "client") != 0 && strcmp(argv[1], "server") != 0)) {
		printf("FAIL netbench: usage: netbench client|server ITERS BYTES [profile]\n");
		trap_debug_exit(0x11);
		return 2;
	}
	profiling = argc == 5;
	unsigned iters = (unsigned)strtoul(argv[2], NULL, 10);
	uint64_t bytes = strtoull(argv[3], NULL, 10);
	uint32_t server = SOCK_IP(10, 77, 0, 2);

	if (strcmp(argv[1], "client") == 0) {
		bad = rr_client(server, iters) || bulk_sender(server, bytes) || rpc_client(iters, bytes);
	} else {
		mach_port_t l;
		int err;
		if ((err = sock_socket(SOCK_STREAM, &l)) != 0 || (err = sock_bind(l, 0, BULK_PORT)) != 0 ||
		    (err = sock_listen(l, 1)) != 0)
			bad = fail("listen", err);
		else
			bad = rr_server() || bulk_receiver(l, bytes) || rpc_server();
	}
	printf("NODE done\n");
	trap_debug_exit(bad ? 0x11 : 0x10);
	return bad;
}
