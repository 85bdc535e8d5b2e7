/*
 * Files of the file server (fsfile.h): open, read and write at the struct
 * file's offset, stat, and folders listed with "." and ".." first (fs leaves
 * them out) then fs's entries, batch by batch, so that a small getdents
 * buffer loses nothing. fs's calls are synchronous: the one serving thread
 * waits for fs as it would for a disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <manifold/fsc.h>
#include "fd.h"
#include "files.h"
#include "fs_client.h"
#include "fs_file_client.h"
#include "fsfile.h"
#include "linux.h"
#include "umem.h"
#include "unixsock.h"

#define IO_MAX (64u * 1024u)	/* bytes one read or write call moves (a short count; callers loop) */

mach_port_t fsfile_server = MACH_PORT_NULL;
static struct fsobj *open_list;	/* [U] */

struct fsobj {
	struct fsobj *link;	/* [U] every open fs file (fsgone.c asks which are open) */
	uint64_t ino;		/* [U] fs's file number, from the fstat at open */
	mach_port_t port;	/* [U] fs's open file: our one send right */
	char *path;		/* [U] the path it was opened by (a folder's with its links resolved; renames move it) */
	/* a folder being listed: the batch of fs's entries in hand */
	uint8_t batch[FSC_INLINE_MAX];
	mach_msg_type_number_t bsize;
	size_t bpos;		/* the next record in batch */
	uint64_t next;		/* the cookie after the batch */
	bool end;		/* fs said there is nothing after the batch */
	uint64_t given;		/* entries given so far ("." and ".." count) */
};

int
fsfile_attach(void)
{
	fsfile_server = fsc_server();
	return MACH_PORT_VALID(fsfile_server) ? 0 : -1;
}

bool
fsfile_owns(const char *path)
{
	if (!MACH_PORT_VALID(fsfile_server))
		return false;
	for (const char *const *v = (const char *const[]){ "/dev", "/proc", NULL }; *v; v++) {
		size_t n = strlen(*v);

		if (strncmp(path, *v, n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return false;
	}
	return true;
}

int
fsfile_err(kern_return_t kr)
{
	if (kr == KERN_SUCCESS)
		return 0;
	if (kr == FS_ERR_ECORRUPT)
		return -LNX_EIO;	/* metadata that failed a check: Linux says EUCLEAN, programs know EIO */
	if (kr > FS_ERR_BASE && kr <= FS_ERR_LAST)
		return -(int)(kr - FS_ERR_BASE);	/* fs's numbers are Linux's */
	switch (kr) {
	case MACH_SEND_INVALID_DEST:
	case MIG_SERVER_DIED:
		return -LNX_EBADF;	/* the file went with a dead fs */
	case MIG_BAD_ARGUMENTS:
	case KERN_INVALID_ARGUMENT:
		return -LNX_EINVAL;
	case KERN_RESOURCE_SHORTAGE:
	case KERN_NO_SPACE:
		return -LNX_ENOMEM;
	default:
		return -LNX_EIO;
	}
}

static struct fsobj *
obj(const struct file *f)
{
	return f->obj;
}

static int32_t
fs_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	static uint8_t data[IO_MAX];
	size_t got = 0;
	kern_return_t kr;
	int r;

	if ((f->flags & LNX_O_ACCMODE) == LNX_O_WRONLY)
		return -LNX_EBADF;
	len = len < IO_MAX ? len : IO_MAX;
	kr = fsc_read(obj(f)->port, f->offset, data, len, &got);
	if (kr != KERN_SUCCESS && got == 0)
		return fsfile_err(kr);
	if (got && (r = umem_write(p, buf, data, got)) != 0)
		return r;
	f->offset += got;
	return (int32_t)got;
}

static int32_t
fs_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	static uint8_t data[IO_MAX];
	size_t done = 0;
	kern_return_t kr;
	int r;

	if ((f->flags & LNX_O_ACCMODE) == LNX_O_RDONLY)
		return -LNX_EBADF;
	len = len < IO_MAX ? len : IO_MAX;
	if (len == 0)
		return 0;
	if ((r = umem_read(p, buf, data, len)) != 0)
		return r;
	/* O_APPEND: fs writes at the end whatever the offset; the offset then is the end, as Linux's */
	kr = fsc_write(obj(f)->port, f->offset, data, len, &done);
	if (f->flags & LNX_O_APPEND) {
		struct fsc_stat st;

		if (fsc_fstat(obj(f)->port, &st) == KERN_SUCCESS)
			f->offset = st.size;
	} else {
		f->offset += done;
	}
	if (done == 0)
		return fsfile_err(kr);
	return (int32_t)done;
}

static uint32_t
fs_poll(struct file *f)
{
	(void)f;
	return LNX_POLLIN | LNX_POLLOUT;	/* a disk file is always ready, as on Linux */
}

bool
fsfile_ino_open(uint64_t ino)
{
	for (struct fsobj *o = open_list; o; o = o->link)
		if (o->ino == ino)
			return true;
	return false;
}

static void
fs_close(struct file *f)
{
	uint64_t ino = obj(f)->ino;

	for (struct fsobj **pp = &open_list; *pp; pp = &(*pp)->link)
		if (*pp == obj(f)) {
			*pp = obj(f)->link;
			break;
		}
	fsc_close(obj(f)->port);
	if (!fsfile_ino_open(ino))
		fsgone_last_close(ino);	/* a name it was hidden by goes now */
	free(obj(f)->path);
	free(obj(f));
}

static int32_t
dir_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	(void)p, (void)f, (void)buf, (void)len;
	return -LNX_EISDIR;
}

static const struct file_ops reg_ops = { .read = fs_read, .write = fs_write, .poll = fs_poll, .close = fs_close,
					 .mode = LNX_S_IFREG };
static const struct file_ops dir_ops = { .read = dir_read, .poll = fs_poll, .close = fs_close,
					 .mode = LNX_S_IFDIR };

bool
fsfile_is(const struct file *f)
{
	return f->ops == &reg_ops || f->ops == &dir_ops;
}

mach_port_t
fsfile_port(const struct file *f)
{
	return obj(f)->port;
}

const char *
fsfile_dir_path(const struct file *f)
{
	return f->ops == &dir_ops ? obj(f)->path : NULL;
}

const char *
fsfile_path(const struct file *f)
{
	return fsfile_is(f) ? obj(f)->path : NULL;
}

static void
to_statx(const struct fsc_stat *s, struct lnx_statx *st)
{
	const int64_t t[4] = { s->atime, s->ctime, s->ctime, s->mtime };	/* atime, btime, ctime, mtime */

	memset(st, 0, sizeof *st);
	st->mask = LNX_STATX_BASIC_STATS;
	st->blksize = 4096;
	st->nlink = s->nlink;
	st->uid = s->uid;
	st->gid = s->gid;
	st->mode = (uint16_t)s->mode;
	st->ino = s->ino;
	st->size = s->size;
	st->blocks = s->blocks;
	for (int i = 0; i < 4; i++)
		memcpy(st->times[i], &t[i], 8);	/* struct statx_timestamp: sec, then nsec (0) */
	st->dev_major = 8;			/* fs's disks: one device number for all (sda's) */
	st->dev_minor = 0;
}

/*
 * Whether path's last word is a symbolic link whose chain has a text ending
 * in "/", "." or "..": Linux then wants a folder at the end (ENOTDIR for a
 * file), where fs follows the text and drops the slash.
 */
static bool
link_wants_dir(const char *path)
{
	static char cur[PATH_MAX_], target[PATH_MAX_], next[2 * PATH_MAX_ + 2];
	struct fsc_stat s;

	snprintf(cur, sizeof cur, "%s", path);
	for (int links = 0; links < 40; links++) {
		const char *w;
		size_t n;

		if (fsc_stat(cur, false, &s) != KERN_SUCCESS || (s.mode & LNX_S_IFMT) != LNX_S_IFLNK ||
		    fs_readlink(fsfile_server, cur, target) != KERN_SUCCESS)
			return false;
		n = strlen(target);
		w = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		if (n && (target[n - 1] == '/' || strcmp(w, ".") == 0 || strcmp(w, "..") == 0))
			return true;
		/* the next link of the chain: the text, relative to the link's own folder */
		if (target[0] == '/')
			snprintf(next, sizeof next, "%s", target);
		else
			snprintf(next, sizeof next, "%.*s/%s", (int)(strrchr(cur, '/') - cur), cur, target);
		if (strlen(next) >= sizeof cur)
			return false;
		strcpy(cur, next);
	}
	return false;
}

int
fsfile_stat_path(const char *path, bool follow, struct lnx_statx *st)
{
	struct fsc_stat s;
	kern_return_t kr = fsc_stat(path, follow, &s);

	if (kr != KERN_SUCCESS)
		return fsfile_err(kr);
	if (follow && (s.mode & LNX_S_IFMT) != LNX_S_IFDIR && link_wants_dir(path))
		return -LNX_ENOTDIR;	/* a link to "a/" where a is a file */
	to_statx(&s, st);
	if ((s.mode & LNX_S_IFMT) == LNX_S_IFREG && unixsock_bound_ino(s.ino))
		st->mode = 0140000 | (st->mode & 07777);	/* a bound socket's name: S_IFSOCK, as Linux's */
	return 0;
}

/* Replaces the prefix from (a whole path, or the words before a "/") of the text at p by to: 1, 0 (not under from), -1 (too long). */
static int
moved(char *p, size_t room, const char *from, const char *to)
{
	size_t fl = strlen(from);
	char tail[PATH_MAX_];

	if (strncmp(p, from, fl) != 0 || (p[fl] != '\0' && p[fl] != '/'))
		return 0;
	snprintf(tail, sizeof tail, "%s", p + fl);
	if (strlen(to) + strlen(tail) >= room)
		return -1;
	snprintf(p, room, "%s%s", to, tail);
	return 1;
}

static void
cwd_moved(struct process *p, void *arg)
{
	const char *const *ft = arg;

	if (p->state == PROC_LIVE)
		(void)moved(p->cwd, sizeof p->cwd, ft[0], ft[1]);	/* too long: the old text stays */
}

void
fsfile_renamed(const char *from, const char *to)
{
	static char n[PATH_MAX_];
	const char *ft[2] = { from, to };

	for (struct fsobj *o = open_list; o; o = o->link) {
		char *d;

		if (!o->path)
			continue;
		strcpy(n, o->path);
		if (moved(n, sizeof n, from, to) == 1 && (d = strdup(n))) {
			free(o->path);
			o->path = d;
		}
	}
	process_each(cwd_moved, ft);
}

int
fsfile_stat_file(const struct file *f, struct lnx_statx *st)
{
	struct fsc_stat s;
	kern_return_t kr = fsc_fstat(obj(f)->port, &s);

	if (kr != KERN_SUCCESS)
		return fsfile_err(kr);
	if (fsgone_is(s.ino))	/* its last name went while it was open: Linux counts no link */
		s.nlink = (s.mode & LNX_S_IFMT) == LNX_S_IFDIR ? 0 : s.nlink - 1;
	to_statx(&s, st);
	return 0;
}

/*
 * O_CREAT follows a symbolic link at the end of the path to what it names,
 * made if it is not there (fs would answer EEXIST for a dangling link): at
 * becomes the path at the end of the chain. A link whose text ends with "/",
 * "." or ".." is EISDIR, as Linux's open judges the last word before it
 * looks (only a folder could be meant, and open makes none). 0 or -errno.
 */
static int
create_target(struct process *p, char *at)
{
	char target[PATH_MAX_], joined[2 * PATH_MAX_];

	for (int links = 0;; links++) {
		struct fsc_stat st;
		const char *slash;

		if (fsc_stat(at, false, &st) != KERN_SUCCESS || (st.mode & LNX_S_IFMT) != LNX_S_IFLNK)
			return 0;
		if (links == 40)
			return -LNX_ELOOP;
		if (fs_readlink(fsfile_server, at, target) != KERN_SUCCESS || !target[0])
			return -LNX_ENOENT;
		slash = strrchr(at, '/');
		if (target[0] == '/')
			snprintf(joined, sizeof joined, "%s", target);
		else
			snprintf(joined, sizeof joined, "%.*s/%s", (int)(slash - at), at, target);
		if (strlen(joined) >= PATH_MAX_)
			return -LNX_ENAMETOOLONG;
		/* the text's folders are walked first (ENOENT, ENOTDIR), then its last word judged */
		int r = files_resolve_parent(p, LNX_AT_FDCWD, joined, at);
		if (r)
			return r;
		if (files_trailing_slash || files_last_dot)
			return -LNX_EISDIR;
	}
}

struct file *
fsfile_open(struct process *p, const char *path, uint32_t flags, uint32_t mode, int *err)
{
	uint32_t fsflags = flags & FS_O_KNOWN;
	char at[PATH_MAX_];
	struct fsc_stat s;
	struct fsobj *o;
	struct file *f;
	mach_port_t port;
	kern_return_t kr;

	snprintf(at, sizeof at, "%s", path);
	if ((flags & (LNX_O_CREAT | LNX_O_EXCL)) == (LNX_O_CREAT | LNX_O_EXCL) && fsc_stat(path, false, &s) == KERN_SUCCESS) {
		*err = -LNX_EEXIST;	/* O_EXCL: whatever is there, a link included, is not followed */
		return NULL;
	}
	if ((flags & (LNX_O_CREAT | LNX_O_EXCL | LNX_O_NOFOLLOW)) == LNX_O_CREAT && (*err = create_target(p, at)) != 0)
		return NULL;
	kr = fsc_open(at, fsflags, mode & 07777, &port);
	if (kr == FS_ERR_ELOOP && (flags & LNX_O_NOFOLLOW) && (flags & LNX_O_DIRECTORY) &&
	    fsc_stat(at, false, &s) == KERN_SUCCESS && (s.mode & LNX_S_IFMT) == LNX_S_IFLNK) {
		*err = -LNX_ENOTDIR;	/* the last word a link not followed: no folder, Linux says so first */
		return NULL;
	}
	if (kr != KERN_SUCCESS) {
		*err = fsfile_err(kr);
		return NULL;
	}
	if ((kr = fsc_fstat(port, &s)) != KERN_SUCCESS) {
		fsc_close(port);
		*err = fsfile_err(kr);
		return NULL;
	}
	if (!(flags & LNX_O_NOFOLLOW) && (s.mode & LNX_S_IFMT) != LNX_S_IFDIR && link_wants_dir(at)) {
		fsc_close(port);	/* through a link to "a/" where a is a file: Linux's ENOTDIR */
		*err = -LNX_ENOTDIR;
		return NULL;
	}
	if ((flags & (LNX_O_CREAT | LNX_O_TRUNC)) && (s.mode & LNX_S_IFMT) == LNX_S_IFDIR) {
		fsc_close(port);	/* O_CREAT or O_TRUNC of a folder: Linux's EISDIR, even read-only */
		*err = -LNX_EISDIR;
		return NULL;
	}
	if ((flags & LNX_O_TRUNC) && (flags & LNX_O_ACCMODE) == LNX_O_RDONLY && (s.mode & LNX_S_IFMT) == LNX_S_IFREG &&
	    s.size) {
		/* O_TRUNC with O_RDONLY: Linux truncates all the same, fs only for writers */
		mach_port_t w;

		if ((kr = fsc_open(at, FS_O_WRONLY | FS_O_TRUNC, 0, &w)) != KERN_SUCCESS) {
			fsc_close(port);
			*err = fsfile_err(kr);
			return NULL;
		}
		fsc_close(w);
	}
	*err = -LNX_ENOMEM;
	if (!(o = calloc(1, sizeof *o))) {
		fsc_close(port);
		return NULL;
	}
	o->port = port;
	o->ino = s.ino;
	o->link = open_list;
	open_list = o;
	if ((s.mode & LNX_S_IFMT) == LNX_S_IFDIR)
		(void)files_real(at, at);	/* its own path, links resolved (on an error, the path it was opened by) */
	if (!(o->path = strdup(at))) {
		fs_close(&(struct file){ .obj = o });
		return NULL;
	}
	f = file_new((s.mode & LNX_S_IFMT) == LNX_S_IFDIR ? &dir_ops : &reg_ops,
		     flags & (LNX_O_ACCMODE | LNX_O_NONBLOCK | LNX_O_APPEND | LNX_O_LARGEFILE | LNX_O_DIRECTORY), o);
	if (!f)
		fs_close(&(struct file){ .obj = o });
	return f;
}

/* One linux_dirent64 at out (room for it checked by the caller): its length. */
static size_t
dirent_put(uint8_t *out, uint64_t ino, uint64_t off, uint8_t type, const char *name)
{
	size_t namelen = strlen(name);
	size_t reclen = (19 + namelen + 1 + 7) & ~(size_t)7;	/* d_ino, d_off, d_reclen, d_type, the name */
	uint16_t rl = (uint16_t)reclen;

	memset(out, 0, reclen);
	memcpy(out, &ino, 8);
	memcpy(out + 8, &off, 8);
	memcpy(out + 16, &rl, 2);
	out[18] = type;
	memcpy(out + 19, name, namelen);
	return reclen;
}

static size_t
dirent_len(const char *name)
{
	return (19 + strlen(name) + 1 + 7) & ~(size_t)7;
}

/* The next entry after the dots: 1 and *d, 0 at the end, or -errno. The batch keeps it until taken. */
static int
dir_peek(struct fsobj *o, struct fsc_dirent *d)
{
	for (;;) {
		size_t pos = o->bpos;
		int r = fsc_dirent_next(o->batch, o->bsize, &pos, d);

		if (r < 0)
			return -LNX_EIO;	/* fs sent a malformed record */
		if (r > 0)
			return 1;
		if (o->end)
			return 0;
		o->bsize = sizeof o->batch;
		kern_return_t kr = file_readdir(o->port, o->next, o->batch, &o->bsize, &o->next);
		if (kr != KERN_SUCCESS) {
			o->bsize = 0;
			return fsfile_err(kr);
		}
		o->bpos = 0;
		if (o->bsize == 0)
			o->end = true;
	}
}

int32_t
fsfile_getdents(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	static uint8_t out[16384];
	struct fsobj *o;
	struct fsc_dirent d;
	size_t used = 0;
	int r;

	if (f->ops != &dir_ops)
		return -LNX_ENOTDIR;
	o = obj(f);
	if (f->offset == 0 && o->given != 0) {	/* lseek(fd, 0, SEEK_SET): from the start again */
		o->bsize = 0, o->bpos = 0, o->next = 0, o->end = false, o->given = 0;
	}
	if (len > sizeof out)
		len = sizeof out;
	if (fsgone_is(o->ino))
		return -LNX_ENOENT;	/* a removed folder: Linux's answer */
	while (o->given < 2) {
		const char *name = o->given == 0 ? "." : "..";
		struct lnx_statx st;
		char parent[PATH_MAX_];
		char *slash;

		if (used + dirent_len(name) > len)
			break;
		strcpy(parent, o->path);	/* plain and absolute (files_resolve): ".." is the path less its last word */
		if (o->given == 1 && (slash = strrchr(parent, '/')))
			slash[slash == parent] = '\0';
		if ((r = fsfile_stat_path(parent, true, &st)) != 0)
			return r;
		used += dirent_put(out + used, st.ino, o->given + 1, LNX_S_IFDIR >> 12, name);
		o->given++;
	}
	while (o->given >= 2 && (r = dir_peek(o, &d)) != 0) {
		if (r < 0) {
			if (used)
				break;
			return r;
		}
		if (fsgone_hidden(d.name)) {
			fsc_dirent_next(o->batch, o->bsize, &o->bpos, &d);	/* an open file's hiding place: not shown */
			continue;
		}
		if (used + dirent_len(d.name) > len)
			break;
		used += dirent_put(out + used, d.ino, o->given + 1, (uint8_t)(d.type >> 12), d.name);
		fsc_dirent_next(o->batch, o->bsize, &o->bpos, &d);	/* taken: past it */
		o->given++;
	}
	if (used == 0 && o->given >= 2 && dir_peek(o, &d) > 0)
		return -LNX_EINVAL;	/* not room for one entry */
	if (used == 0 && o->given < 2)
		return -LNX_EINVAL;
	if (used && (r = umem_write(p, buf, out, used)) != 0)
		return r;
	f->offset = o->given;
	return (int32_t)used;
}
