/*
 * Prototypes of the hooks lwipopts.h names; lwIP includes this file in the
 * sources that call them, after its own headers.
 */
#ifndef GNS_LWIP_HOOKS_H
#define GNS_LWIP_HOOKS_H

#include "lwip/err.h"
#include "lwip/ip_addr.h"

/* The initial sequence number of a new connection (isn.c). */
u32_t isn_tcp(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip, u16_t remote_port);

/* A frame of a type lwIP does not know (ether_hook.c): ERR_OK if taken, p then the taker's. */
struct pbuf;
struct netif;
extern err_t (*ether_hook_fn)(struct pbuf *p, struct netif *netif);
err_t ether_hook(struct pbuf *p, struct netif *netif);

/*
 * Every TCP segment for a pcb, before lwIP takes it (syn_guard.c): a SYN for a
 * listener whose backlog is full, or with SYN_RCVD_MAX connections half-open,
 * makes room by dropping the oldest half-open one. Always ERR_OK.
 */
#define SYN_RCVD_MAX 32
struct tcp_pcb;
struct tcp_hdr;
extern uint32_t syn_guard_evicted;
err_t syn_guard(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len, u8_t *opt2, struct pbuf *p);

#endif
