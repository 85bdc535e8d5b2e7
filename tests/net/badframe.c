/*
 * Malformed frames (badframe.h). Each kind starts from a well-formed
 * Ethernet and IPv4 header to gns and then breaks one thing, so that the
 * frame gets past the layers below the one under attack.
 */
#include <string.h>
#include "badframe.h"
#include "byteorder.h"

#define ETH_IP	0x0800
#define ETH_ARP	0x0806
#define ETH_HDR	14
#define IP_HDR	20

uint16_t
inet_csum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
random_bytes(uint8_t *p, uint32_t n, uint32_t (*rand)(void))
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

/* An IPv4 header of protocol proto carrying payload bytes, checksum right. */
static void
ip_header(uint8_t *ip, uint8_t proto, uint32_t payload, uint32_t src, uint32_t dst, uint32_t (*rand)(void))
{
	memset(ip, 0, IP_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_HDR + payload));
	put16(ip + 4, (uint16_t)rand());
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, inet_csum(ip, IP_HDR));
}

static void
reseal(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, inet_csum(ip, (uint32_t)(ip[0] & 0xf) * 4));
}

uint32_t
badframe_make(uint8_t *f, uint32_t max, enum badframe_kind kind, const uint8_t *src_mac, uint32_t src_ip,
	      const uint8_t *dst_mac, uint32_t dst_ip, uint32_t (*rand)(void))
{
	uint8_t *ip = f + ETH_HDR, *l4 = ip + IP_HDR;
	uint32_t payload = rand() % 200, len;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	put16(f + 12, ETH_IP);
	random_bytes(l4, payload, rand);
	ip_header(ip, (uint8_t[]){ 1, 6, 17 }[rand() % 3], payload, src_ip, dst_ip, rand);
	len = ETH_HDR + IP_HDR + payload;

	switch (kind) {
	case BADFRAME_RANDOM:
		len = rand() % (max + 1);
		random_bytes(f, len, rand);
		if (len >= ETH_HDR && rand() % 2) {
			memcpy(f, dst_mac, 6);
			put16(f + 12, rand() % 2 ? ETH_IP : ETH_ARP);
		}
		return len;
	case BADFRAME_IP_CHECKSUM:
		put16(ip + 10, (uint16_t)(get16(ip + 10) ^ (1 + rand() % 0xfffe)));
		return len;
	case BADFRAME_IP_LENGTH:
		put16(ip + 2, (uint16_t)(rand() % 2 ? IP_HDR + payload + 1 + rand() % 2000 : rand() % IP_HDR));
		reseal(ip);
		return len;
	case BADFRAME_IP_HEADER:
		if (rand() % 2)
			ip[0] = (uint8_t)(rand() % 2 ? 0x40 | rand() % 5 : (rand() % 16) << 4 | 5);	/* IHL < 5, or not v4 */
		else
			ip[0] = (uint8_t)(0x40 | (6 + rand() % 10));	/* options: the payload's random bytes */
		reseal(ip);
		return len;
	case BADFRAME_TRUNCATED:
		/* whole headers claimed, the frame cut short inside one of them */
		put16(ip + 2, (uint16_t)(IP_HDR + 60));
		reseal(ip);
		return ETH_HDR + rand() % (IP_HDR + 20);
	case BADFRAME_FRAGMENT:
		/* more-fragments with a random offset, or the last piece of a datagram never begun */
		put16(ip + 6, (uint16_t)((rand() % 2 ? 0x2000 : 0) | (1 + rand() % 0x1fff)));
		put16(ip + 4, (uint16_t)rand());
		payload &= ~7u;
		put16(ip + 2, (uint16_t)(IP_HDR + payload));
		reseal(ip);
		return ETH_HDR + IP_HDR + payload;
	case BADFRAME_UDP:
	case BADFRAME_TCP:
	case BADFRAME_ICMP: {
		uint8_t proto = kind == BADFRAME_UDP ? 17 : kind == BADFRAME_TCP ? 6 : 1;
		uint32_t hdr = proto == 6 ? 20 : 8;
		if (payload < hdr)
			payload = hdr + rand() % 64;
		random_bytes(l4, payload, rand);
		ip_header(ip, proto, payload, src_ip, dst_ip, rand);
		if (proto == 17) {
			put16(l4 + 4, (uint16_t)(rand() % 2 ? payload : rand()));	/* UDP length */
			put16(l4 + 6, (uint16_t)rand());			/* checksum, rarely right */
		} else if (proto == 6) {
			l4[12] = (uint8_t)((rand() % 16) << 4);			/* data offset */
			if (rand() % 2)
				l4[13] = 0x02;					/* SYN: a reset comes back */
		} else {
			l4[0] = (uint8_t)(rand() % 2 ? 8 : rand());		/* echo request, or anything */
			put16(l4 + 2, 0);
			put16(l4 + 2, inet_csum(l4, payload));
			if (rand() % 2)
				l4[2] ^= 0x40;
		}
		return ETH_HDR + IP_HDR + payload;
	}
	case BADFRAME_ARP:
	default:
		put16(f + 12, ETH_ARP);
		random_bytes(ip, 28, rand);
		put16(ip, (uint16_t)(rand() % 2 ? 1 : rand()));			/* hardware type */
		put16(ip + 2, (uint16_t)(rand() % 2 ? ETH_IP : rand()));
		if (rand() % 2) {
			ip[4] = 6;
			ip[5] = 4;
		}
		put32(ip + 24, rand() % 2 ? dst_ip : rand());
		return ETH_HDR + (rand() % 2 ? 28 : rand() % 28);
	}
}
