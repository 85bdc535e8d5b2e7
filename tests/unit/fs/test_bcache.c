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

static struct logdev *
logdev(void)
{
	struct logdev *l = calloc(1, sizeof *l);

	l->mem = calloc(1024, 1024);
	l->dev = (struct blkdev){ 512, 2048, lread, lwrite, lflush };
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
