/*
 * lwIP over a frame session (frame_netif.h). Frames are copied once each way,
 * between a ring slot and a pbuf: the slot belongs to shared memory the driver
 * may scribble on, so lwIP must never parse it in place.
 *
 * Checksums. With a driver that offers them (FRAME_FEAT_TX_CSUM), lwIP
 * makes no TCP checksum: linkoutput puts the pseudo-header's sum in TCP's
 * field and flags the slot, and the NIC does the rest (about 0.34
 * instructions a byte of every segment sent). The IPv4 header's stays
 * lwIP's: 20 bytes cost less than the flag's parsing on both sides, and
 * leaving it made udp_rr_remote dearer. On input, lwIP checks each frame
 * from the wire fully but for what the NIC found right (FRAME_RX_*; QEMU's
 * e1000 checks nothing). Between frames the netif's flags check no TCP
 * checksum: what lwIP then takes on this netif is its own loopback (to our
 * own address), made without one.
 */
#include <string.h>
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "netif/ethernet.h"
#include "frame_netif.h"

#define ETH_HEADER 14

#define CSUM_GEN_ALL	(NETIF_CHECKSUM_GEN_IP | NETIF_CHECKSUM_GEN_UDP | NETIF_CHECKSUM_GEN_TCP | \
			 NETIF_CHECKSUM_GEN_ICMP | NETIF_CHECKSUM_GEN_ICMP6)
#define CSUM_CHECK_ALL	(NETIF_CHECKSUM_CHECK_IP | NETIF_CHECKSUM_CHECK_UDP | NETIF_CHECKSUM_CHECK_TCP | \
			 NETIF_CHECKSUM_CHECK_ICMP | NETIF_CHECKSUM_CHECK_ICMP6)
#define CSUM_OFFLOADED	NETIF_CHECKSUM_GEN_TCP

static void
broken(struct frame_netif *fn)
{
	if (!fn->broken)
		LWIP_PLATFORM_DIAG(("gns: driver of %c%c%u broke its rings; link down\n", fn->netif.name[0],
				    fn->netif.name[1], fn->netif.num));
	fn->broken = true;
	netif_set_link_down(&fn->netif);
}

/*
 * The TX flags for a frame lwIP made without the offloaded checksum: TCP's
 * (its field seeded with the pseudo-header's sum, which the NIC adds in) for
 * a whole segment in IPv4; 0 for anything else.
 */
static uint32_t
tx_offload(uint8_t *f, uint32_t len)
{
	uint32_t ihl, total, sum;
	uint8_t *tcp;

	if (len < ETH_HEADER + 40 || f[ETH_HEADER + 9] != IP_PROTO_TCP || f[12] != 0x08 || f[13] != 0x00 ||
	    (f[14] >> 4) != 4)
		return 0;
	ihl = (f[14] & 0x0fu) * 4;
	total = (uint32_t)f[16] << 8 | f[17];
	if (ihl < 20 || total < ihl + 20 || ETH_HEADER + total > len || (f[20] & 0x3f) != 0 || f[21] != 0)
		return 0;
	/* source and destination addresses, protocol, the segment's length */
	sum = 0;
	for (uint32_t i = ETH_HEADER + 12; i < ETH_HEADER + 20; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	sum += IP_PROTO_TCP + (total - ihl);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	tcp = f + ETH_HEADER + ihl;
	tcp[16] = (uint8_t)(sum >> 8);
	tcp[17] = (uint8_t)sum;
	return FRAME_TX_CSUM_TCP;
}

/* A TCP segment in IPv4 (lwIP keeps those itself when the ring is full). */
static bool
is_tcp(const struct pbuf *p)
{
	const uint8_t *f = p->payload;

	return p->len >= ETH_HEADER + 20 && f[12] == 0x08 && f[13] == 0x00 && f[ETH_HEADER + 9] == IP_PROTO_TCP;
}

/* One frame into a TX slot: ERR_OK, ERR_MEM (the ring is full), ERR_IF (broken). */
static err_t
put(struct frame_netif *fn, struct pbuf *p)
{
	uint8_t *slot;
	uint32_t flags;
	int err = frame_ring_reserve(&fn->end.out, &slot);

	if (err == FRAME_RING_FULL)
		return ERR_MEM;
	if (err < 0) {
		broken(fn);
		return ERR_IF;
	}
	pbuf_copy_partial(p, slot, p->tot_len, 0);
	flags = (fn->end.features & FRAME_FEAT_TX_CSUM) ? tx_offload(slot, p->tot_len) : 0;
	fn->tx_offloaded += flags != 0;
	frame_ring_commit_flags(&fn->end.out, p->tot_len, flags);
	fn->tx_frames++;
	fn->tx_bytes += p->tot_len;
	return ERR_OK;
}

static void
txq_drop(struct frame_netif *fn)
{
	while (fn->txq) {
		struct pbuf *q = fn->txq;
		fn->txq = q->next;
		q->next = NULL;
		pbuf_free(q);
	}
	fn->txq_tail = NULL;
	fn->txq_len = 0;
}

/*
 * The frames that waited for room, in order, as far as the ring has room
 * (then a kick is asked for); true when all went.
 */
static bool
txq_flush(struct frame_netif *fn)
{
	bool put_one = false;

	while (fn->txq) {
		struct pbuf *q = fn->txq;
		err_t err = put(fn, q);
		if (err == ERR_MEM && !frame_ring_wait_for_space(&fn->end.out))
			continue;	/* room came meanwhile */
		if (err != ERR_OK)
			break;
		put_one = true;
		fn->txq = q->next;
		if (!fn->txq)
			fn->txq_tail = NULL;
		fn->txq_len--;
		q->next = NULL;
		pbuf_free(q);
	}
	if (put_one && frame_ring_kick_consumer(&fn->end.out))
		fn->kick(fn);
	return !fn->txq;
}

/*
 * lwIP's linkoutput: one frame, as a chain of pbufs, into one TX slot. A
 * full ring (the driver is behind): lwIP's TCP keeps its segment (and marks
 * its pcb) and sends it again when frame_netif_poll sees room; any other
 * frame (a datagram, ARP, ICMP) waits as a copy in txq, up to
 * FRAME_NETIF_TXQ of them, instead of being lost, and goes first when the
 * driver's kick says the ring has room.
 */
static err_t
linkoutput(struct netif *netif, struct pbuf *p)
{
	struct frame_netif *fn = netif->state;
	struct pbuf *q;
	err_t err;

	if (fn->broken) {
		fn->tx_errors++;
		return ERR_IF;
	}
	if (p->tot_len > FRAME_DATA_MAX) {
		fn->tx_errors++;
		return ERR_BUF;
	}
	err = fn->txq ? ERR_MEM : put(fn, p);	/* nothing overtakes what waits */
	if (err == ERR_OK) {
		if (frame_ring_kick_consumer(&fn->end.out))
			fn->kick(fn);
		return ERR_OK;
	}
	if (err != ERR_MEM)
		return err;
	fn->tx_blocked = true;
	if (!is_tcp(p) && fn->txq_len < FRAME_NETIF_TXQ && (q = pbuf_clone(PBUF_RAW, PBUF_RAM, p)) != NULL) {
		if (fn->txq_tail)
			fn->txq_tail->next = q;
		else
			fn->txq = q;
		fn->txq_tail = q;
		fn->txq_len++;
		fn->tx_queued++;
		err = ERR_OK;
	} else {
		fn->tx_dropped++;
	}
	/* the driver kicks us when it frees a slot; if one freed meanwhile, it will not */
	if (!frame_ring_wait_for_space(&fn->end.out))
		txq_flush(fn);
	return err;
}

uint8_t *
frame_netif_reserve_direct(struct frame_netif *fn, uint32_t len)
{
	uint8_t *slot;

	if (fn->broken || fn->txq || len > FRAME_DATA_MAX || frame_ring_reserve(&fn->end.out, &slot) != 0)
		return NULL;	/* (a broken ring is lwIP's path's to see) */
	return slot;
}

void
frame_netif_commit_direct(struct frame_netif *fn, uint32_t len)
{
	frame_ring_commit_flags(&fn->end.out, len, 0);
	fn->tx_frames++;
	fn->tx_bytes += len;
	if (frame_ring_kick_consumer(&fn->end.out))
		fn->kick(fn);
}

/* Which checksums lwIP makes and, between frames, checks: what the driver does not. */
static void
csum_follow_driver(struct frame_netif *fn)
{
	if (fn->end.features & FRAME_FEAT_TX_CSUM)
		fn->csum_rest = (CSUM_GEN_ALL & ~CSUM_OFFLOADED) | (CSUM_CHECK_ALL & ~NETIF_CHECKSUM_CHECK_TCP);
	else
		fn->csum_rest = CSUM_GEN_ALL | CSUM_CHECK_ALL;
	NETIF_SET_CHECKSUM_CTRL(&fn->netif, fn->csum_rest);
}

static err_t
init(struct netif *netif)
{
	struct frame_netif *fn = netif->state;

	netif->name[0] = 'e';
	netif->name[1] = 't';
	netif->mtu = 1500;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, fn->mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif->output = etharp_output;
	netif->linkoutput = linkoutput;
	csum_follow_driver(fn);
	return ERR_OK;
}

err_t
frame_netif_add(struct frame_netif *fn, void *base, size_t size, const ip4_addr_t *ip, const ip4_addr_t *mask,
		const ip4_addr_t *gw)
{
	if (frame_region_attach(&fn->end, base, size) != 0)
		return ERR_ARG;
	fn->broken = false;
	fn->txq = fn->txq_tail = NULL;
	fn->txq_len = 0;
	if (!netif_add(&fn->netif, ip, mask, gw, fn, init, ethernet_input))
		return ERR_IF;
	netif_set_up(&fn->netif);
	netif_set_link_up(&fn->netif);
	return ERR_OK;
}

/* The checks lwIP may leave out: what the NIC says it found right. */
static uint32_t
rx_verified(uint32_t flags)
{
	return ((flags & FRAME_RX_IP_OK) ? NETIF_CHECKSUM_CHECK_IP : 0) |
	       ((flags & FRAME_RX_L4_OK) ? NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP : 0);
}

err_t
frame_netif_reattach(struct frame_netif *fn, void *base, size_t size)
{
	if (frame_region_attach(&fn->end, base, size) != 0)
		return ERR_ARG;
	txq_drop(fn);
	fn->tx_blocked = false;
	fn->broken = false;
	csum_follow_driver(fn);
	return ERR_OK;
}

/* A frame worth giving lwIP: a whole Ethernet header, and not our own heard back. */
static bool
wanted(struct frame_netif *fn, const uint8_t *frame, int len)
{
	return len >= ETH_HEADER && !frame_mac_equal(frame + 6, fn->mac);
}

int
frame_netif_poll(struct frame_netif *fn, int budget)
{
	int n = 0;

	while (n < budget && !fn->broken) {
		const uint8_t *frame;
		struct pbuf *p = NULL;
		int len = frame_ring_peek(&fn->end.in, &frame);
		uint32_t rx_checked;

		if (len == FRAME_RING_EMPTY)
			break;
		if (len < 0) {
			broken(fn);
			break;
		}
		n++;
		rx_checked = rx_verified(frame_ring_peeked_flags(&fn->end.in));
		if (!wanted(fn, frame, len)) {
			frame_ring_consume(&fn->end.in);
			fn->rx_dropped++;
			continue;
		}
		if (fn->rx_take && fn->rx_take(fn, frame, (uint32_t)len)) {
			frame_ring_consume(&fn->end.in);
			fn->rx_frames++;
			fn->rx_bytes += (uint32_t)len;
			fn->rx_run(fn);
			continue;
		}
		p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
		if (p)
			pbuf_take(p, frame, (u16_t)len);
		frame_ring_consume(&fn->end.in);
		if (!p) {
			fn->rx_dropped++;
			continue;
		}
		fn->rx_frames++;
		fn->rx_bytes += (uint32_t)len;
		/* every check for a frame from the wire, but what the NIC found right */
		NETIF_SET_CHECKSUM_CTRL(&fn->netif, (fn->csum_rest & CSUM_GEN_ALL) | (CSUM_CHECK_ALL & ~rx_checked));
		if (fn->netif.input(p, &fn->netif) != ERR_OK)
			pbuf_free(p);
		NETIF_SET_CHECKSUM_CTRL(&fn->netif, fn->csum_rest);
	}
	if (n > 0 && frame_ring_kick_producer(&fn->end.in))
		fn->kick(fn);
	if (fn->tx_blocked && !fn->broken && frame_ring_free_slots(&fn->end.out) > 0 && txq_flush(fn)) {
		fn->tx_blocked = false;
		fn->tx_resumed++;
		tcp_txnow();	/* the segments linkoutput refused */
	}
	return n;
}

bool
frame_netif_may_sleep(struct frame_netif *fn)
{
	return fn->broken || frame_ring_wait_for_frames(&fn->end.in);
}

void
frame_netif_set_link(struct frame_netif *fn, bool up)
{
	if (up && !fn->broken)
		netif_set_link_up(&fn->netif);
	else
		netif_set_link_down(&fn->netif);
}
