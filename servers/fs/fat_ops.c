/*
 * FAT's operations (fs.h). FAT has no inodes, links or permissions: a file
 * is its directory entry (fat.h), hard and symbolic links are EPERM, and the
 * mode is made up: 0755 for folders, 0644 for files, less the write bits when
 * the read-only attribute is set. Files have no holes: writing past the end
 * fills the gap with zeroes.
 */
#include <stdlib.h>
#include <string.h>
#include "fat.h"

#define FAT_MAX_SIZE 0xFFFFFFFFull

static int
writable(struct fs *fs)
{
	return fs->readonly ? -FS_EROFS : 0;
}

static int
get_dir(struct fat *f, fs_ino_t ino, struct fat_node *n)
{
	int err = fat_node_get(f, ino, n);

	if (!err && !(n->de.attr & FAT_ATTR_DIR))
		err = -FS_ENOTDIR;
	return err;
}

static void
set_cluster(struct fat *f, struct fat_node *n, uint32_t c)
{
	n->cluster = c;
	n->de.clus_lo = (uint16_t)c;
	n->de.clus_hi = f->bits == 32 ? (uint16_t)(c >> 16) : 0;
}

static void
stamp(struct fat *f, struct fat_dirent *de, bool create)
{
	uint16_t d, t;

	fat_time_to_dos(fat_now(f), &d, &t);
	de->wrt_date = d;
	de->wrt_time = t;
	de->acc_date = d;
	if (create) {
		de->crt_date = d;
		de->crt_time = t;
		de->crt_tenth = 0;
	}
}

static int
fat_lookup(struct fs *fs, fs_ino_t dir, const char *name, size_t len, fs_ino_t *out)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node d, n;
	int err = get_dir(f, dir, &d);

	if (!err)
		err = fat_dir_find(f, &d, name, len, &n, NULL);
	if (!err)
		*out = n.ino;
	return err;
}

static int
fat_parent(struct fs *fs, fs_ino_t dir, fs_ino_t *out)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node d;
	int err = get_dir(f, dir, &d);

	return err ? err : fat_dir_parent(f, &d, out);
}

static int
fat_getattr(struct fs *fs, fs_ino_t ino, struct fs_stat *st)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node n;
	int err = fat_node_get(f, ino, &n);
	bool dir;

	if (err)
		return err;
	dir = n.de.attr & FAT_ATTR_DIR;
	*st = (struct fs_stat){ .ino = ino, .nlink = fat_orphan(f, ino) ? 0 : 1 };
	st->mode = dir ? FS_S_IFDIR | 0755 : FS_S_IFREG | 0644;
	if (n.de.attr & FAT_ATTR_RO)
		st->mode &= ~0222u;
	if (!dir)
		st->size = n.de.size;
	st->blocks = (st->size + f->csize - 1) / f->csize * (f->csize / 512);
	st->mtime = st->ctime = fat_time_from_dos(n.de.wrt_date, n.de.wrt_time);
	st->atime = fat_time_from_dos(n.de.acc_date, 0);
	return 0;
}

static int
fat_setattr(struct fs *fs, fs_ino_t ino, const struct fs_setattr *sa)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node n;
	int err = writable(fs);

	if (!err)
		err = fat_node_get(f, ino, &n);
	if (err)
		return err;
	if (ino == FAT_ROOT_INO)
		return 0;	/* the root has no entry to hold anything */
	if (sa->which & FS_SET_MODE)
		n.de.attr = (uint8_t)((n.de.attr & ~FAT_ATTR_RO) | (sa->mode & 0200 ? 0 : FAT_ATTR_RO));
	if (sa->which & FS_SET_MTIME)
		fat_time_to_dos(sa->mtime, &n.de.wrt_date, &n.de.wrt_time);
	if (sa->which & FS_SET_ATIME) {
		uint16_t t;
		fat_time_to_dos(sa->atime, &n.de.acc_date, &t);
	}
	return fat_node_put(f, &n);
}

/* A walk along a file's chain, one cluster on from the last when it can. */
struct cursor {
	uint32_t ci, c;
	bool valid;
};

static int
cluster_at(struct fat *f, const struct fat_node *n, struct cursor *cur, uint32_t ci, uint32_t *out)
{
	int err;

	if (cur->valid && ci == cur->ci) {
		*out = cur->c;
		return 0;
	}
	if (cur->valid && ci == cur->ci + 1) {
		err = fat_get(f, cur->c, out);
		if (!err && (*out == 0 || *out == FAT_EOC))
			err = -FS_ECORRUPT;	/* the chain is shorter than the size */
	} else {
		err = fat_chain_seek(f, n->cluster, ci, out);
		if (err == 1)
			err = -FS_ECORRUPT;
	}
	if (!err)
		*cur = (struct cursor){ ci, *out, true };
	return err;
}

/*
 * The sectors of bytes [off, end) of n that are not cached come in as runs
 * of adjacent sectors (a cluster and the clusters after it on the disk), one
 * device request per run (bcache_read_run), not one per sector; at most a
 * quarter of the cache (bcache_run_max) at a time, so that they are not
 * pushed out before the read copies them. cur: the read's place in the
 * chain, from which the walk goes on. 0, or a run's error: the read fails
 * as it would have on that sector.
 */
static int
fetch(struct fat *f, const struct fat_node *n, struct cursor cur, uint64_t off, uint64_t end)
{
	uint64_t start = 0;
	size_t run = 0, most = bcache_run_max(f->bc);
	int err = 0;

	if (end > off - off % f->bps + most * f->bps)
		end = off - off % f->bps + most * f->bps;
	for (uint64_t pos = off - off % f->bps;; pos += f->bps) {
		uint64_t s = 0;
		uint32_t c;
		bool want = false;

		if (pos < end && cluster_at(f, n, &cur, (uint32_t)(pos / f->csize), &c) == 0) {
			s = fat_cluster_sector(f, c) + pos % f->csize / f->bps;
			want = !bcache_cached(f->bc, s);
		} else if (pos < end) {
			end = pos;	/* the copy below meets the chain's error itself */
		}
		if (want && run > 0 && s == start + run && run < most) {
			run++;
			continue;
		}
		if (run > 0 && (err = bcache_read_run(f->bc, start, run)) != 0)
			return err;
		run = 0;
		if (want) {
			start = s;
			run = 1;
		}
		if (pos >= end)
			return 0;
	}
}

/*
 * How many of want whole sectors from pos (at sector s, cluster cur->c) lie
 * one after the other on the disk: the rest of this cluster, and the
 * clusters after it while the chain goes to the next one on the disk. A
 * chain's error ends the extent (the read meets it on its next step).
 */
static size_t
extent(struct fat *f, const struct fat_node *n, struct cursor *cur, uint64_t pos, size_t want)
{
	size_t got = f->spc - (size_t)(pos % f->csize / f->bps);
	uint32_t ci = (uint32_t)(pos / f->csize), c = cur->c, next;

	while (got < want && cluster_at(f, n, cur, ++ci, &next) == 0 && next == c + 1) {
		got += f->spc;
		c = next;
	}
	return got < want ? got : want;
}

static int
fat_read(struct fs *fs, fs_ino_t ino, uint64_t off, void *buf, size_t len, size_t *done)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node n;
	struct cursor cur = { 0 };
	uint8_t *dst = buf;
	size_t did = 0;
	int err = fat_node_get(f, ino, &n);

	if (err)
		return err;
	if (n.de.attr & FAT_ATTR_DIR)
		return -FS_EISDIR;
	if (off >= n.de.size)
		len = 0;
	else if (len > n.de.size - off)
		len = (size_t)(n.de.size - off);
	while (did < len) {
		uint64_t pos = off + did;
		uint32_t c, soff = (uint32_t)(pos % f->bps);
		size_t chunk = f->bps - soff;
		struct bcache_buf *b;

		if (chunk > len - did)
			chunk = len - did;
		err = cluster_at(f, &n, &cur, (uint32_t)(pos / f->csize), &c);
		if (err)
			return err;
		uint32_t sector = fat_cluster_sector(f, c) + (uint32_t)(pos % f->csize / f->bps);
		if (soff == 0 && len - did >= 2 * (size_t)f->bps) {
			/* Whole sectors go straight into buf, one request per extent, not
			 * through the cache (a sector at a time, and a copy more). */
			size_t k = extent(f, &n, &cur, pos, (len - did) / f->bps);

			err = bcache_read_direct(f->bc, sector, k, dst + did);
			if (err)
				return err;
			did += k * f->bps;
			continue;
		}
		if (len - did > chunk && !bcache_cached(f->bc, sector) && (err = fetch(f, &n, cur, pos, off + len)) != 0)
			return err;
		err = bcache_get(f->bc, sector, &b);
		if (err)
			return err;
		memcpy(dst + did, b->data + soff, chunk);
		bcache_put(f->bc, b);
		did += chunk;
	}
	*done = did;
	return 0;
}

/* Writes src (zeroes if NULL) at off, growing the chain as it goes. */
static int
write_data(struct fat *f, struct fat_node *n, uint64_t off, const uint8_t *src, size_t len, size_t *done)
{
	uint32_t have = (uint32_t)((n->de.size + f->csize - 1) / f->csize);
	struct cursor cur = { 0 };
	size_t did = 0;
	int err = 0;

	if (n->cluster == 0)
		have = 0;
	while (did < len) {
		uint64_t pos = off + did;
		uint32_t ci = (uint32_t)(pos / f->csize), c, soff = (uint32_t)(pos % f->bps);
		size_t chunk = f->bps - soff;
		struct bcache_buf *b;

		if (chunk > len - did)
			chunk = len - did;
		if (ci >= have) {
			uint32_t prev = 0;

			if (have > 0)
				err = cluster_at(f, n, &cur, have - 1, &prev);
			if (!err)
				err = fat_alloc(f, prev, false, &c);
			if (err)
				break;
			if (have == 0)
				set_cluster(f, n, c);
			have++;
			cur = (struct cursor){ ci, c, true };
		} else {
			err = cluster_at(f, n, &cur, ci, &c);
			if (err)
				break;
		}
		uint32_t sector = fat_cluster_sector(f, c) + (uint32_t)(pos % f->csize / f->bps);
		err = chunk == f->bps ? bcache_get_zero(f->bc, sector, &b) : bcache_get(f->bc, sector, &b);
		if (err)
			break;
		err = bcache_dirty(f->bc, b, FAT_PASS_DATA);
		if (!err) {
			if (src)
				memcpy(b->data + soff, src + did, chunk);
			else
				memset(b->data + soff, 0, chunk);
		}
		bcache_put(f->bc, b);
		if (err)
			break;
		did += chunk;
		if (off + did > n->de.size)
			n->de.size = (uint32_t)(off + did);
	}
	*done = did;
	return did ? 0 : err;
}

static int
fat_write(struct fs *fs, fs_ino_t ino, uint64_t off, const void *buf, size_t len, size_t *done)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node n;
	size_t did = 0, gap;
	int err = writable(fs);

	if (!err)
		err = fat_node_get(f, ino, &n);
	if (err)
		return err;
	if (n.de.attr & FAT_ATTR_DIR)
		return -FS_EISDIR;
	if (off > FAT_MAX_SIZE || len > FAT_MAX_SIZE - off)
		return -FS_EFBIG;
	if (off > n.de.size) {
		err = write_data(f, &n, n.de.size, NULL, (size_t)(off - n.de.size), &gap);
		if (!err && gap < off - n.de.size)
			err = -FS_ENOSPC;
	}
	if (!err && len)
		err = write_data(f, &n, off, buf, len, &did);
	n.de.attr |= FAT_ATTR_ARCHIVE;
	stamp(f, &n.de, false);
	int err2 = fat_node_put(f, &n);
	if (err)
		return err;
	if (err2)
		return err2;
	*done = did;
	return 0;
}

static int
fat_truncate(struct fs *fs, fs_ino_t ino, uint64_t size)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node n;
	size_t gap;
	int err = writable(fs);

	if (!err)
		err = fat_node_get(f, ino, &n);
	if (err)
		return err;
	if (n.de.attr & FAT_ATTR_DIR)
		return -FS_EISDIR;
	if (size > FAT_MAX_SIZE)
		return -FS_EFBIG;
	if (size > n.de.size) {
		err = write_data(f, &n, n.de.size, NULL, (size_t)(size - n.de.size), &gap);
		if (!err && gap < size - n.de.size)
			err = -FS_ENOSPC;
	} else if (size < n.de.size && n.cluster) {
		uint32_t keep = (uint32_t)((size + f->csize - 1) / f->csize), last, next;

		if (keep == 0) {
			err = fat_free_chain(f, n.cluster);
			set_cluster(f, &n, 0);
		} else {
			err = fat_chain_seek(f, n.cluster, keep - 1, &last);
			if (err == 1)
				err = -FS_ECORRUPT;
			if (!err)
				err = fat_get(f, last, &next);
			if (!err && next != FAT_EOC) {
				err = fat_set(f, last, FAT_EOC);
				if (!err)
					err = fat_free_chain(f, next);
			}
		}
		if (!err)
			n.de.size = (uint32_t)size;
	}
	stamp(f, &n.de, false);
	int err2 = fat_node_put(f, &n);
	return err ? err : err2;
}

/* Checks for a new name in dir: writable, a directory; if find, no such entry. */
static int
check_new(struct fs *fs, fs_ino_t dir, const char *name, size_t len, bool find, struct fat_node *d)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node n;
	int err = writable(fs);

	if (!err && len > FS_NAME_MAX)
		err = -FS_ENAMETOOLONG;
	if (!err)
		err = get_dir(f, dir, d);
	if (!err && find) {
		err = fat_dir_find(f, d, name, len, &n, NULL);
		err = err == 0 ? -FS_EEXIST : err == -FS_ENOENT ? 0 : err;
	}
	return err;
}

static int
fat_create(struct fs *fs, fs_ino_t dir, const char *name, size_t len, uint32_t mode, fs_ino_t *out)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node d;
	struct fat_dirent de;
	int err = check_new(fs, dir, name, len, false, &d);

	if (err)
		return err;
	if ((mode & FS_S_IFMT) && !FS_ISREG(mode))
		return -FS_EINVAL;
	memset(&de, 0, sizeof de);
	de.attr = (uint8_t)(FAT_ATTR_ARCHIVE | (mode & 0200 ? 0 : FAT_ATTR_RO));
	stamp(f, &de, true);
	/* The walk that finds room also says whether the name is taken. */
	return fat_dir_add(f, &d, name, len, &de, true, out);
}

static void
dot_entry(struct fat *f, struct fat_dirent *de, const char *name, uint32_t cluster, const struct fat_dirent *like)
{
	*de = *like;
	memcpy(de->name, name, 11);
	de->attr = FAT_ATTR_DIR;
	de->size = 0;
	de->clus_lo = (uint16_t)cluster;
	de->clus_hi = f->bits == 32 ? (uint16_t)(cluster >> 16) : 0;
}

static int
fat_mkdir(struct fs *fs, fs_ino_t dir, const char *name, size_t len, uint32_t mode, fs_ino_t *out)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node d;
	struct fat_dirent de, dots[2];
	struct bcache_buf *b;
	uint32_t c;
	int err = check_new(fs, dir, name, len, true, &d);

	if (err)
		return err;
	err = fat_alloc(f, 0, true, &c);
	if (err)
		return err;
	memset(&de, 0, sizeof de);
	stamp(f, &de, true);
	de.attr = FAT_ATTR_DIR;
	de.clus_lo = (uint16_t)c;
	de.clus_hi = f->bits == 32 ? (uint16_t)(c >> 16) : 0;
	/* "." and ".." go with the zeroes, before the name points at the cluster. */
	dot_entry(f, &dots[0], ".          ", c, &de);
	dot_entry(f, &dots[1], "..         ", dir == FAT_ROOT_INO ? 0 : d.cluster, &de);
	err = bcache_get(f->bc, fat_cluster_sector(f, c), &b);
	if (!err) {
		err = bcache_dirty(f->bc, b, FAT_PASS_DATA);
		if (!err)
			memcpy(b->data, dots, sizeof dots);
		bcache_put(f->bc, b);
	}
	if (!err)
		err = fat_dir_add(f, &d, name, len, &de, false, out);
	if (err)
		fat_free_chain(f, c);
	return err;
}

static int
dir_is_empty(struct fat *f, const struct fat_node *n)
{
	struct fs_dirent *e = malloc(sizeof *e);
	uint64_t cookie = 0;
	int r;

	if (!e)
		return -FS_ENOMEM;
	r = fat_dir_next(f, n, &cookie, e);
	free(e);
	return r < 0 ? r : !r;
}

static int
remove_name(struct fs *fs, fs_ino_t dir, const char *name, size_t len, bool want_dir)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node d, n;
	struct fat_slot slot;
	int err = writable(fs);

	if (!err)
		err = get_dir(f, dir, &d);
	if (!err)
		err = fat_dir_find(f, &d, name, len, &n, &slot);
	if (err)
		return err;
	if (want_dir != !!(n.de.attr & FAT_ATTR_DIR))
		return want_dir ? -FS_ENOTDIR : -FS_EISDIR;
	if (want_dir) {
		err = dir_is_empty(f, &n);
		if (err <= 0)
			return err < 0 ? err : -FS_ENOTEMPTY;
	}
	err = fat_dir_remove(f, &d, &slot);
	if (!err)
		err = fat_lose_name(f, &n);	/* held open: its clusters stay until the last drop */
	return err;
}

static int
fat_unlink(struct fs *fs, fs_ino_t dir, const char *name, size_t len)
{
	return remove_name(fs, dir, name, len, false);
}

static int
fat_rmdir(struct fs *fs, fs_ino_t dir, const char *name, size_t len)
{
	return remove_name(fs, dir, name, len, true);
}

/*
 * rename(2): the new entry is written and flushed before the old one goes,
 * so that a cut leaves the file under one name or both, never none. For a
 * folder, two names share its clusters: fsck.fat -a cuts one to nothing and
 * needs a second run to delete it.
 */
static int
fat_rename(struct fs *fs, fs_ino_t sdir, const char *sname, size_t slen, fs_ino_t ddir, const char *dname,
	   size_t dlen)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node sd, dd, n, t;
	struct fat_slot sslot, tslot;
	struct fat_dirent de;
	fs_ino_t ino;
	bool is_dir;
	int err = writable(fs);

	if (!err)
		err = get_dir(f, sdir, &sd);
	if (!err)
		err = get_dir(f, ddir, &dd);
	if (!err)
		err = fat_dir_find(f, &sd, sname, slen, &n, &sslot);
	if (err)
		return err;
	is_dir = n.de.attr & FAT_ATTR_DIR;
	err = fat_dir_find(f, &dd, dname, dlen, &t, &tslot);
	if (err == 0) {
		if (t.ino == n.ino) {
			/* The same entry: only the case of the name may change. */
			if (slen == dlen && !memcmp(sname, dname, slen))
				return 0;
		} else {
			if (is_dir && !(t.de.attr & FAT_ATTR_DIR))
				return -FS_ENOTDIR;
			if (!is_dir && (t.de.attr & FAT_ATTR_DIR))
				return -FS_EISDIR;
			if (is_dir) {
				err = dir_is_empty(f, &t);
				if (err <= 0)
					return err < 0 ? err : -FS_ENOTEMPTY;
			}
		}
		if (t.ino != n.ino) {
			err = fat_dir_remove(f, &dd, &tslot);
			if (!err)
				err = fat_lose_name(f, &t);
		}
	} else if (err == -FS_ENOENT) {
		err = 0;
	}
	if (err)
		return err;
	de = n.de;
	de.ntres = 0;
	err = fat_dir_add(f, &dd, dname, dlen, &de, false, &ino);
	if (!err)
		fat_moved(f, n.ino, ino);	/* held, it keeps its number (fat_held.c) */
	if (!err)
		err = bcache_flush(f->bc);
	/* The old entries did not move: removing them by their slot is safe. */
	if (!err)
		err = fat_dir_remove(f, &sd, &sslot);
	if (!err && is_dir && sd.cluster != dd.cluster) {
		struct fat_dirent dots;

		err = fat_entry_rw(f, &n, 1, &dots, false);
		if (!err) {
			uint32_t pc = ddir == FAT_ROOT_INO ? 0 : dd.cluster;
			dots.clus_lo = (uint16_t)pc;
			dots.clus_hi = f->bits == 32 ? (uint16_t)(pc >> 16) : 0;
			err = fat_entry_rw(f, &n, 1, &dots, true);
		}
	}
	return err;
}

static int
fat_link(struct fs *fs, fs_ino_t ino, fs_ino_t dir, const char *name, size_t len)
{
	return -FS_EPERM;
}

static int
fat_symlink(struct fs *fs, fs_ino_t dir, const char *name, size_t len, const char *target, fs_ino_t *out)
{
	return -FS_EPERM;
}

static int
fat_readlink(struct fs *fs, fs_ino_t ino, char *buf, size_t size, size_t *len)
{
	return -FS_EINVAL;
}

static int
fat_readdir(struct fs *fs, fs_ino_t dir, uint64_t *cookie, struct fs_dirent *out)
{
	struct fat *f = FAT_OF(fs);
	struct fat_node d;
	int err = get_dir(f, dir, &d);

	return err ? err : fat_dir_next(f, &d, cookie, out);
}

const struct fs_ops fat_ops = {
	.lookup = fat_lookup,
	.parent = fat_parent,
	.getattr = fat_getattr,
	.setattr = fat_setattr,
	.read = fat_read,
	.write = fat_write,
	.truncate = fat_truncate,
	.create = fat_create,
	.mkdir = fat_mkdir,
	.unlink = fat_unlink,
	.rmdir = fat_rmdir,
	.rename = fat_rename,
	.link = fat_link,
	.symlink = fat_symlink,
	.readlink = fat_readlink,
	.readdir = fat_readdir,
	.statfs = fat_statfs,
	.sync = fat_sync,
	.unmount = fat_unmount,
	.hold = fat_hold,
	.drop = fat_drop,
};
