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
	bool named;		/* name and sname are set (see struct dir_walk's want) */
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
 * A walk through a directory's entries: the sector under index stays held
 * (w->b) while the walk is in it, so an entry costs a copy, not a chain step
 * and a cache lookup. dir_walk_end lets go of it.
 */
struct dir_walk {
	const struct fat_node *dir;
	uint32_t index;			/* the next entry */
	struct bcache_buf *b;		/* NULL, or the sector holding entry index */
	uint32_t sector;		/* b's */
	/* Room for a new name, looked for on the way when need > 0: */
	uint32_t need;			/* entries wanted in a row */
	uint32_t run;			/* free entries in a row up to counted */
	uint32_t counted;		/* entries before it are in run */
	uint32_t room;			/* the first run of need, or NO_ROOM */
	/*
	 * An ASCII name looked for, or NULL: entries that cannot have it (their
	 * long name compared as UCS-2, their short name's first letter) are
	 * given without their names (found's named false), which saves the
	 * conversions of every other entry of a search.
	 */
	const char *want;
	size_t wantlen;
};
#define NO_ROOM UINT32_MAX

static void
dir_walk_end(struct fat *f, struct dir_walk *w)
{
	if (w->b)
		bcache_put(f->bc, w->b);
	w->b = NULL;
}

/* Entry w->index into *de, and its sector: 1 past the directory's end. */
static int
dir_walk_entry(struct fat *f, struct dir_walk *w, struct fat_dirent *de, uint32_t *off)
{
	uint32_t per = f->bps / 32;	/* a power of two */
	int err;

	if (!w->b || (w->index & (per - 1)) == 0) {
		dir_walk_end(f, w);
		err = slot_at(f, w->dir, w->index, &w->sector, off);
		if (err)
			return err;
		err = bcache_get(f->bc, w->sector, &w->b);
		if (err) {
			w->b = NULL;
			return err;
		}
	}
	*off = (w->index & (per - 1)) * 32;
	memcpy(de, w->b->data + *off, sizeof *de);
	if (w->need && w->room == NO_ROOM && w->index >= w->counted) {
		w->counted = w->index + 1;
		w->run = de->name[0] == 0 || de->name[0] == FAT_DELETED ? w->run + 1 : 0;
		if (w->run && (f->norphans || f->nmoved) && fat_slot_reserved(f, (uint64_t)w->sector * f->bps + *off))
			w->run = 0;	/* a deleted entry whose number a held file still is */
		if (w->run == w->need)
			w->room = w->index + 1 - w->need;
	}
	return 0;
}

static char
ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Whether the complete long name in a may be want (ASCII, wantlen bytes). */
static bool
lfn_may_be(const struct lfn_acc *a, const char *want, size_t wantlen)
{
	size_t max = (size_t)a->parts * FAT_LFN_CHARS, i;

	if (wantlen > max)
		return false;
	for (i = 0; i < wantlen; i++)
		if (a->ucs[i] >= 0x80 || ascii_upper((char)a->ucs[i]) != ascii_upper(want[i]))
			return false;
	return i == max || a->ucs[i] == 0;
}

/* Whether the short name shown for de (BASE or BASE.EXT, fat_short_display) may be want. */
static bool
short_may_be(const struct fat_dirent *de, const char *want, size_t wantlen)
{
	size_t base = 8, ext = 3, i;

	while (base > 0 && de->name[base - 1] == ' ')
		base--;
	while (ext > 0 && de->name[8 + ext - 1] == ' ')
		ext--;
	if (wantlen != base + (ext ? 1 + ext : 0) || de->name[0] == FAT_KANJI_E5)
		return de->name[0] == FAT_KANJI_E5;	/* shown as 0xE5: let the full compare say */
	for (i = 0; i < base; i++)
		if (ascii_upper((char)de->name[i]) != ascii_upper(want[i]))
			return false;
	if (ext && want[base] != '.')
		return false;
	for (i = 0; i < ext; i++)
		if (ascii_upper((char)de->name[8 + i]) != ascii_upper(want[base + 1 + i]))
			return false;
	return true;
}

/*
 * The next short entry at or after w->index (volume labels and free entries
 * passed over): 1 and *out, 0 at the end. w->index moves past it.
 */
static int
dir_iter(struct fat *f, struct dir_walk *w, struct found *out)
{
	struct lfn_acc a;	/* not cleared: lfn_part fills what it says is there */

	a.on = false;
	a.next = 0;

	for (;; w->index++) {
		uint32_t off;
		struct fat_dirent de;
		int err = dir_walk_entry(f, w, &de, &off);

		if (err)
			return err < 0 ? err : 0;
		if (de.name[0] == 0)
			return 0;	/* the end of the directory */
		if (de.name[0] == FAT_DELETED) {
			a.on = false;
			continue;
		}
		if ((de.attr & 0x3F) == FAT_ATTR_LFN) {
			lfn_part(&a, &de, w->index);
			continue;
		}
		if (de.attr & FAT_ATTR_VOLUME) {
			a.on = false;
			continue;
		}
		out->de = de;
		out->pos = (uint64_t)w->sector * f->bps + off;
		out->slot = (struct fat_slot){ w->index, w->index };
		out->named = !w->want || short_may_be(&de, w->want, w->wantlen) ||
			     (a.on && a.next == 0 && lfn_may_be(&a, w->want, w->wantlen));
		if (!out->named) {
			w->index++;
			return 1;
		}
		out->slen = fat_short_display(&de, out->sname);
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
		w->index++;
		return 1;
	}
}

/* A walk that looks for name: w->want if it is ASCII (not empty). */
static void
search_for(struct dir_walk *w, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] >= 0x80)
			return;
	if (len > 0) {
		w->want = name;
		w->wantlen = len;
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
	struct dir_walk w = { .dir = dir };
	int r;

	if (!x)
		return -FS_ENOMEM;
	search_for(&w, name, len);
	while ((r = dir_iter(f, &w, x)) == 1) {
		if (!x->named || is_dot(&x->de))
			continue;
		if (fat_name_eq(x->name, x->len, name, len) || fat_name_eq(x->sname, x->slen, name, len)) {
			dir_walk_end(f, &w);
			r = node_of(f, x, out);
			if (!r && slot)
				*slot = x->slot;
			free(x);
			return r;
		}
	}
	dir_walk_end(f, &w);
	free(x);
	return r < 0 ? r : -FS_ENOENT;
}

int
fat_dir_next(struct fat *f, const struct fat_node *dir, uint64_t *cookie, struct fs_dirent *out)
{
	struct found *x = malloc(sizeof *x);
	struct dir_walk w = { .dir = dir, .index = *cookie > UINT32_MAX ? UINT32_MAX : (uint32_t)*cookie };
	int r;

	if (!x)
		return -FS_ENOMEM;
	while ((r = dir_iter(f, &w, x)) == 1) {
		if (is_dot(&x->de))
			continue;
		out->ino = fat_ino_at(f, x->pos);
		out->type = x->de.attr & FAT_ATTR_DIR ? FS_S_IFDIR : FS_S_IFREG;
		memcpy(out->name, x->name, x->len + 1);
		break;
	}
	dir_walk_end(f, &w);
	free(x);
	if (r >= 0)
		*cookie = w.index;
	return r;
}

static bool
taken(const uint8_t *names, size_t n, const uint8_t sn[11])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(names + 11 * i, sn, 11))
			return true;
	return false;
}

/*
 * One walk of dir for a new name: -FS_EEXIST if excl and the name is there;
 * the short names in use (*names, *n of them, 11 bytes each, malloc'd) if
 * names is not NULL; and the first run of need free entries (free, or past
 * the end marker) in *start, growing the directory if it must.
 */
static int
scan_for_add(struct fat *f, struct fat_node *dir, const char *name, size_t len, bool excl, uint8_t **names,
	     size_t *n, uint32_t need, uint32_t *start)
{
	struct found *x = malloc(sizeof *x);
	struct dir_walk w = { .dir = dir, .need = need, .room = NO_ROOM };
	uint8_t *v = NULL;
	size_t cap = 0, count = 0;
	int r;

	if (!x)
		return -FS_ENOMEM;
	if (excl)
		search_for(&w, name, len);
	while ((r = dir_iter(f, &w, x)) == 1) {
		if (excl && x->named && !is_dot(&x->de) &&
		    (fat_name_eq(x->name, x->len, name, len) || fat_name_eq(x->sname, x->slen, name, len))) {
			r = -FS_EEXIST;
			break;
		}
		if (!names)
			continue;
		if (count == cap) {
			uint8_t *more = realloc(v, (cap = cap ? cap * 2 : 64) * 11);

			if (!more) {
				r = -FS_ENOMEM;
				break;
			}
			v = more;
		}
		memcpy(v + 11 * count++, x->de.name, 11);
	}
	free(x);
	/* Past the end marker every entry is free: the run goes on to the chain's end. */
	for (; r == 0 && w.room == NO_ROOM; w.index++) {
		struct fat_dirent de;
		uint32_t off;

		r = dir_walk_entry(f, &w, &de, &off);
		if (r == 1) {
			r = 0;
			break;
		}
	}
	dir_walk_end(f, &w);
	if (r < 0) {
		free(v);
		return r;
	}
	if (names) {
		*names = v;
		*n = count;
	}
	if (w.room != NO_ROOM) {
		*start = w.room;
		return 0;
	}
	if (fixed_root(f, dir)) {
		free(v);
		return -FS_ENOSPC;
	}
	/* Add zeroed clusters at the end of the chain until the run fits. */
	uint32_t last, run = w.run;
	r = fat_chain_seek(f, dir->cluster, w.index * 32 / f->csize - 1, &last);
	/* The free run at the end goes on into the new clusters. */
	*start = w.index - run;
	while (r == 0 && run < need) {
		r = fat_alloc(f, last, true, &last);
		run += f->csize / 32;
	}
	if (r)
		free(v);
	return r < 0 ? r : r ? -FS_ECORRUPT : 0;
}

int
fat_dir_add(struct fat *f, struct fat_node *dir, const char *name, size_t len, const struct fat_dirent *tmpl,
	    bool excl, fs_ino_t *ino)
{
	uint16_t ucs[FS_NAME_MAX];
	size_t nucs;
	uint8_t sn[11];
	uint32_t nlfn = 0, start, sector, off;
	struct fat_dirent de;
	int err = fat_check_name(name, len, ucs, &nucs);
	bool exact = !err && fat_short_exact(name, len, sn);

	if (err)
		return err;
	if (!exact)
		nlfn = (uint32_t)((nucs + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS);
	if (exact) {
		err = scan_for_add(f, dir, name, len, excl, NULL, NULL, 1, &start);
		if (err)
			return err;
	} else {
		uint8_t basis[11];
		unsigned n;

		uint8_t *names = NULL;
		size_t count;

		fat_short_basis(name, len, basis);
		err = scan_for_add(f, dir, name, len, excl, &names, &count, nlfn + 1, &start);
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
	}
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
	struct dir_walk w = { .dir = &gp };
	uint32_t g;
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
	while ((r = dir_iter(f, &w, x)) == 1)
		if (!is_dot(&x->de) && (x->de.attr & FAT_ATTR_DIR) && fat_node_cluster(f, &x->de) == cluster) {
			*out = fat_ino_at(f, x->pos);
			break;
		}
	dir_walk_end(f, &w);
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
