/*
 * The `net` suite's hostile client of the e1000 driver, on a node of its
 * own without gns (tests/net/run.py boots it as node 3, beside nodes 1 and 2
 * with gns). It opens a frame session with /servers/nic0 as gns would, sends
 * an ARP request through the real NIC and waits for node 1's reply, then
 * breaks the session's rings in the ways a buggy or hostile client could: a
 * TX producer index far ahead, a slot length past the slot, an RX consumer
 * index ahead of the producer. Each time the driver must end the session
 * (our session right becomes a dead name), stay the same task, and take a
 * new session that works. Ends QEMU (debug_exit).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/frame_ring.h>
#include <manifold/trap.h>
#include "../user/suite.h"
#include "byteorder.h"
#include "frame_client.h"
#include "ns_client.h"

#define ME mach_task_self()
#define SLOTS 64
#define WAIT_MS 20000		/* generous: QEMU's e1000 holds frames a second after a restart */
#define OUR_IP 0x0a4d0003u	/* node 3 */
#define PEER_IP 0x0a4d0001u	/* node 1, whose gns answers ARP */

static const uint8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x03 };
static mach_port_t ns, driver, driver_task, events, link;	/* link: the driver's link events, never read */

/* One session, as a client holds it. */
static struct {
	mach_port_t port;
	struct frame_end end;
	struct frame_region_header *hdr;
	vm_size_t size;
} s;

static kern_return_t
open_session(void)
{
	mach_port_t memory = MACH_PORT_NULL;
	vm_address_t addr = 0;
	uint8_t mac[6];
	kern_return_t kr = frame_open(driver, events, link, SLOTS, SLOTS, &s.port, &memory, &s.size, mac);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = vm_map(ME, &addr, s.size, 0, TRUE, memory, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_DEFAULT, VM_INHERIT_NONE);
	mach_port_deallocate(ME, memory);
	if (kr != KERN_SUCCESS)
		return kr;
	if (frame_region_attach(&s.end, (void *)addr, s.size) != 0 || memcmp(mac, our_mac, 6) != 0)
		return KERN_FAILURE;
	s.hdr = (struct frame_region_header *)addr;
	return KERN_SUCCESS;
}

static void
close_session(void)
{
	vm_deallocate(ME, (vm_address_t)s.hdr, s.size);
	mach_port_deallocate(ME, s.port);
	memset(&s, 0, sizeof s);
}

/* Waits for a message on events (a kick) up to ms; drops it. */
static void
wait_kick(uint32_t ms)
{
	struct {
		mach_msg_header_t h;
		uint8_t body[256];
	} m;

	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, events, ms, MACH_PORT_NULL) ==
	    MACH_MSG_SUCCESS)
		mach_msg_destroy(&m.h);
}

/* A frame into the TX ring, and a kick if the driver sleeps. */
static bool
send_frame(const uint8_t *f, uint32_t len)
{
	if (frame_ring_put(&s.end.out, f, len) != 0)
		return false;
	if (frame_ring_kick_consumer(&s.end.out))
		frame_kick(s.port);
	return true;
}

static uint32_t
arp_request(uint8_t *f)
{
	uint8_t *a = f + 14;

	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, our_mac, 6);
	put16(f + 12, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, our_mac, 6);
	put32(a + 14, OUR_IP);
	put32(a + 24, PEER_IP);
	return 60;
}

/* Sends who-has 10.77.0.1 and waits for the answer through the RX ring. */
static bool
arp_answered(void)
{
	uint8_t f[FRAME_DATA_MAX];
	uint64_t end = now_ms() + WAIT_MS, next_send = 0;

	while (now_ms() < end) {
		int len;

		if (now_ms() >= next_send) {	/* again each second: the first may meet a busy wire */
			if (!send_frame(f, arp_request(f)))
				return false;
			next_send = now_ms() + 1000;
		}
		len = frame_ring_get(&s.end.in, f, sizeof f);
		if (len >= 0 && frame_ring_kick_producer(&s.end.in))
			frame_kick(s.port);
		if (len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[14 + 7] == 2 && get32(f + 14 + 14) == PEER_IP &&
		    memcmp(f, our_mac, 6) == 0)
			return true;
		if (len == FRAME_RING_CORRUPT)
			return false;
		if (len == FRAME_RING_EMPTY && frame_ring_wait_for_frames(&s.end.in))
			wait_kick(100);
	}
	return false;
}

/* Whether our session right died (the driver ended the session) within WAIT_MS. */
static bool
session_ended(void)
{
	for (uint64_t end = now_ms() + WAIT_MS; now_ms() < end; wait_kick(20)) {
		mach_port_type_t t = 0;

		if (mach_port_type(ME, s.port, &t) == KERN_SUCCESS && (t & MACH_PORT_TYPE_DEAD_NAME))
			return true;
	}
	return false;
}

static bool
driver_alive(void)
{
	mach_port_type_t t = 0;

	return mach_port_type(ME, driver_task, &t) == KERN_SUCCESS && !(t & MACH_PORT_TYPE_DEAD_NAME);
}

/* After we broke the rings: the driver ended the session, lives on, and gives a new one that works. */
static bool
ended_and_a_new_session_works(void)
{
	if (!session_ended() || !driver_alive())
		return false;
	close_session();
	return open_session() == KERN_SUCCESS && arp_answered();
}

static void
a_session_opens_with_the_nics_mac(void)
{
	CHECK_EQ(open_session(), KERN_SUCCESS);
	CHECK_EQ(s.hdr->rx_slots, SLOTS);
}

static void
a_second_session_is_refused(void)
{
	mach_port_t p = MACH_PORT_NULL, mem = MACH_PORT_NULL;
	vm_size_t size = 0;
	uint8_t mac[6];

	CHECK_EQ(frame_open(driver, events, link, SLOTS, SLOTS, &p, &mem, &size, mac), KERN_NO_ACCESS);
	CHECK_EQ(frame_open(driver, events, link, 3, SLOTS, &p, &mem, &size, mac), KERN_INVALID_ARGUMENT);
}

static void
frame_status_reports_the_link(void)
{
	boolean_t up = FALSE;
	uint32_t speed = 0;
	uint8_t mac[6];

	CHECK_EQ(frame_status(s.port, &up, &speed, mac), KERN_SUCCESS);
	CHECK(up);
	CHECK_EQ(speed, 1000);
	CHECK(memcmp(mac, our_mac, 6) == 0);
}

static void
an_arp_request_through_the_nic_gets_node1s_reply(void)
{
	CHECK(arp_answered());
}

/* Lengths the NIC cannot send: dropped, and the session goes on. */
static void
frames_the_nic_cannot_send_are_dropped(void)
{
	static uint8_t f[FRAME_DATA_MAX];
	static const uint32_t lens[] = { 0, 5, 13, 1519, 1600, FRAME_DATA_MAX };

	memset(f, 0xff, sizeof f);
	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++)
		CHECK(send_frame(f, lens[i]));
	CHECK(arp_answered());
	CHECK(driver_alive());
}

static void
a_tx_producer_far_ahead_ends_the_session_not_the_driver(void)
{
	__atomic_store_n(&s.hdr->tx.prod, s.hdr->tx.cons + 100000, __ATOMIC_RELEASE);
	frame_kick(s.port);
	CHECK(ended_and_a_new_session_works());
}

static void
a_slot_length_past_the_slot_ends_the_session(void)
{
	struct frame_slot *slots = (struct frame_slot *)((uint8_t *)s.hdr + FRAME_REGION_SLOTS_OFFSET);
	uint32_t prod = __atomic_load_n(&s.hdr->tx.prod, __ATOMIC_ACQUIRE);
	struct frame_slot *slot = &slots[s.hdr->rx_slots + prod % s.hdr->tx_slots];

	slot->len = 5000;
	__atomic_store_n(&s.hdr->tx.prod, prod + 1, __ATOMIC_RELEASE);
	frame_kick(s.port);
	CHECK(ended_and_a_new_session_works());
}

/* The RX ring's consumer index ahead of its producer: the driver's next frame for us finds it. */
static void
an_rx_consumer_ahead_of_the_producer_ends_the_session(void)
{
	uint8_t f[64];

	__atomic_store_n(&s.hdr->rx.cons, __atomic_load_n(&s.hdr->rx.prod, __ATOMIC_ACQUIRE) + 7,
			 __ATOMIC_RELEASE);
	CHECK(send_frame(f, arp_request(f)));	/* node 1's reply is the frame */
	CHECK(ended_and_a_new_session_works());
}

static const struct test tests[] = {
	{ "a_session_opens_with_the_nics_mac", a_session_opens_with_the_nics_mac },
	{ "a_second_session_is_refused", a_second_session_is_refused },
	{ "frame_status_reports_the_link", frame_status_reports_the_link },
	{ "an_arp_request_through_the_nic_gets_node1s_reply", an_arp_request_through_the_nic_gets_node1s_reply },
	{ "frames_the_nic_cannot_send_are_dropped", frames_the_nic_cannot_send_are_dropped },
	{ "a_tx_producer_far_ahead_ends_the_session_not_the_driver",
	  a_tx_producer_far_ahead_ends_the_session_not_the_driver },
	{ "a_slot_length_past_the_slot_ends_the_session", a_slot_length_past_the_slot_ends_the_session },
	{ "an_rx_consumer_ahead_of_the_producer_ends_the_session",
	  an_rx_consumer_ahead_of_the_producer_ends_the_session },
};

int
main(void)
{
	int fail;

	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/nic0", WAIT_MS, &driver) != KERN_SUCCESS ||
	    ns_wait(ns, "/tasks/e1000", WAIT_MS, &driver_task) != KERN_SUCCESS) {
		printf("nicclient: no e1000 driver (/servers/nic0, /tasks/e1000)\n");
		trap_debug_exit(0x11);
		return 1;
	}
	events = port_with_send();
	mach_port_set_qlimit(ME, events, 1);
	link = port_with_send();
	mach_port_set_qlimit(ME, link, FRAME_LINK_QLIMIT);
	fail = run_suite("nicclient", tests, (int)(sizeof tests / sizeof tests[0]), NULL);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail;
}
