/*
 * The DHCP lease on the console (lease.h). lwIP's DHCP client says nothing
 * when it binds, renews or loses its lease (the netif's status callback
 * fires only when the address changes, so never on a renewal), and an
 * operator or a test wants each: `gns: DHCP: bound ...` and `... renewed`.
 * Called from the tick, which runs after every message and every lwIP
 * timer, so a renewal's RENEWING state (from the timer's request until the
 * server's ACK, a message later) is always seen before BOUND again.
 */
#include <stdbool.h>
#include <stdio.h>
#include "lwip/dhcp.h"
#include "lwip/prot/dhcp.h"
#include "lwip/ip4_addr.h"
#include "lease.h"

static uint8_t last_state = DHCP_STATE_OFF;	/* the loop thread's (NO_SYS) */
static ip4_addr_t last_addr;

static bool
renewing(uint8_t state)
{
	return state == DHCP_STATE_RENEWING || state == DHCP_STATE_REBINDING;
}

void
lease_poll(struct netif *netif)
{
	struct dhcp *d = netif ? netif_dhcp_data(netif) : NULL;
	uint8_t state = d ? d->state : DHCP_STATE_OFF;
	char addr[16], mask[16], server[16];

	if (state == last_state)
		return;
	if (state == DHCP_STATE_BOUND) {
		ip4addr_ntoa_r(netif_ip4_addr(netif), addr, sizeof addr);
		if (renewing(last_state) && ip4_addr_cmp(&last_addr, netif_ip4_addr(netif))) {
			printf("gns: DHCP: lease of %s renewed, %u s\n", addr, (unsigned)d->offered_t0_lease);
		} else {
			ip4addr_ntoa_r(netif_ip4_netmask(netif), mask, sizeof mask);
			ip4addr_ntoa_r(ip_2_ip4(&d->server_ip_addr), server, sizeof server);
			printf("gns: DHCP: bound %s netmask %s, lease %u s, from %s\n", addr, mask,
			       (unsigned)d->offered_t0_lease, server);
		}
		ip4_addr_copy(last_addr, *netif_ip4_addr(netif));
	} else if ((last_state == DHCP_STATE_BOUND || renewing(last_state)) && !renewing(state)) {
		ip4addr_ntoa_r(&last_addr, addr, sizeof addr);
		printf("gns: DHCP: lease of %s lost\n", addr);
	}
	last_state = state;
}
