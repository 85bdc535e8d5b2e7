/*
 * lwIP over a frame session (frame_netif.h). Frames are copied once each way,
 * between a ring slot and a pbuf: the slot belongs to shared memory the driver
 * may scribble on, so lwIP must never parse it in place.
 */
#include <string.h>
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "netif/ethernet.h"
#include "frame_netif.h"

#define ETH_HEADER 14

static void
broken(struct frame_netif *fn)
{
	if (!fn->broken)
		LWIP_PLATFORM_DIAG(("gns: driver of %c%c%u broke its rings; link down\n", fn->netif.name[0],
				    fn->netif.name[1], fn->netif.num));
	fn->broken = true;
	netif_set_link_down(&fn->netif);
}

/* lwIP's linkoutput: one frame, as a chain of pbufs, into one TX slot. */
static err_t
linkoutput(struct netif *netif, struct pbuf *p)
{
	struct frame_netif *fn = netif->state;
	uint8_t *slot;
	int err;

	if (fn->broken) {
		fn->tx_errors++;
		return ERR_IF;
	}
	if (p->tot_len > FRAME_DATA_MAX) {
		fn->tx_errors++;
		return ERR_BUF;
	}
	err = frame_ring_reserve(&fn->end.out, &slot);
	if (err == FRAME_RING_FULL) {
		/*
		 * lwIP's TCP keeps the segment (and marks its pcb); the driver
		 * kicks us when it frees a slot, and frame_netif_poll sends it
		 * then. Other protocols' frames are lost, as on a busy wire.
		 */
		fn->tx_dropped++;
		fn->tx_blocked = true;
		frame_ring_wait_for_space(&fn->end.out);
		return ERR_MEM;
	}
	if (err < 0) {
		broken(fn);
		return ERR_IF;
	}
	pbuf_copy_partial(p, slot, p->tot_len, 0);
	frame_ring_commit(&fn->end.out, p->tot_len);
	fn->tx_frames++;
	fn->tx_bytes += p->tot_len;
	if (frame_ring_kick_consumer(&fn->end.out))
		fn->kick(fn);
	return ERR_OK;
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
	return ERR_OK;
}

err_t
frame_netif_add(struct frame_netif *fn, void *base, size_t size, const ip4_addr_t *ip, const ip4_addr_t *mask,
		const ip4_addr_t *gw)
{
	if (frame_region_attach(&fn->end, base, size) != 0)
		return ERR_ARG;
	fn->broken = false;
	if (!netif_add(&fn->netif, ip, mask, gw, fn, init, ethernet_input))
		return ERR_IF;
	netif_set_up(&fn->netif);
	netif_set_link_up(&fn->netif);
	return ERR_OK;
}

/* A frame worth giving lwIP: a whole Ethernet header, and not our own heard back. */
static bool
wanted(struct frame_netif *fn, const uint8_t *frame, int len)
{
	return len >= ETH_HEADER && memcmp(frame + 6, fn->mac, 6) != 0;
}

int
frame_netif_poll(struct frame_netif *fn, int budget)
{
	int n = 0;

	while (n < budget && !fn->broken) {
		const uint8_t *frame;
		struct pbuf *p = NULL;
		int len = frame_ring_peek(&fn->end.in, &frame);

		if (len == FRAME_RING_EMPTY)
			break;
		if (len < 0) {
			broken(fn);
			break;
		}
		n++;
		if (wanted(fn, frame, len))
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
		if (fn->netif.input(p, &fn->netif) != ERR_OK)
			pbuf_free(p);
	}
	if (n > 0 && frame_ring_kick_producer(&fn->end.in))
		fn->kick(fn);
	if (fn->tx_blocked && frame_ring_free_slots(&fn->end.out) > 0) {
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
