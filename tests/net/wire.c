/*
 * The test wire's peer (wire.h). Frames are written and read field by field
 * at fixed offsets: Ethernet (14 bytes), IPv4 without options (20), then UDP
 * (8) or ICMP. Our UDP datagrams carry no checksum (0), which IPv4 allows.
 */
#include <string.h>
#include <manifold/frame_ring.h>
#include "nicdriver.h"
#include <manifold/trap.h>
#include "wire.h"

#define ETH_HDR 14
#define IP_HDR 20

const uint8_t wire_peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 };
const uint8_t wire_gns_mac[6] = NIC_MAC;
#define peer_mac wire_peer_mac
#define gns_mac wire_gns_mac
static uint8_t out[FRAME_DATA_MAX], in[FRAME_DATA_MAX];
static uint16_t ip_id = 1;

static uint64_t
clock_ms(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns / 1000000;
}

/* Big-endian fields of n bytes (2 or 4). */
static void
be_put(uint8_t *p, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint32_t
be_get(const uint8_t *p, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static uint16_t
ip_checksum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < IP_HDR; i += 2)
		sum += be_get(h + i, 2);
	sum = (sum & 0xffff) + (sum >> 16);
	sum += sum >> 16;
	return (uint16_t)~sum;
}

static void
ether(uint8_t *f, uint16_t type)
{
	memcpy(f, gns_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	be_put(f + 12, type, 2);
}

bool
wire_send_udp(uint16_t src_port, uint16_t dst_port, const void *data, uint32_t len)
{
	uint8_t *ip = out + ETH_HDR, *udp = ip + IP_HDR;

	if (ETH_HDR + IP_HDR + 8 + len > sizeof out)
		return false;
	ether(out, 0x0800);
	memset(ip, 0, IP_HDR);
	ip[0] = 0x45;
	be_put(ip + 2, IP_HDR + 8 + len, 2);
	be_put(ip + 4, ip_id++, 2);
	ip[8] = 64;
	ip[9] = 17;
	be_put(ip + 12, WIRE_PEER_IP, 4);
	be_put(ip + 16, WIRE_GNS_IP, 4);
	be_put(ip + 10, ip_checksum(ip), 2);
	be_put(udp, src_port, 2);
	be_put(udp + 2, dst_port, 2);
	be_put(udp + 4, 8 + len, 2);
	be_put(udp + 6, 0, 2);
	memcpy(udp + 8, data, len);
	len += ETH_HDR + IP_HDR + 8;
	return nic_send(out, len < 60 ? 60 : len, 1000);
}

bool
wire_send_tcp(uint16_t src_port, uint16_t dst_port, uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t *ip = out + ETH_HDR, *tcp = ip + IP_HDR;
	uint32_t sum = 0;

	ether(out, 0x0800);
	memset(ip, 0, IP_HDR + 20);
	ip[0] = 0x45;
	be_put(ip + 2, IP_HDR + 20, 2);
	be_put(ip + 4, ip_id++, 2);
	ip[8] = 64;
	ip[9] = 6;
	be_put(ip + 12, WIRE_PEER_IP, 4);
	be_put(ip + 16, WIRE_GNS_IP, 4);
	be_put(ip + 10, ip_checksum(ip), 2);
	be_put(tcp, src_port, 2);
	be_put(tcp + 2, dst_port, 2);
	be_put(tcp + 4, seq, 4);
	be_put(tcp + 8, ack, 4);
	tcp[12] = 5 << 4;	/* 20 bytes, no options */
	tcp[13] = flags;
	be_put(tcp + 14, 8192, 2);
	/* the checksum covers a pseudo-header: both addresses, the protocol, the length */
	sum = (WIRE_PEER_IP >> 16) + (WIRE_PEER_IP & 0xffff) + (WIRE_GNS_IP >> 16) + (WIRE_GNS_IP & 0xffff) + 6 + 20;
	for (int i = 0; i < 20; i += 2)
		sum += be_get(tcp + i, 2);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	be_put(tcp + 16, (uint16_t)~sum, 2);
	return nic_send(out, 60, 1000);
}

/* gns asks who has the peer's address: the peer says it does. */
static void
answer_arp(const uint8_t *f, int len)
{
	const uint8_t *a = f + ETH_HDR;
	uint8_t *r = out + ETH_HDR;

	if (len < ETH_HDR + 28 || be_get(a + 6, 2) != 1 || be_get(a + 24, 4) != WIRE_PEER_IP)
		return;
	ether(out, 0x0806);
	be_put(r, 1, 2);
	be_put(r + 2, 0x0800, 2);
	r[4] = 6;
	r[5] = 4;
	be_put(r + 6, 2, 2);
	memcpy(r + 8, peer_mac, 6);
	be_put(r + 14, WIRE_PEER_IP, 4);
	memcpy(r + 18, gns_mac, 6);
	be_put(r + 24, WIRE_GNS_IP, 4);
	nic_send(out, 60, 1000);
}

bool
wire_send_ether(uint16_t type, const void *data, uint32_t len)
{
	if (ETH_HDR + len > sizeof out)
		return false;
	ether(out, type);
	memcpy(out + ETH_HDR, data, len);
	memset(out + ETH_HDR + len, 0, len < 46 ? 46 - len : 0);
	return nic_send(out, ETH_HDR + (len < 46 ? 46 : len), 1000);
}

int
wire_next_ether(uint16_t type, uint8_t *buf, uint32_t size, uint32_t timeout_ms)
{
	uint64_t end = clock_ms() + timeout_ms;

	for (;;) {
		uint64_t t = clock_ms();
		int len = nic_receive(buf, size, t < end ? (uint32_t)(end - t) : 0);

		if (len < 0)
			return -1;
		if (len >= ETH_HDR && be_get(buf + 12, 2) == type)
			return len;
	}
}

/* The next IPv4 frame of protocol proto from gns, answering ARP on the way; its length or -1. */
static int
next_ip(uint8_t proto, uint32_t timeout_ms)
{
	uint64_t end = clock_ms() + timeout_ms;

	for (;;) {
		uint64_t t = clock_ms();
		int len = nic_receive(in, sizeof in, t < end ? (uint32_t)(end - t) : 0);

		if (len < 0)
			return -1;
		if (len >= ETH_HDR && be_get(in + 12, 2) == 0x0806)
			answer_arp(in, len);
		else if (len >= ETH_HDR + IP_HDR + 8 && be_get(in + 12, 2) == 0x0800 && in[ETH_HDR + 9] == proto)
			return len;
	}
}

bool
wire_next_udp(struct wire_udp *u, uint32_t timeout_ms)
{
	const uint8_t *ip = in + ETH_HDR, *udp = ip + IP_HDR;
	int len = next_ip(17, timeout_ms);

	if (len < 0 || ip_checksum(ip) != 0)
		return false;
	u->src_ip = be_get(ip + 12, 4);
	u->dst_ip = be_get(ip + 16, 4);
	u->src_port = (uint16_t)be_get(udp, 2);
	u->dst_port = (uint16_t)be_get(udp + 2, 2);
	u->len = be_get(udp + 4, 2) - 8;
	if (u->len > sizeof u->data || ETH_HDR + IP_HDR + 8 + u->len > (uint32_t)len)
		return false;
	memcpy(u->data, udp + 8, u->len);
	return true;
}

int
wire_next_unreachable(uint16_t *port, uint32_t timeout_ms)
{
	const uint8_t *icmp = in + ETH_HDR + IP_HDR;
	int len = next_ip(1, timeout_ms);

	/* type 3, then the quoted IPv4 header (20 bytes here) and the UDP header's first 8 */
	if (len < ETH_HDR + IP_HDR + 8 + IP_HDR + 8 || icmp[0] != 3)
		return -1;
	*port = (uint16_t)be_get(icmp + 8 + IP_HDR + 2, 2);
	return icmp[1];
}
