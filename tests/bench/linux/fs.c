/*
 * The Linux side of the fs rows (tests/bench/README.md note 7): /init of an
 * initramfs of its own (tools/bench/run.sh's Linux fs boot). It loads the
 * modules listed in /lib/fsmods/order (virtio-blk on legacy PCI, ext4 and vfat,
 * with what they need: tools/bench/linux-fsmods.sh), mounts /dev/vda, a copy of
 * the image Manifold's fsbench runs on (ext2, 4 KiB blocks, /big), with ext4's
 * driver (which serves ext2), and makes the same three figures as fsbench.c.
 * With bench_fs=vfat on the kernel's command line (init's environment) the disk
 * is the FAT32 image of the fat rows, mounted as vfat, and the rows are named
 * fat_ instead of fs_:
 *
 *   fs_seq_read       /big read from its start, 16 MiB in 64 KiB read()s, cold
 *                     (just mounted); busy instructions per 1,000 bytes
 *   fs_seq_write      16 MiB written to a new file in 64 KiB write()s, then sync()
 *   fs_create_delete  1,000 files in a new folder, each open(O_CREAT|O_EXCL),
 *                     one 1 KiB write and close, then the 1,000 unlinked, then
 *                     sync(); busy instructions per file
 *
 * Busy instructions: the rdtsc span less a SCHED_IDLE spinner's share, as
 * bench-net does (tests/bench/remote/linux.c: Debian's 686 kernel ticks and
 * never says how long it idled). Leaves QEMU through isa-debug-exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "measure.h"

#define SPIN_INSNS 3	/* addl, adcl, jmp */
#define CHUNK (64 * 1024)
#define BYTES (16u << 20)
#define CD_FILES 1000
#define CD_BYTES 1024

static uint8_t buf[CHUNK];
static const char *row = "fs";	/* the rows' prefix: fs_seq_read or fat_seq_read... */
static volatile uint32_t spins[2];

struct span {
	uint64_t tsc, spins;
};

static uint64_t
spin_count(void)
{
	uint32_t hi, lo;

	do {
		hi = spins[1];
		lo = spins[0];
	} while (hi != spins[1]);
	return (uint64_t)hi << 32 | lo;
}

static void *
spin(void *unused)
{
	__asm__ volatile("1: addl $1, (%0)\n\tadcl $0, 4(%0)\n\tjmp 1b" : : "r"(spins) : "memory", "cc");
	return NULL;
}

static int
spinner_start(void)
{
	struct sched_param none = { 0 };
	pthread_attr_t a;
	pthread_t t;

	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_IDLE);
	pthread_attr_setschedparam(&a, &none);
	return pthread_create(&t, &a, spin, NULL) == 0 ? 0 : -1;
}

static void
span_start(struct span *s)
{
	s->spins = spin_count();
	s->tsc = bench_rdtsc();
}

static uint64_t
span_busy(const struct span *s)
{
	uint64_t tsc = bench_rdtsc();

	return tsc - s->tsc - SPIN_INSNS * (spin_count() - s->spins);
}

static int
fail(const char *what)
{
	printf("FAIL bench-fs: %s: %m\n", what);
	return -1;
}

static int
load_modules(void)
{
	char name[128], path[256];
	FILE *order = fopen("/lib/fsmods/order", "r");

	if (!order)
		return fail("/lib/fsmods/order");
	while (fscanf(order, "%127s", name) == 1) {
		snprintf(path, sizeof path, "/lib/fsmods/%s", name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
			fclose(order);
			return fail(path);
		}
		close(fd);
	}
	fclose(order);
	return 0;
}

static int
seq_read(void)
{
	struct span sp;
	uint64_t off = 0;
	int fd = open("/mnt/big", O_RDONLY);

	if (fd < 0)
		return fail("open /mnt/big");
	span_start(&sp);
	while (off < BYTES) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n <= 0)
			break;
		off += (uint64_t)n;
	}
	uint64_t busy = span_busy(&sp);
	close(fd);
	if (off != BYTES)
		return fail("read /mnt/big");
	printf("BENCH %s_seq_read %llu insns/kB\n", row, (unsigned long long)(busy * 1000 / BYTES));
	printf("INFO %s_seq_read bytes %u busy %llu\n", row, BYTES, (unsigned long long)busy);
	return 0;
}

static int
seq_write(void)
{
	struct span sp;
	uint64_t off = 0;
	int fd = open("/mnt/written", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return fail("open /mnt/written");
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	span_start(&sp);
	while (off < BYTES) {
		ssize_t n = write(fd, buf, CHUNK);
		if (n <= 0)
			break;
		off += (uint64_t)n;
	}
	sync();
	uint64_t busy = span_busy(&sp);
	close(fd);
	if (off != BYTES)
		return fail("write /mnt/written");
	printf("BENCH %s_seq_write %llu insns/kB\n", row, (unsigned long long)(busy * 1000 / BYTES));
	printf("INFO %s_seq_write bytes %u busy %llu\n", row, BYTES, (unsigned long long)busy);
	return 0;
}

static int
create_delete(void)
{
	struct span sp;
	char path[32];

	if (mkdir("/mnt/cd", 0755) != 0)
		return fail("mkdir /mnt/cd");
	span_start(&sp);
	for (int i = 0; i < CD_FILES; i++) {
		snprintf(path, sizeof path, "/mnt/cd/f%04d", i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || write(fd, buf, CD_BYTES) != CD_BYTES)
			return fail(path);
		close(fd);
	}
	for (int i = 0; i < CD_FILES; i++) {
		snprintf(path, sizeof path, "/mnt/cd/f%04d", i);
		if (unlink(path) != 0)
			return fail(path);
	}
	sync();
	uint64_t busy = span_busy(&sp);
	printf("BENCH %s_create_delete %llu insns\n", row, (unsigned long long)(busy / CD_FILES));
	printf("INFO %s_create_delete files %d busy %llu\n", row, CD_FILES, (unsigned long long)busy);
	return 0;
}

int
main(void)
{
	const char *type = getenv("bench_fs") ? getenv("bench_fs") : "ext2";
	int bad = 0;

	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY)
		bad = fail("mount /dev");
	if (!bad)
		bad = load_modules();
	/* the disk appears once virtio_blk has probed it */
	for (int i = 0; i < 200 && !bad && access("/dev/vda", F_OK) != 0; i++)
		usleep(10000);
	if (!strcmp(type, "vfat"))
		row = "fat";
	if (!bad && mount("/dev/vda", "/mnt", type, 0, NULL) != 0)
		bad = fail("mount /dev/vda on /mnt");
	if (!bad && spinner_start() != 0)
		bad = fail("the SCHED_IDLE spinner");
	if (!bad)
		bad = seq_read() | seq_write() | create_delete();
	if (!bad && umount("/mnt") != 0)
		bad = fail("umount /mnt");
	printf("fsbench: done\n");
	fflush(stdout);
	if (ioperm(0xf4, 4, 1) == 0)
		outb(bad ? 0x11 : 0x10, 0xf4);
	reboot(RB_POWER_OFF);
	return 0;
}
