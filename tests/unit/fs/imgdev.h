/*
 * A block device over an image file for the host tests (servers/fs/blkdev.h):
 * 512-byte sectors, counts of block writes, and a power cut: after
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
	int64_t budget;		/* writes left before the cut; -1: no cut */
	bool fail_reads;	/* every read fails with EIO */
};

int imgdev_open(struct imgdev *d, const char *path);
void imgdev_close(struct imgdev *d);

#endif
