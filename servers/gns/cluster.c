/*
 * The cluster (cluster.h): the transport's glue to lwIP, beacons and the
 * peers' liveness, and the xipc_nodes and xipc_stats handlers.
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
#include "hold.h"
#include "port.h"
#include "proxy.h"
#include "service.h"
#include "random.h"
#include "reg.h"
#include "xipc_server.h"
#include "xport.h"
#include <manifold/socket_codes.h>

#define NODE_MAX 254
#define LAN_NET 0x0a4d0000u		/* 10.77.0.0/16 */
#define LAN_BROADCAST 0x0a4dffffu
#define BEACON_MAGIC 0x4d584231u	/* "MXB1" */
#define BEACON_BODY 24			/* magic, node, boot id, sequence */
#define BEACON_TAG 16
#define BEACON_SIZE (BEACON_BODY + BEACON_TAG)

struct peer {
	uint32_t state;			/* 0 (never heard), XIPC_PEER_ALIVE or XIPC_PEER_DEAD */
	bool session;			/* the transport said UP, and not DEAD since */
	uint64_t boot, seq;		/* of its last authentic beacon */
	uint64_t heard_us;		/* when: its last beacon, or authentic datagram */
	uint64_t beacon_us;		/* its last beacon */
	uint64_t gap_us, gapvar_us;	/* the beacons' smoothed gap and mean deviation (0: no gap yet) */
	uint32_t beacons, rx, tx, deaths;
};

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
static uint64_t boot_id, beacon_seq, next_beacon_us;
static uint8_t beacon_key[32];
static struct peer peers[NODE_MAX + 1];
static uint32_t node_high = 1;	/* above every node ever heard: the scans' bound (the tick runs after every message) */
static struct udp_pcb *data_pcb, *beacon_pcb;
static struct delivery *queue, **queue_tail = &queue;
static uint8_t rxbuf[2048];
/* the transport's own next deadline; an input or a send may want an earlier one (xport.h) */
static uint64_t xport_due;
static bool xport_dirty = true;

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

void
cluster_random(void *buf, size_t n)
{
	random_bytes(buf, n);
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

	if (peer == 0 || peer > NODE_MAX || (p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM)) == NULL)
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
	struct delivery *d = malloc(sizeof *d);

	if (!d) {
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
		free(d);
	}
}

static void
peer_dead(uint32_t node, const char *why)
{
	struct peer *p = &peers[node];
	uint64_t silent = (port_now_us() - p->heard_us) / 1000;
	int n;

	if (p->state != XIPC_PEER_ALIVE)
		return;
	p->state = XIPC_PEER_DEAD;
	p->session = false;
	p->deaths++;
	xport_forget(x, node);
	xport_dirty = true;
	n = proxy_node_died(node);
	printf("gns: node %u dead (%s, silent %u ms), %d proxies dead\n", (unsigned)node, why, (unsigned)silent, n);
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
		}
	}
}

static uint32_t get32(const uint8_t *p);

static void
on_data(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	uint32_t src = lwip_ntohl(ip_addr_get_ip4_u32(addr));
	u16_t len = p->tot_len;

	if ((src & 0xffff0000u) == LAN_NET && (src & 0xffff) >= 1 && (src & 0xffff) <= NODE_MAX)
		peers[src & 0xffff].rx++;
	if (len > sizeof rxbuf)
		len = sizeof rxbuf;	/* longer than any MTU: the transport refuses it as malformed */
	pbuf_copy_partial(p, rxbuf, len, 0);
	pbuf_free(p);
	if (xport_input(x, rxbuf, len, port_now_us()) == XPORT_OK && len >= 8) {
		/* authentic (every kind is tagged): the peer lives, whatever its beacons do */
		uint32_t node = get32(rxbuf + 4);
		if (node >= 1 && node <= NODE_MAX && src == (LAN_NET | node) && peers[node].state == XIPC_PEER_ALIVE)
			peers[node].heard_us = port_now_us();
	}
	xport_dirty = true;
	drain();
}

static void
beacon_tag(const uint8_t *body, uint8_t tag[BEACON_TAG])
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t full[32];

	br_hmac_key_init(&kc, &br_sha256_vtable, beacon_key, sizeof beacon_key);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, body, BEACON_BODY);
	br_hmac_out(&hc, full);
	memcpy(tag, full, BEACON_TAG);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
send_beacon(void)
{
	uint8_t b[BEACON_SIZE];
	struct pbuf *p;
	ip_addr_t a;

	put32(b, BEACON_MAGIC);
	put32(b + 4, me);
	put32(b + 8, (uint32_t)(boot_id >> 32));
	put32(b + 12, (uint32_t)boot_id);
	beacon_seq++;
	put32(b + 16, (uint32_t)(beacon_seq >> 32));
	put32(b + 20, (uint32_t)beacon_seq);
	beacon_tag(b, b + BEACON_BODY);
	if ((p = pbuf_alloc(PBUF_TRANSPORT, sizeof b, PBUF_RAM)) == NULL)
		return;
	memcpy(p->payload, b, sizeof b);
	ip_addr_set_ip4_u32(&a, lwip_htonl(LAN_BROADCAST));
	if (udp_sendto(beacon_pcb, p, &a, XIPC_BEACON_PORT) == ERR_OK)
		xipc_stat[XIPC_STAT_BEACONS_OUT]++;
	pbuf_free(p);
}

/*
 * The time to the next beacon: CLUSTER_BEACON_MS while another node holds a
 * right of ours or we hold one of another's (its death must be seen in time),
 * CLUSTER_BEACON_IDLE_MS while we share nothing (cluster.h: what it costs).
 */
static uint32_t
beacon_gap_ms(void)
{
	return proxy_count(0) || proxy_export_count() ? CLUSTER_BEACON_MS : CLUSTER_BEACON_IDLE_MS;
}

/* Constant time: a forger learns nothing from how long a refusal took. */
static bool
tag_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (int i = 0; i < BEACON_TAG; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* A beacon's gap since the last one, smoothed as RFC 6298 smooths round trips. */
static void
gap_sample(struct peer *p, uint64_t g)
{
	if (p->gap_us == 0) {
		p->gap_us = g ? g : 1;
		p->gapvar_us = g / 2;
	} else {
		uint64_t d = p->gap_us > g ? p->gap_us - g : g - p->gap_us;
		p->gapvar_us = (3 * p->gapvar_us + d) / 4;
		p->gap_us = (7 * p->gap_us + g) / 8;
	}
}

/* How long p may be silent before it is dead (cluster.h). */
static uint64_t
dead_after_us(const struct peer *p)
{
	uint64_t t = p->gap_us + 4 * p->gapvar_us + CLUSTER_DEAD_SLACK_MS * 1000ull;

	if (t < CLUSTER_DEAD_MS * 1000ull)
		return CLUSTER_DEAD_MS * 1000ull;
	return t > CLUSTER_DEAD_MAX_MS * 1000ull ? CLUSTER_DEAD_MAX_MS * 1000ull : t;
}

static void
on_beacon(void *arg, struct udp_pcb *pcb, struct pbuf *pb, const ip_addr_t *addr, u16_t port)
{
	uint32_t src = lwip_ntohl(ip_addr_get_ip4_u32(addr)), node;
	uint8_t b[BEACON_SIZE], tag[BEACON_TAG];
	uint64_t boot, seq;
	struct peer *p;
	bool ok = pb->tot_len == sizeof b && pbuf_copy_partial(pb, b, sizeof b, 0) == sizeof b;

	pbuf_free(pb);
	if (!ok || get32(b) != BEACON_MAGIC) {
		xipc_stat[XIPC_STAT_R_BEACON_MALFORMED]++;
		return;
	}
	beacon_tag(b, tag);
	if (!tag_equal(tag, b + BEACON_BODY)) {
		xipc_stat[XIPC_STAT_R_BEACON_TAG]++;
		return;
	}
	node = get32(b + 4);
	if (node == me)
		return;	/* our own, heard back */
	if (node == 0 || node > NODE_MAX || src != (LAN_NET | node)) {
		xipc_stat[XIPC_STAT_R_BEACON_MALFORMED]++;
		return;
	}
	boot = (uint64_t)get32(b + 8) << 32 | get32(b + 12);
	seq = (uint64_t)get32(b + 16) << 32 | get32(b + 20);
	p = &peers[node];
	if (p->boot == boot && seq <= p->seq) {
		xipc_stat[XIPC_STAT_R_BEACON_REPLAY]++;
		return;
	}
	xipc_stat[XIPC_STAT_BEACONS_IN]++;
	if (p->boot != 0 && p->boot != boot && p->state == XIPC_PEER_ALIVE) {
		int n = proxy_node_died(node);
		printf("gns: node %u booted again, %d proxies dead\n", (unsigned)node, n);
	}
	if (p->boot == boot && p->beacon_us)
		gap_sample(p, port_now_us() - p->beacon_us);
	else
		p->gap_us = p->gapvar_us = 0;	/* a new boot: its gaps start again */
	p->boot = boot;
	p->seq = seq;
	p->heard_us = p->beacon_us = port_now_us();
	p->beacons++;
	if (p->state != XIPC_PEER_ALIVE) {
		uint8_t ping = CARRY_PING;
		p->state = XIPC_PEER_ALIVE;
		if (node >= node_high)
			node_high = node + 1;
		printf("gns: node %u alive\n", (unsigned)node);
		/* the session comes up now, not with the first message a task sends */
		xport_dirty = true;
		xport_send(x, node, 0, &ping, 1, port_now_us());
	}
}

int
cluster_send(uint32_t peer, uint32_t port, const void *payload, size_t len)
{
	if (!x || peer == 0 || peer > NODE_MAX || peers[peer].state != XIPC_PEER_ALIVE)
		return XPORT_E_INVALID;
	xport_dirty = true;
	return xport_send(x, peer, port, payload, len, port_now_us());
}

int
cluster_send_parts(uint32_t peer, uint32_t port, const struct xport_part *parts, int n,
		   void (*done)(void *ctx, void *arg), void *arg)
{
	if (!x || peer == 0 || peer > NODE_MAX || peers[peer].state != XIPC_PEER_ALIVE)
		return XPORT_E_INVALID;
	xport_dirty = true;
	return xport_send_parts(x, peer, port, parts, n, done, arg, port_now_us());
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
	if (now >= next_beacon_us) {
		send_beacon();
		next_beacon_us = now + beacon_gap_ms() * 1000ull;
	}
	next = next_beacon_us;
	/* a silence ends in a death at its own time, not at the next beacon's */
	for (uint32_t n = 1; n < node_high; n++) {
		uint64_t dead_at;
		if (peers[n].state != XIPC_PEER_ALIVE)
			continue;
		dead_at = peers[n].heard_us + dead_after_us(&peers[n]);
		if (now > dead_at)
			peer_dead(n, peers[n].heard_us ? "no beacon" : "the transport gave up");
		else if (next > dead_at + 1000)
			next = dead_at + 1000;
	}
	/* not after every message of the loop: only when due, or when an input or a send may have changed it */
	if (xport_dirty || now >= xport_due) {
		xport_dirty = false;
		xport_due = xport_tick(x, now);
		drain();
	}
	if (next > xport_due)
		next = xport_due;
	/* messages held for full queues (hold.c) are tried again soon */
	if ((held_ms = hold_retry()) != 0 && next > now + held_ms * 1000ull)
		next = now + held_ms * 1000ull;
	ms = next > now ? (uint32_t)((next - now + 999) / 1000) : 1;
	return ms ? ms : 1;
}

bool
cluster_start(const struct gns_config *c)
{
	struct xport_config xc = {0};
	br_hmac_key_context kc;
	br_hmac_context hc;
	struct reg *r;
	static const char info[] = "manifold xipc v1 beacon";

	if (!c->have_key || c->node == 0) {
		printf("gns: inter-node IPC off (%s)\n", c->have_key ? "no node=N" : "no key= on the boot line");
		return false;
	}
	me = c->node;
	/* the beacons' key, apart from the transport's (which derives its own from the same key) */
	br_hmac_key_init(&kc, &br_sha256_vtable, c->key, sizeof c->key);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, info, sizeof info - 1);
	br_hmac_out(&hc, beacon_key);
	random_bytes(&boot_id, sizeof boot_id);
	boot_id ^= (uint64_t)me << 56 ^ port_now_us();	/* nodes of one seed still differ */
	if (boot_id == 0)
		boot_id = 1;
	xc.node = me;
	memcpy(xc.cluster_key, c->key, sizeof xc.cluster_key);
	xc.auth_only = c->auth_only;
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
	udp_recv(beacon_pcb, on_beacon, NULL);
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
