/*
 * A block device over an image file for the host tests (servers/fs/blkdev.h):
 * 512-byte sectors, counts of block writes, runs (readv, writev) taken
 * piece by piece, and a power cut: after
 * `budget` writes every later write is dropped without a word, as if the
 * machine had lost power (flush still says yes).
 */
#ifndef IMGDEV_H
#define IMGDEV_H

#include <stdbool.h>
#include <stdint.h>
#include "blkdev.h"

struct imgdev {
	struct blkdev dev;
	int fd;
	uint64_t writes;	/* write calls that reached the file */
	uint64_t dropped;	/* write calls the cut dropped */
	uint64_t requests;	/* readv and writev calls: runs of blocks */
	int64_t budget;		/* writes left before the cut; -1: no cut */
	bool fail_reads;	/* every read fails with EIO */
	uint8_t *mem;		/* imgdev_open_mem: the image in memory, not a file */
	uint8_t *touched;	/* if set: a byte per sector, set by every write */
};

int imgdev_open(struct imgdev *d, const char *path);
/* An image held in memory (size bytes at mem, not copied). */
void imgdev_open_mem(struct imgdev *d, uint8_t *mem, uint64_t size);
void imgdev_close(struct imgdev *d);

#endif
