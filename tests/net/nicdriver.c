/*
 * The pretend NIC driver of the `gns` suite (nicdriver.h): frame.defs's
 * server side. The session's region is a memory object of libmsg's frame
 * pager, whose thread serves it: our own first touch of the region (laying
 * it out) faults and waits for it.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/frame_pager.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "frame_event_client.h"
#include "frame_server.h"
#include "ns_client.h"
#include "nicdriver.h"

#define ME mach_task_self()

struct nic nic;
static const uint8_t mac[6] = NIC_MAC;

bool
nic_start(void)
{
	mach_port_t ns, reg;

	if (frame_pager_start() != KERN_SUCCESS || frame_pager_create(&nic.pager) != KERN_SUCCESS)
		return false;
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &nic.service) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, nic.service, nic.service, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return false;
	return ns_register(ns, "/servers/nic0", nic.service, &reg) == KERN_SUCCESS;
}

kern_return_t
frame_do_frame_open(mach_port_t server, mach_port_t events, mach_port_t link, uint32_t rx_slots, uint32_t tx_slots,
		    mach_port_t *session, mach_port_t *memory, vm_size_t *size, uint8_t *mac_out)
{
	vm_address_t addr = 0;
	vm_size_t need = frame_region_size(rx_slots, tx_slots);

	if (need == 0)
		return KERN_INVALID_ARGUMENT;
	if (MACH_PORT_VALID(nic.session))
		return KERN_NO_ACCESS;
	if (vm_map(ME, &addr, need, 0, TRUE, nic.pager, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_DEFAULT,
		   VM_INHERIT_NONE) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &nic.session) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	mach_port_set_qlimit(ME, nic.session, 1);	/* kicks are doorbells (frame.defs) */
	frame_region_init(&nic.end, (void *)addr, need, rx_slots, tx_slots);
	nic.region = (struct frame_region_header *)addr;
	nic.size = need;
	nic.events = events;
	nic.link = link;
	nic.rx_asked = rx_slots;
	nic.tx_asked = tx_slots;
	*session = nic.session;
	*memory = nic.pager;
	*size = need;
	memcpy(mac_out, mac, 6);
	frame_event_link(link, TRUE, 1000);	/* the state as the session opens (frame.defs) */
	return KERN_SUCCESS;
}

kern_return_t
frame_do_frame_kick(mach_port_t session)
{
	nic.kicks_in++;
	return KERN_SUCCESS;
}

kern_return_t
frame_do_frame_status(mach_port_t session, boolean_t *link_up, uint32_t *speed_mbps, uint8_t *mac_out)
{
	*link_up = TRUE;
	*speed_mbps = 1000;
	memcpy(mac_out, mac, 6);
	return KERN_SUCCESS;
}

/* Receives one message on port (0: don't wait) and serves it through frame_server. */
static bool
serve_one(mach_port_t port, uint32_t timeout_ms)
{
	union {
		mach_msg_header_t h;
		uint8_t b[FRAME_REQUEST_MAX_SIZE + 64];
	} in;
	union {
		mach_msg_header_t h;
		uint8_t b[FRAME_REPLY_MAX_SIZE + 64];
	} out;

	if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, port, timeout_ms, MACH_PORT_NULL) !=
	    MACH_MSG_SUCCESS)
		return false;
	if (!frame_server(&in.h, &out.h)) {
		mach_msg_destroy(&in.h);
		return true;
	}
	if (MACH_PORT_VALID(out.h.msgh_remote_port))
		mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
	return true;
}

bool
nic_wait_for_open(uint32_t timeout_ms)
{
	return serve_one(nic.service, timeout_ms) && MACH_PORT_VALID(nic.session);
}

static uint64_t
now_ms(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns / 1000000;
}

bool
nic_send(const void *frame, uint32_t len, uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	int err;

	while ((err = frame_ring_put(&nic.end.out, frame, len)) == FRAME_RING_FULL) {
		uint64_t t = now_ms();

		if (t >= end)
			return false;
		if (frame_ring_wait_for_space(&nic.end.out))
			serve_one(nic.session, (uint32_t)(end - t));
	}
	if (err != 0)
		return false;
	if (frame_ring_kick_consumer(&nic.end.out)) {
		nic.kicks_out++;
		frame_event_kick(nic.events);
	}
	return true;
}

int
nic_receive(void *buf, uint32_t size, uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	for (;;) {
		int len = frame_ring_get(&nic.end.in, buf, size);
		uint64_t t = now_ms();

		if (len >= 0 && frame_ring_kick_producer(&nic.end.in)) {
			nic.kicks_out++;	/* gns waits for room in its TX ring */
			frame_event_kick(nic.events);
		}
		if (len != FRAME_RING_EMPTY)
			return len;
		if (t >= end)
			return -1;
		/* Only a kick from gns wakes us here: no kick, no frame. */
		if (frame_ring_wait_for_frames(&nic.end.in) && !serve_one(nic.session, (uint32_t)(end - t)))
			return -1;
	}
}
