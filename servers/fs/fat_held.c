/*
 * FAT files held open (fs_ops hold and drop) and the orphans among them: a
 * file whose name goes (unlink, or a rename over it) while it is held keeps
 * its clusters and answers as ever, with no link, until its last drop frees
 * its chain. FAT has nowhere on disk to keep a file with no name (ext2 has its
 * orphan list), so an orphan's entry lives here, in memory: fat_node_get and
 * fat_node_put find it here first, and the directory slot its number names is
 * not given to a new name while it lives (fat_orphan_slot), since that number
 * is the open file's. A cut leaves its chain lost, which `fsck.fat -a` frees;
 * an unmount frees it (fat_orphans_unmount), so an orderly end leaves a clean
 * volume.
 */
#include <stdlib.h>
#include "fat.h"

static struct fat_held *
held_of(struct fat *f, fs_ino_t ino)
{
	for (size_t i = 0; i < f->nheld; i++)
		if (f->held[i].ino == ino)
			return &f->held[i];
	return NULL;
}

int
fat_hold(struct fs *fs, fs_ino_t ino)
{
	struct fat *f = FAT_OF(fs);
	struct fat_held *h = held_of(f, ino);

	if (h) {
		h->count++;
		return 0;
	}
	if (f->nheld == f->held_cap) {
		size_t cap = f->held_cap ? f->held_cap * 2 : 8;
		struct fat_held *v = realloc(f->held, cap * sizeof *v);

		if (!v)
			return -FS_ENOMEM;
		f->held = v;
		f->held_cap = cap;
	}
	f->held[f->nheld++] = (struct fat_held){ .ino = ino, .count = 1 };
	return 0;
}

int
fat_drop(struct fs *fs, fs_ino_t ino)
{
	struct fat *f = FAT_OF(fs);
	struct fat_held *h = held_of(f, ino);
	int err = 0;

	if (!h || --h->count > 0)
		return 0;
	if (h->orphan) {
		f->norphans--;
		if (h->node.cluster && !fs->readonly)
			err = fat_free_chain(f, h->node.cluster);	/* at the next sync, as any free */
	}
	*h = f->held[--f->nheld];
	return err;
}

struct fat_held *
fat_orphan(struct fat *f, fs_ino_t ino)
{
	struct fat_held *h = f->norphans ? held_of(f, ino) : NULL;

	return h && h->orphan ? h : NULL;
}

bool
fat_orphan_slot(struct fat *f, fs_ino_t ino)
{
	return fat_orphan(f, ino) != NULL;
}

int
fat_lose_name(struct fat *f, const struct fat_node *n)
{
	struct fat_held *h = held_of(f, n->ino);

	if (h && !(n->de.attr & FAT_ATTR_DIR)) {
		h->orphan = true;
		h->node = *n;
		f->norphans++;
		return 0;
	}
	return n->cluster ? fat_free_chain(f, n->cluster) : 0;
}

int
fat_orphans_unmount(struct fat *f)
{
	int err = 0;

	for (size_t i = 0; i < f->nheld; i++)
		if (f->held[i].orphan && f->held[i].node.cluster && !f->fs.readonly) {
			int e = fat_free_chain(f, f->held[i].node.cluster);
			if (e && !err)
				err = e;
		}
	free(f->held);
	f->held = NULL;
	f->nheld = f->held_cap = f->norphans = 0;
	return err;
}
