/*
 * An lwIP network interface over a frame session (libmsg's frame rings,
 * servers/frame/frame.defs): frames the driver put in the RX ring become
 * pbufs for lwIP's ethernet_input, and lwIP's outgoing frames go into the
 * TX ring. The caller owns the session: it maps the region, and tells the
 * driver to look at the rings when `kick` is called.
 */
#ifndef GNS_FRAME_NETIF_H
#define GNS_FRAME_NETIF_H

#include <stdbool.h>
#include <manifold/frame_ring.h>
#include "lwip/netif.h"

/*
 * One NIC as lwIP sees it. [I] set before frame_netif_add; [S] the stack's
 * (touched only by the thread that runs lwIP).
 */
struct frame_netif {
	struct netif netif;		/* [S] lwIP's; netif.state points back here */
	struct frame_end end;		/* [S] the client end of the session's rings */
	uint8_t mac[6];			/* [I] the NIC's address */
	void (*kick)(struct frame_netif *fn);	/* [I] tell the driver to look at the rings */
	void *arg;			/* [I] the kick's context */
	/* Counters [S], for netstat and tests. */
	uint32_t rx_frames, tx_frames;
	uint32_t rx_bytes, tx_bytes;
	uint32_t tx_errors;		/* longer than a slot, or the rings broken */
	uint32_t rx_dropped;		/* no pbuf, runt, or our own frame heard back */
	uint32_t tx_dropped;		/* TX ring full: lwIP's TCP sends again; other frames past the queue */
	uint32_t tx_resumed;		/* ...when the ring had room again */
	uint32_t tx_queued;		/* TX ring full: a copy waited in txq for the driver's kick */
	bool tx_blocked;		/* a frame found the TX ring full; a kick will come */
	struct pbuf *txq, *txq_tail;	/* [S] copies of frames waiting for TX room, oldest first */
	uint32_t txq_len;		/* [S] at most FRAME_NETIF_TXQ */
	uint32_t tx_offloaded;		/* frames whose checksums the driver inserts */
	uint16_t csum_rest;		/* [S] lwIP's checksum flags between frames (frame_netif.c) */
	bool broken;			/* the driver broke the rings: the link is down for good */
	/*
	 * [S] Offered each wanted frame before lwIP (NULL: none), in the shared
	 * slot: it may only look there to decide, and copies out what it takes;
	 * true when it took the frame (lwIP does not see it). rx_run then handles
	 * the copy, once the slot is given back.
	 */
	bool (*rx_take)(struct frame_netif *fn, const uint8_t *frame, uint32_t len);
	void (*rx_run)(struct frame_netif *fn);
};

/*
 * Attaches fn's client end to the session region at base (size bytes) and
 * adds it to lwIP with the given IPv4 configuration, link up. ERR_ARG when the
 * region is not a valid frame region; then nothing was added.
 */
err_t frame_netif_add(struct frame_netif *fn, void *base, size_t size, const ip4_addr_t *ip,
		      const ip4_addr_t *mask, const ip4_addr_t *gw);

/*
 * The session's new region after the driver's restart: the netif, its ARP
 * table and lwIP's connections stay; frames waiting for TX room are dropped
 * with the old rings, and the checksums follow the new driver's features.
 * ERR_ARG when the region is not a valid frame region.
 */
err_t frame_netif_reattach(struct frame_netif *fn, void *base, size_t size);

/*
 * Frames other than TCP's that find the TX ring full wait, copied, for the
 * driver's kick (TCP's own segments wait in lwIP, which sends them again).
 */
#define FRAME_NETIF_TXQ 32

/* Two MACs equal, without a call to memcmp (every frame in and every direct one out asks). */
static inline bool
frame_mac_equal(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	__builtin_memcpy(&a4, a, 4);
	__builtin_memcpy(&b4, b, 4);
	__builtin_memcpy(&a2, a + 4, 2);
	__builtin_memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

/*
 * A frame made outside lwIP, written straight into a TX slot: reserve gives
 * the slot for a frame of len bytes, or NULL when it cannot go now (broken,
 * frames waiting for room: nothing overtakes them, the ring full, longer than
 * a slot), and the caller then sends it through lwIP; commit publishes the
 * slot reserved last and kicks the driver if it asked.
 */
uint8_t *frame_netif_reserve_direct(struct frame_netif *fn, uint32_t len);
void frame_netif_commit_direct(struct frame_netif *fn, uint32_t len);

/*
 * Gives lwIP up to budget frames from the RX ring; returns how many were
 * taken (dropped ones included). Kicks the driver if it waits for RX room,
 * and once the TX ring has room sends the frames that waited for it, then
 * lets lwIP send the TCP segments it held back.
 */
int frame_netif_poll(struct frame_netif *fn, int budget);

/*
 * Before the caller sleeps: true when it may (a kick will come with the next
 * frame), false when frames are already waiting.
 */
bool frame_netif_may_sleep(struct frame_netif *fn);

/* The driver's word on the link (frame_event_link). */
void frame_netif_set_link(struct frame_netif *fn, bool up);

#endif
