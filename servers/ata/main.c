/*
 * ata: the driver task for a disk on the PIIX IDE controller (QEMU's pc
 * machine: `-drive if=ide` or `-device ide-hd`), serving the block interface
 * (servers/block/) for one drive: drive=N on its module line (0 primary
 * master, the default; 1 primary slave; 2, 3 the secondary channel's), by
 * bus-master DMA when the controller and drive can and the word `pio` is
 * not on the line, else by PIO.
 *
 * It finds the controller through the pci server, takes the channel's ports
 * and interrupt line, resets the channel (a previous instance may have died
 * in the middle of a command), identifies the drive and checks in as
 * /servers/hd0 (or name=PATH): the bootstrap keeps that port across
 * restarts. The loop is libmsg's blk_serve (msg_server_run with block.defs's
 * demux) on the service port: a request is served to completion (its
 * interrupt messages taken inside the request: ide.c) before the next is
 * received, and blk_serve.c checks it before dma.c or pio.c sees it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/blk_driver.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include "ata.h"

static struct blk_disk disk = { .transfer = ata_transfer, .flush = ata_flush };

static const char *const drive_names[] = { "primary master", "primary slave", "secondary master",
					   "secondary slave" };

int
main(int argc, char **argv)
{
	const char *path = "/servers/hd0";
	mach_port_t device = MACH_PORT_NULL, pci = MACH_PORT_NULL, service = MACH_PORT_NULL;
	unsigned drive = 0;
	bool pio = false;
	kern_return_t kr;

	blk_disk_args(&disk, argc, argv, &path);
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "drive=", 6) == 0)
			drive = (unsigned)strtoul(argv[i] + 6, NULL, 0) & 3;
		else if (strcmp(argv[i], "pio") == 0)
			pio = true;
	if (!driver_open("ata", &device, &pci))
		return 1;
	if ((kr = driver_irq_attach(device, drive < 2 ? PIIX_PRIMARY_IRQ : PIIX_SECONDARY_IRQ, &ata.irq_port)) !=
	    KERN_SUCCESS) {
		printf("ata: cannot attach IRQ %u: %s\n", drive < 2 ? PIIX_PRIMARY_IRQ : PIIX_SECONDARY_IRQ,
		       mach_error_string(kr));
		return 1;
	}
	if (!ata_attach(pci, device, drive, pio) || !ata_identify()) {
		/* Nothing to drive: stay, so that restart=always does not start us again and again. */
		for (;;)
			msg_sleep_ms(0);
	}
	if (ata.bm && ata_dma_start(pci))
		disk.transfer = ata_dma_transfer;
	disk.sectors = ata.sectors;
	if (!ata.lba48 && disk.sectors > ATA_LBA28_LIMIT)
		disk.sectors = ATA_LBA28_LIMIT;
	snprintf(disk.name, sizeof disk.name, "ata %s %s, %s", drive_names[drive], ata.model,
		 disk.transfer == ata_dma_transfer ? "DMA" : "PIO");
	blk_disk = &disk;
	if (!driver_check_in(path, &service)) {
		printf("ata: cannot register %s\n", path);
		return 1;
	}
	printf("ata: %s, IRQ %u, %llu sectors (%llu KiB)%s; serving %s\n", disk.name, ata.irq,
	       (unsigned long long)disk.sectors, (unsigned long long)disk.sectors / 2, ata.lba48 ? ", LBA48" : "",
	       path);
	blk_serve(service);
	return 1;
}
