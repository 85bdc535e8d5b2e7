/*
 * ext2 corners the workloads do not reach: a hashed (dir_index) folder
 * changed, a shared extended-attribute block released, sparse files deep in
 * the triple-indirect tree and past 2 GiB (large_file), and attributes set
 * and read back; e2fsck -fn must be clean after each.
 */
#include <stdio.h>
#include <string.h>
#include "fstest.h"
#include "unit.h"

static const char *
image(const char *name, const char *mkfs_opts, char *img, size_t size)
{
	const char *dir = fst_dir(name);

	snprintf(img, size, "%s/img", dir);
	EXPECT_EQ(fst_sh("mke2fs -q -F -t ext2 %s %s 16M", mkfs_opts, img), 0);
	return dir;
}

UNIT_TEST(ext2_hashed_folder_changed_stays_fsck_clean)
{
	char img[600], p[64];
	struct fst_mnt m;
	struct vfs_node n;
	struct fs_dirent e;
	uint64_t cookie = 0;
	int count = 0;

	image("e2htree", "-b 1024 -O dir_index", img, sizeof img);
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	EXPECT_EQ(vfs_mkdir(&m.v, "/h", 0755), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof p, "/h/a-file-name-long-enough-%d", i);
		EXPECT_EQ(vfs_create(&m.v, p, 0644, &n), 0);
	}
	EXPECT_EQ(fst_unmount(&m), 0);
	/* e2fsck -D builds the hash index; then the library changes the folder. */
	EXPECT(fst_sh("e2fsck -fyD %s", img) <= 1);
	EXPECT(fst_sh("debugfs -R 'htree /h' %s | grep -q 'Root node'", img) == 0);
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	for (int i = 0; i < 300; i += 3) {
		snprintf(p, sizeof p, "/h/a-file-name-long-enough-%d", i);
		EXPECT_EQ(vfs_unlink(&m.v, p), 0);
	}
	EXPECT_EQ(vfs_create(&m.v, "/h/new", 0644, &n), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/h", true, &n), 0);
	while (vfs_readdir(&n, &cookie, &e) == 1)
		count++;
	EXPECT_EQ(count, 201);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);
}

UNIT_TEST(ext2_shared_xattr_block_released_with_its_last_owner)
{
	char img[600];
	struct fst_mnt m;
	struct vfs_node n;
	struct fs_stat st;

	image("e2xattr", "-b 1024 -I 128", img, sizeof img);
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	EXPECT_EQ(vfs_create(&m.v, "/a", 0644, &n), 0);
	EXPECT_EQ(vfs_create(&m.v, "/b", 0644, &n), 0);
	EXPECT_EQ(fst_unmount(&m), 0);
	/* 128-byte inodes: the attributes go to a block, shared by a and b. */
	EXPECT_EQ(fst_sh("debugfs -w -R 'ea_set /a user.k v' %s && debugfs -w -R 'ea_set /b user.k v' %s", img, img), 0);
	EXPECT_EQ(fst_sh("debugfs -R 'stat /b' %s | grep -q 'File ACL: [1-9]'", img), 0);
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	EXPECT_EQ(vfs_stat(&m.v, "/a", true, &st), 0);
	EXPECT_EQ(st.blocks, 2);	/* the attribute block counts */
	EXPECT_EQ(vfs_unlink(&m.v, "/a"), 0);
	EXPECT_EQ(vfs_unlink(&m.v, "/b"), 0);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);
}

UNIT_TEST(ext2_sparse_files_reach_triple_indirect_and_past_2gib)
{
	char img[600], buf[4096], back[4096];
	struct fst_mnt m;
	struct vfs_node n;
	struct fs_stat st;
	size_t done;

	image("e2sparse", "-b 1024", img, sizeof img);
	memset(buf, 0x5A, sizeof buf);
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	/* With 1 KiB blocks the triple-indirect tree starts past 12 + 256 + 65536 blocks. */
	EXPECT_EQ(vfs_create(&m.v, "/deep", 0644, &n), 0);
	EXPECT_EQ(vfs_write(&n, 70ull << 20, buf, sizeof buf, &done), 0);
	EXPECT_EQ(vfs_write(&n, 1000, buf, 10, &done), 0);
	EXPECT_EQ(vfs_read(&n, (70ull << 20) - 100, back, 200, &done), 0);
	EXPECT(done == 200 && back[0] == 0 && back[99] == 0 && back[100] == 0x5A);
	EXPECT_EQ(vfs_getattr(&n, &st), 0);
	EXPECT_EQ(st.size, (70ull << 20) + sizeof buf);
	EXPECT(st.blocks < 40);	/* data, and one block per level of each tree */
	EXPECT_EQ(vfs_create(&m.v, "/large", 0644, &n), 0);
	EXPECT_EQ(vfs_write(&n, 3ull << 30, buf, sizeof buf, &done), 0);
	EXPECT_EQ(vfs_getattr(&n, &st), 0);
	EXPECT_EQ(st.size, (3ull << 30) + sizeof buf);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);
	EXPECT_EQ(fst_sh("dumpe2fs -h %s | grep -q large_file", img), 0);
	/* Truncation frees the trees level by level. */
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/deep", true, &n), 0);
	EXPECT_EQ(vfs_truncate(&n, 2000), 0);
	EXPECT_EQ(vfs_read(&n, 990, back, 100, &done), 0);
	EXPECT(done == 100 && back[9] == 0 && back[10] == 0x5A && back[19] == 0 + 0x5A && back[20] == 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/large", true, &n), 0);
	EXPECT_EQ(vfs_truncate(&n, 0), 0);
	EXPECT_EQ(vfs_getattr(&n, &st), 0);
	EXPECT_EQ(st.blocks, 0);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);
}

UNIT_TEST(attributes_set_read_back_on_ext2_and_fat)
{
	char img[600], fimg[600];
	const char *dir;
	struct fst_mnt m;
	struct vfs_node n;
	struct fs_stat st;
	struct fs_setattr sa = { FS_SET_MODE | FS_SET_UID | FS_SET_GID | FS_SET_MTIME | FS_SET_ATIME, 0600, 70000,
				 42, 1000000000, 1500000000 };

	dir = image("e2attr", "-b 1024", img, sizeof img);
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	EXPECT_EQ(vfs_create(&m.v, "/f", 0644, &n), 0);
	EXPECT_EQ(vfs_setattr(&n, &sa), 0);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_mount(&m, img, "ext2", true), 0);
	EXPECT_EQ(vfs_stat(&m.v, "/f", true, &st), 0);
	EXPECT_EQ(st.mode, FS_S_IFREG | 0600);
	EXPECT_EQ(st.uid, 70000);
	EXPECT_EQ(st.gid, 42);
	EXPECT_EQ(st.mtime, 1500000000);
	EXPECT_EQ(st.atime, 1000000000);
	EXPECT_EQ(vfs_create(&m.v, "/g", 0644, &n), -FS_EROFS);
	fst_unmount(&m);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);

	snprintf(fimg, sizeof fimg, "%s/fat", dir);
	EXPECT_EQ(fst_sh("mkfs.fat -F 16 -s 1 -C %s 8192", fimg), 0);
	if (fst_mount(&m, fimg, "fat", false)) {
		unit_fail(__FILE__, __LINE__, "FAT16 image does not mount");
		return;
	}
	EXPECT_EQ(vfs_create(&m.v, "/f", 0644, &n), 0);
	sa.mode = 0444;
	EXPECT_EQ(vfs_lookup(&m.v, "/F", true, &n), 0);
	EXPECT_EQ(vfs_setattr(&n, &sa), 0);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_mount(&m, fimg, "fat", true), 0);
	EXPECT_EQ(vfs_stat(&m.v, "/f", true, &st), 0);
	EXPECT_EQ(st.mode, FS_S_IFREG | 0444);	/* the read-only attribute */
	EXPECT_EQ(st.mtime, 1500000000);		/* an even second: DOS keeps two */
	fst_unmount(&m);
	EXPECT_EQ(fst_sh("fsck.fat -n %s && mattrib -i %s ::/f | grep -q '^  *R\\|R '", fimg, fimg), 0);
}
