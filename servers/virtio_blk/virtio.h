/*
 * Legacy virtio over PCI (virtio 0.9.5, and the 1.0 specification's "legacy
 * interface" section): the facts the virtio_blk driver uses. The device's
 * registers are I/O ports in BAR0; its one request queue is a split
 * virtqueue in DMA memory (virtq.c). Everything is little-endian, as the
 * CPU is.
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdint.h>

#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_DEV_BLK_LEGACY	0x1001	/* transitional block device (disable-modern=on) */

/* BAR0 I/O registers, without MSI-X (the device-specific part follows at 20). */
#define VIRTIO_REG_HOST_FEATURES	0x00	/* 32, read-only */
#define VIRTIO_REG_GUEST_FEATURES	0x04	/* 32 */
#define VIRTIO_REG_QUEUE_PFN		0x08	/* 32: the selected queue's address >> 12 */
#define VIRTIO_REG_QUEUE_SIZE		0x0c	/* 16, read-only: its entries; 0: no such queue */
#define VIRTIO_REG_QUEUE_SELECT		0x0e	/* 16 */
#define VIRTIO_REG_QUEUE_NOTIFY		0x10	/* 16: write a queue's index: look at its ring */
#define VIRTIO_REG_STATUS		0x12	/* 8: 0 resets the device */
#define VIRTIO_REG_ISR			0x13	/* 8: reading it acknowledges the interrupt */
#define VIRTIO_REG_CONFIG		0x14	/* the block device's configuration */
#define VIRTIO_IO_SIZE			0x20	/* the ports we use: the header and the config's first 12 bytes */

#define VIRTIO_STATUS_ACKNOWLEDGE	0x01	/* the guest saw the device */
#define VIRTIO_STATUS_DRIVER		0x02	/* and knows how to drive it */
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FAILED		0x80

#define VIRTIO_ISR_QUEUE		0x01

/* virtio-blk's configuration (at VIRTIO_REG_CONFIG) and feature bits. */
#define VIRTIO_BLK_CFG_CAPACITY		0x00	/* 64: in 512-byte sectors, whatever blk_size says */
#define VIRTIO_BLK_CFG_SIZE_MAX		0x08	/* 32: the longest data segment, with F_SIZE_MAX */
#define VIRTIO_BLK_F_SIZE_MAX		(1u << 1)
#define VIRTIO_BLK_F_RO			(1u << 5)
#define VIRTIO_BLK_F_FLUSH		(1u << 9)

/* A split virtqueue, legacy layout: descriptors, then the available ring, then (page-aligned) the used ring. */
#define VIRTQ_ALIGN		4096u
#define VIRTQ_DESC_F_NEXT	1u	/* the chain goes on at .next */
#define VIRTQ_DESC_F_WRITE	2u	/* the device writes this buffer */

struct virtq_desc {
	uint64_t addr;		/* physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;		/* where the driver puts the next head, counting for ever */
	uint16_t ring[];	/* then used_event, which we do not use */
};

struct virtq_used_elem {
	uint32_t id;		/* the head of a finished chain */
	uint32_t len;		/* bytes the device wrote into it */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;		/* where the device puts the next finished chain */
	struct virtq_used_elem ring[];
};

/* A virtio-blk request: this header (device-readable), the data, then a status byte (device-writable). */
#define VIRTIO_BLK_T_IN		0u	/* read */
#define VIRTIO_BLK_T_OUT	1u	/* write */
#define VIRTIO_BLK_T_FLUSH	4u
#define VIRTIO_BLK_S_OK		0u
#define VIRTIO_BLK_S_IOERR	1u
#define VIRTIO_BLK_S_UNSUPP	2u

struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;	/* in 512-byte units */
};

#endif
