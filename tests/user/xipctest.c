/*
 * The xipc suite's program (tests/xipc/run.py), one binary in two roles:
 *
 *   xipctest serve    on node 1: registers /cluster/echo (the echo server's
 *                     port), /cluster/task and /cluster/thread (its own), fills
 *                     a page the client reads and writes, and waits
 *   xipctest relay    on node 3 (behind a wirefilter: loss, duplication,
 *                     reordering): registers /cluster/relay, uses a right node 2
 *                     sends it (node 1's echo) and answers with what it got;
 *                     counts the calls of the lossy RPC case
 *   xipctest client [rpcs=N]  on node 2: finds those names through gns (xipc_resolve)
 *                     and uses them through proxies: RPCs with replies, rights
 *                     passed both ways, 1 MiB out of line, 16 MiB in one
 *                     message both ways (xipc_bulk.h), the kernel's task
 *                     interface on the remote task, a forged identity, 2,000
 *                     hostile messages, the home node frozen by the host for
 *                     1.5 s (no death), and its death (dead names)
 *
 * Both roles are the same ELF, so `page` is at the same address on both
 * nodes: the client knows where to vm_read the server's page.
 * The client prints `ok N - xipc: name` lines and `xipc-client: N passed, N failed`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/notify.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include <manifold/xipc.h>
#include "echo_client.h"
#include "ns_client.h"
#include "xipc_client.h"

#define ME mach_task_self()
#define PAGE 4096
#define OOL_SIZE (1u << 20)
#define RPCS 200

static uint8_t page[PAGE] __attribute__((aligned(PAGE)));
static int passed, failed;
static mach_port_t ns, gns;

static void
check(const char *name, bool ok, const char *why)
{
	if (ok)
		printf("ok %d - xipc: %s\n", passed + failed + 1, name);
	else
		printf("not ok %d - xipc: %s: %s\n", passed + failed + 1, name, why);
	ok ? passed++ : failed++;
}

static uint64_t
now_ms(void)
{
	uint64_t ns_ = 0;

	trap_clock_uptime(&ns_);
	return ns_ / 1000000;
}

/* The page's contents as the server fills it; the client checks them. */
static uint8_t
pattern(uint32_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void
publish(const char *name, mach_port_t port)
{
	mach_port_t reg;

	if (ns_register(ns, name, port, &reg) != KERN_SUCCESS)
		printf("xipctest: cannot register %s\n", name);
}

static kern_return_t resolve(const char *name, mach_port_t *port);

#include "xipc_bulk.h"
#include "xipc_semantics.h"
#include "xipc_tables.h"

static int
serve(void)
{
	mach_port_t echo;

	for (uint32_t i = 0; i < PAGE; i++)
		page[i] = pattern(i);
	if (ns_wait(ns, "/servers/echo", 10000, &echo) != KERN_SUCCESS) {
		printf("xipctest: no /servers/echo\n");
		return 1;
	}
	publish("/cluster/echo", echo);
	publish("/cluster/task", ME);
	publish("/cluster/thread", mach_thread_self());
	printf("xipctest: serving /cluster/echo, /cluster/task, /cluster/thread\n");
	keeper();
	return 0;
}

/* What the relay (node 3) is sent and answers: a right to use, and what using it gave. */
#define RELAY_ASK 9100
struct relay_ask {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t echo;
};
struct relay_answer {
	mach_msg_header_t h;
	int32_t kr;
	char text[64];
};

/*
 * Node 3's part in the no-senders cases: RELAY_HOLD keeps the right it is
 * sent (a send right to node 1's port, through our own proxy), RELAY_LETGO
 * lets it go. True if h was one of them (answered and consumed).
 */
static bool
relay_hold(mach_msg_header_t *h)
{
	static mach_port_t held = MACH_PORT_NULL;
	struct keep_req *req = (struct keep_req *)h;

	int answer = 0;

	if ((h->msgh_id < RELAY_HOLD || h->msgh_id > RELAY_WHERE) || h->msgh_size < sizeof *req ||
	    !(h->msgh_bits & MACH_MSGH_BITS_COMPLEX) || req->body.msgh_descriptor_count != 1)
		return false;
	if (h->msgh_id == RELAY_SEND) {
		for (int i = 0; i < MOVE_EACH && MACH_PORT_VALID(held); i++)
			send_empty_id(held, RELAY_ID + i);
		answer = MACH_PORT_VALID(held) ? 0 : -1;
	} else if (h->msgh_id == RELAY_WHERE) {
		uint32_t node = 0, number, hi, lo;
		/* xipc_export takes a send right: a copy of ours */
		if (MACH_PORT_VALID(held) && mach_port_mod_refs(ME, held, MACH_PORT_RIGHT_SEND, 1) == KERN_SUCCESS &&
		    xipc_export(gns, held, &node, &number, &hi, &lo) != KERN_SUCCESS)
			node = 0;
		answer = (int)node;
	} else if (h->msgh_id == RELAY_HOLD && MACH_PORT_VALID(req->right.name) && !MACH_PORT_VALID(held)) {
		held = req->right.name;
		req->right.name = MACH_PORT_NULL;
	} else if (h->msgh_id == RELAY_LETGO && MACH_PORT_VALID(held)) {
		mach_port_deallocate(ME, held);
		held = MACH_PORT_NULL;
	}
	if (h->msgh_id == RELAY_HOLD || h->msgh_id == RELAY_LETGO)
		printf("xipctest: relay: %s\n", h->msgh_id == RELAY_HOLD ? "holding a right" : "let the right go");
	keep_answer(h, answer, MACH_PORT_NULL, 0);
	h->msgh_remote_port = MACH_PORT_NULL;
	h->msgh_bits &= ~(mach_msg_bits_t)MACH_MSGH_BITS_REMOTE_MASK;
	mach_msg_destroy(h);
	return true;
}

/*
 * The lossy RPC case's server: each COUNT_ASK is answered with its own
 * sequence number and how many COUNT_ASKs came so far, so the caller sees a
 * request delivered twice (the count runs ahead) or lost (no answer).
 */
#define COUNT_ASK 9120
struct count_msg {
	mach_msg_header_t h;
	uint32_t seq, count;
};

static bool
relay_count(mach_msg_header_t *h)
{
	static uint32_t count;
	struct count_msg *in = (struct count_msg *)h, out;

	if (h->msgh_id != COUNT_ASK || h->msgh_size != sizeof *in || (h->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return false;
	memset(&out, 0, sizeof out);
	out.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(h->msgh_bits), 0);
	out.h.msgh_size = sizeof out;
	out.h.msgh_remote_port = h->msgh_remote_port;
	out.h.msgh_id = COUNT_ASK + 100;
	out.seq = in->seq;
	out.count = ++count;
	mach_msg(&out.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof out, 0, MACH_PORT_NULL, 2000, MACH_PORT_NULL);
	return true;
}

/*
 * Node 2: rpcs calls to node 3's counter, one after another, through the
 * wirefilter. Each must be answered exactly once and in order: its own
 * sequence number back, and the server's count one more than the last.
 */
static void
lossy_case(uint32_t rpcs)
{
	mach_port_t relay_port = MACH_PORT_NULL, reply;
	union {
		struct count_msg m;
		uint8_t room[256];
	} u;
	uint32_t good = 0, first_bad = 0, base = 0;
	uint32_t out0 = gns_stat(XIPC_STAT_DIRECT_OUT), in0 = gns_stat(XIPC_STAT_DIRECT_IN), out, in;
	uint64_t t0 = now_ms();
	kern_return_t kr;
	char why[160] = "";

	kr = resolve("/cluster/relay", &relay_port);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply);
	for (uint32_t i = 0; kr == KERN_SUCCESS && i < rpcs; i++) {
		memset(&u, 0, sizeof u);
		u.m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		u.m.h.msgh_size = sizeof u.m;
		u.m.h.msgh_remote_port = relay_port;
		u.m.h.msgh_local_port = reply;
		u.m.h.msgh_id = COUNT_ASK;
		u.m.seq = i;
		kr = mach_msg(&u.m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof u.m, sizeof u, reply, 20000,
			      MACH_PORT_NULL);
		if (kr != KERN_SUCCESS)
			break;
		if (i == 0)
			base = u.m.count - 1;	/* calls of an earlier run of the case, if any */
		if (u.m.h.msgh_id == COUNT_ASK + 100 && u.m.seq == i && u.m.count == base + i + 1)
			good++;
		else if (!first_bad)
			first_bad = i + 1;
	}
	snprintf(why, sizeof why, "kr %#x, %u of %u answered once and in order (first wrong: %u), %u ms", kr, good, rpcs,
		 first_bad ? first_bad - 1 : 0, (unsigned)(now_ms() - t0));
	printf("xipctest: lossy rpcs: %s\n", why);
	check("rpcs_through_loss_duplication_and_reordering_each_answered_once_in_order",
	      kr == KERN_SUCCESS && good == rpcs, why);
	/*
	 * Each request went once at least, each reply came once at least: all but
	 * a peer's datagram every 10 s (lwIP's, for its ARP entry) beside lwIP
	 * (gns's udp_direct.c), whatever the wire did to them.
	 */
	out = gns_stat(XIPC_STAT_DIRECT_OUT) - out0;
	in = gns_stat(XIPC_STAT_DIRECT_IN) - in0;
	snprintf(why, sizeof why, "%u datagrams out and %u in beside lwIP for %u rpcs", out, in, rpcs);
	printf("xipctest: %s\n", why);
	check("the_transports_datagrams_pass_beside_lwip", out >= rpcs * 9 / 10 && in >= rpcs * 9 / 10, why);
	mach_port_destroy(ME, reply);
	if (MACH_PORT_VALID(relay_port))
		mach_port_deallocate(ME, relay_port);
}

/*
 * Node 3: takes a send right from node 2 (node 1's echo, as node 2 holds it:
 * a proxy) and calls through it, which goes from node 3 to node 1 directly;
 * answers node 2 with what echo said.
 */
static int
relay(void)
{
	mach_port_t port, reg;
	union {
		struct relay_ask ask;
		uint8_t room[512];
	} in;
	struct relay_answer out;
	uint32_t count;
	char text[256];

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port);
	mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND);
	if (ns_register(ns, "/cluster/relay", port, &reg) != KERN_SUCCESS) {
		printf("xipctest: cannot register /cluster/relay\n");
		return 1;
	}
	printf("xipctest: relaying on /cluster/relay\n");
	for (;;) {
		if (mach_msg(&in.ask.h, MACH_RCV_MSG, 0, sizeof in, port, 0, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		if (relay_hold(&in.ask.h) || relay_count(&in.ask.h))
			continue;
		memset(&out, 0, sizeof out);
		if (in.ask.h.msgh_id != RELAY_ASK || !(in.ask.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
		    in.ask.body.msgh_descriptor_count != 1 || in.ask.echo.type != MACH_MSG_PORT_DESCRIPTOR) {
			mach_msg_destroy(&in.ask.h);
			continue;
		}
		out.kr = echo_text(in.ask.echo.name, "via node 3", text, &count);
		if (out.kr == KERN_SUCCESS)
			strncpy(out.text, text, sizeof out.text - 1);
		printf("xipctest: relay: the right from node 2 answered %#x '%s'\n", (unsigned)out.kr, out.text);
		/* the right is kept: node 3's proxy of node 1's port stays for the suite to see (`nodes`) */
		out.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in.ask.h.msgh_bits), 0);
		out.h.msgh_size = sizeof out;
		out.h.msgh_remote_port = in.ask.h.msgh_remote_port;
		out.h.msgh_id = RELAY_ASK + 100;
		mach_msg(&out.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof out, 0, MACH_PORT_NULL, 2000, MACH_PORT_NULL);
	}
}

/* A name from another node, tried for up to 60 s while the nodes find each other. */
static kern_return_t
resolve(const char *name, mach_port_t *port)
{
	uint64_t until = now_ms() + 60000;
	mach_msg_type_name_t type;
	kern_return_t kr;

	do {
		kr = xipc_resolve(gns, name, 2000, port, &type);
		if (kr == KERN_SUCCESS)
			return kr;
		msg_sleep_ms(200);
	} while (now_ms() < until);
	return kr;
}

static void
rpc_cases(mach_port_t echo)
{
	char reply[256], text[64], why[128] = "";
	uint32_t count;
	kern_return_t kr;
	int good = 0;

	kr = echo_text(echo, "hello across the cluster", reply, &count);
	snprintf(why, sizeof why, "kr %#x, reply '%s'", kr, kr == KERN_SUCCESS ? reply : "");
	check("an_rpc_through_a_proxy_gets_its_reply", kr == KERN_SUCCESS && strcmp(reply, "hello across the cluster") == 0,
	      why);
	for (int i = 0; i < RPCS; i++) {
		snprintf(text, sizeof text, "message %d", i);
		if (echo_text(echo, text, reply, &count) == KERN_SUCCESS && strcmp(reply, text) == 0)
			good++;
	}
	snprintf(why, sizeof why, "%d of %d answered right", good, RPCS);
	check("200_rpcs_each_answered_with_their_own_text", good == RPCS, why);
}

static void
rights_cases(mach_port_t echo)
{
	mach_port_t mine, same = MACH_PORT_NULL;
	kern_return_t kr;
	char why[128];
	struct {
		mach_msg_header_t h;
		mach_msg_trailer_t t;
	} m = {0};

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &mine);
	mach_port_insert_right(ME, mine, mine, MACH_MSG_TYPE_MAKE_SEND);
	kr = echo_port(echo, mine, &same);
	snprintf(why, sizeof why, "kr %#x, sent %#x, got %#x", kr, mine, same);
	check("a_send_right_sent_across_and_back_is_the_same_port", kr == KERN_SUCCESS && same == mine, why);
	/* and it works: a message to it arrives on our receive right */
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.h.msgh_size = sizeof m.h;
	m.h.msgh_remote_port = same;
	m.h.msgh_id = 4242;
	kr = mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m.h, 0, 0, 1000, 0);
	if (kr == KERN_SUCCESS)
		kr = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, mine, 1000, 0);
	check("the_right_that_came_back_reaches_our_port", kr == KERN_SUCCESS && m.h.msgh_id == 4242, "not received");
	if (MACH_PORT_VALID(same))
		mach_port_deallocate(ME, same);
	mach_port_destroy(ME, mine);

	same = MACH_PORT_NULL;
	kr = echo_port(echo, echo, &same);
	snprintf(why, sizeof why, "kr %#x, sent %#x, got %#x", kr, echo, same);
	check("a_proxy_sent_home_and_back_is_the_same_proxy", kr == KERN_SUCCESS && same == echo, why);
	if (MACH_PORT_VALID(same))
		mach_port_deallocate(ME, same);
}

static void
ool_case(mach_port_t echo)
{
	vm_address_t buf = 0;
	uint8_t *copy = NULL;
	mach_msg_type_number_t n = 0;
	uint64_t sent, got = 0;
	kern_return_t kr;
	char why[128];

	vm_allocate(ME, &buf, OOL_SIZE, TRUE);
	for (uint32_t i = 0, x = 0x2545f491; i < OOL_SIZE; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		((uint8_t *)buf)[i] = (uint8_t)x;
	}
	sent = fnv1a((uint8_t *)buf, OOL_SIZE);
	kr = echo_data(echo, (uint8_t *)buf, OOL_SIZE, &copy, &n);
	if (kr == KERN_SUCCESS)
		got = fnv1a(copy, n);
	snprintf(why, sizeof why, "kr %#x, %u bytes back, fnv %016llx vs %016llx", kr, n, (unsigned long long)got,
		 (unsigned long long)sent);
	printf("xipctest: 1 MiB out of line: sent fnv1a %016llx, came back %u bytes fnv1a %016llx\n",
	       (unsigned long long)sent, n, (unsigned long long)got);
	check("1_mib_out_of_line_crosses_both_ways_intact", kr == KERN_SUCCESS && n == OOL_SIZE && got == sent, why);
	if (kr == KERN_SUCCESS)
		vm_deallocate(ME, (vm_address_t)copy, n);
	vm_deallocate(ME, buf, OOL_SIZE);
}

static void
task_cases(mach_port_t task, mach_port_t thread)
{
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0, sn = i386_THREAD_STATE_COUNT;
	i386_thread_state_t st;
	kern_return_t kr, kr2;
	bool same = true;
	char why[128];
	uint8_t mine[PAGE];

	kr = vm_read(task, (vm_address_t)page, PAGE, &data, &n);
	for (uint32_t i = 0; kr == KERN_SUCCESS && i < PAGE && n == PAGE; i++)
		if (((uint8_t *)data)[i] != pattern(i))
			same = false;
	snprintf(why, sizeof why, "kr %#x, %u bytes", kr, n);
	check("vm_read_of_a_task_on_another_node", kr == KERN_SUCCESS && n == PAGE && same, why);
	if (kr == KERN_SUCCESS)
		vm_deallocate(ME, data, n);

	for (uint32_t i = 0; i < PAGE; i++)
		mine[i] = (uint8_t)(255 - pattern(i));
	kr = vm_write(task, (vm_address_t)page, (vm_offset_t)mine, PAGE);
	kr2 = vm_read(task, (vm_address_t)page, PAGE, &data, &n);
	same = kr2 == KERN_SUCCESS && n == PAGE && memcmp((void *)data, mine, PAGE) == 0;
	snprintf(why, sizeof why, "write kr %#x, read kr %#x", kr, kr2);
	check("vm_write_to_a_task_on_another_node_reads_back", kr == KERN_SUCCESS && same, why);
	if (kr2 == KERN_SUCCESS)
		vm_deallocate(ME, data, n);

	kr = task_suspend(task);
	memset(&st, 0, sizeof st);
	kr2 = thread_get_state(thread, i386_THREAD_STATE, (natural_t *)&st, &sn);
	snprintf(why, sizeof why, "suspend %#x, get_state %#x, eip %#x", kr, kr2, st.eip);
	check("task_suspend_and_thread_get_state_on_another_node", kr == KERN_SUCCESS && kr2 == KERN_SUCCESS &&
	      sn == i386_THREAD_STATE_COUNT && st.eip != 0 && st.esp != 0, why);
	kr = task_resume(task);
	check("task_resume_on_another_node", kr == KERN_SUCCESS, "task_resume failed");
}

static void
forged_case(mach_port_t echo)
{
	uint32_t node = 0, number = 0, hi = 0, lo = 0, count;
	mach_port_t forged = MACH_PORT_NULL;
	kern_return_t kr, kr2 = 0, kr3;
	mach_msg_type_name_t type;
	char reply[256], why[160];

	kr = xipc_export(gns, echo, &node, &number, &hi, &lo);	/* a proxy gives the identity it stands for */
	if (kr == KERN_SUCCESS)
		kr2 = xipc_import(gns, node, number, hi, lo ^ 1, &forged, &type);
	snprintf(why, sizeof why, "export %#x (node %u number %u), import %#x", kr, node, number, kr2);
	check("a_proxy_names_its_home_identity", kr == KERN_SUCCESS && node == 1 && number != 0 && kr2 == KERN_SUCCESS &&
	      forged != echo, why);
	if (kr != KERN_SUCCESS || kr2 != KERN_SUCCESS)
		return;
	kr = echo_text(forged, "forged", reply, &count);
	msg_sleep_ms(500);	/* the home's NAK kills the proxy */
	kr3 = echo_text(forged, "forged again", reply, &count);
	snprintf(why, sizeof why, "first %#x, second %#x", kr, kr3);
	printf("xipctest: forged identity refused: first call %#x, second %#x\n", kr, kr3);
	check("a_forged_identity_gets_no_answer_and_its_proxy_dies", kr != KERN_SUCCESS &&
	      kr3 == MACH_SEND_INVALID_DEST, why);
	mach_port_deallocate(ME, forged);
	kr = echo_text(echo, "still fine", reply, &count);
	check("the_true_identity_still_works", kr == KERN_SUCCESS && strcmp(reply, "still fine") == 0, "");
}

/*
 * 2,000 messages a hostile client could send to a proxy: any id, inline sizes
 * up to past what gns carries, descriptors of every kind (our own send and
 * receive rights, dead names, out-of-line regions, port arrays, more
 * descriptors than a home decodes), some with a reply right. gns carries or
 * refuses each; the echo server refuses them on node 1. After them an RPC
 * must still be answered, and every reply that came back drained.
 */
static uint32_t fuzz_x = 0x1234567;

static uint32_t
fuzz_rand(void)
{
	fuzz_x ^= fuzz_x << 13, fuzz_x ^= fuzz_x >> 17, fuzz_x ^= fuzz_x << 5;
	return fuzz_x;
}

static void
fuzz_case(mach_port_t echo)
{
	static uint32_t buf[(20000 + 1024) / 4];
	mach_port_t reply, extra;
	int sent = 0, refused = 0, replies = 0;
	kern_return_t kr;
	char text[256], why[128];
	uint32_t count;

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply);
	for (int i = 0; i < 2000; i++) {
		mach_msg_header_t *h = (mach_msg_header_t *)buf;
		uint32_t ndesc = fuzz_rand() % 4 == 0 ? fuzz_rand() % 80 : 0;
		uint32_t inline_bytes = (fuzz_rand() % 8 == 0 ? fuzz_rand() % 18000 : fuzz_rand() % 64) & ~3u;
		mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)((mach_msg_body_t *)(h + 1) + 1);
		vm_address_t regions[80];
		vm_size_t sizes[80];
		int nregions = 0;

		memset(buf, 0, sizeof buf);
		h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, fuzz_rand() % 2 ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0);
		h->msgh_remote_port = echo;
		h->msgh_local_port = MACH_MSGH_BITS_LOCAL(h->msgh_bits) ? reply : MACH_PORT_NULL;
		h->msgh_id = (mach_msg_id_t)(fuzz_rand() % 3 ? 6000 + fuzz_rand() % 8 : fuzz_rand());
		if (ndesc) {
			h->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
			((mach_msg_body_t *)(h + 1))->msgh_descriptor_count = ndesc;
		}
		for (uint32_t j = 0; j < ndesc; j++, d++) {
			switch (fuzz_rand() % 5) {
			case 0:	/* a new receive right of ours, moved */
				mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &extra);
				d->port.name = extra;
				d->port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
				d->port.type = MACH_MSG_PORT_DESCRIPTOR;
				break;
			case 1:	/* a send-once right to our reply port */
				d->port.name = reply;
				d->port.disposition = MACH_MSG_TYPE_MAKE_SEND_ONCE;
				d->port.type = MACH_MSG_PORT_DESCRIPTOR;
				break;
			case 2:	/* a dead name, or null */
				d->port.name = fuzz_rand() % 2 ? MACH_PORT_DEAD : MACH_PORT_NULL;
				d->port.disposition = MACH_MSG_TYPE_COPY_SEND;
				d->port.type = MACH_MSG_PORT_DESCRIPTOR;
				break;
			case 3: {	/* out of line, up to 64 KiB */
				vm_address_t a = 0;
				vm_size_t n = fuzz_rand() % 65536;
				if (n && vm_allocate(ME, &a, n, TRUE) == KERN_SUCCESS) {
					memset((void *)a, (int)fuzz_rand(), n);
					sizes[nregions] = n;
					regions[nregions++] = a;
				} else {
					n = 0;
				}
				d->out_of_line.address = a;
				d->out_of_line.size = (mach_msg_size_t)n;
				d->out_of_line.copy = MACH_MSG_VIRTUAL_COPY;
				d->out_of_line.type = MACH_MSG_OOL_DESCRIPTOR;
				break;
			}
			default:	/* a port array: our proxy twice */
				d->ool_ports.address = (vm_address_t)&buf[sizeof buf / sizeof buf[0] - 4];
				buf[sizeof buf / sizeof buf[0] - 4] = echo;
				buf[sizeof buf / sizeof buf[0] - 3] = echo;
				d->ool_ports.count = 2;
				d->ool_ports.disposition = MACH_MSG_TYPE_COPY_SEND;
				d->ool_ports.copy = MACH_MSG_PHYSICAL_COPY;
				d->ool_ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
				break;
			}
		}
		h->msgh_size = (mach_msg_size_t)((uint8_t *)d - (uint8_t *)h) + inline_bytes;
		if (!ndesc)
			h->msgh_size = sizeof *h + inline_bytes;
		kr = mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, h->msgh_size, 0, MACH_PORT_NULL, 2000, MACH_PORT_NULL);
		if (kr == MACH_MSG_SUCCESS)
			sent++;
		else
			refused++;	/* the kernel's own refusal (too large, ...): rights stay ours */
		for (int r = 0; r < nregions; r++)
			vm_deallocate(ME, regions[r], sizes[r]);
		/* drain what came back meanwhile: error replies, send-once notifications */
		for (;;) {
			if (mach_msg((mach_msg_header_t *)buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0, sizeof buf,
				     reply, 0, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
				break;
			mach_msg_destroy((mach_msg_header_t *)buf);
			replies++;
		}
	}
	msg_sleep_ms(500);
	while (mach_msg((mach_msg_header_t *)buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof buf, reply, 200,
			MACH_PORT_NULL) == MACH_MSG_SUCCESS) {
		mach_msg_destroy((mach_msg_header_t *)buf);
		replies++;
	}
	mach_port_destroy(ME, reply);
	printf("xipctest: 2000 hostile messages to a proxy: %d sent, %d refused by the kernel, %d replies or notifications back\n",
	       sent, refused, replies);
	kr = echo_text(echo, "after the storm", text, &count);
	snprintf(why, sizeof why, "kr %#x after %d sent", kr, sent);
	check("2000_hostile_messages_to_a_proxy_leave_it_answering", sent > 1000 && kr == KERN_SUCCESS &&
	      strcmp(text, "after the storm") == 0, why);
}

/*
 * A right passed A -> B -> C and used by C: node 1's echo, from node 2 to
 * node 3's relay (name: the case's; the freeze case asks again, node 3's
 * proxy of that identity idle meanwhile: shared, it is the same proxy).
 */
static void
relay_case(mach_port_t echo, const char *name)
{
	mach_port_t relay_port = MACH_PORT_NULL, reply;
	union {
		struct relay_ask ask;
		struct relay_answer answer;
		uint8_t room[512];
	} m;
	kern_return_t kr;
	char why[128];

	kr = resolve("/cluster/relay", &relay_port);
	if (kr != KERN_SUCCESS) {
		snprintf(why, sizeof why, "no /cluster/relay: kr %#x", kr);
		check(name, false, why);
		return;
	}
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply);
	memset(&m, 0, sizeof m);
	m.ask.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) | MACH_MSGH_BITS_COMPLEX;
	m.ask.h.msgh_size = sizeof m.ask;
	m.ask.h.msgh_remote_port = relay_port;
	m.ask.h.msgh_local_port = reply;
	m.ask.h.msgh_id = RELAY_ASK;
	m.ask.body.msgh_descriptor_count = 1;
	m.ask.echo.name = echo;
	m.ask.echo.disposition = MACH_MSG_TYPE_COPY_SEND;
	m.ask.echo.type = MACH_MSG_PORT_DESCRIPTOR;
	kr = mach_msg(&m.ask.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.ask, sizeof m, reply, 20000,
		      MACH_PORT_NULL);
	snprintf(why, sizeof why, "kr %#x, id %d, echo's kr %#x, text '%.64s'", kr, m.answer.h.msgh_id,
		 kr == KERN_SUCCESS ? (unsigned)m.answer.kr : 0u, kr == KERN_SUCCESS ? m.answer.text : "");
	check(name, kr == KERN_SUCCESS &&
	      m.answer.h.msgh_id == RELAY_ASK + 100 && m.answer.kr == KERN_SUCCESS &&
	      strcmp(m.answer.text, "via node 3") == 0, why);
	printf("xipctest: relay case done\n");
	mach_port_destroy(ME, reply);
	mach_port_deallocate(ME, relay_port);
}

/*
 * A starved node is no dead one: the host stops node 1's QEMU (SIGSTOP) for
 * about 1.5 s while we call it through our proxy, 20 ms apart, then lets it
 * go on. The call it froze is answered late, every later one at once, and
 * no node declares node 1 dead (the host checks every console): our proxy
 * never becomes a dead name. Done once a call took a second or more and
 * FREEZE_AFTER_MS of calls followed it (or after FREEZE_WAIT_MS: the host
 * froze nothing).
 */
#define FREEZE_AFTER_MS 4000
#define FREEZE_WAIT_MS 60000

static void
freeze_case(mach_port_t echo)
{
	mach_port_t notify, prev;
	struct {
		mach_dead_name_notification_t n;
		uint8_t room[64];
	} m;
	uint64_t t0, t, t_long = 0, longest = 0;
	uint32_t calls = 0, count;
	kern_return_t kr = KERN_SUCCESS, nkr = MACH_RCV_TIMED_OUT;
	char reply[256], why[160];

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify);
	mach_port_request_notification(ME, echo, MACH_NOTIFY_DEAD_NAME, 1, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	printf("xipctest: ready for node 1 to freeze\n");
	for (t0 = now_ms(); now_ms() - t0 < FREEZE_WAIT_MS && (!t_long || now_ms() - t_long < FREEZE_AFTER_MS);) {
		t = now_ms();
		kr = echo_text(echo, "frozen?", reply, &count);
		t = now_ms() - t;
		calls++;
		if (kr != KERN_SUCCESS)
			break;
		if (t > longest)
			longest = t;
		if (t >= 1000 && !t_long)
			t_long = now_ms();
		/* the pause between calls, and a dead-name notification if one comes */
		nkr = mach_msg(&m.n.not_header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, notify, 20, 0);
		if (nkr != MACH_RCV_TIMED_OUT)
			break;
	}
	snprintf(why, sizeof why, "%u calls, the last kr %#x, longest %u ms, dead-name notification %s", calls, kr,
		 (unsigned)longest, nkr == MACH_RCV_TIMED_OUT ? "none" : "came");
	printf("xipctest: freeze: %s\n", why);
	check("calls_through_a_proxy_of_a_node_frozen_for_1_5_s_are_answered_after_it_thaws",
	      kr == KERN_SUCCESS && nkr == MACH_RCV_TIMED_OUT && longest >= 1000, why);
	/* node 3 held its proxy of node 1's echo all along, idle: it answers still */
	relay_case(echo, "node3s_idle_proxy_of_the_frozen_node1_answers_after_it_thaws");
	/* death_case asks its own notification */
	if (mach_port_request_notification(ME, echo, MACH_NOTIFY_DEAD_NAME, 1, MACH_PORT_NULL,
					   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) == KERN_SUCCESS && MACH_PORT_VALID(prev))
		mach_port_deallocate(ME, prev);
	mach_port_destroy(ME, notify);
}

static void
death_case(mach_port_t echo)
{
	mach_port_t notify, prev, p;
	struct {
		mach_dead_name_notification_t n;
		uint8_t room[64];
	} m;
	uint64_t t0;
	kern_return_t kr;
	char reply[256], why[128];
	uint32_t count;

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify);
	kr = mach_port_request_notification(ME, echo, MACH_NOTIFY_DEAD_NAME, 1, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	printf("xipctest: ready for node 1 to die\n");
	t0 = now_ms();
	kr = mach_msg(&m.n.not_header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, notify, 30000, 0);
	snprintf(why, sizeof why, "kr %#x, id %d", kr, kr == KERN_SUCCESS ? m.n.not_header.msgh_id : 0);
	printf("xipctest: dead-name notification %u ms after the ready line\n", (unsigned)(now_ms() - t0));
	check("the_home_nodes_death_makes_its_proxy_a_dead_name", kr == KERN_SUCCESS &&
	      m.n.not_header.msgh_id == MACH_NOTIFY_DEAD_NAME && m.n.not_port == echo, why);
	kr = echo_text(echo, "anyone?", reply, &count);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("a_call_to_the_dead_proxy_fails_at_once", kr == MACH_SEND_INVALID_DEST, why);
	kr = ns_lookup(ns, "/cluster/echo", &p);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("ns_forgets_the_dead_nodes_name", kr == KERN_INVALID_NAME, why);
	mach_port_destroy(ME, notify);
}

static int
client(uint32_t rpcs)
{
	mach_port_t echo = MACH_PORT_NULL, task = MACH_PORT_NULL, thread = MACH_PORT_NULL, p;
	mach_msg_type_name_t type;
	kern_return_t kr;
	char why[64];

	kr = resolve("/cluster/echo", &echo);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("a_cluster_name_on_another_node_resolves_to_a_proxy", kr == KERN_SUCCESS, why);
	if (kr != KERN_SUCCESS)
		goto done;
	kr = xipc_resolve(gns, "/cluster/nobody", 1000, &p, &type);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("a_cluster_name_nobody_holds_is_not_found", kr == XIPC_E_NOT_FOUND, why);
	kr = xipc_resolve(gns, "/servers/echo", 1000, &p, &type);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("a_node_local_name_is_not_asked_across", kr == XIPC_E_INVALID, why);
	kr = ns_lookup(ns, "/cluster/echo", &p);
	snprintf(why, sizeof why, "kr %#x, port %#x, proxy %#x", kr, p, echo);
	check("ns_asks_gns_for_a_cluster_name_it_lacks_and_gives_the_same_proxy", kr == KERN_SUCCESS && p == echo, why);
	if (kr == KERN_SUCCESS)
		mach_port_deallocate(ME, p);
	kr = ns_lookup(ns, "/cluster/nobody", &p);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("ns_says_invalid_name_for_a_cluster_name_nobody_holds", kr == KERN_INVALID_NAME, why);
	rpc_cases(echo);
	rights_cases(echo);
	ool_case(echo);
	kr = ns_lookup(ns, "/cluster/task", &task);	/* through ns, which asks gns */
	if (kr == KERN_SUCCESS)
		kr = resolve("/cluster/thread", &thread);
	snprintf(why, sizeof why, "kr %#x", kr);
	check("a_remote_task_and_thread_port_resolve", kr == KERN_SUCCESS, why);
	if (kr == KERN_SUCCESS)
		task_cases(task, thread);
	relay_case(echo, "a_right_passed_from_node1_via_node2_is_used_by_node3");
	semantics_cases();
	lossy_case(rpcs);
	tables_case();
	forged_case(echo);
	fuzz_case(echo);
	freeze_case(echo);
	death_case(echo);
done:
	printf("xipc-client: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}

int
main(int argc, char **argv)
{
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/gns", 30000, &gns) != KERN_SUCCESS) {
		printf("xipctest: no ns or gns\n");
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return serve();
	if (argc > 1 && strcmp(argv[1], "client") == 0)
		return client(argc > 2 && strncmp(argv[2], "rpcs=", 5) == 0 ? (uint32_t)strtoul(argv[2] + 5, NULL, 10)
									 : 1000);
	if (argc > 1 && strcmp(argv[1], "relay") == 0)
		return relay();
	printf("xipctest: serve or client?\n");
	return 1;
}
