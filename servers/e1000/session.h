/*
 * The driver's one frame session (session.c): frame.defs served to gns. The
 * session's region is a memory object this driver pages (libmsg's frame
 * pager: zero-filled pages the kernel then keeps), mapped by both sides;
 * pump.c moves frames between its rings and the NIC's descriptors.
 */
#ifndef E1000_SESSION_H
#define E1000_SESSION_H

#include <stdbool.h>
#include <mach/mach.h>
#include <manifold/frame_ring.h>

/*
 * [L] the loop thread's alone. port is MACH_PORT_NULL while no session is
 * open; the other fields then mean nothing.
 */
struct session {
	mach_port_t port;		/* [L] receive right: frame_kick, frame_status; in the loop's set */
	mach_port_t events;		/* [L] send right: the client's port for kicks */
	mach_port_t link;		/* [L] send right: the client's port for link events */
	mach_port_t pager;		/* [L] the region's memory object (frame_pager_create) */
	struct frame_end end;		/* [L] ours: in = TX (the client's frames), out = RX */
	vm_address_t region;		/* [L] our mapping of it */
	vm_size_t size;			/* [L] */
};

extern struct session session;

/*
 * Starts the frame pager's thread and remembers the loop's port set
 * (sessions join it) and notification port (dead clients are told there).
 * false when the thread cannot be made.
 */
bool session_init(mach_port_t set, mach_port_t notify_port);

/* The session is over (its client died, left, or broke the rings): forget it and its region. */
void session_close(const char *why);

/* A dead name from the loop's notification port: the client's events port? */
void session_dead_name(mach_port_name_t name);

/* No-senders on a port of ours: the session port? */
void session_no_senders(mach_port_t port);

/* A doorbell to the client (frame_event_kick, with a zero timeout: never blocks). */
void session_kick(void);

/* The link's state to the client (frame_event_link; never blocks). False: no room, try again later. */
bool session_link(bool up, uint32_t speed_mbps);

#endif
