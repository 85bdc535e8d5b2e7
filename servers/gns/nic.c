/*
 * gns's NIC (nic.h): from a driver's name to an lwIP netif. The session's
 * region is a memory object the driver gives us, mapped shared; frame_netif.c
 * does the rest, and kicks come back through frame_kick.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"
#include "lwip/stats.h"
#include <manifold/socket_codes.h>
#include "frame_client.h"
#include "ns_client.h"
#include "nic.h"

#define ME mach_task_self()
#define NIC_POLL_BUDGET 64	/* frames a poll takes before the loop looks again */

static struct frame_netif nic;
static mach_port_t session = MACH_PORT_NULL;	/* a dead name once the driver is gone */
static mach_port_t driver = MACH_PORT_NULL;	/* the driver's service port, kept to reopen */
static mach_port_t events_port, link_port, notify;	/* [I] ours: the driver's kicks and link events, the kernel's notifications */
static const struct gns_config *config;		/* [I] */
static vm_address_t region;
static vm_size_t region_size;
static bool added;				/* the netif is in lwIP (it stays across sessions) */
static bool reopen;				/* the session died: try again at the next tick */
static bool quiet;				/* a failed reopen was reported: the next ones are not */

#define say(...) (quiet ? 0 : printf(__VA_ARGS__))

/* A doorbell: a full queue means one is already waiting (frame.defs). */
static void
kick(struct frame_netif *fn)
{
	/* with the loop's next receive: a trap less a datagram out */
	mach_msg_header_t m = { .msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), .msgh_size = sizeof m,
				.msgh_remote_port = session, .msgh_id = FRAME_KICK_ID };

	/*
	 * Else (a reply takes that receive: every kick of udp_rr_remote's, sent
	 * inside a socket's RPC) the message built here goes as frame_kick's
	 * stub would send it (frame.defs: one-way, waittime 0), not built again.
	 */
	if (!msg_send_with_receive(&m))
		mach_msg(&m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

static mach_port_t
find_driver(const char *name, uint32_t wait_ms)
{
	mach_port_t ns = MACH_PORT_NULL, found = MACH_PORT_NULL;

	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS || !MACH_PORT_VALID(ns))
		return MACH_PORT_NULL;
	if (ns_wait(ns, name, wait_ms, &found) != KERN_SUCCESS)
		found = MACH_PORT_NULL;
	mach_port_deallocate(ME, ns);
	return found;
}

/*
 * A session on the driver's port, its region mapped and the netif (re)added.
 * A driver that checked in keeps its port across restarts, so frame_open
 * waits there for the next instance; one that registered its own port in
 * ns left a dead name, and is looked up again.
 */
static bool
open_session(uint32_t wait_ms)
{
	mach_port_t memory = MACH_PORT_NULL, prev = MACH_PORT_NULL;
	const struct gns_config *c = config;
	ip4_addr_t ip, mask, gw;
	kern_return_t kr = MACH_SEND_INVALID_DEST;

	if (MACH_PORT_VALID(driver))
		kr = frame_open(driver, events_port, link_port, NIC_RX_SLOTS, NIC_TX_SLOTS, &session, &memory, &region_size,
				nic.mac);
	if (kr == MACH_SEND_INVALID_DEST || kr == MIG_SERVER_DIED) {
		if (MACH_PORT_VALID(driver))
			mach_port_deallocate(ME, driver);
		driver = find_driver(c->nic, wait_ms);
		if (!MACH_PORT_VALID(driver)) {
			say("gns: no NIC found (%s)\n", c->nic);
			return false;
		}
		kr = frame_open(driver, events_port, link_port, NIC_RX_SLOTS, NIC_TX_SLOTS, &session, &memory, &region_size,
				nic.mac);
	}
	if (kr != KERN_SUCCESS) {
		say("gns: %s refused a session: %s\n", c->nic, mach_error_string(kr));
		session = MACH_PORT_NULL;
		return false;
	}
	region = 0;
	kr = vm_map(ME, &region, region_size, 0, TRUE, memory, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_DEFAULT,
		    VM_INHERIT_NONE);
	mach_port_deallocate(ME, memory);
	if (kr != KERN_SUCCESS) {
		say("gns: cannot map %s's rings: %s\n", c->nic, mach_error_string(kr));
		goto fail;
	}
	/* The driver's death (or restart) leaves a dead name: we reopen then. */
	if (mach_port_request_notification(ME, session, MACH_NOTIFY_DEAD_NAME, 1, notify,
					   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS) {
		vm_deallocate(ME, region, region_size);
		goto fail;
	}
	nic.kick = kick;
	nic.tx_blocked = false;
	if (added) {
		/* A reopen: the netif, its ARP table and lwIP's connections stay; only the rings are new. */
		if (frame_netif_reattach(&nic, (void *)region, region_size) != ERR_OK) {
			say("gns: %s's region is not a frame region\n", c->nic);
			vm_deallocate(ME, region, region_size);
			goto fail;
		}
		netif_set_link_up(&nic.netif);	/* until the driver's first link event says otherwise */
		return true;
	}
	ip4_addr_set_u32(&ip, lwip_htonl(c->ip));
	ip4_addr_set_u32(&mask, lwip_htonl(c->mask));
	ip4_addr_set_zero(&gw);
	if (frame_netif_add(&nic, (void *)region, region_size, &ip, &mask, &gw) != ERR_OK) {
		say("gns: %s's region is not a frame region\n", c->nic);
		vm_deallocate(ME, region, region_size);
		goto fail;
	}
	added = true;
	netif_set_default(&nic.netif);
	if (c->dhcp)
		dhcp_start(&nic.netif);
	return true;
fail:
	mach_port_deallocate(ME, session);
	session = MACH_PORT_NULL;
	return false;
}

struct netif *
nic_netif(void)
{
	return added ? &nic.netif : NULL;
}

bool
nic_open(const struct gns_config *c, mach_port_t events, mach_port_t link, mach_port_t notify_port,
	 uint32_t wait_ms)
{
	ip4_addr_t ip;

	config = c;
	events_port = events;
	link_port = link;
	notify = notify_port;
	driver = find_driver(c->nic, wait_ms);
	if (!MACH_PORT_VALID(driver)) {
		printf("gns: no NIC found (%s)\n", c->nic);
		return false;
	}
	if (!open_session(wait_ms))
		return false;
	ip4_addr_set_u32(&ip, lwip_htonl(c->ip));
	printf("gns: %s is %02x:%02x:%02x:%02x:%02x:%02x, %s\n", c->nic, nic.mac[0], nic.mac[1], nic.mac[2],
	       nic.mac[3], nic.mac[4], nic.mac[5], c->dhcp ? "DHCP" : ip4addr_ntoa(&ip));
	return true;
}

void
nic_dead_name(mach_port_name_t name)
{
	if (!MACH_PORT_VALID(session) || name != session)
		return;
	printf("gns: %s's session is over (the driver died); reopening\n", config->nic);
	/* Link down, and no ring touched (broken) until the next session's are attached. */
	nic.broken = true;
	netif_set_link_down(&nic.netif);
	vm_deallocate(ME, region, region_size);
	mach_port_deallocate(ME, session);	/* our dead name; the notification's goes with it */
	session = MACH_PORT_NULL;
	reopen = true;
}

bool
nic_retry(void)
{
	if (!reopen)
		return false;
	reopen = false;
	if (open_session(NIC_REOPEN_WAIT_MS)) {
		printf("gns: %s reopened\n", config->nic);
		quiet = false;
	} else {
		reopen = true;
		quiet = true;	/* tried again every tick, reported once */
	}
	return true;
}

void
nic_service(void)
{
	if (!MACH_PORT_VALID(session))
		return;
	/* a poll that took fewer than its budget found the ring empty: no second look before asking for a kick */
	do {
		while (frame_netif_poll(&nic, NIC_POLL_BUDGET) == NIC_POLL_BUDGET)
			;
	} while (!frame_netif_may_sleep(&nic));
}

void
nic_set_link(bool up)
{
	if (MACH_PORT_VALID(session))
		frame_netif_set_link(&nic, up);
}

/* What lwIP refused as malformed (its counters, LWIP_STATS): ifconfig's receive errors. */
static uint32_t
rx_errors(void)
{
	const struct stats_proto *p[] = { &lwip_stats.etharp, &lwip_stats.ip, &lwip_stats.ip_frag,
					  &lwip_stats.icmp, &lwip_stats.udp, &lwip_stats.tcp };
	uint32_t n = 0;

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		n += p[i]->chkerr + p[i]->lenerr + p[i]->proterr + p[i]->opterr;
	return n;
}

bool
nic_info(uint32_t *w)
{
	struct netif *n = &nic.netif;

	if (!added)
		return false;
	w[GNS_IF_IP] = lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(n)));
	w[GNS_IF_NETMASK] = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(n)));
	w[GNS_IF_GATEWAY] = lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(n)));
	w[GNS_IF_MAC_HI] = (uint32_t)nic.mac[0] << 8 | nic.mac[1];
	w[GNS_IF_MAC_LO] = (uint32_t)nic.mac[2] << 24 | (uint32_t)nic.mac[3] << 16 | (uint32_t)nic.mac[4] << 8 | nic.mac[5];
	w[GNS_IF_FLAGS] = (netif_is_up(n) ? GNS_IFF_UP : 0) | (netif_is_link_up(n) ? GNS_IFF_LINK : 0) |
			  ((n->flags & NETIF_FLAG_BROADCAST) ? GNS_IFF_BROADCAST : 0);
	w[GNS_IF_MTU] = n->mtu;
	w[GNS_IF_RX_PACKETS] = nic.rx_frames;
	w[GNS_IF_RX_BYTES] = nic.rx_bytes;
	w[GNS_IF_RX_ERRORS] = rx_errors();
	w[GNS_IF_RX_DROPPED] = nic.rx_dropped;
	w[GNS_IF_TX_PACKETS] = nic.tx_frames;
	w[GNS_IF_TX_BYTES] = nic.tx_bytes;
	w[GNS_IF_TX_ERRORS] = nic.tx_errors;
	w[GNS_IF_TX_DROPPED] = nic.tx_dropped;
	return true;
}
