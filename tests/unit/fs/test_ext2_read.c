/*
 * ext2 images made by mke2fs -d from a host tree read back through the
 * library byte for byte, with 1, 2 and 4 KiB blocks and 128- and 256-byte
 * inodes; and a clean unmount leaves e2fsck nothing to say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ext2.h"
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

/*
 * A 2 MiB file read in 64 KiB calls, as fs's clients read: its blocks come in
 * runs (read-ahead, one device request per run) and byte for byte; then reads
 * at scattered offsets (no stream to follow) read back right too.
 */
UNIT_TEST(ext2_sequential_reads_come_in_runs_byte_for_byte)
{
	const char *dir = fst_dir("e2ra");
	char tree[600], img[600], path[700];
	struct fst_mnt m;
	struct vfs_node n;
	size_t size = 0;
	uint8_t *want;
	uint64_t reqs;

	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(img, sizeof img, "%s/img", dir);
	snprintf(path, sizeof path, "%s/big", tree);
	EXPECT_EQ(fst_sh("mkdir -p %s && head -c 2097152 /dev/urandom > %s", tree, path), 0);
	EXPECT_EQ(fst_sh("mke2fs -q -F -t ext2 -b 4096 -d %s %s 24M", tree, img), 0);
	want = fst_load(path, &size);
	EXPECT(want != NULL && size == 2097152);
	EXPECT_EQ(fst_mount(&m, img, "ext2", true), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/big", true, &n), 0);
	reqs = EXT2_OF(m.fs)->bc->read_reqs;
	if (want)
		fst_read_sequential(&n, want, size);
	/* 512 blocks: one request each without read-ahead; in runs of up to 16 (a
	 * quarter of the test's 64-block cache), split where an indirect block sits */
	reqs = EXT2_OF(m.fs)->bc->read_reqs - reqs;
	printf("# 2 MiB in 64 KiB reads: %llu device reads\n", (unsigned long long)reqs);
	EXPECT(reqs <= 512 / 16 + 8);
	if (want)
		fst_read_scattered(&n, want, size, 7);
	free(want);
	EXPECT_EQ(fst_unmount(&m), 0);
}
