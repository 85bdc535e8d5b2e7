/*
 * Files held open (fs_ops hold/drop) and ext2's orphan list: a regular file
 * or symbolic link whose last link goes while it is held keeps its inode and
 * blocks, readable and writable through the holder, until the last drop.
 *
 * On disk such a file is an orphan, as ext3 and e2fsck know them: links_count
 * 0, still in use, on a list whose head is the superblock's last_orphan and
 * whose links are the inodes' dtime fields. The list is synced before the
 * name goes, so a cut leaves the file on it, and `e2fsck -p` (or our next
 * writable mount) releases it. The last drop takes the file off the list
 * (synced again: a cut then leaves a zero-link inode e2fsck -p frees) and
 * only then releases it, whose dtime becomes a time: so a cut anywhere in a
 * list of several leaves it whole, and the next mount frees all it holds,
 * moving the head past each one (synced) before releasing it. A cut between
 * the two steps leaves the dropped file off the list, with no link (its
 * dtime still the old link, which e2fsck -p will not mend alone): a mount
 * after an unclean end finds such inodes in the tables and releases them; an unmount releases every orphan still held, so an orderly
 * shutdown leaves no list for `e2fsck -fn` to find.
 */
#include <stdlib.h>
#include "ext2.h"

static struct ext2_held *
held_find(struct ext2 *e, uint32_t ino)
{
	for (size_t i = 0; i < e->nheld; i++)
		if (e->held[i].ino == ino)
			return &e->held[i];
	return NULL;
}

bool
ext2_is_held(struct ext2 *e, uint32_t ino)
{
	return held_find(e, ino) != NULL;
}

int
ext2_hold(struct fs *fs, fs_ino_t ino)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_held *h;

	if (ino == 0 || ino > e->sb.inodes_count)
		return -FS_ENOENT;
	h = held_find(e, (uint32_t)ino);
	if (h) {
		if (h->count == UINT32_MAX)
			return -FS_ENOMEM;
		h->count++;
		return 0;
	}
	if (e->nheld == e->held_cap) {
		size_t cap = e->held_cap ? e->held_cap * 2 : 16;
		struct ext2_held *n = realloc(e->held, cap * sizeof *n);

		if (!n)
			return -FS_ENOMEM;
		e->held = n;
		e->held_cap = cap;
	}
	e->held[e->nheld++] = (struct ext2_held){ (uint32_t)ino, 1 };
	return 0;
}

/* The last link of held inode ino (in) goes: on the list, synced, before its name goes. */
int
ext2_orphan_add(struct ext2 *e, uint32_t ino, struct ext2_inode *in)
{
	int err;

	in->links_count = 0;
	in->dtime = e->sb.last_orphan;
	in->ctime = (uint32_t)ext2_now(e);
	err = ext2_inode_write(e, ino, in, EXT2_PASS_GONE);
	if (err)
		return err;
	e->sb.last_orphan = ino;
	e->sb_dirty = true;
	return ext2_sync(&e->fs);
}

/*
 * Whether ino is on the orphan list: 1, 0, or -errno. Only an orphan is
 * released at its last drop; a held folder removed (rmdir, a rename over it)
 * was released then, and its inode may be another file's by now.
 */
static int
orphan_listed(struct ext2 *e, uint32_t ino)
{
	uint32_t cur = e->sb.last_orphan;
	struct ext2_inode pin;
	int err;

	for (uint32_t steps = 0; cur && steps < e->sb.inodes_count; steps++) {
		if (cur == ino)
			return 1;
		if (cur < e->first_ino || cur > e->sb.inodes_count)
			return -FS_ECORRUPT;
		err = ext2_inode_read(e, cur, &pin);
		if (err)
			return err;
		cur = pin.dtime;
	}
	return 0;
}

/*
 * ino (in, an orphan) off the list: the link to it (the superblock's head, or
 * the previous orphan's dtime) now names the one after it. in itself is left
 * as it is, its dtime still that link, until the change is synced: a cut
 * before then leaves the list whole (through ino or around it), never a link
 * that names a time. Not synced.
 */
static int
orphan_unlist(struct ext2 *e, uint32_t ino, struct ext2_inode *in)
{
	uint32_t prev = 0, cur = e->sb.last_orphan;
	struct ext2_inode pin;
	int err;

	for (uint32_t steps = 0; cur && steps < e->sb.inodes_count; steps++) {
		if (cur == ino)
			break;
		if (cur < e->first_ino || cur > e->sb.inodes_count)
			return -FS_ECORRUPT;
		err = ext2_inode_read(e, cur, &pin);
		if (err)
			return err;
		prev = cur;
		cur = pin.dtime;
	}
	if (cur == ino) {
		if (prev == 0) {
			e->sb.last_orphan = in->dtime;
			e->sb_dirty = true;
		} else {
			pin.dtime = in->dtime;
			return ext2_inode_write(e, prev, &pin, EXT2_PASS_GONE);
		}
	}
	return 0;
}

int
ext2_drop(struct fs *fs, fs_ino_t ino)
{
	struct ext2 *e = EXT2_OF(fs);
	struct ext2_held *h = ino <= UINT32_MAX ? held_find(e, (uint32_t)ino) : NULL;
	struct ext2_inode in;
	int err;

	if (!h)
		return -FS_EINVAL;
	if (--h->count > 0)
		return 0;
	*h = e->held[--e->nheld];
	if (fs->readonly)
		return 0;
	err = ext2_inode_read(e, (uint32_t)ino, &in);
	if (err || in.links_count != 0 || in.mode == 0)
		return err;
	/* released already (a folder removed while held): a second release would free it twice */
	if ((err = orphan_listed(e, (uint32_t)ino)) <= 0)
		return err;
	err = orphan_unlist(e, (uint32_t)ino, &in);
	if (!err)
		err = ext2_sync(fs);
	if (!err)
		err = ext2_release(e, (uint32_t)ino, &in);	/* its dtime a time from here on */
	return err;
}

/*
 * After an unclean end: in-use inodes with no link that the list does not
 * name (a drop cut between taking one off the list and releasing it: no
 * journal makes the two one step). Only orphans have no link on disk: a new
 * file's inode is written with its link count before its name.
 */
static int
release_unlisted(struct ext2 *e)
{
	uint32_t ipg = e->sb.inodes_per_group;
	int err = ext2_sync(&e->fs);	/* the list's releases reach the bitmaps first */

	for (uint32_t g = 0; g < e->ngroups && !err; g++) {
		for (uint32_t i = 0; i < ipg && !err; i++) {
			uint32_t ino = g * ipg + i + 1;
			struct bcache_buf *b;
			struct ext2_inode in;
			bool used;

			if (ino < e->first_ino || ino > e->sb.inodes_count)
				continue;
			err = bcache_get(e->bc, e->gd[g].inode_bitmap, &b);
			if (err)
				break;
			used = b->data[i / 8] & (1u << (i % 8));
			bcache_put(e->bc, b);
			if (!used || (err = ext2_inode_read(e, ino, &in)) != 0)
				continue;
			if (in.links_count == 0 && in.mode != 0 && !FS_ISDIR(in.mode) && !ext2_is_held(e, ino))
				err = ext2_release(e, ino, &in);
		}
	}
	return err;
}

int
ext2_orphans_mount(struct ext2 *e, bool unclean)
{
	uint32_t ino = e->sb.last_orphan;
	struct ext2_inode in;
	int err = 0;

	for (uint32_t steps = 0; ino && steps < e->sb.inodes_count && !err; steps++) {
		uint32_t next;

		if (ino < e->first_ino || ino > e->sb.inodes_count)
			break;	/* a broken list: what it held is e2fsck's to find */
		err = ext2_inode_read(e, ino, &in);
		if (err || in.links_count != 0 || in.mode == 0 || FS_ISDIR(in.mode))
			break;
		next = in.dtime;
		/* the head moves past it first, synced: a cut never leaves a head that was released */
		e->sb.last_orphan = next;
		e->sb_dirty = true;
		err = ext2_sync(&e->fs);
		if (!err)
			err = ext2_release(e, ino, &in);
		ino = next;
	}
	if (!err && e->sb.last_orphan) {
		e->sb.last_orphan = 0;
		e->sb_dirty = true;
	}
	if (!err && unclean)
		err = release_unlisted(e);
	return err;
}

int
ext2_orphans_unmount(struct ext2 *e)
{
	struct ext2_inode in;
	int err = 0;

	for (size_t i = 0; i < e->nheld && !err; i++) {
		err = ext2_inode_read(e, e->held[i].ino, &in);
		if (!err && in.links_count == 0 && in.mode != 0)
			err = ext2_release(e, e->held[i].ino, &in);
	}
	if (!err && e->sb.last_orphan) {
		e->sb.last_orphan = 0;
		e->sb_dirty = true;
	}
	return err;
}
