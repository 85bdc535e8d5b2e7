/*
 * A block device as the file systems see it: whole sectors at an LBA. The host
 * tests back it with an image file; the fs server backs it with the block
 * driver's interface (disk.c). Embed struct blkdev first in the implementation's struct.
 */
#ifndef FS_BLKDEV_H
#define FS_BLKDEV_H

#include <stdint.h>

struct blkdev {
	uint32_t sector_size;	/* 512, or a power of two up to 4096 */
	uint64_t sectors;	/* the device's size */
	/* Each returns 0 or -FS_EIO; count sectors from lba, lba + count <= sectors. */
	int (*read)(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf);
	int (*write)(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf);
	/* Everything written before has reached the medium (a write barrier). */
	int (*flush)(struct blkdev *dev);
	/* Optional (NULL: the cache calls read or write once per piece). count
	 * sectors from lba as one request to the device, into or from bufs[0],
	 * bufs[1]... of `piece` bytes each (a whole number of sectors, dividing
	 * count's bytes): the buffer cache's runs of adjacent blocks. */
	int (*readv)(struct blkdev *dev, uint64_t lba, uint32_t count, void *const *bufs, uint32_t piece);
	int (*writev)(struct blkdev *dev, uint64_t lba, uint32_t count, const void *const *bufs, uint32_t piece);
};

#endif
