/*
 * Small helpers shared by the IPC test programs (ipctest, ipcpeer): building
 * and sending simple messages, and the message ids of the peer's protocol.
 */
#ifndef IPCLIB_H
#define IPCLIB_H

#include <stdint.h>
#include <string.h>
#include <mach/mach.h>

/* The peer's protocol: requests on its service port. */
#define PEER_HELLO	1000	/* peer -> test, on the bootstrap port: local = peer's service port */
#define PEER_ECHO	1001	/* reply with the same body, id + 100 */
#define PEER_EXIT	1002	/* end the task */
#define PEER_SET_NEXT	1003	/* complex: one port descriptor, the next hop for RELAY */
#define PEER_RELAY	1004	/* forward as ECHO to the next hop, relay its answer */
#define PEER_CRASH	1005	/* dereference NULL */
#define PEER_DROP_SEND	1006	/* deallocate every send right it holds to the test's port */
#define PEER_STRESS	1007	/* complex: 3 send rights (every peer); inline steps, seed */
#define PEER_TRAFFIC	1008	/* what peers send each other during a stress run */

struct stress_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t peer[3];
	uint32_t steps, seed;
};

struct simple_msg {
	mach_msg_header_t h;
	uint32_t data[1024 + 16];
};

struct port_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t port;
};

static inline mach_msg_return_t
send_simple(mach_port_t dest, mach_msg_type_name_t dest_disp, mach_port_t reply,
	    mach_msg_type_name_t reply_disp, mach_msg_id_t id, const void *data, uint32_t len)
{
	struct simple_msg m;

	memset(&m.h, 0, sizeof m.h);
	m.h.msgh_bits = MACH_MSGH_BITS(dest_disp, reply ? reply_disp : 0);
	m.h.msgh_remote_port = dest;
	m.h.msgh_local_port = reply;
	m.h.msgh_id = id;
	if (len)
		memcpy(m.data, data, len);
	return mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h + ((len + 3) & ~3u), 0, 0, 0, 0);
}

#endif
