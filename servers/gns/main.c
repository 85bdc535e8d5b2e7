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
 * After every message and when its time comes. When its time comes: the
 * rings once more in case a kick was dropped by a full queue, lwIP's timers,
 * the DHCP lease's changes. After every message, only what a handler may
 * have changed: the loopback queue, when lwIP's next timer is due (a handler
 * may have started one), a session to reopen after the driver's death, the
 * ping service's next request and the cluster's tick (which looks at its
 * own due time). The rings need no look then: the driver kicks us for every
 * frame that comes after nic_service asked it to (frame_ring.h), and the
 * look cost some 120 instructions a turn, lwIP's timers and DHCP's watch 180
 * (three turns a round trip of udp_rr_remote).
 */
static struct msg_server server;	/* below: tick reads the loop's clock from it */
static bool dhcp;			/* [I] ip=dhcp: lease.c watches the lease */
static uint64_t due_us;			/* when the timed half is due (the loop's clock) */

static uint32_t
tick(void)
{
	uint32_t next = 0, ping_next, cluster_next;
	uint64_t now;
	bool reopened = nic_retry(), timed = false;

	/* the loop read the clock just before this, unless reopening a session waited for the driver */
	if (reopened)
		port_clock_hold(true);
	else
		port_clock_hold_at(server.tick_now_us);
	now = port_now_us();
	if (reopened || now >= due_us || (next = sys_timeouts_sleeptime()) == 0) {
		timed = true;
		nic_service();
		if (dhcp)
			lease_poll(nic_netif());
		sys_check_timeouts();
		if (dhcp)
			lease_poll(nic_netif());
	}
	/* lwIP's next timer, asked again only if its timers ran or the loopback queue was drained */
	if (service_poll() || timed)
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
	if (next == 0)
		next = 1;
	due_us = now + next * 1000ull;
	return next;
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
	.reply_after_tick = true,	/* the tick sends frames and datagrams, nothing a client waits to see first */
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
	dhcp = config.dhcp;
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
