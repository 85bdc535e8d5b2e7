/*
 * What block drivers and their clients agree on (servers/block/block.defs):
 * sizes, the extent triples of the asynchronous requests, the named errors,
 * and synchronous helpers over the generated stubs (src/blk.c) for a client
 * that wants sectors in a buffer of its own.
 */
#ifndef MANIFOLD_BLK_H
#define MANIFOLD_BLK_H

#include <stdint.h>
#include <mach/mach.h>

#define BLK_SECTOR_SIZE	512u			/* every driver's so far; blk_info says */
#define BLK_MAX_BYTES	(128u * 1024u)		/* blk_data_t's bound */
#define BLK_MAX_SECTORS	(BLK_MAX_BYTES / BLK_SECTOR_SIZE)
#define BLK_EXTENTS_MAX	16u			/* blk_extents_t holds 3 words each */
#define BLK_EXTENT_WORDS 3u
#define BLK_NAME_MAX	64u			/* blk_name_t, with its NUL */

/*
 * The drivers' errors, as kern_return_t codes above a base no Mach, MIG or
 * socket code uses (the sockets' is 0x4e00).
 */
#define BLK_ERR_BASE		0x4f00
#define BLK_OUT_OF_RANGE	(BLK_ERR_BASE + 1)	/* a run past the last sector; nothing done */
#define BLK_IO_ERROR		(BLK_ERR_BASE + 2)	/* the device failed a sector of it */
#define BLK_DEVICE_GONE		(BLK_ERR_BASE + 3)	/* the device does not answer */
#define BLK_READ_ONLY		(BLK_ERR_BASE + 4)	/* a write to a read-only disk */
#define BLK_BAD_REQUEST		(BLK_ERR_BASE + 5)	/* no sectors, too many, sizes that disagree */

/* Extent i of a blk_extents_t array: sectors [lba, lba + count). */
static inline void
blk_extent_set(uint32_t *extents, unsigned i, uint64_t lba, uint32_t count)
{
	extents[BLK_EXTENT_WORDS * i] = (uint32_t)lba;
	extents[BLK_EXTENT_WORDS * i + 1] = (uint32_t)(lba >> 32);
	extents[BLK_EXTENT_WORDS * i + 2] = count;
}

static inline uint64_t
blk_extent_lba(const uint32_t *extents, unsigned i)
{
	return (uint64_t)extents[BLK_EXTENT_WORDS * i + 1] << 32 | extents[BLK_EXTENT_WORDS * i];
}

static inline uint32_t
blk_extent_count(const uint32_t *extents, unsigned i)
{
	return extents[BLK_EXTENT_WORDS * i + 2];
}

/* blk_info's answer. */
struct blk_geometry {
	uint32_t sector_size;
	uint64_t sectors;
	boolean_t read_only;
	uint32_t max_sectors;
	char name[BLK_NAME_MAX];
};

/* blk_info into g. Errors: blk_info's, MIG_SERVER_DIED. */
kern_return_t blk_geometry(mach_port_t disk, struct blk_geometry *g);

/*
 * count sectors of 512 bytes from lba into buf (count * 512 bytes), in as
 * many blk_read calls as BLK_MAX_SECTORS needs. A driver that dies holding
 * one is asked again once (the stub's retry); then MIG_SERVER_DIED. On an
 * error, buf may hold some of the sectors; which is not said.
 */
kern_return_t blk_read_sectors(mach_port_t disk, uint64_t lba, uint32_t count, void *buf);

/* The same for writing count sectors from buf. */
kern_return_t blk_write_sectors(mach_port_t disk, uint64_t lba, uint32_t count, const void *buf);

#endif
