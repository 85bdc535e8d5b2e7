/*
 * ext2 directories: blocks of variable-length entries, each one's rec_len
 * reaching the next, the last reaching the block's end. Every entry is checked
 * (length, alignment, name inside the record) before its name is read. A
 * hashed directory (dir_index) is read as a linear one, which its format
 * allows, and loses its index flag when we change it, as older kernels do.
 */
#include <string.h>
#include "ext2.h"

/* The entry at off in a directory block, checked; -FS_ECORRUPT if it is bad. */
static int
entry_at(const struct ext2 *e, const uint8_t *blk, uint32_t off, struct ext2_dirent *de)
{
	if (off > e->bsize - 8)
		return -FS_ECORRUPT;
	__builtin_memcpy(de, blk + off, sizeof *de);	/* inline: a call per entry costs a folder search dear */
	if (de->rec_len < 8 || de->rec_len % 4 || de->rec_len > e->bsize - off ||
	    (uint32_t)de->name_len + 8 > de->rec_len)
		return -FS_ECORRUPT;
	return 0;
}

static uint8_t
ftype_of(const struct ext2 *e, uint32_t mode)
{
	if (!e->filetype)
		return EXT2_FT_UNKNOWN;
	switch (mode & FS_S_IFMT) {
	case FS_S_IFREG: return EXT2_FT_REG;
	case FS_S_IFDIR: return EXT2_FT_DIR;
	case FS_S_IFCHR: return EXT2_FT_CHR;
	case FS_S_IFBLK: return EXT2_FT_BLK;
	case FS_S_IFIFO: return EXT2_FT_FIFO;
	case FS_S_IFSOCK: return EXT2_FT_SOCK;
	case FS_S_IFLNK: return EXT2_FT_SYMLINK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static uint32_t
mode_of_ftype(uint8_t t)
{
	static const uint32_t m[] = { 0, FS_S_IFREG, FS_S_IFDIR, FS_S_IFCHR, FS_S_IFBLK, FS_S_IFIFO,
				      FS_S_IFSOCK, FS_S_IFLNK };

	return t < sizeof m / sizeof m[0] ? m[t] : 0;
}

static uint64_t
dir_blocks(const struct ext2 *e, const struct ext2_inode *din)
{
	return ext2_isize(din) / e->bsize;
}

/* A held buffer of the directory's logical block; directories have no holes. */
static int
dir_block(struct ext2 *e, struct ext2_inode *din, uint64_t lblk, struct bcache_buf **out)
{
	uint32_t pblk;
	bool fresh;
	int err = ext2_bmap(e, din, lblk, false, &pblk, &fresh);

	if (err)
		return err;
	if (pblk == 0)
		return -FS_ECORRUPT;
	return bcache_get(e->bc, pblk, out);
}

int
ext2_dir_find(struct ext2 *e, uint32_t dir, struct ext2_inode *din, const char *name, size_t len,
	      uint32_t *ino, struct ext2_dirpos *pos)
{
	struct ext2_dirent de;

	if (ext2_isize(din) % e->bsize)
		return -FS_ECORRUPT;
	for (uint64_t lb = 0; lb < dir_blocks(e, din); lb++) {
		struct bcache_buf *b;
		int err = dir_block(e, din, lb, &b);

		if (err)
			return err;
		for (uint32_t off = 0; off < e->bsize; off += de.rec_len) {
			err = entry_at(e, b->data, off, &de);
			if (err)
				break;
			const uint8_t *n = b->data + off + 8;

			/* the last byte first: names in one folder often share their start */
			if (de.inode && de.name_len == len && len && n[len - 1] == (uint8_t)name[len - 1] &&
			    memcmp(n, name, len) == 0) {
				bcache_put(e->bc, b);
				if (de.inode > e->sb.inodes_count)
					return -FS_ECORRUPT;
				*ino = de.inode;
				if (pos)
					*pos = (struct ext2_dirpos){ lb, off };
				return 0;
			}
		}
		bcache_put(e->bc, b);
		if (err)
			return err;
	}
	return -FS_ENOENT;
}

static void
put_entry(const struct ext2 *e, uint8_t *p, uint16_t rec_len, const char *name, size_t len, uint32_t ino,
	  uint32_t mode)
{
	struct ext2_dirent de = { ino, rec_len, (uint8_t)len, ftype_of(e, mode) };

	memcpy(p, &de, sizeof de);
	memcpy(p + 8, name, len);
}

int
ext2_dir_add(struct ext2 *e, uint32_t dir, struct ext2_inode *din, const char *name, size_t len, uint32_t ino,
	     uint32_t mode, struct ext2_dirpos *pos)
{
	uint32_t need = EXT2_DIRENT_SIZE(len);
	struct ext2_dirent de;
	struct bcache_buf *b;
	uint64_t lb;
	int err;

	din->flags &= ~EXT2_INDEX_FL;
	for (lb = 0; lb < dir_blocks(e, din); lb++) {
		err = dir_block(e, din, lb, &b);
		if (err)
			return err;
		for (uint32_t off = 0; off < e->bsize; off += de.rec_len) {
			uint32_t used;

			err = entry_at(e, b->data, off, &de);
			if (err)
				break;
			used = de.inode ? EXT2_DIRENT_SIZE(de.name_len) : 0;
			if (de.rec_len - used < need)
				continue;
			err = bcache_dirty(e->bc, b, EXT2_PASS_DIR);
			if (err)
				break;
			uint16_t rest = (uint16_t)(de.rec_len - used);
			if (used) {
				/* Split: the old entry keeps what it uses, the new one the rest. */
				de.rec_len = (uint16_t)used;
				memcpy(b->data + off, &de, sizeof de);
				off += used;
			}
			put_entry(e, b->data + off, rest, name, len, ino, mode);
			bcache_put(e->bc, b);
			if (pos)
				*pos = (struct ext2_dirpos){ lb, off };
			return 0;
		}
		bcache_put(e->bc, b);
		if (err)
			return err;
	}
	/* No room: a new block at the end. */
	uint32_t pblk;
	bool fresh;
	err = ext2_bmap(e, din, lb, true, &pblk, &fresh);
	if (err)
		return err;
	err = bcache_get_zero(e->bc, pblk, &b);
	if (err)
		return err;
	err = bcache_dirty(e->bc, b, EXT2_PASS_DIR);
	if (!err)
		put_entry(e, b->data, (uint16_t)e->bsize, name, len, ino, mode);
	bcache_put(e->bc, b);
	if (err)
		return err;
	ext2_set_isize(e, din, (lb + 1) * e->bsize);
	if (pos)
		*pos = (struct ext2_dirpos){ lb, 0 };
	return 0;
}

int
ext2_dir_remove(struct ext2 *e, uint32_t dir, struct ext2_inode *din, const struct ext2_dirpos *pos)
{
	struct ext2_dirent de, prev;
	struct bcache_buf *b;
	uint32_t off, prev_off = 0;
	bool have_prev = false;
	int err;

	din->flags &= ~EXT2_INDEX_FL;
	err = dir_block(e, din, pos->lblk, &b);
	if (err)
		return err;
	for (off = 0; off < pos->off; off += de.rec_len) {
		err = entry_at(e, b->data, off, &de);
		if (err)
			break;
		prev = de;
		prev_off = off;
		have_prev = true;
	}
	if (!err && off != pos->off)
		err = -FS_ECORRUPT;
	if (!err)
		err = entry_at(e, b->data, off, &de);
	if (!err)
		err = bcache_dirty(e->bc, b, EXT2_PASS_DIR);
	if (!err) {
		if (have_prev) {
			/* The previous entry swallows this one. */
			prev.rec_len = (uint16_t)(prev.rec_len + de.rec_len);
			memcpy(b->data + prev_off, &prev, sizeof prev);
		} else {
			de.inode = 0;
			memcpy(b->data + off, &de, sizeof de);
		}
	}
	bcache_put(e->bc, b);
	return err;
}

int
ext2_dir_retarget(struct ext2 *e, struct ext2_inode *din, const struct ext2_dirpos *pos, uint32_t ino,
		  uint32_t mode)
{
	struct ext2_dirent de;
	struct bcache_buf *b;
	int err = dir_block(e, din, pos->lblk, &b);

	if (err)
		return err;
	err = entry_at(e, b->data, pos->off, &de);
	if (!err)
		err = bcache_dirty(e->bc, b, EXT2_PASS_DIR);
	if (!err) {
		de.inode = ino;
		de.file_type = ftype_of(e, mode);
		memcpy(b->data + pos->off, &de, sizeof de);
	}
	bcache_put(e->bc, b);
	return err;
}

/* A new directory's first block: "." and "..". */
int
ext2_dir_init(struct ext2 *e, uint32_t ino, struct ext2_inode *in, uint32_t parent)
{
	struct bcache_buf *b;
	uint32_t pblk;
	bool fresh;
	int err = ext2_bmap(e, in, 0, true, &pblk, &fresh);

	if (err)
		return err;
	err = bcache_get_zero(e->bc, pblk, &b);
	if (err)
		return err;
	err = bcache_dirty(e->bc, b, EXT2_PASS_DIR);
	if (!err) {
		put_entry(e, b->data, 12, ".", 1, ino, FS_S_IFDIR);
		put_entry(e, b->data + 12, (uint16_t)(e->bsize - 12), "..", 2, parent, FS_S_IFDIR);
	}
	bcache_put(e->bc, b);
	if (!err)
		ext2_set_isize(e, in, e->bsize);
	return err;
}

/*
 * The next entry at or after *cookie (a byte offset in the directory),
 * "." and ".." left out: 1 with *out, 0 at the end. With out NULL, 1 means
 * the directory holds something else than "." and "..".
 */
int
ext2_dir_next(struct ext2 *e, struct ext2_inode *din, uint64_t *cookie, struct fs_dirent *out)
{
	struct ext2_dirent de;

	if (ext2_isize(din) % e->bsize)
		return -FS_ECORRUPT;
	for (uint64_t lb = *cookie / e->bsize; lb < dir_blocks(e, din); lb++) {
		struct bcache_buf *b;
		int err = dir_block(e, din, lb, &b);

		if (err)
			return err;
		for (uint32_t off = 0; off < e->bsize; off += de.rec_len) {
			const char *name = (const char *)b->data + off + 8;

			err = entry_at(e, b->data, off, &de);
			if (err)
				break;
			if (lb * e->bsize + off < *cookie || de.inode == 0)
				continue;
			if ((de.name_len == 1 && name[0] == '.') ||
			    (de.name_len == 2 && name[0] == '.' && name[1] == '.'))
				continue;
			if (de.inode > e->sb.inodes_count || de.name_len == 0) {
				err = -FS_ECORRUPT;
				break;
			}
			if (out) {
				out->ino = de.inode;
				out->type = e->filetype ? mode_of_ftype(de.file_type) : 0;
				memcpy(out->name, name, de.name_len);
				out->name[de.name_len] = 0;
			}
			*cookie = lb * e->bsize + off + de.rec_len;
			bcache_put(e->bc, b);
			return 1;
		}
		bcache_put(e->bc, b);
		if (err)
			return err;
	}
	*cookie = dir_blocks(e, din) * e->bsize;
	return 0;
}

int
ext2_dir_empty(struct ext2 *e, struct ext2_inode *din)
{
	uint64_t cookie = 0;
	int r = ext2_dir_next(e, din, &cookie, NULL);

	return r < 0 ? r : !r;
}

int
ext2_dir_dotdot(struct ext2 *e, struct ext2_inode *din, uint32_t *out, struct ext2_dirpos *pos)
{
	int err = ext2_dir_find(e, 0, din, "..", 2, out, pos);

	return err == -FS_ENOENT ? -FS_ECORRUPT : err;
}
