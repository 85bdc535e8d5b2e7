/*
 * FAT12, FAT16 and FAT32 images made by mkfs.fat and filled by mcopy read
 * back through the library byte for byte; workloads beside a host mirror,
 * then fsck.fat -n must be clean and mcopy must read back the mirror.
 */
#include <stdio.h>
#include "fstest.h"
#include "unit.h"

/* mkfs.fat's arguments for each type: sizes in KiB that give the type. */
static const char *
mkfs_args(int bits)
{
	return bits == 12 ? "-F 12 -n FAT12VOL" : bits == 16 ? "-F 16 -s 4 -n FAT16VOL" : "-F 32 -s 1 -n FAT32VOL";
}

static int
mkfs_kib(int bits)
{
	return bits == 12 ? 8192 : bits == 16 ? 32768 : 40960;
}

/* Other geometries: logical sectors of 1 KiB (FAT12) and 4 KiB (FAT32). */
static const char *odd_args;
static int odd_kib;

static void
make_image(const char *dir, int bits, const char *tree, char *img, size_t size)
{
	snprintf(img, size, "%s/img", dir);
	EXPECT_EQ(fst_sh("rm -f %s && mkfs.fat %s -C %s %d", img, odd_args ? odd_args : mkfs_args(bits), img,
			 odd_kib ? odd_kib : mkfs_kib(bits)), 0);
	if (tree)
		EXPECT_EQ(fst_sh("mcopy -s -i %s %s/* ::/", img, tree), 0);
}

static void
read_back(const char *name, int bits)
{
	const char *dir = fst_dir(name);
	char tree[600], img[600], why[512] = "";
	struct fst_mnt m;
	int err;

	snprintf(tree, sizeof tree, "%s/tree", dir);
	fst_sh("mkdir -p %s", tree);
	fst_make_tree(tree, (unsigned)bits, false);
	make_image(dir, bits, tree, img, sizeof img);
	err = fst_mount(&m, img, "fat", false);
	EXPECT_EQ(err, 0);
	if (err)
		return;
	EXPECT_EQ(m.fs->type[3] - '0', bits / 10);
	err = fst_compare(&m.v, "/", tree, NULL, why, sizeof why);
	if (err)
		unit_fail(__FILE__, __LINE__, "%s", why);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("fsck.fat -n %s", img), 0);
}

UNIT_TEST(fat12_image_reads_back_byte_for_byte) { read_back("f12r", 12); }
UNIT_TEST(fat16_image_reads_back_byte_for_byte) { read_back("f16r", 16); }
UNIT_TEST(fat32_image_reads_back_byte_for_byte) { read_back("f32r", 32); }

static void
workload(const char *name, int bits, unsigned seed, int ops)
{
	const char *dir = fst_dir(name);
	char tree[600], img[600], out[600], why[512] = "";
	struct fst_mnt m;
	int err;

	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	fst_sh("mkdir -p %s %s", tree, out);
	fst_make_tree(tree, seed, false);
	make_image(dir, bits, tree, img, sizeof img);
	err = fst_mount(&m, img, "fat", false);
	EXPECT_EQ(err, 0);
	if (err)
		return;
	err = fst_workload(&m.v, tree, "", seed, ops, FST_FAT, why, sizeof why);
	if (err)
		unit_fail(__FILE__, __LINE__, "%d operations disagreed; first: %s", err, why);
	if (!err && fst_compare(&m.v, "/", tree, NULL, why, sizeof why))
		unit_fail(__FILE__, __LINE__, "before unmount: %s", why);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("fsck.fat -n %s", img), 0);
	EXPECT_EQ(fst_sh("mcopy -s -n -i %s '::*' %s/ ; diff -r %s %s", img, out, out, tree), 0);
	err = fst_mount(&m, img, "fat", true);
	EXPECT_EQ(err, 0);
	if (err)
		return;
	if (fst_compare(&m.v, "/", tree, NULL, why, sizeof why))
		unit_fail(__FILE__, __LINE__, "mounted again: %s", why);
	fst_unmount(&m);
}

UNIT_TEST(fat12_workload_is_fsck_clean_and_matches_mirror) { workload("f12w", 12, 11, 1200); }
UNIT_TEST(fat16_workload_is_fsck_clean_and_matches_mirror) { workload("f16w", 16, 12, 1200); }
UNIT_TEST(fat32_workload_is_fsck_clean_and_matches_mirror) { workload("f32w", 32, 13, 1200); }

UNIT_TEST(fat12_1k_sectors_workload_is_fsck_clean)
{
	odd_args = "-F 12 -S 1024 -s 4";
	workload("f12s", 12, 14, 500);
	odd_args = NULL;
}

UNIT_TEST(fat32_4k_sectors_workload_is_fsck_clean)
{
	odd_args = "-F 32 -S 4096 -s 1";
	odd_kib = 270000;	/* FAT32 needs 65,525 clusters: a sparse file */
	workload("f32s", 32, 15, 500);
	odd_args = NULL;
	odd_kib = 0;
}
