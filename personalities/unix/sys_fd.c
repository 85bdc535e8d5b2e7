/*
 * Descriptor calls: dup, dup2, dup3, fcntl, close, pipe, pipe2, and those
 * that name files by path: open, openat, statx, access, faccessat, and the
 * working directory (getcwd, chdir, fchdir), with umask recorded. Seeking
 * (lseek, _llseek) moves an image file's offset; pipes and the console
 * cannot seek (ESPIPE).
 */
#include <stdio.h>
#include <string.h>
#include "fd.h"
#include "files.h"
#include "fs_client.h"
#include "fsfile.h"
#include "image.h"
#include "linux.h"
#include "pipe.h"
#include "procfs.h"
#include "syscall.h"
#include "umem.h"

SYS(dup)
{
	struct file *f = fd_get(p, a[0]);

	if (!f)
		return -LNX_EBADF;
	file_ref(f);
	return fd_install(p, f, 0, false);
}

static int32_t
dup_to(struct process *p, uint32_t old, uint32_t new, bool cloexec)
{
	struct file *f = fd_get(p, old);

	if (!f)
		return -LNX_EBADF;
	if (new >= FD_MAX)
		return -LNX_EBADF;
	fd_install_at(p, f, new, cloexec);
	return (int32_t)new;
}

SYS(dup2)
{
	if (a[0] == a[1])
		return fd_get(p, a[0]) ? (int32_t)a[0] : -LNX_EBADF;
	return dup_to(p, a[0], a[1], false);
}

SYS(dup3)
{
	if (a[2] & ~LNX_O_CLOEXEC)
		return -LNX_EINVAL;
	if (a[0] == a[1])
		return -LNX_EINVAL;
	return dup_to(p, a[0], a[1], a[2] & LNX_O_CLOEXEC);
}

/* fcntl64(fd, cmd, arg): duplicating, the descriptor's flags and the file's status flags. */
SYS(fcntl64)
{
	struct file *f = fd_get(p, a[0]);

	if (!f)
		return -LNX_EBADF;
	switch (a[1]) {
	case LNX_F_DUPFD:
	case LNX_F_DUPFD_CLOEXEC:
		if (a[2] >= FD_MAX)
			return -LNX_EINVAL;
		file_ref(f);
		return fd_install(p, f, a[2], a[1] == LNX_F_DUPFD_CLOEXEC);
	case LNX_F_GETFD:
		return p->fds->flags[a[0]] & FD_CLOEXEC_BIT ? LNX_FD_CLOEXEC : 0;
	case LNX_F_SETFD:
		p->fds->flags[a[0]] = a[2] & LNX_FD_CLOEXEC ? FD_CLOEXEC_BIT : 0;
		return 0;
	case LNX_F_GETFL:
		return (int32_t)f->flags;
	case LNX_F_SETFL:
		/* only these change; the access mode stays (Linux ignores the rest) */
		f->flags = (f->flags & ~(LNX_O_NONBLOCK | LNX_O_APPEND)) | (a[2] & (LNX_O_NONBLOCK | LNX_O_APPEND));
		server_retry_held();	/* a held read may now answer EAGAIN */
		return 0;
	}
	return -LNX_EINVAL;
}

SYS(close)
{
	return fd_close(p, a[0]);
}

static int32_t
make_pipe(struct process *p, uint32_t at, uint32_t flags)
{
	struct file *rd, *wr;
	int32_t fds[2];
	int r;

	if (flags & ~(LNX_O_CLOEXEC | LNX_O_NONBLOCK))
		return -LNX_EINVAL;
	if ((r = pipe_create(flags, &rd, &wr)) != 0)
		return r;
	fds[0] = fd_install(p, rd, 0, flags & LNX_O_CLOEXEC);
	if (fds[0] < 0) {
		file_unref(wr);
		return fds[0];
	}
	fds[1] = fd_install(p, wr, 0, flags & LNX_O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(p, (uint32_t)fds[0]);
		return fds[1];
	}
	if ((r = umem_write(p, at, fds, sizeof fds)) != 0) {
		fd_close(p, (uint32_t)fds[0]);
		fd_close(p, (uint32_t)fds[1]);
		return r;
	}
	return 0;
}

SYS(pipe)
{
	return make_pipe(p, a[0], 0);
}

SYS(pipe2)
{
	return make_pipe(p, a[0], a[1]);
}

/* A path argument, absolute and plain, in out. */
int
path_arg(struct process *p, int32_t dirfd, uint32_t at, char *out)
{
	char raw[PATH_MAX_];
	struct umem_page cache = { 0 };
	int r = umem_read_str(p, &cache, at, raw, sizeof raw);

	if (r < 0)
		return r;
	return files_resolve(p, dirfd, raw, out);
}

static int32_t
do_open(struct process *p, int32_t dirfd, uint32_t at, uint32_t flags, uint32_t mode)
{
	char path[PATH_MAX_];
	struct file *f;
	int r;

	if (flags & LNX_O_CREAT) {
		char raw[PATH_MAX_];
		struct umem_page cache = { 0 };

		if ((r = umem_read_str(p, &cache, at, raw, sizeof raw)) < 0)
			return r;
		if ((r = files_resolve_parent(p, dirfd, raw, path)) != 0)
			return r;
		if (files_trailing_slash)
			return -LNX_EISDIR;	/* "a/" with O_CREAT: only a folder could be meant, and open makes none */
	} else if ((r = path_arg(p, dirfd, at, path)) != 0) {
		return r;
	}
	if (files_trailing_slash || files_last_dot)
		flags &= ~(uint32_t)LNX_O_NOFOLLOW;	/* "l/", ".", "..": followed whatever O_NOFOLLOW says, as Linux */
	if (!(f = files_open(p, path, flags, mode & 07777 & ~p->umask, &r)))
		return r;
	return fd_install(p, f, 0, flags & LNX_O_CLOEXEC);
}

SYS(open)
{
	return do_open(p, LNX_AT_FDCWD, a[0], a[1], a[2]);
}

SYS(openat)
{
	return do_open(p, (int32_t)a[0], a[1], a[2], a[3]);
}

/* statx(dirfd, path, flags, mask, buf): a path, or with AT_EMPTY_PATH and "" the descriptor itself. */
SYS(statx)
{
	struct lnx_statx st;
	int r;

	if ((r = stat_at(p, (int32_t)a[0], a[1], a[2], &st)) != 0)
		return r;
	return umem_write_answer(p, a[4], &st, sizeof st);
}

static int32_t
do_access(struct process *p, int32_t dirfd, uint32_t at, uint32_t mode)
{
	struct lnx_statx st;
	char path[PATH_MAX_];
	int r;

	if (mode & ~7u)
		return -LNX_EINVAL;
	if ((r = path_arg(p, dirfd, at, path)) != 0 || (r = files_stat_path(p, path, true, &st)) != 0)
		return r;
	if (fsfile_owns(path)) {
		/* root's rights (every uid is 0): X_OK needs an x bit somewhere, or a folder */
		if ((mode & 1) && (st.mode & LNX_S_IFMT) != LNX_S_IFDIR && !(st.mode & 0111))
			return -LNX_EACCES;
		return 0;
	}
	if ((mode & 2) && (st.mode & LNX_S_IFMT) != LNX_S_IFCHR)
		return -LNX_EROFS;	/* W_OK: only the devices can be written */
	return 0;
}

SYS(access)
{
	return do_access(p, LNX_AT_FDCWD, a[0], a[1]);
}

SYS(faccessat)
{
	return do_access(p, (int32_t)a[0], a[1], a[2]);
}

SYS(getcwd)
{
	size_t n = strlen(p->cwd) + 1;
	int r;

	if (a[1] < n)
		return -LNX_ERANGE;
	if ((r = umem_write(p, a[0], p->cwd, n)) != 0)
		return r;
	return (int32_t)n;
}

static int32_t
change_dir(struct process *p, const char *path)
{
	static char real[PATH_MAX_];
	struct lnx_statx st;
	int r;

	if ((r = files_stat_path(p, path, true, &st)) != 0)
		return r;
	if ((st.mode & LNX_S_IFMT) != LNX_S_IFDIR)
		return -LNX_ENOTDIR;
	if ((r = files_real(path, real)) != 0)
		return r;
	if (strlen(real) >= sizeof p->cwd)
		return -LNX_ENAMETOOLONG;
	strcpy(p->cwd, real);
	return 0;
}

SYS(chdir)
{
	char path[PATH_MAX_];
	int r;

	if ((r = path_arg(p, LNX_AT_FDCWD, a[0], path)) != 0)
		return r;
	return change_dir(p, path);
}

SYS(fchdir)
{
	struct file *f = fd_get(p, a[0]);
	const char *path;

	if (!f)
		return -LNX_EBADF;
	if (!(path = files_dir_path(f)))
		return -LNX_ENOTDIR;
	return change_dir(p, path);
}

SYS(umask)
{
	uint32_t old = p->umask;

	p->umask = a[0] & 0777;
	return (int32_t)old;
}

/* lseek on what can seek (an image); the new offset, which must fit 32 bits here. */
static int64_t
seek(struct process *p, uint32_t fd, int64_t off, uint32_t whence)
{
	struct file *f = fd_get(p, fd);
	struct lnx_statx st = { 0 };
	int64_t base;
	int r;

	if (!f)
		return -LNX_EBADF;
	if ((f->ops->mode & LNX_S_IFMT) == LNX_S_IFDIR) {
		if (whence != LNX_SEEK_SET || off != 0)
			return -LNX_EINVAL;	/* a folder goes back to its start (rewinddir), nowhere else */
		f->offset = 0;
		return 0;
	}
	if ((f->ops->mode & LNX_S_IFMT) != LNX_S_IFREG)
		return -LNX_ESPIPE;
	if ((whence == LNX_SEEK_END || whence == 3 || whence == 4) && (r = files_stat_file(f, &st)) != 0)
		return r;
	if (whence == 3 || whence == 4) {
		/* SEEK_DATA and SEEK_HOLE: no hole is known inside a file, its end is one */
		if (off < 0 || (uint64_t)off >= st.size)
			return -6;	/* ENXIO */
		f->offset = whence == 3 ? (uint64_t)off : st.size;
		return (int64_t)f->offset;
	}
	base = whence == LNX_SEEK_SET ? 0 : whence == LNX_SEEK_CUR ? (int64_t)f->offset
		: whence == LNX_SEEK_END ? (int64_t)st.size : -1;
	if (base < 0)
		return -LNX_EINVAL;
	if (base + off < 0)
		return -LNX_EINVAL;
	f->offset = (uint64_t)(base + off);
	return (int64_t)f->offset;
}

SYS(lseek)
{
	int64_t r = seek(p, a[0], (int32_t)a[1], a[2]);

	return r > 0x7FFFFFFF ? -LNX_EOVERFLOW : (int32_t)r;
}

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence) */
SYS(_llseek)
{
	int64_t r = seek(p, a[0], (int64_t)((uint64_t)a[1] << 32 | a[2]), a[4]);

	if (r < 0)
		return (int32_t)r;
	return umem_write(p, a[3], &r, sizeof r);
}

/* getdents64(fd, struct linux_dirent64 *, count): a folder of the view's entries. */
SYS(getdents64)
{
	struct file *f = fd_get(p, a[0]);

	if (!f)
		return -LNX_EBADF;
	return files_getdents(p, f, a[1], a[2]);
}

/* readlink(path, buf, size) and readlinkat: fs's links, and /proc's (/proc/self, exe, fd/N). */
static int32_t
do_readlink(struct process *p, int32_t dirfd, uint32_t at, uint32_t buf, uint32_t size)
{
	char path[PATH_MAX_], target[PATH_MAX_];
	struct lnx_statx st;
	size_t n;
	int r;

	if ((int32_t)size <= 0)
		return -LNX_EINVAL;
	if ((r = path_arg(p, dirfd, at, path)) != 0)
		return r;
	if (files_trailing_slash) {
		/* "l/" is what l points to, a folder if anything: no link */
		if ((r = files_stat_path(p, path, true, &st)) != 0)
			return r;
		return (st.mode & LNX_S_IFMT) == LNX_S_IFDIR ? -LNX_EINVAL : -LNX_ENOTDIR;
	}
	if (fsfile_owns(path)) {
		kern_return_t kr = fs_readlink(fsfile_server, path, target);

		if (kr != KERN_SUCCESS)
			return fsfile_err(kr);
	} else if ((r = procfs_link(p, path, target, sizeof target)) < 0) {
		if (r != -LNX_EINVAL)
			return r;
		return (r = files_stat_path(p, path, false, &st)) != 0 ? r : -LNX_EINVAL;	/* there, but no link */
	}
	n = strlen(target) < size ? strlen(target) : size;	/* no NUL, and cut to fit, as Linux */
	if ((r = umem_write(p, buf, target, n)) != 0)
		return r;
	return (int32_t)n;
}

SYS(readlink)
{
	return do_readlink(p, LNX_AT_FDCWD, a[0], a[1], a[2]);
}

SYS(readlinkat)
{
	return do_readlink(p, (int32_t)a[0], a[1], a[2], a[3]);
}
