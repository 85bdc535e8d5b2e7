/*
 * FAT reads in runs: a 1 MiB file (mkfs.fat + mcopy, clusters of 4 KiB)
 * read in 64 KiB calls comes in as extents of adjacent sectors, one device
 * request each (fat_ops.c's extent, bcache_read_direct), not one per sector,
 * byte for byte; reads at scattered offsets read back right too; and a read
 * past the cache sees the bytes written but not yet synced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fat.h"
#include "fstest.h"
#include "unit.h"

UNIT_TEST(fat_sequential_reads_come_in_runs_byte_for_byte)
{
	const char *dir = fst_dir("fatra");
	char img[600], path[700];
	struct fst_mnt m;
	struct vfs_node n;
	size_t size = 0;
	uint64_t reqs;
	uint8_t *want;

	snprintf(img, sizeof img, "%s/img", dir);
	snprintf(path, sizeof path, "%s/big", dir);
	EXPECT_EQ(fst_sh("head -c 1048576 /dev/urandom > %s", path), 0);
	EXPECT_EQ(fst_sh("mkfs.fat -F 16 -s 8 -C %s 16384 && mcopy -i %s %s ::/BIG", img, img, path), 0);
	want = fst_load(path, &size);
	EXPECT(want != NULL && size == 1048576);
	EXPECT_EQ(fst_mount(&m, img, "fat", true), 0);
	EXPECT_EQ(vfs_lookup(&m.v, "/BIG", true, &n), 0);
	reqs = FAT_OF(m.fs)->bc->read_reqs;
	if (want)
		fst_read_sequential(&n, want, size);
	/* 2,048 sectors: one request each at first, then runs of up to 16 (a
	 * quarter of a 64-sector cache): 144; now each 64 KiB call's whole
	 * sectors go straight into its buffer, one request per extent (mcopy's
	 * clusters are adjacent), and the table's sectors on the way */
	reqs = FAT_OF(m.fs)->bc->read_reqs - reqs;
	printf("# FAT: 1 MiB in 64 KiB reads: %llu device reads\n", (unsigned long long)reqs);
	EXPECT(reqs <= 1048576 / 65536 + 16);
	if (want)
		fst_read_scattered(&n, want, size, 11);
	free(want);
	fst_unmount(&m);
}

UNIT_TEST(fat_reads_past_the_cache_see_unsynced_writes)
{
	const char *dir = fst_dir("fatdirect");
	char img[600];
	struct fst_mnt m;
	struct vfs_node n;
	static uint8_t want[65536], got[65536];
	size_t done = 0;

	snprintf(img, sizeof img, "%s/img", dir);
	EXPECT_EQ(fst_sh("mkfs.fat -F 16 -s 8 -C %s 16384 >/dev/null", img), 0);
	for (size_t i = 0; i < sizeof want; i++)
		want[i] = (uint8_t)(i * 13 + i / 512);
	EXPECT_EQ(fst_mount(&m, img, "fat", false), 0);
	EXPECT_EQ(vfs_create(&m.v, "/f", 0644, &n), 0);
	EXPECT_EQ(vfs_write(&n, 0, want, sizeof want, &done), 0);
	EXPECT_EQ(done, sizeof want);
	/* the sectors are dirty in the cache, the disk still holds zeroes */
	EXPECT_EQ(vfs_read(&n, 0, got, sizeof got, &done), 0);
	EXPECT_EQ(done, sizeof got);
	EXPECT_EQ(memcmp(got, want, sizeof got), 0);
	/* and from an odd place: the first sector partly, then whole ones */
	EXPECT_EQ(vfs_read(&n, 700, got, sizeof got - 700, &done), 0);
	EXPECT_EQ(done, sizeof got - 700);
	EXPECT_EQ(memcmp(got, want + 700, sizeof got - 700), 0);
	fst_unmount(&m);
}
