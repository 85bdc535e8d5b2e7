/*
 * ext2's operations (fs.h): names, links, directories, attributes and file
 * data, over the inode, directory and allocation code of the other ext2_*
 * files. Each call checks its arguments and the inodes it reads, then changes
 * them; the buffer cache holds the changes until a sync.
 */
#include <string.h>
#include "ext2.h"

static int
check_name(const char *name, size_t len)
{
	if (len == 0 || memchr(name, '/', len) || memchr(name, 0, len))
		return -FS_EINVAL;
	if (len > FS_NAME_MAX)
		return -FS_ENAMETOOLONG;
	return 0;
}

/* An inode a name or a caller refers to: it must be in use. */
static int
get_inode(struct ext2 *e, fs_ino_t ino, struct ext2_inode *in)
{
	int err;

	if (ino == 0 || ino > e->sb.inodes_count)
		return -FS_ENOENT;
	err = ext2_inode_read(e, (uint32_t)ino, in);
	if (err)
		return err;
	if (in->mode == 0 || (in->links_count == 0 && !ext2_is_held(e, (uint32_t)ino)))
		return -FS_ECORRUPT;	/* a held file keeps its inode with no link (ext2_orphan.c) */
	return 0;
}

static int
get_dir(struct ext2 *e, fs_ino_t ino, struct ext2_inode *in)
{
	int err = get_inode(e, ino, in);

	if (!err && !FS_ISDIR(in->mode))
		err = -FS_ENOTDIR;
	return err;
}

static int
writable(struct fs *fs)
{
	return fs->readonly ? -FS_EROFS : 0;
}

static void
touch(struct ext2 *e, struct ext2_inode *in, bool mtime)
{
	uint32_t now = (uint32_t)ext2_now(e);

	in->ctime = now;
	if (mtime)
		in->mtime = now;
}

static int
e2_lookup(struct fs *fs, fs_ino_t dir, const char *name, size_t len, fs_ino_t *out)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din;
	uint32_t ino;
	int err = get_dir(e, dir, &din);

	if (!err)
		err = ext2_dir_find(e, (uint32_t)dir, &din, name, len, &ino, NULL);
	if (!err)
		*out = ino;
	return err;
}

static int
e2_parent(struct fs *fs, fs_ino_t dir, fs_ino_t *out)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din;
	uint32_t ino;
	int err = get_dir(e, dir, &din);

	if (!err)
		err = ext2_dir_dotdot(e, &din, &ino, NULL);
	if (!err)
		*out = ino;
	return err;
}

static int
e2_getattr(struct fs *fs, fs_ino_t ino, struct fs_stat *st)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode in;
	int err = get_inode(e, ino, &in);

	if (err)
		return err;
	*st = (struct fs_stat){
		.ino = ino, .mode = in.mode, .nlink = in.links_count,
		.uid = in.uid | (uint32_t)in.uid_high << 16, .gid = in.gid | (uint32_t)in.gid_high << 16,
		.size = ext2_isize(&in), .blocks = in.blocks,
		.atime = in.atime, .mtime = in.mtime, .ctime = in.ctime,
	};
	return 0;
}

static int
e2_setattr(struct fs *fs, fs_ino_t ino, const struct fs_setattr *sa)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode in;
	int err = writable(fs);

	if (!err)
		err = get_inode(e, ino, &in);
	if (err)
		return err;
	if (sa->which & FS_SET_MODE)
		in.mode = (uint16_t)((in.mode & FS_S_IFMT) | (sa->mode & 07777));
	if (sa->which & FS_SET_UID) {
		in.uid = (uint16_t)sa->uid;
		in.uid_high = (uint16_t)(sa->uid >> 16);
	}
	if (sa->which & FS_SET_GID) {
		in.gid = (uint16_t)sa->gid;
		in.gid_high = (uint16_t)(sa->gid >> 16);
	}
	if (sa->which & FS_SET_ATIME)
		in.atime = (uint32_t)sa->atime;
	if (sa->which & FS_SET_MTIME)
		in.mtime = (uint32_t)sa->mtime;
	touch(e, &in, false);
	return ext2_inode_write(e, (uint32_t)ino, &in, EXT2_PASS_INODE);
}

static int
e2_read(struct fs *fs, fs_ino_t ino, uint64_t off, void *buf, size_t n, size_t *done)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode in;
	uint64_t size;
	size_t piece;
	int err = get_inode(e, ino, &in);

	if (err)
		return err;
	if (FS_ISDIR(in.mode))
		return -FS_EISDIR;
	if (!FS_ISREG(in.mode))
		return -FS_EINVAL;
	size = ext2_isize(&in);
	if (off >= size)
		n = 0;
	else if (n > size - off)
		n = (size_t)(size - off);
	/* In pieces of a quarter of the cache: what read-ahead brings in stays for the copy. */
	piece = (e->bc->max / 4) * e->bsize;
	for (size_t did = 0, chunk; did < n && !err; did += chunk) {
		chunk = n - did < piece ? n - did : piece;
		err = ext2_readahead(e, (uint32_t)ino, &in, off + did, chunk);
		if (!err)
			err = ext2_data_read(e, &in, off + did, (uint8_t *)buf + did, chunk);
	}
	if (!err)
		*done = n;
	return err;
}

static int
e2_write(struct fs *fs, fs_ino_t ino, uint64_t off, const void *buf, size_t n, size_t *done)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode in;
	size_t did = 0;
	int err = writable(fs), err2;

	if (!err)
		err = get_inode(e, ino, &in);
	if (err)
		return err;
	if (FS_ISDIR(in.mode))
		return -FS_EISDIR;
	if (!FS_ISREG(in.mode))
		return -FS_EINVAL;
	if (off > ext2_max_size(e) || n > ext2_max_size(e) - off)
		return -FS_EFBIG;
	/* Block by block, so that a full disk still reports what was written. */
	while (did < n) {
		size_t chunk = e->bsize - (off + did) % e->bsize;

		if (chunk > n - did)
			chunk = n - did;
		err = ext2_data_write(e, &in, off + did, (const uint8_t *)buf + did, chunk, EXT2_PASS_DATA);
		if (err)
			break;
		did += chunk;
	}
	if (off + did > ext2_isize(&in))
		ext2_set_isize(e, &in, off + did);
	if (did)
		touch(e, &in, true);
	err2 = ext2_inode_write(e, (uint32_t)ino, &in, EXT2_PASS_INODE);
	if (did && !err2) {
		*done = did;
		return 0;
	}
	return err ? err : err2;
}

static int
e2_truncate(struct fs *fs, fs_ino_t ino, uint64_t size)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode in;
	uint32_t pblk;
	bool fresh;
	int err = writable(fs);

	if (!err)
		err = get_inode(e, ino, &in);
	if (err)
		return err;
	if (FS_ISDIR(in.mode))
		return -FS_EISDIR;
	if (!FS_ISREG(in.mode))
		return -FS_EINVAL;
	if (size > ext2_max_size(e))
		return -FS_EFBIG;
	if (size < ext2_isize(&in)) {
		err = ext2_free_from(e, &in, (size + e->bsize - 1) / e->bsize);
		/* The rest of the last block reads as zeroes if the file grows again. */
		if (!err && size % e->bsize)
			err = ext2_bmap(e, &in, size / e->bsize, false, &pblk, &fresh);
		if (!err && size % e->bsize && pblk) {
			struct bcache_buf *b;

			err = bcache_get(e->bc, pblk, &b);
			if (!err) {
				err = bcache_dirty(e->bc, b, EXT2_PASS_DATA);
				if (!err)
					memset(b->data + size % e->bsize, 0, e->bsize - size % e->bsize);
				bcache_put(e->bc, b);
			}
		}
	}
	if (!err)
		ext2_set_isize(e, &in, size);
	touch(e, &in, true);
	int err2 = ext2_inode_write(e, (uint32_t)ino, &in, EXT2_PASS_INODE);
	return err ? err : err2;
}

/* A fresh inode of the given mode in the directory's group. */
static int
new_inode(struct ext2 *e, fs_ino_t dir, uint32_t mode, uint32_t *ino, struct ext2_inode *in)
{
	uint32_t now = (uint32_t)ext2_now(e);
	int err = ext2_inode_alloc(e, (uint32_t)((dir - 1) / e->sb.inodes_per_group), FS_ISDIR(mode), ino);

	if (err)
		return err;
	memset(in, 0, sizeof *in);
	in->mode = (uint16_t)mode;
	in->links_count = 1;
	in->atime = in->ctime = in->mtime = now;
	return 0;
}

/* Undo new_inode after a failure: the inode is freed, unlinked. */
static void
drop_new(struct ext2 *e, uint32_t ino, struct ext2_inode *in)
{
	ext2_release(e, ino, in);
}

/* Checks for a new name in dir: writable, a good name, a directory, no such entry. */
static int
check_new(struct fs *fs, fs_ino_t dir, const char *name, size_t len, struct ext2_inode *din)
{
	struct ext2 *e = EXT2_OF(fs);
	uint32_t ino;
	int err = writable(fs);

	if (!err)
		err = check_name(name, len);
	if (!err)
		err = get_dir(e, dir, din);
	if (!err) {
		err = ext2_dir_find(e, (uint32_t)dir, din, name, len, &ino, NULL);
		if (err == 0)
			err = -FS_EEXIST;
		else if (err == -FS_ENOENT)
			err = 0;
	}
	return err;
}

/* The start of create, mkdir and symlink: checks, then a fresh inode of mode. */
static int
begin_new(struct fs *fs, fs_ino_t dir, const char *name, size_t len, uint32_t mode, struct ext2_inode *din,
	  uint32_t *ino, struct ext2_inode *in)
{
	int err = check_new(fs, dir, name, len, din);

	if (!err && FS_ISDIR(mode) && din->links_count >= EXT2_LINK_MAX)
		err = -FS_EMLINK;
	return err ? err : new_inode(EXT2_OF(fs), dir, mode, ino, in);
}

/*
 * Links a new inode under name and writes both. The name goes into the cache
 * first: a flush between the two (the cache making room) may then leave a name
 * for an unused inode, which e2fsck -p clears, never an unattached inode.
 */
static int
attach(struct ext2 *e, fs_ino_t dir, struct ext2_inode *din, const char *name, size_t len, uint32_t ino,
       struct ext2_inode *in, bool is_dir)
{
	int err = ext2_dir_add(e, (uint32_t)dir, din, name, len, ino, in->mode, NULL);

	if (!err)
		err = ext2_inode_init(e, ino, in);
	if (err) {
		drop_new(e, ino, in);
		return err;
	}
	if (is_dir)
		din->links_count++;
	touch(e, din, true);
	return ext2_inode_write(e, (uint32_t)dir, din, EXT2_PASS_INODE);
}

static int
e2_create(struct fs *fs, fs_ino_t dir, const char *name, size_t len, uint32_t mode, fs_ino_t *out)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din, in;
	uint32_t ino;
	int err;

	if ((mode & FS_S_IFMT) && !FS_ISREG(mode))
		return -FS_EINVAL;
	err = begin_new(fs, dir, name, len, FS_S_IFREG | (mode & 07777), &din, &ino, &in);
	if (!err)
		err = attach(e, dir, &din, name, len, ino, &in, false);
	if (!err)
		*out = ino;
	return err;
}

static int
e2_mkdir(struct fs *fs, fs_ino_t dir, const char *name, size_t len, uint32_t mode, fs_ino_t *out)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din, in;
	uint32_t ino;
	int err = begin_new(fs, dir, name, len, FS_S_IFDIR | (mode & 07777), &din, &ino, &in);

	if (err)
		return err;
	in.links_count = 2;	/* its name and its "." */
	err = ext2_dir_init(e, ino, &in, (uint32_t)dir);
	if (err) {
		drop_new(e, ino, &in);
		return err;
	}
	err = attach(e, dir, &din, name, len, ino, &in, true);
	if (!err)
		*out = ino;
	return err;
}

/* Drops one link of ino (whose inode is in), releasing it with the last
 * unless it is held open: then it lives on as an orphan (ext2_orphan.c). */
static int
unref(struct ext2 *e, uint32_t ino, struct ext2_inode *in)
{
	if (!FS_ISDIR(in->mode) && in->links_count <= 1 && ext2_is_held(e, ino))
		return ext2_orphan_add(e, ino, in);
	if (FS_ISDIR(in->mode) || in->links_count <= 1)
		return ext2_release(e, ino, in);
	in->links_count--;
	touch(e, in, false);
	return ext2_inode_write(e, ino, in, EXT2_PASS_INODE);
}

static int
remove_name(struct fs *fs, fs_ino_t dir, const char *name, size_t len, bool want_dir)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din, in;
	struct ext2_dirpos pos;
	uint32_t ino;
	int err = writable(fs);

	if (!err)
		err = check_name(name, len);
	if (!err)
		err = get_dir(e, dir, &din);
	if (!err)
		err = ext2_dir_find(e, (uint32_t)dir, &din, name, len, &ino, &pos);
	if (!err)
		err = get_inode(e, ino, &in);
	if (err)
		return err;
	if (want_dir && !FS_ISDIR(in.mode))
		return -FS_ENOTDIR;
	if (!want_dir && FS_ISDIR(in.mode))
		return -FS_EISDIR;
	if (want_dir) {
		err = ext2_dir_empty(e, &in);
		if (err <= 0)
			return err < 0 ? err : -FS_ENOTEMPTY;
	}
	/* The inode first (a flush may come between): a name left for a freed
	 * inode is repaired by e2fsck -p, a linked inode without a name is not. */
	err = unref(e, ino, &in);
	if (!err)
		err = ext2_dir_remove(e, (uint32_t)dir, &din, &pos);
	if (err)
		return err;
	if (want_dir && din.links_count > 2)
		din.links_count--;	/* the child's ".." is gone */
	touch(e, &din, true);
	return ext2_inode_write(e, (uint32_t)dir, &din, EXT2_PASS_INODE);
}

static int
e2_unlink(struct fs *fs, fs_ino_t dir, const char *name, size_t len)
{
	return remove_name(fs, dir, name, len, false);
}

static int
e2_rmdir(struct fs *fs, fs_ino_t dir, const char *name, size_t len)
{
	return remove_name(fs, dir, name, len, true);
}

static int
e2_link(struct fs *fs, fs_ino_t ino, fs_ino_t dir, const char *name, size_t len)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din, in;
	int err = check_new(fs, dir, name, len, &din);

	if (!err)
		err = get_inode(e, ino, &in);
	if (err)
		return err;
	if (FS_ISDIR(in.mode))
		return -FS_EPERM;
	if (in.links_count >= EXT2_LINK_MAX)
		return -FS_EMLINK;
	err = ext2_dir_add(e, (uint32_t)dir, &din, name, len, (uint32_t)ino, in.mode, NULL);
	if (err)
		return err;
	touch(e, &din, true);
	err = ext2_inode_write(e, (uint32_t)dir, &din, EXT2_PASS_INODE);
	in.links_count++;
	touch(e, &in, false);
	if (!err)
		err = ext2_inode_write(e, (uint32_t)ino, &in, EXT2_PASS_INODE);
	return err;
}

static int
e2_symlink(struct fs *fs, fs_ino_t dir, const char *name, size_t len, const char *target, fs_ino_t *out)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din, in;
	size_t tlen = strlen(target);
	uint32_t ino;
	int err;

	if (tlen == 0)
		return -FS_EINVAL;
	if (tlen >= e->bsize || tlen >= 4096)
		return -FS_ENAMETOOLONG;
	err = begin_new(fs, dir, name, len, FS_S_IFLNK | 0777, &din, &ino, &in);
	if (err)
		return err;
	if (tlen < sizeof in.block) {
		memcpy(in.block, target, tlen);	/* a fast symlink: the text in i_block */
	} else {
		err = ext2_data_write(e, &in, 0, target, tlen, EXT2_PASS_DATA);
		if (err) {
			drop_new(e, ino, &in);
			return err;
		}
	}
	ext2_set_isize(e, &in, tlen);
	err = attach(e, dir, &din, name, len, ino, &in, false);
	if (!err)
		*out = ino;
	return err;
}

static int
e2_readlink(struct fs *fs, fs_ino_t ino, char *buf, size_t size, size_t *len)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode in;
	uint64_t n;
	int err = get_inode(e, ino, &in);

	if (err)
		return err;
	if (!FS_ISLNK(in.mode))
		return -FS_EINVAL;
	n = ext2_isize(&in);
	if (n == 0 || n >= e->bsize)
		return -FS_ECORRUPT;
	if (n > size)
		n = size;
	if (ext2_fast_symlink(e, &in)) {
		if (ext2_isize(&in) >= sizeof in.block)
			return -FS_ECORRUPT;
		memcpy(buf, in.block, (size_t)n);
	} else {
		err = ext2_data_read(e, &in, 0, buf, (size_t)n);
		if (err)
			return err;
	}
	*len = (size_t)n;
	return 0;
}

static int
e2_readdir(struct fs *fs, fs_ino_t dir, uint64_t *cookie, struct fs_dirent *out)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode din;
	int err = get_dir(e, dir, &din);

	return err ? err : ext2_dir_next(e, &din, cookie, out);
}

/*
 * rename(2). The new name is written before the old one goes whenever they
 * are in different directory blocks (a flush between them), so that a cut
 * never leaves a file with no name; a directory's ".." follows it. A cut
 * between the two writes can leave a directory with two names, which e2fsck
 * repairs only when asked (not with -p): without a journal no order avoids
 * both that and a directory with none.
 */
static int
e2_rename(struct fs *fs, fs_ino_t sdir, const char *sname, size_t slen, fs_ino_t ddir, const char *dname,
	  size_t dlen)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_inode sd, dd_store, *dd = &sd, in, tin;
	struct ext2_dirpos spos, dpos, ppos;
	uint32_t sino, tino, pino;
	bool replaced = false, is_dir;
	int err = writable(fs);

	if (!err)
		err = check_name(sname, slen);
	if (!err)
		err = check_name(dname, dlen);
	if (!err)
		err = get_dir(e, sdir, &sd);
	if (!err && ddir != sdir) {
		dd = &dd_store;
		err = get_dir(e, ddir, dd);
	}
	if (!err)
		err = ext2_dir_find(e, (uint32_t)sdir, &sd, sname, slen, &sino, &spos);
	if (!err)
		err = get_inode(e, sino, &in);
	if (err)
		return err;
	is_dir = FS_ISDIR(in.mode);
	err = ext2_dir_find(e, (uint32_t)ddir, dd, dname, dlen, &tino, &dpos);
	if (err == 0) {
		if (tino == sino)
			return 0;
		err = get_inode(e, tino, &tin);
		if (!err && is_dir && !FS_ISDIR(tin.mode))
			err = -FS_ENOTDIR;
		if (!err && !is_dir && FS_ISDIR(tin.mode))
			err = -FS_EISDIR;
		if (!err && is_dir) {
			err = ext2_dir_empty(e, &tin);
			err = err < 0 ? err : err ? 0 : -FS_ENOTEMPTY;
		}
		/* The replaced file goes first, for the reason remove_name gives. */
		if (!err)
			err = unref(e, tino, &tin);
		if (!err)
			err = ext2_dir_retarget(e, dd, &dpos, sino, in.mode);
		replaced = true;
	} else if (err == -FS_ENOENT) {
		err = 0;
		if (is_dir && ddir != sdir && dd->links_count >= EXT2_LINK_MAX)
			err = -FS_EMLINK;
		if (!err)
			err = ext2_dir_add(e, (uint32_t)ddir, dd, dname, dlen, sino, in.mode, &dpos);
	}
	if (err)
		return err;
	if (ddir != sdir || dpos.lblk != spos.lblk)
		err = bcache_flush(e->bc);
	/* Adding may have split entries of this block: find the old name again. */
	if (!err)
		err = ext2_dir_find(e, (uint32_t)sdir, &sd, sname, slen, &sino, &spos);
	if (!err)
		err = ext2_dir_remove(e, (uint32_t)sdir, &sd, &spos);
	if (!err && is_dir && ddir != sdir) {
		err = ext2_dir_dotdot(e, &in, &pino, &ppos);
		if (!err)
			err = ext2_dir_retarget(e, &in, &ppos, (uint32_t)ddir, FS_S_IFDIR);
		if (sd.links_count > 2)
			sd.links_count--;
		dd->links_count++;
	}
	if (!err && replaced && is_dir && dd->links_count > 2)
		dd->links_count--;	/* the replaced directory's ".." went */
	if (err)
		return err;
	touch(e, &sd, true);
	err = ext2_inode_write(e, (uint32_t)sdir, &sd, EXT2_PASS_INODE);
	if (!err && dd != &sd) {
		touch(e, dd, true);
		err = ext2_inode_write(e, (uint32_t)ddir, dd, EXT2_PASS_INODE);
	}
	touch(e, &in, false);
	if (!err)
		err = ext2_inode_write(e, sino, &in, EXT2_PASS_INODE);
	return err;
}

const struct fs_ops ext2_ops = {
	.lookup = e2_lookup,
	.parent = e2_parent,
	.getattr = e2_getattr,
	.setattr = e2_setattr,
	.read = e2_read,
	.write = e2_write,
	.truncate = e2_truncate,
	.create = e2_create,
	.mkdir = e2_mkdir,
	.unlink = e2_unlink,
	.rmdir = e2_rmdir,
	.rename = e2_rename,
	.link = e2_link,
	.symlink = e2_symlink,
	.readlink = e2_readlink,
	.readdir = e2_readdir,
	.statfs = ext2_statfs,
	.sync = ext2_sync,
	.unmount = ext2_unmount,
	.hold = ext2_hold,
	.drop = ext2_drop,
};
