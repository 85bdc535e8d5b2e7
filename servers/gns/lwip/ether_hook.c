/*
 * LWIP_HOOK_UNKNOWN_ETH_PROTOCOL (lwip_hooks.h): a frame of a type lwIP does
 * not handle goes to whoever gns set here (its EtherType registrations);
 * with nobody set, lwIP drops it. A pointer, so that the host tests' stacks
 * link without gns.
 */
#include "lwip/err.h"
#include "lwip_hooks.h"

err_t (*ether_hook_fn)(struct pbuf *p, struct netif *netif);

err_t
ether_hook(struct pbuf *p, struct netif *netif)
{
	return ether_hook_fn ? ether_hook_fn(p, netif) : ERR_VAL;
}
