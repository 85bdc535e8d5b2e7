/*
 * The VFS over two file systems: an ext2 root with a FAT volume mounted on
 * /mnt. Paths cross the mount both ways, symbolic links are followed (and
 * loops stopped), and every failure comes back as its named code.
 */
#include <stdio.h>
#include <string.h>
#include "fstest.h"
#include "unit.h"

struct two {
	struct imgdev e2dev, fatdev;
	struct fs *e2, *fat;
	struct vfs v;
};

static int
mount_two(struct two *t, const char *name)
{
	const char *dir = fst_dir(name);
	char e2[600], fat[600];
	struct fs_mount_opts o = { .cache_blocks = 32, .now = fst_now };
	int err;

	snprintf(e2, sizeof e2, "%s/e2.img", dir);
	snprintf(fat, sizeof fat, "%s/fat.img", dir);
	if (fst_sh("mke2fs -q -F -t ext2 -b 1024 %s 2M && mkfs.fat -F 12 -C %s 1024", e2, fat))
		return -1;
	err = imgdev_open(&t->e2dev, e2);
	if (!err)
		err = imgdev_open(&t->fatdev, fat);
	if (!err)
		err = ext2_mount(&t->e2dev.dev, &o, &t->e2);
	if (!err)
		err = fat_mount(&t->fatdev.dev, &o, &t->fat);
	if (err)
		return err;
	vfs_init(&t->v);
	err = vfs_mount(&t->v, "/", t->e2);
	if (!err)
		err = vfs_mkdir(&t->v, "/mnt", 0755);
	if (!err)
		err = vfs_mount(&t->v, "/mnt", t->fat);
	return err;
}

static void
unmount_two(struct two *t)
{
	struct fs *fs;

	EXPECT_EQ(vfs_unmount(&t->v, "/", &fs), -FS_EBUSY);
	EXPECT_EQ(vfs_unmount(&t->v, "/mnt", &fs), 0);
	EXPECT(fs == t->fat);
	EXPECT_EQ(t->fat->ops->unmount(t->fat), 0);
	EXPECT_EQ(vfs_unmount(&t->v, "/", &fs), 0);
	EXPECT_EQ(t->e2->ops->unmount(t->e2), 0);
	imgdev_close(&t->e2dev);
	imgdev_close(&t->fatdev);
}

UNIT_TEST(vfs_paths_cross_mount_points_both_ways)
{
	struct two t;
	struct vfs_node a, b;
	struct fs_stat st;
	size_t done;
	char buf[16];

	EXPECT_EQ(mount_two(&t, "vfs1"), 0);
	EXPECT_EQ(vfs_mkdir(&t.v, "/mnt/Dir", 0755), 0);
	EXPECT_EQ(vfs_create(&t.v, "/mnt/Dir/hello.txt", 0644, &a), 0);
	EXPECT(a.fs == t.fat);
	EXPECT_EQ(vfs_write(&a, 0, "fat!", 4, &done), 0);
	/* FAT names ignore case; ".." from the mounted root steps back to ext2. */
	EXPECT_EQ(vfs_lookup(&t.v, "/MNT/dir/HELLO.TXT", true, &b), -FS_ENOENT);	/* ext2 does not */
	EXPECT_EQ(vfs_lookup(&t.v, "/mnt/DIR/HELLO.TXT", true, &b), 0);
	EXPECT(b.fs == a.fs && b.ino == a.ino);
	EXPECT_EQ(vfs_lookup(&t.v, "/mnt/Dir/../../mnt/./Dir/hello.txt", true, &b), 0);
	EXPECT(b.ino == a.ino);
	EXPECT_EQ(vfs_lookup(&t.v, "/mnt/..", true, &b), 0);
	EXPECT(b.fs == t.e2 && b.ino == t.e2->root);
	EXPECT_EQ(vfs_lookup(&t.v, "/..", true, &b), 0);
	EXPECT(b.ino == t.e2->root);
	/* A symbolic link on ext2 into the FAT volume, relative and absolute. */
	EXPECT_EQ(vfs_symlink(&t.v, "mnt/Dir", "/rel"), 0);
	EXPECT_EQ(vfs_symlink(&t.v, "/mnt/Dir/hello.txt", "/abs"), 0);
	EXPECT_EQ(vfs_lookup(&t.v, "/rel/hello.txt", true, &b), 0);
	EXPECT(b.fs == t.fat && b.ino == a.ino);
	EXPECT_EQ(vfs_lookup(&t.v, "/abs", true, &b), 0);
	EXPECT_EQ(vfs_read(&b, 0, buf, sizeof buf, &done), 0);
	EXPECT(done == 4 && memcmp(buf, "fat!", 4) == 0);
	EXPECT_EQ(vfs_stat(&t.v, "/abs", false, &st), 0);
	EXPECT(FS_ISLNK(st.mode) && st.size == strlen("/mnt/Dir/hello.txt"));
	/* Across file systems: rename and link are EXDEV; a mount point is busy. */
	EXPECT_EQ(vfs_rename(&t.v, "/mnt/Dir/hello.txt", "/hello.txt"), -FS_EXDEV);
	EXPECT_EQ(vfs_link(&t.v, "/mnt/Dir/hello.txt", "/hello.txt"), -FS_EXDEV);
	EXPECT_EQ(vfs_rmdir(&t.v, "/mnt"), -FS_EBUSY);
	EXPECT_EQ(vfs_rename(&t.v, "/mnt", "/elsewhere"), -FS_EBUSY);
	EXPECT_EQ(vfs_mount(&t.v, "/mnt", t.fat), -FS_EBUSY);
	unmount_two(&t);
}

UNIT_TEST(vfs_errors_are_named_codes)
{
	struct two t;
	struct vfs_node a;
	char name[300], path[400];
	size_t done;

	EXPECT_EQ(mount_two(&t, "vfs2"), 0);
	EXPECT_EQ(vfs_lookup(&t.v, "/nothing", true, &a), -FS_ENOENT);
	EXPECT_EQ(vfs_create(&t.v, "/f", 0644, &a), 0);
	EXPECT_EQ(vfs_create(&t.v, "/f", 0644, &a), -FS_EEXIST);
	EXPECT_EQ(vfs_lookup(&t.v, "/f/x", true, &a), -FS_ENOTDIR);
	EXPECT_EQ(vfs_mkdir(&t.v, "/f/x", 0755), -FS_ENOTDIR);
	EXPECT_EQ(vfs_rmdir(&t.v, "/f"), -FS_ENOTDIR);
	EXPECT_EQ(vfs_mkdir(&t.v, "/d", 0755), 0);
	EXPECT_EQ(vfs_create(&t.v, "/d/in", 0644, &a), 0);
	EXPECT_EQ(vfs_unlink(&t.v, "/d"), -FS_EISDIR);
	EXPECT_EQ(vfs_rmdir(&t.v, "/d"), -FS_ENOTEMPTY);
	EXPECT_EQ(vfs_rename(&t.v, "/d", "/d/in/deeper"), -FS_ENOTDIR);
	EXPECT_EQ(vfs_mkdir(&t.v, "/d/sub", 0755), 0);
	EXPECT_EQ(vfs_rename(&t.v, "/d", "/d/sub/moved"), -FS_EINVAL);
	EXPECT_EQ(vfs_rename(&t.v, "/f", "/d"), -FS_EISDIR);
	EXPECT_EQ(vfs_rmdir(&t.v, "/d/."), -FS_EINVAL);
	EXPECT_EQ(vfs_create(&t.v, "/", 0644, &a), -FS_EINVAL);
	memset(name, 'n', 256);
	name[256] = 0;
	snprintf(path, sizeof path, "/%s", name);
	EXPECT_EQ(vfs_create(&t.v, path, 0644, &a), -FS_ENAMETOOLONG);
	snprintf(path, sizeof path, "/mnt/%s", name);
	EXPECT_EQ(vfs_create(&t.v, path, 0644, &a), -FS_ENAMETOOLONG);
	EXPECT_EQ(vfs_create(&t.v, "/mnt/bad?name", 0644, &a), -FS_EINVAL);
	EXPECT_EQ(vfs_symlink(&t.v, "x", "/mnt/link"), -FS_EPERM);
	EXPECT_EQ(vfs_symlink(&t.v, "loop2", "/loop1"), 0);
	EXPECT_EQ(vfs_symlink(&t.v, "loop1", "/loop2"), 0);
	EXPECT_EQ(vfs_lookup(&t.v, "/loop1", true, &a), -FS_ELOOP);
	EXPECT_EQ(vfs_lookup(&t.v, "/loop1", false, &a), 0);
	EXPECT_EQ(vfs_lookup(&t.v, "/d", true, &a), 0);
	EXPECT_EQ(vfs_write(&a, 0, "x", 1, &done), -FS_EISDIR);
	/* Fill the FAT volume: ENOSPC, and what was written stays readable. */
	static char big[65536];
	int err = 0;
	EXPECT_EQ(vfs_create(&t.v, "/mnt/big", 0644, &a), 0);
	for (uint64_t off = 0; !err; off += done)
		err = vfs_write(&a, off, big, sizeof big, &done);
	EXPECT_EQ(err, -FS_ENOSPC);
	EXPECT_EQ(vfs_create(&t.v, "/mnt/one-more-file-with-a-long-name", 0644, &a), 0);
	EXPECT_EQ(vfs_write(&a, 0, big, 1, &done), -FS_ENOSPC);
	EXPECT_EQ(vfs_unlink(&t.v, "/mnt/big"), 0);
	EXPECT_EQ(vfs_sync(&t.v), 0);
	EXPECT_EQ(vfs_write(&a, 0, big, 1, &done), 0);
	unmount_two(&t);
}

UNIT_TEST(ext2_full_disk_gives_enospc_and_stays_fsck_clean)
{
	const char *dir = fst_dir("e2full");
	char img[600];
	static char big[65536];
	struct fst_mnt m;
	struct vfs_node a;
	size_t done;
	int err = 0, files = 0;

	snprintf(img, sizeof img, "%s/img", dir);
	EXPECT_EQ(fst_sh("mke2fs -q -F -t ext2 -b 1024 -N 64 %s 1M", img), 0);
	EXPECT_EQ(fst_mount(&m, img, "ext2", false), 0);
	EXPECT_EQ(vfs_create(&m.v, "/big", 0644, &a), 0);
	for (uint64_t off = 0; !err; off += done)
		err = vfs_write(&a, off, big, sizeof big, &done);
	EXPECT_EQ(err, -FS_ENOSPC);
	/* Inodes run out too. */
	for (err = 0; !err; files++) {
		char p[32];
		snprintf(p, sizeof p, "/f%d", files);
		err = vfs_create(&m.v, p, 0644, &a);
	}
	EXPECT_EQ(err, -FS_ENOSPC);
	EXPECT(files > 40);
	EXPECT_EQ(vfs_unlink(&m.v, "/big"), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/f0", true, &a), 0);
	/* The space freed comes back at the next sync, which a full disk forces. */
	EXPECT_EQ(vfs_write(&a, 0, big, sizeof big, &done), 0);
	EXPECT_EQ(done, sizeof big);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("e2fsck -fn %s", img), 0);
}

UNIT_TEST(device_read_errors_come_back_as_eio)
{
	const char *dir = fst_dir("eio");
	char img[600];
	struct fst_mnt m;
	struct vfs_node a;
	struct fs_stat st;

	snprintf(img, sizeof img, "%s/img", dir);
	EXPECT_EQ(fst_sh("mke2fs -q -F -t ext2 -b 1024 %s 2M", img), 0);
	EXPECT_EQ(fst_mount(&m, img, "ext2", true), 0);
	m.dev.fail_reads = true;
	/* The root's inode is cached; what is not read fails. */
	EXPECT_EQ(vfs_lookup(&m.v, "/lost+found/x", true, &a), -FS_EIO);
	m.dev.fail_reads = false;
	EXPECT_EQ(vfs_stat(&m.v, "/lost+found", true, &st), 0);
	EXPECT(FS_ISDIR(st.mode));
	fst_unmount(&m);
}
