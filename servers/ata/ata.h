/*
 * The ata driver's view of its disk: one drive on a PIIX IDE channel in
 * compatibility mode (the legacy ports and interrupt lines), driven by
 * bus-master DMA (an interrupt per request) or by PIO (one per sector). Register and command facts are the ATA/ATAPI
 * standard's (ATA-6 on: LBA48); the ports and lines are the PIIX datasheet's
 * compatibility-mode ones, and the bus-master registers SFF-8038i's (dma.c).
 * Everything is the loop thread's.
 */
#ifndef ATA_H
#define ATA_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>

/* The command block, from the channel's base port. */
#define ATA_DATA	0	/* 16 bits */
#define ATA_ERROR	1	/* read */
#define ATA_COUNT	2
#define ATA_LBA_LOW	3
#define ATA_LBA_MID	4
#define ATA_LBA_HIGH	5
#define ATA_DEVICE	6	/* 0xA0 | LBA | DEV | LBA28's top four bits */
#define ATA_STATUS	7	/* read: clears the drive's interrupt */
#define ATA_COMMAND	7	/* write */
#define ATA_PORTS	8

/* The control block: one port. */
#define ATA_CTL_SRST	0x04	/* device control: software reset of both drives */
#define ATA_CTL_NIEN	0x02	/* device control: interrupts off */

#define ATA_DEV_OBS	0xA0	/* bits 7 and 5: set, as older drives want */
#define ATA_DEV_LBA	0x40
#define ATA_DEV_SLAVE	0x10

#define ATA_SR_BSY	0x80
#define ATA_SR_DRDY	0x40
#define ATA_SR_DF	0x20	/* device fault */
#define ATA_SR_DRQ	0x08
#define ATA_SR_ERR	0x01

#define ATA_CMD_READ		0x20	/* READ SECTORS (LBA28) */
#define ATA_CMD_READ_EXT	0x24	/* READ SECTORS EXT (LBA48) */
#define ATA_CMD_WRITE		0x30
#define ATA_CMD_WRITE_EXT	0x34
#define ATA_CMD_FLUSH		0xE7	/* FLUSH CACHE */
#define ATA_CMD_FLUSH_EXT	0xEA
#define ATA_CMD_IDENTIFY	0xEC
#define ATA_CMD_READ_DMA	0xC8
#define ATA_CMD_READ_DMA_EXT	0x25
#define ATA_CMD_WRITE_DMA	0xCA
#define ATA_CMD_WRITE_DMA_EXT	0x35

/* IDENTIFY DEVICE's words used. */
#define ID_MODEL	27	/* 20 words: 40 characters, two per word, first in the high byte */
#define ID_MODEL_WORDS	20
#define ID_CAPS		49	/* bit 9: LBA; bit 8: DMA */
#define ID_LBA28	60	/* two words: sectors addressable by LBA28 */
#define ID_CMDSET2	83	/* bit 10: LBA48 */
#define ID_LBA48	100	/* four words */

#define ATA_LBA28_LIMIT	(1u << 28)
#define ATA_WAIT_MS	5000	/* a drive busy longer than this is gone */

/* PIIX's IDE function, in compatibility mode: two channels at fixed ports and lines. */
#define PIIX_VENDOR	0x8086
#define PIIX3_IDE	0x7010
#define PIIX4_IDE	0x7111
#define PIIX_PRIMARY_BASE	0x1F0
#define PIIX_PRIMARY_CTL	0x3F6
#define PIIX_PRIMARY_IRQ	14
#define PIIX_SECONDARY_BASE	0x170
#define PIIX_SECONDARY_CTL	0x376
#define PIIX_SECONDARY_IRQ	15

/*
 * The PIIX's bus-master IDE registers (BAR4; the SFF-8038i layout): eight
 * ports per channel, the secondary's at +8. The physical region descriptor
 * table lists the buffer's pieces: a 32-bit address, a 16-bit byte count (0
 * is 64 KiB), and EOT on the last; no piece may cross a 64 KiB boundary.
 */
#define BM_COMMAND	0
#define BM_STATUS	2
#define BM_PRDT		4
#define BM_PORTS	8
#define BM_CMD_START	0x01
#define BM_CMD_TO_MEMORY 0x08	/* the device writes memory: a read from the disk */
#define BM_ST_ACTIVE	0x01
#define BM_ST_ERROR	0x02	/* write 1 to clear */
#define BM_ST_IRQ	0x04	/* write 1 to clear */
#define PRD_EOT		0x80000000u
#define PRD_MAX		4	/* entries: 128 KiB of contiguous memory crosses two 64 KiB lines at most */

/* The drive. [I] set at start-up (ide.c, dma.c). */
struct ata {
	uint16_t base, ctl;		/* [I] the channel's ports */
	uint32_t irq;			/* [I] */
	bool slave;			/* [I] */
	bool lba48;			/* [I] */
	uint64_t sectors;		/* [I] */
	char model[41];			/* [I] */
	mach_port_t device;		/* [I] the device master port */
	mach_port_t irq_port;		/* [I] device_intr messages */
	uint32_t location;		/* [I] the IDE function */
	bool dma_capable;		/* [I] IDENTIFY says DMA */
	uint16_t bm;			/* [I] the channel's bus-master ports; 0: PIO only */
	uint32_t *prdt;			/* [I] DMA: the descriptor table, one page */
	uint8_t *dma_buf;		/* [I] DMA: BLK_MAX_BYTES, right after the table */
	uint32_t dma_phys;		/* [I] the table's physical address; the buffer's is a page on */
};

extern struct ata ata;

/* ide.c */
/*
 * Finds the PIIX IDE function, takes drive (0-3)'s channel's ports, and
 * its bus-master ports unless pio (the engine stopped: a dead instance may
 * have left it running). false, with a line, if none.
 */
bool ata_attach(mach_port_t pci, mach_port_t device, unsigned drive, bool pio);
/* Resets the channel (ending whatever a dead instance began) and identifies the drive. */
bool ata_identify(void);
/* Waits until the drive is not busy: its status, or false after ATA_WAIT_MS. */
bool ata_wait(uint8_t *status);
/* One interrupt message within ms (the drive's interrupt then cleared and the line unmasked). */
bool ata_interrupt_wait(uint32_t ms);
/* Selects the drive and writes a run's address and count (1..256; LBA48's high bytes first). */
void ata_address(uint64_t lba, uint32_t count, bool lba48);
void ata_command(uint8_t command);
/* The drive's verdict once not busy (ok: it stopped being busy in time): done, or named failure. */
kern_return_t ata_verdict(bool ok, uint8_t status, bool want_drq);

/* dma.c */
/* DMA memory and bus mastering (pci_claim); false, with a line, and the driver stays with PIO. */
bool ata_dma_start(mach_port_t pci);
kern_return_t ata_dma_transfer(bool write, uint64_t lba, uint32_t count, void *buf);

/* pio.c: struct blk_disk's operations. */
kern_return_t ata_transfer(bool write, uint64_t lba, uint32_t count, void *buf);
kern_return_t ata_flush(void);

#endif
