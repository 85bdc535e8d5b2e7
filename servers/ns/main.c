/*
 * ns, the name server: path-like names for send rights (see ns.defs). It tells
 * its bootstrap port where it is, then serves: receive on a port set holding
 * the service port and the notification port; a notification (a registered
 * port died) drops its names; a request goes through msgc's ns_server demux,
 * except ns_wait for a name that is not there yet, which waits in a list until
 * the name appears or its time runs out.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include "names.h"
#include "ns_server.h"

#define ME mach_task_self()

/* The console server needs us: our output goes straight to the kernel (libmsg/runtime/stdio_console.c). */
int stdio_uses_kernel_console = 1;

static mach_port_t service, notify_port, set;

union request {
	mach_msg_header_t h;
	uint8_t bytes[NS_REQUEST_MAX_SIZE + sizeof(mach_msg_max_trailer_t)];
	mach_dead_name_notification_t dead;
};

union reply {
	mach_msg_header_t h;
	mig_reply_error_t err;
	uint8_t bytes[NS_REPLY_MAX_SIZE];
};

/* Tells whoever started us (our bootstrap port) where the service is. */
static void
announce(void)
{
	mach_msg_header_t h;
	mach_port_t boot;

	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &boot) != KERN_SUCCESS)
		return;
	memset(&h, 0, sizeof h);
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	h.msgh_remote_port = boot;
	h.msgh_local_port = service;
	h.msgh_id = NS_HELLO_ID;
	mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof h, 0, 0, 1000, 0);
	mach_port_deallocate(ME, boot);
}

/* Sends a reply built by hand (for a waiter answered late). */
static void
send_reply(mach_msg_header_t *r)
{
	mach_msg(r, MACH_SEND_MSG | MACH_SEND_TIMEOUT, r->msgh_size, 0, 0, 0, 0);
}

static void
serve_one(union request *in)
{
	static union reply out;

	if (in->h.msgh_local_port == notify_port) {
		if (in->h.msgh_id == MACH_NOTIFY_DEAD_NAME) {
			names_port_died(in->dead.not_port);
			/* the notification brings a reference for the dead name, as in Mach */
			mach_port_deallocate(mach_task_self(), in->dead.not_port);
		}
		return;	/* port-deleted and send-once notices need nothing */
	}
	if (in->h.msgh_id == NS_WAIT_ID && waiters_take(&in->h))
		return;	/* answered when the name appears, or when its time is up */
	if (!ns_server(&in->h, &out.h)) {
		send_reply(&out.h);
		in->h.msgh_remote_port = MACH_PORT_NULL;	/* the reply right went with the reply */
		mach_msg_destroy(&in->h);
		return;
	}
	if (!(out.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) && out.err.RetCode != KERN_SUCCESS) {
		if (out.err.RetCode == MIG_NO_REPLY)
			return;
		in->h.msgh_remote_port = MACH_PORT_NULL;	/* the reply keeps the reply right */
		mach_msg_destroy(&in->h);	/* a refused request's other rights go */
	}
	if (out.h.msgh_remote_port != MACH_PORT_NULL)
		send_reply(&out.h);
}

int
main(int argc, char **argv)
{
	static union request in;
	mach_port_t prev;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify_port) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS) {
		printf("ns: cannot make its ports\n");
		return 1;
	}
	mach_port_move_member(ME, service, set);
	mach_port_move_member(ME, notify_port, set);
	mach_port_set_qlimit(ME, service, MACH_PORT_QLIMIT_MAX);
	mach_port_set_qlimit(ME, notify_port, MACH_PORT_QLIMIT_MAX);
	names_init(notify_port);
	(void)prev;
	announce();
	printf("ns: serving\n");
	for (;;) {
		uint32_t wait_ms = waiters_next_timeout();
		mach_msg_return_t mr = mach_msg(&in.h, MACH_RCV_MSG | (wait_ms ? MACH_RCV_TIMEOUT : 0), 0, sizeof in,
						set, wait_ms, 0);
		if (mr == MACH_RCV_TIMED_OUT) {
			waiters_expire();
			continue;
		}
		if (mr != MACH_MSG_SUCCESS)
			continue;
		serve_one(&in);
		waiters_expire();
	}
}
