/*
 * The cluster (cluster.h): the transport's glue to lwIP, the peers (peer.h;
 * their liveness is detect.c's), and the xipc_nodes and xipc_stats handlers.
 *
 * The transport calls back from inside xport_input (deliver, event): the
 * messages it delivers are queued and handed to proxy.c only once the
 * transport has returned, so that what they cause (replies, NAKs, answers)
 * may call xport_send again. Only gns's loop thread runs any of this.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bearssl.h>
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "carry.h"
#include "cluster.h"
#include "detect.h"
#include "hold.h"
#include "nic.h"
#include "peer.h"
#include "port.h"
#include "proxy.h"
#include "service.h"
#include "udp_direct.h"
#include "random.h"
#include "reg.h"
#include "xipc_server.h"
#include "xport.h"
#include <manifold/socket_codes.h>

/* A delivered message waiting for the transport to return. */
struct delivery {
	struct delivery *next;
	uint32_t peer;
	size_t len;
	void *data;	/* the transport's, handed over (deliver_take): no copy, even of 16 MiB */
};

uint32_t xipc_stat[XIPC_STAT_WORDS];

/* xipc_do_xipc_stats copies the transport's rejections in its order */
_Static_assert(XIPC_STAT_R_XPORT_NOMEM - XIPC_STAT_R_XPORT_SHORT == XPORT_E_NOMEM - XPORT_E_SHORT,
	       "xipc.h's transport rejections follow enum xport_error");

static struct xport *x;
static uint32_t me;
struct peer peers[NODE_MAX + 1];
uint32_t node_high = 1;
static struct udp_pcb *data_pcb, *beacon_pcb;
static struct delivery *queue, **queue_tail = &queue;
/* used records kept for the next (at most DELIVERY_SPARES): a remote RPC's two messages cost no malloc and free */
#define DELIVERY_SPARES 16
static struct delivery *spares;
static int nspares;
static uint8_t rxbuf[2048];
/* the transport's own next deadline; an input or a send may want an earlier one (xport_touched) */
static uint64_t xport_due;

/*
 * An input, a send or a forgotten peer: no deadline they set is nearer than
 * xport_min_delay (7.5 ms here), so the transport's tick waits till then
 * unless due sooner, rather than run after every datagram (320 instructions
 * a call, two calls a remote RPC on each node). now: the caller's reading
 * (outside the loop's tick a reading is a trap).
 */
static void
xport_touched(uint64_t now)
{
	uint64_t t = now + xport_min_delay(x);

	if (xport_due > t)
		xport_due = t;
}

bool
cluster_on(void)
{
	return x != NULL;
}

uint32_t
cluster_node(void)
{
	return me;
}

/*
 * Unpredictable bytes (check fields, request ids: one check field per remote
 * RPC, its reply right's export): ChaCha20's keystream under a key drawn
 * once from random_bytes, RANDOM_POOL bytes a refill under a fresh nonce (a
 * count of refills), each byte erased once given. random_bytes' SipHash took
 * 1,121 instructions for 8 bytes (remote.sh, rdtsc spans in gns).
 */
#define RANDOM_POOL 256
static uint8_t pool[RANDOM_POOL];
static size_t pool_used = RANDOM_POOL;
static uint8_t pool_key[32];
static uint64_t pool_refills;
static br_chacha20_run pool_run;

static void
pool_refill(void)
{
	uint8_t iv[12] = {0};

	if (!pool_run) {
		pool_run = br_chacha20_sse2_get();
		if (!pool_run)
			pool_run = br_chacha20_ct_run;
		random_bytes(pool_key, sizeof pool_key);
	}
	pool_refills++;
	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(pool_refills >> (8 * i));
	memset(pool, 0, sizeof pool);
	pool_run(pool_key, iv, 0, pool, sizeof pool);
	pool_used = 0;
}

void
cluster_random(void *buf, size_t n)
{
	uint8_t *b = buf;

	while (n) {
		size_t k;

		if (pool_used == RANDOM_POOL)
			pool_refill();
		k = n < RANDOM_POOL - pool_used ? n : RANDOM_POOL - pool_used;
		memcpy(b, pool + pool_used, k);
		memset(pool + pool_used, 0, k);
		pool_used += k;
		b += k;
		n -= k;
	}
}

static void
xport_random(void *ctx, void *buf, size_t n)
{
	random_bytes(buf, n);
}

static void
node_addr(ip_addr_t *a, uint32_t node)
{
	ip_addr_set_ip4_u32(a, lwip_htonl(LAN_NET | node));
}

static void
output(void *ctx, uint32_t peer, const void *dgram, size_t len)
{
	struct pbuf *p;
	ip_addr_t a;

	if (peer == 0 || peer > NODE_MAX)
		return;
	/* beside lwIP when the way is plain (udp_direct.c), else through it */
	if (udp_direct_output(LAN_NET | peer, dgram, len, port_now_us())) {
		peers[peer].tx++;
		xipc_stat[XIPC_STAT_DIRECT_OUT]++;
		return;
	}
	if ((p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM)) == NULL)
		return;	/* lost: the transport sends it again */
	memcpy(p->payload, dgram, len);
	node_addr(&a, peer);
	if (udp_sendto(data_pcb, p, &a, XIPC_UDP_PORT) == ERR_OK)
		peers[peer].tx++;
	pbuf_free(p);
}

static void
deliver(void *ctx, uint32_t peer, uint32_t port, void *data, size_t len)
{
	struct delivery *d = spares;

	if (d) {
		spares = d->next;
		nspares--;
	} else if ((d = malloc(sizeof *d)) == NULL) {
		xipc_stat[XIPC_STAT_R_UNDELIVERABLE]++;
		xport_data_free(x, data, len);
		return;
	}
	d->next = NULL;
	d->peer = peer;
	d->len = len;
	d->data = data;
	*queue_tail = d;
	queue_tail = &d->next;
}

static void
drain(void)
{
	struct delivery *d;

	while ((d = queue) != NULL) {
		queue = d->next;
		if (!queue)
			queue_tail = &queue;
		proxy_input(d->peer, d->data, d->len);
		xport_data_free(x, d->data, d->len);
		if (nspares < DELIVERY_SPARES) {
			d->next = spares;
			spares = d;
			nspares++;
		} else {
			free(d);
		}
	}
}

void
peer_dead(uint32_t node, const char *why, uint32_t silent)
{
	struct peer *p = &peers[node];
	int n;

	if (p->state != XIPC_PEER_ALIVE)
		return;
	p->state = XIPC_PEER_DEAD;
	p->session = false;
	p->watched = p->watcher = false;
	p->resigns = 0;
	p->suspect_us = 0;
	p->noticed = false;
	p->deaths++;
	xport_forget(x, node);
	xport_touched(port_now_us());
	n = proxy_node_died(node);
	printf("gns: node %u dead (%s, silent %u ms), %d proxies dead\n", (unsigned)node, why, (unsigned)silent, n);
}

void
peer_alive(uint32_t node, uint64_t now)
{
	uint8_t ping = CARRY_PING;

	/* the session comes up now, not with the first message a task sends */
	xport_touched(now);
	xport_send(x, node, 0, &ping, 1, now);
}

static void
event(void *ctx, uint32_t peer, enum xport_event ev)
{
	if (peer == 0 || peer > NODE_MAX)
		return;
	if (ev == XPORT_EV_UP) {
		peers[peer].session = true;
	} else if (ev == XPORT_EV_RESTARTED) {
		int n = proxy_node_died(peer);
		printf("gns: node %u restarted, %d proxies dead\n", (unsigned)peer, n);
	} else if (ev == XPORT_EV_DEAD) {
		peers[peer].session = false;
		if (peers[peer].state == XIPC_PEER_ALIVE) {
			/* peer_dead calls xport_forget: not from inside the transport; the tick does it */
			peers[peer].heard_us = 0;
			detect_wake();
		}
	}
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A datagram from src (host order), through lwIP (on_data) or beside it (udp_direct.c). */
static void
on_datagram(uint32_t src, const uint8_t *dgram, size_t len)
{
	uint64_t now = port_now_us();	/* once: outside the loop's tick a reading is a trap */

	if ((src & 0xffff0000u) == LAN_NET && (src & 0xffff) >= 1 && (src & 0xffff) <= NODE_MAX)
		peers[src & 0xffff].rx++;
	if (xport_input(x, dgram, len, now) == XPORT_OK && len >= 8) {
		/* authentic (every kind is tagged): the peer lives, whatever its beacons do */
		uint32_t node = get32(dgram + 4);
		if (node >= 1 && node <= NODE_MAX && src == (LAN_NET | node))
			detect_heard(node, now);
	}
	xport_touched(now);
	drain();
}

/* ...beside it */
static void
on_direct(uint32_t src, const uint8_t *dgram, size_t len)
{
	xipc_stat[XIPC_STAT_DIRECT_IN]++;
	on_datagram(src, dgram, len);
}

static void
on_data(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	u16_t len = p->tot_len;
	const uint8_t *dgram = rxbuf;

	/* read where lwIP has it when it is one buffer (a datagram of one frame), else copied out */
	if (p->len == len) {
		dgram = p->payload;
	} else {
		if (len > sizeof rxbuf)
			len = sizeof rxbuf;	/* longer than any MTU: the transport refuses it as malformed */
		pbuf_copy_partial(p, rxbuf, len, 0);
	}
	on_datagram(lwip_ntohl(ip_addr_get_ip4_u32(addr)), dgram, len);
	pbuf_free(p);
}

int
cluster_send(uint32_t peer, uint32_t port, const void *payload, size_t len)
{
	uint64_t now;

	if (!x || peer == 0 || peer > NODE_MAX || peers[peer].state != XIPC_PEER_ALIVE)
		return XPORT_E_INVALID;
	now = port_now_us();
	xport_touched(now);
	return xport_send(x, peer, port, payload, len, now);
}

int
cluster_send_parts(uint32_t peer, uint32_t port, const struct xport_part *parts, int n,
		   void (*done)(void *ctx, void *arg), void *arg)
{
	uint64_t now;

	if (!x || peer == 0 || peer > NODE_MAX || peers[peer].state != XIPC_PEER_ALIVE)
		return XPORT_E_INVALID;
	now = port_now_us();
	xport_touched(now);
	return xport_send_parts(x, peer, port, parts, n, done, arg, now);
}

/*
 * The transport's large blocks (a message being reassembled) in pages of
 * their own: given back to the kernel when freed, where malloc's heap would
 * keep the peak of a 16 MiB message for good.
 */
static void *
big_alloc(void *ctx, size_t len)
{
	vm_address_t a = 0;

	(void)ctx;
	return vm_allocate(mach_task_self(), &a, len, TRUE) == KERN_SUCCESS ? (void *)(uintptr_t)a : NULL;
}

static void
big_free(void *ctx, void *p, size_t len)
{
	(void)ctx;
	vm_deallocate(mach_task_self(), (vm_address_t)(uintptr_t)p, len);
}

bool
cluster_peer_alive(uint32_t node)
{
	return node >= 1 && node <= NODE_MAX && peers[node].state == XIPC_PEER_ALIVE;
}

void
cluster_foreach_alive(void (*fn)(uint32_t node, void *arg), void *arg)
{
	for (uint32_t n = 1; n < node_high; n++)
		if (peers[n].state == XIPC_PEER_ALIVE)
			fn(n, arg);
}

uint32_t
cluster_tick(void)
{
	uint64_t now, next;
	uint32_t ms, held_ms;

	if (!x)
		return 0;
	now = port_now_us();
	next = detect_tick(now);
	/* not after every message of the loop, nor after every datagram: only when due (xport_touched) */
	if (now >= xport_due) {
		xport_due = xport_tick(x, now);
		drain();
	}
	if (next > xport_due)
		next = xport_due;
	/* messages held for full queues (hold.c) are tried again soon */
	if ((held_ms = hold_retry()) != 0 && next > now + held_ms * 1000ull)
		next = now + held_ms * 1000ull;
	if (next <= now)
		return 1;
	/* in 32 bits when it fits: a 64-bit division is a libgcc call */
	ms = next - now < UINT32_MAX - 999 ? ((uint32_t)(next - now) + 999) / 1000 : (uint32_t)((next - now + 999) / 1000);
	return ms ? ms : 1;
}

bool
cluster_start(const struct gns_config *c)
{
	struct xport_config xc = {0};
	struct reg *r;

	if (!c->have_key || c->node == 0) {
		printf("gns: inter-node IPC off (%s)\n", c->have_key ? "no node=N" : "no key= on the boot line");
		return false;
	}
	me = c->node;
	node_high = me + 1;	/* the ring of watchers goes on from us (detect.c) */
	xc.node = me;
	memcpy(xc.cluster_key, c->key, sizeof xc.cluster_key);
	xc.auth_only = c->auth_only;
	/*
	 * Not the transport's 10 ms: QEMUs sharing a loaded host wait that long
	 * for a CPU often enough that remote RPCs were sent again and their
	 * duplicates acknowledged (remote.sh: 1.08 datagrams each way an RPC,
	 * 1.00 with 30 ms). A real loss waits 20 ms longer.
	 */
	xc.rto_min_us = CLUSTER_RTO_MIN_MS * 1000;
	xc.max_message = 20u << 20;	/* 16 MiB of out-of-line memory and room around it */
	xc.output = output;
	xc.deliver_take = deliver;
	xc.event = event;
	xc.random = xport_random;
	xc.big_alloc = big_alloc;
	xc.big_free = big_free;
	data_pcb = udp_new();
	beacon_pcb = udp_new();
	if (!data_pcb || !beacon_pcb || udp_bind(data_pcb, IP_ADDR_ANY, XIPC_UDP_PORT) != ERR_OK ||
	    udp_bind(beacon_pcb, IP_ADDR_ANY, XIPC_BEACON_PORT) != ERR_OK ||
	    reg_claim(GNS_PROTO_UDP, XIPC_UDP_PORT, data_pcb, &r) != 0 ||
	    reg_claim(GNS_PROTO_UDP, XIPC_BEACON_PORT, beacon_pcb, &r) != 0 || (x = xport_create(&xc)) == NULL) {
		printf("gns: inter-node IPC off (no room for its UDP ports or the transport)\n");
		return false;
	}
	udp_recv(data_pcb, on_data, NULL);
	/*
	 * No UDP checksum on the transport's datagrams (0: none, in IPv4): every
	 * one carries a Poly1305 tag over all of it, which a corrupted one fails;
	 * lwIP then neither makes nor checks the sum (some 150 bytes a datagram).
	 */
	udp_setflags(data_pcb, udp_flags(data_pcb) | UDP_FLAGS_NOCHKSUM);
	udp_direct_start(nic_netif(), XIPC_UDP_PORT, on_direct);
	detect_start(c, me, beacon_pcb);
	printf("gns: node %u in the cluster (udp %u, beacons %u%s)\n", (unsigned)me, XIPC_UDP_PORT,
	       XIPC_BEACON_PORT, c->auth_only ? ", auth-only" : "");
	return true;
}

kern_return_t
xipc_do_xipc_nodes(mach_port_t server, uint32_t *count, uint32_t *words, mach_msg_type_number_t *wordsCnt)
{
	uint32_t n = 0, max = *wordsCnt / XIPC_NODE_WORDS;
	uint64_t now = port_now_us();

	if (server != service_port())
		return XIPC_E_INVALID;
	if (!x)
		return XIPC_E_OFF;
	for (uint32_t node = 1; node <= NODE_MAX; node++) {
		struct peer *p = &peers[node];
		uint32_t *w = words + n * XIPC_NODE_WORDS;

		if (p->state == 0)
			continue;
		if (n < max) {
			w[XIPC_NODE_ID] = node;
			w[XIPC_NODE_STATE] = p->state;
			w[XIPC_NODE_SESSION] = p->session;
			w[XIPC_NODE_RTT_US] = (uint32_t)xport_rtt(x, node);
			w[XIPC_NODE_BEACONS] = p->beacons;
			w[XIPC_NODE_RX] = p->rx;
			w[XIPC_NODE_TX] = p->tx;
			w[XIPC_NODE_SILENT_MS] = p->heard_us ? (uint32_t)((now - p->heard_us) / 1000) : 0;
			w[XIPC_NODE_PROXIES] = (uint32_t)proxy_count(node);
			w[XIPC_NODE_DEATHS] = p->deaths;
		}
		n++;
	}
	*count = n;
	*wordsCnt = (n < max ? n : max) * XIPC_NODE_WORDS;
	return KERN_SUCCESS;
}

kern_return_t
xipc_do_xipc_stats(mach_port_t server, uint32_t *words, mach_msg_type_number_t *wordsCnt)
{
	const struct xport_stats *s;

	if (server != service_port())
		return XIPC_E_INVALID;
	if (!x)
		return XIPC_E_OFF;
	if (*wordsCnt < XIPC_STAT_WORDS)
		return XIPC_E_INVALID;
	s = xport_stats(x);
	xipc_stat[XIPC_STAT_PROXIES] = (uint32_t)proxy_count(0);
	xipc_stat[XIPC_STAT_EXPORTS] = (uint32_t)proxy_export_count();
	xipc_stat[XIPC_STAT_FORWARDERS] = (uint32_t)proxy_forwarder_count();
	for (int e = XPORT_E_SHORT; e <= XPORT_E_NOMEM; e++)
		xipc_stat[XIPC_STAT_R_XPORT_SHORT + e - XPORT_E_SHORT] = (uint32_t)s->rx_rejected[e];
	xipc_stat[XIPC_STAT_XPORT_RETRANSMITS] = (uint32_t)s->tx_retransmits;
	xipc_stat[XIPC_STAT_XPORT_DROPPED] = (uint32_t)s->msgs_dropped;
	memcpy(words, xipc_stat, sizeof xipc_stat);
	*wordsCnt = XIPC_STAT_WORDS;
	return KERN_SUCCESS;
}
