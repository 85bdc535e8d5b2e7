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
	if ((kr = ata_verdict(ata_wait(&s), s, false)) != KERN_SUCCESS)
		return kr;
	ata_address(lba, count, lba48);
	ata_command(write ? (lba48 ? ATA_CMD_WRITE_EXT : ATA_CMD_WRITE) : (lba48 ? ATA_CMD_READ_EXT : ATA_CMD_READ));
	for (uint32_t i = 0; i < count; i++, p += WORDS_PER_SECTOR) {
		(void)io_in8(ata.ctl);	/* the alternate status once: BSY is valid 400 ns after the command */
		ok = ata_wait(&s);
		if ((kr = ata_verdict(ok, s, true)) != KERN_SUCCESS)
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
	return ata_verdict(ok, s, false);
}

kern_return_t
ata_flush(void)
{
	uint8_t s = 0;
	kern_return_t kr;

	if ((kr = ata_verdict(ata_wait(&s), s, false)) != KERN_SUCCESS)
		return kr;
	ata_address(0, 0, false);	/* selects the drive; the address means nothing to a flush */
	ata_command(ata.lba48 ? ATA_CMD_FLUSH_EXT : ATA_CMD_FLUSH);
	return ata_verdict(ata_wait(&s), s, false);
}
