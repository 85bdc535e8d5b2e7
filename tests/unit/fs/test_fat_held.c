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

/* A fresh FAT volume in scratch folder name, mounted; buf filled with bytes from mul. */
static void
fresh_volume(const char *name, char *img, size_t imglen, struct fst_mnt *m, uint8_t *buf, unsigned mul)
{
	snprintf(img, imglen, "%s/img", fst_dir(name));
	EXPECT_EQ(fst_sh("mkfs.fat -C %s 4096", img), 0);
	for (size_t i = 0; i < BIG; i++)
		buf[i] = (uint8_t)(i * mul + i / (mul * 70 + 7));
	EXPECT_EQ(fst_mount(m, img, "fat", false), 0);
}

static void
held(const char *name, bool by_unmount)
{
	char img[600], path[32];
	struct fst_mnt m;
	struct vfs_node n, other;
	struct fs_stat st;
	uint8_t *buf = malloc(BIG), *back = malloc(BIG), mine[700];
	uint64_t before;
	size_t done;

	fresh_volume(name, img, sizeof img, &m, buf, 11);
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

/*
 * A held file renamed (to another folder, then again) keeps its number: the
 * held node reads and writes on, a lookup of the new name finds the same
 * number, and the entry it left is not given to a new name while it is held.
 * A held folder renamed lists its files. Unlinked at its last name, it lives
 * until its last drop like any held file; fsck.fat -n then finds it clean.
 */
UNIT_TEST(fat_renamed_held_file_keeps_its_number)
{
	char img[600], path[32];
	struct fst_mnt m;
	struct vfs_node n, d, other;
	struct fs_stat st;
	struct fs_dirent de;
	uint8_t *buf = malloc(BIG), *back = malloc(BIG), mine[700];
	uint64_t before, cookie = 0;
	size_t done;
	int found = 0;

	fresh_volume("fatheld3", img, sizeof img, &m, buf, 7);
	before = bfree(&m);
	EXPECT_EQ(vfs_mkdir(&m.v, "/one", 0755), 0);
	EXPECT_EQ(vfs_mkdir(&m.v, "/two", 0755), 0);
	EXPECT_EQ(vfs_create(&m.v, "/one/Old Name.txt", FS_S_IFREG | 0644, &n), 0);
	EXPECT_EQ(vfs_write(&n, 0, buf, BIG / 2, &done), 0);
	EXPECT_EQ(vfs_hold(&n), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/two", true, &d), 0);
	EXPECT_EQ(vfs_hold(&d), 0);
	EXPECT_EQ(vfs_rename(&m.v, "/one/Old Name.txt", "/two/A New Name.txt"), 0);
	EXPECT_EQ(vfs_write(&n, BIG / 2, buf + BIG / 2, BIG / 4, &done), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/two/A New Name.txt", true, &other), 0);
	EXPECT_EQ(other.ino, n.ino);
	/* new names in both folders: none takes the held file's number */
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof path, i % 2 ? "/one/N%d" : "/two/N%d", i);
		memset(mine, 'a' + i, sizeof mine);
		EXPECT_EQ(vfs_create(&m.v, path, FS_S_IFREG | 0644, &other), 0);
		EXPECT(other.ino != n.ino);
		EXPECT_EQ(vfs_write(&other, 0, mine, sizeof mine, &done), 0);
	}
	EXPECT_EQ(vfs_rename(&m.v, "/two", "/three"), 0);	/* the folder too, held */
	EXPECT_EQ(vfs_getattr(&d, &st), 0);
	EXPECT(FS_ISDIR(st.mode));
	while (vfs_readdir(&d, &cookie, &de) == 1)
		found += strcmp(de.name, "A New Name.txt") == 0 && de.ino == n.ino;
	EXPECT_EQ(found, 1);
	EXPECT_EQ(vfs_rename(&m.v, "/three/A New Name.txt", "/Third.bin"), 0);
	EXPECT_EQ(vfs_write(&n, BIG / 2 + BIG / 4, buf + BIG / 2 + BIG / 4, BIG / 4, &done), 0);
	EXPECT_EQ(vfs_getattr(&n, &st), 0);
	EXPECT_EQ(st.nlink, 1);
	EXPECT_EQ(st.size, BIG);
	EXPECT_EQ(st.ino, n.ino);
	EXPECT_EQ(vfs_lookup(&m.v, "/Third.bin", true, &other), 0);
	EXPECT_EQ(other.ino, n.ino);
	EXPECT_EQ(vfs_read(&other, 0, back, BIG, &done), 0);
	EXPECT(done == BIG && memcmp(buf, back, BIG) == 0);
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof path, i % 2 ? "/one/N%d" : "/three/N%d", i);
		EXPECT_EQ(vfs_lookup(&m.v, path, true, &other), 0);
		EXPECT_EQ(vfs_read(&other, 0, back, sizeof mine, &done), 0);
		EXPECT(done == sizeof mine && back[0] == 'a' + i && back[sizeof mine - 1] == 'a' + i);
		EXPECT_EQ(vfs_unlink(&m.v, path), 0);
	}
	/* its last name goes: held, it lives on until the drop */
	EXPECT_EQ(vfs_unlink(&m.v, "/Third.bin"), 0);
	EXPECT_EQ(vfs_getattr(&n, &st), 0);
	EXPECT_EQ(st.nlink, 0);
	EXPECT_EQ(vfs_read(&n, 0, back, BIG, &done), 0);
	EXPECT(done == BIG && memcmp(buf, back, BIG) == 0);
	EXPECT_EQ(vfs_drop(&n), 0);
	EXPECT_EQ(vfs_getattr(&n, &st), -FS_ENOENT);
	EXPECT_EQ(vfs_drop(&d), 0);
	EXPECT_EQ(vfs_rmdir(&m.v, "/one"), 0);
	EXPECT_EQ(vfs_rmdir(&m.v, "/three"), 0);
	EXPECT_EQ(bfree(&m), before);
	EXPECT_EQ(fst_unmount(&m), 0);
	EXPECT_EQ(fst_sh("fsck.fat -n %s", img), 0);
	free(buf);
	free(back);
}
