/*
 * FAT reads in runs: a 1 MiB file (mkfs.fat + mcopy, clusters of 4 KiB)
 * read in 64 KiB calls comes in as runs of adjacent sectors, one device
 * request each (fat_ops.c's fetch), not one per sector, byte for byte; reads
 * at scattered offsets read back right too.
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
	/* 2,048 sectors: one request each before; runs of up to 16 (a quarter of
	 * the test's 64-sector cache), and the table's sectors on the way */
	reqs = FAT_OF(m.fs)->bc->read_reqs - reqs;
	printf("# FAT: 1 MiB in 64 KiB reads: %llu device reads\n", (unsigned long long)reqs);
	EXPECT(reqs <= 2048 / 16 + 16);
	if (want)
		fst_read_scattered(&n, want, size, 11);
	free(want);
	fst_unmount(&m);
}
