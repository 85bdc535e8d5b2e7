/*
 * Power cuts at the library level. An image holds a tree and a folder of
 * files written through the library and synced. Then, for many K, a copy is
 * mounted and a workload of creates, writes, renames, truncates and deletes
 * with syncs runs in another folder, while the device drops every write after
 * the K-th. The workload moves no folders: a cut inside a folder's rename
 * can leave it with two names, which neither e2fsck -p nor one fsck.fat -a
 * run repairs (ext2_ops.c, fat_ops.c). The checker must repair what is left in its automatic mode
 * (e2fsck -p, fsck.fat -a), a second check must find nothing, and every file
 * synced before the cut must read back intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fstest.h"
#include "unit.h"

#define CUTS 60

static void
save(const char *img, const uint8_t *p, size_t size)
{
	FILE *f = fopen(img, "wb");

	fwrite(p, 1, size, f);
	fclose(f);
}

/* Writes files into /synced through the library and beside them on the host. */
static int
synced_files(struct fst_mnt *m, const char *tree)
{
	static uint8_t buf[100000];
	uint64_t r = 99;
	char p[64], hp[700];
	int err = vfs_mkdir(&m->v, "/synced", 0755);

	fst_sh("mkdir -p %s/synced %s/work", tree, tree);
	for (int i = 0; i < 20 && !err; i++) {
		struct vfs_node n;
		size_t len = (size_t)(fst_rand(&r) % sizeof buf), done;

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)(fst_rand(&r) >> 56);
		snprintf(p, sizeof p, "/synced/s%02d.dat", i);
		snprintf(hp, sizeof hp, "%s%s", tree, p);
		FILE *f = fopen(hp, "wb");
		fwrite(buf, 1, len, f);
		fclose(f);
		err = vfs_create(&m->v, p, 0644, &n);
		if (!err)
			err = vfs_write(&n, 0, buf, len, &done);
	}
	if (!err)
		err = vfs_mkdir(&m->v, "/work", 0755);
	return err ? err : vfs_sync(&m->v);
}

static void
cuts(const char *name, const char *type, const char *mkfs, const char *repair, const char *check)
{
	const char *dir = fst_dir(name);
	char tree[600], img[600], mirror[600], why[512];
	bool fat = strcmp(type, "fat") == 0;
	struct fs_mount_opts o = { .cache_blocks = 48, .now = fst_now };
	struct fst_mnt m;
	uint8_t *base, *work;
	size_t size;
	uint64_t total;
	int err, fixed = 0;

	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(img, sizeof img, "%s/img", dir);
	snprintf(mirror, sizeof mirror, "%s/mirror", dir);
	fst_sh("mkdir -p %s", tree);
	fst_make_tree(tree, 9, !fat);
	EXPECT_EQ(fst_sh(mkfs, tree, img, img, tree), 0);
	err = fst_mount(&m, img, type, false);
	EXPECT_EQ(err, 0);
	if (err)
		return;
	EXPECT_EQ(synced_files(&m, tree), 0);
	EXPECT_EQ(fst_unmount(&m), 0);
	base = fst_load(img, &size);
	work = malloc(size);
	/* An uncut run counts the writes the workload makes. */
	for (int k = -1; k < CUTS; k++) {
		struct imgdev d;
		struct fs *fs;
		struct vfs v;

		memcpy(work, base, size);
		imgdev_open_mem(&d, work, size);
		if (k >= 0)
			d.budget = (int64_t)(total * (uint64_t)k / CUTS);
		err = fat ? fat_mount(&d.dev, &o, &fs) : ext2_mount(&d.dev, &o, &fs);
		EXPECT_EQ(err, 0);
		if (err)
			break;
		vfs_init(&v);
		vfs_mount(&v, "/", fs);
		fst_sh("rm -rf %s && mkdir -p %s/work", mirror, mirror);
		/* After the cut the library may read stale blocks: outcomes are not compared. */
		fst_workload(&v, mirror, "/work", (unsigned)(k + 2), 300, FST_NO_DIR_RENAME | (fat ? FST_FAT : 0), why,
			     sizeof why);
		fs->ops->unmount(fs);
		if (k < 0) {
			total = d.writes;
			continue;
		}
		save(img, work, size);
		int rc = fst_sh(repair, img);
		if (rc > 1) {
			unit_fail(__FILE__, __LINE__, "cut after %lld of %llu writes: %s exits %d", (long long)(total * (uint64_t)k / CUTS),
				  (unsigned long long)total, repair, rc);
			fst_sh("cp %s %s.cut%d", img, img, k);
			break;
		}
		fixed += rc == 1;
		/* fsck.fat keeps lost chains as FSCKnnnn.REC in the root: not ours to compare. */
		if (fat)
			fst_sh("mdel -i %s '::FSCK*.REC'", img);
		rc = fst_sh(check, img);
		if (rc != 0) {
			unit_fail(__FILE__, __LINE__, "cut %d: %s still finds errors (%d) after repair", k, check, rc);
			break;
		}
		err = fst_mount(&m, img, type, true);
		if (err) {
			unit_fail(__FILE__, __LINE__, "cut %d: mount: %s", k, fs_error_name(err));
			break;
		}
		if (fst_compare(&m.v, "/", tree, "lost+found|work", why, sizeof why)) {
			unit_fail(__FILE__, __LINE__, "cut %d: synced files: %s", k, why);
			fst_unmount(&m);
			break;
		}
		fst_unmount(&m);
	}
	/* Some cuts must have left something to repair, or the test cut nothing. */
	EXPECT(fixed > 0);
	free(base);
	free(work);
}

UNIT_TEST(ext2_power_cuts_are_repaired_by_e2fsck_p_and_synced_files_survive)
{
	cuts("e2cut", "ext2", "mke2fs -q -F -t ext2 -b 1024 -d %s %s 8M && test -f %s && test -d %s", "e2fsck -p %s",
	     "e2fsck -fn %s");
}

UNIT_TEST(ext2_4k_power_cuts_are_repaired_by_e2fsck_p_and_synced_files_survive)
{
	cuts("e2cut4", "ext2", "mke2fs -q -F -t ext2 -b 4096 -d %s %s 16M && test -f %s && test -d %s", "e2fsck -p %s",
	     "e2fsck -fn %s");
}

UNIT_TEST(fat16_power_cuts_are_repaired_by_fsck_fat_a_and_synced_files_survive)
{
	cuts("f16cut", "fat",
	     "rm -f %2$s && mkfs.fat -F 16 -s 4 -C %2$s 16384 && mcopy -s -i %3$s %1$s/* ::/ && test -d %4$s",
	     "fsck.fat -a %s", "fsck.fat -n %s");
}

UNIT_TEST(fat32_power_cuts_are_repaired_by_fsck_fat_a_and_synced_files_survive)
{
	cuts("f32cut", "fat",
	     "rm -f %2$s && mkfs.fat -F 32 -s 1 -C %2$s 40960 && mcopy -s -i %3$s %1$s/* ::/ && test -d %4$s",
	     "fsck.fat -a %s", "fsck.fat -n %s");
}
