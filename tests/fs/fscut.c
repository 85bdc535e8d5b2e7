/*
 * The guest's side of the power-cut campaign (tests/fs/powercut.py): a write
 * workload that runs until QEMU is killed. Each round writes
 * CUT_FILES_PER_ROUND files of known bytes (cutgen.h) into /synced (ext2) and
 * /dos/synced (FAT), churns /work and /dos/work (creates, writes at random
 * offsets, truncates, renames, unlinks), then fs_sync, and only then prints
 * `fscut: round R synced`: every file of a round printed must survive any
 * cut after the line, byte for byte, once e2fsck -p / fsck.fat -a repaired the
 * images. The module line's word is the seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/fsc.h>
#include "cutgen.h"
#include "fs_client.h"
#include "fs_file_client.h"

static uint8_t buf[CUT_MAX_LEN];
static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	return cut_next(&rng);
}

static kern_return_t
write_file(const char *path, const uint8_t *data, size_t n)
{
	mach_port_t f;
	size_t w = 0;
	kern_return_t kr = fsc_open(path, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0644, &f);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = fsc_write(f, 0, data, n, &w);
	fsc_close(f);
	return kr;
}

/* Changes in /work that nobody checks: the cut may fall in any of them. */
static void
churn(mach_port_t fs, const char *top)
{
	char a[64], b[64];
	mach_port_t f;
	size_t w;

	for (int i = 0; i < 6; i++) {
		snprintf(a, sizeof a, "%s/work/w%u", top, rnd() % 12);
		snprintf(b, sizeof b, "%s/work/w%u", top, rnd() % 12);
		switch (rnd() % 5) {
		case 0:
		case 1:
			if (fsc_open(a, FS_O_WRONLY | FS_O_CREAT, 0644, &f) == KERN_SUCCESS) {
				uint32_t n = rnd() % 30000 + 1;
				for (uint32_t j = 0; j < n; j++)
					buf[j] = (uint8_t)rnd();
				fsc_write(f, rnd() % 50000, buf, n, &w);
				fsc_close(f);
			}
			break;
		case 2:
			if (fsc_open(a, FS_O_WRONLY, 0, &f) == KERN_SUCCESS) {
				file_truncate(f, rnd() % 40000);
				fsc_close(f);
			}
			break;
		case 3:
			fs_rename(fs, a, b);
			break;
		default:
			fs_unlink(fs, a);
			break;
		}
	}
}

int
main(int argc, char **argv)
{
	uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
	mach_port_t fs = fsc_server();
	const char *tops[] = { "", "/dos" };
	char path[64];
	kern_return_t kr = KERN_SUCCESS;

	if (!MACH_PORT_VALID(fs)) {
		printf("fscut: no file server\n");
		return 1;
	}
	rng = seed * 7919u + 1;
	for (int t = 0; t < 2; t++) {
		snprintf(path, sizeof path, "%s/synced", tops[t]);
		fs_mkdir(fs, path, 0755);
		snprintf(path, sizeof path, "%s/work", tops[t]);
		fs_mkdir(fs, path, 0755);
	}
	printf("fscut: seed %u, writing\n", seed);
	for (uint32_t round = 1; kr == KERN_SUCCESS; round++) {
		for (int t = 0; t < 2 && kr == KERN_SUCCESS; t++) {
			for (uint32_t k = 0; k < CUT_FILES_PER_ROUND && kr == KERN_SUCCESS; k++) {
				snprintf(path, sizeof path, "%s/synced/r%u-%u", tops[t], round, k);
				cut_fill(seed, round, k, buf);
				kr = write_file(path, buf, cut_len(seed, round, k));
			}
			churn(fs, tops[t]);
		}
		if (kr == KERN_SUCCESS)
			kr = fs_sync(fs);
		if (kr == KERN_SUCCESS)
			printf("fscut: round %u synced\n", round);
	}
	printf("fscut: stopped: %s\n", kern_return_name(kr));
	return 1;
}
