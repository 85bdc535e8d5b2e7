/*
 * Failure detection (cluster.h: who watches whom, and the times), as SWIM
 * does it: a watcher that hears its peer fall silent suspects it, probes it
 * directly and through CLUSTER_PROBE_HELPERS other live nodes (one of which
 * may still reach it), again every CLUSTER_PROBE_MS, and declares it dead
 * only when its silence reaches CLUSTER_DEAD_MS (issue 14's 2 s, less the
 * NOTICE's way): a node starved by its host for less than that, less the
 * gap since its last word, lives on. The suspected node, hearing a probe or
 * a NOTICE of its current incarnation, takes a higher one and says so at
 * once to everyone (an announcement): a NOTICE of a lower incarnation than
 * one a node has heard is refuted there, and a node that heard the subject
 * since its watcher last did waits for its own silence to reach
 * CLUSTER_DEAD_MS (the subject may have spoken to it alone), so a false
 * suspicion costs no proxies anywhere. A death is broadcast
 * CLUSTER_NOTICE_REPEATS times more by each watcher that saw it. Time the
 * loop itself did not run (its tick late by more than CLUSTER_STALL_MS) is
 * not counted as any peer's silence. The peers themselves are cluster.c's
 * (peer.h). */
#include <stdio.h>
#include <string.h>
#include <bearssl.h>
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "cluster.h"
#include "detect.h"
#include "peer.h"
#include "port.h"
#include "proxy.h"
#include "random.h"

/*
 * What gns's say on XIPC_BEACON_PORT. Every kind starts with magic, node,
 * boot id, sequence (one counter for all kinds) and the sender's
 * incarnation; NOTICE, PROBE, ACK and VOUCH go on with a subject: its
 * node, boot id, incarnation and one word (NOTICE and VOUCH: its silence in
 * ms, the watcher's or the helper's; PROBE and ACK: the node that wants the
 * answer, in an ACK with ACK_WATCHER if the subject counts that node among
 * its watchers). A truncated HMAC-SHA256 tag over the rest ends each.
 */
#define BEACON_MAGIC 0x4d584232u	/* "MXB2": an announcement, broadcast (or to a newcomer) */
#define HEARTBEAT_MAGIC 0x4d584832u	/* "MXH2": to a watcher: watch me */
#define RESIGN_MAGIC 0x4d585232u	/* "MXR2": to a former watcher: stop watching me */
#define NOTICE_MAGIC 0x4d584432u	/* "MXD2": broadcast: the subject is dead */
#define PROBE_MAGIC 0x4d585032u		/* "MXP2": to the subject: are you there? To a helper: ask it for me */
#define ACK_MAGIC 0x4d584132u		/* "MXA2": the subject's answer, relayed by a helper */
#define VOUCH_MAGIC 0x4d585632u		/* "MXV2": a helper to the asker: I heard the subject arg ms ago */
#define BEACON_BODY 28
#define SUBJECT_BODY 48
#define BEACON_TAG 16
#define BEACON_SIZE (BEACON_BODY + BEACON_TAG)
#define SUBJECT_SIZE (SUBJECT_BODY + BEACON_TAG)
#define ACK_WATCHER 0x80000000u

/*
 * config.h's drop-beacons-to=N, a test hook: our unicast beacons to node N
 * are dropped for DROP_BURST_MS of every DROP_PERIOD_MS (longer than any
 * silence a watcher tolerates), broadcasts and the transport never.
 */
#define DROP_BURST_MS 2500
#define DROP_PERIOD_MS 4000

struct subject {
	uint32_t node;
	uint64_t boot;
	uint32_t inc, arg;
};

static uint32_t me, my_inc, drop_to;
static bool drop_notices, drop_resigns;
static uint64_t boot_id, beacon_seq, next_heartbeat_us, next_announce_us;
static uint32_t announce_gap_ms = CLUSTER_ANNOUNCE_FIRST_MS;	/* doubles up to CLUSTER_ANNOUNCE_MS */
/*
 * The earliest of the next heartbeat, the next announcement, a suspicion or
 * a death: the tick (after every message of the loop) looks at the peers
 * only then. 0 makes it look now: a peer alive or watched anew, whose
 * suspicion may come sooner. A peer heard meanwhile is only suspected later.
 */
static uint64_t watch_due_us;
/* when watch() last asked to run again (watch_due_us, before a wake made it 0): a later tick found us stalled */
static uint64_t asked_us;
/* until then some death is gossiped (peer.h: gossip_until_us) */
static uint64_t gossip_any_until_us;
/* the next repeat of the NOTICEs still owed (peer.h: notices); UINT64_MAX: none */
static uint64_t notice_due_us = UINT64_MAX;
static br_hmac_key_context beacon_kc;	/* keyed once: HMAC's two key blocks are half its cost */
static struct udp_pcb *pcb;

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
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static bool
alive(uint32_t node)
{
	return node >= 1 && node <= NODE_MAX && peers[node].state == XIPC_PEER_ALIVE;
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

/* Constant time: a forger learns nothing from how long a refusal took. */
static bool
tag_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (int i = 0; i < BEACON_TAG; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* Sends a beacon of kind magic to node to (0: broadcast), about s if not NULL. */
static void
send_beacon(uint32_t magic, uint32_t to, const struct subject *s)
{
	uint8_t b[SUBJECT_SIZE];
	size_t body = s ? SUBJECT_BODY : BEACON_BODY;
	struct pbuf *p;
	ip_addr_t a;

	put32(b, magic);
	put32(b + 4, me);
	put64(b + 8, boot_id);
	put64(b + 16, ++beacon_seq);
	put32(b + 24, my_inc);
	if (s) {
		put32(b + 28, s->node);
		put64(b + 32, s->boot);
		put32(b + 40, s->inc);
		put32(b + 44, s->arg);
	}
	beacon_tag(b, body, b + body);
	if (to && to == drop_to && port_now_us() / 1000 % DROP_PERIOD_MS < DROP_BURST_MS)
		return;	/* the test hook's lost path */
	if ((p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)(body + BEACON_TAG), PBUF_RAM)) == NULL)
		return;
	memcpy(p->payload, b, body + BEACON_TAG);
	ip_addr_set_ip4_u32(&a, lwip_htonl(to ? LAN_NET | to : LAN_BROADCAST));
	if (udp_sendto(pcb, p, &a, XIPC_BEACON_PORT) == ERR_OK)
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
 * The death our heartbeats carry this round, if any: those we learned in the
 * last CLUSTER_GOSSIP_MS in turn, so that a node that lost every NOTICE hears
 * it from the nodes before it around the ring (its watched ones).
 */
static bool
gossip_pick(uint64_t now, struct subject *s)
{
	static uint32_t last;

	if (now >= gossip_any_until_us)
		return false;
	for (uint32_t i = 1; i < node_high; i++) {
		uint32_t n = (last + i - 1) % (node_high - 1) + 1;
		struct peer *p = &peers[n];

		if (p->state == XIPC_PEER_DEAD && now < p->gossip_until_us) {
			last = n;
			*s = (struct subject){ n, p->boot, p->dead_inc, p->dead_silent };
			return true;
		}
	}
	return false;
}

/*
 * Our watchers are the first CLUSTER_WATCHERS live peers after us in node
 * order, around the ring; each gets a HEARTBEAT (with a recent death, if
 * any: gossip_pick), and one that stopped being a watcher gets
 * CLUSTER_RESIGNS RESIGNs (should all be lost, its suspicion's probe hears
 * from us that it watches us no more: ACK_WATCHER).
 */
static void
send_heartbeats(uint64_t now)
{
	uint32_t want = 0;
	struct subject g;
	bool gossip = gossip_pick(now, &g);

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
			send_beacon(HEARTBEAT_MAGIC, n, gossip ? &g : NULL);
		} else if (p->resigns) {
			p->resigns--;
			if (!drop_resigns)	/* the test hook: as if every one were lost */
				send_beacon(RESIGN_MAGIC, n, NULL);
		}
	}
}

/*
 * How long p may be silent before we suspect it (cluster.h): adapted to its
 * heartbeats when we watch it; otherwise a little over its announcements' gap.
 */
static uint64_t
suspect_after_us(const struct peer *p)
{
	uint64_t t = p->gap_us + 4 * p->gapvar_us + CLUSTER_SUSPECT_SLACK_MS * 1000ull;

	if (!p->watched)
		return CLUSTER_UNWATCHED_SUSPECT_MS * 1000ull;
	if (t < CLUSTER_SUSPECT_MS * 1000ull)
		return CLUSTER_SUSPECT_MS * 1000ull;
	return t > CLUSTER_SUSPECT_MAX_MS * 1000ull ? CLUSTER_SUSPECT_MAX_MS * 1000ull : t;
}

/* Whatever made us suspect p, it lives: the suspicion ends. */
static void
unsuspect(struct peer *p)
{
	if (p->suspect_us) {
		p->suspect_us = 0;
		xipc_stat[XIPC_STAT_SUSPICIONS_REFUTED]++;
	}
	p->noticed = false;
}

/*
 * When a suspicion of p becomes a death: at a silence of CLUSTER_DEAD_MS
 * where its heartbeats come to us or another node's word made us suspect it
 * (the 2 s bound); an unwatched peer's, CLUSTER_CONFIRM_MS after its
 * suspicion (12 s of silence: its probes' answer has that long).
 */
static uint64_t
death_due_us(const struct peer *p)
{
	uint64_t due = p->heard_us + CLUSTER_DEAD_MS * 1000ull;

	if (!p->watched && !p->noticed && due < p->suspect_us + CLUSTER_CONFIRM_MS * 1000ull)
		due = p->suspect_us + CLUSTER_CONFIRM_MS * 1000ull;
	return due;
}

/* Suspects p from now (a silence, or another node's word), its probes due at once. */
static void
suspect(struct peer *p, uint64_t now)
{
	p->suspect_us = now;
	p->suspect_inc = p->inc;
	p->probe_us = now;
	xipc_stat[XIPC_STAT_SUSPICIONS]++;
}

/*
 * Someone suspects us (or declared us dead) at incarnation inc: a higher one,
 * announced at once to every node, refutes it (a NOTICE of inc is then
 * refused wherever the announcement came first).
 */
static void
refute(uint32_t inc)
{
	if (inc < my_inc)
		return;	/* refuted already */
	my_inc = inc + 1;
	xipc_stat[XIPC_STAT_REFUTATIONS]++;
	next_announce_us = 0;
	watch_due_us = 0;
}

/* Asks node n whether it lives, and CLUSTER_PROBE_HELPERS live peers after it around the ring to ask it too. */
static void
probe(uint32_t n)
{
	struct subject s = { n, peers[n].boot, peers[n].suspect_inc, me };
	int helpers = 0;

	send_beacon(PROBE_MAGIC, n, &s);
	for (uint32_t i = 1; i < node_high && helpers < CLUSTER_PROBE_HELPERS; i++) {
		uint32_t h = (n + i - 1) % (node_high - 1) + 1;

		if (h != me && h != n && alive(h)) {
			send_beacon(PROBE_MAGIC, h, &s);
			helpers++;
		}
	}
}

/* Node n died at incarnation inc after a watcher's silence: our heartbeats gossip it for CLUSTER_GOSSIP_MS. */
static void
died(uint32_t n, const char *why, uint32_t inc, uint32_t silent, uint64_t now)
{
	struct peer *p = &peers[n];

	if (p->state != XIPC_PEER_ALIVE)
		return;
	peer_dead(n, why, silent);
	gossip_any_until_us = now + CLUSTER_GOSSIP_MS * 1000ull;
	p->dead_inc = inc;
	p->dead_silent = silent;
	p->gossip_until_us = now + CLUSTER_GOSSIP_MS * 1000ull;
}

/* Node n's suspicion was not refuted in time: dead, and every node hears it from us. */
static void
declare_dead(uint32_t n, uint64_t now)
{
	struct peer *p = &peers[n];
	uint32_t silent = (uint32_t)((now - p->heard_us) / 1000);
	struct subject s = { n, p->boot, p->suspect_inc, silent };

	send_beacon(NOTICE_MAGIC, 0, &s);
	xipc_stat[XIPC_STAT_NOTICES_OUT]++;
	died(n, "no beacon", p->suspect_inc, silent, now);
	p->notices = CLUSTER_NOTICE_REPEATS;
	if (notice_due_us > now + CLUSTER_NOTICE_REPEAT_MS * 1000ull)
		notice_due_us = now + CLUSTER_NOTICE_REPEAT_MS * 1000ull;
}

/* The NOTICEs owed (declare_dead), each broadcast again: one lost at a node that did not see the death must not leave its proxies. */
static void
repeat_notices(uint64_t now)
{
	notice_due_us = UINT64_MAX;
	for (uint32_t n = 1; n < node_high; n++) {
		struct peer *p = &peers[n];
		struct subject s = { n, p->boot, p->dead_inc, p->dead_silent };

		if (!p->notices)
			continue;
		if (p->state != XIPC_PEER_DEAD) {
			p->notices = 0;	/* heard again meanwhile */
			continue;
		}
		send_beacon(NOTICE_MAGIC, 0, &s);
		xipc_stat[XIPC_STAT_NOTICES_OUT]++;
		if (--p->notices)
			notice_due_us = now + CLUSTER_NOTICE_REPEAT_MS * 1000ull;
	}
}

/*
 * A helper tells the asker when it last heard the subject (the helpers are
 * its other watchers): the silence that decides a death runs from the last
 * datagram any of them heard, so a heartbeat lost on one path, or a starved
 * node that answered only another, costs no proxies. Only a silence short of
 * CLUSTER_DEAD_MS is worth saying.
 */
static void
vouch(uint32_t asker, uint32_t n)
{
	struct peer *q = &peers[n];
	uint64_t silent = port_now_us() - q->heard_us;
	struct subject v = { n, q->boot, q->inc, (uint32_t)(silent / 1000) };

	if (q->heard_us && silent < CLUSTER_DEAD_MS * 1000ull)
		send_beacon(VOUCH_MAGIC, asker, &v);
}

/* A VOUCH from helper from: it heard the subject s->arg ms ago, which may be later than we did. */
static void
on_vouch(const struct subject *s, uint64_t now)
{
	struct peer *q;
	uint64_t heard;

	if (!alive(s->node) || peers[s->node].boot != s->boot)
		return;
	q = &peers[s->node];
	heard = now - (uint64_t)s->arg * 1000;
	if (q->suspect_us && (uint64_t)s->arg * 1000 < now && heard > q->heard_us) {
		q->heard_us = heard;
		xipc_stat[XIPC_STAT_VOUCHES]++;
		watch_due_us = 0;	/* its death is later now */
	}
}

/* A PROBE from node from: about us (answer), or a request to probe its subject for it (a helper's part). */
static void
on_probe(uint32_t from, const struct subject *s)
{
	if (s->node == me) {
		struct subject a = { me, boot_id, 0, s->arg };

		if (s->boot != boot_id)
			return;	/* about an earlier boot of ours */
		refute(s->inc);
		a.inc = my_inc;
		if (alive(s->arg) && peers[s->arg].watcher)
			a.arg |= ACK_WATCHER;
		send_beacon(ACK_MAGIC, from, &a);
		return;
	}
	if (s->arg != from || !alive(s->node) || peers[s->node].boot != s->boot)
		return;
	send_beacon(PROBE_MAGIC, s->node, s);
	xipc_stat[XIPC_STAT_PROBES_RELAYED]++;
	vouch(from, s->node);
}

/* An ACK from node from: the subject's answer to our probe, or to a helper's (which we are: relay it). */
static void
on_ack(uint32_t from, const struct subject *s, uint64_t now)
{
	uint32_t origin = s->arg & ~ACK_WATCHER;
	struct peer *q;

	if (origin != me) {
		if (from == s->node && alive(origin)) {
			send_beacon(ACK_MAGIC, origin, s);
			xipc_stat[XIPC_STAT_PROBES_RELAYED]++;
		}
		return;
	}
	if (!alive(s->node) || s->node == me || peers[s->node].boot != s->boot)
		return;
	q = &peers[s->node];
	if (s->inc > q->inc)
		q->inc = s->inc;
	if (!(s->arg & ACK_WATCHER) && q->watched) {
		/* it resigned and every RESIGN was lost: not a death, and no more probes */
		q->watched = false;
		printf("gns: node %u is watched by others now (its RESIGNs were lost)\n", (unsigned)s->node);
	}
	if (q->suspect_us && s->inc > q->suspect_inc) {
		q->heard_us = now;
		unsuspect(q);
	}
}

/* The time the loop did not run, late beyond CLUSTER_STALL_MS: no peer could be heard in it, so it is no peer's silence. */
static void
stalled(uint64_t late, uint64_t now)
{
	xipc_stat[XIPC_STAT_STALLS]++;
	for (uint32_t n = 1; n < node_high; n++) {
		struct peer *p = &peers[n];

		if (p->state != XIPC_PEER_ALIVE || !p->heard_us)
			continue;	/* 0: the transport gave up on it */
		p->heard_us = p->heard_us + late < now ? p->heard_us + late : now;
		if (p->beacon_us)
			p->beacon_us = p->beacon_us + late < now ? p->beacon_us + late : now;
		if (p->suspect_us)
			p->suspect_us = p->suspect_us + late < now ? p->suspect_us + late : now;
	}
}

/*
 * A NOTICE from node from, or its heartbeat's gossip: the subject was
 * suspected at incarnation s->inc and did not answer its watcher.
 */
static void
on_notice(uint32_t from, const struct subject *s, bool gossip, uint64_t now)
{
	struct peer *q;
	char why[48];

	xipc_stat[gossip ? XIPC_STAT_GOSSIP_IN : XIPC_STAT_NOTICES_IN]++;
	if (drop_notices && !gossip)
		return;	/* the test hook: as if every NOTICE were lost on the way */
	if (s->node == me) {
		if (s->boot == boot_id) {
			printf("gns: node %u declared us dead (silent %u ms)\n", (unsigned)from, (unsigned)s->arg);
			refute(s->inc);
		}
		return;
	}
	if (!alive(s->node) || peers[s->node].boot != s->boot)
		return;	/* not the incarnation we know: an older one's death is no news */
	q = &peers[s->node];
	/* It refuted that suspicion (we heard a higher incarnation): alive. The watcher's false death is its own. */
	if (q->inc > s->inc) {
		xipc_stat[XIPC_STAT_NOTICES_REFUTED]++;
		return;
	}
	/*
	 * We heard it after its watcher last did (the transport's traffic
	 * counts: a gns busy with 16 MiB sends no heartbeat in time, but its
	 * acknowledgements come; a starved node answers our retransmissions
	 * first): our own silence decides, at CLUSTER_DEAD_MS, unless it speaks
	 * to us before.
	 */
	if ((now - q->heard_us) / 1000 + CLUSTER_NOTICE_SLACK_MS < CLUSTER_DEAD_MS) {
		if (!q->noticed)
			xipc_stat[XIPC_STAT_NOTICES_WAITED]++;
		if (!q->suspect_us)
			suspect(q, now);
		q->noticed = true;
		watch_due_us = 0;
		return;
	}
	if (gossip)
		snprintf(why, sizeof why, "node %u's gossip: no beacon", (unsigned)from);
	else
		snprintf(why, sizeof why, "node %u saw no beacon", (unsigned)from);
	died(s->node, why, s->inc, s->arg, now);
}

static void
on_beacon(void *arg, struct udp_pcb *upcb, struct pbuf *pb, const ip_addr_t *addr, u16_t port)
{
	uint32_t src = lwip_ntohl(ip_addr_get_ip4_u32(addr)), node, magic = 0, inc;
	uint8_t b[SUBJECT_SIZE], tag[BEACON_TAG];
	uint64_t boot, seq, now;
	size_t body = pb->tot_len == SUBJECT_SIZE ? SUBJECT_BODY : BEACON_BODY;
	struct subject s = {0};
	struct peer *p;
	bool ok = (pb->tot_len == BEACON_SIZE || pb->tot_len == SUBJECT_SIZE) &&
		  pbuf_copy_partial(pb, b, pb->tot_len, 0) == pb->tot_len;

	pbuf_free(pb);
	if (ok)
		magic = get32(b);
	if (!ok || !(body == SUBJECT_BODY ? magic == NOTICE_MAGIC || magic == PROBE_MAGIC || magic == ACK_MAGIC ||
		     magic == HEARTBEAT_MAGIC || magic == VOUCH_MAGIC :
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
	boot = get64(b + 8);
	seq = get64(b + 16);
	inc = get32(b + 24);
	if (body == SUBJECT_BODY) {
		s.node = get32(b + 28);
		s.boot = get64(b + 32);
		s.inc = get32(b + 40);
		s.arg = get32(b + 44);
	}
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
	if (p->boot != boot) {
		p->watched = false;	/* a new boot: its watchers, gaps and incarnations start again */
		p->inc = inc;
		p->suspect_us = 0;
	} else if (inc > p->inc) {
		p->inc = inc;
	}
	if (magic == HEARTBEAT_MAGIC) {
		if (p->watched && p->beacon_us)
			xport_smooth(&p->gap_us, &p->gapvar_us, now - p->beacon_us);
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
	unsuspect(p);	/* heard from it, authentic and fresh */
	if (p->state != XIPC_PEER_ALIVE) {
		p->state = XIPC_PEER_ALIVE;
		p->notices = 0;
		watch_due_us = 0;
		if (node >= node_high)
			node_high = node + 1;
		printf("gns: node %u alive\n", (unsigned)node);
		peer_alive(node, now);
		/* and it hears of us now, not at our next broadcast announcement */
		send_beacon(BEACON_MAGIC, node, NULL);
	}
	if (magic == NOTICE_MAGIC || (magic == HEARTBEAT_MAGIC && body == SUBJECT_BODY))
		on_notice(node, &s, magic == HEARTBEAT_MAGIC, now);
	else if (magic == PROBE_MAGIC)
		on_probe(node, &s);
	else if (magic == ACK_MAGIC)
		on_ack(node, &s, now);
	else if (magic == VOUCH_MAGIC)
		on_vouch(&s, now);
}

void
detect_heard(uint32_t node, uint64_t now)
{
	if (alive(node)) {
		peers[node].heard_us = now;
		unsuspect(&peers[node]);
	}
}

void
detect_wake(void)
{
	watch_due_us = 0;
}

/* Heartbeats, announcements, suspicions and deaths that are due: when next. */
static uint64_t
watch(uint64_t now)
{
	uint64_t next;

	if (now >= next_heartbeat_us) {
		send_heartbeats(now);
		next_heartbeat_us = now + beacon_gap_ms() * 1000ull;
	}
	if (now >= next_announce_us) {
		send_beacon(BEACON_MAGIC, 0, NULL);
		next_announce_us = now + announce_gap_ms * 1000ull;
		if ((announce_gap_ms *= 2) > CLUSTER_ANNOUNCE_MS)
			announce_gap_ms = CLUSTER_ANNOUNCE_MS;
	}
	if (now >= notice_due_us)
		repeat_notices(now);
	next = next_heartbeat_us < next_announce_us ? next_heartbeat_us : next_announce_us;
	if (next > notice_due_us)
		next = notice_due_us;
	/* a silence ends in a suspicion, and a suspicion in a death, at its own time, not at the next beacon's */
	for (uint32_t n = 1; n < node_high; n++) {
		struct peer *p = &peers[n];
		uint64_t due;

		if (p->state != XIPC_PEER_ALIVE)
			continue;
		if (!p->heard_us) {
			peer_dead(n, "the transport gave up", 0);
			continue;
		}
		if (!p->suspect_us) {
			due = p->heard_us + suspect_after_us(p);
			if (now < due) {
				if (next > due)
					next = due;
				continue;
			}
			suspect(p, now);
		}
		due = death_due_us(p);
		if (now >= due) {
			declare_dead(n, now);
			continue;
		}
		/* a round every CLUSTER_PROBE_MS: one lost probe or answer is no death, and a thawed node is heard at once */
		if (now >= p->probe_us) {
			probe(n);
			p->probe_us = now + CLUSTER_PROBE_MS * 1000ull;
		}
		if (due > p->probe_us)
			due = p->probe_us;
		if (next > due)
			next = due;
	}
	return next;
}

uint64_t
detect_tick(uint64_t now)
{
	/* the loop wakes by then at the latest (cluster_tick): later, it did not run */
	if (asked_us && now > asked_us + CLUSTER_STALL_MS * 1000ull)
		stalled(now - asked_us, now);
	if (now >= watch_due_us)
		asked_us = watch_due_us = watch(now);
	return watch_due_us;
}

void
detect_start(const struct gns_config *c, uint32_t node, struct udp_pcb *beacon_pcb)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t beacon_key[32];
	static const char info[] = "manifold xipc v2 beacon";

	me = node;
	drop_to = c->drop_beacons_to;
	drop_notices = c->drop_notices;
	drop_resigns = c->drop_resigns;
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
	pcb = beacon_pcb;
	udp_recv(pcb, on_beacon, NULL);
}
