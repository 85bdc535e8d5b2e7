/*
 * A pretend NIC driver for the in-guest `gns` suite (nicdriver.c): it
 * registers /servers/nic0, serves frame.defs to gns, pages the session's
 * region through libmsg's frame pager (zero-filled pages, kept by the
 * kernel's object and seen by both mappings), and then plays the wire itself: the cases (nictest.c)
 * put frames in gns's RX ring and read what gns sends in its TX ring.
 */
#ifndef NICDRIVER_H
#define NICDRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include <manifold/frame_ring.h>

#define NIC_MAC { 0x02, 0x4d, 0x46, 0x00, 0x00, 0x03 }

struct nic {
	mach_port_t service;		/* /servers/nic0 */
	mach_port_t session;		/* receive right: gns's frame_kick and frame_status */
	mach_port_t events;		/* send right: our kicks to gns */
	mach_port_t link;		/* send right: our link events to gns */
	mach_port_t pager;		/* the region's memory object (frame_pager_create) */
	struct frame_end end;		/* ours: in = TX (gns's frames), out = RX */
	struct frame_region_header *region;
	vm_size_t size;
	uint32_t rx_asked, tx_asked;	/* the slot counts gns asked for */
	uint32_t kicks_in;		/* frame_kick messages gns sent us */
	uint32_t kicks_out;		/* frame_event_kick we sent gns */
};

extern struct nic nic;

/* Registers the name and starts the pager; false when either fails. */
bool nic_start(void);

/* Serves requests on the service port until gns opened a session, or timeout_ms. */
bool nic_wait_for_open(uint32_t timeout_ms);

/* One frame into gns's RX ring (waiting for room, up to timeout_ms), with a kick if gns sleeps. */
bool nic_send(const void *frame, uint32_t len, uint32_t timeout_ms);

/*
 * The next frame gns sent (copied to buf), waiting up to timeout_ms: when the
 * TX ring is empty we ask for a kick and sleep on the session port, so a
 * reply that comes shows that gns kicked us. Returns the length, or -1.
 */
int nic_receive(void *buf, uint32_t size, uint32_t timeout_ms);

#endif
