/*
 * ext2 images made by mke2fs -d from a host tree read back through the
 * library byte for byte, with 1, 2 and 4 KiB blocks and 128- and 256-byte
 * inodes; and a clean unmount leaves e2fsck nothing to say.
 */
#include <stdio.h>
#include <string.h>
#include "fstest.h"
#include "unit.h"

static void
read_back(const char *name, int bsize, int isize)
{
	const char *dir = fst_dir(name);
	char tree[600], img[600], why[512] = "";
	struct fst_mnt m;
	int err;

	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(img, sizeof img, "%s/img", dir);
	fst_sh("mkdir -p %s", tree);
	fst_make_tree(tree, (unsigned)bsize, true);
	EXPECT_EQ(fst_sh("mke2fs -q -F -t ext2 -b %d -I %d -d %s %s 24M", bsize, isize, tree, img), 0);
	err = fst_mount(&m, img, "ext2", false);
	EXPECT_EQ(err, 0);
	if (err)
		return;
	err = fst_compare(&m.v, "/", tree, "lost+found", why, sizeof why);
	if (err)
		unit_fail(__FILE__, __LINE__, "%s", why);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);
}

UNIT_TEST(ext2_1k_blocks_read_back_byte_for_byte) { read_back("e2r1k", 1024, 128); }
UNIT_TEST(ext2_2k_blocks_read_back_byte_for_byte) { read_back("e2r2k", 2048, 256); }
UNIT_TEST(ext2_4k_blocks_read_back_byte_for_byte) { read_back("e2r4k", 4096, 256); }
