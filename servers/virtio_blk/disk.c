/*
 * Block requests over the queue (vblk.h, struct blk_disk's operations): a
 * chain of the request header, the data in segments of at most the
 * device's size_max, and the status byte. Data passes through the DMA
 * buffer: a read is copied out only once the device said it is done and
 * OK, so a caller never sees sectors the device did not give.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/blk.h>
#include "vblk.h"

/* The header page's physical address (queue_bytes into the region), and the data's. */
static uint32_t
hdr_phys(void)
{
	return vblk.dma_phys + vblk.queue_bytes;
}

static uint32_t
data_phys(void)
{
	return vblk.dma_phys + vblk.queue_bytes + 4096;
}

/* One virtio-blk request of bytes data bytes; its status as a named code. */
static kern_return_t
request(uint32_t type, uint64_t sector, uint32_t bytes)
{
	uint32_t phys[VBLK_SEGMENTS_MAX], len[VBLK_SEGMENTS_MAX];
	bool writes[VBLK_SEGMENTS_MAX];
	unsigned n = 0;

	vblk.hdr->type = type;
	vblk.hdr->reserved = 0;
	vblk.hdr->sector = sector;
	*vblk.status = 0xff;	/* anything the device does not overwrite is an error */
	phys[n] = hdr_phys();
	len[n] = sizeof(struct virtio_blk_req);
	writes[n++] = false;
	for (uint32_t off = 0; off < bytes; off += vblk.seg_max_bytes) {
		phys[n] = data_phys() + off;
		len[n] = bytes - off < vblk.seg_max_bytes ? bytes - off : vblk.seg_max_bytes;
		writes[n++] = type == VIRTIO_BLK_T_IN;
	}
	phys[n] = hdr_phys() + sizeof(struct virtio_blk_req);
	len[n] = 1;
	writes[n++] = true;
	if (!virtq_run(phys, len, writes, n))
		return BLK_DEVICE_GONE;
	switch (*vblk.status) {
	case VIRTIO_BLK_S_OK:
		return KERN_SUCCESS;
	default:
		return BLK_IO_ERROR;
	}
}

kern_return_t
vblk_transfer(bool write, uint64_t lba, uint32_t count, void *buf)
{
	uint32_t bytes = count * BLK_SECTOR_SIZE;	/* at most BLK_MAX_BYTES: blk_serve.c checked */
	kern_return_t kr;

	if (write)
		memcpy(vblk.data, buf, bytes);
	kr = request(write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, lba, bytes);
	if (kr == KERN_SUCCESS && !write)
		memcpy(buf, vblk.data, bytes);
	return kr;
}

/* Without VIRTIO_BLK_F_FLUSH the device has no write cache to flush: every write is durable when done. */
kern_return_t
vblk_flush(void)
{
	if (!(vblk.features & VIRTIO_BLK_F_FLUSH))
		return KERN_SUCCESS;
	return request(VIRTIO_BLK_T_FLUSH, 0, 0);
}
