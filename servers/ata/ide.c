/*
 * The IDE channel and its drive (ata.h): the PIIX function found through
 * the pci server, the channel's ports granted to us, a software reset (a
 * dead instance may have left a command half done), then IDENTIFY DEVICE;
 * and what both ways of moving data share: addressing, commands, waiting.
 * The drive's interrupt comes as a message; ata_wait takes it, and looks at
 * the status between messages too, so a lost interrupt costs a few
 * milliseconds, not the request.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/blk.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/io.h>
#include <manifold/msg.h>
#include <manifold/pci.h>
#include "ata.h"

#define ME mach_task_self()
#define POLL_MS 10

struct ata ata;

static uint8_t
rd(unsigned reg)
{
	return io_in8((uint16_t)(ata.base + reg));
}

static void
wr(unsigned reg, uint8_t v)
{
	io_out8((uint16_t)(ata.base + reg), v);
}

/* The standard's 400 ns after selecting a drive: four reads of the alternate status. */
static void
settle(void)
{
	for (int i = 0; i < 4; i++)
		(void)io_in8(ata.ctl);
}

bool
ata_attach(mach_port_t pci, mach_port_t device, unsigned drive, bool pio)
{
	static const uint16_t ids[] = { PIIX3_IDE, PIIX4_IDE };
	uint32_t info[PCI_INFO_WORDS];
	uint16_t which;
	kern_return_t kr;

	if (driver_pci_find(pci, PIIX_VENDOR, ids, 2, info, &which) != KERN_SUCCESS) {
		printf("ata: no PIIX IDE controller (8086:7010, 8086:7111) on the PCI bus\n");
		return false;
	}
	ata.location = info[PCI_INFO_LOCATION];
	ata.device = device;
	ata.slave = drive & 1;
	ata.base = drive < 2 ? PIIX_PRIMARY_BASE : PIIX_SECONDARY_BASE;
	ata.ctl = drive < 2 ? PIIX_PRIMARY_CTL : PIIX_SECONDARY_CTL;
	ata.irq = drive < 2 ? PIIX_PRIMARY_IRQ : PIIX_SECONDARY_IRQ;
	kr = device_io_port_grant(device, ME, ata.base, ATA_PORTS);
	if (kr == KERN_SUCCESS)
		kr = device_io_port_grant(device, ME, ata.ctl, 1);
	if (kr == KERN_SUCCESS)
		kr = driver_pci_enable(pci, device, ata.location, PCI_COMMAND_IO);
	if (kr != KERN_SUCCESS) {
		printf("ata: cannot reach the channel at %#x: %s\n", ata.base, mach_error_string(kr));
		return false;
	}
	if (!pio && PCI_BAR_IS_IO(info[PCI_INFO_BAR0 + 4]) && info[PCI_INFO_SIZE0 + 4] >= 2 * BM_PORTS) {
		uint16_t bm = (uint16_t)(PCI_BAR_ADDRESS(info[PCI_INFO_BAR0 + 4]) + (drive < 2 ? 0 : BM_PORTS));

		if (device_io_port_grant(device, ME, bm, BM_PORTS) == KERN_SUCCESS) {
			ata.bm = bm;
			/* A dead instance's transfer may still be running: stop it, clear its status. */
			io_out8((uint16_t)(bm + BM_COMMAND), 0);
			io_out8((uint16_t)(bm + BM_STATUS), BM_ST_IRQ | BM_ST_ERROR);
		}
	}
	return true;
}

bool
ata_interrupt_wait(uint32_t ms)
{
	if (!driver_irq_wait(ata.irq_port, ms))
		return false;
	(void)rd(ATA_STATUS);
	driver_irq_ack(ata.irq);
	return true;
}

bool
ata_wait(uint8_t *status)
{
	for (uint32_t waited = 0; waited < ATA_WAIT_MS; waited += POLL_MS) {
		uint8_t s = rd(ATA_STATUS);

		if (!(s & ATA_SR_BSY)) {
			*status = s;
			return true;
		}
		ata_interrupt_wait(POLL_MS);
	}
	return false;
}

/* 256 sectors are written as a count of 0. */
void
ata_address(uint64_t lba, uint32_t count, bool lba48)
{
	uint8_t dev = (uint8_t)(ATA_DEV_OBS | ATA_DEV_LBA | (ata.slave ? ATA_DEV_SLAVE : 0));

	if (!lba48)
		dev |= (uint8_t)(lba >> 24 & 0x0F);
	wr(ATA_DEVICE, dev);
	for (int i = 0; i < 4; i++)
		(void)io_in8(ata.ctl);	/* 400 ns for the selection */
	if (lba48) {
		/* The registers are two deep: the high bytes first. */
		wr(ATA_COUNT, (uint8_t)(count >> 8));
		wr(ATA_LBA_LOW, (uint8_t)(lba >> 24));
		wr(ATA_LBA_MID, (uint8_t)(lba >> 32));
		wr(ATA_LBA_HIGH, (uint8_t)(lba >> 40));
	}
	wr(ATA_COUNT, (uint8_t)count);
	wr(ATA_LBA_LOW, (uint8_t)lba);
	wr(ATA_LBA_MID, (uint8_t)(lba >> 8));
	wr(ATA_LBA_HIGH, (uint8_t)(lba >> 16));
}

kern_return_t
ata_verdict(bool ok, uint8_t s, bool want_drq)
{
	if (!ok)
		return BLK_DEVICE_GONE;
	if (s & (ATA_SR_ERR | ATA_SR_DF))
		return BLK_IO_ERROR;
	if (want_drq && !(s & ATA_SR_DRQ))
		return BLK_IO_ERROR;	/* the drive wants no more data: it gave up on the command */
	return KERN_SUCCESS;
}

/* The command, then the alternate status once: BSY is valid 400 ns after it. */
void
ata_command(uint8_t command)
{
	wr(ATA_COMMAND, command);
	(void)io_in8(ata.ctl);
}

/* Software reset of the channel, interrupts on again after it. */
static bool
reset(void)
{
	uint8_t s;

	io_out8(ata.ctl, ATA_CTL_SRST);
	msg_sleep_ms(1);		/* SRST held at least 5 us */
	io_out8(ata.ctl, 0);
	msg_sleep_ms(2);		/* the drive sets BSY within 2 ms of SRST's end */
	return ata_wait(&s);
}

static void
model_from(const uint16_t *id)
{
	int n = 0;

	for (int i = 0; i < ID_MODEL_WORDS; i++) {
		ata.model[n++] = (char)(id[ID_MODEL + i] >> 8);
		ata.model[n++] = (char)id[ID_MODEL + i];
	}
	while (n > 0 && (ata.model[n - 1] == ' ' || ata.model[n - 1] == '\0'))
		n--;
	ata.model[n] = '\0';
}

bool
ata_identify(void)
{
	static uint16_t id[256];
	uint8_t s;

	if (rd(ATA_STATUS) == 0xFF) {
		printf("ata: nothing on the channel at %#x (its status floats)\n", ata.base);
		return false;
	}
	if (!reset()) {
		printf("ata: the channel at %#x stays busy after a reset\n", ata.base);
		return false;
	}
	wr(ATA_DEVICE, (uint8_t)(ATA_DEV_OBS | (ata.slave ? ATA_DEV_SLAVE : 0)));
	settle();
	wr(ATA_COUNT, 0);
	wr(ATA_LBA_LOW, 0);
	wr(ATA_LBA_MID, 0);
	wr(ATA_LBA_HIGH, 0);
	wr(ATA_COMMAND, ATA_CMD_IDENTIFY);
	settle();
	if (rd(ATA_STATUS) == 0 || !ata_wait(&s)) {
		printf("ata: no drive %s at %#x\n", ata.slave ? "slave" : "master", ata.base);
		return false;
	}
	/* A packet device (ATAPI) aborts IDENTIFY DEVICE and leaves its signature in LBA mid/high. */
	if (rd(ATA_LBA_MID) != 0 || rd(ATA_LBA_HIGH) != 0 || (s & (ATA_SR_ERR | ATA_SR_DF)) || !(s & ATA_SR_DRQ)) {
		printf("ata: the %s at %#x is not an ATA disk\n", ata.slave ? "slave" : "master", ata.base);
		return false;
	}
	io_in16_rep((uint16_t)(ata.base + ATA_DATA), id, 256);
	if (!(id[ID_CAPS] & (1u << 9))) {
		printf("ata: the drive at %#x has no LBA\n", ata.base);
		return false;
	}
	ata.lba48 = (id[ID_CMDSET2] & (1u << 10)) != 0;
	ata.dma_capable = (id[ID_CAPS] & (1u << 8)) != 0;
	if (ata.lba48)
		ata.sectors = (uint64_t)id[ID_LBA48] | (uint64_t)id[ID_LBA48 + 1] << 16 |
			      (uint64_t)id[ID_LBA48 + 2] << 32 | (uint64_t)id[ID_LBA48 + 3] << 48;
	else
		ata.sectors = (uint32_t)id[ID_LBA28] | (uint32_t)id[ID_LBA28 + 1] << 16;
	model_from(id);
	return true;
}
