/*
 * gns's service (service.h): the port set, the service port and what comes
 * to it (gns_socket here, gns_register in registration.c), and the
 * no-senders notifications that end sockets and registrations.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include "lwip/netif.h"
#include "ns_client.h"
#include "registration.h"
#include "service.h"
#include "sock.h"

#define ME mach_task_self()
#define SERVICE_PATH "/servers/gns"

static mach_port_t service;

kern_return_t
gns_do_gns_socket(mach_port_t server, uint32_t type, mach_port_t *sock)
{
	struct sock *s;
	int err;

	if (server != service)
		return SOCK_EOPNOTSUPP;	/* asked of a socket or a registration, not the service */
	if (type != SOCK_DGRAM && type != SOCK_STREAM)
		return SOCK_EPROTONOSUPPORT;
	if ((s = sock_alloc((int)type)) == NULL)
		return SOCK_ENOBUFS;
	err = type == SOCK_STREAM ? tcp_sock_open(s) : udp_sock_open(s);
	if (err == 0 && !sock_give_port(s))
		err = SOCK_ENOBUFS;
	if (err) {
		sock_destroy(s);
		return err;
	}
	*sock = s->port;
	return KERN_SUCCESS;
}

/* The last send right to a socket or a registration went: its client let go, or died. */
static void
no_senders(mach_port_t port)
{
	struct sock *s = sock_find(port);

	if (s)
		sock_destroy(s);
	else
		registration_no_senders(port);
}

void
service_start(struct msg_server *s, mach_port_t set)
{
	mach_port_t ns, reg;

	service = msg_service_checkin(SERVICE_PATH);
	if (!MACH_PORT_VALID(service)) {
		/* a boot without a bootstrap that keeps ports: our own, in ns */
		if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS ||
		    mach_port_insert_right(ME, service, service, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
		    task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
		    ns_register(ns, SERVICE_PATH, service, &reg) != KERN_SUCCESS)
			printf("gns: cannot register %s\n", SERVICE_PATH);
	}
	if (MACH_PORT_VALID(service))
		mach_port_move_member(ME, service, set);
	s->no_senders = no_senders;
	sock_init(s, set);
	registration_init(service);
	printf("gns: serving %s\n", SERVICE_PATH);
}

void
service_poll(void)
{
	/* a loopback packet answered by another (an ACK) is queued anew: a few rounds drain it */
	for (int i = 0; i < 8; i++) {
		bool queued = false;
		struct netif *n;

		netif_poll_all();
		NETIF_FOREACH(n) {
			if (n->loop_first)
				queued = true;
		}
		if (!queued)
			break;
	}
}
