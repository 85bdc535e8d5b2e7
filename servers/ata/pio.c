/*
 * Block requests by PIO (ata.h, struct blk_disk's operations): a command
 * for the whole run (LBA28 while the run lies below 2^28, else LBA48), then
 * a sector at a time through the data port, the drive's status looked at
 * before each. A read's sectors go straight into the caller's buffer;
 * blk_serve.c sends that buffer only when this says every sector came.
 */
#include <mach/mach.h>
#include <manifold/blk.h>
#include <manifold/io.h>
#include "ata.h"

#define WORDS_PER_SECTOR (BLK_SECTOR_SIZE / 2)

static void
wr(unsigned reg, uint8_t v)
{
	io_out8((uint16_t)(ata.base + reg), v);
}

/* Selects the drive and writes the run's address and count (count 1..256; 256 is written as 0). */
static void
address(uint64_t lba, uint32_t count, bool lba48)
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

/* The drive's verdict after it stopped being busy: ready for data (want_drq), done, or failed. */
static kern_return_t
check(bool ok, uint8_t s, bool want_drq)
{
	if (!ok)
		return BLK_DEVICE_GONE;
	if (s & (ATA_SR_ERR | ATA_SR_DF))
		return BLK_IO_ERROR;
	if (want_drq && !(s & ATA_SR_DRQ))
		return BLK_IO_ERROR;	/* the drive wants no more data: it gave up on the command */
	return KERN_SUCCESS;
}

kern_return_t
ata_transfer(bool write, uint64_t lba, uint32_t count, void *buf)
{
	bool lba48 = lba + count > ATA_LBA28_LIMIT;
	uint16_t *p = buf;
	kern_return_t kr;
	uint8_t s = 0;
	bool ok;

	if (lba48 && !ata.lba48)
		return BLK_OUT_OF_RANGE;	/* past LBA28 on a drive without LBA48: blk_serve.c's range forbids it */
	if ((kr = check(ata_wait(&s), s, false)) != KERN_SUCCESS)
		return kr;
	address(lba, count, lba48);
	wr(ATA_COMMAND, write ? (lba48 ? ATA_CMD_WRITE_EXT : ATA_CMD_WRITE) : (lba48 ? ATA_CMD_READ_EXT : ATA_CMD_READ));
	for (uint32_t i = 0; i < count; i++, p += WORDS_PER_SECTOR) {
		(void)io_in8(ata.ctl);	/* the alternate status once: BSY is valid 400 ns after the command */
		ok = ata_wait(&s);
		if ((kr = check(ok, s, true)) != KERN_SUCCESS)
			return kr;
		if (write)
			io_out16_rep((uint16_t)(ata.base + ATA_DATA), p, WORDS_PER_SECTOR);
		else
			io_in16_rep((uint16_t)(ata.base + ATA_DATA), p, WORDS_PER_SECTOR);
	}
	if (!write)
		return KERN_SUCCESS;
	/* The last sector written: done when the drive is no longer busy, and said no error. */
	(void)io_in8(ata.ctl);
	ok = ata_wait(&s);
	return check(ok, s, false);
}

kern_return_t
ata_flush(void)
{
	uint8_t s = 0;
	kern_return_t kr;

	if ((kr = check(ata_wait(&s), s, false)) != KERN_SUCCESS)
		return kr;
	wr(ATA_DEVICE, (uint8_t)(ATA_DEV_OBS | (ata.slave ? ATA_DEV_SLAVE : 0)));
	(void)io_in8(ata.ctl);
	wr(ATA_COMMAND, ata.lba48 ? ATA_CMD_FLUSH_EXT : ATA_CMD_FLUSH);
	(void)io_in8(ata.ctl);
	return check(ata_wait(&s), s, false);
}
