/*
 * Workloads on ext2 images (fstest.h: fst_workload) beside a host mirror;
 * then e2fsck -fn must be clean and the image, dumped with debugfs, must
 * equal the mirror file by file; mounted again, the library must agree too.
 */
#include <stdio.h>
#include "fstest.h"
#include "unit.h"

static const char *extra_opts = "";

static void
workload(const char *name, int bsize, int isize, unsigned seed, int ops, bool with_tree)
{
	const char *dir = fst_dir(name);
	char tree[600], img[600], out[600], why[512] = "";
	struct fst_mnt m;
	int err;

	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(img, sizeof img, "%s/img", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	fst_sh("mkdir -p %s %s", tree, out);
	if (with_tree)
		fst_make_tree(tree, seed, true);
	EXPECT_EQ(fst_sh("mke2fs -q -F -t ext2 -b %d -I %d %s -d %s %s 32M", bsize, isize, extra_opts, tree, img), 0);
	err = fst_mount(&m, img, "ext2", false);
	EXPECT_EQ(err, 0);
	if (err)
		return;
	err = fst_workload(&m.v, tree, "", seed, ops, 0, why, sizeof why);
	if (err)
		unit_fail(__FILE__, __LINE__, "%d operations disagreed; first: %s", err, why);
	if (!err && fst_compare(&m.v, "/", tree, "lost+found", why, sizeof why))
		unit_fail(__FILE__, __LINE__, "before unmount: %s", why);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);
	EXPECT_EQ(fst_sh("debugfs -R 'rdump / %s' %s && rm -rf %s/lost+found && diff -r --no-dereference %s %s",
			 out, img, out, out, tree), 0);
	err = fst_mount(&m, img, "ext2", true);
	EXPECT_EQ(err, 0);
	if (err)
		return;
	if (fst_compare(&m.v, "/", tree, "lost+found", why, sizeof why))
		unit_fail(__FILE__, __LINE__, "mounted again: %s", why);
	fst_unmount(&m);
}

UNIT_TEST(ext2_1k_workload_is_fsck_clean_and_matches_mirror) { workload("e2w1k", 1024, 128, 1, 1500, true); }
UNIT_TEST(ext2_4k_workload_is_fsck_clean_and_matches_mirror) { workload("e2w4k", 4096, 256, 2, 1500, true); }
UNIT_TEST(ext2_2k_workload_from_empty_image_is_fsck_clean) { workload("e2w2k", 2048, 256, 3, 1500, false); }

UNIT_TEST(ext2_revision_0_workload_is_fsck_clean)
{
	extra_opts = "-r 0";
	workload("e2r0", 1024, 128, 4, 600, true);
	extra_opts = "";
}
