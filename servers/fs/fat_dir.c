/*
 * FAT directories: arrays of 32-byte entries, in the fixed root region
 * (FAT12/16) or in a cluster chain. A name is a run of long-name entries
 * (last part first) and the short entry they belong to; the run counts only
 * if every part is there in order and its checksum matches the short name,
 * as the VFAT format says; otherwise the short name stands alone.
 */
#include <stdlib.h>
#include <string.h>
#include "fat.h"

static bool
fixed_root(const struct fat *f, const struct fat_node *dir)
{
	return dir->ino == FAT_ROOT_INO && f->bits != 32;
}

/* Where entry index of dir lies: 0, or 1 past the directory's end. */
static int
slot_at(struct fat *f, const struct fat_node *dir, uint32_t index, uint32_t *sector, uint32_t *off)
{
	uint64_t byte = (uint64_t)index * 32;
	uint32_t c;
	int err;

	if (fixed_root(f, dir)) {
		if (index >= f->root_entries)
			return 1;
		*sector = f->root_sector + (uint32_t)(byte / f->bps);
		*off = (uint32_t)(byte % f->bps);
		return 0;
	}
	if (byte / f->csize > f->nclusters)
		return 1;
	err = fat_chain_seek(f, dir->cluster, (uint32_t)(byte / f->csize), &c);
	if (err)
		return err;
	*sector = fat_cluster_sector(f, c) + (uint32_t)(byte % f->csize / f->bps);
	*off = (uint32_t)(byte % f->bps);
	return 0;
}

int
fat_entry_rw(struct fat *f, const struct fat_node *dir, uint32_t index, struct fat_dirent *de, bool write)
{
	struct bcache_buf *b;
	uint32_t sector, off;
	int err = slot_at(f, dir, index, &sector, &off);

	if (err)
		return err < 0 ? err : -FS_ECORRUPT;
	err = bcache_get(f->bc, sector, &b);
	if (err)
		return err;
	if (write) {
		err = bcache_dirty(f->bc, b, FAT_PASS_DIR);
		if (!err)
			memcpy(b->data + off, de, sizeof *de);
	} else {
		memcpy(de, b->data + off, sizeof *de);
	}
	bcache_put(f->bc, b);
	return err;
}

/* A short entry met in a walk, with the name it shows. */
struct found {
	struct fat_dirent de;
	struct fat_slot slot;
	fs_ino_t pos;			/* its place (fat.h) */
	char name[FS_NAME_MAX + 1];
	size_t len;
	char sname[13];		/* its short name as shown */
	size_t slen;
};

/* The long name gathered so far. */
struct lfn_acc {
	uint16_t ucs[FAT_LFN_MAX_ENTRIES * FAT_LFN_CHARS];
	int next;		/* the part expected next; 0 when complete or none */
	int parts;
	uint8_t csum;
	uint32_t first;
	bool on;
};

static void
lfn_part(struct lfn_acc *a, const struct fat_dirent *de, uint32_t index)
{
	struct fat_lfn l;
	int seq;

	memcpy(&l, de, sizeof l);
	seq = l.ord & 0x1F;
	if (l.ord & FAT_LFN_LAST) {
		if (seq == 0 || seq > FAT_LFN_MAX_ENTRIES) {
			a->on = false;
			return;
		}
		a->on = true;
		a->parts = seq;
		a->csum = l.checksum;
		a->first = index;
	} else if (!a->on || seq != a->next || l.checksum != a->csum) {
		a->on = false;
		return;
	}
	uint16_t *p = &a->ucs[(seq - 1) * FAT_LFN_CHARS];
	memcpy(p, l.name1, sizeof l.name1);
	memcpy(p + 5, l.name2, sizeof l.name2);
	memcpy(p + 11, l.name3, sizeof l.name3);
	a->next = seq - 1;
}

/*
 * The next short entry at or after *index (volume labels and free entries
 * passed over): 1 and *out, 0 at the end. *index moves past it.
 */
static int
dir_iter(struct fat *f, const struct fat_node *dir, uint32_t *index, struct found *out)
{
	struct lfn_acc a = { .on = false };

	for (;; (*index)++) {
		struct bcache_buf *b;
		uint32_t sector, off;
		struct fat_dirent de;
		int err = slot_at(f, dir, *index, &sector, &off);

		if (err)
			return err < 0 ? err : 0;
		err = bcache_get(f->bc, sector, &b);
		if (err)
			return err;
		memcpy(&de, b->data + off, sizeof de);
		bcache_put(f->bc, b);
		if (de.name[0] == 0)
			return 0;	/* the end of the directory */
		if (de.name[0] == FAT_DELETED) {
			a.on = false;
			continue;
		}
		if ((de.attr & 0x3F) == FAT_ATTR_LFN) {
			lfn_part(&a, &de, *index);
			continue;
		}
		if (de.attr & FAT_ATTR_VOLUME) {
			a.on = false;
			continue;
		}
		out->de = de;
		out->pos = (uint64_t)sector * f->bps + off;
		out->slen = fat_short_display(&de, out->sname);
		out->slot = (struct fat_slot){ *index, *index };
		out->len = 0;
		if (a.on && a.next == 0 && a.csum == fat_lfn_checksum(de.name)) {
			size_t n = 0, max = (size_t)a.parts * FAT_LFN_CHARS;

			while (n < max && a.ucs[n] != 0)
				n++;
			out->len = fat_ucs_to_utf8(a.ucs, n, out->name, sizeof out->name);
			if (out->len)
				out->slot.first = a.first;
		}
		if (out->len == 0) {
			memcpy(out->name, out->sname, out->slen + 1);
			out->len = out->slen;
		}
		(*index)++;
		return 1;
	}
}

static bool
is_dot(const struct fat_dirent *de)
{
	return de->name[0] == '.' && (de->name[1] == ' ' || (de->name[1] == '.' && de->name[2] == ' '));
}

static int
node_of(struct fat *f, const struct found *x, struct fat_node *n)
{
	n->pos = x->pos;
	n->ino = fat_ino_at(f, x->pos);
	n->de = x->de;
	n->cluster = fat_node_cluster(f, &x->de);
	if (n->cluster == 1 || n->cluster > f->nclusters + 1)
		return -FS_ECORRUPT;
	if ((x->de.attr & FAT_ATTR_DIR) && n->cluster == 0)
		return -FS_ECORRUPT;
	return 0;
}

int
fat_node_get(struct fat *f, fs_ino_t ino, struct fat_node *n)
{
	struct bcache_buf *b;
	fs_ino_t pos = fat_pos_of(f, ino);
	uint64_t sector = pos / f->bps;
	uint32_t off = (uint32_t)(pos % f->bps);
	struct found x;
	int err;

	if (ino == FAT_ROOT_INO) {
		memset(n, 0, sizeof *n);
		n->ino = n->pos = ino;
		n->de.attr = FAT_ATTR_DIR;
		n->cluster = f->root_cluster;
		return 0;
	}
	struct fat_held *h = fat_orphan(f, ino);

	if (h) {
		*n = h->node;	/* no entry on disk any more: the one kept in memory */
		return 0;
	}
	if (off % 32 || sector < f->root_sector || sector >= f->total_sectors)
		return -FS_ENOENT;
	err = bcache_get(f->bc, sector, &b);
	if (err)
		return err;
	memcpy(&x.de, b->data + off, sizeof x.de);
	bcache_put(f->bc, b);
	if (x.de.name[0] == 0 || x.de.name[0] == FAT_DELETED || (x.de.attr & 0x3F) == FAT_ATTR_LFN ||
	    (x.de.attr & FAT_ATTR_VOLUME))
		return -FS_ENOENT;
	x.pos = pos;
	err = node_of(f, &x, n);
	n->ino = ino;
	return err;
}

int
fat_node_put(struct fat *f, const struct fat_node *n)
{
	struct bcache_buf *b;
	int err;

	if (n->ino == FAT_ROOT_INO)
		return 0;
	struct fat_held *h = fat_orphan(f, n->ino);

	if (h) {
		h->node = *n;
		return 0;
	}
	err = bcache_get(f->bc, n->pos / f->bps, &b);
	if (err)
		return err;
	err = bcache_dirty(f->bc, b, FAT_PASS_DIR);
	if (!err)
		memcpy(b->data + n->pos % f->bps, &n->de, sizeof n->de);
	bcache_put(f->bc, b);
	return err;
}

int
fat_dir_find(struct fat *f, const struct fat_node *dir, const char *name, size_t len, struct fat_node *out,
	     struct fat_slot *slot)
{
	struct found *x = malloc(sizeof *x);
	uint32_t index = 0;
	int r;

	if (!x)
		return -FS_ENOMEM;
	while ((r = dir_iter(f, dir, &index, x)) == 1) {
		if (is_dot(&x->de))
			continue;
		if (fat_name_eq(x->name, x->len, name, len) || fat_name_eq(x->sname, x->slen, name, len)) {
			r = node_of(f, x, out);
			if (!r && slot)
				*slot = x->slot;
			free(x);
			return r;
		}
	}
	free(x);
	return r < 0 ? r : -FS_ENOENT;
}

int
fat_dir_next(struct fat *f, const struct fat_node *dir, uint64_t *cookie, struct fs_dirent *out)
{
	struct found *x = malloc(sizeof *x);
	uint32_t index = *cookie > UINT32_MAX ? UINT32_MAX : (uint32_t)*cookie;
	int r;

	if (!x)
		return -FS_ENOMEM;
	while ((r = dir_iter(f, dir, &index, x)) == 1) {
		if (is_dot(&x->de))
			continue;
		out->ino = fat_ino_at(f, x->pos);
		out->type = x->de.attr & FAT_ATTR_DIR ? FS_S_IFDIR : FS_S_IFREG;
		memcpy(out->name, x->name, x->len + 1);
		break;
	}
	free(x);
	if (r >= 0)
		*cookie = index;
	return r;
}

/* The short names dir holds (*n of them, 11 bytes each), in a malloc'd array. */
static int
short_names(struct fat *f, const struct fat_node *dir, uint8_t **out, size_t *n)
{
	struct found *x = malloc(sizeof *x);
	uint8_t *v = NULL;
	size_t cap = 0;
	uint32_t index = 0;
	int r;

	*n = 0;
	if (!x)
		return -FS_ENOMEM;
	while ((r = dir_iter(f, dir, &index, x)) == 1) {
		if (*n == cap) {
			uint8_t *w = realloc(v, (cap = cap ? cap * 2 : 64) * 11);

			if (!w) {
				r = -FS_ENOMEM;
				break;
			}
			v = w;
		}
		memcpy(v + 11 * (*n)++, x->de.name, 11);
	}
	free(x);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	return 0;
}

static bool
taken(const uint8_t *names, size_t n, const uint8_t sn[11])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(names + 11 * i, sn, 11))
			return true;
	return false;
}

/* A free run of need entries (free or past the end marker), growing the directory if it must. */
static int
find_room(struct fat *f, struct fat_node *dir, uint32_t need, uint32_t *start)
{
	uint32_t run = 0, index;
	int err;

	for (index = 0;; index++) {
		struct fat_dirent de;
		uint32_t sector, off;

		err = slot_at(f, dir, index, &sector, &off);
		if (err < 0)
			return err;
		if (err == 1)
			break;
		err = fat_entry_rw(f, dir, index, &de, false);
		if (err)
			return err;
		run = de.name[0] == 0 || de.name[0] == FAT_DELETED ? run + 1 : 0;
		if (run && (f->norphans || f->nmoved) && fat_slot_reserved(f, (uint64_t)sector * f->bps + off))
			run = 0;	/* a deleted entry whose number a held file still is */
		if (run == need) {
			*start = index + 1 - need;
			return 0;
		}
	}
	if (fixed_root(f, dir))
		return -FS_ENOSPC;
	/* Add zeroed clusters at the end of the chain until the run fits. */
	uint32_t last;
	err = fat_chain_seek(f, dir->cluster, index * 32 / f->csize - 1, &last);
	if (err)
		return err < 0 ? err : -FS_ECORRUPT;
	/* The free run at the end goes on into the new clusters. */
	*start = index - run;
	while (run < need) {
		err = fat_alloc(f, last, true, &last);
		if (err)
			return err;
		run += f->csize / 32;
	}
	return 0;
}

int
fat_dir_add(struct fat *f, struct fat_node *dir, const char *name, size_t len, const struct fat_dirent *tmpl,
	    fs_ino_t *ino)
{
	uint16_t ucs[FS_NAME_MAX];
	size_t nucs;
	uint8_t sn[11];
	uint32_t nlfn = 0, start, sector, off;
	struct fat_dirent de;
	int err = fat_check_name(name, len, ucs, &nucs);

	if (err)
		return err;
	if (!fat_short_exact(name, len, sn)) {
		uint8_t basis[11];
		unsigned n;

		uint8_t *names = NULL;
		size_t count;

		fat_short_basis(name, len, basis);
		err = short_names(f, dir, &names, &count);
		if (err)
			return err;
		for (n = 1; n < 1000000; n++) {
			memcpy(sn, basis, 11);
			fat_short_tail(sn, n);
			if (sn[0] == FAT_DELETED)
				sn[0] = FAT_KANJI_E5;
			if (!taken(names, count, sn))
				break;
		}
		free(names);
		if (n == 1000000)
			return -FS_EEXIST;
		nlfn = (uint32_t)((nucs + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS);
	}
	err = find_room(f, dir, nlfn + 1, &start);
	if (err)
		return err;
	uint8_t csum = fat_lfn_checksum(sn);
	for (uint32_t k = 0; k < nlfn; k++) {
		struct fat_lfn l;
		uint32_t seq = nlfn - k;
		uint16_t part[FAT_LFN_CHARS];

		for (uint32_t i = 0; i < FAT_LFN_CHARS; i++) {
			size_t at = (seq - 1) * FAT_LFN_CHARS + i;
			/* After the name: one 0x0000, then 0xFFFF padding. */
			part[i] = at < nucs ? ucs[at] : at == nucs ? 0x0000 : 0xFFFF;
		}
		memset(&l, 0, sizeof l);
		l.ord = (uint8_t)(seq | (k == 0 ? FAT_LFN_LAST : 0));
		memcpy(l.name1, part, sizeof l.name1);
		memcpy(l.name2, part + 5, sizeof l.name2);
		memcpy(l.name3, part + 11, sizeof l.name3);
		l.attr = FAT_ATTR_LFN;
		l.checksum = csum;
		memcpy(&de, &l, sizeof de);
		err = fat_entry_rw(f, dir, start + k, &de, true);
		if (err)
			return err;
	}
	de = *tmpl;
	memcpy(de.name, sn, 11);
	err = fat_entry_rw(f, dir, start + nlfn, &de, true);
	if (!err)
		err = slot_at(f, dir, start + nlfn, &sector, &off);
	if (err)
		return err < 0 ? err : -FS_ECORRUPT;
	*ino = (uint64_t)sector * f->bps + off;
	return 0;
}

int
fat_dir_remove(struct fat *f, const struct fat_node *dir, const struct fat_slot *slot)
{
	for (uint32_t i = slot->first; i <= slot->index; i++) {
		struct fat_dirent de;
		int err = fat_entry_rw(f, dir, i, &de, false);

		if (!err) {
			de.name[0] = FAT_DELETED;
			err = fat_entry_rw(f, dir, i, &de, true);
		}
		if (err)
			return err;
	}
	return 0;
}

/* The number of the directory whose chain starts at cluster (found in its parent). */
int
fat_dir_ino_of(struct fat *f, uint32_t cluster, fs_ino_t *out)
{
	struct fat_node d = { .ino = 0, .cluster = cluster }, gp;
	struct fat_dirent dd;
	struct found *x;
	uint32_t index = 0, g;
	int r;

	if (cluster == 0 || cluster == f->root_cluster) {
		*out = FAT_ROOT_INO;
		return 0;
	}
	r = fat_entry_rw(f, &d, 1, &dd, false);
	if (r)
		return r;
	if (memcmp(dd.name, "..         ", 11) || !(dd.attr & FAT_ATTR_DIR))
		return -FS_ECORRUPT;
	g = fat_node_cluster(f, &dd);
	memset(&gp, 0, sizeof gp);
	gp.ino = g == 0 || g == f->root_cluster ? FAT_ROOT_INO : 0;
	gp.cluster = g == 0 ? f->root_cluster : g;
	if (g == cluster)
		return -FS_ECORRUPT;
	x = malloc(sizeof *x);
	if (!x)
		return -FS_ENOMEM;
	while ((r = dir_iter(f, &gp, &index, x)) == 1)
		if (!is_dot(&x->de) && (x->de.attr & FAT_ATTR_DIR) && fat_node_cluster(f, &x->de) == cluster) {
			*out = fat_ino_at(f, x->pos);
			break;
		}
	free(x);
	return r < 0 ? r : r == 1 ? 0 : -FS_ECORRUPT;
}

int
fat_dir_parent(struct fat *f, const struct fat_node *dir, fs_ino_t *out)
{
	struct fat_dirent dd;
	int err;

	if (dir->ino == FAT_ROOT_INO) {
		*out = FAT_ROOT_INO;
		return 0;
	}
	err = fat_entry_rw(f, dir, 1, &dd, false);
	if (err)
		return err;
	if (memcmp(dd.name, "..         ", 11) || !(dd.attr & FAT_ATTR_DIR))
		return -FS_ECORRUPT;
	return fat_dir_ino_of(f, fat_node_cluster(f, &dd), out);
}
