/*
 * The buffer cache (bcache.h): a hash of block numbers and an LRU list. Memory
 * is bounded by max buffers; every buffer may be held by several callers.
 */
#include <stdlib.h>
#include <string.h>
#include "bcache.h"
#include "fs_error.h"

static size_t
hash_of(struct bcache *bc, uint64_t blkno)
{
	return (size_t)((blkno * 0x9E3779B97F4A7C15ull) >> 32) % bc->hsize;
}

static void
lru_unlink(struct bcache_buf *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static void
lru_push_front(struct bcache *bc, struct bcache_buf *b)
{
	b->next = bc->lru.next;
	b->prev = &bc->lru;
	bc->lru.next->prev = b;
	bc->lru.next = b;
}

int
bcache_create(struct blkdev *dev, uint32_t bsize, size_t max, struct bcache **out)
{
	struct bcache *bc;

	if (dev->sector_size == 0 || bsize < dev->sector_size || bsize % dev->sector_size || max < 8)
		return -FS_EINVAL;
	bc = calloc(1, sizeof *bc);
	if (!bc)
		return -FS_ENOMEM;
	bc->dev = dev;
	bc->bsize = bsize;
	bc->spb = bsize / dev->sector_size;
	bc->nblocks = dev->sectors / bc->spb;
	bc->max = max;
	bc->hsize = max * 2 + 1;
	bc->hash = calloc(bc->hsize, sizeof *bc->hash);
	if (!bc->hash) {
		free(bc);
		return -FS_ENOMEM;
	}
	bc->lru.next = bc->lru.prev = &bc->lru;
	*out = bc;
	return 0;
}

static void
buf_remove(struct bcache *bc, struct bcache_buf *b)
{
	struct bcache_buf **p = &bc->hash[hash_of(bc, b->blkno)];

	while (*p != b)
		p = &(*p)->hnext;
	*p = b->hnext;
	lru_unlink(b);
	if (b->dirty)
		bc->ndirty--;
	bc->nbufs--;
	free(b->data);
	free(b);
}

void
bcache_destroy(struct bcache *bc)
{
	while (bc->lru.next != &bc->lru)
		buf_remove(bc, bc->lru.next);
	free(bc->hash);
	free(bc);
}

static struct bcache_buf *
lookup(struct bcache *bc, uint64_t blkno)
{
	for (struct bcache_buf *b = bc->hash[hash_of(bc, blkno)]; b; b = b->hnext)
		if (b->blkno == blkno)
			return b;
	return NULL;
}

static int
write_buf(struct bcache *bc, struct bcache_buf *b)
{
	int err = bc->dev->write(bc->dev, b->blkno * bc->spb, bc->spb, b->data);

	if (err)
		return err;
	bc->writes++;
	b->dirty = false;
	bc->ndirty--;
	return 0;
}

static int
cmp_buf(const void *a, const void *b)
{
	const struct bcache_buf *x = *(struct bcache_buf *const *)a, *y = *(struct bcache_buf *const *)b;

	if (x->pass != y->pass)
		return x->pass < y->pass ? -1 : 1;
	return x->blkno < y->blkno ? -1 : x->blkno > y->blkno;
}

int
bcache_flush(struct bcache *bc)
{
	struct bcache_buf **v;
	size_t n = 0;
	int err = 0;

	if (bc->ndirty == 0)
		return bc->dev->flush(bc->dev);
	v = malloc(bc->ndirty * sizeof *v);
	if (!v)
		return -FS_ENOMEM;
	for (struct bcache_buf *b = bc->lru.next; b != &bc->lru; b = b->next)
		if (b->dirty)
			v[n++] = b;
	qsort(v, n, sizeof *v, cmp_buf);
	for (size_t i = 0; i < n && !err; i++) {
		/* A barrier between passes: the earlier pass is on the medium first. */
		if (i > 0 && v[i]->pass != v[i - 1]->pass)
			err = bc->dev->flush(bc->dev);
		if (!err)
			err = write_buf(bc, v[i]);
	}
	free(v);
	if (!err)
		err = bc->dev->flush(bc->dev);
	return err;
}

/* Make room for one more buffer: drop the least recently used clean one. */
static int
make_room(struct bcache *bc)
{
	struct bcache_buf *b;
	int err;

	if (bc->nbufs < bc->max)
		return 0;
	for (int tries = 0; tries < 2; tries++) {
		for (b = bc->lru.prev; b != &bc->lru; b = b->prev)
			if (b->refs == 0 && !b->dirty) {
				buf_remove(bc, b);
				return 0;
			}
		/* Only dirty or held buffers: write all in order, then look again. */
		err = bcache_flush(bc);
		if (err)
			return err;
	}
	return -FS_ENOMEM;	/* every buffer is held */
}

static int
get(struct bcache *bc, uint64_t blkno, bool read, struct bcache_buf **out)
{
	struct bcache_buf *b;
	int err;

	if (blkno >= bc->nblocks)
		return -FS_EIO;
	b = lookup(bc, blkno);
	if (b) {
		lru_unlink(b);
		lru_push_front(bc, b);
		if (!read) {
			/* Overwritten whole: whatever it held is gone. */
			memset(b->data, 0, bc->bsize);
		}
		b->refs++;
		*out = b;
		return 0;
	}
	err = make_room(bc);
	if (err)
		return err;
	b = calloc(1, sizeof *b);
	if (!b)
		return -FS_ENOMEM;
	b->data = read ? malloc(bc->bsize) : calloc(1, bc->bsize);
	if (!b->data) {
		free(b);
		return -FS_ENOMEM;
	}
	if (read) {
		err = bc->dev->read(bc->dev, blkno * bc->spb, bc->spb, b->data);
		if (err) {
			free(b->data);
			free(b);
			return err;
		}
		bc->reads++;
	}
	b->blkno = blkno;
	b->refs = 1;
	size_t h = hash_of(bc, blkno);
	b->hnext = bc->hash[h];
	bc->hash[h] = b;
	lru_push_front(bc, b);
	bc->nbufs++;
	*out = b;
	return 0;
}

int
bcache_get(struct bcache *bc, uint64_t blkno, struct bcache_buf **out)
{
	return get(bc, blkno, true, out);
}

int
bcache_get_zero(struct bcache *bc, uint64_t blkno, struct bcache_buf **out)
{
	return get(bc, blkno, false, out);
}

void
bcache_put(struct bcache *bc, struct bcache_buf *b)
{
	if (b)
		b->refs--;
}

int
bcache_dirty(struct bcache *bc, struct bcache_buf *b, unsigned pass)
{
	int err;

	if (pass >= BCACHE_PASSES)
		pass = BCACHE_PASSES - 1;
	if (b->dirty && b->pass == pass)
		return 0;
	if (b->dirty) {
		err = bcache_flush(bc);
		if (err)
			return err;
	}
	b->dirty = true;
	b->pass = (uint8_t)pass;
	bc->ndirty++;
	return 0;
}

void
bcache_forget(struct bcache *bc, uint64_t blkno)
{
	struct bcache_buf *b = lookup(bc, blkno);

	if (b && b->refs == 0)
		buf_remove(bc, b);
}
