/* The image-file block device of the host tests (imgdev.h). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fs_error.h"
#include "imgdev.h"

static int
img_read(struct blkdev *bd, uint64_t lba, uint32_t n, void *buf)
{
	struct imgdev *d = (struct imgdev *)bd;
	size_t len = (size_t)n * bd->sector_size;

	if (d->fail_reads || lba + n > bd->sectors)
		return -FS_EIO;
	if (d->mem) {
		memcpy(buf, d->mem + lba * bd->sector_size, len);
		return 0;
	}
	return pread(d->fd, buf, len, (off_t)(lba * bd->sector_size)) == (ssize_t)len ? 0 : -FS_EIO;
}

static int
img_write(struct blkdev *bd, uint64_t lba, uint32_t n, const void *buf)
{
	struct imgdev *d = (struct imgdev *)bd;
	size_t len = (size_t)n * bd->sector_size;

	if (lba + n > bd->sectors)
		return -FS_EIO;
	if (d->budget == 0) {
		d->dropped++;
		return 0;
	}
	if (d->budget > 0)
		d->budget--;
	d->writes++;
	if (d->touched)
		memset(d->touched + lba, 1, n);
	if (d->mem) {
		memcpy(d->mem + lba * bd->sector_size, buf, len);
		return 0;
	}
	return pwrite(d->fd, buf, len, (off_t)(lba * bd->sector_size)) == (ssize_t)len ? 0 : -FS_EIO;
}

/* Runs go piece by piece: a cut can fall inside one, as on a real disk. */
static int
img_readv(struct blkdev *bd, uint64_t lba, uint32_t n, void *const *bufs, uint32_t piece)
{
	uint32_t per = piece / bd->sector_size;
	int err = 0;

	((struct imgdev *)bd)->requests++;
	for (uint32_t i = 0; i < n / per && !err; i++)
		err = img_read(bd, lba + (uint64_t)i * per, per, bufs[i]);
	return err;
}

static int
img_writev(struct blkdev *bd, uint64_t lba, uint32_t n, const void *const *bufs, uint32_t piece)
{
	uint32_t per = piece / bd->sector_size;
	int err = 0;

	((struct imgdev *)bd)->requests++;
	for (uint32_t i = 0; i < n / per && !err; i++)
		err = img_write(bd, lba + (uint64_t)i * per, per, bufs[i]);
	return err;
}

static int
img_flush(struct blkdev *bd)
{
	return 0;
}

int
imgdev_open(struct imgdev *d, const char *path)
{
	struct stat st;

	d->mem = NULL;
	d->touched = NULL;
	d->fd = open(path, O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &st) < 0)
		return -FS_EIO;
	d->dev = (struct blkdev){ 512, (uint64_t)st.st_size / 512, img_read, img_write, img_flush, img_readv, img_writev };
	d->writes = d->dropped = d->requests = 0;
	d->budget = -1;
	d->fail_reads = false;
	return 0;
}

void
imgdev_open_mem(struct imgdev *d, uint8_t *mem, uint64_t size)
{
	d->dev = (struct blkdev){ 512, size / 512, img_read, img_write, img_flush, img_readv, img_writev };
	d->fd = -1;
	d->mem = mem;
	d->touched = NULL;
	d->writes = d->dropped = d->requests = 0;
	d->budget = -1;
	d->fail_reads = false;
}

void
imgdev_close(struct imgdev *d)
{
	if (d->fd >= 0)
		close(d->fd);
}
