/*
 * The virtio_blk driver's view of its device: the PCI function and its
 * registers (dev.c), the request queue (virtq.c) and the block requests over
 * it (disk.c). Everything is the loop thread's: the driver serves one
 * request at a time, to completion.
 */
#ifndef VBLK_H
#define VBLK_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include "virtio.h"

#define VBLK_SEGMENTS_MAX	34	/* header, 32 data segments, status */
#define VBLK_WAIT_MS		5000	/* a request the device has not finished by then: it is gone */

/*
 * The device. [I] set at start-up (dev.c); the queue's indices are the
 * loop's. The DMA region holds the queue (page-aligned rings), then a page
 * with the request header and status byte, then the data buffer.
 */
struct vblk {
	uint16_t io;			/* [I] BAR0's first port */
	uint32_t location;		/* [I] bus << 16 | slot << 8 | function */
	uint32_t irq;			/* [I] */
	mach_port_t irq_port;		/* [I] device_intr messages */
	mach_port_t device;		/* [I] the device master port */
	uint32_t features;		/* [I] those we accepted */
	uint64_t sectors;		/* [I] capacity */
	uint32_t seg_max_bytes;		/* [I] the longest data segment */
	uint16_t qsize;			/* [I] queue entries */
	volatile struct virtq_desc *desc;	/* [I] DMA */
	volatile struct virtq_avail *avail;	/* [I] DMA */
	volatile struct virtq_used *used;	/* [I] DMA */
	volatile struct virtio_blk_req *hdr;	/* [I] DMA */
	volatile uint8_t *status;		/* [I] DMA, right after hdr */
	uint8_t *data;			/* [I] DMA, BLK_MAX_BYTES */
	uint32_t dma_phys;		/* [I] the region's physical address */
	uint32_t queue_bytes;		/* [I] the rings' size, page-rounded */
	uint16_t used_seen;		/* the used index as far as we have taken */
};

extern struct vblk vblk;

/* dev.c */
/* Finds the device through the pci server, grants and enables its ports. false, with a line, if none. */
bool vblk_attach(mach_port_t pci, mach_port_t device);
/* Resets the device (no DMA after this), negotiates, reads the capacity, sets up the queue. */
bool vblk_start(mach_port_t pci);
/* Resets and sets up the queue again after a request the device never finished. */
void vblk_restart(void);

/* virtq.c */
void virtq_init(void);
/*
 * Hands the chain of n segments (physical address, length, device writes it)
 * to the device and waits for it to come back, taking interrupts as messages.
 * false when it does not within VBLK_WAIT_MS.
 */
bool virtq_run(const uint32_t *phys, const uint32_t *len, const bool *writes, unsigned n);

/* disk.c: struct blk_disk's operations. */
kern_return_t vblk_transfer(bool write, uint64_t lba, uint32_t count, void *buf);
kern_return_t vblk_flush(void);

#endif
