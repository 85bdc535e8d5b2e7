/*
 * The test wire's peer for the `sock` suite (wire.c): a host 10.77.0.9 on
 * gns's LAN, played through the pretend NIC (nicdriver.h). It answers
 * gns's ARP for its address, sends UDP datagrams to gns, and picks gns's
 * UDP datagrams and ICMP errors out of what gns sends.
 */
#ifndef WIRE_H
#define WIRE_H

#include <stdbool.h>
#include <stdint.h>

#define WIRE_PEER_IP	0x0a4d0009u	/* 10.77.0.9 */
#define WIRE_GNS_IP	0x0a4d0003u	/* node=3 */

struct wire_udp {
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint32_t len;
	uint8_t data[1500];
};

/* A datagram from the peer's port to gns's port. */
bool wire_send_udp(uint16_t src_port, uint16_t dst_port, const void *data, uint32_t len);

/*
 * The next UDP datagram gns sends (answering its ARP requests for the peer
 * meanwhile), within timeout_ms. False if none came.
 */
bool wire_next_udp(struct wire_udp *u, uint32_t timeout_ms);

/*
 * The next ICMP destination-unreachable gns sends, within timeout_ms: its
 * code, and the UDP destination port of the datagram it quotes. -1: none.
 */
int wire_next_unreachable(uint16_t *port, uint32_t timeout_ms);

/* A frame of EtherType type from the peer to gns, with data after the header. */
/* A TCP segment from the peer (20-byte header, no data); flags as in the header's byte 13. */
#define WIRE_TCP_SYN	0x02
#define WIRE_TCP_RST	0x04
bool wire_send_tcp(uint16_t src_port, uint16_t dst_port, uint32_t seq, uint32_t ack, uint8_t flags);

bool wire_send_ether(uint16_t type, const void *data, uint32_t len);

/* The next frame of EtherType type gns sends, copied whole into buf; its length, or -1. */
int wire_next_ether(uint16_t type, uint8_t *buf, uint32_t size, uint32_t timeout_ms);

/* The peer's MAC, and gns's (NIC_MAC). */
extern const uint8_t wire_peer_mac[6], wire_gns_mac[6];

#endif
