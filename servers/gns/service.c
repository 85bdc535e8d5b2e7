/*
 * gns's service port and registrations (service.h). A registration is a
 * port of gns's whose send right the client holds: when its last send right
 * goes (the client let go, or died), no-senders frees the number. A socket
 * bound under a registration (socket_bind_registered) holds one of those
 * send rights itself, so the registration lasts as long as the socket.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include "lwip/netif.h"
#include "ns_client.h"
#include "reg.h"
#include "service.h"
#include "sock.h"

#define ME mach_task_self()
#define SERVICE_PATH "/servers/gns"

struct registration {
	mach_port_t port;	/* receive right, in the set; NULL: free slot */
	struct reg *reg;
};

static struct registration registrations[REG_MAX];
static mach_port_t service, port_set;

/* A new receive right in the set, with no-senders asked on itself. */
static mach_port_t
port_in_set(void)
{
	mach_port_t p, prev;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (mach_port_request_notification(ME, p, MACH_NOTIFY_NO_SENDERS, 1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE,
					   &prev) != KERN_SUCCESS ||
	    mach_port_move_member(ME, p, port_set) != KERN_SUCCESS) {
		mach_port_destroy(ME, p);
		return MACH_PORT_NULL;
	}
	return p;
}

struct reg *
service_registration(mach_port_t port)
{
	for (int i = 0; i < REG_MAX; i++)
		if (MACH_PORT_VALID(port) && registrations[i].port == port)
			return registrations[i].reg;
	return NULL;
}

kern_return_t
gns_do_gns_register(mach_port_t server, uint32_t proto, uint32_t number, mach_port_t *registration)
{
	struct registration *r = NULL;
	int err;

	if (server != service)
		return SOCK_EOPNOTSUPP;	/* asked of a socket or a registration, not the service */
	for (int i = 0; i < REG_MAX && !r; i++)
		if (!MACH_PORT_VALID(registrations[i].port))
			r = &registrations[i];
	if ((err = reg_check(proto, number)) != 0)
		return err;
	if (!r)
		return SOCK_ENOBUFS;
	if ((r->port = port_in_set()) == MACH_PORT_NULL)
		return SOCK_ENOBUFS;
	if ((err = reg_claim(proto, number, r, &r->reg)) != 0) {
		mach_port_destroy(ME, r->port);
		r->port = MACH_PORT_NULL;
		return err;
	}
	*registration = r->port;
	return KERN_SUCCESS;
}

kern_return_t
gns_do_gns_socket(mach_port_t server, uint32_t type, mach_port_t *sock)
{
	struct sock *s;
	int err;

	if (server != service)
		return SOCK_EOPNOTSUPP;
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

/* The last send right to a socket or a registration went. */
static void
no_senders(mach_port_t port)
{
	struct sock *s = sock_find(port);

	if (s) {
		sock_destroy(s);
		return;
	}
	for (int i = 0; i < REG_MAX; i++) {
		struct registration *r = &registrations[i];
		if (MACH_PORT_VALID(port) && r->port == port) {
			reg_release(r->reg);
			r->reg = NULL;
			mach_port_destroy(ME, r->port);
			r->port = MACH_PORT_NULL;
			return;
		}
	}
}

mach_port_t
service_start(struct msg_server *s, mach_port_t events)
{
	mach_port_t ns, reg;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &port_set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, events, port_set) != KERN_SUCCESS) {
		printf("gns: no port set: no sockets\n");
		return events;
	}
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
		mach_port_move_member(ME, service, port_set);
	s->no_senders = no_senders;
	sock_init(s, port_set);
	printf("gns: serving %s\n", SERVICE_PATH);
	return port_set;
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
