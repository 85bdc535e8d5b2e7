/*
 * ext2 inodes: reading and writing them in the inode tables, the block map
 * (12 direct blocks, then single, double and triple indirect blocks), file
 * data through the buffer cache, and freeing blocks past a size. Every block
 * number read from disk is checked before it is followed.
 */
#include <string.h>
#include "ext2.h"

static int
locate(struct ext2 *e, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	uint32_t g, byte;

	if (ino == 0 || ino > e->sb.inodes_count)
		return -FS_ECORRUPT;
	g = (ino - 1) / e->sb.inodes_per_group;
	byte = ((ino - 1) % e->sb.inodes_per_group) * e->inode_size;
	*blk = e->gd[g].inode_table + byte / e->bsize;
	*off = byte % e->bsize;
	return 0;
}

int
ext2_inode_read(struct ext2 *e, uint32_t ino, struct ext2_inode *out)
{
	struct bcache_buf *b;
	uint32_t blk, off;
	int err = locate(e, ino, &blk, &off);

	if (!err)
		err = bcache_get(e->bc, blk, &b);
	if (err)
		return err;
	memcpy(out, b->data + off, sizeof *out);
	bcache_put(e->bc, b);
	return 0;
}

/* Writes the first 128 bytes; with whole, the rest of a large inode too. */
static int
inode_put(struct ext2 *e, uint32_t ino, const struct ext2_inode *in, unsigned pass, bool whole)
{
	struct bcache_buf *b;
	uint32_t blk, off;
	int err = locate(e, ino, &blk, &off);

	if (!err)
		err = bcache_get(e->bc, blk, &b);
	if (err)
		return err;
	err = bcache_dirty(e->bc, b, pass);
	if (!err) {
		if (whole && e->inode_size > sizeof *in) {
			uint16_t extra = e->sb.want_extra_isize;

			memset(b->data + off, 0, e->inode_size);
			/* i_extra_isize: what the file system wants, if it fits. */
			if (extra % 4 || extra > e->inode_size - sizeof *in)
				extra = 0;
			memcpy(b->data + off + sizeof *in, &extra, sizeof extra);
		}
		memcpy(b->data + off, in, sizeof *in);
	}
	bcache_put(e->bc, b);
	return err;
}

int
ext2_inode_write(struct ext2 *e, uint32_t ino, const struct ext2_inode *in, unsigned pass)
{
	return inode_put(e, ino, in, pass, false);
}

int
ext2_inode_init(struct ext2 *e, uint32_t ino, const struct ext2_inode *in)
{
	return inode_put(e, ino, in, EXT2_PASS_INODE, true);
}

uint64_t
ext2_isize(const struct ext2_inode *in)
{
	uint64_t s = in->size;

	if (FS_ISREG(in->mode))
		s |= (uint64_t)in->size_high << 32;
	return s;
}

void
ext2_set_isize(struct ext2 *e, struct ext2_inode *in, uint64_t size)
{
	in->size = (uint32_t)size;
	if (FS_ISREG(in->mode))
		in->size_high = (uint32_t)(size >> 32);
	if (size >= 0x80000000u && !(e->sb.feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE)) {
		e->sb.feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE;
		e->sb_dirty = true;
	}
}

uint64_t
ext2_max_size(const struct ext2 *e)
{
	uint64_t p = e->ptrs, blocks = EXT2_NDIR + p + p * p + p * p * p;
	uint64_t lim = blocks * e->bsize;

	/* i_blocks counts 512-byte units in 32 bits, indirect blocks included. */
	if (lim > (1ull << 40))
		lim = 1ull << 40;
	return lim;
}

bool
ext2_fast_symlink(const struct ext2 *e, const struct ext2_inode *in)
{
	uint32_t ea = in->file_acl ? e->bsize / 512 : 0;

	return FS_ISLNK(in->mode) && in->blocks == ea;
}

static int
alloc_block(struct ext2 *e, struct ext2_inode *in, bool zero, uint32_t *out)
{
	struct bcache_buf *b;
	int err = ext2_block_alloc(e, e->alloc_hint, out);

	if (err)
		return err;
	e->alloc_hint = *out + 1;
	in->blocks += e->bsize / 512;
	if (!zero)
		return 0;
	/* A new indirect block: zeroes on disk before anything points at it. */
	err = bcache_get_zero(e->bc, *out, &b);
	if (!err) {
		err = bcache_dirty(e->bc, b, EXT2_PASS_DATA);
		bcache_put(e->bc, b);
	}
	return err;
}

int
ext2_bmap(struct ext2 *e, struct ext2_inode *in, uint64_t lblk, bool alloc, uint32_t *out, bool *fresh)
{
	uint64_t p = e->ptrs, span = 1;
	uint32_t *slot, cur;
	int depth, err;

	*fresh = false;
	if (lblk < EXT2_NDIR) {
		slot = &in->block[lblk];
		depth = 0;
	} else if ((lblk -= EXT2_NDIR) < p) {
		slot = &in->block[12];
		depth = 1;
	} else if ((lblk -= p) < p * p) {
		slot = &in->block[13];
		depth = 2;
	} else if ((lblk -= p * p) < p * p * p) {
		slot = &in->block[14];
		depth = 3;
	} else {
		return -FS_EFBIG;
	}
	for (int d = 1; d < depth; d++)
		span *= p;
	cur = *slot;
	if (cur == 0) {
		if (!alloc) {
			*out = 0;
			return 0;
		}
		err = alloc_block(e, in, depth > 0, &cur);
		if (err)
			return err;
		*slot = cur;
		*fresh = depth == 0;
	} else if (!ext2_block_ok(e, cur)) {
		return -FS_ECORRUPT;
	}
	for (int d = depth; d > 0; d--, span /= p) {
		struct bcache_buf *b;
		uint32_t idx = (uint32_t)(lblk / span % p), next;

		err = bcache_get(e->bc, cur, &b);
		if (err)
			return err;
		memcpy(&next, b->data + idx * 4, 4);
		if (next == 0 && alloc) {
			err = alloc_block(e, in, d > 1, &next);
			if (!err)
				err = bcache_dirty(e->bc, b, EXT2_PASS_DATA);
			if (!err)
				memcpy(b->data + idx * 4, &next, 4);
			*fresh = d == 1;
		} else if (next != 0 && !ext2_block_ok(e, next)) {
			err = -FS_ECORRUPT;
		}
		bcache_put(e->bc, b);
		if (err)
			return err;
		if (next == 0) {
			*out = 0;
			return 0;
		}
		cur = next;
	}
	*out = cur;
	return 0;
}

int
ext2_bmap_run(struct ext2 *e, struct ext2_inode *in, uint64_t lblk, uint32_t max, uint32_t *out, uint32_t *count)
{
	uint64_t p = e->ptrs, rel = lblk, span = 1;
	uint32_t first, cur, n = 1, next;
	struct bcache_buf *b = NULL;
	bool fresh;
	int depth, err = ext2_bmap(e, in, lblk, false, &first, &fresh);

	if (err)
		return err;
	if (first != 0 && lblk < EXT2_NDIR) {
		while (n < max && lblk + n < EXT2_NDIR && in->block[lblk + n] == first + n &&
		       ext2_block_ok(e, first + n))
			n++;
	} else if (first != 0) {
		/* the leaf indirect block holding lblk's entry (ext2_bmap checked the way down) */
		if ((rel -= EXT2_NDIR) < p) {
			cur = in->block[12], depth = 1;
		} else if ((rel -= p) < p * p) {
			cur = in->block[13], depth = 2;
		} else {
			rel -= p * p;
			cur = in->block[14], depth = 3;
		}
		for (int d = 1; d < depth; d++)
			span *= p;
		for (int d = depth; d > 0 && !err; d--, span /= p) {
			err = bcache_get(e->bc, cur, &b);
			if (!err && d > 1) {
				memcpy(&cur, b->data + (rel / span % p) * 4, 4);
				bcache_put(e->bc, b);
				b = NULL;
			}
		}
		if (err)
			return err;
		for (uint32_t i = (uint32_t)(rel % p) + 1; n < max && i < p; i++, n++) {
			memcpy(&next, b->data + i * 4, 4);
			if (next != first + n || !ext2_block_ok(e, next))
				break;
		}
		bcache_put(e->bc, b);
	}
	*out = first;
	*count = n;
	return 0;
}

static void
drop_blocks(struct ext2 *e, struct ext2_inode *in)
{
	uint32_t n = e->bsize / 512;

	in->blocks = in->blocks > n ? in->blocks - n : 0;
}

/*
 * Frees the blocks of the subtree at *slot (depth levels of indirection, its
 * first logical block base) whose logical blocks are at or past first, and
 * the indirect blocks left empty. *slot is in the inode or in a held buffer.
 */
static int
free_tree(struct ext2 *e, struct ext2_inode *in, uint32_t *slot, int depth, uint64_t base, uint64_t span,
	  uint64_t first, struct bcache_buf *holder)
{
	uint32_t blk = *slot;
	struct bcache_buf *b;
	bool empty = true;
	int err;

	if (!ext2_block_ok(e, blk))
		return -FS_ECORRUPT;
	if (depth > 0) {
		uint64_t cspan = span / e->ptrs;

		err = bcache_get(e->bc, blk, &b);
		if (err)
			return err;
		for (uint32_t i = 0; i < e->ptrs && !err; i++) {
			uint64_t cbase = base + i * cspan;
			uint32_t *cslot = (uint32_t *)(b->data + i * 4);

			if (*cslot == 0)
				continue;
			if (cbase + cspan <= first) {
				empty = false;
				continue;
			}
			err = free_tree(e, in, cslot, depth - 1, cbase, cspan, first, b);
		}
		bcache_put(e->bc, b);
		if (err)
			return err;
		if (!empty)
			return 0;
	}
	err = ext2_block_free(e, blk);
	if (err)
		return err;
	drop_blocks(e, in);
	if (holder) {
		err = bcache_dirty(e->bc, holder, EXT2_PASS_DATA);
		if (err)
			return err;
	}
	*slot = 0;
	return 0;
}

int
ext2_free_from(struct ext2 *e, struct ext2_inode *in, uint64_t first)
{
	uint64_t p = e->ptrs, base = EXT2_NDIR, span = p;
	int err;

	for (uint32_t i = 0; i < EXT2_NDIR; i++) {
		if (i < first || in->block[i] == 0)
			continue;
		err = ext2_block_free(e, in->block[i]);
		if (err)
			return err;
		drop_blocks(e, in);
		in->block[i] = 0;
	}
	for (int level = 1; level <= 3; level++) {
		if (in->block[11 + level] && first < base + span) {
			err = free_tree(e, in, &in->block[11 + level], level, base, span, first, NULL);
			if (err)
				return err;
		}
		base += span;
		span *= p;
	}
	return 0;
}

int
ext2_data_read(struct ext2 *e, struct ext2_inode *in, uint64_t off, void *buf, size_t n)
{
	uint8_t *dst = buf;
	uint32_t run = 0, pblk = 0;	/* the disk blocks of the next `run` logical blocks follow pblk */

	while (n > 0) {
		uint32_t boff = (uint32_t)(off % e->bsize), chunk = e->bsize - boff;
		struct bcache_buf *b;
		int err;

		if (chunk > n)
			chunk = (uint32_t)n;
		if (run == 0) {
			uint64_t left = (boff + n + e->bsize - 1) / e->bsize;

			err = ext2_bmap_run(e, in, off / e->bsize, left < BCACHE_RUN_MAX ? (uint32_t)left : BCACHE_RUN_MAX,
					    &pblk, &run);
			if (err)
				return err;
		} else if (pblk != 0) {
			pblk++;
		}
		run--;
		if (pblk == 0) {
			memset(dst, 0, chunk);	/* a hole */
		} else {
			err = bcache_get(e->bc, pblk, &b);
			if (err)
				return err;
			memcpy(dst, b->data + boff, chunk);
			bcache_put(e->bc, b);
		}
		dst += chunk;
		off += chunk;
		n -= chunk;
	}
	return 0;
}

/* Writes into the file's blocks, filling holes; the caller sets the size and
 * writes the inode (also after an error: blocks may have been allocated). */
int
ext2_data_write(struct ext2 *e, struct ext2_inode *in, uint64_t off, const void *buf, size_t n, unsigned pass)
{
	const uint8_t *src = buf;

	while (n > 0) {
		uint32_t boff = (uint32_t)(off % e->bsize), chunk = e->bsize - boff, pblk;
		struct bcache_buf *b;
		bool fresh;
		int err;

		if (chunk > n)
			chunk = (uint32_t)n;
		err = ext2_bmap(e, in, off / e->bsize, true, &pblk, &fresh);
		if (err)
			return err;
		if (fresh || chunk == e->bsize)
			err = bcache_get_zero(e->bc, pblk, &b);
		else
			err = bcache_get(e->bc, pblk, &b);
		if (err)
			return err;
		err = bcache_dirty(e->bc, b, pass);
		if (!err)
			memcpy(b->data + boff, src, chunk);
		bcache_put(e->bc, b);
		if (err)
			return err;
		src += chunk;
		off += chunk;
		n -= chunk;
	}
	return 0;
}

/* Drops one reference to an extended-attribute block, freeing it with the last. */
static int
release_xattr(struct ext2 *e, struct ext2_inode *in)
{
	struct bcache_buf *b;
	uint32_t magic, refs;
	int err;

	if (!ext2_block_ok(e, in->file_acl))
		return -FS_ECORRUPT;
	err = bcache_get(e->bc, in->file_acl, &b);
	if (err)
		return err;
	memcpy(&magic, b->data, 4);
	memcpy(&refs, b->data + 4, 4);
	if (magic != EXT2_XATTR_MAGIC) {
		err = -FS_ECORRUPT;
	} else if (refs > 1) {
		refs--;
		err = bcache_dirty(e->bc, b, EXT2_PASS_DATA);
		if (!err)
			memcpy(b->data + 4, &refs, 4);
	} else {
		err = ext2_block_free(e, in->file_acl);
	}
	bcache_put(e->bc, b);
	if (!err) {
		drop_blocks(e, in);
		in->file_acl = 0;
	}
	return err;
}

/* The last link went: free the blocks and the inode (ext2.h, crash order). */
int
ext2_release(struct ext2 *e, uint32_t ino, struct ext2_inode *in)
{
	uint32_t type = in->mode & FS_S_IFMT;
	int err = 0;

	if (type == FS_S_IFREG || type == FS_S_IFDIR || (type == FS_S_IFLNK && !ext2_fast_symlink(e, in)))
		err = ext2_free_from(e, in, 0);
	if (!err && in->file_acl)
		err = release_xattr(e, in);
	in->links_count = 0;
	in->dtime = (uint32_t)ext2_now(e);
	if (in->dtime == 0)
		in->dtime = 1;	/* a deleted inode needs a dtime */
	ext2_set_isize(e, in, 0);
	if (!err)
		err = ext2_inode_write(e, ino, in, EXT2_PASS_GONE);
	if (!err)
		err = ext2_inode_free(e, ino, type == FS_S_IFDIR);
	return err;
}
