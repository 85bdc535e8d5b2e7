/*
 * The buffer cache: fixed-size blocks of one block device, at most `max` of
 * them in memory, written back on bcache_flush or when memory runs short.
 *
 * Write order. A file system gives every change a pass (bcache_dirty): a flush
 * writes all of pass 0, tells the device to flush, then pass 1, and so on, so
 * that a power cut between two writes leaves only states its checker can
 * repair (ext2.h and fat.h say which pass holds what). A buffer dirty in one
 * pass that is marked for another is written out first with everything else
 * (a full ordered flush): the old change must not slip into the wrong pass.
 * Eviction never writes one dirty buffer alone; when no clean buffer is free it
 * flushes everything in order.
 *
 * Runs. Adjacent blocks go to the device together, up to BCACHE_RUN_BYTES in one
 * request (blkdev's readv and writev): a flush writes each pass's adjacent dirty
 * blocks as runs, and bcache_read_run brings in a file system's read-ahead.
 */
#ifndef FS_BCACHE_H
#define FS_BCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "blkdev.h"

#define BCACHE_PASSES 5
#define BCACHE_RUN_MAX 32	/* ext2's most blocks per run: 128 KiB of 4 KiB blocks */
#define BCACHE_RUN_BYTES (128 * 1024)	/* per device request, whatever the block size */
#define BCACHE_RUN_BLOCKS (BCACHE_RUN_BYTES / 512)	/* the most blocks in a run: of 512 bytes */

struct bcache_buf {
	uint64_t blkno;
	uint8_t *data;			/* the block's bytes */
	int refs;			/* holders between bcache_get and bcache_put */
	bool dirty;
	uint8_t pass;			/* when dirty: the pass it is written in */
	struct bcache_buf *hnext;	/* hash chain */
	struct bcache_buf *prev, *next;	/* LRU list, most recent first */
};

struct bcache {
	struct blkdev *dev;
	uint32_t bsize;			/* block size: a multiple of the sector size */
	uint32_t spb;			/* sectors per block */
	uint64_t nblocks;		/* blocks on the device */
	size_t nbufs, max;
	size_t ndirty;
	struct bcache_buf **hash;
	size_t hsize;
	struct bcache_buf lru;		/* list head */
	struct bcache_buf *spare;	/* buffers of blocks dropped, for the next ones (through hnext) */
	/* A run's buffers and data while it goes to or from the device. */
	struct bcache_buf *run_bufs[BCACHE_RUN_BLOCKS];
	void *run_data[BCACHE_RUN_BLOCKS];
	const void *run_wdata[BCACHE_RUN_BLOCKS];
	uint64_t reads, writes;		/* device block transfers, for tests */
	uint64_t read_reqs, write_reqs;	/* device calls that carried them */
};

int bcache_create(struct blkdev *dev, uint32_t bsize, size_t max, struct bcache **out);
void bcache_destroy(struct bcache *bc);		/* drops dirty data: flush first */
/* A held buffer with the block's contents (read from the device if absent). */
int bcache_get(struct bcache *bc, uint64_t blkno, struct bcache_buf **out);
/* A held buffer for a block about to be overwritten whole: zeroed, not read. */
int bcache_get_zero(struct bcache *bc, uint64_t blkno, struct bcache_buf **out);
void bcache_put(struct bcache *bc, struct bcache_buf *b);
/* Call before changing b->data: the change is written in the given pass. */
int bcache_dirty(struct bcache *bc, struct bcache_buf *b, unsigned pass);
/* Write every dirty buffer, pass by pass, flushing the device after each. */
int bcache_flush(struct bcache *bc);
/* Forget a block (freed by the file system): a dirty copy is not written. */
void bcache_forget(struct bcache *bc, uint64_t blkno);
/* Whether the block is in the cache (no device access, no change to the LRU). */
bool bcache_cached(struct bcache *bc, uint64_t blkno);
/*
 * Read-ahead: brings blocks first, first + 1... (at most n, BCACHE_RUN_BYTES and a
 * quarter of the cache; up to the first one already cached) in with one device
 * request, as clean unheld buffers. 0 or the device's error (nothing cached then).
 */
int bcache_read_run(struct bcache *bc, uint64_t first, size_t n);
/*
 * Blocks first .. first + n - 1 read into buf (n * bsize bytes) in one device
 * request, past the cache: nothing is cached, and a block the cache holds is
 * taken from it (it may be newer). For large reads that would only push
 * everything else out. 0 or the device's error.
 */
int bcache_read_direct(struct bcache *bc, uint64_t first, size_t n, void *buf);
/* The most blocks bcache_read_run brings in at once (BCACHE_RUN_BYTES of them, or a quarter of the cache). */
size_t bcache_run_max(const struct bcache *bc);

#endif
