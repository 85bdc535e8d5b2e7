/*
 * The `gns` suite: gns booted with node=3 finds this task as its NIC
 * (nicdriver.c) and opens a frame session; the cases then talk to gns
 * through the rings, as the wire would: ARP, ICMP echo, a burst larger than
 * the ring, garbage frames. Every wait for gns's answer sleeps until gns
 * kicks us, so the kick protocol is under test too. Ends QEMU (debug_exit).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/frame_pager.h>
#include <manifold/trap.h>
#include "../user/suite.h"
#include "nicdriver.h"
#include "byteorder.h"

#define PEER_IP	0x0a4d0009u		/* 10.77.0.9: us, as a host on the LAN */
#define GNS_IP	0x0a4d0003u		/* node=3 */
#define ETH_ARP	0x0806
#define ETH_IP	0x0800

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 };
static const uint8_t gns_mac[6] = NIC_MAC;
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* The Internet checksum: 0 over data that carries a correct one. */
static uint16_t
csum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

static uint32_t
arp_request(uint8_t *f, uint32_t target)
{
	uint8_t *a = f + 14;

	eth(f, broadcast, peer_mac, ETH_ARP);
	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETH_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);		/* request */
	memcpy(a + 8, peer_mac, 6);
	put32(a + 14, PEER_IP);
	memset(a + 18, 0, 6);
	put32(a + 24, target);
	return 60;			/* padded to Ethernet's minimum */
}

/* An echo request from us to gns with `payload` bytes of a pattern. */
static uint32_t
ping(uint8_t *f, uint16_t seq, uint32_t payload)
{
	uint8_t *ip = f + 14, *icmp = ip + 20;

	eth(f, gns_mac, peer_mac, ETH_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + payload));
	put16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = 1;			/* ICMP */
	put32(ip + 12, PEER_IP);
	put32(ip + 16, GNS_IP);
	put16(ip + 10, csum(ip, 20));
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0x4d46);
	put16(icmp + 6, seq);
	for (uint32_t i = 0; i < payload; i++)
		icmp[8 + i] = (uint8_t)(seq + i * 3);
	put16(icmp + 2, csum(icmp, 8 + payload));
	return 14 + 20 + 8 + payload;
}

/* Whether f is gns's echo reply to ping(seq, payload), with both checksums right. */
static bool
is_echo_reply(const uint8_t *f, int len, uint16_t seq, uint32_t payload)
{
	const uint8_t *ip = f + 14, *icmp = ip + 20;

	if (len < (int)(14 + 20 + 8 + payload) || get16(f + 12) != ETH_IP || memcmp(f, peer_mac, 6) != 0 ||
	    ip[9] != 1 || get32(ip + 12) != GNS_IP || get32(ip + 16) != PEER_IP || csum(ip, 20) != 0)
		return false;
	if (icmp[0] != 0 || get16(icmp + 4) != 0x4d46 || get16(icmp + 6) != seq ||
	    csum(icmp, 8 + payload) != 0)
		return false;
	for (uint32_t i = 0; i < payload; i++)
		if (icmp[8 + i] != (uint8_t)(seq + i * 3))
			return false;
	return true;
}

static uint8_t frame[FRAME_DATA_MAX], reply[FRAME_DATA_MAX];

/* The next frame gns sends that is an echo reply (others, such as its ARP, are skipped). */
static bool
echo_answered(uint16_t seq, uint32_t payload)
{
	for (int i = 0; i < 8; i++) {
		int len = nic_receive(reply, sizeof reply, 2000);

		if (len < 0)
			return false;
		if (is_echo_reply(reply, len, seq, payload))
			return true;
	}
	return false;
}

static void
gns_opens_a_session_with_shared_rings(void)
{
	CHECK(nic_wait_for_open(5000));
	CHECK_EQ(nic.rx_asked, 256);
	CHECK_EQ(nic.tx_asked, 256);
	CHECK(frame_pager_requests > 0);	/* the region is the memory object's */
}

static void
gns_answers_arp_for_its_address(void)
{
	int len;

	CHECK(nic_send(frame, arp_request(frame, GNS_IP), 1000));
	/* gns may announce itself first (gratuitous ARP): look for the reply to us */
	for (int i = 0; i < 4; i++) {
		len = nic_receive(reply, sizeof reply, 2000);
		CHECK(len >= 42);
		if (get16(reply + 12) == ETH_ARP && get16(reply + 14 + 6) == 2 && get32(reply + 14 + 24) == PEER_IP)
			break;
	}
	CHECK_EQ(get16(reply + 12), ETH_ARP);
	CHECK_EQ(get16(reply + 14 + 6), 2);		/* a reply */
	CHECK(memcmp(reply, peer_mac, 6) == 0);		/* to us */
	CHECK(memcmp(reply + 14 + 8, gns_mac, 6) == 0);	/* gns's MAC... */
	CHECK_EQ(get32(reply + 14 + 14), GNS_IP);	/* ...for its address */
	CHECK_EQ(get32(reply + 14 + 24), PEER_IP);
}

static void
gns_answers_icmp_echo(void)
{
	for (uint16_t seq = 1; seq <= 3; seq++) {
		CHECK(nic_send(frame, ping(frame, seq, 56), 1000));
		CHECK(echo_answered(seq, 56));
	}
	CHECK(nic_send(frame, ping(frame, 4, 1400), 1000));
	CHECK(echo_answered(4, 1400));
}

/* Once idle, gns has asked for a kick on its RX ring: our next frame needs a message, the rest none. */
static void
gns_sleeps_with_a_kick_requested(void)
{
	uint32_t kicks;

	for (int i = 0; i < 50 && !__atomic_load_n(&nic.region->rx.cons_wants_kick, __ATOMIC_ACQUIRE); i++)
		trap_thread_yield();
	CHECK_EQ(__atomic_load_n(&nic.region->rx.cons_wants_kick, __ATOMIC_ACQUIRE), 1);
	kicks = nic.kicks_out;
	CHECK(nic_send(frame, ping(frame, 5, 56), 1000));
	CHECK_EQ(nic.kicks_out, kicks + 1);
	CHECK(echo_answered(5, 56));
}

/*
 * 1,000 echo requests through a 256-slot ring, at most 128 unanswered at a
 * time (more could overflow gns's TX ring, whose frames lwIP then drops):
 * every one answered, once.
 */
static void
gns_answers_a_burst_larger_than_the_ring(void)
{
	static uint8_t seen[1000];
	uint32_t sent = 0, answered = 0;
	uint64_t end = now_ms() + 30000;

	memset(seen, 0, sizeof seen);
	while (answered < 1000 && now_ms() < end) {
		int len;
		uint16_t seq;

		while (sent < 1000 && sent - answered < 128 && frame_ring_free_slots(&nic.end.out) > 0) {
			CHECK(nic_send(frame, ping(frame, (uint16_t)(1000 + sent), 64), 1000));
			sent++;
		}
		len = nic_receive(reply, sizeof reply, 2000);
		CHECK(len > 0);
		seq = len >= 42 ? get16(reply + 14 + 20 + 6) : 0;
		if (seq >= 1000 && seq < 2000 && is_echo_reply(reply, len, seq, 64)) {
			CHECK(!seen[seq - 1000]);
			seen[seq - 1000] = 1;
			answered++;
		}
	}
	CHECK_EQ(answered, 1000);
}

/* 2,000 frames of every length and random bytes, some posing as IPv4: gns still answers. */
static void
gns_survives_garbage_frames(void)
{
	suite_seed(13);
	for (int i = 0; i < 2000; i++) {
		uint32_t len = rnd() % (FRAME_DATA_MAX + 1);

		for (uint32_t j = 0; j < len; j++)
			frame[j] = (uint8_t)rnd();
		if (len >= 14 && (i & 1)) {
			memcpy(frame, gns_mac, 6);
			put16(frame + 12, i & 2 ? ETH_IP : ETH_ARP);
		}
		CHECK(nic_send(frame, len, 2000));
		while (nic_receive(reply, sizeof reply, 0) >= 0)
			;		/* whatever gns answers (ICMP errors...) */
	}
	CHECK(nic_send(frame, ping(frame, 7, 56), 1000));
	CHECK(echo_answered(7, 56));
	CHECK_EQ(frame_pager_returns, 0);
}

static const struct test tests[] = {
	{ "gns_opens_a_session_with_shared_rings", gns_opens_a_session_with_shared_rings },
	{ "gns_answers_arp_for_its_address", gns_answers_arp_for_its_address },
	{ "gns_answers_icmp_echo", gns_answers_icmp_echo },
	{ "gns_sleeps_with_a_kick_requested", gns_sleeps_with_a_kick_requested },
	{ "gns_answers_a_burst_larger_than_the_ring", gns_answers_a_burst_larger_than_the_ring },
	{ "gns_survives_garbage_frames", gns_survives_garbage_frames },
};

int
main(void)
{
	int fail;

	if (!nic_start()) {
		printf("nictest: cannot register /servers/nic0\n");
		trap_debug_exit(0x11);
		return 1;
	}
	fail = run_suite("gns", tests, (int)(sizeof tests / sizeof tests[0]), NULL);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail;
}
