/*
 * The ata driver's view of its disk: one drive on a PIIX IDE channel in
 * compatibility mode (the legacy ports and interrupt lines), driven by PIO
 * with an interrupt per sector. Register and command facts are the ATA/ATAPI
 * standard's (ATA-6 on: LBA48); the ports and lines are the PIIX datasheet's
 * compatibility-mode ones. Everything is the loop thread's.
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

/* IDENTIFY DEVICE's words used. */
#define ID_MODEL	27	/* 20 words: 40 characters, two per word, first in the high byte */
#define ID_MODEL_WORDS	20
#define ID_CAPS		49	/* bit 9: LBA */
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

/* The drive. [I] set at start-up (ide.c). */
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
};

extern struct ata ata;

/* ide.c */
/* Finds the PIIX IDE function, takes drive (0-3)'s channel's ports. false, with a line, if none. */
bool ata_attach(mach_port_t pci, mach_port_t device, unsigned drive);
/* Resets the channel (ending whatever a dead instance began) and identifies the drive. */
bool ata_identify(void);
/* Waits until the drive is not busy: its status, or false after ATA_WAIT_MS. */
bool ata_wait(uint8_t *status);

/* pio.c: struct blk_disk's operations. */
kern_return_t ata_transfer(bool write, uint64_t lba, uint32_t count, void *buf);
kern_return_t ata_flush(void);

#endif
