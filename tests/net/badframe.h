/*
 * Malformed frames for the gns suite's bad-input case (badframe.c): the
 * kinds issue 13 names (bad lengths, bad checksums, truncated headers, IP
 * fragments that never complete) and others, each addressed to gns so that
 * it reaches the layer it is meant to break.
 */
#ifndef BADFRAME_H
#define BADFRAME_H

#include <stdint.h>

enum badframe_kind {
	BADFRAME_RANDOM,	/* random bytes, any length, sometimes our MAC and an IPv4 type */
	BADFRAME_IP_CHECKSUM,	/* an IPv4 header whose checksum is wrong */
	BADFRAME_IP_LENGTH,	/* total length past the frame, or under the header */
	BADFRAME_IP_HEADER,	/* version or header length wrong, options garbage */
	BADFRAME_TRUNCATED,	/* cut inside the IP, UDP, TCP or ICMP header */
	BADFRAME_FRAGMENT,	/* one piece of a datagram whose other pieces never come */
	BADFRAME_UDP,		/* to any port, checksum or length wrong half the time */
	BADFRAME_TCP,		/* any flags, offset and options, to any port */
	BADFRAME_ICMP,		/* any type and code, checksum wrong half the time */
	BADFRAME_ARP,		/* wrong sizes, opcodes, addresses */
	BADFRAME_KINDS
};

/* The Internet checksum: 0 over data that carries a correct one. */
uint16_t inet_csum(const uint8_t *p, uint32_t n);

/*
 * Writes a frame of kind from src (MAC, IPv4) to dst into f (room for max
 * bytes, at least 1514) using rand for every choice; returns its length.
 */
uint32_t badframe_make(uint8_t *f, uint32_t max, enum badframe_kind kind, const uint8_t *src_mac, uint32_t src_ip,
		       const uint8_t *dst_mac, uint32_t dst_ip, uint32_t (*rand)(void));

#endif
