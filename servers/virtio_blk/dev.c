/*
 * The virtio-blk function (vblk.h): found through the pci server, its I/O
 * BAR granted to us, reset, its features negotiated and its queue set up, in
 * the order the legacy interface asks: reset, ACKNOWLEDGE, DRIVER, features,
 * queue, DRIVER_OK.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/blk.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/io.h>
#include <manifold/pci.h>
#include "pci_client.h"
#include "vblk.h"

#define ME mach_task_self()
#define PAGE 4096u

struct vblk vblk;

static uint32_t
rd32(uint16_t reg)
{
	return io_in32((uint16_t)(vblk.io + reg));
}

static void
set_status(uint8_t bits)
{
	uint16_t port = (uint16_t)(vblk.io + VIRTIO_REG_STATUS);

	io_out8(port, bits ? (uint8_t)(io_in8(port) | bits) : 0);
}

bool
vblk_attach(mach_port_t pci, mach_port_t device)
{
	static const uint16_t ids[] = { VIRTIO_DEV_BLK_LEGACY };
	uint32_t info[PCI_INFO_WORDS], loc;
	uint16_t which;
	kern_return_t kr;

	if (driver_pci_find(pci, VIRTIO_VENDOR, ids, 1, info, &which) != KERN_SUCCESS) {
		printf("virtio_blk: no legacy virtio-blk (1af4:1001) on the PCI bus\n");
		return false;
	}
	loc = vblk.location = info[PCI_INFO_LOCATION];
	vblk.irq = info[PCI_INFO_HEADER] >> 8 & 0xFF;
	vblk.device = device;
	if (!PCI_BAR_IS_IO(info[PCI_INFO_BAR0]) || info[PCI_INFO_SIZE0] < VIRTIO_IO_SIZE || vblk.irq == 0 ||
	    vblk.irq > 15) {
		printf("virtio_blk: %02x:%02x.%x: no I/O BAR0 or no interrupt line\n", PCI_BUS(loc), PCI_SLOT(loc),
		       PCI_FUNC(loc));
		return false;
	}
	vblk.io = (uint16_t)PCI_BAR_ADDRESS(info[PCI_INFO_BAR0]);
	kr = device_io_port_grant(device, ME, vblk.io, VIRTIO_IO_SIZE);
	if (kr == KERN_SUCCESS)
		kr = driver_pci_enable(pci, device, loc, PCI_COMMAND_IO);
	if (kr != KERN_SUCCESS) {
		printf("virtio_blk: cannot reach the device: %s\n", mach_error_string(kr));
		return false;
	}
	/* A dead instance may have left a request in the device's hands: stop it before anything else. */
	set_status(0);
	return true;
}

/* The queue's rings, the header page and the data buffer, in one contiguous DMA region. */
static bool
dma_allocate(void)
{
	uint32_t q = vblk.qsize, avail_end, size, addr = 0, phys = 0;
	kern_return_t kr;

	avail_end = 16 * q + 6 + 2 * q;
	vblk.queue_bytes = ((avail_end + VIRTQ_ALIGN - 1) & ~(VIRTQ_ALIGN - 1)) +
			   ((6 + 8 * q + VIRTQ_ALIGN - 1) & ~(VIRTQ_ALIGN - 1));
	size = vblk.queue_bytes + PAGE + BLK_MAX_BYTES;
	if ((kr = device_dma_allocate(vblk.device, ME, size, 0, &addr, &phys)) != KERN_SUCCESS) {
		printf("virtio_blk: no DMA memory (%u KiB): %s\n", size / 1024, mach_error_string(kr));
		return false;
	}
	vblk.dma_phys = phys;
	vblk.desc = (volatile struct virtq_desc *)addr;
	vblk.avail = (volatile struct virtq_avail *)(addr + 16 * q);
	vblk.used = (volatile struct virtq_used *)(addr + ((avail_end + VIRTQ_ALIGN - 1) & ~(VIRTQ_ALIGN - 1)));
	vblk.hdr = (volatile struct virtio_blk_req *)(addr + vblk.queue_bytes);
	vblk.status = (volatile uint8_t *)(addr + vblk.queue_bytes + sizeof(struct virtio_blk_req));
	vblk.data = (uint8_t *)(addr + vblk.queue_bytes + PAGE);
	return true;
}

/* Reset, features, queue 0 at our rings, DRIVER_OK. */
static void
negotiate(void)
{
	uint32_t offered;

	set_status(0);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(VIRTIO_STATUS_DRIVER);
	offered = rd32(VIRTIO_REG_HOST_FEATURES);
	vblk.features = offered & (VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SIZE_MAX);
	io_out32((uint16_t)(vblk.io + VIRTIO_REG_GUEST_FEATURES), vblk.features);
	io_out16((uint16_t)(vblk.io + VIRTIO_REG_QUEUE_SELECT), 0);
	virtq_init();
	io_out32((uint16_t)(vblk.io + VIRTIO_REG_QUEUE_PFN), vblk.dma_phys >> 12);
	set_status(VIRTIO_STATUS_DRIVER_OK);
}

bool
vblk_start(mach_port_t pci)
{
	uint32_t loc = vblk.location;
	kern_return_t kr;

	io_out16((uint16_t)(vblk.io + VIRTIO_REG_QUEUE_SELECT), 0);
	vblk.qsize = io_in16((uint16_t)(vblk.io + VIRTIO_REG_QUEUE_SIZE));
	/* A request's chain is at most VBLK_SEGMENTS_MAX descriptors, and the queue holds one chain. */
	if (vblk.qsize < VBLK_SEGMENTS_MAX || (vblk.qsize & (vblk.qsize - 1)) != 0) {
		printf("virtio_blk: queue 0 has %u entries: not a device we know\n", vblk.qsize);
		return false;
	}
	if (!dma_allocate())
		return false;
	/* Bus mastering on only now, after the reset; the pci server turns it off when we die. */
	if ((kr = pci_claim(pci, vblk.device, ME, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc))) != KERN_SUCCESS) {
		printf("virtio_blk: the pci server refused bus mastering: %s\n", mach_error_string(kr));
		return false;
	}
	negotiate();
	vblk.sectors = (uint64_t)rd32(VIRTIO_REG_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4) << 32 |
		       rd32(VIRTIO_REG_CONFIG + VIRTIO_BLK_CFG_CAPACITY);
	vblk.seg_max_bytes = BLK_MAX_BYTES;
	if (vblk.features & VIRTIO_BLK_F_SIZE_MAX) {
		uint32_t m = rd32(VIRTIO_REG_CONFIG + VIRTIO_BLK_CFG_SIZE_MAX) & ~(BLK_SECTOR_SIZE - 1);

		if (m >= BLK_SECTOR_SIZE && m < vblk.seg_max_bytes)
			vblk.seg_max_bytes = m;
	}
	if (vblk.seg_max_bytes < BLK_MAX_BYTES / (VBLK_SEGMENTS_MAX - 2)) {
		printf("virtio_blk: data segments of %u bytes: a request would need more than %u\n",
		       vblk.seg_max_bytes, VBLK_SEGMENTS_MAX - 2);
		return false;
	}
	return true;
}

void
vblk_restart(void)
{
	printf("virtio_blk: the device did not finish a request in %u ms: reset\n", VBLK_WAIT_MS);
	negotiate();
}
