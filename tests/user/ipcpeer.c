/*
 * ipcpeer: the other end of ipctest's two-task cases. It finds ipctest through
 * its bootstrap port (inherited from ipctest, which started it), sends it a
 * send right to its own service port, then serves the small protocol of
 * ipclib.h until told to exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include "ipclib.h"

static mach_port_t service, next_hop;

static void
reply(struct simple_msg *req, mach_msg_size_t size, mach_msg_id_t id)
{
	req->h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(req->h.msgh_bits), 0);
	req->h.msgh_local_port = MACH_PORT_NULL;
	req->h.msgh_id = id;
	mach_msg(&req->h, MACH_SEND_MSG, size, 0, 0, 0, 0);
}

int
main(int argc, char **argv)
{
	static struct simple_msg m;
	mach_port_t boot;

	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &boot) != KERN_SUCCESS || !boot)
		return 10;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS)
		return 11;
	if (send_simple(boot, MACH_MSG_TYPE_COPY_SEND, service, MACH_MSG_TYPE_MAKE_SEND, PEER_HELLO, NULL, 0))
		return 12;
	mach_port_deallocate(mach_task_self(), boot);
	for (;;) {
		mach_msg_return_t mr = mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, service, 0, 0);
		mach_msg_size_t size = m.h.msgh_size;
		if (mr != MACH_MSG_SUCCESS)
			return 13;
		switch (m.h.msgh_id) {
		case PEER_ECHO:
			reply(&m, size, PEER_ECHO + 100);
			break;
		case PEER_EXIT:
			return 0;
		case PEER_CRASH:
			return *(volatile int *)0;
		case PEER_SET_NEXT: {
			struct port_msg *pm = (struct port_msg *)&m;
			next_hop = pm->port.name;
			break;
		}
		case PEER_RELAY: {
			static struct simple_msg fwd;
			mach_port_t r = mach_reply_port();
			uint32_t len = size - sizeof m.h;
			memcpy(fwd.data, m.data, len);
			fwd.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
			fwd.h.msgh_remote_port = next_hop;
			fwd.h.msgh_local_port = r;
			fwd.h.msgh_id = PEER_ECHO;
			if (mach_msg(&fwd.h, MACH_SEND_MSG | MACH_RCV_MSG, size, sizeof fwd, r, 0, 0) != MACH_MSG_SUCCESS)
				return 14;
			mach_port_destroy(mach_task_self(), r);
			memcpy(m.data, fwd.data, len);
			reply(&m, size, PEER_RELAY + 100);
			break;
		}
		case PEER_DROP_SEND:
			if (MACH_PORT_VALID(m.h.msgh_remote_port))
				mach_port_deallocate(mach_task_self(), m.h.msgh_remote_port);
			break;
		default:
			break;
		}
	}
}
