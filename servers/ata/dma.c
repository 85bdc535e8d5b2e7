/*
 * Block reads and writes by bus-master DMA (ata.h): the PIIX moves a whole
 * run between the drive and a buffer in DMA memory, described by the
 * physical region descriptor table, and the drive interrupts once at the
 * end. Data passes through that buffer: a read is copied out only once the
 * engine and the drive both said it is done and without error. Bus
 * mastering is on only while a live instance has claimed the function
 * (pci_claim): the pci server turns it off when this task dies.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/blk.h>
#include <manifold/error.h>
#include <manifold/io.h>
#include <manifold/pci.h>
#include "pci_client.h"
#include "ata.h"

#define ME mach_task_self()
#define PAGE 4096u
#define POLL_MS 10

bool
ata_dma_start(mach_port_t pci)
{
	uint32_t loc = ata.location, addr = 0, phys = 0;
	kern_return_t kr;

	if (!ata.dma_capable) {
		printf("ata: the drive does no DMA: PIO\n");
		return false;
	}
	if ((kr = device_dma_allocate(ata.device, ME, PAGE + BLK_MAX_BYTES, 0, &addr, &phys)) != KERN_SUCCESS) {
		printf("ata: no DMA memory: %s: PIO\n", mach_error_string(kr));
		return false;
	}
	/* One controller, two channels: another ata task may hold its bus mastering. */
	if ((kr = pci_claim(pci, ata.device, ME, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc))) != KERN_SUCCESS) {
		printf("ata: no bus mastering (%s): PIO\n", mach_error_string(kr));
		vm_deallocate(ME, addr, PAGE + BLK_MAX_BYTES);
		return false;
	}
	ata.prdt = (uint32_t *)addr;
	ata.dma_buf = (uint8_t *)(addr + PAGE);
	ata.dma_phys = phys;
	return true;
}

/* The table for bytes of the buffer: pieces of at most 64 KiB, none across a 64 KiB line. */
static void
prdt_fill(uint32_t bytes)
{
	uint32_t at = ata.dma_phys + PAGE, n = 0;

	while (bytes > 0) {
		uint32_t piece = 0x10000 - (at & 0xFFFF);

		if (piece > bytes)
			piece = bytes;
		ata.prdt[2 * n] = at;
		ata.prdt[2 * n + 1] = piece & 0xFFFF;	/* 64 KiB is written as 0 */
		at += piece;
		bytes -= piece;
		n++;
	}
	ata.prdt[2 * n - 1] |= PRD_EOT;
}

/* Stops the engine; its status, with the interrupt and error bits then cleared. */
static uint8_t
engine_stop(uint8_t direction)
{
	uint8_t st = io_in8((uint16_t)(ata.bm + BM_STATUS));

	io_out8((uint16_t)(ata.bm + BM_COMMAND), direction);
	io_out8((uint16_t)(ata.bm + BM_STATUS), BM_ST_IRQ | BM_ST_ERROR);
	return st;
}

kern_return_t
ata_dma_transfer(bool write, uint64_t lba, uint32_t count, void *buf)
{
	uint32_t bytes = count * BLK_SECTOR_SIZE;	/* at most BLK_MAX_BYTES: blk_serve.c checked */
	bool lba48 = lba + count > ATA_LBA28_LIMIT, done = false;
	uint8_t direction = write ? 0 : BM_CMD_TO_MEMORY, s = 0, st;
	kern_return_t kr;

	if (lba48 && !ata.lba48)
		return BLK_OUT_OF_RANGE;
	if ((kr = ata_verdict(ata_wait(&s), s, false)) != KERN_SUCCESS)
		return kr;
	if (write)
		memcpy(ata.dma_buf, buf, bytes);
	prdt_fill(bytes);
	io_out32((uint16_t)(ata.bm + BM_PRDT), ata.dma_phys);
	engine_stop(direction);
	ata_address(lba, count, lba48);
	ata_command(write ? (lba48 ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_WRITE_DMA)
			  : (lba48 ? ATA_CMD_READ_DMA_EXT : ATA_CMD_READ_DMA));
	io_out8((uint16_t)(ata.bm + BM_COMMAND), (uint8_t)(direction | BM_CMD_START));
	/* The engine's interrupt bit says the drive raised its line at the end; the status between messages. */
	for (uint32_t waited = 0; waited < ATA_WAIT_MS && !done; waited += POLL_MS) {
		st = io_in8((uint16_t)(ata.bm + BM_STATUS));
		done = (st & (BM_ST_IRQ | BM_ST_ERROR)) != 0;
		if (!done)
			ata_interrupt_wait(POLL_MS);
	}
	st = engine_stop(direction);
	if (!done)
		return BLK_DEVICE_GONE;
	if ((kr = ata_verdict(ata_wait(&s), s, false)) != KERN_SUCCESS)
		return kr;
	if (st & BM_ST_ERROR)
		return BLK_IO_ERROR;
	if (!write)
		memcpy(buf, ata.dma_buf, bytes);
	return KERN_SUCCESS;
}
