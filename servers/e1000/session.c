/*
 * The frame session (session.h): frame.defs's handlers, run by the loop
 * thread. Each session's region is a new memory object of libmsg's frame
 * pager (<manifold/frame_pager.h>), whose thread serves it: the loop's own
 * first touch of the region (laying it out) faults and waits for it. A session ends when its client's events
 * port dies (dead name), its session port loses its last sender (no-senders)
 * or the client breaks a ring; a new frame_open then finds the driver free.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/frame_pager.h>
#include <manifold/msg.h>
#include "e1000.h"
#include "frame_event_client.h"
#include "frame_server.h"
#include "session.h"

#define ME mach_task_self()

struct session session;
static mach_port_t loop_set, notify;		/* [I] */
extern mach_port_t service;			/* main.c: frame_open comes there */

bool
session_init(mach_port_t set, mach_port_t notify_port)
{
	loop_set = set;
	notify = notify_port;
	return frame_pager_start() == KERN_SUCCESS;
}

/* ---- the session ---- */

void
session_close(const char *why)
{
	if (!MACH_PORT_VALID(session.port))
		return;
	printf("e1000: session over (%s)\n", why);
	mach_port_mod_refs(ME, session.port, MACH_PORT_RIGHT_RECEIVE, -1);
	mach_port_deallocate(ME, session.events);
	mach_port_deallocate(ME, session.link);
	vm_deallocate(ME, session.region, session.size);
	frame_pager_destroy(session.pager);	/* the client's mapping keeps its pages */
	memset(&session, 0, sizeof session);
}

void
session_dead_name(mach_port_name_t name)
{
	if (MACH_PORT_VALID(session.port) && name == session.events)
		session_close("the client is gone");
}

/* No-senders on the session port: the client let it go. */
void
session_no_senders(mach_port_t port)
{
	if (MACH_PORT_VALID(session.port) && port == session.port)
		session_close("the client closed it");
}

/*
 * The doorbell goes with the loop's next receive (libmsg's
 * msg_send_with_receive): one trap for both, where the kick after an
 * interrupt's pump was a trap of its own. When a reply takes that receive,
 * the message built here goes as frame_event_kick's stub would send it
 * (waittime 0: MACH_SEND_TIMED_OUT means one is queued already).
 */
void
session_kick(void)
{
	mach_msg_header_t m = { .msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), .msgh_size = sizeof m,
				.msgh_id = FRAME_EVENT_KICK_ID };

	if (!MACH_PORT_VALID(session.port))
		return;
	m.msgh_remote_port = session.events;
	if (!msg_send_with_receive(&m))
		mach_msg(&m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

/*
 * The link's state to the client, on its link port, apart from the kicks'
 * (frame.defs): a kick waiting never leaves it without room. Its queue is
 * still bounded (waittime 0): false when full, and the caller sends the
 * state again later.
 */
bool
session_link(bool up, uint32_t speed_mbps)
{
	if (!MACH_PORT_VALID(session.port))
		return true;
	return frame_event_link(session.link, up, speed_mbps) == KERN_SUCCESS;
}

/* A client that died while we were busy has left a dead name behind: its session is over. */
static void
close_if_client_dead(void)
{
	mach_port_type_t type = 0;

	if (MACH_PORT_VALID(session.port) && mach_port_type(ME, session.events, &type) == KERN_SUCCESS &&
	    (type & MACH_PORT_TYPE_DEAD_NAME))
		session_close("the client is gone");
}

/* The session's ports and region; on failure everything made is undone. */
static kern_return_t
session_make(mach_port_t events, mach_port_t link, vm_size_t size)
{
	mach_port_t prev = MACH_PORT_NULL;
	vm_address_t addr = 0;

	if (frame_pager_create(&session.pager) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	if (vm_map(ME, &addr, size, 0, TRUE, session.pager, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_DEFAULT,
		   VM_INHERIT_NONE) != KERN_SUCCESS)
		goto fail_pager;
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &session.port) != KERN_SUCCESS)
		goto fail_map;
	mach_port_set_qlimit(ME, session.port, 1);	/* kicks are doorbells (frame.defs) */
	/* no-senders comes to the session port itself; the client's death to notify */
	if (mach_port_request_notification(ME, session.port, MACH_NOTIFY_NO_SENDERS, 1, session.port,
					   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS ||
	    mach_port_request_notification(ME, events, MACH_NOTIFY_DEAD_NAME, 1, notify,
					   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS ||
	    mach_port_move_member(ME, session.port, loop_set) != KERN_SUCCESS)
		goto fail_port;
	session.region = addr;
	session.size = size;
	session.events = events;
	session.link = link;
	return KERN_SUCCESS;

fail_port:
	mach_port_mod_refs(ME, session.port, MACH_PORT_RIGHT_RECEIVE, -1);
fail_map:
	vm_deallocate(ME, addr, size);
fail_pager:
	frame_pager_destroy(session.pager);
	memset(&session, 0, sizeof session);
	return KERN_RESOURCE_SHORTAGE;
}

kern_return_t
frame_do_frame_open(mach_port_t server, mach_port_t events, mach_port_t link, uint32_t rx_slots, uint32_t tx_slots,
		    mach_port_t *session_out, mach_port_t *memory, vm_size_t *size, uint8_t *mac)
{
	vm_size_t need = frame_region_size(rx_slots, tx_slots);
	uint32_t speed;
	kern_return_t kr;

	if (server != service || need == 0)
		return KERN_INVALID_ARGUMENT;
	close_if_client_dead();
	if (MACH_PORT_VALID(session.port))
		return KERN_NO_ACCESS;	/* one client per NIC */
	if ((kr = session_make(events, link, need)) != KERN_SUCCESS)
		return kr;
	if (frame_region_init_features(&session.end, (void *)session.region, need, rx_slots, tx_slots,
				       FRAME_FEAT_TX_CSUM) != 0) {
		session.events = session.link = MACH_PORT_NULL;	/* the failed request's rights are the loop's to drop */
		session_close("bad geometry");
		return KERN_INVALID_ARGUMENT;
	}
	*session_out = session.port;
	*memory = session.pager;
	*size = need;
	memcpy(mac, nic.mac, 6);
	/* the state as the session opens; a change before it was told to nobody. Two
	 * statements: as one call's arguments, speed could be read before e1000_link set it. */
	bool up = e1000_link(&nic, &speed);
	session_link(up, speed);
	return KERN_SUCCESS;
}

kern_return_t
frame_do_frame_kick(mach_port_t port)
{
	/* main.c's loop looks at both rings after every message */
	return KERN_SUCCESS;
}

kern_return_t
frame_do_frame_status(mach_port_t port, boolean_t *link_up, uint32_t *speed_mbps, uint8_t *mac)
{
	if (!MACH_PORT_VALID(session.port) || port != session.port)
		return KERN_INVALID_ARGUMENT;
	*link_up = e1000_link(&nic, speed_mbps);
	memcpy(mac, nic.mac, 6);
	return KERN_SUCCESS;
}
