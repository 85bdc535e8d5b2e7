/*
 * ns, the name server: path-like names for send rights (see ns.defs). Its
 * service port is the bootstrap's to keep (msg_service_checkin), so it, and
 * every task's bootstrap port, outlives any one name server; the names the
 * bootstrap keeps (its own, each /tasks/NAME, the servers' paths) it takes from the
 * bootstrap before serving (names_preload), and others are lost with it
 * (servers/README.md).
 * The loop is libmsg's: a port set of the service port and the notification
 * port; a dead-name notification (a registered port died) drops its names;
 * ns_wait for a name not there yet is a deferred reply, served again after
 * each registration and once more when its time is up.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include "names.h"
#include "remote.h"
#include "ns_server.h"

#define ME mach_task_self()

/* The console server needs us: our output goes straight to the kernel (libmsg/runtime/stdio_console.c). */
int stdio_uses_kernel_console = 1;

static const msg_demux_t demuxes[] = { ns_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.max_request = NS_REQUEST_MAX_SIZE,
	.max_reply = NS_REPLY_MAX_SIZE,
	.dead_name = names_port_died,
};

static void
registered(void)
{
	msg_retry_deferred(&server);
}

int
main(int argc, char **argv)
{
	mach_port_t service = msg_service_checkin(NULL), notify_port, set, boot;

	if (!MACH_PORT_VALID(service) &&
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS) {
		printf("ns: cannot make its ports\n");
		return 1;
	}
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify_port) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, service, set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, notify_port, set) != KERN_SUCCESS) {
		printf("ns: cannot make its ports\n");
		return 1;
	}
	mach_port_set_qlimit(ME, service, MACH_PORT_QLIMIT_MAX);
	mach_port_set_qlimit(ME, notify_port, MACH_PORT_QLIMIT_MAX);
	names_init(notify_port, registered);
	remote_init(&server, service);
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &boot) == KERN_SUCCESS && MACH_PORT_VALID(boot)) {
		names_preload(boot);
		mach_port_deallocate(ME, boot);
	}
	server.port = set;
	server.notify_port = notify_port;
	printf("ns: serving\n");
	msg_server_run(&server);
	return 1;
}
