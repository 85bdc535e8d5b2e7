/*
 * Path resolution and the mount table (vfs.h). A walk keeps one node, the
 * directory it is in; ".." at the root of a mounted file system first steps
 * back to the directory the mount covers. A symbolic link met on the way is
 * spliced into the rest of the path, at most VFS_SYMLINK_MAX times.
 */
#include <stdlib.h>
#include <string.h>
#include "vfs.h"

/*
 * Every call into a file system goes through here, between its guard's enter
 * and leave (fs.h): the fs server keeps its threads apart per instance.
 */
#define CALL(fs_, op_, ...)                                             \
	({                                                              \
		struct fs *c_ = (fs_);                                  \
		int r_;                                                 \
		if (c_->guard)                                          \
			c_->guard->enter(c_->guard);                    \
		r_ = c_->ops->op_(c_, ##__VA_ARGS__);                   \
		if (c_->guard)                                          \
			c_->guard->leave(c_->guard);                    \
		r_;                                                     \
	})

/*
 * Whether fs's names lock (fs.h) is the caller's, as a change of names needs
 * from before its walk: if not, it is taken now and the walk must be made
 * again under it (false).
 */
static bool
names_ours(struct fs *fs)
{
	struct fs_guard *g = fs->guard;

	if (!g || !g->names_lock || g->names_mine(g))
		return true;
	g->names_lock(g);
	return false;
}

/* Walks again while the walk ends in an instance whose names were not ours (a mount or link changed meanwhile). */
#define NAMES_TRIES 8

void
vfs_init(struct vfs *v)
{
	memset(v, 0, sizeof *v);
}

static struct vfs_node
root_of(struct fs *fs)
{
	return (struct vfs_node){ fs, fs->root };
}

/* The file system mounted on n, if any. */
static struct vfs_mount *
mounted_on(struct vfs *v, struct vfs_node n)
{
	for (int i = 1; i < v->nmounts; i++)
		if (v->mounts[i].covered.fs == n.fs && v->mounts[i].covered.ino == n.ino)
			return &v->mounts[i];
	return NULL;
}

static struct vfs_mount *
mount_of(struct vfs *v, struct fs *fs)
{
	for (int i = 0; i < v->nmounts; i++)
		if (v->mounts[i].fs == fs)
			return &v->mounts[i];
	return NULL;
}

static int
is_dir(struct vfs_node n)
{
	struct fs_stat st;
	int err = CALL(n.fs, getattr, n.ino, &st);

	return err ? err : FS_ISDIR(st.mode) ? 0 : -FS_ENOTDIR;
}

/*
 * Walks path from the root. With parent, stops before the last component and
 * returns it in name/len (never "." or ".."). follow: a symbolic link as the
 * last component is followed.
 */
static int
walk(struct vfs *v, const char *path, bool follow, bool parent, struct vfs_node *out, char *name, size_t *len)
{
	char *buf, *p;
	struct vfs_node cur;
	int links = 0, err = 0;

	if (v->nmounts == 0)
		return -FS_ENOENT;
	if (strlen(path) >= VFS_PATH_MAX)
		return -FS_ENAMETOOLONG;
	if (path[0] == 0)
		return -FS_ENOENT;
	buf = malloc(VFS_PATH_MAX * 2);
	if (!buf)
		return -FS_ENOMEM;
	strcpy(buf, path);
	p = buf;
	cur = root_of(v->mounts[0].fs);
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == 0) {
			if (parent)
				err = -FS_EINVAL;	/* "/" has no last component */
			break;
		}
		char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *rest = p + n;
		while (*rest == '/')
			rest++;
		bool last = *rest == 0;
		bool dot = n == 1 && p[0] == '.', dotdot = n == 2 && p[0] == '.' && p[1] == '.';

		if (n > FS_NAME_MAX) {
			err = -FS_ENAMETOOLONG;
			break;
		}
		err = is_dir(cur);
		if (err)
			break;
		if (last && parent) {
			if (dot || dotdot) {
				err = -FS_EINVAL;
				break;
			}
			memcpy(name, p, n);
			name[n] = 0;
			*len = n;
			break;
		}
		if (dot) {
			p = rest;
			continue;
		}
		if (dotdot) {
			struct vfs_mount *m;

			while (cur.ino == cur.fs->root && (m = mount_of(v, cur.fs)) && m->covered.fs)
				cur = m->covered;
			err = CALL(cur.fs, parent, cur.ino, &cur.ino);
			if (err)
				break;
			p = rest;
			continue;
		}
		struct vfs_node next = { cur.fs, 0 };
		struct vfs_mount *m;
		struct fs_stat st;

		err = CALL(cur.fs, lookup, cur.ino, p, n, &next.ino);
		if (err)
			break;
		while ((m = mounted_on(v, next)))
			next = root_of(m->fs);
		if (!last || follow) {
			err = CALL(next.fs, getattr, next.ino, &st);
			if (err)
				break;
			if (FS_ISLNK(st.mode)) {
				char *tmp = buf + VFS_PATH_MAX;
				size_t tl, rl = strlen(rest);

				if (++links > VFS_SYMLINK_MAX) {
					err = -FS_ELOOP;
					break;
				}
				err = CALL(next.fs, readlink, next.ino, tmp, VFS_PATH_MAX - 1, &tl);
				if (err)
					break;
				if (tl + 1 + rl >= VFS_PATH_MAX) {
					err = -FS_ENAMETOOLONG;
					break;
				}
				/* The link's text, then what was left of the path. */
				tmp[tl] = '/';
				memmove(tmp + tl + 1, rest, rl + 1);
				if (tmp[0] == '/')
					cur = root_of(v->mounts[0].fs);
				memmove(buf, tmp, tl + rl + 2);
				p = buf;
				if (rl == 0 && !parent)
					buf[tl] = 0;
				continue;
			}
		}
		cur = next;
		p = rest;
	}
	free(buf);
	if (!err)
		*out = cur;
	return err;
}

int
vfs_lookup(struct vfs *v, const char *path, bool follow, struct vfs_node *out)
{
	return walk(v, path, follow, false, out, NULL, NULL);
}

int
vfs_lookup_names(struct vfs *v, const char *path, bool follow, struct vfs_node *out)
{
	for (int tries = 0; tries < NAMES_TRIES; tries++) {
		struct vfs_node n;
		int err = walk(v, path, follow, false, &n, NULL, NULL);

		if (err || names_ours(n.fs)) {
			if (!err)
				*out = n;
			return err;
		}
	}
	return -FS_ELOOP;
}

int
vfs_stat(struct vfs *v, const char *path, bool follow, struct fs_stat *st)
{
	struct vfs_node n;
	int err = vfs_lookup(v, path, follow, &n);

	return err ? err : CALL(n.fs, getattr, n.ino, st);
}

int
vfs_mount(struct vfs *v, const char *path, struct fs *fs)
{
	struct vfs_node n;
	int err;

	if (v->nmounts == VFS_MAX_MOUNTS)
		return -FS_EBUSY;
	if (mount_of(v, fs))
		return -FS_EBUSY;
	if (v->nmounts == 0) {
		if (strcmp(path, "/") != 0)
			return -FS_EINVAL;
		v->mounts[v->nmounts++] = (struct vfs_mount){ fs, { NULL, 0 } };
		return 0;
	}
	err = vfs_lookup(v, path, true, &n);
	if (!err)
		err = is_dir(n);
	if (err)
		return err;
	if (n.ino == n.fs->root)
		return -FS_EBUSY;	/* a file system is already mounted here */
	v->mounts[v->nmounts++] = (struct vfs_mount){ fs, n };
	return 0;
}

int
vfs_unmount(struct vfs *v, const char *path, struct fs **out)
{
	struct vfs_node n;
	struct vfs_mount *m;
	int err = vfs_lookup(v, path, true, &n);

	if (err)
		return err;
	m = mount_of(v, n.fs);
	if (!m || n.ino != n.fs->root)
		return -FS_EINVAL;
	for (int i = 0; i < v->nmounts; i++)
		if (v->mounts[i].covered.fs == n.fs)
			return -FS_EBUSY;
	if (m == &v->mounts[0] && v->nmounts > 1)
		return -FS_EBUSY;
	*out = m->fs;
	*m = v->mounts[--v->nmounts];
	return 0;
}

int
vfs_sync(struct vfs *v)
{
	int err = 0;

	for (int i = 0; i < v->nmounts; i++) {
		int e = CALL(v->mounts[i].fs, sync);
		if (e && !err)
			err = e;
	}
	return err;
}

/* The directory holding path's last component, and that component; its instance's names ours. */
static int
parent_of(struct vfs *v, const char *path, struct vfs_node *dir, char *name, size_t *len)
{
	for (int tries = 0; tries < NAMES_TRIES; tries++) {
		int err = walk(v, path, true, true, dir, name, len);

		if (err || names_ours(dir->fs))
			return err;
	}
	return -FS_ELOOP;
}

/* A name that is a mount point, or the root of a mounted file system, is busy. */
static int
check_not_mount(struct vfs *v, struct vfs_node dir, const char *name, size_t len)
{
	struct vfs_node n = { dir.fs, 0 };
	int err = CALL(dir.fs, lookup, dir.ino, name, len, &n.ino);

	if (err)
		return err;
	return mounted_on(v, n) ? -FS_EBUSY : 0;
}

int
vfs_create(struct vfs *v, const char *path, uint32_t mode, struct vfs_node *out)
{
	struct vfs_node dir;
	char name[FS_NAME_MAX + 1];
	size_t len;
	fs_ino_t ino;
	int err = parent_of(v, path, &dir, name, &len);

	if (!err)
		err = CALL(dir.fs, create, dir.ino, name, len, mode, &ino);
	if (!err && out)
		*out = (struct vfs_node){ dir.fs, ino };
	return err;
}

int
vfs_mkdir(struct vfs *v, const char *path, uint32_t mode)
{
	struct vfs_node dir;
	char name[FS_NAME_MAX + 1];
	size_t len;
	fs_ino_t ino;
	int err = parent_of(v, path, &dir, name, &len);

	return err ? err : CALL(dir.fs, mkdir, dir.ino, name, len, mode, &ino);
}

int
vfs_unlink(struct vfs *v, const char *path)
{
	struct vfs_node dir;
	char name[FS_NAME_MAX + 1];
	size_t len;
	int err = parent_of(v, path, &dir, name, &len);

	if (!err)
		err = check_not_mount(v, dir, name, len);
	return err ? err : CALL(dir.fs, unlink, dir.ino, name, len);
}

int
vfs_rmdir(struct vfs *v, const char *path)
{
	struct vfs_node dir;
	char name[FS_NAME_MAX + 1];
	size_t len;
	int err = parent_of(v, path, &dir, name, &len);

	if (!err)
		err = check_not_mount(v, dir, name, len);
	return err ? err : CALL(dir.fs, rmdir, dir.ino, name, len);
}

/* Whether dir is src or lies below it (walking ".." up to the file system's root). */
static int
is_below(struct vfs_node dir, fs_ino_t src)
{
	for (int depth = 0; depth < 4096; depth++) {
		fs_ino_t up;
		int err;

		if (dir.ino == src)
			return 1;
		if (dir.ino == dir.fs->root)
			return 0;
		err = CALL(dir.fs, parent, dir.ino, &up);
		if (err)
			return err;
		dir.ino = up;
	}
	return -FS_ELOOP;	/* a cycle of ".." entries: the disk is corrupt */
}

int
vfs_rename(struct vfs *v, const char *from, const char *to)
{
	struct vfs_node sdir, ddir;
	char sname[FS_NAME_MAX + 1], dname[FS_NAME_MAX + 1];
	size_t slen, dlen;
	fs_ino_t sino;
	struct fs_stat st;
	int err = 0, tries;

	/* both walks under the one names lock (to's walk may have taken another's) */
	for (tries = 0; tries < NAMES_TRIES; tries++) {
		err = parent_of(v, from, &sdir, sname, &slen);
		if (!err)
			err = parent_of(v, to, &ddir, dname, &dlen);
		if (err)
			return err;
		if (sdir.fs != ddir.fs)
			return -FS_EXDEV;
		if (names_ours(sdir.fs))
			break;
	}
	if (tries == NAMES_TRIES)
		return -FS_ELOOP;
	err = check_not_mount(v, sdir, sname, slen);
	if (!err)
		err = CALL(sdir.fs, lookup, sdir.ino, sname, slen, &sino);
	if (!err)
		err = CALL(sdir.fs, getattr, sino, &st);
	if (err)
		return err;
	err = check_not_mount(v, ddir, dname, dlen);
	if (err && err != -FS_ENOENT)
		return err;
	if (FS_ISDIR(st.mode)) {
		err = is_below(ddir, sino);
		if (err)
			return err < 0 ? err : -FS_EINVAL;
	}
	return CALL(sdir.fs, rename, sdir.ino, sname, slen, ddir.ino, dname, dlen);
}

int
vfs_link(struct vfs *v, const char *existing, const char *path)
{
	struct vfs_node n, dir;
	char name[FS_NAME_MAX + 1];
	size_t len;
	int err = 0, tries;

	for (tries = 0; tries < NAMES_TRIES; tries++) {
		err = parent_of(v, path, &dir, name, &len);
		if (!err)
			err = vfs_lookup(v, existing, false, &n);
		if (err)
			return err;
		if (n.fs != dir.fs)
			return -FS_EXDEV;
		if (names_ours(dir.fs))
			break;
	}
	if (tries == NAMES_TRIES)
		return -FS_ELOOP;
	return CALL(dir.fs, link, n.ino, dir.ino, name, len);
}

int
vfs_symlink(struct vfs *v, const char *target, const char *path)
{
	struct vfs_node dir;
	char name[FS_NAME_MAX + 1];
	size_t len;
	fs_ino_t ino;
	int err = parent_of(v, path, &dir, name, &len);

	if (!err && strlen(target) >= VFS_PATH_MAX)
		err = -FS_ENAMETOOLONG;
	return err ? err : CALL(dir.fs, symlink, dir.ino, name, len, target, &ino);
}

int
vfs_readlink(struct vfs *v, const char *path, char *buf, size_t size, size_t *len)
{
	struct vfs_node n;
	int err = vfs_lookup(v, path, false, &n);

	return err ? err : CALL(n.fs, readlink, n.ino, buf, size, len);
}

int
vfs_getattr(const struct vfs_node *n, struct fs_stat *st)
{
	return CALL(n->fs, getattr, n->ino, st);
}

int
vfs_setattr(const struct vfs_node *n, const struct fs_setattr *sa)
{
	return CALL(n->fs, setattr, n->ino, sa);
}

int
vfs_read(const struct vfs_node *n, uint64_t off, void *buf, size_t len, size_t *done)
{
	return CALL(n->fs, read, n->ino, off, buf, len, done);
}

int
vfs_write(const struct vfs_node *n, uint64_t off, const void *buf, size_t len, size_t *done)
{
	return CALL(n->fs, write, n->ino, off, buf, len, done);
}

int
vfs_truncate(const struct vfs_node *n, uint64_t size)
{
	return CALL(n->fs, truncate, n->ino, size);
}

int
vfs_readdir(const struct vfs_node *n, uint64_t *cookie, struct fs_dirent *out)
{
	return CALL(n->fs, readdir, n->ino, cookie, out);
}

bool
vfs_can_hold(const struct vfs_node *n)
{
	return n->fs->ops->hold && n->fs->ops->drop;
}

int
vfs_hold(const struct vfs_node *n)
{
	return vfs_can_hold(n) ? CALL(n->fs, hold, n->ino) : 0;
}

int
vfs_drop(const struct vfs_node *n)
{
	return vfs_can_hold(n) ? CALL(n->fs, drop, n->ino) : 0;
}

int
vfs_fs_sync(struct fs *fs)
{
	return CALL(fs, sync);
}

int
vfs_fs_statfs(struct fs *fs, struct fs_statfs *out)
{
	return CALL(fs, statfs, out);
}

int
vfs_fs_unmount(struct fs *fs)
{
	struct fs_guard *g = fs->guard;	/* the instance is gone after the call */
	int err;

	if (g)
		g->enter(g);
	err = fs->ops->unmount(fs);
	if (g)
		g->leave(g);
	return err;
}
