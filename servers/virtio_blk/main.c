/*
 * virtio_blk: the driver task for a legacy virtio block device (1af4:1001,
 * QEMU's `-device virtio-blk-pci,disable-modern=on`), serving the block
 * interface (servers/block/) for its disk.
 *
 * It finds the device through the pci server and resets it before anything
 * else (a previous instance may have died with a request in the device's
 * hands), sets up its queue in DMA memory, takes its interrupts as messages
 * and checks in as /servers/vd0 (or name=PATH): the bootstrap keeps that
 * port across restarts, so clients' rights reach the next instance. The
 * loop is libmsg's blk_serve (msg_server_run with block.defs's demux) on
 * the service port: a request is served to completion before the next is
 * received (the interrupt port is received on inside the request, virtq.c),
 * and blk_serve.c checks it before disk.c sees it.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/blk_driver.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/pci.h>
#include "vblk.h"

static struct blk_disk disk = { .transfer = vblk_transfer, .flush = vblk_flush };

int
main(int argc, char **argv)
{
	const char *path = "/servers/vd0";
	mach_port_t device = MACH_PORT_NULL, pci = MACH_PORT_NULL, service = MACH_PORT_NULL;
	uint32_t loc;
	kern_return_t kr;

	blk_disk_args(&disk, argc, argv, &path);
	if (!driver_open("virtio_blk", &device, &pci))
		return 1;
	if (!vblk_attach(pci, device)) {
		/* Nothing to drive: stay, so that restart=always does not start us again and again. */
		for (;;)
			msg_sleep_ms(0);
	}
	if (!vblk_start(pci))
		return 1;
	if ((kr = driver_irq_attach(device, vblk.irq, &vblk.irq_port)) != KERN_SUCCESS) {
		printf("virtio_blk: cannot attach IRQ %u: %s\n", vblk.irq, mach_error_string(kr));
		return 1;
	}
	loc = vblk.location;
	disk.sectors = vblk.sectors;
	disk.read_only = (vblk.features & VIRTIO_BLK_F_RO) != 0;
	snprintf(disk.name, sizeof disk.name, "virtio-blk %02x:%02x.%x", PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc));
	blk_disk = &disk;
	if (!driver_check_in(path, &service)) {
		printf("virtio_blk: cannot register %s\n", path);
		return 1;
	}
	printf("virtio_blk: %s, IRQ %u, %llu sectors (%llu KiB)%s; serving %s\n", disk.name, vblk.irq,
	       (unsigned long long)disk.sectors, (unsigned long long)disk.sectors / 2,
	       disk.read_only ? ", read-only" : "", path);
	blk_serve(service);
	return 1;
}
