/*
 * gns, the generic network server (DESIGN.md): owns the node's NICs through
 * their driver tasks and runs lwIP (NO_SYS: only this loop's thread touches
 * it). It opens a frame session with one driver and answers on the network
 * (ARP, ICMP echo), serves sockets and protocol registrations (service.c),
 * and carries messages between nodes for its proxy ports (cluster.c,
 * proxy.c; issue 14). Without a driver it says so and idles.
 *
 * The loop is libmsg's msg_server_run on a port set: the events and link
 * ports, where the driver's frame_event messages arrive, the notification port (the
 * session's death: nic.c reopens it; an export's: proxy.c), the ping service
 * (ping.c), the service port, sockets, registrations and proxies; messages
 * to proxies are claimed before the demuxes. The tick runs lwIP's timers,
 * the beacons and the transport's, says when the next one is due, and tells
 * the DHCP lease's changes (lease.c).
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "carry.h"
#include "cluster.h"
#include "config.h"
#include "lease.h"
#include "frame_event_server.h"
#include "nic.h"
#include "ping.h"
#include "ping_server.h"
#include "port.h"
#include "proxy.h"
#include "service.h"

#define ME mach_task_self()
#define NIC_WAIT_MS 5000	/* a driver started before us registers within this */

kern_return_t
frame_event_do_frame_event_kick(mach_port_t events)
{
	nic_service();
	return KERN_SUCCESS;
}

kern_return_t
frame_event_do_frame_event_link(mach_port_t link, boolean_t link_up, uint32_t speed_mbps)
{
	nic_set_link(link_up);
	printf("gns: link %s (%u Mb/s)\n", link_up ? "up" : "down", speed_mbps);
	return KERN_SUCCESS;
}

/*
 * lwIP's timers, and the rings once more in case a kick was dropped by a
 * full queue; a session to reopen after the driver's death; the ping
 * service's next request.
 */
static struct msg_server server;	/* below: tick reads the loop's clock from it */

static uint32_t
tick(void)
{
	uint32_t next, ping_next, cluster_next;

	/* the loop read the clock just before this, unless reopening a session waited for the driver */
	if (nic_retry())
		port_clock_hold(true);
	else
		port_clock_hold_at(server.tick_now_us);
	nic_service();
	service_poll();
	lease_poll(nic_netif());
	sys_check_timeouts();
	lease_poll(nic_netif());
	next = sys_timeouts_sleeptime();
	if (next == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		next = 1000;
	ping_next = ping_tick();
	if (ping_next != 0 && ping_next < next)
		next = ping_next;
	cluster_next = cluster_tick();
	port_clock_hold(false);
	if (cluster_next != 0 && cluster_next < next)
		next = cluster_next;
	return next == 0 ? 1 : next;
}

/* An export's port died (proxy.c), or the driver's session (nic.c). */
static void
dead_name(mach_port_name_t name)
{
	if (!proxy_dead_name(name))
		nic_dead_name(name);
}

/*
 * Messages to proxies are claimed before the demuxes (proxy.c) and may be as
 * large as a carried message's inline part: the receive buffer allows that.
 */
static const msg_demux_t demuxes[] = { frame_event_server, ping_server, gns_server, socket_server, xipc_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 5,
	.max_request = SERVICE_MAX2(SERVICE_MAX2(SERVICE_REQUEST_MAX, PING_REQUEST_MAX_SIZE),
				    CARRY_INLINE_MAX + 1024),
	.max_reply = SERVICE_MAX2(SERVICE_REPLY_MAX, PING_REPLY_MAX_SIZE),
	.dead_name = dead_name,
	.claim = proxy_claim,
	.tick = tick,
};

int
main(int argc, char **argv)
{
	struct gns_config config;
	mach_port_t events, link, notify, set;

	if (!config_parse(&config, argc, argv))
		return 1;
	/* One port set: the driver's kicks and link events, the kernel's notifications, the ping service. */
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &events) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &link) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify) != KERN_SUCCESS ||
	    mach_port_move_member(ME, events, set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, link, set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, notify, set) != KERN_SUCCESS) {
		printf("gns: no port for events\n");
		return 1;
	}
	/* Kicks are doorbells: one waiting is as good as many (frame.defs). Link events are news: room for several. */
	mach_port_set_qlimit(ME, events, 1);
	mach_port_set_qlimit(ME, link, FRAME_LINK_QLIMIT);
	lwip_init();
	if (config.ip == 0 && !config.dhcp)
		printf("gns: no address (node=N or ip=dhcp)\n");
	if (!ping_init(&server, set))
		printf("gns: no ping service\n");
	nic_open(&config, events, link, notify, NIC_WAIT_MS);
	service_start(&server, set);
	proxy_init(set, notify);
	cluster_start(&config);
	server.port = set;
	server.notify_port = notify;
	msg_server_run(&server);
	return 1;
}
