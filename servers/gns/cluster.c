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
/*
 * What gns's say on XIPC_BEACON_PORT (cluster.h: who watches whom). Every
 * kind starts with magic, node, boot id, sequence (one counter for all kinds)
 * and ends with a truncated HMAC-SHA256 tag over the rest.
 */
#define BEACON_MAGIC 0x4d584231u	/* "MXB1": an announcement, broadcast (or to a newcomer) */
#define HEARTBEAT_MAGIC 0x4d584831u	/* "MXH1": to a watcher: watch me */
#define RESIGN_MAGIC 0x4d585231u	/* "MXR1": to a former watcher: stop watching me */
#define NOTICE_MAGIC 0x4d584431u	/* "MXD1": broadcast: node S of boot B is dead */
#define BEACON_BODY 24			/* magic, node, boot id, sequence */
#define NOTICE_BODY 40			/* ... then the dead node, its boot id, its silence in ms */
#define BEACON_TAG 16
#define BEACON_SIZE (BEACON_BODY + BEACON_TAG)
#define NOTICE_SIZE (NOTICE_BODY + BEACON_TAG)

struct peer {
	uint32_t state;			/* 0 (never heard), XIPC_PEER_ALIVE or XIPC_PEER_DEAD */
	bool session;			/* the transport said UP, and not DEAD since */
	uint64_t boot, seq;		/* of its last authentic beacon */
	uint64_t heard_us;		/* when: its last beacon, or authentic datagram */
	uint64_t beacon_us;		/* its last heartbeat */
	uint64_t gap_us, gapvar_us;	/* its heartbeats' smoothed gap and mean deviation (0: no gap yet) */
	uint32_t beacons, rx, tx, deaths;
	bool watched;			/* it sends us heartbeats: we are one of its watchers */
	bool watcher;			/* we send it ours */
	uint8_t resigns;		/* RESIGNs still to send it (it watched us, no longer does) */
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
static uint64_t boot_id, beacon_seq, next_heartbeat_us, next_announce_us;
static uint32_t announce_gap_ms = CLUSTER_ANNOUNCE_FIRST_MS;	/* doubles up to CLUSTER_ANNOUNCE_MS */
/*
 * The earliest of the next heartbeat, the next announcement and a live
 * peer's death: the tick (after every message of the loop) looks at the
 * peers only then. 0 makes it look now: a peer alive or watched anew, whose
 * death may come sooner. A peer heard meanwhile only dies later, and one
 * whose adaptive silence shrank is seen dead still within CLUSTER_DEAD_MAX_MS.
 */
static uint64_t watch_due_us;
static br_hmac_key_context beacon_kc;	/* keyed once: HMAC's two key blocks are half its cost */
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

/* why: what saw it dead; silent: the silence that made it so, in ms. */
static void
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
			watch_due_us = 0;
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
beacon_tag(const uint8_t *body, size_t len, uint8_t tag[BEACON_TAG])
{
	br_hmac_context hc;
	uint8_t full[32];

	br_hmac_init(&hc, &beacon_kc, 0);
	br_hmac_update(&hc, body, len);
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

/*
 * Sends a beacon of kind magic to node to (0: broadcast); a NOTICE names the
 * dead node, its boot and its silence. Each gets a sequence number of its own.
 */
static void
send_beacon(uint32_t magic, uint32_t to, uint32_t subject, uint64_t subject_boot, uint32_t silent_ms)
{
	uint8_t b[NOTICE_SIZE];
	size_t body = magic == NOTICE_MAGIC ? NOTICE_BODY : BEACON_BODY;
	struct pbuf *p;
	ip_addr_t a;

	put32(b, magic);
	put32(b + 4, me);
	put32(b + 8, (uint32_t)(boot_id >> 32));
	put32(b + 12, (uint32_t)boot_id);
	beacon_seq++;
	put32(b + 16, (uint32_t)(beacon_seq >> 32));
	put32(b + 20, (uint32_t)beacon_seq);
	if (magic == NOTICE_MAGIC) {
		put32(b + 24, subject);
		put32(b + 28, (uint32_t)(subject_boot >> 32));
		put32(b + 32, (uint32_t)subject_boot);
		put32(b + 36, silent_ms);
	}
	beacon_tag(b, body, b + body);
	if ((p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)(body + BEACON_TAG), PBUF_RAM)) == NULL)
		return;
	memcpy(p->payload, b, body + BEACON_TAG);
	if (to)
		node_addr(&a, to);
	else
		ip_addr_set_ip4_u32(&a, lwip_htonl(LAN_BROADCAST));
	if (udp_sendto(beacon_pcb, p, &a, XIPC_BEACON_PORT) == ERR_OK)
		xipc_stat[XIPC_STAT_BEACONS_OUT]++;
	pbuf_free(p);
}

/*
 * The time to the next heartbeat: CLUSTER_BEACON_MS while another node holds
 * a right of ours or we hold one of another's (its death must be seen in
 * time), CLUSTER_BEACON_IDLE_MS while we share nothing.
 */
static uint32_t
beacon_gap_ms(void)
{
	return proxy_count(0) || proxy_export_count() ? CLUSTER_BEACON_MS : CLUSTER_BEACON_IDLE_MS;
}

/*
 * Our watchers are the first CLUSTER_WATCHERS live peers after us in node
 * order, around the ring; each gets a HEARTBEAT, and one that stopped being
 * a watcher gets CLUSTER_RESIGNS RESIGNs (one lost would make it see a
 * silence and declare us dead).
 */
static void
send_heartbeats(void)
{
	uint32_t want = 0;

	for (uint32_t i = 1; i < node_high; i++) {
		uint32_t n = (me + i - 1) % (node_high - 1) + 1;	/* me+1, ..., node_high-1, 1, ..., me-1 */
		struct peer *p = &peers[n];
		bool w = n != me && p->state == XIPC_PEER_ALIVE && want < CLUSTER_WATCHERS;

		if (w)
			want++;
		if (p->watcher && !w && p->state == XIPC_PEER_ALIVE)
			p->resigns = CLUSTER_RESIGNS;
		p->watcher = w;
		if (w) {
			p->resigns = 0;
			send_beacon(HEARTBEAT_MAGIC, n, 0, 0, 0);
		} else if (p->resigns) {
			p->resigns--;
			send_beacon(RESIGN_MAGIC, n, 0, 0, 0);
		}
	}
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

/* A heartbeat's gap since the last one, smoothed as RFC 6298 smooths round trips. */
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

/*
 * How long p may be silent before it is dead (cluster.h): adapted to its
 * heartbeats when we watch it; otherwise long enough for its announcements,
 * as only its watchers' NOTICE should tell us.
 */
static uint64_t
dead_after_us(const struct peer *p)
{
	uint64_t t = p->gap_us + 4 * p->gapvar_us + CLUSTER_DEAD_SLACK_MS * 1000ull;

	if (!p->watched)
		return CLUSTER_UNWATCHED_DEAD_MS * 1000ull;
	if (t < CLUSTER_DEAD_MS * 1000ull)
		return CLUSTER_DEAD_MS * 1000ull;
	return t > CLUSTER_DEAD_MAX_MS * 1000ull ? CLUSTER_DEAD_MAX_MS * 1000ull : t;
}

/* A NOTICE from node from: subject, of boot sboot, was silent for silent ms at one of its watchers. */
static void
on_notice(uint32_t from, uint32_t subject, uint64_t sboot, uint32_t silent)
{
	char why[40];

	xipc_stat[XIPC_STAT_NOTICES_IN]++;
	if (subject == me) {
		/* a false death (a starved host): our next announcement makes us alive again everywhere */
		if (sboot == boot_id) {
			printf("gns: node %u declared us dead (silent %u ms)\n", (unsigned)from, (unsigned)silent);
			next_announce_us = 0;
		}
		return;
	}
	if (subject == 0 || subject > NODE_MAX || peers[subject].boot != sboot)
		return;	/* not the incarnation we know: an older one's death is no news */
	/*
	 * We heard it well after its watcher last did (the transport's traffic
	 * counts): starved, not dead (a gns busy with 16 MiB sends no heartbeat
	 * in time, but its acknowledgements come). A watcher's false death stays
	 * its own, as it was when every node judged every other alone.
	 */
	if ((port_now_us() - peers[subject].heard_us) / 1000 < silent / 2) {
		xipc_stat[XIPC_STAT_NOTICES_REFUTED]++;
		return;
	}
	snprintf(why, sizeof why, "node %u saw no beacon", (unsigned)from);
	peer_dead(subject, why, silent);
}

static void
on_beacon(void *arg, struct udp_pcb *pcb, struct pbuf *pb, const ip_addr_t *addr, u16_t port)
{
	uint32_t src = lwip_ntohl(ip_addr_get_ip4_u32(addr)), node, magic = 0;
	uint8_t b[NOTICE_SIZE], tag[BEACON_TAG];
	uint64_t boot, seq, now;
	size_t body = pb->tot_len == NOTICE_SIZE ? NOTICE_BODY : BEACON_BODY;
	struct peer *p;
	bool ok = (pb->tot_len == BEACON_SIZE || pb->tot_len == NOTICE_SIZE) &&
		  pbuf_copy_partial(pb, b, pb->tot_len, 0) == pb->tot_len;

	pbuf_free(pb);
	if (ok)
		magic = get32(b);
	if (!ok || !(body == NOTICE_BODY ? magic == NOTICE_MAGIC :
		     magic == BEACON_MAGIC || magic == HEARTBEAT_MAGIC || magic == RESIGN_MAGIC)) {
		xipc_stat[XIPC_STAT_R_BEACON_MALFORMED]++;
		return;
	}
	beacon_tag(b, body, tag);
	if (!tag_equal(tag, b + body)) {
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
	now = port_now_us();
	if (p->boot != 0 && p->boot != boot && p->state == XIPC_PEER_ALIVE) {
		int n = proxy_node_died(node);
		printf("gns: node %u booted again, %d proxies dead\n", (unsigned)node, n);
	}
	if (p->boot != boot)
		p->watched = false;	/* a new boot: its watchers and gaps start again */
	if (magic == HEARTBEAT_MAGIC) {
		if (p->watched && p->beacon_us)
			gap_sample(p, now - p->beacon_us);
		else
			p->gap_us = p->gapvar_us = 0;
		if (!p->watched)
			watch_due_us = 0;	/* its silence is now ours to judge, and shorter */
		p->watched = true;
		p->beacon_us = now;
	} else if (magic == RESIGN_MAGIC) {
		p->watched = false;
	}
	p->boot = boot;
	p->seq = seq;
	p->heard_us = now;
	p->beacons++;
	if (p->state != XIPC_PEER_ALIVE) {
		uint8_t ping = CARRY_PING;
		p->state = XIPC_PEER_ALIVE;
		watch_due_us = 0;
		if (node >= node_high)
			node_high = node + 1;
		printf("gns: node %u alive\n", (unsigned)node);
		/* the session comes up now, not with the first message a task sends */
		xport_dirty = true;
		xport_send(x, node, 0, &ping, 1, now);
		/* and it hears of us now, not at our next broadcast announcement */
		send_beacon(BEACON_MAGIC, node, 0, 0, 0);
	}
	if (magic == NOTICE_MAGIC)
		on_notice(node, get32(b + 24), (uint64_t)get32(b + 28) << 32 | get32(b + 32), get32(b + 36));
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

static uint64_t watch(uint64_t now);

uint32_t
cluster_tick(void)
{
	uint64_t now, next;
	uint32_t ms, held_ms;

	if (!x)
		return 0;
	now = port_now_us();
	if (now >= watch_due_us)
		watch_due_us = watch(now);
	next = watch_due_us;
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
	if (next <= now)
		return 1;
	/* in 32 bits when it fits: a 64-bit division is a libgcc call */
	ms = next - now < UINT32_MAX - 999 ? ((uint32_t)(next - now) + 999) / 1000 : (uint32_t)((next - now + 999) / 1000);
	return ms ? ms : 1;
}

/* Heartbeats, announcements and deaths that are due: when next. */
static uint64_t
watch(uint64_t now)
{
	uint64_t next;

	if (now >= next_heartbeat_us) {
		send_heartbeats();
		next_heartbeat_us = now + beacon_gap_ms() * 1000ull;
	}
	if (now >= next_announce_us) {
		send_beacon(BEACON_MAGIC, 0, 0, 0, 0);
		next_announce_us = now + announce_gap_ms * 1000ull;
		if ((announce_gap_ms *= 2) > CLUSTER_ANNOUNCE_MS)
			announce_gap_ms = CLUSTER_ANNOUNCE_MS;
	}
	next = next_heartbeat_us < next_announce_us ? next_heartbeat_us : next_announce_us;
	/* a silence ends in a death at its own time, not at the next beacon's */
	for (uint32_t n = 1; n < node_high; n++) {
		struct peer *p = &peers[n];
		uint64_t dead_at;

		if (p->state != XIPC_PEER_ALIVE)
			continue;
		dead_at = p->heard_us + dead_after_us(p);
		if (now > dead_at && p->heard_us) {
			/* every node hears of it from us: only its watchers heard its heartbeats */
			uint32_t silent = (uint32_t)((now - p->heard_us) / 1000);
			send_beacon(NOTICE_MAGIC, 0, n, p->boot, silent);
			xipc_stat[XIPC_STAT_NOTICES_OUT]++;
			peer_dead(n, "no beacon", silent);
		} else if (now > dead_at) {
			peer_dead(n, "the transport gave up", 0);
		} else if (next > dead_at + 1000) {
			next = dead_at + 1000;
		}
	}
	return next;
}

bool
cluster_start(const struct gns_config *c)
{
	struct xport_config xc = {0};
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t beacon_key[32];
	struct reg *r;
	static const char info[] = "manifold xipc v1 beacon";

	if (!c->have_key || c->node == 0) {
		printf("gns: inter-node IPC off (%s)\n", c->have_key ? "no node=N" : "no key= on the boot line");
		return false;
	}
	me = c->node;
	node_high = me + 1;	/* the ring of watchers goes on from us (send_heartbeats) */
	/* the beacons' key, apart from the transport's (which derives its own from the same key) */
	br_hmac_key_init(&kc, &br_sha256_vtable, c->key, sizeof c->key);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, info, sizeof info - 1);
	br_hmac_out(&hc, beacon_key);
	br_hmac_key_init(&beacon_kc, &br_sha256_vtable, beacon_key, sizeof beacon_key);
	random_bytes(&boot_id, sizeof boot_id);
	boot_id ^= (uint64_t)me << 56 ^ port_now_us();	/* nodes of one seed still differ */
	if (boot_id == 0)
		boot_id = 1;
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
