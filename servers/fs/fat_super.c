/*
 * Mounting FAT: the boot sector's fields are checked before use and the
 * type follows from the cluster count, as the specification says. Also the
 * allocation table (12-bit entries may straddle two sectors), cluster chains
 * (never followed further than there are clusters), FSInfo and sync.
 */
#include <stdlib.h>
#include <string.h>
#include "fat.h"

int64_t
fat_now(struct fat *f)
{
	return f->fs.now ? f->fs.now() : 0;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t
fat_cluster_sector(const struct fat *f, uint32_t c)
{
	return f->data_sector + (c - 2) * f->spc;
}

/* A byte of table t at byte offset off. */
static int
table_byte(struct fat *f, uint32_t t, uint32_t off, struct bcache_buf **b, uint32_t *in)
{
	*in = off % f->bps;
	return bcache_get(f->bc, f->rsvd + t * f->fatsz + off / f->bps, b);
}

static uint32_t
entry_offset(const struct fat *f, uint32_t c)
{
	return f->bits == 12 ? c + c / 2 : c * (uint32_t)(f->bits / 8);
}

int
fat_get(struct fat *f, uint32_t c, uint32_t *next)
{
	uint32_t off = entry_offset(f, c), v = 0, in;
	int nbytes = f->bits == 12 ? 2 : f->bits / 8;

	if (c < 2 || c > f->nclusters + 1)
		return -FS_ECORRUPT;
	if (f->bits != 12) {
		/* 16- and 32-bit entries never straddle two sectors: one lookup. */
		struct bcache_buf *b;
		int err = table_byte(f, f->active_fat, off, &b, &in);

		if (err)
			return err;
		v = f->bits == 16 ? le16(b->data + in) : le32(b->data + in);
		bcache_put(f->bc, b);
	}
	for (int i = 0; f->bits == 12 && i < nbytes; i++) {
		struct bcache_buf *b;
		int err = table_byte(f, f->active_fat, off + (uint32_t)i, &b, &in);

		if (err)
			return err;
		v |= (uint32_t)b->data[in] << (8 * i);
		bcache_put(f->bc, b);
	}
	if (f->bits == 12)
		v = c & 1 ? v >> 4 : v & 0xFFF;
	else if (f->bits == 32)
		v &= 0x0FFFFFFF;
	if (v == 0) {
		*next = 0;
		return 0;
	}
	uint32_t eoc = f->bits == 12 ? 0xFF8 : f->bits == 16 ? 0xFFF8 : 0x0FFFFFF8;
	if (v >= eoc) {
		*next = FAT_EOC;
		return 0;
	}
	if (v < 2 || v > f->nclusters + 1)
		return -FS_ECORRUPT;	/* a bad-cluster mark, or out of range */
	*next = v;
	return 0;
}

int
fat_set(struct fat *f, uint32_t c, uint32_t next)
{
	uint32_t off = entry_offset(f, c), in;
	int nbytes = f->bits == 12 ? 2 : f->bits / 8;

	if (c < 2 || c > f->nclusters + 1)
		return -FS_ECORRUPT;
	/*
	 * A walk (fat_chain_seek) read the entries before its c, never c's own,
	 * and none that was free (0 inside a chain ends it with ECORRUPT).
	 */
	uint32_t old;
	if (fat_get(f, c, &old) != 0 || old != 0)
		for (int i = 0; i < FAT_WALKS; i++)
			if (f->walks[i].c != c || next == 0)
				f->walks[i].start = 0;
	if (next == FAT_EOC)
		next = f->bits == 12 ? 0xFFF : f->bits == 16 ? 0xFFFF : 0x0FFFFFFF;
	for (uint32_t t = 0; t < f->nfats; t++) {
		if (!f->mirror && t != f->active_fat)
			continue;
		if (f->bits != 12) {
			/* One sector holds the whole entry; FAT32's top four bits are kept. */
			struct bcache_buf *b;
			int err = table_byte(f, t, off, &b, &in);

			if (err)
				return err;
			err = bcache_dirty(f->bc, b, FAT_PASS_TABLE);
			if (!err && f->bits == 16) {
				b->data[in] = (uint8_t)next;
				b->data[in + 1] = (uint8_t)(next >> 8);
			} else if (!err) {
				uint32_t v = (le32(b->data + in) & 0xF0000000u) | (next & 0x0FFFFFFFu);
				b->data[in] = (uint8_t)v;
				b->data[in + 1] = (uint8_t)(v >> 8);
				b->data[in + 2] = (uint8_t)(v >> 16);
				b->data[in + 3] = (uint8_t)(v >> 24);
			}
			bcache_put(f->bc, b);
			if (err)
				return err;
			continue;
		}
		for (int i = 0; i < nbytes; i++) {
			struct bcache_buf *b;
			uint32_t mask = 0xFF, val = next;
			int err = table_byte(f, t, off + (uint32_t)i, &b, &in);

			if (err)
				return err;
			if (f->bits == 12) {
				/* Odd entries hold the high 12 bits of their 16, even ones the low 12. */
				uint32_t sh = c & 1 ? 4 : 0;
				uint32_t m16 = 0xFFFu << sh, v16 = (next & 0xFFF) << sh;
				mask = (m16 >> (8 * i)) & 0xFF;
				val = v16 >> (8 * i);
			} else if (f->bits == 32 && i == 3) {
				mask = 0x0F;	/* the top four bits are reserved: keep them */
				val = next >> 24;
			} else {
				val = next >> (8 * i);
			}
			err = bcache_dirty(f->bc, b, FAT_PASS_TABLE);
			if (!err)
				b->data[in] = (uint8_t)((b->data[in] & ~mask) | (val & mask));
			bcache_put(f->bc, b);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Takes a free cluster, ends a chain with it (after prev, if not 0). */
int
fat_alloc(struct fat *f, uint32_t prev, bool zero, uint32_t *out)
{
	uint32_t c = 0, v;
	int err;

	if (f->free_count == 0 && f->nfrees > 0) {
		/* Clusters freed since the last sync become usable once it is done. */
		err = fat_sync(&f->fs);
		if (err)
			return err;
	}
	if (f->free_count == 0)
		return -FS_ENOSPC;
	for (uint32_t n = 0; n < f->nclusters; n++) {
		uint32_t cand = 2 + (f->next_free - 2 + n) % f->nclusters;

		err = fat_get(f, cand, &v);
		if (err == -FS_ECORRUPT)
			continue;	/* a bad-cluster mark: not free */
		if (err)
			return err;
		if (v == 0) {
			c = cand;
			break;
		}
	}
	if (c == 0)
		return -FS_ENOSPC;
	if (zero) {
		/* A directory's new cluster: zeroes (end of directory) before it is linked. */
		for (uint32_t s = 0; s < f->spc; s++) {
			struct bcache_buf *b;

			err = bcache_get_zero(f->bc, fat_cluster_sector(f, c) + s, &b);
			if (!err) {
				err = bcache_dirty(f->bc, b, FAT_PASS_DATA);
				bcache_put(f->bc, b);
			}
			if (err)
				return err;
		}
	}
	err = fat_set(f, c, FAT_EOC);
	if (!err && prev)
		err = fat_set(f, prev, c);
	if (err)
		return err;
	/* A walk that ended at prev goes on to c: a file written in order never
	 * walks its chain from the start again. */
	for (int i = 0; prev && i < FAT_WALKS; i++)
		if (f->walks[i].start && f->walks[i].c == prev) {
			f->walks[i].n++;
			f->walks[i].c = c;
		}
	f->free_count--;
	f->next_free = c + 1 > f->nclusters + 1 ? 2 : c + 1;
	f->info_dirty = true;
	*out = c;
	return 0;
}

int
fat_free_chain(struct fat *f, uint32_t c)
{
	for (uint32_t n = 0; c != 0 && c != FAT_EOC; n++) {
		uint32_t next;
		int err;

		if (n > f->nclusters)
			return -FS_ECORRUPT;	/* a loop */
		err = fat_get(f, c, &next);
		if (err)
			return err;
		if (f->nfrees == f->frees_cap) {
			size_t cap = f->frees_cap ? f->frees_cap * 2 : 256;
			uint32_t *v = realloc(f->frees, cap * sizeof *v);

			if (!v)
				return -FS_ENOMEM;
			f->frees = v;
			f->frees_cap = cap;
		}
		f->frees[f->nfrees++] = c;
		c = next;
	}
	return 0;
}

int
fat_apply_frees(struct fat *f)
{
	for (size_t i = 0; i < f->nfrees; i++) {
		uint32_t v;
		int err = fat_get(f, f->frees[i], &v);

		if (err == -FS_ECORRUPT)
			continue;
		if (!err && v != 0) {	/* a corrupt image may list a cluster twice */
			err = fat_set(f, f->frees[i], 0);
			if (!err) {
				f->free_count++;
				f->info_dirty = true;
			}
		}
		if (err)
			return err;
	}
	f->nfrees = 0;
	return 0;
}

static int
check_boot(struct fat *f, const uint8_t *bs, struct blkdev *dev)
{
	uint32_t totsec, fatsz, root_sectors;

	f->bps = le16(bs + BPB_BYTES_PER_SEC);
	f->spc = bs[BPB_SEC_PER_CLUS];
	f->rsvd = le16(bs + BPB_RSVD_SEC);
	f->nfats = bs[BPB_NUM_FATS];
	f->root_entries = le16(bs + BPB_ROOT_ENT);
	totsec = le16(bs + BPB_TOT_SEC16) ? le16(bs + BPB_TOT_SEC16) : le32(bs + BPB_TOT_SEC32);
	fatsz = le16(bs + BPB_FATSZ16) ? le16(bs + BPB_FATSZ16) : le32(bs + BPB_FATSZ32);
	if (bs[510] != 0x55 || bs[511] != 0xAA)
		return -FS_EINVAL;
	if (f->bps < 512 || f->bps > 4096 || (f->bps & (f->bps - 1)) || f->bps % dev->sector_size)
		return -FS_EINVAL;
	if (f->spc == 0 || (f->spc & (f->spc - 1)) || f->spc * f->bps > 65536)
		return -FS_ECORRUPT;
	if (f->rsvd == 0 || f->nfats == 0 || f->nfats > 4 || fatsz == 0 || totsec == 0)
		return -FS_ECORRUPT;
	if ((uint64_t)totsec * (f->bps / dev->sector_size) > dev->sectors)
		return -FS_ECORRUPT;
	root_sectors = (f->root_entries * 32 + f->bps - 1) / f->bps;
	uint64_t data = (uint64_t)f->rsvd + (uint64_t)f->nfats * fatsz + root_sectors;
	if (data >= totsec)
		return -FS_ECORRUPT;
	f->csize = f->spc * f->bps;
	f->fatsz = fatsz;
	f->total_sectors = totsec;
	f->root_sector = f->rsvd + f->nfats * fatsz;
	f->data_sector = (uint32_t)data;
	f->nclusters = (uint32_t)((totsec - data) / f->spc);
	f->bits = f->nclusters < 4085 ? 12 : f->nclusters < 65525 ? 16 : 32;
	/* The table must have an entry for every cluster. */
	if ((uint64_t)fatsz * f->bps * 8 / (uint32_t)f->bits < (uint64_t)f->nclusters + 2)
		return -FS_ECORRUPT;
	if (f->bits == 32) {
		uint16_t ext = le16(bs + BPB_EXT_FLAGS);

		if (f->root_entries != 0 || le16(bs + BPB_FATSZ16) != 0)
			return -FS_ECORRUPT;
		f->root_cluster = le32(bs + BPB_ROOT_CLUS);
		if (f->root_cluster < 2 || f->root_cluster > f->nclusters + 1)
			return -FS_ECORRUPT;
		f->mirror = !(ext & 0x80);
		f->active_fat = f->mirror ? 0 : ext & 0xF;
		if (f->active_fat >= f->nfats)
			return -FS_ECORRUPT;
		f->fsinfo = le16(bs + BPB_FSINFO);
		if (f->fsinfo == 0 || f->fsinfo == 0xFFFF || f->fsinfo >= f->rsvd)
			f->fsinfo = 0;
	} else {
		if (f->root_entries == 0)
			return -FS_ECORRUPT;
		f->mirror = true;
	}
	return 0;
}

/* FSInfo is used only if all three signatures are there. */
static int
check_fsinfo(struct fat *f)
{
	struct bcache_buf *b;
	int err;

	if (!f->fsinfo)
		return 0;
	err = bcache_get(f->bc, f->fsinfo, &b);
	if (err)
		return err;
	if (le32(b->data) != FSI_LEAD_SIG || le32(b->data + 484) != FSI_STRUC_SIG ||
	    le32(b->data + 508) != FSI_TRAIL_SIG)
		f->fsinfo = 0;
	bcache_put(f->bc, b);
	return 0;
}

/* The free count is counted, not trusted: FSInfo's may be stale. */
static int
count_free(struct fat *f)
{
	uint32_t v;

	f->free_count = 0;
	f->next_free = 0;
	if (f->bits != 12) {
		/* Whole sectors at a time: 16- and 32-bit entries never straddle two. */
		uint32_t per = f->bps / (uint32_t)(f->bits / 8), mask = f->bits == 16 ? 0xFFFF : 0x0FFFFFFF;

		for (uint32_t s = 0; s * per < f->nclusters + 2; s++) {
			struct bcache_buf *b;
			int err = bcache_get(f->bc, f->rsvd + f->active_fat * f->fatsz + s, &b);

			if (err)
				return err;
			for (uint32_t i = 0; i < per; i++) {
				uint32_t c = s * per + i, e;

				if (c < 2 || c >= f->nclusters + 2)
					continue;
				memcpy(&e, b->data + i * (uint32_t)(f->bits / 8), (size_t)(f->bits / 8));
				if ((e & mask) == 0) {
					f->free_count++;
					if (!f->next_free)
						f->next_free = c;
				}
			}
			bcache_put(f->bc, b);
		}
		if (!f->next_free)
			f->next_free = 2;
		return 0;
	}
	for (uint32_t c = 2; c < f->nclusters + 2; c++) {
		int err = fat_get(f, c, &v);

		if (err == -FS_ECORRUPT)
			continue;
		if (err)
			return err;
		if (v == 0) {
			f->free_count++;
			if (!f->next_free)
				f->next_free = c;
		}
	}
	if (!f->next_free)
		f->next_free = 2;
	return 0;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int
fat_sync(struct fs *fs)
{
	struct fat *f = FAT_OF(fs);
	struct bcache_buf *b;
	int err;

	if (fs->readonly)
		return 0;
	/* Everything that referred to the freed clusters goes first. */
	if (f->nfrees) {
		err = bcache_flush(f->bc);
		if (!err)
			err = fat_apply_frees(f);
		if (err)
			return err;
	}
	if (f->fsinfo && f->info_dirty) {
		err = bcache_get(f->bc, f->fsinfo, &b);
		if (err)
			return err;
		err = bcache_dirty(f->bc, b, FAT_PASS_INFO);
		if (!err) {
			put_le32(b->data + FSI_FREE_COUNT, f->free_count);
			put_le32(b->data + FSI_NXT_FREE, f->next_free);
		}
		bcache_put(f->bc, b);
		if (err)
			return err;
		f->info_dirty = false;
	}
	return bcache_flush(f->bc);
}

int
fat_statfs(struct fs *fs, struct fs_statfs *out)
{
	struct fat *f = FAT_OF(fs);

	*out = (struct fs_statfs){ f->csize, f->nclusters, f->free_count, 0, 0, FS_NAME_MAX };
	return 0;
}

int
fat_unmount(struct fs *fs)
{
	struct fat *f = FAT_OF(fs);
	int err = fat_orphans_unmount(f), err2 = fat_sync(fs);

	if (!err)
		err = err2;
	bcache_destroy(f->bc);
	free(f->frees);
	free(f);
	return err;
}

int
fat_mount(struct blkdev *dev, const struct fs_mount_opts *opts, struct fs **out)
{
	struct fat *f = calloc(1, sizeof *f);
	uint8_t *bs;
	int err;

	if (!f)
		return -FS_ENOMEM;
	bs = malloc(dev->sector_size < 512 ? 512 : dev->sector_size);
	if (!bs) {
		free(f);
		return -FS_ENOMEM;
	}
	err = dev->sector_size < 512 || dev->sectors == 0 ? -FS_EINVAL : dev->read(dev, 0, 1, bs);
	if (!err)
		err = check_boot(f, bs, dev);
	free(bs);
	f->fs.ops = &fat_ops;
	f->fs.type = f->bits == 12 ? "fat12" : f->bits == 16 ? "fat16" : "fat32";
	f->fs.root = FAT_ROOT_INO;
	f->fs.readonly = opts && opts->readonly;
	f->fs.now = opts ? opts->now : NULL;
	if (!err) {
		/*
		 * The cache's blocks are sectors: cache_blocks counts 4 KiB blocks
		 * (ext2's usual), so FAT gets as much memory, and room for its runs
		 * of BCACHE_RUN_BYTES (bcache_run_max: a quarter of the cache).
		 */
		size_t blocks = opts && opts->cache_blocks ? opts->cache_blocks : 256;

		if (f->bps < 4096)
			blocks *= 4096 / f->bps;
		err = bcache_create(dev, f->bps, blocks, &f->bc);
	}
	if (!err)
		err = check_fsinfo(f);
	if (!err)
		err = count_free(f);
	if (err) {
		if (f->bc)
			bcache_destroy(f->bc);
		free(f);
		return err;
	}
	f->info_dirty = f->fsinfo != 0;	/* the first sync sets the true count */
	*out = &f->fs;
	return 0;
}

/*
 * The n-th cluster of the chain from start: 0 and *out, or 1 if the chain
 * ends first. Walks on from the last call's place when it can.
 */
int
fat_chain_seek(struct fat *f, uint32_t start, uint32_t n, uint32_t *out)
{
	uint32_t c = start, i = 0;
	struct fat_walk *w = NULL;

	if (start < 2 || start > f->nclusters + 1)
		return -FS_ECORRUPT;
	if (n > f->nclusters)
		return 1;
	for (int k = 0; k < FAT_WALKS && !w; k++)
		if (f->walks[k].start == start)
			w = &f->walks[k];
	if (w && w->n <= n) {
		c = w->c;
		i = w->n;
	}
	for (; i < n; i++) {
		int err = fat_get(f, c, &c);

		if (err)
			return err;
		if (c == FAT_EOC)
			return 1;
		if (c == 0)
			return -FS_ECORRUPT;	/* a free cluster inside a chain */
	}
	if (!w) {
		w = &f->walks[f->walk_next];
		f->walk_next = (f->walk_next + 1) % FAT_WALKS;
	}
	*w = (struct fat_walk){ start, n, c };
	*out = c;
	return 0;
}
