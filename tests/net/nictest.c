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
#include <stdlib.h>
#include <manifold/frame_pager.h>
#include <manifold/socket.h>
#include <manifold/trap.h>
#include "../user/suite.h"
#include "badframe.h"
#include "frame_event_client.h"
#include "ns_client.h"
#include "nicdriver.h"
#include "byteorder.h"

#define PEER_IP	0x0a4d0009u		/* 10.77.0.9: us, as a host on the LAN */
#define GNS_IP	0x0a4d0003u		/* node=3 */
#define ETH_ARP	0x0806
#define ETH_IP	0x0800

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 };
static const uint8_t gns_mac[6] = NIC_MAC;
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

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
	put16(ip + 10, inet_csum(ip, 20));
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0x4d46);
	put16(icmp + 6, seq);
	for (uint32_t i = 0; i < payload; i++)
		icmp[8 + i] = (uint8_t)(seq + i * 3);
	put16(icmp + 2, inet_csum(icmp, 8 + payload));
	return 14 + 20 + 8 + payload;
}

/* Whether f is gns's echo reply to ping(seq, payload), with both checksums right. */
static bool
is_echo_reply(const uint8_t *f, int len, uint16_t seq, uint32_t payload)
{
	const uint8_t *ip = f + 14, *icmp = ip + 20;

	if (len < (int)(14 + 20 + 8 + payload) || get16(f + 12) != ETH_IP || memcmp(f, peer_mac, 6) != 0 ||
	    ip[9] != 1 || get32(ip + 12) != GNS_IP || get32(ip + 16) != PEER_IP || inet_csum(ip, 20) != 0)
		return false;
	if (icmp[0] != 0 || get16(icmp + 4) != 0x4d46 || get16(icmp + 6) != seq ||
	    inet_csum(icmp, 8 + payload) != 0)
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

/* The link as gns's ifconfig says, once it says want (up to 3 s). */
static bool
link_becomes(bool want)
{
	uint32_t w[GNS_IF_WORDS];
	uint64_t end = now_ms() + 3000;

	do {
		if (sock_ifconfig(w) == 0 && !!(w[GNS_IF_FLAGS] & GNS_IFF_LINK) == want)
			return true;
		trap_thread_yield();
	} while (now_ms() < end);
	return false;
}

/*
 * Link events have a port of their own (frame.defs): while gns is held
 * (suspended, as a busy gns would be), a kick fills its doorbell queue
 * (limit 1), and link events still find room, as many as a flapping cable
 * makes; once gns runs it has seen them all and ends in the last state.
 */
static void
link_events_are_not_lost_behind_a_kick(void)
{
	mach_port_t ns, gns_task;
	kern_return_t kick = KERN_SUCCESS, link;

	CHECK_EQ(task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/tasks/gns", 2000, &gns_task), KERN_SUCCESS);
	mach_port_deallocate(mach_task_self(), ns);
	/*
	 * A receive gns already waits in takes the first kick into its buffer
	 * even while suspended; the next fills the queue, and one after finds none.
	 */
	CHECK_EQ(task_suspend(gns_task), KERN_SUCCESS);
	for (int i = 0; i < 4 && kick != MACH_SEND_TIMED_OUT; i++)
		kick = frame_event_kick(nic.events);
	link = frame_event_link(nic.link, FALSE, 0);
	task_resume(gns_task);		/* before any CHECK: a failed case must not leave gns held */
	CHECK_EQ(kick, MACH_SEND_TIMED_OUT);	/* the doorbell queue was full... */
	CHECK_EQ(link, KERN_SUCCESS);		/* ...the link's was not */
	CHECK(link_becomes(false));
	CHECK_EQ(task_suspend(gns_task), KERN_SUCCESS);
	for (int i = 0; i < 5 && link == KERN_SUCCESS; i++)
		link = frame_event_link(nic.link, i % 2 == 0, i % 2 ? 0 : 1000);	/* up, down, ..., up */
	task_resume(gns_task);
	CHECK_EQ(link, KERN_SUCCESS);
	CHECK(link_becomes(true));
	mach_port_deallocate(mach_task_self(), gns_task);
	CHECK(nic_send(frame, ping(frame, 8, 56), 1000));
	CHECK(echo_answered(8, 56));
}

static uint32_t bad_frames = 20000;	/* frames=N on the module line; make check-gns-long: 100,000 */

/* gns_stats until it equals want (what frames left behind drains on lwIP's timers), up to timeout_ms. */
static bool
stats_return_to(const uint32_t *want, uint32_t *got, uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	do {
		if (sock_gns_stats(got) == 0 && memcmp(want, got, GNS_STAT_GAUGES * sizeof *got) == 0)
			return true;
		while (nic_receive(reply, sizeof reply, 0) >= 0)
			;	/* ARP requests for addresses the frames came from, answers, resets */
		nic_receive(reply, sizeof reply, 200);	/* a pause that takes what gns sends meanwhile */
	} while (now_ms() < end);
	for (int i = 0; i < GNS_STAT_GAUGES; i++)
		if (want[i] != got[i])
			printf("nictest: gns_stats word %d: %u before, %u after\n", i, (unsigned)want[i],
			       (unsigned)got[i]);
	return false;
}

/*
 * Issue 13's bad input: every kind of badframe.h, bad_frames of them, at
 * gns through the RX ring. gns must answer a ping after, its sockets, held
 * calls, lwIP heap and pools, reassembly and malloc must come back to what
 * they were once lwIP's timers (reassembly: 15 s; ARP's pending entries)
 * have run, and ifconfig must have counted the broken ones.
 */
static void
gns_survives_bad_frames_and_gives_its_memory_back(void)
{
	uint32_t before[GNS_STAT_WORDS], after[GNS_STAT_WORDS], if0[GNS_IF_WORDS], if1[GNS_IF_WORDS];
	uint32_t per_kind[BADFRAME_KINDS] = { 0 }, peak_reass = 0;
	uint64_t start;

	CHECK_EQ(sock_gns_stats(before), 0);
	CHECK(stats_return_to(before, after, 20000));	/* the cases before may still be settling */
	memcpy(before, after, sizeof before);
	CHECK_EQ(sock_ifconfig(if0), 0);
	suite_seed(1313);
	start = now_ms();
	for (uint32_t i = 0; i < bad_frames; i++) {
		enum badframe_kind kind = (enum badframe_kind)(rnd() % BADFRAME_KINDS);
		/* from the peer mostly; sometimes from an address gns must ARP for to answer */
		uint32_t src = rnd() % 8 ? PEER_IP : 0x0a4d0000u | (rnd() % 0xfffe + 1);
		uint32_t len = badframe_make(frame, sizeof frame, kind, peer_mac, src, gns_mac, GNS_IP, rnd);

		per_kind[kind]++;
		CHECK(nic_send(frame, len, 5000));
		if (i % 64 == 63) {
			while (nic_receive(reply, sizeof reply, 0) >= 0)
				;
		}
		if (i % 4096 == 4095) {
			CHECK_EQ(sock_gns_stats(after), 0);
			if (after[GNS_STAT_REASSEMBLY] > peak_reass)
				peak_reass = after[GNS_STAT_REASSEMBLY];
		}
	}
	printf("nictest: %u bad frames in %u ms (%u kinds, %u fragments); %u datagrams at most in reassembly\n",
	       (unsigned)bad_frames, (unsigned)(now_ms() - start), BADFRAME_KINDS,
	       (unsigned)per_kind[BADFRAME_FRAGMENT], (unsigned)peak_reass);
	/* the random sources took ARP's table: the peer tells gns its MAC again (an ARP request to it) */
	CHECK(nic_send(frame, arp_request(frame, GNS_IP), 1000));
	while (nic_receive(reply, sizeof reply, 100) >= 0)
		;
	CHECK(nic_send(frame, ping(frame, 9, 56), 1000));
	CHECK(echo_answered(9, 56));
	CHECK_EQ(sock_ifconfig(if1), 0);
	CHECK(if1[GNS_IF_RX_PACKETS] - if0[GNS_IF_RX_PACKETS] + if1[GNS_IF_RX_DROPPED] - if0[GNS_IF_RX_DROPPED] >=
	      bad_frames);
	CHECK(if1[GNS_IF_RX_ERRORS] - if0[GNS_IF_RX_ERRORS] >= per_kind[BADFRAME_IP_CHECKSUM]);
	CHECK(stats_return_to(before, after, 40000));
	CHECK_EQ(frame_pager_returns, 0);
}

static const struct test tests[] = {
	{ "gns_opens_a_session_with_shared_rings", gns_opens_a_session_with_shared_rings },
	{ "gns_answers_arp_for_its_address", gns_answers_arp_for_its_address },
	{ "gns_answers_icmp_echo", gns_answers_icmp_echo },
	{ "gns_sleeps_with_a_kick_requested", gns_sleeps_with_a_kick_requested },
	{ "gns_answers_a_burst_larger_than_the_ring", gns_answers_a_burst_larger_than_the_ring },
	{ "gns_survives_garbage_frames", gns_survives_garbage_frames },
	{ "link_events_are_not_lost_behind_a_kick", link_events_are_not_lost_behind_a_kick },
	{ "gns_survives_bad_frames_and_gives_its_memory_back", gns_survives_bad_frames_and_gives_its_memory_back },
};

int
main(int argc, char **argv)
{
	int fail;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "frames=", 7) == 0)
			bad_frames = (uint32_t)strtoul(argv[i] + 7, NULL, 10);
	if (!nic_start()) {
		printf("nictest: cannot register /servers/nic0\n");
		trap_debug_exit(0x11);
		return 1;
	}
	fail = run_suite("gns", tests, (int)(sizeof tests / sizeof tests[0]), NULL);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail;
}
