/*
 * ext2's block and inode bitmaps. Allocation sets a bit at once (written in
 * the first pass of a sync, before anything points at the block); a free is
 * only recorded, and reaches the bitmap at the next sync once everything that
 * referred to the block or inode is on disk (ext2.h, crash order).
 */
#include <stdlib.h>
#include "ext2.h"

static uint32_t
group_blocks(const struct ext2 *e, uint32_t g)
{
	uint32_t left = e->sb.blocks_count - e->sb.first_data_block - g * e->sb.blocks_per_group;

	return left < e->sb.blocks_per_group ? left : e->sb.blocks_per_group;
}

/* Finds a clear bit below limit from start, sets it; -1 when none. */
static int64_t
take_bit(struct ext2 *e, struct bcache_buf *b, uint32_t start, uint32_t limit)
{
	for (uint32_t n = 0; n < limit; n++) {
		uint32_t i = (start + n) % limit;

		if (!(b->data[i / 8] & (1u << (i % 8)))) {
			if (bcache_dirty(e->bc, b, EXT2_PASS_DATA))
				return -2;
			b->data[i / 8] |= (uint8_t)(1u << (i % 8));
			return i;
		}
	}
	return -1;
}

/* The block is a group's bitmap or inode table: the bitmap lied. */
static bool
is_group_meta(const struct ext2 *e, uint32_t g, uint32_t blk)
{
	const struct ext2_group_desc *d = &e->gd[g];

	return blk == d->block_bitmap || blk == d->inode_bitmap ||
	       (blk >= d->inode_table && blk - d->inode_table < e->itable_blocks);
}

static int
block_alloc_once(struct ext2 *e, uint32_t goal, uint32_t *out)
{
	uint32_t bpg = e->sb.blocks_per_group, g0 = 0, start = 0;
	struct bcache_buf *b;
	int err;

	if (ext2_block_ok(e, goal)) {
		g0 = (goal - e->sb.first_data_block) / bpg;
		start = (goal - e->sb.first_data_block) % bpg;
	}
	for (uint32_t n = 0; n < e->ngroups; n++) {
		uint32_t g = (g0 + n) % e->ngroups;
		int64_t bit;

		if (e->gd[g].free_blocks_count == 0)
			continue;
		err = bcache_get(e->bc, e->gd[g].block_bitmap, &b);
		if (err)
			return err;
		bit = take_bit(e, b, n == 0 ? start : 0, group_blocks(e, g));
		bcache_put(e->bc, b);
		if (bit == -2)
			return -FS_EIO;
		if (bit < 0)
			continue;
		uint32_t blk = e->sb.first_data_block + g * bpg + (uint32_t)bit;
		if (is_group_meta(e, g, blk))
			return -FS_ECORRUPT;
		e->gd[g].free_blocks_count--;
		e->gd_dirty = true;
		*out = blk;
		return 0;
	}
	return -FS_ENOSPC;
}

int
ext2_block_alloc(struct ext2 *e, uint32_t goal, uint32_t *out)
{
	int err = block_alloc_once(e, goal, out);

	/* Blocks freed since the last sync become usable once it is done. */
	if (err == -FS_ENOSPC && e->nfrees > 0) {
		err = ext2_sync(&e->fs);
		if (!err)
			err = block_alloc_once(e, goal, out);
	}
	return err;
}

static int
record_free(struct ext2 *e, uint32_t start, bool inode, bool dir)
{
	struct ext2_free *last = e->nfrees ? &e->frees[e->nfrees - 1] : NULL;

	if (!inode && last && !last->inode && last->start + last->count == start) {
		last->count++;
		return 0;
	}
	if (e->nfrees == e->frees_cap) {
		size_t cap = e->frees_cap ? e->frees_cap * 2 : 64;
		struct ext2_free *v = realloc(e->frees, cap * sizeof *v);

		if (!v)
			return -FS_ENOMEM;
		e->frees = v;
		e->frees_cap = cap;
	}
	e->frees[e->nfrees++] = (struct ext2_free){ start, 1, inode, dir };
	return 0;
}

int
ext2_block_free(struct ext2 *e, uint32_t blk)
{
	if (!ext2_block_ok(e, blk))
		return -FS_ECORRUPT;
	return record_free(e, blk, false, false);
}

int
ext2_inode_alloc(struct ext2 *e, uint32_t g0, bool dir, uint32_t *out)
{
	uint32_t ipg = e->sb.inodes_per_group;
	struct bcache_buf *b;
	int err;

	if (g0 >= e->ngroups)
		g0 = 0;
	for (uint32_t n = 0; n < e->ngroups; n++) {
		uint32_t g = (g0 + n) % e->ngroups;
		int64_t bit;

		if (e->gd[g].free_inodes_count == 0)
			continue;
		err = bcache_get(e->bc, e->gd[g].inode_bitmap, &b);
		if (err)
			return err;
		/* Inodes below first_ino are reserved: start past them in group 0. */
		uint32_t start = g == 0 ? e->first_ino - 1 : 0;
		bit = start < ipg ? take_bit(e, b, start, ipg) : -1;
		bcache_put(e->bc, b);
		if (bit == -2)
			return -FS_EIO;
		if (bit < 0 || (g == 0 && (uint32_t)bit < e->first_ino - 1))
			continue;
		e->gd[g].free_inodes_count--;
		if (dir)
			e->gd[g].used_dirs_count++;
		e->gd_dirty = true;
		*out = g * ipg + (uint32_t)bit + 1;
		return 0;
	}
	return -FS_ENOSPC;
}

int
ext2_inode_free(struct ext2 *e, uint32_t ino, bool dir)
{
	if (ino < e->first_ino || ino > e->sb.inodes_count)
		return -FS_ECORRUPT;
	return record_free(e, ino, true, dir);
}

static int
clear_bit(struct ext2 *e, uint32_t bitmap, uint32_t bit, bool *was_set)
{
	struct bcache_buf *b;
	int err = bcache_get(e->bc, bitmap, &b);

	if (err)
		return err;
	*was_set = b->data[bit / 8] & (1u << (bit % 8));
	if (*was_set) {
		err = bcache_dirty(e->bc, b, EXT2_PASS_DATA);
		if (!err)
			b->data[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
	bcache_put(e->bc, b);
	return err;
}

int
ext2_apply_frees(struct ext2 *e)
{
	uint32_t bpg = e->sb.blocks_per_group, ipg = e->sb.inodes_per_group;
	bool was;
	int err;

	for (size_t i = 0; i < e->nfrees; i++) {
		struct ext2_free *f = &e->frees[i];

		if (f->inode) {
			uint32_t g = (f->start - 1) / ipg;

			err = clear_bit(e, e->gd[g].inode_bitmap, (f->start - 1) % ipg, &was);
			if (err)
				return err;
			if (was) {
				e->gd[g].free_inodes_count++;
				if (f->dir && e->gd[g].used_dirs_count)
					e->gd[g].used_dirs_count--;
			}
			e->gd_dirty = true;
			continue;
		}
		for (uint32_t k = 0; k < f->count; k++) {
			uint32_t rel = f->start + k - e->sb.first_data_block;

			err = clear_bit(e, e->gd[rel / bpg].block_bitmap, rel % bpg, &was);
			if (err)
				return err;
			if (was)
				e->gd[rel / bpg].free_blocks_count++;
			e->gd_dirty = true;
		}
	}
	e->nfrees = 0;
	return 0;
}
