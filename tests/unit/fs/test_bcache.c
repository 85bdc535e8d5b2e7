/*
 * The buffer cache on its own: memory stays within its bound however many
 * blocks pass through, dirty blocks are written in pass order, and a block
 * marked for a second pass is written out first.
 */
#include <stdlib.h>
#include <string.h>
#include "bcache.h"
#include "fs_error.h"
#include "unit.h"

struct logdev {
	struct blkdev dev;
	uint8_t *mem;
	uint64_t log[4096];	/* block numbers written, in order; flushes as ~0 */
	int n;
	struct {
		bool write;
		uint64_t block;	/* 1 KiB blocks */
		uint32_t blocks;
	} req[256];		/* with readv and writev: every device call */
	int nreq;
};

static int
lread(struct blkdev *d, uint64_t lba, uint32_t count, void *buf)
{
	memcpy(buf, ((struct logdev *)d)->mem + lba * 512, count * 512);
	return 0;
}

static int
lwrite(struct blkdev *d, uint64_t lba, uint32_t count, const void *buf)
{
	struct logdev *l = (struct logdev *)d;

	memcpy(l->mem + lba * 512, buf, count * 512);
	if (l->n < 4096)
		l->log[l->n++] = lba / 2;
	return 0;
}

static int
lflush(struct blkdev *d)
{
	struct logdev *l = (struct logdev *)d;

	if (l->n < 4096)
		l->log[l->n++] = ~0ull;
	return 0;
}

static void
note(struct logdev *l, bool write, uint64_t lba, uint32_t count)
{
	if (l->nreq < 256) {
		l->req[l->nreq].write = write;
		l->req[l->nreq].block = lba / 2;
		l->req[l->nreq].blocks = count / 2;
		l->nreq++;
	}
}

static int
lreadv(struct blkdev *d, uint64_t lba, uint32_t count, void *const *bufs, uint32_t piece)
{
	struct logdev *l = (struct logdev *)d;

	note(l, false, lba, count);
	for (uint32_t i = 0; i < count * 512 / piece; i++)
		memcpy(bufs[i], l->mem + lba * 512 + (size_t)i * piece, piece);
	return 0;
}

static int
lwritev(struct blkdev *d, uint64_t lba, uint32_t count, const void *const *bufs, uint32_t piece)
{
	struct logdev *l = (struct logdev *)d;

	note(l, true, lba, count);
	for (uint32_t i = 0; i < count * 512 / piece; i++)
		memcpy(l->mem + lba * 512 + (size_t)i * piece, bufs[i], piece);
	return 0;
}

static struct logdev *
logdev(void)
{
	struct logdev *l = calloc(1, sizeof *l);

	l->mem = calloc(1024, 1024);
	l->dev = (struct blkdev){ 512, 2048, lread, lwrite, lflush, NULL, NULL };
	return l;
}

UNIT_TEST(bcache_memory_stays_within_its_bound)
{
	struct logdev *l = logdev();
	struct bcache *bc;
	struct bcache_buf *b;

	EXPECT_EQ(bcache_create(&l->dev, 1024, 16, &bc), 0);
	for (uint64_t i = 0; i < 1000; i++) {
		EXPECT_EQ(bcache_get(bc, i, &b), 0);
		EXPECT_EQ(bcache_dirty(bc, b, 0), 0);
		b->data[0] = (uint8_t)i;
		bcache_put(bc, b);
		EXPECT(bc->nbufs <= 16);
	}
	EXPECT_EQ(bcache_flush(bc), 0);
	for (uint64_t i = 0; i < 1000; i++)
		EXPECT_EQ(l->mem[i * 1024], (uint8_t)i);
	EXPECT_EQ(bcache_get(bc, 1024, &b), -FS_EIO);	/* past the device's end */
	bcache_destroy(bc);
	free(l->mem);
	free(l);
}

UNIT_TEST(bcache_writes_pass_by_pass_with_a_barrier_between)
{
	struct logdev *l = logdev();
	struct bcache *bc;
	struct bcache_buf *b;
	static const uint64_t blocks[] = { 9, 3, 7, 1, 5 };
	static const unsigned passes[] = { 0, 2, 0, 1, 2 };

	EXPECT_EQ(bcache_create(&l->dev, 1024, 16, &bc), 0);
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(bcache_get(bc, blocks[i], &b), 0);
		EXPECT_EQ(bcache_dirty(bc, b, passes[i]), 0);
		bcache_put(bc, b);
	}
	EXPECT_EQ(bcache_flush(bc), 0);
	/* Pass 0 (7, 9), barrier, pass 1 (1), barrier, pass 2 (3, 5), barrier. */
	static const uint64_t want[] = { 7, 9, ~0ull, 1, ~0ull, 3, 5, ~0ull };
	EXPECT_EQ(l->n, 8);
	for (int i = 0; i < 8 && i < l->n; i++)
		EXPECT_EQ(l->log[i], want[i]);
	/* Block 4 dirty in pass 3, then marked for pass 0: written out at once. */
	l->n = 0;
	EXPECT_EQ(bcache_get(bc, 4, &b), 0);
	EXPECT_EQ(bcache_dirty(bc, b, 3), 0);
	EXPECT_EQ(bcache_dirty(bc, b, 0), 0);
	EXPECT_EQ(l->n, 2);
	EXPECT_EQ(l->log[0], 4);
	EXPECT(b->dirty && b->pass == 0);
	bcache_put(bc, b);
	bcache_destroy(bc);
	free(l->mem);
	free(l);
}

/* A device that takes runs: the two tests below count its calls. */
static struct logdev *
rundev(void)
{
	struct logdev *l = logdev();

	l->dev.readv = lreadv;
	l->dev.writev = lwritev;
	for (int i = 0; i < 1024 * 1024; i++)
		l->mem[i] = (uint8_t)(i / 1024 * 7 + i);
	return l;
}

UNIT_TEST(bcache_flush_writes_adjacent_blocks_of_a_pass_as_one_run)
{
	struct logdev *l = rundev();
	struct bcache *bc;
	struct bcache_buf *b;
	static const uint64_t blocks[] = { 6, 2, 1, 4, 3, 5, 40 };
	static const unsigned passes[] = { 0, 0, 0, 1, 0, 0, 0 };

	EXPECT_EQ(bcache_create(&l->dev, 1024, 64, &bc), 0);
	for (int i = 0; i < 7; i++) {
		EXPECT_EQ(bcache_get(bc, blocks[i], &b), 0);
		EXPECT_EQ(bcache_dirty(bc, b, passes[i]), 0);
		memset(b->data, 0xa0 + (int)blocks[i], 1024);
		bcache_put(bc, b);
	}
	l->nreq = 0;
	EXPECT_EQ(bcache_flush(bc), 0);
	/* pass 0: runs 1-3 (4 is pass 1's) and 5-6, 40 alone by write; barrier; pass 1: 4 */
	EXPECT_EQ(l->nreq, 2);
	EXPECT(l->req[0].write && l->req[0].block == 1 && l->req[0].blocks == 3);
	EXPECT(l->req[1].write && l->req[1].block == 5 && l->req[1].blocks == 2);
	static const uint64_t want[] = { 40, ~0ull, 4, ~0ull };
	EXPECT_EQ(l->n, 4);
	for (int i = 0; i < 4 && i < l->n; i++)
		EXPECT_EQ(l->log[i], want[i]);
	for (int i = 0; i < 7; i++)
		EXPECT_EQ(l->mem[blocks[i] * 1024 + 1023], 0xa0 + (int)blocks[i]);
	EXPECT_EQ(bc->ndirty, 0);
	EXPECT_EQ(bc->writes, 7);
	bcache_destroy(bc);
	free(l->mem);
	free(l);
}

UNIT_TEST(bcache_read_run_brings_blocks_in_one_request_up_to_a_cached_one)
{
	struct logdev *l = rundev();
	struct bcache *bc;
	struct bcache_buf *b;

	EXPECT_EQ(bcache_create(&l->dev, 1024, 256, &bc), 0);
	EXPECT_EQ(bcache_get(bc, 7, &b), 0);
	bcache_put(bc, b);
	l->nreq = 0;
	EXPECT_EQ(bcache_read_run(bc, 3, 10), 0);	/* 3..6: 7 is cached */
	EXPECT_EQ(l->nreq, 1);
	EXPECT(!l->req[0].write && l->req[0].block == 3 && l->req[0].blocks == 4);
	EXPECT(bcache_cached(bc, 6) && !bcache_cached(bc, 8));
	for (uint64_t i = 3; i < 7; i++) {
		EXPECT_EQ(bcache_get(bc, i, &b), 0);
		EXPECT_EQ(memcmp(b->data, l->mem + i * 1024, 1024), 0);
		EXPECT_EQ(b->refs, 1);
		bcache_put(bc, b);
	}
	EXPECT_EQ(l->nreq, 1);			/* those were hits */
	EXPECT_EQ(bcache_read_run(bc, 100, 1000), 0);	/* one request's worth at most */
	EXPECT_EQ(l->nreq, 2);
	/* a quarter of the cache: fewer than BCACHE_RUN_BYTES of 1 KiB blocks */
	EXPECT_EQ(l->req[1].blocks, 64);
	EXPECT(64 * 1024 < BCACHE_RUN_BYTES);
	EXPECT_EQ(bcache_read_run(bc, 2047, 4), -FS_EIO);	/* past the end */
	EXPECT_EQ(bcache_read_run(bc, 1020, 8), 0);	/* up to the end: 1020..1023 */
	EXPECT_EQ(l->req[2].blocks, 4);
	bcache_destroy(bc);

	/* A small cache: a quarter of it per run, and still within its bound. */
	EXPECT_EQ(bcache_create(&l->dev, 1024, 16, &bc), 0);
	for (uint64_t i = 0; i < 64; i += 4) {
		EXPECT_EQ(bcache_read_run(bc, i, 8), 0);
		EXPECT(bc->nbufs <= 16);
		EXPECT(bcache_cached(bc, i + 3) && !bcache_cached(bc, i + 4));
	}
	bcache_destroy(bc);
	free(l->mem);
	free(l);
}
