/*
 * The calls that change the tree or a file's attributes, on fs's paths
 * (fsfile.h): mkdir, rmdir, unlink, rename, link, symlink in their plain
 * and *at forms, chmod, chown, utimensat, truncate, ftruncate, fsync. The
 * view of boot modules cannot change: there they answer EROFS where the path
 * exists (or its folder does), ENOENT elsewhere.
 */
#include <stdio.h>
#include <string.h>
#include <manifold/fsc.h>
#include "fd.h"
#include "files.h"
#include "fs_client.h"
#include "fs_file_client.h"
#include "fsfile.h"
#include "linux.h"
#include "syscall.h"
#include "umem.h"

/* fs's setattr fields (servers/fs/fs.h's FS_SET_*, the wire's values) */
#define SET_MODE  1u
#define SET_UID   2u
#define SET_GID   4u
#define SET_ATIME 8u
#define SET_MTIME 16u

/* What a path's last word is (trailing slashes aside): Linux refuses the calls below on "." and "..". */
enum last { LAST_NORM, LAST_DOT, LAST_DOTDOT };

static enum last last_word;	/* [U] of the path changing() read last */
static bool trailing;		/* [U] and whether it ended with a slash */

static enum last
last_of(const char *raw)
{
	size_t n = strlen(raw);
	size_t end, start;

	while (n > 1 && raw[n - 1] == '/')
		n--;
	end = n;
	start = end;
	while (start > 0 && raw[start - 1] != '/')
		start--;
	if (end - start == 1 && raw[start] == '.')
		return LAST_DOT;
	if (end - start == 2 && raw[start] == '.' && raw[start + 1] == '.')
		return LAST_DOTDOT;
	return LAST_NORM;
}

/*
 * A path argument for a change: resolved into out, 0 if fs has it, else the
 * view's answer; last_word says what its last word was.
 */
static int
changing(struct process *p, int32_t dirfd, uint32_t at, char *out)
{
	struct lnx_statx st;
	char raw[PATH_MAX_], parent[PATH_MAX_];
	struct umem_page cache = { 0 };
	char *slash;
	int r;

	if ((r = umem_read_str(p, &cache, at, raw, sizeof raw)) < 0)
		return r;
	if ((r = files_resolve_parent(p, dirfd, raw, out)) != 0)
		return r;
	last_word = last_of(raw);
	trailing = files_trailing_slash;
	if (fsfile_owns(out))
		return 0;
	strcpy(parent, out);
	slash = strrchr(parent, '/');
	slash[slash == parent] = '\0';
	if (files_stat_path(p, out, false, &st) == 0 || files_stat_path(p, parent, true, &st) == 0)
		return -LNX_EROFS;
	return -LNX_ENOENT;
}

static bool
exists(const char *path)
{
	struct fsc_stat st;

	return fsc_stat(path, false, &st) == KERN_SUCCESS;
}

/* Whether the folder holding path is there and a folder: 0, -ENOENT, -ENOTDIR. */
static int
parent_ok(struct process *p, const char *path)
{
	char parent[PATH_MAX_];
	struct lnx_statx st;
	char *slash;
	int r;

	strcpy(parent, path);
	slash = strrchr(parent, '/');
	slash[slash == parent] = '\0';
	if ((r = files_stat_path(p, parent, true, &st)) != 0)
		return r;
	return (st.mode & LNX_S_IFMT) == LNX_S_IFDIR ? 0 : -LNX_ENOTDIR;
}

static int32_t
do_mkdir(struct process *p, int32_t dirfd, uint32_t at, uint32_t mode)
{
	char path[PATH_MAX_];
	int r = changing(p, dirfd, at, path);

	if (r == 0 && last_word != LAST_NORM)
		r = -LNX_EEXIST;
	/* mkdir keeps the sticky bit, not set-id bits (Linux: S_IRWXUGO | S_ISVTX) */
	return r ? r : fsfile_err(fs_mkdir(fsfile_server, path, mode & 01777 & ~p->umask));
}

SYS(mkdir)
{
	return do_mkdir(p, LNX_AT_FDCWD, a[0], a[1]);
}

SYS(mkdirat)
{
	return do_mkdir(p, (int32_t)a[0], a[1], a[2]);
}

static int32_t
do_unlink(struct process *p, int32_t dirfd, uint32_t at, bool dir)
{
	char path[PATH_MAX_];
	int r = changing(p, dirfd, at, path);

	if (r)
		return r;
	if (last_word != LAST_NORM)	/* Linux's answers: rmdir(".") EINVAL, rmdir("..") ENOTEMPTY, unlink EISDIR */
		return !dir ? -LNX_EISDIR : last_word == LAST_DOT ? -LNX_EINVAL : -LNX_ENOTEMPTY;
	if (trailing) {
		/* "x/": rmdir and unlink look at x itself, not where a link points: Linux's answers */
		struct fsc_stat st;
		kern_return_t kr = fsc_stat(path, false, &st);

		if (kr != KERN_SUCCESS)
			return fsfile_err(kr);
		if ((st.mode & LNX_S_IFMT) != LNX_S_IFDIR)
			return -LNX_ENOTDIR;
		if (!dir)
			return -LNX_EISDIR;
	}
	if ((r = fsgone_hide(path, dir)) != 0)
		return r < 0 ? r : 0;	/* open: hidden until its last close */
	return fsfile_err(dir ? fs_rmdir(fsfile_server, path) : fs_unlink(fsfile_server, path));
}

SYS(unlink)
{
	return do_unlink(p, LNX_AT_FDCWD, a[0], false);
}

SYS(rmdir)
{
	return do_unlink(p, LNX_AT_FDCWD, a[0], true);
}

/* unlinkat(dirfd, path, flags): AT_REMOVEDIR makes it rmdir */
SYS(unlinkat)
{
	if (a[2] & ~LNX_AT_REMOVEDIR)
		return -LNX_EINVAL;
	return do_unlink(p, (int32_t)a[0], a[1], a[2] & LNX_AT_REMOVEDIR);
}

static bool link_dir;	/* [U] two_paths for link: the old name is "x/", a folder */

/* Two paths for rename and link: both must be fs's (the view's are EROFS, across them EXDEV). */
static int
two_paths(struct process *p, int32_t d1, uint32_t at1, int32_t d2, uint32_t at2, char *from, char *to, bool link_)
{
	int r1 = changing(p, d1, at1, from), r2, r;
	enum last l1 = last_word;

	link_dir = false;
	bool t1 = trailing;

	/* the old name's folders are walked before the new name is looked at, as Linux does */
	if (r1 == 0 && (r = parent_ok(p, from)) != 0)
		return r;
	if (r1 == 0 && link_) {
		/* link looks the old name up whole first (ENOENT; "x/" follows x) */
		struct fsc_stat st;
		kern_return_t kr = fsc_stat(from, t1, &st);

		if (kr != KERN_SUCCESS)
			return fsfile_err(kr);
		if (t1 && (st.mode & LNX_S_IFMT) != LNX_S_IFDIR)
			return -LNX_ENOTDIR;
		link_dir = t1;	/* "x/" names a folder, which gets no second name: do_link says so last */
	}

	if (r1 && r1 != -LNX_EROFS)
		return r1;
	r2 = changing(p, d2, at2, to);
	if (r2 && r2 != -LNX_EROFS)
		return r2;
	if (r1 != r2)
		return -LNX_EXDEV;	/* one in fs, one in the view */
	if (r1 == 0 && (r = parent_ok(p, to)) != 0)
		return r;	/* then the new name's folders */
	if (r1 == 0 && link_ && trailing)
		return exists(to) ? -LNX_EEXIST : -LNX_ENOENT;	/* a new name a slash ends */
	/* both folders must be there before the last words are judged, as Linux walks them */
	if (r1 == 0 && (l1 != LAST_NORM || last_word != LAST_NORM) &&
	    ((r = parent_ok(p, from)) != 0 || (r = parent_ok(p, to)) != 0))
		return r;
	/* Linux: "." or ".." can be neither renamed nor made (a link to a folder is fs's EPERM) */
	if (r1 == 0 && link_ && last_word != LAST_NORM)
		return -LNX_EEXIST;
	if (r1 == 0 && !link_ && (l1 != LAST_NORM || last_word != LAST_NORM))
		return -LNX_EBUSY;
	if (r1 == 0 && !link_ && (t1 || trailing)) {
		/* rename with "x/" on either side: only a folder moves so */
		struct fsc_stat st;
		kern_return_t kr = fsc_stat(from, false, &st);

		if (kr != KERN_SUCCESS)
			return fsfile_err(kr);
		if ((st.mode & LNX_S_IFMT) != LNX_S_IFDIR)
			return -LNX_ENOTDIR;
	}
	return r1;
}

/* path (absolute, plain) with the links of its folders resolved, its last word as it is: 0 or -errno */
static int
real_name(const char *path, char *out)
{
	static char parent[PATH_MAX_];
	const char *slash = strrchr(path, '/');
	int r;

	snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
	if ((r = files_real(*parent ? parent : "/", out)) != 0)
		return r;
	if (strlen(out) + strlen(slash) >= PATH_MAX_)
		return -LNX_ENAMETOOLONG;
	strcpy(out + (strcmp(out, "/") == 0 ? 0 : strlen(out)), slash);
	return 0;
}

/* Whether path is inside the folder dir (both real: real_name's) */
static bool
moved_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || strcmp(dir, "/") == 0) && path[n] != '\0';
}

static int32_t
do_rename(struct process *p, int32_t d1, uint32_t at1, int32_t d2, uint32_t at2)
{
	char from[PATH_MAX_], to[PATH_MAX_], rfrom[PATH_MAX_], rto[PATH_MAX_];
	struct fsc_stat a, b;
	int r = two_paths(p, d1, at1, d2, at2, from, to, false);
	int hidden;

	if (r)
		return r;
	/* a rename over an open file that loses its last name: hide it first, as unlink would */
	if (fsc_stat(from, false, &a) == KERN_SUCCESS && fsc_stat(to, false, &b) == KERN_SUCCESS && a.ino != b.ino &&
	    ((a.mode & LNX_S_IFMT) == LNX_S_IFDIR) == ((b.mode & LNX_S_IFMT) == LNX_S_IFDIR) &&
	    (r = fsgone_hide(to, (b.mode & LNX_S_IFMT) == LNX_S_IFDIR)) < 0 && r != -LNX_ENOTEMPTY)
		return r;
	hidden = r == 1;
	if (fsc_stat(from, false, &a) == KERN_SUCCESS && real_name(from, rfrom) == 0 && real_name(to, rto) == 0 &&
	    moved_under(rfrom, rto)) {
		if (hidden)
			fsgone_unhide(to);
		return -LNX_ENOTEMPTY;	/* the new name is a folder the old one is inside: Linux's answer */
	}
	r = fsfile_err(fs_rename(fsfile_server, from, to));
	if (r && hidden)
		fsgone_unhide(to);	/* the rename failed (a folder into itself...): what was there stays */
	if (r == 0 && real_name(from, rfrom) == 0 && real_name(to, rto) == 0)
		fsfile_renamed(rfrom, rto);	/* open folders and cwds inside it move with it */
	return r;
}

SYS(rename)
{
	return do_rename(p, LNX_AT_FDCWD, a[0], LNX_AT_FDCWD, a[1]);
}

SYS(renameat)
{
	return do_rename(p, (int32_t)a[0], a[1], (int32_t)a[2], a[3]);
}

/* renameat2(olddirfd, old, newdirfd, new, flags): no flags (RENAME_NOREPLACE, EXCHANGE) yet */
SYS(renameat2)
{
	if (a[4] != 0)
		return -LNX_EINVAL;
	return do_rename(p, (int32_t)a[0], a[1], (int32_t)a[2], a[3]);
}

static int32_t
do_link(struct process *p, int32_t d1, uint32_t at1, int32_t d2, uint32_t at2)
{
	char from[PATH_MAX_], to[PATH_MAX_];
	int r = two_paths(p, d1, at1, d2, at2, from, to, true);

	if (r == 0 && link_dir)	/* after the new name's folders, as Linux's vfs_link judges */
		return exists(to) ? -LNX_EEXIST : -LNX_EPERM;
	return r ? r : fsfile_err(fs_link(fsfile_server, from, to));
}

SYS(link)
{
	return do_link(p, LNX_AT_FDCWD, a[0], LNX_AT_FDCWD, a[1]);
}

/* linkat(olddirfd, old, newdirfd, new, flags): fs links the file a symbolic link names, AT_SYMLINK_FOLLOW's way */
SYS(linkat)
{
	if (a[4] & ~LNX_AT_SYMLINK_FOLLOW)
		return -LNX_EINVAL;
	return do_link(p, (int32_t)a[0], a[1], (int32_t)a[2], a[3]);
}

/* symlink(target, path): the target is kept as written, not resolved */
static int32_t
do_symlink(struct process *p, uint32_t target_at, int32_t dirfd, uint32_t at)
{
	char target[PATH_MAX_], path[PATH_MAX_];
	struct umem_page cache = { 0 };
	int r = umem_read_str(p, &cache, target_at, target, sizeof target);

	if (r < 0)
		return r;
	if (!target[0])
		return -LNX_ENOENT;
	if ((r = changing(p, dirfd, at, path)) != 0)
		return r;
	if (last_word != LAST_NORM)
		return -LNX_EEXIST;
	if (trailing)
		return exists(path) ? -LNX_EEXIST : -LNX_ENOENT;	/* "x/" can name no new link */
	return fsfile_err(fs_symlink(fsfile_server, target, path));
}

SYS(symlink)
{
	return do_symlink(p, a[0], LNX_AT_FDCWD, a[1]);
}

SYS(symlinkat)
{
	return do_symlink(p, a[0], (int32_t)a[1], a[2]);
}

/*
 * The fs file a path or a descriptor names, for setattr and truncate: an open
 * file of fs's (its port borrowed: *opened false) or the path opened now with
 * flags (*opened true: the caller closes it).
 */
static int
target(struct process *p, int32_t dirfd, uint32_t at, bool by_fd, uint32_t flags, mach_port_t *port,
       bool *opened)
{
	char path[PATH_MAX_];
	kern_return_t kr;
	int r;

	*opened = false;
	if (by_fd) {
		struct file *f = fd_get(p, (uint32_t)dirfd);

		if (!f)
			return -LNX_EBADF;
		if (!fsfile_is(f))
			return -LNX_EROFS;	/* the view's files, pipes, the console: nothing of them changes */
		*port = fsfile_port(f);
		return 0;
	}
	if ((r = changing(p, dirfd, at, path)) != 0)
		return r;
	{
		/* "x/" is followed to a folder here (chmod, utimensat, truncate), and so is a link to "x/" */
		struct lnx_statx st;

		r = files_stat_path(p, path, true, &st);
		if (trailing && r == 0 && (st.mode & LNX_S_IFMT) != LNX_S_IFDIR)
			r = -LNX_ENOTDIR;
		if (r && (trailing || r == -LNX_ENOTDIR))
			return r;
	}
	if ((kr = fsc_open(path, flags, 0, port)) != KERN_SUCCESS)
		return fsfile_err(kr);
	*opened = true;
	return 0;
}

static int32_t
setattr(struct process *p, int32_t dirfd, uint32_t at, bool by_fd, uint32_t which, uint32_t mode, uint32_t uid,
	uint32_t gid, int64_t atime, int64_t mtime)
{
	mach_port_t port;
	bool opened;
	int r = target(p, dirfd, at, by_fd, FS_O_RDONLY, &port, &opened);

	if (r)
		return r;
	r = fsfile_err(file_setattr(port, which, mode, uid, gid, atime, mtime));
	if (opened)
		fsc_close(port);
	return r;
}

SYS(chmod)
{
	return setattr(p, LNX_AT_FDCWD, a[0], false, SET_MODE, a[1] & 07777, 0, 0, 0, 0);
}

SYS(fchmod)
{
	return setattr(p, (int32_t)a[0], 0, true, SET_MODE, a[1] & 07777, 0, 0, 0, 0);
}

/* fchmodat(dirfd, path, mode): the kernel's call has no flags */
SYS(fchmodat)
{
	return setattr(p, (int32_t)a[0], a[1], false, SET_MODE, a[2] & 07777, 0, 0, 0, 0);
}

/* chown's ids: -1 leaves one as it is */
static uint32_t
owner_which(uint32_t uid, uint32_t gid)
{
	return (uid != 0xFFFFFFFFu ? SET_UID : 0) | (gid != 0xFFFFFFFFu ? SET_GID : 0);
}

SYS(chown32)
{
	return setattr(p, LNX_AT_FDCWD, a[0], false, owner_which(a[1], a[2]), 0, a[1], a[2], 0, 0);
}

SYS(fchown32)
{
	return setattr(p, (int32_t)a[0], 0, true, owner_which(a[1], a[2]), 0, a[1], a[2], 0, 0);
}

/* fchownat(dirfd, path, uid, gid, flags): a symbolic link's own owner (AT_SYMLINK_NOFOLLOW) is not served */
SYS(fchownat)
{
	if (a[4] & ~LNX_AT_EMPTY_PATH)
		return a[4] & LNX_AT_SYMLINK_NOFOLLOW ? -LNX_EOPNOTSUPP : -LNX_EINVAL;
	return setattr(p, (int32_t)a[0], a[1], false, owner_which(a[2], a[3]), 0, a[2], a[3], 0, 0);
}

/*
 * utimensat(dirfd, path, times[2], flags): path NULL names dirfd itself;
 * times NULL, or UTIME_NOW, is now by the server's clock (time since boot:
 * there is no wall clock yet), UTIME_OMIT leaves one time as it is.
 */
static int32_t
do_utimens(struct process *p, const uint32_t a[6], bool wide)
{
	int64_t sec[2], nsec[2];
	uint32_t which = 0;
	int r;

	if (a[3] & ~LNX_AT_SYMLINK_NOFOLLOW)
		return -LNX_EINVAL;
	if (a[2] == 0) {
		sec[0] = sec[1] = 0, nsec[0] = nsec[1] = LNX_UTIME_NOW;
	} else if (wide) {
		struct lnx_timespec64 t[2];

		if ((r = umem_read(p, a[2], t, sizeof t)) != 0)
			return r;
		for (int i = 0; i < 2; i++)
			sec[i] = t[i].tv_sec, nsec[i] = t[i].tv_nsec;
	} else {
		struct lnx_timespec32 t[2];

		if ((r = umem_read(p, a[2], t, sizeof t)) != 0)
			return r;
		for (int i = 0; i < 2; i++)
			sec[i] = t[i].tv_sec, nsec[i] = t[i].tv_nsec;
	}
	for (int i = 0; i < 2; i++) {
		if (nsec[i] == LNX_UTIME_OMIT)
			continue;
		if (nsec[i] == LNX_UTIME_NOW) {
			uint32_t now = 0;

			sys_time_now(&now);
			sec[i] = now;
		} else if (nsec[i] < 0 || nsec[i] > 999999999) {
			return -LNX_EINVAL;
		}
		which |= i == 0 ? SET_ATIME : SET_MTIME;
	}
	if (a[1] == 0)
		return setattr(p, (int32_t)a[0], 0, true, which, 0, 0, 0, sec[0], sec[1]);
	return setattr(p, (int32_t)a[0], a[1], false, which, 0, 0, 0, sec[0], sec[1]);
}

SYS(utimensat)
{
	return do_utimens(p, a, false);
}

SYS(utimensat_time64)
{
	return do_utimens(p, a, true);
}

static int32_t
do_truncate(struct process *p, int32_t dirfd, uint32_t at, bool by_fd, int64_t size)
{
	mach_port_t port;
	bool opened;
	int r;

	if (size < 0)
		return -LNX_EINVAL;
	if (by_fd) {
		struct file *f = fd_get(p, (uint32_t)dirfd);

		if (!f)
			return -LNX_EBADF;
		if (!fsfile_is(f) || (f->ops->mode & LNX_S_IFMT) != LNX_S_IFREG ||
		    (f->flags & LNX_O_ACCMODE) == LNX_O_RDONLY)
			return -LNX_EINVAL;	/* Linux's answer for what is not a regular file open for writing */
	}
	if ((r = target(p, dirfd, at, by_fd, FS_O_WRONLY, &port, &opened)) != 0)
		return r;
	r = fsfile_err(file_truncate(port, (uint64_t)size));
	if (opened)
		fsc_close(port);
	return r;
}

SYS(truncate)
{
	return do_truncate(p, LNX_AT_FDCWD, a[0], false, (int32_t)a[1]);
}

SYS(ftruncate)
{
	return do_truncate(p, (int32_t)a[0], 0, true, (int32_t)a[1]);
}

/* truncate64(path, low, high) and ftruncate64: the length's two halves, low first on i386 */
SYS(truncate64)
{
	return do_truncate(p, LNX_AT_FDCWD, a[0], false, (int64_t)((uint64_t)a[2] << 32 | a[1]));
}

SYS(ftruncate64)
{
	return do_truncate(p, (int32_t)a[0], 0, true, (int64_t)((uint64_t)a[2] << 32 | a[1]));
}

/* fsync and fdatasync: fs writes the file's blocks; the view's files have nothing to write */
SYS(fsync)
{
	struct file *f = fd_get(p, a[0]);

	if (!f)
		return -LNX_EBADF;
	if (!fsfile_is(f))
		return (f->ops->mode & LNX_S_IFMT) == LNX_S_IFREG ? 0 : -LNX_EINVAL;
	return fsfile_err(file_sync(fsfile_port(f)));
}
