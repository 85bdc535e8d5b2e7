/*
 * Paths and the view's files (files.h): images read at an offset, the
 * folders (which can be opened and stat'd, but not listed yet), /dev/null,
 * and the console's names. A path is made absolute and plain first (".",
 * ".." and repeated slashes gone), so that every lookup sees one spelling.
 */
#include <stdlib.h>
#include <string.h>
#include "fd.h"
#include "files.h"
#include "fsfile.h"
#include "fs_client.h"
#include <stdio.h>
#include <manifold/fsc.h>
#include "image.h"
#include "linux.h"
#include "procfs.h"
#include "syscall.h"
#include "tty.h"
#include "umem.h"

#define CHUNK 4096u

static const char *const dirs[] = {
	"/", "/bin", "/usr", "/usr/bin", "/sbin", "/usr/sbin", "/dev", "/proc", "/proc/self",
};

bool
files_is_dir(const char *path)
{
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (strcmp(path, dirs[i]) == 0)
			return true;
	return false;
}

static const char *
dir_of(const struct file *f);

/*
 * Whether the plain absolute path at out (empty: the root) is a folder, as a
 * "." or ".." after it, or a trailing slash, needs: 0, -ENOENT, -ENOTDIR.
 * Only fs's paths are asked (the view's text is its truth).
 */
static int
must_be_dir(struct process *p, const char *out)
{
	struct lnx_statx st;
	const char *path = *out ? out : "/";
	int r;

	if (!fsfile_owns(path))
		return 0;
	if ((r = files_stat_path(p, path, true, &st)) != 0)
		return r;
	return (st.mode & LNX_S_IFMT) == LNX_S_IFDIR ? 0 : -LNX_ENOTDIR;
}

/*
 * When out is a folder's link of /proc (a process's cwd or root, or fd/K of a
 * folder), the folder it leads to in its place: a walk goes on through it
 * as Linux's does ("/proc/self/cwd/x", "/proc/1/root/etc", "cwd/.."): 0,
 * or -ENAMETOOLONG.
 */
static int
through_proc_link(struct process *p, char *out, size_t *n)
{
	char target[PATH_MAX_];
	const struct file *f;
	const char *dir, *w = strrchr(out, '/') + 1;

	if (*n < 7 || strncmp(out, "/proc/", 6) != 0)
		return 0;
	/* by its last word first: /proc/self/exe, busybox's first look-up, costs no look-up of the process */
	if (*w >= '0' && *w <= '9' && w - out >= 4 && strncmp(w - 4, "/fd/", 4) == 0 && (f = procfs_fd_file(p, out)) &&
	    (dir = dir_of(f)))
		snprintf(target, sizeof target, "%s", dir);
	else if ((strcmp(w, "cwd") != 0 && strcmp(w, "root") != 0) || !procfs_dir_link(p, out, target, sizeof target))
		return 0;
	if (strlen(target) >= PATH_MAX_)
		return -LNX_ENAMETOOLONG;
	strcpy(out, strcmp(target, "/") == 0 ? "" : target);	/* the root is the empty prefix here */
	*n = strlen(out);
	return 0;
}

/*
 * Appends the words of path to out (n its length so far): "." stays, ".."
 * takes the last word off. With check, what a "." or ".." follows must be a
 * folder that exists, as Linux's walk finds it ("d/.." is ENOENT without d),
 * and a link of /proc to a folder that more words follow is gone through.
 */
static int
plain(struct process *p, char *tmp, char *out, size_t *n, bool check)
{
	int r;

	for (char *save = NULL, *w = strtok_r(tmp, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
		bool dot = strcmp(w, ".") == 0, dotdot = strcmp(w, "..") == 0;

		/* out[5]: "/proc/" first, at a compare's cost to every other path's every word */
		if (check && *n > 6 && out[5] == '/' && (r = through_proc_link(p, out, n)) != 0)
			return r;
		if ((dot || dotdot) && check && (r = must_be_dir(p, out)) != 0)
			return r;
		if (dot)
			continue;
		if (dotdot) {
			char *slash;

			/* ".." after a link is the parent of what it names, as Linux walks: links resolved first */
			if (check && *out && fsfile_owns(out) && (r = files_real(out, out)) == 0) {
				*n = strlen(out);
				if (*n == 1)
					*n = 0, out[0] = '\0';	/* "/": the root is the empty prefix here */
			}
			slash = strrchr(out, '/');

			*n = slash ? (size_t)(slash - out) : 0;
			out[*n] = '\0';
			continue;
		}
		if (*n + 1 + strlen(w) >= PATH_MAX_)
			return -LNX_ENAMETOOLONG;
		out[(*n)++] = '/';
		strcpy(out + *n, w);
		*n += strlen(w);
	}
	return 0;
}

bool files_trailing_slash;
bool files_last_dot;

static int
resolve(struct process *p, int32_t dirfd, const char *path, char *out, bool follow_last)
{
	char tmp[PATH_MAX_];
	size_t n = 0, len = strlen(path);
	const char *base = "";
	int r;

	if (!*path)
		return -LNX_ENOENT;
	if (len >= sizeof tmp)
		return -LNX_ENAMETOOLONG;
	if (path[0] != '/') {
		if (dirfd == LNX_AT_FDCWD) {
			base = p->cwd;
		} else {
			struct file *d = fd_get(p, (uint32_t)dirfd);

			if (!d)
				return -LNX_EBADF;
			if (!(base = dir_of(d)))
				return -LNX_ENOTDIR;
		}
	}
	out[0] = '\0';
	strcpy(tmp, base);	/* the base is plain already: its words go in unchecked */
	if ((r = plain(p, tmp, out, &n, false)) != 0)
		return r;
	strcpy(tmp, path);
	if ((r = plain(p, tmp, out, &n, true)) != 0)
		return r;
	/* "a/": a must be a folder if it is there (what is not there yet is the call's to judge) */
	files_trailing_slash = path[len - 1] == '/';
	{
		/* a last word "." or "..": the folder itself, never a link to follow or not */
		const char *w = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

		files_last_dot = strcmp(w, ".") == 0 || strcmp(w, "..") == 0;
	}
	if (path[len - 1] == '/' && (r = through_proc_link(p, out, &n)) != 0)
		return r;	/* "/proc/self/cwd/": the folder, as a trailing slash follows a link */
	if (follow_last && path[len - 1] == '/' && n > 0 && (r = must_be_dir(p, out)) != 0 && r != -LNX_ENOENT)
		return r;
	if (n == 0)
		strcpy(out, "/");
	return 0;
}

int
files_resolve(struct process *p, int32_t dirfd, const char *path, char *out)
{
	return resolve(p, dirfd, path, out, true);
}

int
files_real(const char *path, char *out)
{
	static char rest[2 * PATH_MAX_ + 2], next[2 * PATH_MAX_ + 2];
	char target[PATH_MAX_];
	size_t n = 0;
	int links = 0;

	snprintf(rest, sizeof rest, "%s", path);
	out[0] = '\0';
	for (char *r = rest; *r;) {
		char *w = r + strspn(r, "/");
		size_t wl = strcspn(w, "/");
		struct fsc_stat st;

		if (!wl)
			break;
		r = w + wl;
		if (wl == 1 && w[0] == '.')
			continue;
		if (wl == 2 && w[0] == '.' && w[1] == '.') {
			char *slash = strrchr(out, '/');

			n = slash ? (size_t)(slash - out) : 0;
			out[n] = '\0';
			continue;
		}
		if (n + 1 + wl >= PATH_MAX_)
			return -LNX_ENAMETOOLONG;
		out[n] = '/';
		memcpy(out + n + 1, w, wl);
		out[n + 1 + wl] = '\0';
		if (!fsfile_owns(out) || fsc_stat(out, false, &st) != KERN_SUCCESS ||
		    (st.mode & LNX_S_IFMT) != LNX_S_IFLNK) {
			n += 1 + wl;
			continue;
		}
		/* a link: its target, then what was left, in its place */
		if (++links > 40)
			return -LNX_ELOOP;
		if (fs_readlink(fsfile_server, out, target) != KERN_SUCCESS)
			return -LNX_EIO;
		out[n] = '\0';
		if (target[0] == '/')
			n = 0, out[0] = '\0';
		if (strlen(target) + 1 + strlen(r) >= sizeof next)
			return -LNX_ENAMETOOLONG;
		snprintf(next, sizeof next, "%s/%s", target, r);
		strcpy(rest, next);
		r = rest;
	}
	if (n == 0)
		strcpy(out, "/");
	return 0;
}

int
files_resolve_parent(struct process *p, int32_t dirfd, const char *path, char *out)
{
	return resolve(p, dirfd, path, out, false);
}

int32_t
files_read_bytes(struct process *p, struct file *f, const void *data, uint64_t size, uint32_t buf, uint32_t len)
{
	uint32_t n;
	int r;

	if (f->offset >= size)
		return 0;
	n = size - f->offset < len ? (uint32_t)(size - f->offset) : len;
	n = n < 65536 ? n : 65536;
	if ((r = umem_write(p, buf, (const char *)data + f->offset, n)) != 0)
		return r;
	f->offset += n;
	return (int32_t)n;
}

/* images: read-only, at the file's offset */
static int32_t
image_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	const struct image *im = f->obj;

	return files_read_bytes(p, f, im->data, im->size, buf, len);
}

static uint32_t
always_ready(struct file *f)
{
	(void)f;
	return LNX_POLLIN | LNX_POLLOUT;
}

static const struct file_ops image_ops = { .read = image_read, .poll = always_ready, .mode = LNX_S_IFREG | 0755 };

/* folders: opened for their name (openat's dirfd, fchdir), never read */
static int32_t
dir_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	(void)p, (void)f, (void)buf, (void)len;
	return -LNX_EISDIR;
}

static void
dir_close(struct file *f)
{
	free(f->obj);
}

static const struct file_ops dir_ops = { .read = dir_read, .poll = always_ready, .close = dir_close,
					 .mode = LNX_S_IFDIR | 0755 };

static const char *
dir_of(const struct file *f)
{
	if (fsfile_is(f))
		return fsfile_dir_path(f);
	return f->ops == &dir_ops ? f->obj : NULL;
}

const char *
files_dir_path(const struct file *f)
{
	return dir_of(f);
}

/* /dev/null */
static int32_t
null_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	(void)p, (void)f, (void)buf, (void)len;
	return 0;
}

static int32_t
null_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	(void)p, (void)f, (void)buf;
	return (int32_t)len;
}

static const struct file_ops null_ops = { .read = null_read, .write = null_write, .poll = always_ready,
					  .mode = LNX_S_IFCHR | 0666 };

static bool
is_console_path(const char *path)
{
	return strcmp(path, "/dev/tty") == 0 || strcmp(path, "/dev/console") == 0;
}

struct file *
files_open(struct process *p, const char *path, uint32_t flags, uint32_t mode, int *err)
{
	uint32_t acc = flags & LNX_O_ACCMODE;
	bool writes = acc != LNX_O_RDONLY || (flags & (LNX_O_CREAT | LNX_O_TRUNC));
	const struct image *im;
	struct file *f;
	char *copy;

	if (fsfile_owns(path)) {
		/* fs's; the view's /bin images stay reachable where fs has no such file */
		if ((f = fsfile_open(p, path, flags, mode, err)) || *err != -LNX_ENOENT || (flags & LNX_O_CREAT) ||
		    !image_lookup(path, p->exe, err))
			return f;
	}
	*err = -LNX_ENOMEM;
	if (strcmp(path, "/dev/null") == 0)
		return file_new(&null_ops, flags & (LNX_O_ACCMODE | LNX_O_NONBLOCK | LNX_O_APPEND | LNX_O_LARGEFILE), NULL);
	if (is_console_path(path)) {
		if ((f = tty_open()))
			f->flags = flags & (LNX_O_ACCMODE | LNX_O_NONBLOCK | LNX_O_APPEND | LNX_O_LARGEFILE);
		return f;
	}
	if (procfs_owns(p, path) && !procfs_is_dir(p, path)) {
		if ((f = procfs_open(p, path, flags, err)) || *err != -LNX_ENOENT)
			return f;	/* ENOENT: an exe link's target, below */
	}
	if (files_is_dir(path) || procfs_is_dir(p, path)) {
		char canon[PATH_MAX_ + 16];

		if (writes) {
			*err = -LNX_EISDIR;
			return NULL;
		}
		if (!(copy = strdup(procfs_canon(p, path, canon, sizeof canon) ? canon : path)))
			return NULL;
		if (!(f = file_new(&dir_ops, flags & (LNX_O_ACCMODE | LNX_O_LARGEFILE | LNX_O_DIRECTORY), copy)))
			free(copy);
		return f;
	}
	im = image_lookup(path, p->exe, err);
	if (!im) {
		/* nothing can be made: where the view has the folder, it is read-only */
		char parent[PATH_MAX_];
		char *slash;

		strcpy(parent, path);
		slash = strrchr(parent, '/');
		*slash = '\0';
		if ((flags & LNX_O_CREAT) && files_is_dir(*parent ? parent : "/"))
			*err = -LNX_EROFS;
		return NULL;
	}
	if (flags & LNX_O_DIRECTORY) {
		*err = -LNX_ENOTDIR;
		return NULL;
	}
	if (writes) {
		*err = -LNX_EROFS;
		return NULL;
	}
	*err = -LNX_ENOMEM;
	return file_new(&image_ops, flags & (LNX_O_ACCMODE | LNX_O_NONBLOCK | LNX_O_LARGEFILE), (void *)im);
}

/* An inode number for a name, stable across calls (st_ino: tools compare them). */
static uint64_t
ino_of(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h & 0x7FFFFFFF;
}

static void
fill(struct lnx_statx *st, uint32_t mode, uint64_t size, uint64_t ino)
{
	memset(st, 0, sizeof *st);
	st->mask = LNX_STATX_BASIC_STATS;
	st->blksize = 4096;
	st->nlink = (mode & LNX_S_IFMT) == LNX_S_IFDIR ? 2 : 1;
	st->mode = (uint16_t)mode;
	st->ino = ino;
	st->size = size;
	st->blocks = (size + 511) / 512;
	st->dev_major = 0;
	st->dev_minor = 0x10;	/* the view's own device number */
}

int
files_stat_path(struct process *p, const char *path, bool follow, struct lnx_statx *st)
{
	char target[PATH_MAX_];
	const struct image *im;
	int err;

	if (fsfile_owns(path) && ((err = fsfile_stat_path(path, follow, st)) != -LNX_ENOENT ||
				  !image_lookup(path, p->exe, &err)))
		return err;

	if (strcmp(path, "/dev/null") == 0) {
		fill(st, null_ops.mode, 0, ino_of(path));
		st->rdev_major = 1, st->rdev_minor = 3;
		return 0;
	}
	if (is_console_path(path)) {
		fill(st, LNX_S_IFCHR | 0620, 0, ino_of(path));
		st->rdev_major = 5, st->rdev_minor = strcmp(path, "/dev/tty") == 0 ? 0 : 1;
		return 0;
	}
	if (!follow && (strcmp(path, "/proc/self") == 0 || strcmp(path, "/proc/mounts") == 0)) {
		/* the links of /proc itself (procfs_link): their size is their text's */
		fill(st, LNX_S_IFLNK | 0777, (uint64_t)procfs_link(p, path, target, sizeof target), ino_of(path));
		st->dev_minor = 0x14;	/* /proc's own device */
		return 0;
	}
	if (files_is_dir(path)) {
		fill(st, LNX_S_IFDIR | (strncmp(path, "/proc", 5) == 0 ? 0555 : 0755), 4096, ino_of(path));
		return 0;
	}
	if (follow && procfs_fd_file(p, path))
		return files_stat_file(procfs_fd_file(p, path), st);	/* what the descriptor's link leads to */
	if (follow && strncmp(path, "/proc/", 6) == 0 && procfs_dir_link(p, path, target, sizeof target))
		return files_stat_path(p, target, true, st);	/* the folder cwd or root leads to */
	if (procfs_owns(p, path) && !(follow && procfs_exe_of(p, path)))
		return procfs_stat(p, path, st, ino_of);
	if (!(im = image_lookup(path, p->exe, &err)))
		return err;
	/* every name of one image is one file, as busybox's applets are links to it */
	fill(st, LNX_S_IFREG | 0755, im->size, ino_of(im->name));
	return 0;
}

int
files_stat_file(const struct file *f, struct lnx_statx *st)
{
	if (fsfile_is(f))
		return fsfile_stat_file(f, st);
	if (f->ops == &image_ops) {
		const struct image *im = f->obj;

		fill(st, image_ops.mode, im->size, ino_of(im->name));
	} else if (f->ops == &dir_ops) {
		fill(st, dir_ops.mode, 4096, ino_of(f->obj));
	} else if (f->ops == &null_ops) {
		fill(st, null_ops.mode, 0, ino_of("/dev/null"));
		st->rdev_major = 1, st->rdev_minor = 3;
	} else if (tty_is(f)) {
		fill(st, LNX_S_IFCHR | 0620, 0, ino_of("/dev/console"));
		st->rdev_major = 5, st->rdev_minor = 1;
	} else {
		fill(st, f->ops->mode, 0, (uint64_t)(uintptr_t)f->obj & 0x7FFFFFFF);	/* a pipe: its buffer names it */
		st->blksize = 4096;
	}
	return 0;
}

/*
 * Whether fs's file f no longer has the name it was opened by: removed, or
 * another file put there (another inode, or a folder on the way gone), as
 * Linux's link to it then says with " (deleted)".
 */
static bool
name_gone(const struct file *f, const char *path)
{
	struct lnx_statx was, now;
	int r;

	if (fsfile_stat_file(f, &was) != 0)
		return false;	/* nothing to compare with: the name as it was */
	if ((r = fsfile_stat_path(path, true, &now)) != 0)
		return r == -LNX_ENOENT || r == -LNX_ENOTDIR;
	return now.ino != was.ino || now.dev_major != was.dev_major || now.dev_minor != was.dev_minor;
}

int
files_link_text(const struct file *f, char *out, size_t max)
{
	struct lnx_statx st;
	const char *path = fsfile_path(f);
	int n;

	if (path) {
		n = snprintf(out, max, "%s%s", path, name_gone(f, path) ? " (deleted)" : "");
	} else if (f->ops == &image_ops) {
		const struct image *im = f->obj;

		n = im->path[0] ? snprintf(out, max, "%s", im->path) : snprintf(out, max, "/bin/%s", im->name);
	} else if (f->ops == &dir_ops) {
		n = snprintf(out, max, "%s", (const char *)f->obj);
	} else if (f->ops == &null_ops) {
		n = snprintf(out, max, "/dev/null");
	} else if (tty_is(f)) {
		n = snprintf(out, max, "/dev/console");
	} else if (procfs_file_link(f, out, max)) {
		n = (int)strlen(out);
	} else {
		files_stat_file(f, &st);
		n = snprintf(out, max, "%s:[%llu]", (st.mode & LNX_S_IFMT) == LNX_S_IFSOCK ? "socket" : "pipe",
			     (unsigned long long)st.ino);
	}
	return n < 0 ? 0 : (size_t)n >= max ? (int)max - 1 : n;
}

/* A folder's entries: what it holds, by its path; n is their count. */
struct dirent_src {
	const char *name;
	uint8_t type;
};

#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#define NAMES_MAX 512

static size_t
entries(struct process *p, const char *dir, struct dirent_src *out, size_t max)
{
	static const char *names[NAMES_MAX + PROC_MAX];
	static struct procfs_names pids;
	static const struct {
		const char *dir, *name;
		uint8_t type;
	} fixed[] = {
		{ "/", "bin", DT_DIR }, { "/", "dev", DT_DIR }, { "/", "proc", DT_DIR }, { "/", "sbin", DT_DIR },
		{ "/", "usr", DT_DIR }, { "/usr", "bin", DT_DIR }, { "/usr", "sbin", DT_DIR },
		{ "/dev", "console", DT_CHR }, { "/dev", "null", DT_CHR }, { "/dev", "tty", DT_CHR },
		{ "/proc", "self", DT_LNK },	/* a link to the caller's folder, as Linux's */
	};
	size_t n = 0;

	out[n++] = (struct dirent_src){ ".", DT_DIR };
	out[n++] = (struct dirent_src){ "..", DT_DIR };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strcmp(fixed[i].dir, dir) == 0 && n < max)
			out[n++] = (struct dirent_src){ fixed[i].name, fixed[i].type };
	if (strcmp(dir, "/bin") == 0 || strcmp(dir, "/usr/bin") == 0 || strcmp(dir, "/sbin") == 0 ||
	    strcmp(dir, "/usr/sbin") == 0) {
		size_t k = image_names(names, NAMES_MAX);

		for (size_t i = 0; i < k && n < max; i++)
			out[n++] = (struct dirent_src){ names[i], DT_REG };
	}
	if (strncmp(dir, "/proc", 5) == 0) {
		size_t k = procfs_names(p, dir, &pids, names, PROC_MAX), len = strlen(dir);
		bool top = strcmp(dir, "/proc") == 0, fds = len > 3 && strcmp(dir + len - 3, "/fd") == 0;

		for (size_t i = 0; i < k && n < max; i++) {
			uint8_t type = fds ? DT_LNK
				       : top ? (names[i][0] >= '1' && names[i][0] <= '9' ? DT_DIR
						: strcmp(names[i], "mounts") == 0 ? DT_LNK : DT_REG)
				       : strcmp(names[i], "fd") == 0 || strcmp(names[i], "fdinfo") == 0 ? DT_DIR
				       : strcmp(names[i], "exe") == 0 || strcmp(names[i], "cwd") == 0 ||
						       strcmp(names[i], "root") == 0 ? DT_LNK : DT_REG;

			out[n++] = (struct dirent_src){ names[i], type };
		}
	}
	return n;
}

int32_t
files_getdents(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	static struct dirent_src src[NAMES_MAX + PROC_MAX + 16];
	static uint8_t out[16384];
	const char *dir = dir_of(f);
	size_t n, used = 0;
	int r;

	if (fsfile_is(f))
		return fsfile_getdents(p, f, buf, len);
	if (!dir)
		return -LNX_ENOTDIR;
	n = entries(p, dir, src, sizeof src / sizeof src[0]);
	if (len > sizeof out)
		len = sizeof out;
	while (f->offset < n) {
		const struct dirent_src *e = &src[f->offset];
		size_t namelen = strlen(e->name);
		size_t reclen = (19 + namelen + 1 + 7) & ~(size_t)7;	/* d_ino, d_off, d_reclen, d_type, the name */
		uint64_t ino = ino_of(e->name), next = f->offset + 1;
		uint16_t rl = (uint16_t)reclen;

		if (used + reclen > len)
			break;
		memset(out + used, 0, reclen);
		memcpy(out + used, &ino, 8);
		memcpy(out + used + 8, &next, 8);
		memcpy(out + used + 16, &rl, 2);
		out[used + 18] = e->type;
		memcpy(out + used + 19, e->name, namelen);
		used += reclen;
		f->offset++;
	}
	if (used == 0 && f->offset < n)
		return -LNX_EINVAL;	/* not room for one entry */
	if (used && (r = umem_write(p, buf, out, used)) != 0)
		return r;
	return (int32_t)used;
}
