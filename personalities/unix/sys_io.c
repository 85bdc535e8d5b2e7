/*
 * Reading and writing through descriptors: read, write, readv, writev and
 * ioctl, each handed to the file's kind (fd.h's ops: tty.c, pipe.c, files.c).
 * A write that was held keeps its progress in p->io_done, the bytes of the
 * whole call already moved, so writev goes on where it stopped.
 */
#include <string.h>
#include "fd.h"
#include "fsfile.h"
#include "linux.h"
#include "pipe.h"
#include "syscall.h"
#include "tty.h"
#include "umem.h"

#define IOV_MAX_N 1024

/* Writes the iovecs in order; a short write of one ends the call (with what was written). */
static int32_t
write_iov(struct process *p, struct file *f, const struct lnx_iovec *iov, uint32_t n)
{
	uint32_t before = 0, total = p->io_done;

	if (!f->ops->write || (f->flags & LNX_O_ACCMODE) == LNX_O_RDONLY)
		return -LNX_EBADF;
	for (uint32_t i = 0; i < n; i++) {
		int32_t r;

		if (iov[i].len > 0x7FFFFFFFu - before)
			return -LNX_EINVAL;
		if (before + iov[i].len <= total || iov[i].len == 0) {
			before += iov[i].len;
			continue;
		}
		p->io_done = total - before;	/* this iovec's own progress, as the file counts it */
		r = f->ops->write(p, f, iov[i].base, iov[i].len);
		if (r == SYS_DEFER) {
			p->io_done += before;
			return SYS_DEFER;
		}
		if (r < 0)
			return total ? (int32_t)total : r;
		total = before + (uint32_t)r;
		if ((uint32_t)r < iov[i].len)
			return (int32_t)total;
		before += iov[i].len;
	}
	return (int32_t)total;
}

static int32_t
read_one(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	if (!f->ops->read || (f->flags & LNX_O_ACCMODE) == LNX_O_WRONLY)
		return -LNX_EBADF;
	if (len > 0x7FFFFFFFu)
		return -LNX_EINVAL;
	if (!len)	/* nothing to move: 0, but a folder is EISDIR whatever the count, as Linux's read says */
		return (f->ops->mode & LNX_S_IFMT) == LNX_S_IFDIR ? -LNX_EISDIR : 0;
	return f->ops->read(p, f, buf, len);
}

/* write_iov of one iovec, without its walk (a pipe's round trip is two writes). */
SYS(write)
{
	struct file *f = fd_get(p, a[0]);
	uint32_t before = p->io_done;	/* a held write's progress */
	int32_t r;

	if (!f || !f->ops->write || (f->flags & LNX_O_ACCMODE) == LNX_O_RDONLY)
		return -LNX_EBADF;
	if (a[2] > 0x7FFFFFFFu)
		return -LNX_EINVAL;
	if (a[2] == 0)
		return 0;
	r = f->ops->write(p, f, a[1], a[2]);
	return r < 0 && r != SYS_DEFER && before ? (int32_t)before : r;
}

static int
read_iovecs(struct process *p, uint32_t at, uint32_t n, struct lnx_iovec *iov)
{
	if (n > IOV_MAX_N)
		return -LNX_EINVAL;
	return n ? umem_read(p, at, iov, n * sizeof iov[0]) : 0;
}

SYS(writev)
{
	static struct lnx_iovec iov[IOV_MAX_N];	/* one call at a time: unix_lock */
	struct file *f = fd_get(p, a[0]);
	int r;

	if (!f)
		return -LNX_EBADF;
	if ((r = read_iovecs(p, a[1], a[2], iov)) != 0)
		return r;
	if (pipe_is_write_end(f)) {	/* one write of the whole: PIPE_BUF's atomicity is the call's */
		uint32_t total = 0;

		for (uint32_t i = 0; i < a[2]; i++) {
			if (iov[i].len > 0x7FFFFFFFu - total)
				return -LNX_EINVAL;
			total += iov[i].len;
		}
		return total ? pipe_writev(p, f, a[1], a[2], total) : 0;
	}
	return write_iov(p, f, iov, a[2]);
}

SYS(read)
{
	struct file *f = fd_get(p, a[0]);

	return f ? read_one(p, f, a[1], a[2]) : -LNX_EBADF;
}

/*
 * readv: a file of fs's fills the iovecs in order until one comes back short
 * (a disk file's reads never wait); any other kind reads into the first
 * iovec that has room (a short read is a read), since a second read could
 * wait after the first moved bytes.
 */
SYS(readv)
{
	static struct lnx_iovec iov[IOV_MAX_N];
	struct file *f = fd_get(p, a[0]);
	int32_t total = 0;
	int r;

	if (!f)
		return -LNX_EBADF;
	if ((r = read_iovecs(p, a[1], a[2], iov)) != 0)
		return r;
	for (uint32_t i = 0; i < a[2]; i++) {
		int32_t n;

		if (!iov[i].len)
			continue;
		if (!fsfile_is(f))
			return read_one(p, f, iov[i].base, iov[i].len);
		if (iov[i].len > 0x7FFFFFFFu - (uint32_t)total)
			return total ? total : -LNX_EINVAL;
		n = read_one(p, f, iov[i].base, iov[i].len);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint32_t)n < iov[i].len)
			break;
	}
	return total;
}

SYS(ioctl)
{
	struct file *f = fd_get(p, a[0]);

	if (!f)
		return -LNX_EBADF;
	if (!tty_is(f))
		return -LNX_ENOTTY;
	return tty_ioctl(p, a[1], a[2]);
}

/*
 * pread64 and pwrite64(fd, buf, count, offset low, offset high): at the offset
 * given, the file's own offset left as it was; only files that seek (fs's and
 * the view's regular files): ESPIPE for pipes, sockets and the console.
 */
static int32_t
at_offset(struct process *p, const uint32_t a[6], bool write)
{
	struct file *f = fd_get(p, a[0]);
	int64_t off = (int64_t)((uint64_t)a[4] << 32 | a[3]);
	uint64_t saved;
	int32_t r;

	if (!f)
		return -LNX_EBADF;
	if ((f->ops->mode & LNX_S_IFMT) != LNX_S_IFREG && (f->ops->mode & LNX_S_IFMT) != LNX_S_IFDIR)
		return -LNX_ESPIPE;
	if (off < 0)
		return -LNX_EINVAL;
	if (a[2] > 0x7FFFFFFFu)
		return -LNX_EINVAL;
	saved = f->offset;
	f->offset = (uint64_t)off;
	if (write) {
		struct lnx_iovec iov = { a[1], a[2] };

		r = write_iov(p, f, &iov, 1);
	} else {
		r = read_one(p, f, a[1], a[2]);
	}
	f->offset = saved;
	return r;
}

SYS(pread64)
{
	return at_offset(p, a, false);
}

SYS(pwrite64)
{
	return at_offset(p, a, true);
}
