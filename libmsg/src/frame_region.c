/*
 * A frame session's region (manifold/frame_ring.h): where the header and
 * the two rings' slots go, laid out by the driver and checked by the client.
 * The rings themselves are frame_ring.c.
 */
#include <string.h>
#include <manifold/frame_ring.h>

#define PAGE 4096u

_Static_assert(sizeof(struct frame_region_header) <= FRAME_REGION_SLOTS_OFFSET,
	       "the header fits before the slots");
_Static_assert(sizeof(struct frame_slot) == FRAME_SLOT_SIZE, "a slot is FRAME_SLOT_SIZE bytes");
_Static_assert(sizeof(struct frame_ring_ctl) == 128, "prod and cons on separate 64-byte lines");

static bool
valid_count(uint32_t n)
{
	return n != 0 && n <= FRAME_RING_SLOTS_MAX && (n & (n - 1)) == 0;
}

size_t
frame_region_size(uint32_t rx_slots, uint32_t tx_slots)
{
	size_t bytes;

	if (!valid_count(rx_slots) || !valid_count(tx_slots))
		return 0;
	/* At most 2 * 4096 * 2 KiB + 4 KiB: no overflow even in 32 bits. */
	bytes = FRAME_REGION_SLOTS_OFFSET + ((size_t)rx_slots + tx_slots) * FRAME_SLOT_SIZE;
	return (bytes + PAGE - 1) / PAGE * PAGE;
}

static struct frame_slot *
rx_slots_at(void *base)
{
	return (struct frame_slot *)((uint8_t *)base + FRAME_REGION_SLOTS_OFFSET);
}

int
frame_region_init(struct frame_end *driver, void *base, size_t size, uint32_t rx_slots, uint32_t tx_slots)
{
	return frame_region_init_features(driver, base, size, rx_slots, tx_slots, 0);
}

int
frame_region_init_features(struct frame_end *driver, void *base, size_t size, uint32_t rx_slots,
			   uint32_t tx_slots, uint32_t features)
{
	struct frame_region_header *h = base;
	size_t need = frame_region_size(rx_slots, tx_slots);

	if (need == 0 || size < need)
		return FRAME_RING_TOO_BIG;
	memset(base, 0, need);
	h->slot_size = FRAME_SLOT_SIZE;
	h->rx_slots = rx_slots;
	h->tx_slots = tx_slots;
	h->size = (uint32_t)need;
	h->version = FRAME_REGION_VERSION;
	h->features = features;
	driver->features = features;
	/* Last, so that a client that sees the magic sees the rest. */
	__atomic_store_n(&h->magic, FRAME_REGION_MAGIC, __ATOMIC_RELEASE);
	frame_ring_attach_consumer(&driver->in, &h->tx, rx_slots_at(base) + rx_slots, tx_slots);
	frame_ring_attach_producer(&driver->out, &h->rx, rx_slots_at(base), rx_slots);
	return 0;
}

int
frame_region_attach(struct frame_end *client, void *base, size_t size)
{
	struct frame_region_header *h = base;
	uint32_t magic, version, slot_size, rx, tx;
	size_t need;

	if (size < FRAME_REGION_SLOTS_OFFSET)
		return FRAME_RING_CORRUPT;
	/* Each field once, into locals: the driver may rewrite them meanwhile. */
	magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);
	version = __atomic_load_n(&h->version, __ATOMIC_RELAXED);
	slot_size = __atomic_load_n(&h->slot_size, __ATOMIC_RELAXED);
	rx = __atomic_load_n(&h->rx_slots, __ATOMIC_RELAXED);
	tx = __atomic_load_n(&h->tx_slots, __ATOMIC_RELAXED);
	client->features = __atomic_load_n(&h->features, __ATOMIC_RELAXED);
	if (magic != FRAME_REGION_MAGIC || version != FRAME_REGION_VERSION || slot_size != FRAME_SLOT_SIZE)
		return FRAME_RING_CORRUPT;
	need = frame_region_size(rx, tx);
	if (need == 0 || need > size)
		return FRAME_RING_CORRUPT;
	frame_ring_attach_consumer(&client->in, &h->rx, rx_slots_at(base), rx);
	frame_ring_attach_producer(&client->out, &h->tx, rx_slots_at(base) + rx, tx);
	return 0;
}
