/*
 * The fs and fat rows of make bench (tests/bench/README.md): a client of the fs
 * server (servers/fs) on a virtio-blk disk made by mke2fs -d (or mkfs.fat and
 * mcopy), booted by tools/bench/run.sh with the bootstrap, ns, the console, pci,
 * virtio_blk and fs:
 *
 *   fsbench BYTES [ROW]
 *                    ROW names the rows (fs, the default, on ext2; fat on FAT32):
 *                    fs_seq_read: /big read from its start, BYTES of it, in
 *                    64 KiB calls (out of line), on a cold cache;
 *                    fs_seq_write: BYTES written to a new file in 64 KiB calls,
 *                    then fs_sync (the row counts the bytes reaching the disk);
 *                    fs_create_delete: CD_FILES files of CD_BYTES each created
 *                    (open with O_CREAT, one write, close) in /cd, then each
 *                    unlinked, then fs_sync: busy instructions per file
 *
 * Each figure is busy instructions per 1,000 bytes: the rdtsc span
 * (instructions under -icount shift=0) less the kernel's halted cycles in it
 * (kernel_stats' idle_cycles), since the CPU idles while the disk works. It
 * counts every task's instructions: the client's, fs's, the driver's, the
 * kernel's. Leaves QEMU when done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/fsc.h>
#include <manifold/trap.h>
#include "fs_client.h"
#include "measure.h"

#define CHUNK (64 * 1024)

struct span {
	uint64_t tsc, idle;
};

static void
span_start(struct span *s)
{
	struct manifold_kernel_stats st;

	trap_raw(TRAP_kernel_stats, (uint32_t)&st, 0, 0, 0, 0);
	s->idle = (uint64_t)st.idle_cycles_hi << 32 | st.idle_cycles_lo;
	s->tsc = bench_rdtsc();
}

static uint64_t
span_busy(const struct span *s)
{
	struct manifold_kernel_stats st;
	uint64_t tsc = bench_rdtsc();

	trap_raw(TRAP_kernel_stats, (uint32_t)&st, 0, 0, 0, 0);
	return tsc - s->tsc - (((uint64_t)st.idle_cycles_hi << 32 | st.idle_cycles_lo) - s->idle);
}

static uint8_t buf[CHUNK];
static const char *row = "fs";	/* the rows' prefix: fs_seq_read or fat_seq_read... */

static int
seq_read(uint64_t bytes)
{
	struct span sp;
	mach_port_t f;
	uint64_t off = 0;
	kern_return_t kr = fsc_open("/big", FS_O_RDONLY, 0, &f);

	if (kr != KERN_SUCCESS)
		return printf("FAIL %s_seq_read: open /big: %s\n", row, kern_return_name(kr)), -1;
	span_start(&sp);
	while (off < bytes && kr == KERN_SUCCESS) {
		size_t got = 0;
		kr = fsc_read(f, off, buf, bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK, &got);
		if (got == 0)
			break;
		off += got;
	}
	uint64_t busy = span_busy(&sp);
	fsc_close(f);
	if (kr != KERN_SUCCESS || off != bytes)
		return printf("FAIL %s_seq_read: %s after %llu bytes\n", row, kern_return_name(kr), (unsigned long long)off), -1;
	printf("BENCH %s_seq_read %llu insns/kB\n", row, (unsigned long long)(busy * 1000 / bytes));
	printf("INFO %s_seq_read bytes %llu busy %llu\n", row, (unsigned long long)bytes, (unsigned long long)busy);
	return 0;
}

static int
seq_write(uint64_t bytes)
{
	struct span sp;
	mach_port_t f;
	uint64_t off = 0;
	kern_return_t kr = fsc_open("/written", FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0644, &f);

	if (kr != KERN_SUCCESS)
		return printf("FAIL %s_seq_write: open: %s\n", row, kern_return_name(kr)), -1;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	span_start(&sp);
	while (off < bytes && kr == KERN_SUCCESS) {
		size_t w = 0;
		kr = fsc_write(f, off, buf, bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK, &w);
		off += w;
	}
	if (kr == KERN_SUCCESS)
		kr = fs_sync(fsc_server());
	uint64_t busy = span_busy(&sp);
	fsc_close(f);
	if (kr != KERN_SUCCESS || off != bytes)
		return printf("FAIL %s_seq_write: %s after %llu bytes\n", row, kern_return_name(kr), (unsigned long long)off), -1;
	printf("BENCH %s_seq_write %llu insns/kB\n", row, (unsigned long long)(busy * 1000 / bytes));
	printf("INFO %s_seq_write bytes %llu busy %llu\n", row, (unsigned long long)bytes, (unsigned long long)busy);
	return 0;
}

#define CD_FILES 1000
#define CD_BYTES 1024

static int
create_delete(void)
{
	struct span sp;
	char path[32];
	kern_return_t kr = fs_mkdir(fsc_server(), "/cd", 0755);
	int n = 0;

	if (kr != KERN_SUCCESS)
		return printf("FAIL %s_create_delete: mkdir /cd: %s\n", row, kern_return_name(kr)), -1;
	span_start(&sp);
	for (n = 0; n < CD_FILES && kr == KERN_SUCCESS; n++) {
		mach_port_t f;
		size_t w = 0;

		snprintf(path, sizeof path, "/cd/f%04d", n);
		kr = fsc_open(path, FS_O_WRONLY | FS_O_CREAT | FS_O_EXCL, 0644, &f);
		if (kr != KERN_SUCCESS)
			break;
		kr = fsc_write(f, 0, buf, CD_BYTES, &w);
		fsc_close(f);
	}
	for (int i = 0; i < CD_FILES && kr == KERN_SUCCESS; i++) {
		snprintf(path, sizeof path, "/cd/f%04d", i);
		kr = fs_unlink(fsc_server(), path);
	}
	if (kr == KERN_SUCCESS)
		kr = fs_sync(fsc_server());
	uint64_t busy = span_busy(&sp);
	if (kr != KERN_SUCCESS)
		return printf("FAIL %s_create_delete: %s at file %d\n", row, kern_return_name(kr), n), -1;
	printf("BENCH %s_create_delete %llu insns\n", row, (unsigned long long)(busy / CD_FILES));
	printf("INFO %s_create_delete files %d busy %llu\n", row, CD_FILES, (unsigned long long)busy);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : 16u << 20;
	int rc;

	if (argc > 2)
		row = argv[2];
	if (!MACH_PORT_VALID(fsc_server())) {
		printf("FAIL fsbench: no file server\nfsbench: done\n");
		trap_debug_exit(0x11);
	}
	rc = seq_read(bytes) | seq_write(bytes) | create_delete();
	printf("fsbench: done\n");
	trap_debug_exit(rc ? 0x11 : 0x10);
	return rc;
}
