/*
 * The DHCP lease as the console tells it (lease.c), for ip=dhcp: lwIP's client
 * runs in lwIP's own timers and input; the tick looks at its state after them.
 */
#ifndef GNS_LEASE_H
#define GNS_LEASE_H

#include "lwip/netif.h"

/*
 * Compares netif's DHCP state with the last seen and prints the change: a
 * lease bound (address, mask, length, server), renewed (a RENEWING or REBINDING
 * client bound again to the same address) or lost. Nothing without DHCP.
 */
void lease_poll(struct netif *netif);

#endif
