/*
 * lwIP stacks in one process (a_, b_ and c_: copies of node.c with lwIP,
 * node.h), each the client of a frame session; a and b are joined back to
 * back by a wire that plays both drivers: it takes frames from one session's TX ring
 * and puts them into the other's RX ring. Under ASan and UBSan: ARP, ICMP
 * echo, UDP, a 1 MiB TCP stream with its hash, clean closes, RFC 6528 ISNs,
 * and (on a third stack, c_) a driver that breaks the rings. a's wire is a
 * NIC with checksum offload (FRAME_FEAT_TX_CSUM: it inserts the IPv4 and TCP
 * checksums a's frames ask for, as the 8254x does); b's is not. lwIP cannot be
 * started twice in one copy, so a and b live through all the cases, which
 * use ports and slots of their own and compare counters before and after.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <manifold/frame_ring.h>
#include "node.h"
#include "unit.h"

#define DECLARE(ret, name, params) ret a_##name params; ret b_##name params; ret c_##name params;
NODE_API(DECLARE)
#undef DECLARE

struct node {
#define FIELD(ret, name, params) ret(*name) params;
	NODE_API(FIELD)
#undef FIELD
	struct frame_end driver;	/* the wire's end of this node's session */
	void *region;
	size_t size;
	uint32_t ip;
	uint8_t mac[6];
	bool asleep;			/* emptied its RX ring and asked for a kick */
	uint32_t woken;			/* kicks the wire sent it */
};

#define INIT(ret, name, params) .name = a_##name,
static struct node a = { NODE_API(INIT) .ip = 0x0a4d0001, .mac = { 2, 0, 0, 0, 0, 1 } };
#undef INIT
#define INIT(ret, name, params) .name = b_##name,
static struct node b = { NODE_API(INIT) .ip = 0x0a4d0002, .mac = { 2, 0, 0, 0, 0, 2 } };
#undef INIT
#define INIT(ret, name, params) .name = c_##name,
static struct node c = { NODE_API(INIT) .ip = 0x0a4d0003, .mac = { 2, 0, 0, 0, 0, 3 } };
#undef INIT

/* What the wire does to each frame: deliver, drop, or send it back where it came from. */
static int drop_every;		/* 0: none; n: every nth frame */
static bool echo_to_sender;
static uint32_t wire_frames;
/* Frames the wire gave a sleeping node without the ring asking for a kick: lost wakeups. */
static uint32_t lost_kicks;
/* Frames the wire inserted checksums into (a's), and frames b flagged (none should be). */
static uint32_t wire_offloaded, wire_flagged_by_b;
/* Frames to corrupt_to: every corrupt_every-th has its last byte flipped and RX flags corrupt_flags. */
static struct node *corrupt_to;
static int corrupt_every;
static uint32_t corrupt_flags, corrupted;

/* The Internet checksum's sum over n bytes, as a NIC computes it. */
static uint32_t
sum16(const uint8_t *p, uint32_t n, uint32_t sum)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * The NIC's checksum insertion (the 8254x's context and data descriptors):
 * over the IPv4 header, and over the TCP segment with the field's own
 * contents (lwIP left the pseudo-header's sum there), the complement stored.
 */
static void
nic_insert(uint8_t *f, uint32_t len, uint32_t flags)
{
	uint32_t ihl = (f[14] & 0x0fu) * 4, total = (uint32_t)f[16] << 8 | f[17], s;

	EXPECT(len >= 34 && f[12] == 0x08 && f[13] == 0 && 14 + total <= len);
	if (flags & FRAME_TX_CSUM_TCP) {
		EXPECT_EQ(f[23], 6);
		s = ~sum16(f + 14 + ihl, total - ihl, 0) & 0xffff;
		f[14 + ihl + 16] = (uint8_t)(s >> 8);
		f[14 + ihl + 17] = (uint8_t)s;
	}
	if (flags & FRAME_TX_CSUM_IP) {
		s = ~sum16(f + 14, ihl, 0) & 0xffff;
		f[24] = (uint8_t)(s >> 8);
		f[25] = (uint8_t)s;
	}
}

/* A node's session: rx and tx slots, as the driver (the wire) lays them out, offering features. */
static void
start(struct node *n, uint32_t rx, uint32_t tx, uint32_t features)
{
	n->size = frame_region_size(rx, tx);
	n->region = malloc(n->size);
	n->asleep = false;
	n->woken = 0;
	EXPECT_EQ(frame_region_init_features(&n->driver, n->region, n->size, rx, tx, features), 0);
	EXPECT_EQ(n->node_start(n->region, n->size, n->mac, n->ip), 0);
}

/* The pair, started on first use; b serves UDP echo on 7 and a TCP sink on 5001. */
static void
setup(void)
{
	static bool started;

	drop_every = 0;
	echo_to_sender = false;
	wire_frames = 0;
	corrupt_to = NULL;
	corrupt_every = 0;
	if (started)
		return;
	started = true;
	/* a's TX ring is smaller than TCP's window: a stream fills it */
	start(&a, 64, 8, FRAME_FEAT_TX_CSUM);
	start(&b, 64, 64, 0);
	EXPECT_EQ(b.node_udp_echo(7), 0);
	EXPECT_EQ(b.node_tcp_sink(5001), 0);
}

/*
 * Moves what `from` sent into `to`'s RX ring, as far as it has room (the
 * rest waits in from's TX ring), and kicks `to` if it sleeps.
 */
static void
carry(struct node *from, struct node *to)
{
	const uint8_t *frame;
	int len;

	while ((len = frame_ring_peek(&from->driver.in, &frame)) >= 0) {
		struct node *dest = echo_to_sender ? from : to;
		uint32_t flags = frame_ring_peeked_flags(&from->driver.in), rx_flags = 0;
		static uint8_t copy[FRAME_DATA_MAX];

		wire_frames++;
		memcpy(copy, frame, (size_t)len);
		if (flags && from->driver.features & FRAME_FEAT_TX_CSUM) {
			nic_insert(copy, (uint32_t)len, flags);
			wire_offloaded++;
		} else if (flags) {
			wire_flagged_by_b++;
		}
		if (dest == corrupt_to && corrupt_every && wire_frames % corrupt_every == 0 && len > 54) {
			copy[len - 1] ^= 0x40;
			rx_flags = corrupt_flags;
			corrupted++;
		}
		if (!(drop_every && wire_frames % drop_every == 0) &&
		    frame_ring_put_flags(&dest->driver.out, copy, (uint32_t)len, rx_flags) == FRAME_RING_FULL)
			break;
		frame_ring_consume(&from->driver.in);
		if (frame_ring_kick_producer(&from->driver.in)) {
			from->asleep = false;	/* room in its TX ring */
			from->woken++;
		}
		if (frame_ring_kick_consumer(&dest->driver.out)) {
			dest->asleep = false;
			dest->woken++;
		} else if (dest->asleep) {
			lost_kicks++;
		}
	}
}

static uint64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/*
 * A node sleeps as gns will: once its RX ring is empty and it has asked for
 * a kick. Only the wire's kick wakes it, or its timers (every 20 ms here).
 */
static void
step(struct node *n, uint64_t t)
{
	if (n->asleep && t % 20 != 0)
		return;
	n->asleep = false;
	if (n->node_poll() == 0 && n->node_may_sleep())
		n->asleep = true;
}

/* Runs the pair until done() or limit_ms pass; no wakeup may be lost meanwhile. */
static bool
run_until(bool (*done)(void), unsigned limit_ms)
{
	uint64_t end = now_ms() + limit_ms;
	bool ok;

	lost_kicks = 0;
	while (!(ok = done())) {
		uint64_t t = now_ms();

		if (t > end)
			break;
		step(&a, t);
		carry(&a, &b);
		step(&b, t);
		carry(&b, &a);
	}
	EXPECT_EQ(lost_kicks, 0);
	return ok;
}

static int want_pings;
static bool
pinged(void)
{
	return a.node_ping_replies() >= want_pings;
}

UNIT_TEST(lwip_pair_arp_resolves_and_icmp_echo_answers)
{
	uint8_t mac[6];
	int before;
	uint32_t woken;

	setup();
	before = a.node_ping_replies();
	woken = b.woken;
	for (uint16_t seq = 1; seq <= 3; seq++) {
		EXPECT_EQ(a.node_ping(b.ip, seq), 0);
		want_pings = before + seq;
		EXPECT(run_until(pinged, 2000));
	}
	EXPECT_EQ(a.node_ping_replies(), before + 3);
	EXPECT(b.woken > woken);	/* b slept between pings and the kick woke it */
	EXPECT(a.node_arp_lookup(b.ip, mac));
	EXPECT(memcmp(mac, b.mac, 6) == 0);
	EXPECT(b.node_arp_lookup(a.ip, mac));	/* learnt from the request */
	EXPECT(memcmp(mac, a.mac, 6) == 0);
}

static int udp_len;
static uint8_t udp_buf[1500];
static bool
udp_answered(void)
{
	return (udp_len = a.node_udp_reply(udp_buf, sizeof udp_buf)) >= 0;
}

UNIT_TEST(lwip_pair_udp_datagram_round_trips)
{
	uint8_t msg[1000];

	setup();
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	EXPECT_EQ(a.node_udp_send(b.ip, 7, msg, sizeof msg), 0);
	EXPECT(run_until(udp_answered, 2000));
	EXPECT_EQ(udp_len, (int)sizeof msg);
	EXPECT(memcmp(udp_buf, msg, sizeof msg) == 0);
}

/* ---- gns's udp_direct.c: the transport's datagrams beside lwIP ---- */

static int direct_before;

static bool
a_knows_b(void)
{
	uint8_t mac[6];

	return a.node_arp_lookup(b.ip, mac);
}

static bool
b_got_one_more(void)
{
	uint8_t buf[1500];
	uint32_t src;

	return b.node_direct_got(buf, sizeof buf, &src) > direct_before;
}

/* The IPv4 header's checksum made again after a change. */
static void
ip_sum_again(uint8_t *f)
{
	uint32_t s;

	f[24] = f[25] = 0;
	s = ~sum16(f + 14, 20, 0) & 0xffff;
	f[24] = (uint8_t)(s >> 8);
	f[25] = (uint8_t)s;
}

/*
 * A datagram made beside lwIP is a right IPv4/UDP frame (DF, no UDP
 * checksum, the header's sum right) and is taken beside lwIP at the other
 * end, whole, with its source; frames that are not plain are left to lwIP:
 * a wrong header checksum, a fragment, a UDP checksum, another address, a
 * broadcast source, a length past the frame.
 */
UNIT_TEST(lwip_pair_transport_datagrams_pass_beside_lwip_and_odd_ones_do_not)
{
	uint8_t msg[200], got[1500], frame[FRAME_DATA_MAX], bad[FRAME_DATA_MAX];
	const uint8_t *f;
	uint32_t src = 0;
	int len;

	setup();
	a.node_direct_start(7700);
	b.node_direct_start(7700);
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 13 + 1);
	/* the first to a peer is lwIP's: it learns the MAC and keeps its ARP entry in use */
	EXPECT(!a.node_direct_send(b.ip, msg, sizeof msg, 1000));
	EXPECT_EQ(a.node_udp_send(b.ip, 9, msg, 1), 0);
	EXPECT(run_until(a_knows_b, 2000));
	carry(&a, &b);	/* (the datagram to port 9 that waited for the address) */
	direct_before = b.node_direct_got(got, sizeof got, &src);
	EXPECT(a.node_direct_send(b.ip, msg, sizeof msg, 2000));
	len = frame_ring_peek(&a.driver.in, &f);
	EXPECT_EQ(len, 14 + 28 + (int)sizeof msg);
	if (len != 14 + 28 + (int)sizeof msg)
		return;
	memcpy(frame, f, (size_t)len);
	EXPECT(frame[12] == 0x08 && frame[13] == 0 && frame[14] == 0x45 && frame[23] == 17);
	EXPECT(frame[20] == 0x40 && frame[21] == 0);		/* DF, no fragment */
	EXPECT(frame[40] == 0 && frame[41] == 0);		/* no UDP checksum */
	EXPECT_EQ(sum16(frame + 14, 20, 0), 0xffff);
	EXPECT(run_until(b_got_one_more, 2000));
	EXPECT_EQ(b.node_direct_got(got, sizeof got, &src), direct_before + 1);
	EXPECT_EQ(src, a.ip);
	EXPECT(memcmp(got, msg, sizeof msg) == 0);
	/* a later lwIP turn: ten seconds on */
	EXPECT(!a.node_direct_send(b.ip, msg, sizeof msg, 2000 + 10 * 1000000ull));
	EXPECT(a.node_direct_send(b.ip, msg, sizeof msg, 2001 + 10 * 1000000ull));
	EXPECT(run_until(b_got_one_more, 2000));

	direct_before = b.node_direct_got(got, sizeof got, &src);
	for (int k = 0; k < 6; k++) {
		memcpy(bad, frame, (size_t)len);
		switch (k) {
		case 0:
			bad[24] ^= 1;
			break;
		case 1:
			bad[20] |= 0x20;	/* more fragments */
			ip_sum_again(bad);
			break;
		case 2:
			bad[41] = 1;
			break;
		case 3:
			bad[33] ^= 0x40;
			ip_sum_again(bad);
			break;
		case 4:
			bad[28] = bad[29] = 0xff;	/* 10.77.255.255, the subnet's broadcast */
			ip_sum_again(bad);
			break;
		default:
			bad[16] = 0x05;			/* 1,280 and more bytes in a frame of 242 */
			ip_sum_again(bad);
			break;
		}
		EXPECT_EQ(frame_ring_put_flags(&b.driver.out, bad, (uint32_t)len, 0), 0);
		b.node_poll();
		EXPECT_EQ(b.node_direct_got(got, sizeof got, &src), direct_before);
	}
}

static bool
streams_done(void)
{
	struct node_tcp src, sink;

	a.node_tcp_result(1, &src);
	b.node_tcp_result(NODE_SINK_SLOT, &sink);
	return (sink.fin && a.node_tcp_active() == 0 && b.node_tcp_active() == 0) || src.error || sink.error;
}

static uint32_t
pattern_hash(uint32_t bytes)
{
	uint32_t h = NODE_HASH_START;

	for (uint32_t i = 0; i < bytes; i++) {
		uint8_t c = node_pattern(i);

		h = node_hash(h, &c, 1);
	}
	return h;
}

/* One stream from a to b, checked at both ends and against the pattern itself. */
static void
transfer(uint32_t bytes, int slot, unsigned limit_ms)
{
	struct node_tcp src, sink;

	b.node_tcp_forget();
	EXPECT_EQ(a.node_tcp_source(slot, b.ip, 5001, bytes), 0);
	EXPECT(run_until(streams_done, limit_ms));
	a.node_tcp_result(slot, &src);
	b.node_tcp_result(NODE_SINK_SLOT, &sink);
	EXPECT(!src.error && !sink.error);
	EXPECT_EQ(src.bytes, bytes);
	EXPECT_EQ(sink.bytes, bytes);
	EXPECT_EQ(sink.hash, pattern_hash(bytes));
	EXPECT_EQ(src.hash, sink.hash);
	EXPECT(src.fin && sink.fin);
	EXPECT_EQ(a.node_tcp_active(), 0);
	EXPECT_EQ(b.node_tcp_active(), 0);
}

UNIT_TEST(lwip_pair_tcp_moves_1_mib_intact_and_closes_cleanly)
{
	struct node_counts ca0, cb0, ca, cb;
	uint32_t woken0;

	setup();
	a.node_counts(&ca0);
	b.node_counts(&cb0);
	woken0 = b.woken;
	transfer(1 << 20, 1, 20000);
	a.node_counts(&ca);
	b.node_counts(&cb);
	/* About 720 full segments went one way: kicks only when b slept, never one per frame. */
	EXPECT(ca.tx_frames - ca0.tx_frames > 700);
	EXPECT(b.woken - woken0 < ca.tx_frames - ca0.tx_frames);
	EXPECT_EQ(ca.rx_dropped - ca0.rx_dropped + cb.rx_dropped - cb0.rx_dropped, 0);
	/* a's 8-slot TX ring was full at times; the held segments went as soon as it had room */
	EXPECT(ca.tx_dropped > ca0.tx_dropped);
	EXPECT(ca.tx_resumed > ca0.tx_resumed);
	printf("# 1 MiB: a sent %u frames (%u found its TX ring full), b %u; b was kicked %u times\n",
	       ca.tx_frames - ca0.tx_frames, ca.tx_dropped - ca0.tx_dropped, cb.tx_frames - cb0.tx_frames,
	       b.woken - woken0);
}

/* Every 13th frame lost on the wire: TCP's retransmissions still deliver every byte. */
UNIT_TEST(lwip_pair_tcp_survives_a_lossy_wire)
{
	setup();
	drop_every = 13;
	transfer(64 * 1024, 1, 60000);
}

static bool
connected_twice(void)
{
	struct node_tcp s2, s3;

	a.node_tcp_result(2, &s2);
	a.node_tcp_result(3, &s3);
	return (s2.fin && s3.fin) || s2.error || s3.error;
}

/* RFC 6528: ISN = 4-microsecond clock + a keyed hash of the 4-tuple. */
UNIT_TEST(lwip_pair_tcp_isns_come_from_the_keyed_hook)
{
	struct node_tcp s2, s3;
	uint32_t x, y;

	setup();
	EXPECT_EQ(a.node_tcp_source(2, b.ip, 5001, 100), 0);
	EXPECT_EQ(a.node_tcp_source(3, b.ip, 5001, 100), 0);
	EXPECT(run_until(connected_twice, 5000));
	a.node_tcp_result(2, &s2);
	a.node_tcp_result(3, &s3);
	/* Two connections (two local ports) differ by far more than the clock moved. */
	EXPECT(s2.isn - s3.isn > 1000000u && s3.isn - s2.isn > 1000000u);
	/* The same tuple now, through the hook: the clock's advance only (1 per 4 us). */
	x = a.node_isn(a.ip, 49152, b.ip, 5001);
	y = a.node_isn(a.ip, 49152, b.ip, 5001);
	EXPECT(y - x < 25000u);		/* under 100 ms apart */
	/* The other stack has its own key. */
	y = b.node_isn(a.ip, 49152, b.ip, 5001);
	EXPECT(y - x > 1000000u && x - y > 1000000u);
}

static bool
never(void)
{
	return false;
}

/* Echoed back, a's frames (its ping, or an ARP request) reach a again, and a drops them. */
UNIT_TEST(lwip_pair_drops_its_own_frames_heard_back)
{
	struct node_counts c0, c1;
	int before;

	setup();
	echo_to_sender = true;
	a.node_counts(&c0);
	before = a.node_ping_replies();
	EXPECT_EQ(a.node_ping(b.ip, 9), 0);
	run_until(never, 100);
	a.node_counts(&c1);
	EXPECT(c1.tx_frames > c0.tx_frames);
	EXPECT_EQ(c1.rx_dropped - c0.rx_dropped, c1.tx_frames - c0.tx_frames);
	EXPECT_EQ(c1.rx_frames, c0.rx_frames);
	EXPECT_EQ(a.node_ping_replies(), before);
}

/*
 * A driver whose region is not a frame region is refused; one that writes an
 * impossible index takes the link down, and nothing else happens.
 */
UNIT_TEST(lwip_pair_netif_survives_a_driver_that_breaks_the_rings)
{
	struct frame_region_header *h;
	struct node_counts n;
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x08, 0x06 };
	static uint8_t bogus[8192];

	/* first a region whose header is not a frame region's: refused, nothing added */
	memset(bogus, 0x5a, sizeof bogus);
	EXPECT_EQ(c.node_start(bogus, sizeof bogus, c.mac, c.ip), -1);
	start(&c, 64, 64, 0);
	c.node_poll();
	c.node_counts(&n);
	EXPECT(!n.broken && n.link_up);
	/* one honest frame, then an index 1000 frames ahead in a 64-slot ring */
	EXPECT_EQ(frame_ring_put(&c.driver.out, frame, sizeof frame), 0);
	h = c.region;
	h->rx.prod = c.driver.out.mine + 1000;
	for (int i = 0; i < 10; i++)
		c.node_poll();
	c.node_counts(&n);
	EXPECT(n.broken);
	EXPECT(!n.link_up);
	EXPECT_EQ(n.rx_frames, 0);
	/* sending fails instead of touching the rings */
	EXPECT(c.node_udp_send(a.ip, 7, frame, 10) != 0);
}

/*
 * Checksum offload: a's TCP frames leave lwIP without their TCP checksums,
 * flagged, and the wire (a's NIC) inserts them; b, which checks
 * everything, takes the stream whole. b's frames are never flagged.
 */
UNIT_TEST(lwip_pair_checksums_offered_by_the_driver_are_left_to_it)
{
	uint32_t offloaded = wire_offloaded;

	setup();
	transfer(256 * 1024, 1, 20000);
	EXPECT(wire_offloaded - offloaded > 180);
	EXPECT_EQ(wire_flagged_by_b, 0);
}

static bool
a_sink_done(void)
{
	struct node_tcp src, sink;

	b.node_tcp_result(1, &src);
	a.node_tcp_result(NODE_SINK_SLOT, &sink);
	return (sink.fin && a.node_tcp_active() == 0 && b.node_tcp_active() == 0) || src.error || sink.error;
}

/*
 * A frame with a wrong checksum is not delivered, unless the NIC says it
 * checked it: a corrupted UDP echo never reaches a, the same claimed right
 * by the NIC (FRAME_RX_L4_OK) does; a TCP stream to a whose every 7th frame
 * is corrupted still arrives exact (a's lwIP checks TCP on frames from the
 * wire though it makes none itself), the corrupted ones sent again.
 */
UNIT_TEST(lwip_pair_a_frame_with_a_wrong_checksum_is_not_delivered)
{
	uint8_t msg[200];
	struct node_tcp sink;
	uint32_t before;

	setup();
	memset(msg, 0x11, sizeof msg);
	corrupt_to = &a;
	corrupt_every = 1;
	corrupt_flags = 0;
	EXPECT_EQ(a.node_udp_send(b.ip, 7, msg, sizeof msg), 0);
	EXPECT(!run_until(udp_answered, 300));
	corrupt_flags = FRAME_RX_IP_OK | FRAME_RX_L4_OK;
	EXPECT_EQ(a.node_udp_send(b.ip, 7, msg, sizeof msg), 0);
	EXPECT(run_until(udp_answered, 2000));
	EXPECT_EQ(udp_len, (int)sizeof msg);
	EXPECT_EQ(udp_buf[sizeof msg - 1], 0x11 ^ 0x40);	/* believed: its checksum was not looked at */

	corrupt_every = 7;
	corrupt_flags = 0;
	before = corrupted;
	a.node_tcp_forget();
	EXPECT_EQ(a.node_tcp_sink(5002), 0);
	EXPECT_EQ(b.node_tcp_source(1, a.ip, 5002, 64 * 1024), 0);
	EXPECT(run_until(a_sink_done, 20000));
	a.node_tcp_result(NODE_SINK_SLOT, &sink);
	EXPECT(!sink.error && sink.fin);
	EXPECT_EQ(sink.bytes, 64 * 1024);
	EXPECT_EQ(sink.hash, pattern_hash(64 * 1024));
	EXPECT(corrupted - before > 5);
}

static bool
a_to_itself_done(void)
{
	struct node_tcp src, sink;

	a.node_tcp_result(2, &src);
	a.node_tcp_result(NODE_SINK_SLOT, &sink);
	return (sink.fin && src.fin) || src.error || sink.error;
}

/*
 * TCP to a's own address loops inside lwIP, never through the driver: its
 * segments carry no checksum where the driver would insert one, and a takes
 * them (its netif checks no TCP checksum between wire frames).
 */
UNIT_TEST(lwip_pair_tcp_to_its_own_address_passes_by_the_offload)
{
	struct node_tcp src, sink;
	uint32_t offloaded = wire_offloaded;

	setup();
	a.node_tcp_forget();
	EXPECT_EQ(a.node_tcp_sink(5003), 0);
	EXPECT_EQ(a.node_tcp_source(2, a.ip, 5003, 64 * 1024), 0);
	EXPECT(run_until(a_to_itself_done, 20000));
	a.node_tcp_result(2, &src);
	a.node_tcp_result(NODE_SINK_SLOT, &sink);
	EXPECT(!src.error && !sink.error && sink.fin);
	EXPECT_EQ(sink.bytes, 64 * 1024);
	EXPECT_EQ(sink.hash, pattern_hash(64 * 1024));
	EXPECT_EQ(wire_offloaded, offloaded);	/* nothing went out */
}

static uint32_t b_rx_before;
static bool
b_got_20_more(void)
{
	struct node_counts n;

	b.node_counts(&n);
	return n.rx_frames - b_rx_before >= 20;
}

/*
 * Datagrams that find the TX ring full (a's has 8 slots) wait for the
 * driver's kick instead of being lost: a burst of 20 all leave a, in order
 * of sending, and all reach b.
 */
UNIT_TEST(lwip_pair_datagrams_wait_for_room_in_a_full_tx_ring)
{
	uint8_t msg[100];
	struct node_counts a0, a1, b0;

	setup();
	memset(msg, 0x22, sizeof msg);
	EXPECT_EQ(a.node_udp_send(b.ip, 7, msg, sizeof msg), 0);	/* ARP first */
	EXPECT(run_until(udp_answered, 2000));
	a.node_counts(&a0);
	b.node_counts(&b0);
	b_rx_before = b0.rx_frames;
	for (int i = 0; i < 20; i++) {
		msg[0] = (uint8_t)i;
		EXPECT_EQ(a.node_udp_send(b.ip, 7, msg, sizeof msg), 0);
	}
	EXPECT(run_until(b_got_20_more, 2000));
	a.node_counts(&a1);
	EXPECT_EQ(a1.tx_dropped, a0.tx_dropped);
	EXPECT(a1.tx_queued - a0.tx_queued >= 12);
	EXPECT_EQ(a1.tx_frames - a0.tx_frames, 20);
	run_until(never, 100);	/* the echoes, answered before the next case */
	EXPECT(udp_answered());
	EXPECT_EQ(udp_buf[0], 19);	/* the last one sent came back last */
}

/*
 * servers/gns/sock_rx.c on a stack's own pbufs: a socket keeps one pool pbuf,
 * copies the rest (3,000 one-byte segments packed into two chunks, full and
 * heap segments), every byte read back in order, the pool back where it was.
 * node_sock_rx_check returns the number of the first check that failed.
 */
UNIT_TEST(sock_rx_keeps_one_pool_pbuf_and_copies_the_rest)
{
	EXPECT_EQ(c.node_sock_rx_check(), 0);
}
