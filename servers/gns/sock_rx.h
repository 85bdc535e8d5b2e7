/*
 * What a socket keeps of its input (sock_rx.c), apart from sock.h so that the
 * host tests (tests/unit/net/node.c) run it with lwIP and no Mach.
 */
#ifndef GNS_SOCK_RX_H
#define GNS_SOCK_RX_H

#include <stdbool.h>

struct pbuf;

/*
 * sock_rx.c: what a socket keeps of its input. A socket keeps at most one
 * of lwIP's buffers (a lone pool pbuf); anything else is copied into memory
 * of its own and lwIP's freed (sock_rx.c says why). sock_rx_stream appends p
 * to the TCP chain *rx (copies packed into chunks) and frees p, or returns
 * false (no memory) with nothing changed; sock_rx_datagram gives the pbuf a
 * UDP socket that already holds (holds) one of lwIP's should queue instead
 * of p, or NULL (p untouched).
 */
#define SOCK_RX_INPUT_POOL 64	/* pool pbufs no socket can take: input in flight */
bool sock_rx_stream(struct pbuf **rx, struct pbuf *p);
struct pbuf *sock_rx_datagram(struct pbuf *p, bool holds);
bool sock_rx_holds_lwip(const struct pbuf *chain);

#endif
