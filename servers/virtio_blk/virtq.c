/*
 * The request queue (vblk.h): one split virtqueue in DMA memory, with one
 * chain in it at a time. The driver writes descriptors and the available
 * ring, the device writes the used ring; each side publishes its index only
 * after what it indexes is written (the barriers below; the device is
 * another CPU as far as ordering goes). Completion comes as an interrupt
 * message; reading the ISR register acknowledges it at the device.
 */
#include <mach/mach.h>
#include <manifold/driver.h>
#include <manifold/io.h>
#include "vblk.h"

#define ME mach_task_self()

static inline void
barrier(void)
{
	__sync_synchronize();
}

void
virtq_init(void)
{
	vblk.avail->flags = 0;	/* interrupts wanted */
	vblk.avail->idx = 0;
	vblk.used_seen = 0;
}

/* An interrupt message, or the wait's end: whichever is first. true for a message. */
static bool
wait_interrupt(uint32_t ms)
{
	if (!driver_irq_wait(vblk.irq_port, ms))
		return false;
	(void)io_in8((uint16_t)(vblk.io + VIRTIO_REG_ISR));	/* acknowledged at the device... */
	driver_irq_ack(vblk.irq);				/* ...then the line unmasked */
	return true;
}

bool
virtq_run(const uint32_t *phys, const uint32_t *len, const bool *writes, unsigned n)
{
	uint16_t head = 0, slot;
	uint32_t waited = 0;

	for (unsigned i = 0; i < n; i++) {
		vblk.desc[i].addr = phys[i];
		vblk.desc[i].len = len[i];
		vblk.desc[i].flags = (uint16_t)((writes[i] ? VIRTQ_DESC_F_WRITE : 0) |
						(i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		vblk.desc[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
	}
	slot = (uint16_t)(vblk.avail->idx % vblk.qsize);
	vblk.avail->ring[slot] = head;
	barrier();			/* the chain, then the index that shows it */
	vblk.avail->idx = (uint16_t)(vblk.avail->idx + 1);
	barrier();
	io_out16((uint16_t)(vblk.io + VIRTIO_REG_QUEUE_NOTIFY), 0);
	/* Polled between interrupts too: a lost one costs 50 ms, not the request. */
	while (vblk.used->idx == vblk.used_seen) {
		if (waited >= VBLK_WAIT_MS) {
			vblk_restart();
			return false;
		}
		wait_interrupt(50);
		waited += 50;	/* an interrupt counts as a wait too: a storm of them ends as a timeout */
	}
	barrier();			/* the index, then what it shows */
	vblk.used_seen = (uint16_t)(vblk.used_seen + 1);
	return true;
}
