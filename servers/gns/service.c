/*
 * gns's service (service.h): the port set, the service port and what comes
 * to it (gns_socket here, gns_register in registration.c), and the
 * no-senders notifications that end sockets and registrations.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "client.h"
#include "lwip_hooks.h"
#include "nic.h"
#include "ns_client.h"
#include "registration.h"
#include "service.h"
#include "sock.h"

#define ME mach_task_self()
#define SERVICE_PATH "/servers/gns"

static mach_port_t service;

kern_return_t
gns_do_gns_socket(mach_port_t server, uint32_t type, mach_port_t owner, mach_port_t *sock)
{
	struct client *c;
	struct sock *s;
	int err;

	if (server != service)
		return SOCK_EOPNOTSUPP;	/* asked of a socket or a registration, not the service */
	if ((err = client_get(owner, &c)) != 0)
		return err;
	if (type != SOCK_DGRAM && type != SOCK_STREAM) {
		client_put(c);
		return SOCK_EPROTONOSUPPORT;
	}
	if ((s = sock_alloc((int)type, c, &err)) == NULL) {
		client_put(c);
		return err;
	}
	err = type == SOCK_STREAM ? tcp_sock_open(s) : udp_sock_open(s);
	if (err == 0 && !sock_give_port(s))
		err = SOCK_ENOBUFS;
	if (err) {
		sock_destroy(s);
		return err;
	}
	*sock = s->port;
	client_done(owner);
	return KERN_SUCCESS;
}

kern_return_t
gns_do_gns_ifconfig(mach_port_t server, uint32_t *info, mach_msg_type_number_t *infoCnt)
{
	if (server != service)
		return SOCK_EOPNOTSUPP;
	if (*infoCnt < GNS_IF_WORDS || !nic_info(info))
		return SOCK_ENETDOWN;
	*infoCnt = GNS_IF_WORDS;
	return KERN_SUCCESS;
}

kern_return_t
gns_do_gns_netstat(mach_port_t server, uint32_t *count, uint32_t *entries, mach_msg_type_number_t *entriesCnt)
{
	int max = (int)(*entriesCnt / GNS_NET_WORDS), n;

	if (server != service)
		return SOCK_EOPNOTSUPP;
	if (max > GNS_NET_MAX)
		max = GNS_NET_MAX;
	n = sock_netstat_records(entries, 0, max);
	n += registration_netstat(entries, n, max);
	*count = (uint32_t)n;
	*entriesCnt = (mach_msg_type_number_t)((n < max ? n : max) * GNS_NET_WORDS);
	return KERN_SUCCESS;
}

/* lwIP's pools' elements in use, all of them. */
static uint32_t
pools_used(void)
{
	uint32_t n = 0;

	for (int i = 0; i < MEMP_MAX; i++)
		n += lwip_stats.memp[i]->used;
	return n;
}

kern_return_t
gns_do_gns_stats(mach_port_t server, uint32_t *stats, mach_msg_type_number_t *statsCnt)
{
	struct msg_server *s = sock_server();

	if (server != service)
		return SOCK_EOPNOTSUPP;
	if (*statsCnt < GNS_STAT_WORDS)
		return SOCK_EINVAL;
	memset(stats, 0, GNS_STAT_WORDS * sizeof *stats);
	stats[GNS_STAT_SOCKETS] = (uint32_t)sock_count();
	stats[GNS_STAT_REGISTRATIONS] = (uint32_t)registration_count();
	stats[GNS_STAT_CLIENTS] = (uint32_t)client_count();
	cthread_mutex_lock(&s->lock);
	stats[GNS_STAT_HELD] = (uint32_t)s->ndeferred;
	cthread_mutex_unlock(&s->lock);
	stats[GNS_STAT_HEAP_USED] = lwip_stats.mem.used;
	stats[GNS_STAT_POOLS_USED] = pools_used();
	stats[GNS_STAT_PBUF_POOL] = lwip_stats.memp[MEMP_PBUF_POOL]->used;
	stats[GNS_STAT_MALLOC] = (uint32_t)mallinfo().uordblks;
	stats[GNS_STAT_REASSEMBLY] = lwip_stats.memp[MEMP_REASSDATA]->used;
	stats[GNS_STAT_SYN_EVICTED] = syn_guard_evicted;
	*statsCnt = GNS_STAT_WORDS;
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

mach_port_t
service_port(void)
{
	return service;
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

/* Something waits in a netif's loopback queue. */
static bool
loop_queued(void)
{
	struct netif *n;

	NETIF_FOREACH(n) {
		if (n->loop_first)
			return true;
	}
	return false;
}

bool
service_poll(void)
{
	bool polled = false;

	/*
	 * A loopback packet answered by another (an ACK) is queued anew: a few
	 * rounds drain it. Looked at first, since the tick runs after every
	 * message and the queue is nearly always empty (netif_poll_all costs
	 * some 70 instructions more than the look).
	 */
	for (int i = 0; i < 8 && loop_queued(); i++, polled = true)
		netif_poll_all();
	return polled;
}
