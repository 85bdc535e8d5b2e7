/*
 * Frame rings: Ethernet frames passed between a NIC driver task and its
 * client (gns) through memory both map, not one message per frame. A session's
 * region (frame_region_*) holds two rings of fixed-size slots: RX (the driver
 * produces, the client consumes) and TX (the other way). The interface that
 * opens a session and carries the "look at your rings" kicks is
 * servers/frame/frame.defs; the code is libmsg/src/frame_ring.c and
 * frame_region.c. Nothing here sends a message: the callers do, when a
 * function says a kick is needed.
 *
 * Each side trusts nothing it reads from the region: the other task may be
 * buggy or hostile and may write anything at any time. So every index and
 * length read from it is checked before use, each is read exactly once into a
 * local, a side keeps its own index privately (the shared copy only tells the
 * other side), and the geometry is taken once, at attach, into private memory.
 * A bad value gives FRAME_RING_CORRUPT, which sticks: the session is over.
 */
#ifndef MANIFOLD_FRAME_RING_H
#define MANIFOLD_FRAME_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_SLOT_SIZE		2048u		/* bytes per slot, its header included */
#define FRAME_SLOT_HEADER	8u		/* the frame's length, and its flags */
#define FRAME_DATA_MAX		(FRAME_SLOT_SIZE - FRAME_SLOT_HEADER)
#define FRAME_RING_SLOTS_MAX	4096u		/* slots per ring; a power of two */
/* The queue limit of a client's link port (frame.defs): link events the driver may send before it is read. */
#define FRAME_LINK_QLIMIT	8u

/* What the ring functions return besides a length (all negative). */
#define FRAME_RING_EMPTY	(-1)	/* nothing to take */
#define FRAME_RING_FULL		(-2)	/* no slot free */
#define FRAME_RING_TOO_BIG	(-3)	/* a frame longer than FRAME_DATA_MAX */
#define FRAME_RING_CORRUPT	(-4)	/* the other side wrote an impossible index or length */

/*
 * One ring's control block, in shared memory. Indices count frames for ever
 * (they wrap at 2^32); a slot is index % nslots. prod is written by the
 * producer alone, cons by the consumer alone; the two wants_kick words are
 * set by the side that is about to sleep and cleared by the side that saw
 * them and sends the kick. Producer and consumer words sit on separate cache
 * lines so that the two CPUs do not steal one line from each other per frame.
 */
struct frame_ring_ctl {
	uint32_t prod;			/* frames ever published */
	uint32_t prod_wants_kick;	/* the producer sleeps until a slot frees */
	uint32_t pad0[14];
	uint32_t cons;			/* frames ever taken */
	uint32_t cons_wants_kick;	/* the consumer sleeps until a frame comes */
	uint32_t pad1[14];
};

/* The slot's first words: the frame's length, then its flags (FRAME_TX_*, FRAME_RX_*; 0: none). */
struct frame_slot {
	uint32_t len;
	uint32_t flags;
	uint8_t data[FRAME_DATA_MAX];
};

/*
 * A TX frame's flags (client to driver), only where the region's features
 * say the driver does them (FRAME_FEAT_TX_CSUM); the frame is then IPv4 over
 * Ethernet II. The driver checks the frame's headers itself and drops one
 * they do not fit (a client's own frame, malformed, is all it loses).
 */
#define FRAME_TX_CSUM_IP	(1u << 0)	/* insert the IPv4 header checksum */
#define FRAME_TX_CSUM_TCP	(1u << 1)	/* insert the TCP checksum; its field holds the
						   pseudo-header's sum, not complemented */
/*
 * An RX frame's flags (driver to client): what the NIC itself verified. A
 * frame the NIC found bad is dropped by the driver; a frame without these
 * (no offload, QEMU's e1000, a fragment) is checked by the client.
 */
#define FRAME_RX_IP_OK		(1u << 8)	/* the IPv4 header checksum is right */
#define FRAME_RX_L4_OK		(1u << 9)	/* ...and the TCP or UDP checksum */

/* A region's features (frame_region_header.features). */
#define FRAME_FEAT_TX_CSUM	(1u << 0)	/* the driver honours FRAME_TX_CSUM_IP and _TCP */

/*
 * One side's private view of a ring. [I] set at attach, never re-read from
 * shared memory; [O] this side's own, the truth (ctl holds a copy of mine
 * that the other side may overwrite).
 */
struct frame_ring {
	struct frame_ring_ctl *ctl;	/* [I] in the shared region */
	struct frame_slot *slots;	/* [I] in the shared region */
	uint32_t nslots;		/* [I] a power of two, <= FRAME_RING_SLOTS_MAX */
	uint32_t mine;			/* [O] prod for the producer, cons for the consumer */
	bool held;			/* [O] a slot is reserved (producer) or peeked (consumer) */
	bool broken;			/* a FRAME_RING_CORRUPT was seen: every call fails */
};

/*
 * Attaches to a ring whose control block and nslots slots are at ctl and
 * slots. The producer side starts at the ring's current prod, the consumer at
 * its cons: attach before the other side starts (frame_region_init zeroes both).
 */
void frame_ring_attach_producer(struct frame_ring *r, struct frame_ring_ctl *ctl,
				struct frame_slot *slots, uint32_t nslots);
void frame_ring_attach_consumer(struct frame_ring *r, struct frame_ring_ctl *ctl,
				struct frame_slot *slots, uint32_t nslots);

/* Producer. */
int frame_ring_reserve(struct frame_ring *r, uint8_t **data);	/* 0, FULL, CORRUPT */
int frame_ring_commit(struct frame_ring *r, uint32_t len);	/* publishes the reserved slot */
int frame_ring_commit_flags(struct frame_ring *r, uint32_t len, uint32_t flags);	/* ...with its flags */
int frame_ring_put(struct frame_ring *r, const void *frame, uint32_t len);
int frame_ring_put_flags(struct frame_ring *r, const void *frame, uint32_t len, uint32_t flags);
int frame_ring_free_slots(struct frame_ring *r);		/* >= 0, or CORRUPT */
bool frame_ring_kick_consumer(struct frame_ring *r);		/* after publishing */
bool frame_ring_wait_for_space(struct frame_ring *r);		/* before sleeping */

/* Consumer. */
int frame_ring_peek(struct frame_ring *r, const uint8_t **data);	/* length, EMPTY, CORRUPT */
uint32_t frame_ring_peeked_flags(struct frame_ring *r);		/* the peeked frame's flags, read once */
void frame_ring_consume(struct frame_ring *r);			/* gives the peeked slot back */
int frame_ring_get(struct frame_ring *r, void *buf, uint32_t size);	/* copies: length, or an error */
bool frame_ring_kick_producer(struct frame_ring *r);		/* after consuming */
bool frame_ring_wait_for_frames(struct frame_ring *r);		/* before sleeping */

/*
 * A session's region, laid out by the driver (who owns the memory) and
 * checked by the client: this header in its first page, then the RX ring's
 * slots, then the TX ring's, from FRAME_REGION_SLOTS_OFFSET. Only the driver
 * writes the header; the client reads it once, at attach.
 */
#define FRAME_REGION_MAGIC	0x4d465247u	/* "GRFM" in memory */
#define FRAME_REGION_VERSION	1u
#define FRAME_REGION_SLOTS_OFFSET 4096u

struct frame_region_header {
	uint32_t magic;
	uint32_t version;
	uint32_t slot_size;		/* FRAME_SLOT_SIZE */
	uint32_t rx_slots, tx_slots;	/* powers of two, <= FRAME_RING_SLOTS_MAX */
	uint32_t size;			/* bytes the region spans */
	uint32_t features;		/* FRAME_FEAT_*: what the driver does for its client */
	uint32_t pad[9];
	struct frame_ring_ctl rx;	/* driver produces, client consumes */
	struct frame_ring_ctl tx;	/* client produces, driver consumes */
};

/* One side's two rings: `in` gives it frames, `out` takes its frames. */
struct frame_end {
	struct frame_ring in;
	struct frame_ring out;
	uint32_t features;		/* FRAME_FEAT_*, as the driver offered them (read once) */
};

/* Bytes a region with these rings needs (page multiples), 0 if they are not valid. */
size_t frame_region_size(uint32_t rx_slots, uint32_t tx_slots);

/*
 * The driver: lays out the region at base (size bytes, zeroed here) and
 * attaches its end (in = TX, out = RX). 0, or FRAME_RING_TOO_BIG when size is
 * short or the slot counts are not valid.
 */
int frame_region_init(struct frame_end *driver, void *base, size_t size, uint32_t rx_slots,
		      uint32_t tx_slots);
/* The same, offering features (FRAME_FEAT_*) to the client. */
int frame_region_init_features(struct frame_end *driver, void *base, size_t size, uint32_t rx_slots,
			       uint32_t tx_slots, uint32_t features);

/*
 * The client: checks the header of the region it mapped at base (size bytes)
 * and attaches its end (in = RX, out = TX). 0, or FRAME_RING_CORRUPT for any
 * header that does not describe rings inside size bytes.
 */
int frame_region_attach(struct frame_end *client, void *base, size_t size);

#endif
