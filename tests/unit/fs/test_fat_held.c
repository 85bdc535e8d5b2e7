/*
 * FAT files unlinked while held open (fat_held.c): the bytes stay readable
 * and writable through the held node, whose number no new name takes, until
 * the last drop (or the unmount) frees the clusters; fsck.fat -n then finds
 * the volume clean with every cluster back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fstest.h"
#include "unit.h"

#define BIG (60 * 1024)

static uint64_t
bfree(struct fst_mnt *m)
{
	struct fs_statfs s;

	EXPECT_EQ(vfs_fs_sync(m->fs), 0);
	EXPECT_EQ(vfs_fs_statfs(m->fs, &s), 0);
	return s.bfree;
}

static void
held(const char *name, bool by_unmount)
{
	const char *dir = fst_dir(name);
	char img[600], path[32];
	struct fst_mnt m;
	struct vfs_node n, other;
	struct fs_stat st;
	uint8_t *buf = malloc(BIG), *back = malloc(BIG), mine[700];
	uint64_t before;
	size_t done;

	snprintf(img, sizeof img, "%s/img", dir);
	EXPECT_EQ(fst_sh("mkfs.fat -C %s 4096", img), 0);
	for (size_t i = 0; i < BIG; i++)
		buf[i] = (uint8_t)(i * 11 + i / 777);
	EXPECT_EQ(fst_mount(&m, img, "fat", false), 0);
	before = bfree(&m);
	EXPECT_EQ(vfs_create(&m.v, "/A Long Name.bin", FS_S_IFREG | 0644, &n), 0);
	EXPECT_EQ(vfs_write(&n, 0, buf, BIG / 2, &done), 0);
	EXPECT(vfs_can_hold(&n));
	EXPECT_EQ(vfs_hold(&n), 0);
	EXPECT_EQ(vfs_hold(&n), 0);	/* two holders: one drop does not end it */
	EXPECT_EQ(vfs_unlink(&m.v, "/A Long Name.bin"), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/A Long Name.bin", true, &other), -FS_ENOENT);
	/* new names take the freed entries, but never the held file's number */
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof path, "/N%d", i);
		memset(mine, 'a' + i, sizeof mine);
		EXPECT_EQ(vfs_create(&m.v, path, FS_S_IFREG | 0644, &other), 0);
		EXPECT(other.ino != n.ino);
		EXPECT_EQ(vfs_write(&other, 0, mine, sizeof mine, &done), 0);
	}
	/* still a file: written on past its old end, read back whole */
	EXPECT_EQ(vfs_write(&n, BIG / 2, buf + BIG / 2, BIG / 2, &done), 0);
	EXPECT_EQ(vfs_drop(&n), 0);
	EXPECT_EQ(vfs_getattr(&n, &st), 0);
	EXPECT_EQ(st.nlink, 0);
	EXPECT_EQ(st.size, BIG);
	EXPECT_EQ(vfs_read(&n, 0, back, BIG, &done), 0);
	EXPECT_EQ(done, BIG);
	EXPECT(memcmp(buf, back, BIG) == 0);
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof path, "/N%d", i);
		EXPECT_EQ(vfs_lookup(&m.v, path, true, &other), 0);
		EXPECT_EQ(vfs_read(&other, 0, back, sizeof mine, &done), 0);
		EXPECT(done == sizeof mine && back[0] == 'a' + i && back[sizeof mine - 1] == 'a' + i);
		EXPECT_EQ(vfs_unlink(&m.v, path), 0);
	}
	EXPECT(bfree(&m) < before);	/* its clusters are still its */
	if (!by_unmount) {
		EXPECT_EQ(vfs_drop(&n), 0);
		EXPECT_EQ(vfs_getattr(&n, &st), -FS_ENOENT);	/* gone: the number names nothing */
		EXPECT_EQ(bfree(&m), before);
	}
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("fsck.fat -n %s", img), 0);
	EXPECT_EQ(fst_mount(&m, img, "fat", true), 0);
	EXPECT_EQ(bfree(&m), before);
	fst_unmount(&m);
	free(buf);
	free(back);
}

UNIT_TEST(fat_unlinked_file_lives_until_its_last_drop) { held("fatheld1", false); }
UNIT_TEST(fat_unlinked_held_file_is_freed_by_unmount) { held("fatheld2", true); }
