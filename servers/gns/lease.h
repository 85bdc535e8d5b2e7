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
 * client bound again to the same address) or lost. Then keeps the lease: its
 * renewal and rebinding REQUESTs, sent again with backoff, and its end (lease.c).
 * Nothing without DHCP. Called before lwIP's timers (so that they never act on
 * a fresh ACK's coarse counters) and after them.
 */
void lease_poll(struct netif *netif);

#endif
