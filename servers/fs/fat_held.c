/*
 * FAT files held open (fs_ops hold and drop), the renamed and the orphans
 * among them. A file's number is its entry's place (fat.h), and a rename
 * moves the entry: a held file keeps the number it was held at, and its new
 * place is kept here (pos), so that its open ports go on working as on ext2;
 * fat_ino_at gives that number to whoever finds the entry at its new place
 * (a lookup, readdir), and the deleted slot its number names is not given to
 * a new name while it is held (fat_slot_reserved). It keeps that number
 * after its last holder goes, until its name goes (the record stays, with no
 * holder): a number a thread found must not come to name another place
 * between two of its calls. The orphans: a
 * file whose name goes (unlink, or a rename over it) while it is held keeps
 * its clusters and answers as ever, with no link, until its last drop frees
 * its chain. FAT has nowhere on disk to keep a file with no name (ext2 has its
 * orphan list), so an orphan's entry lives here, in memory: fat_node_get and
 * fat_node_put find it here first, and the directory slot its number names is
 * not given to a new name while it lives (fat_slot_reserved), since that number
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
	f->held[f->nheld++] = (struct fat_held){ .ino = ino, .pos = ino, .count = 1 };
	return 0;
}

int
fat_drop(struct fs *fs, fs_ino_t ino)
{
	struct fat *f = FAT_OF(fs);
	struct fat_held *h = held_of(f, ino);
	int err = 0;

	if (!h || h->count == 0 || --h->count > 0)
		return 0;
	if (h->pos != h->ino && !h->orphan)
		return 0;	/* renamed: it keeps its number while it has a name (above) */
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
fat_slot_reserved(struct fat *f, fs_ino_t pos)
{
	struct fat_held *h = f->norphans || f->nmoved ? held_of(f, pos) : NULL;

	return h && (h->orphan || h->pos != h->ino);
}

fs_ino_t
fat_ino_at(struct fat *f, fs_ino_t pos)
{
	for (size_t i = 0; f->nmoved && i < f->nheld; i++)
		if (f->held[i].pos == pos && f->held[i].ino != pos)
			return f->held[i].ino;
	return pos;
}

fs_ino_t
fat_pos_of(struct fat *f, fs_ino_t ino)
{
	struct fat_held *h = f->nmoved ? held_of(f, ino) : NULL;

	return h ? h->pos : ino;
}

void
fat_moved(struct fat *f, fs_ino_t ino, fs_ino_t pos)
{
	struct fat_held *h = held_of(f, ino);

	if (!h || h->orphan)
		return;
	f->nmoved += (pos != ino) - (h->pos != ino);
	h->pos = pos;
}

int
fat_lose_name(struct fat *f, const struct fat_node *n)
{
	struct fat_held *h = held_of(f, n->ino);

	if (h && h->pos != h->ino) {
		f->nmoved--;
		h->pos = h->ino;	/* its place is free now; an orphan's number stays reserved */
	}
	if (h && h->count == 0) {
		*h = f->held[--f->nheld];	/* renamed once, held no more: its number goes with its name */
		h = NULL;
	}
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
	f->nheld = f->held_cap = f->norphans = f->nmoved = 0;
	return err;
}
