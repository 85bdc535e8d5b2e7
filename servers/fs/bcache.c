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
	b->hnext = bc->spare;	/* kept for the next block: never more than max in all */
	bc->spare = b;
}

/* A buffer for a new block: a spare one, else a new one; its bytes zeroed if asked. */
static struct bcache_buf *
buf_new(struct bcache *bc, bool zero)
{
	struct bcache_buf *b = bc->spare;
	uint8_t *data;

	if (b) {
		bc->spare = b->hnext;
		data = b->data;
		*b = (struct bcache_buf){ .data = data };
		if (zero)
			memset(data, 0, bc->bsize);
		return b;
	}
	b = calloc(1, sizeof *b);
	if (b && !(b->data = zero ? calloc(1, bc->bsize) : malloc(bc->bsize))) {
		free(b);
		b = NULL;
	}
	return b;
}

/* Gives back a buffer that never joined the cache. */
static void
buf_unused(struct bcache *bc, struct bcache_buf *b)
{
	b->hnext = bc->spare;
	bc->spare = b;
}

void
bcache_destroy(struct bcache *bc)
{
	while (bc->lru.next != &bc->lru)
		buf_remove(bc, bc->lru.next);
	while (bc->spare) {
		struct bcache_buf *b = bc->spare;

		bc->spare = b->hnext;
		free(b->data);
		free(b);
	}
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

static void
written(struct bcache *bc, struct bcache_buf *b)
{
	bc->writes++;
	b->dirty = false;
	bc->ndirty--;
}

/* Writes v[0..n), adjacent blocks of one pass, in one device request when it can. */
static int
write_run(struct bcache *bc, struct bcache_buf **v, size_t n)
{
	const void **data = bc->run_wdata;
	int err = 0;

	if (n > 1 && bc->dev->writev) {
		for (size_t i = 0; i < n; i++)
			data[i] = v[i]->data;
		err = bc->dev->writev(bc->dev, v[0]->blkno * bc->spb, (uint32_t)(n * bc->spb), data, bc->bsize);
		bc->write_reqs++;
		for (size_t i = 0; i < n && !err; i++)
			written(bc, v[i]);
		return err;
	}
	for (size_t i = 0; i < n && !err; i++) {
		err = bc->dev->write(bc->dev, v[i]->blkno * bc->spb, bc->spb, v[i]->data);
		bc->write_reqs++;
		if (!err)
			written(bc, v[i]);
	}
	return err;
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
	for (size_t i = 0, j; i < n && !err; i = j) {
		/* A barrier between passes: the earlier pass is on the medium first. */
		if (i > 0 && v[i]->pass != v[i - 1]->pass)
			err = bc->dev->flush(bc->dev);
		/* Within a pass the order does not matter: adjacent blocks go as one run. */
		for (j = i + 1; j < n && (j - i) * bc->bsize < BCACHE_RUN_BYTES && v[j]->pass == v[i]->pass &&
				v[j]->blkno == v[j - 1]->blkno + 1;
		     j++)
			;
		if (!err)
			err = write_run(bc, v + i, j - i);
	}
	free(v);
	if (!err)
		err = bc->dev->flush(bc->dev);
	return err;
}

/* Make room for n more buffers: drop the least recently used clean ones. */
static int
make_room(struct bcache *bc, size_t n)
{
	struct bcache_buf *b, *prev;
	int err;

	for (int tries = 0; tries < 2; tries++) {
		for (b = bc->lru.prev; b != &bc->lru && bc->nbufs + n > bc->max; b = prev) {
			prev = b->prev;
			if (b->refs == 0 && !b->dirty)
				buf_remove(bc, b);
		}
		if (bc->nbufs + n <= bc->max)
			return 0;
		/* Only dirty or held buffers: write all in order, then look again. */
		err = bcache_flush(bc);
		if (err)
			return err;
	}
	return -FS_ENOMEM;	/* every buffer is held */
}

/* A new buffer joins the hash and the LRU list's front. */
static void
insert(struct bcache *bc, struct bcache_buf *b)
{
	size_t h = hash_of(bc, b->blkno);

	b->hnext = bc->hash[h];
	bc->hash[h] = b;
	lru_push_front(bc, b);
	bc->nbufs++;
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
	err = make_room(bc, 1);
	if (err)
		return err;
	b = buf_new(bc, !read);
	if (!b)
		return -FS_ENOMEM;
	if (read) {
		err = bc->dev->read(bc->dev, blkno * bc->spb, bc->spb, b->data);
		if (err) {
			buf_unused(bc, b);
			return err;
		}
		bc->reads++;
		bc->read_reqs++;
	}
	b->blkno = blkno;
	b->refs = 1;
	insert(bc, b);
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

bool
bcache_cached(struct bcache *bc, uint64_t blkno)
{
	return lookup(bc, blkno) != NULL;
}

size_t
bcache_run_max(const struct bcache *bc)
{
	/* read-ahead must not push out what is being read */
	size_t most = BCACHE_RUN_BYTES / bc->bsize;

	return bc->max / 4 < most ? bc->max / 4 : most;
}

int
bcache_read_direct(struct bcache *bc, uint64_t first, size_t n, void *buf)
{
	uint8_t *dst = buf;
	int err;

	if (first >= bc->nblocks || n > bc->nblocks - first)
		return -FS_EIO;
	err = bc->dev->read(bc->dev, first * bc->spb, (uint32_t)(n * bc->spb), buf);
	bc->read_reqs++;
	if (err)
		return err;
	bc->reads += n;
	/* The cache's copy is the newer one (it may be dirty). */
	for (size_t i = 0; i < n; i++) {
		struct bcache_buf *b = lookup(bc, first + i);

		if (b)
			memcpy(dst + i * bc->bsize, b->data, bc->bsize);
	}
	return 0;
}

int
bcache_read_run(struct bcache *bc, uint64_t first, size_t n)
{
	struct bcache_buf **v = bc->run_bufs;
	void **data = bc->run_data;
	size_t k;
	int err = 0;

	if (n > bcache_run_max(bc))
		n = bcache_run_max(bc);
	if (first >= bc->nblocks)
		return -FS_EIO;
	if (n > bc->nblocks - first)
		n = (size_t)(bc->nblocks - first);
	for (k = 0; k < n && !lookup(bc, first + k); k++)
		;
	n = k;
	if (n == 0)
		return 0;
	err = make_room(bc, n);
	if (err)
		return err;
	for (k = 0; k < n; k++) {
		if (!(v[k] = buf_new(bc, false))) {
			err = -FS_ENOMEM;
			break;
		}
		data[k] = v[k]->data;
	}
	if (!err && n > 1 && bc->dev->readv) {
		err = bc->dev->readv(bc->dev, first * bc->spb, (uint32_t)(n * bc->spb), data, bc->bsize);
		bc->read_reqs++;
	} else {
		for (size_t i = 0; i < k && !err; i++) {
			err = bc->dev->read(bc->dev, (first + i) * bc->spb, bc->spb, data[i]);
			bc->read_reqs++;
		}
	}
	for (size_t i = 0; i < k; i++) {
		if (err) {
			buf_unused(bc, v[i]);
			continue;
		}
		v[i]->blkno = first + i;
		insert(bc, v[i]);
		bc->reads++;
	}
	return err;
}
