/*
 * The transport's datagrams beside lwIP's layers (udp_direct.c): sent
 * straight into the NIC's TX ring with headers made here, and taken
 * straight out of the RX ring, when the way is plain (an IPv4 UDP datagram
 * of one frame, a peer whose MAC lwIP's ARP table holds). Anything else
 * goes through lwIP as before. Only gns's loop thread calls these.
 */
#ifndef GNS_UDP_DIRECT_H
#define GNS_UDP_DIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lwip/netif.h"

/*
 * From now on, datagrams to netif's address and UDP port `port` (network
 * order in the frame, host order here) with no UDP checksum come to input
 * without lwIP: src is the sender's IPv4 address in host order, dgram the
 * UDP payload, in a buffer of ours (not the shared ring) valid for the call.
 * netif is a frame_netif's (its state), kept; NULL (no NIC): nothing happens.
 */
void udp_direct_start(struct netif *netif, uint16_t port,
		      void (*input)(uint32_t src, const uint8_t *dgram, size_t len));

/*
 * One datagram from our port to dst (host order) at the same port, with no
 * UDP checksum; false when it cannot go this way now (no NIC or address, the
 * peer's MAC not known, the TX ring full or frames waiting for room, too
 * long, or this peer's turn to go through lwIP, which keeps its ARP entry
 * fresh): the caller then sends it through lwIP.
 */
bool udp_direct_output(uint32_t dst, const void *dgram, size_t len, uint64_t now);

#endif
