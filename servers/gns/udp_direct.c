/*
 * The transport's datagrams beside lwIP's layers (udp_direct.h). A remote
 * null RPC is a datagram out and one in on each node; through lwIP each cost
 * a pbuf's allocation and free and a copy, and the layers' work (udp_sendto's
 * route, ip4_output's header, etharp_output's table; on input ethernet_input,
 * ip4_input and udp_input's PCB search). Here a datagram out is its 42 bytes
 * of Ethernet, IPv4 and UDP header and its payload, copied straight into a TX
 * slot; one in is copied out of its RX slot once, checked as lwIP would (the
 * IPv4 header's checksum too) and handed to the transport.
 *
 * What stays lwIP's: ARP (the peer's MAC is read from lwIP's table, never
 * learnt here), and every datagram that is not plain: fragments, IP options,
 * a UDP checksum to check, addresses not on our subnet, a full TX ring or
 * frames queued for room (order), no address yet. A peer's datagram goes
 * through lwIP at least every ARP_REFRESH_US, so that lwIP sees its ARP
 * entry in use and asks again before the entry's 5 minutes end (etharp.c:
 * ARP_AGE_REREQUEST_USED_*, 30 s before). Ours carry DF and no fragment
 * (RFC 6864: an atomic datagram's identification matters to nobody).
 */
#include <string.h>
#include "lwip/etharp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4_addr.h"
#include "frame_netif.h"
#include "udp_direct.h"

#define ETH_HEADER 14
#define HEADERS (ETH_HEADER + 20 + 8)
#define ARP_REFRESH_US (10 * 1000000ull)

static struct netif *nif;		/* [I] the frame_netif's; NULL: not started */
static uint16_t udp_port;		/* [I] host order */
static void (*deliver)(uint32_t src, const uint8_t *dgram, size_t len);	/* [I] */
static uint8_t rx_copy[FRAME_DATA_MAX];	/* the frame taken, out of shared memory */
static uint32_t rx_src, rx_len;		/* ...its sender (host order) and UDP payload's length */
static uint16_t ip_id;

/*
 * What we know of a destination: lwIP's ARP entry's index, when lwIP last
 * sent to it, and its headers as they go but for the IPv4 total length,
 * identification and checksum and the UDP length (the checksum's sum of the
 * rest kept: each datagram adds its two words).
 */
struct dest {
	uint32_t ip;		/* host order; 0: unused */
	int idx;		/* -1: look it up */
	uint64_t via_lwip_us;	/* ...when via_lwip */
	bool via_lwip;		/* lwIP has sent to it */
	uint32_t src;		/* host order: the source the headers were made with (0: none yet) */
	uint32_t sum;		/* the IPv4 header's words but those three, summed */
	uint8_t head[HEADERS];
};
static struct dest dests[256];	/* by the address's low byte (a node's number) */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Four bytes as they lie: an address in network order, as lwIP keeps them. */
static uint32_t
raw32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}

/*
 * An IPv4 UDP datagram to our port with no checksum, whole in one frame, for
 * us, from a source lwIP would take (not a broadcast, subnet-directed one
 * included, nor multicast), its header's checksum right: what lwIP would
 * hand our PCB too. Addresses compared in network order.
 */
static bool
plain_datagram(const struct netif *netif, const uint8_t *f, uint32_t len)
{
	uint32_t total = be16(f + 16), ulen = be16(f + 38), src = raw32(f + 26);
	uint32_t me = ip4_addr_get_u32(netif_ip4_addr(netif)), mask = ip4_addr_get_u32(netif_ip4_netmask(netif));

	return total >= 28 && ETH_HEADER + total <= len && (be16(f + 20) & 0x3fffu) == 0 && ulen == total - 20 &&
	       be16(f + 40) == 0 && me != 0 && raw32(f + 30) == me && src != 0 && src != 0xffffffffu &&
	       !((src & mask) == (me & mask) && (src | mask) == 0xffffffffu) && (f[26] & 0xf0) != 0xe0 &&
	       inet_chksum(f + ETH_HEADER, 20) == 0;
}

static bool
take(struct frame_netif *fn, const uint8_t *frame, uint32_t len)
{
	/* a look at the shared slot to choose; everything is checked again on our copy */
	if (len < HEADERS || frame[12] != 0x08 || frame[13] != 0x00 || frame[14] != 0x45 || frame[23] != 17 ||
	    be16(frame + 36) != udp_port)
		return false;
	memcpy(rx_copy, frame, len);
	if (rx_copy[12] != 0x08 || rx_copy[13] != 0x00 || rx_copy[14] != 0x45 || rx_copy[23] != 17 ||
	    be16(rx_copy + 36) != udp_port || !plain_datagram(&fn->netif, rx_copy, len))
		return false;	/* lwIP's, as it would be without us */
	rx_src = be32(rx_copy + 26);
	rx_len = be16(rx_copy + 38) - 8u;
	return true;
}

static void
run(struct frame_netif *fn)
{
	(void)fn;
	deliver(rx_src, rx_copy + HEADERS, rx_len);
}

void
udp_direct_start(struct netif *netif, uint16_t port, void (*input)(uint32_t src, const uint8_t *dgram, size_t len))
{
	struct frame_netif *fn;

	if (!netif)
		return;
	nif = netif;
	for (size_t i = 0; i < sizeof dests / sizeof dests[0]; i++)
		dests[i].idx = -1;
	udp_port = port;
	deliver = input;
	fn = netif->state;
	fn->rx_run = run;
	fn->rx_take = take;
}

/* The destination's MAC from lwIP's table (its entry's index remembered), or NULL. */
static const struct eth_addr *
mac_of(struct netif *netif, struct dest *d, const ip4_addr_t *ip)
{
	ip4_addr_t *eip;
	const ip4_addr_t *fip;
	struct netif *enetif;
	struct eth_addr *eth;
	ssize_t i;

	if (d->idx >= 0 && etharp_get_entry((size_t)d->idx, &eip, &enetif, &eth) && enetif == netif &&
	    ip4_addr_cmp(eip, ip))
		return eth;
	if ((i = etharp_find_addr(netif, ip, &eth, &fip)) < 0) {
		d->idx = -1;
		return NULL;
	}
	d->idx = (int)i;
	return eth;
}

/* d's headers for src and mac: all but the lengths, the identification and the checksum. */
static void
make_head(struct dest *d, const struct netif *netif, uint32_t src, const struct eth_addr *mac)
{
	uint8_t *h = d->head;
	uint32_t sum = 0;

	memset(h, 0, HEADERS);
	memcpy(h, mac->addr, 6);
	memcpy(h + 6, netif->hwaddr, 6);
	h[12] = 0x08;
	h[14] = 0x45;
	put16(h + 20, IP_DF);
	h[22] = UDP_TTL;
	h[23] = 17;
	for (int i = 0; i < 4; i++) {
		h[26 + i] = (uint8_t)(src >> (24 - 8 * i));
		h[30 + i] = (uint8_t)(d->ip >> (24 - 8 * i));
	}
	put16(h + 34, udp_port);
	put16(h + 36, udp_port);
	/* UDP's checksum stays 0: none, the transport's tag covers the datagram */
	for (int i = ETH_HEADER; i < ETH_HEADER + 20; i += 2)
		sum += be16(h + i);
	d->sum = sum;
	d->src = src;
}

bool
udp_direct_output(uint32_t dst, const void *dgram, size_t len, uint64_t now)
{
	struct netif *netif = nif;
	const struct eth_addr *mac;
	struct dest *d = &dests[dst & 0xff];
	ip4_addr_t ip;
	uint32_t src, sum, total = 28 + (uint32_t)len;
	uint8_t *f;

	if (!netif || !netif_is_up(netif) || !netif_is_link_up(netif) || total > netif->mtu)
		return false;
	src = __builtin_bswap32(ip4_addr_get_u32(netif_ip4_addr(netif)));	/* (x86: lwip_ntohl is a call) */
	ip4_addr_set_u32(&ip, __builtin_bswap32(dst));
	if (d->ip != dst) {
		d->ip = dst;
		d->idx = -1;
		d->src = 0;
		d->via_lwip = false;
	}
	/* lwIP's turn: it sees the ARP entry in use (and learns it the first time) */
	if (!d->via_lwip || now - d->via_lwip_us >= ARP_REFRESH_US || now < d->via_lwip_us) {
		d->via_lwip = true;
		d->via_lwip_us = now;
		return false;
	}
	/* on our subnet, not its broadcast: looked at again whenever our address is new */
	if (src == 0 || (src != d->src && (!ip4_addr_netcmp(&ip, netif_ip4_addr(netif), netif_ip4_netmask(netif)) ||
					     ip4_addr_isbroadcast(&ip, netif))))
		return false;
	if ((mac = mac_of(netif, d, &ip)) == NULL)
		return false;
	if (src != d->src || !frame_mac_equal(d->head, mac->addr))
		make_head(d, netif, src, mac);	/* a new address of ours (DHCP), or the peer's new MAC */
	if ((f = frame_netif_reserve_direct(netif->state, ETH_HEADER + total)) == NULL)
		return false;
	memcpy(f, d->head, HEADERS);
	put16(f + 16, total);
	put16(f + 18, ip_id);
	sum = d->sum + total + ip_id++;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	put16(f + 24, ~sum & 0xffff);
	put16(f + 38, 8 + (uint32_t)len);
	memcpy(f + HEADERS, dgram, len);
	frame_netif_commit_direct(netif->state, ETH_HEADER + total);
	return true;
}
