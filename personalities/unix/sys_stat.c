/*
 * stat in its forms: statx (sys_fd.c), stat64, lstat64, fstat64 and
 * fstatat64, which give Linux i386's struct stat64 made from the same
 * struct lnx_statx every kind of file fills (files.c, fsfile.c).
 */
#include <string.h>
#include "fd.h"
#include "files.h"
#include "linux.h"
#include "syscall.h"
#include "umem.h"

int
stat_at(struct process *p, int32_t dirfd, uint32_t at, uint32_t flags, struct lnx_statx *st)
{
	char raw[PATH_MAX_], path[PATH_MAX_];
	struct umem_page cache = { 0 };
	int r;

	if (flags & ~(LNX_AT_EMPTY_PATH | LNX_AT_SYMLINK_NOFOLLOW | LNX_AT_NO_AUTOMOUNT | LNX_AT_STATX_SYNC_TYPE))
		return -LNX_EINVAL;
	/* the path first, whole (one short copy for most): whether it is empty is its first byte */
	if ((r = umem_read_str(p, &cache, at, raw, sizeof raw)) < 0)
		return r;
	if (raw[0] == '\0' && (flags & LNX_AT_EMPTY_PATH)) {
		struct file *f = dirfd == LNX_AT_FDCWD ? NULL : fd_get(p, (uint32_t)dirfd);

		if (dirfd == LNX_AT_FDCWD) {
			if ((r = files_resolve(p, LNX_AT_FDCWD, ".", path)) != 0)
				return r;
			return files_stat_path(p, path, true, st);
		}
		if (!f)
			return -LNX_EBADF;
		return files_stat_file(f, st);
	}
	if ((r = files_resolve(p, dirfd, raw, path)) != 0)
		return r;
	/* "l/" is what l points to, lstat or not, and "." a folder (a cwd entered through a link keeps its name) */
	return files_stat_path(p, path, !(flags & LNX_AT_SYMLINK_NOFOLLOW) || files_trailing_slash || files_last_dot, st);
}

/* Linux's new_encode_dev: what st_dev and st_rdev hold. */
static uint64_t
encode_dev(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | (major << 8) | ((uint64_t)(minor & ~0xffu) << 12);
}

static int
put_stat64(struct process *p, uint32_t buf, const struct lnx_statx *x)
{
	struct lnx_stat64 s;
	int64_t t;

	memset(&s, 0, sizeof s);
	s.dev = encode_dev(x->dev_major, x->dev_minor);
	s.ino32 = (uint32_t)x->ino;
	s.mode = x->mode;
	s.nlink = x->nlink;
	s.uid = x->uid;
	s.gid = x->gid;
	s.rdev = encode_dev(x->rdev_major, x->rdev_minor);
	s.size = (int64_t)x->size;
	s.blksize = x->blksize;
	s.blocks = x->blocks;
	memcpy(&t, x->times[0], 8), s.atime = (uint32_t)t;
	memcpy(&t, x->times[3], 8), s.mtime = (uint32_t)t;
	memcpy(&t, x->times[2], 8), s.ctime = (uint32_t)t;
	s.ino = x->ino;
	return umem_write_answer(p, buf, &s, sizeof s);
}

SYS(stat64)
{
	struct lnx_statx st;
	int r = stat_at(p, LNX_AT_FDCWD, a[0], 0, &st);

	return r ? r : put_stat64(p, a[1], &st);
}

SYS(lstat64)
{
	struct lnx_statx st;
	int r = stat_at(p, LNX_AT_FDCWD, a[0], LNX_AT_SYMLINK_NOFOLLOW, &st);

	return r ? r : put_stat64(p, a[1], &st);
}

SYS(fstat64)
{
	struct file *f = fd_get(p, a[0]);
	struct lnx_statx st;
	int r;

	if (!f)
		return -LNX_EBADF;
	if ((r = files_stat_file(f, &st)) != 0)
		return r;
	return put_stat64(p, a[1], &st);
}

/* fstatat64(dirfd, path, buf, flags) */
SYS(fstatat64)
{
	struct lnx_statx st;
	int r = stat_at(p, (int32_t)a[0], a[1], a[3], &st);

	return r ? r : put_stat64(p, a[2], &st);
}
