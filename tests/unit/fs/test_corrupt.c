/*
 * Corrupt images: random bytes written into metadata (superblock, group
 * descriptors, bitmaps, inode tables, directories; boot sector, tables,
 * directories), one seed after another. Mounting, reading every file and
 * changing the tree may fail with any error code, but must never crash or
 * touch memory out of bounds: ASan and UBSan stop the run if they do.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ext2.h"
#include "fat.h"
#include "fstest.h"
#include "unit.h"

#define SEEDS 300

struct region {
	uint64_t off, len;	/* bytes of the image */
};

struct regions {
	struct region r[512];
	int n;
};

static void
add_region(struct regions *rs, uint64_t off, uint64_t len)
{
	if (rs->n < 512 && len)
		rs->r[rs->n++] = (struct region){ off, len };
}

/* Every folder's first blocks or clusters, found by walking the pristine tree. */
static void
dir_regions(struct fs *fs, fs_ino_t dir, int depth, struct regions *rs)
{
	struct fs_dirent e;
	uint64_t cookie = 0;

	if (strcmp(fs->type, "ext2") == 0) {
		struct ext2 *x = EXT2_OF(fs);
		struct ext2_inode in;
		uint32_t b;
		bool fresh;

		if (!ext2_inode_read(x, (uint32_t)dir, &in) && !ext2_bmap(x, &in, 0, false, &b, &fresh) && b)
			add_region(rs, (uint64_t)b * x->bsize, x->bsize);
	} else if (dir != FAT_ROOT_INO) {
		struct fat *f = FAT_OF(fs);
		struct fat_node n;

		if (!fat_node_get(f, dir, &n) && n.cluster)
			add_region(rs, (uint64_t)fat_cluster_sector(f, n.cluster) * f->bps, f->csize);
	}
	while (depth < 8 && fs->ops->readdir(fs, dir, &cookie, &e) == 1)
		if (e.type == FS_S_IFDIR)
			dir_regions(fs, e.ino, depth + 1, rs);
}

static void
meta_regions(struct fs *fs, struct regions *rs)
{
	if (strcmp(fs->type, "ext2") == 0) {
		struct ext2 *x = EXT2_OF(fs);

		add_region(rs, 1024, 1024);
		add_region(rs, (uint64_t)(x->sb.first_data_block + 1) * x->bsize, (uint64_t)x->gdt_blocks * x->bsize);
		for (uint32_t g = 0; g < x->ngroups; g++) {
			add_region(rs, (uint64_t)x->gd[g].block_bitmap * x->bsize, x->bsize);
			add_region(rs, (uint64_t)x->gd[g].inode_bitmap * x->bsize, x->bsize);
			add_region(rs, (uint64_t)x->gd[g].inode_table * x->bsize, (uint64_t)x->itable_blocks * x->bsize);
		}
	} else {
		struct fat *f = FAT_OF(fs);

		add_region(rs, 0, (uint64_t)f->data_sector * f->bps);
	}
	dir_regions(fs, fs->root, 0, rs);
}

/* Reads everything it can reach; every call may fail. */
static void
walk(struct fs *fs, fs_ino_t dir, int depth, int *budget)
{
	static uint8_t buf[8192];
	struct fs_dirent e;
	uint64_t cookie = 0;

	while (depth < 10 && (*budget)-- > 0 && fs->ops->readdir(fs, dir, &cookie, &e) == 1) {
		struct fs_stat st;
		fs_ino_t ino = e.ino;
		size_t done;

		/* Every tenth name is looked up as well (a lookup is a directory scan). */
		if ((*budget % 10 == 0 && fs->ops->lookup(fs, dir, e.name, strlen(e.name), &ino)) ||
		    fs->ops->getattr(fs, ino, &st))
			continue;
		if (FS_ISDIR(st.mode))
			walk(fs, ino, depth + 1, budget);
		else if (FS_ISLNK(st.mode))
			fs->ops->readlink(fs, ino, (char *)buf, sizeof buf, &done);
		else
			for (uint64_t off = 0; off < 2000000 && !fs->ops->read(fs, ino, off, buf, sizeof buf, &done) && done;
			     off += done)
				;
	}
}

static void
change(struct vfs *v, uint64_t *rs)
{
	static uint8_t buf[5000];
	char p[64], q[64];
	struct vfs_node n;
	size_t done;

	for (int i = 0; i < 12; i++) {
		snprintf(p, sizeof p, "/new%d", (int)(fst_rand(rs) % 6));
		snprintf(q, sizeof q, "/sub/x%d", (int)(fst_rand(rs) % 6));
		switch (fst_rand(rs) % 7) {
		case 0: if (!vfs_create(v, p, 0644, &n)) vfs_write(&n, 0, buf, sizeof buf, &done); break;
		case 1: vfs_mkdir(v, q, 0755); break;
		case 2: vfs_unlink(v, "/file3.bin"); break;
		case 3: vfs_rename(v, "/file5.bin", q); break;
		case 4: vfs_rmdir(v, "/empty"); break;
		case 5: if (!vfs_lookup(v, "/file14.bin", true, &n)) vfs_truncate(&n, 5000); break;
		case 6: if (!vfs_lookup(v, "/many/entry-number-007-odd", true, &n)) vfs_write(&n, 70000, buf, 100, &done); break;
		}
	}
}

static void
corrupt_runs(const char *name, const char *type, const char *mkfs)
{
	const char *dir = fst_dir(name);
	char tree[600], img[600];
	struct fst_mnt m;
	struct regions rs = { .n = 0 };
	struct fs_mount_opts o = { .cache_blocks = 32, .now = fst_now };
	uint8_t *pristine, *work;
	size_t size;
	int mounted = 0, refused = 0;

	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(img, sizeof img, "%s/img", dir);
	fst_sh("mkdir -p %s", tree);
	fst_make_tree(tree, 5, strcmp(type, "ext2") == 0);
	EXPECT_EQ(fst_sh(mkfs, tree, img, img, tree), 0);
	EXPECT_EQ(fst_mount(&m, img, type, true), 0);
	meta_regions(m.fs, &rs);
	fst_unmount(&m);
	pristine = fst_load(img, &size);
	work = malloc(size);
	memcpy(work, pristine, size);
	/* Between seeds only the sectors written are put back. */
	uint8_t *touched = calloc(size / 512, 1);
	for (unsigned seed = 1; seed <= SEEDS; seed++) {
		uint64_t r = seed * 0x2545F4914F6CDD1Dull;
		struct imgdev d;
		struct fs *fs;
		int nbytes = 1 + (int)(fst_rand(&r) % 16), err, budget = 5000;

		for (size_t sct = 0; sct < size / 512; sct++)
			if (touched[sct]) {
				memcpy(work + sct * 512, pristine + sct * 512, 512);
				touched[sct] = 0;
			}
		for (int i = 0; i < nbytes; i++) {
			struct region *g = &rs.r[fst_rand(&r) % (uint64_t)rs.n];
			uint64_t at = g->off + fst_rand(&r) % g->len;

			if (at < size) {
				work[at] = (uint8_t)fst_rand(&r);
				touched[at / 512] = 1;
			}
		}
		imgdev_open_mem(&d, work, size);
		d.touched = touched;
		err = strcmp(type, "ext2") == 0 ? ext2_mount(&d.dev, &o, &fs) : fat_mount(&d.dev, &o, &fs);
		if (err) {
			refused++;
			continue;
		}
		mounted++;
		struct vfs v;
		vfs_init(&v);
		vfs_mount(&v, "/", fs);
		walk(fs, fs->root, 0, &budget);
		change(&v, &r);
		budget = 5000;
		walk(fs, fs->root, 0, &budget);
		fs->ops->unmount(fs);
	}
	/* Both outcomes must occur, or the corruption missed what matters. */
	EXPECT(mounted > 0);
	EXPECT(refused > 0 || strcmp(type, "ext2") != 0);
	free(pristine);
	free(work);
	free(touched);
}

UNIT_TEST(ext2_corrupt_metadata_gives_errors_not_crashes)
{
	corrupt_runs("e2c", "ext2", "mke2fs -q -F -t ext2 -b 1024 -d %s %s 4M && test -f %s && test -d %s");
}

UNIT_TEST(ext2_4k_corrupt_metadata_gives_errors_not_crashes)
{
	corrupt_runs("e2c4", "ext2", "mke2fs -q -F -t ext2 -b 4096 -d %s %s 8M && test -f %s && test -d %s");
}

UNIT_TEST(fat12_corrupt_metadata_gives_errors_not_crashes)
{
	corrupt_runs("f12c", "fat", "rm -f %2$s && mkfs.fat -F 12 -C %2$s 4096 && mcopy -s -i %3$s %1$s/* ::/ && test -d %4$s");
}

UNIT_TEST(fat32_corrupt_metadata_gives_errors_not_crashes)
{
	corrupt_runs("f32c", "fat", "rm -f %2$s && mkfs.fat -F 32 -s 1 -C %2$s 40960 && mcopy -s -i %3$s %1$s/* ::/ && test -d %4$s");
}
