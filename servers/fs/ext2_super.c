/*
 * Mounting ext2: the superblock and group descriptors are checked field by
 * field before anything uses them, so a corrupt image is refused with
 * ECORRUPT rather than read out of bounds. Also sync and unmount, which write
 * the descriptors and superblock kept in memory (ext2.h says in which order).
 */
#include <stdlib.h>
#include <string.h>
#include "ext2.h"

int64_t
ext2_now(struct ext2 *e)
{
	return e->fs.now ? e->fs.now() : 0;
}

static int
read_super(struct blkdev *dev, struct ext2_super *sb)
{
	uint32_t ss = dev->sector_size;
	uint32_t first = EXT2_SB_OFFSET / ss, count = (EXT2_SB_OFFSET % ss + 1024 + ss - 1) / ss;
	uint8_t *buf;
	int err;

	if (ss < 512 || ss > 4096 || (ss & (ss - 1)) || dev->sectors < first + count)
		return -FS_EINVAL;
	buf = malloc((size_t)count * ss);
	if (!buf)
		return -FS_ENOMEM;
	err = dev->read(dev, first, count, buf);
	if (!err)
		memcpy(sb, buf + EXT2_SB_OFFSET % ss, sizeof *sb);
	free(buf);
	return err;
}

/* Blocks in group g (the last may be short). */
static uint32_t
group_blocks(const struct ext2 *e, uint32_t g)
{
	uint32_t left = e->sb.blocks_count - e->sb.first_data_block - g * e->sb.blocks_per_group;

	return left < e->sb.blocks_per_group ? left : e->sb.blocks_per_group;
}

static int
check_super(struct ext2 *e, struct blkdev *dev)
{
	struct ext2_super *sb = &e->sb;

	if (sb->magic != EXT2_MAGIC || sb->log_block_size > 2)
		return -FS_ECORRUPT;
	e->bsize = 1024u << sb->log_block_size;
	if (e->bsize < dev->sector_size)
		return -FS_EINVAL;
	if (sb->rev_level == 0) {
		e->inode_size = 128;
		e->first_ino = 11;
	} else {
		e->inode_size = sb->inode_size;
		e->first_ino = sb->first_ino;
	}
	if (e->inode_size < 128 || e->inode_size > e->bsize || (e->inode_size & (e->inode_size - 1)))
		return -FS_ECORRUPT;
	if (sb->first_data_block != (e->bsize == 1024 ? 1u : 0u))
		return -FS_ECORRUPT;
	if (sb->blocks_per_group == 0 || sb->blocks_per_group > 8 * e->bsize ||
	    sb->inodes_per_group == 0 || sb->inodes_per_group > 8 * e->bsize)
		return -FS_ECORRUPT;
	if (sb->blocks_count <= sb->first_data_block ||
	    sb->blocks_count > dev->sectors / (e->bsize / dev->sector_size))
		return -FS_ECORRUPT;
	e->ngroups = (sb->blocks_count - sb->first_data_block + sb->blocks_per_group - 1) / sb->blocks_per_group;
	if ((uint64_t)e->ngroups * sb->inodes_per_group != sb->inodes_count)
		return -FS_ECORRUPT;
	if (e->first_ino < 11 || e->first_ino >= sb->inodes_count)
		return -FS_ECORRUPT;
	e->gdt_blocks = (uint32_t)(((uint64_t)e->ngroups * sizeof(struct ext2_group_desc) + e->bsize - 1) / e->bsize);
	if ((uint64_t)sb->first_data_block + 1 + e->gdt_blocks > sb->blocks_count)
		return -FS_ECORRUPT;
	e->itable_blocks = (uint32_t)(((uint64_t)sb->inodes_per_group * e->inode_size + e->bsize - 1) / e->bsize);
	e->ptrs = e->bsize / 4;
	if (sb->feature_incompat & ~EXT2_INCOMPAT_SUPPORTED)
		return -FS_EINVAL;
	if (sb->feature_ro_compat & ~EXT2_RO_COMPAT_SUPPORTED)
		e->fs.readonly = true;
	e->filetype = sb->feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	return 0;
}

/* Every descriptor's bitmaps and inode table lie inside its own group. */
static int
check_groups(struct ext2 *e)
{
	for (uint32_t g = 0; g < e->ngroups; g++) {
		struct ext2_group_desc *d = &e->gd[g];
		uint32_t lo = e->sb.first_data_block + g * e->sb.blocks_per_group;
		uint32_t hi = lo + group_blocks(e, g);

		if (d->block_bitmap < lo || d->block_bitmap >= hi || d->inode_bitmap < lo ||
		    d->inode_bitmap >= hi || d->inode_table < lo || d->inode_table > hi ||
		    hi - d->inode_table < e->itable_blocks)
			return -FS_ECORRUPT;
		if (d->free_blocks_count > group_blocks(e, g) || d->free_inodes_count > e->sb.inodes_per_group)
			return -FS_ECORRUPT;
	}
	return 0;
}

static int
read_groups(struct ext2 *e)
{
	size_t per = e->bsize / sizeof(struct ext2_group_desc);
	int err;

	e->gd = calloc((size_t)e->gdt_blocks * per, sizeof *e->gd);
	if (!e->gd)
		return -FS_ENOMEM;
	for (uint32_t i = 0; i < e->gdt_blocks; i++) {
		struct bcache_buf *b;

		err = bcache_get(e->bc, e->sb.first_data_block + 1 + i, &b);
		if (err)
			return err;
		memcpy(&e->gd[i * per], b->data, e->bsize);
		bcache_put(e->bc, b);
	}
	return check_groups(e);
}

static int
write_meta(struct ext2 *e)
{
	struct bcache_buf *b;
	uint32_t sbblk = EXT2_SB_OFFSET / e->bsize, sboff = EXT2_SB_OFFSET % e->bsize;
	size_t per = e->bsize / sizeof(struct ext2_group_desc);
	uint64_t fb = 0, fi = 0;
	int err;

	if (e->gd_dirty) {
		for (uint32_t i = 0; i < e->gdt_blocks; i++) {
			err = bcache_get(e->bc, e->sb.first_data_block + 1 + i, &b);
			if (err)
				return err;
			err = bcache_dirty(e->bc, b, EXT2_PASS_META);
			if (!err)
				memcpy(b->data, &e->gd[i * per], e->bsize);
			bcache_put(e->bc, b);
			if (err)
				return err;
		}
		e->gd_dirty = false;
		e->sb_dirty = true;
	}
	if (!e->sb_dirty)
		return 0;
	for (uint32_t g = 0; g < e->ngroups; g++) {
		fb += e->gd[g].free_blocks_count;
		fi += e->gd[g].free_inodes_count;
	}
	e->sb.free_blocks_count = (uint32_t)fb;
	e->sb.free_inodes_count = (uint32_t)fi;
	e->sb.wtime = (uint32_t)ext2_now(e);
	err = bcache_get(e->bc, sbblk, &b);
	if (err)
		return err;
	err = bcache_dirty(e->bc, b, EXT2_PASS_META);
	if (!err)
		memcpy(b->data + sboff, &e->sb, sizeof e->sb);
	bcache_put(e->bc, b);
	e->sb_dirty = false;
	return err;
}

int
ext2_sync(struct fs *fs)
{
	struct ext2 *e = EXT2_OF(fs);
	int err;

	if (fs->readonly)
		return 0;
	/* Everything that references the freed blocks and inodes goes first. */
	err = bcache_flush(e->bc);
	if (!err)
		err = ext2_apply_frees(e);
	if (!err)
		err = write_meta(e);
	if (!err)
		err = bcache_flush(e->bc);
	return err;
}

int
ext2_statfs(struct fs *fs, struct fs_statfs *out)
{
	struct ext2 *e = EXT2_OF(fs);
	uint64_t fb = 0, fi = 0;

	for (uint32_t g = 0; g < e->ngroups; g++) {
		fb += e->gd[g].free_blocks_count;
		fi += e->gd[g].free_inodes_count;
	}
	out->bsize = e->bsize;
	out->blocks = e->sb.blocks_count;
	out->bfree = fb;
	out->files = e->sb.inodes_count;
	out->ffree = fi;
	out->name_max = FS_NAME_MAX;
	return 0;
}

static void
destroy(struct ext2 *e)
{
	if (e->bc)
		bcache_destroy(e->bc);
	free(e->gd);
	free(e->frees);
	free(e->held);
	free(e);
}

int
ext2_unmount(struct fs *fs)
{
	struct ext2 *e = EXT2_OF(fs);
	int err = 0;

	if (!fs->readonly) {
		err = ext2_orphans_unmount(e);
		e->sb.state |= EXT2_VALID_FS;
		e->sb_dirty = true;
		if (!err)
			err = ext2_sync(fs);
	}
	destroy(e);
	return err;
}

int
ext2_mount(struct blkdev *dev, const struct fs_mount_opts *opts, struct fs **out)
{
	struct ext2 *e = calloc(1, sizeof *e);
	int err;

	if (!e)
		return -FS_ENOMEM;
	e->fs.ops = &ext2_ops;
	e->fs.type = "ext2";
	e->fs.root = EXT2_ROOT_INO;
	e->fs.readonly = opts && opts->readonly;
	e->fs.now = opts ? opts->now : NULL;
	err = read_super(dev, &e->sb);
	if (!err)
		err = check_super(e, dev);
	if (!err)
		err = bcache_create(dev, e->bsize, opts && opts->cache_blocks ? opts->cache_blocks : 256, &e->bc);
	if (!err)
		err = read_groups(e);
	if (!err && !e->fs.readonly) {
		bool unclean = !(e->sb.state & EXT2_VALID_FS);	/* a cut ended the last writable mount */

		/* Not clean while mounted: after a cut, e2fsck -p checks it. */
		e->sb.state &= (uint16_t)~EXT2_VALID_FS;
		e->sb.mnt_count++;
		e->sb.mtime = (uint32_t)ext2_now(e);
		e->sb_dirty = true;
		err = ext2_orphans_mount(e, unclean);
		if (!err)
			err = ext2_sync(&e->fs);
	}
	if (err) {
		destroy(e);
		return err;
	}
	*out = &e->fs;
	return 0;
}
