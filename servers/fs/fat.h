/*
 * FAT inside the library: the mounted instance and what its files share.
 *   fat_super.c  mount (the boot sector checked field by field), the table,
 *                cluster chains, FSInfo, sync
 *   fat_dir.c    directory entries: iteration, long names, short-name tails
 *   fat_name.c   names: checks, long-name checksums, short names, DOS times
 *   fat_ops.c    the fs_ops table
 *   fat_held.c   files held open, and those whose name went while held (orphans)
 *
 * File numbers: a file is named by the byte position of its short entry on
 * the device (fs_ino_t), its *place*; the root is FAT_ROOT_INO. FAT has no
 * inodes, so a rename moves the entry and an unheld file's number with it. A
 * file held open keeps its number whatever happens to its name (fat_held.c):
 * renamed, its number is the place it was held at and its entry's place is
 * kept beside it; its name gone, its entry lives in memory. Numbers come from
 * places through fat_ino_at, and go back through fat_node_get.
 *
 * Crash order (bcache.h): file data and new directory clusters first, then
 * the tables, then directory entries, then FSInfo. Freed clusters stay
 * allocated in the table until the next sync has written everything that
 * referred to them, and are not reused before. A cut leaves at worst lost
 * chains, a file longer or shorter than its chain, or the two tables
 * differing; one `fsck.fat -a` repairs each. Files untouched since the last
 * sync keep their clusters.
 */
#ifndef FS_FAT_H
#define FS_FAT_H

#include "bcache.h"
#include "fat_disk.h"
#include "fs.h"

#define FAT_ROOT_INO 1
#define FAT_WALKS 8

enum {
	FAT_PASS_DATA = 0,
	FAT_PASS_TABLE = 1,
	FAT_PASS_DIR = 2,
	FAT_PASS_INFO = 4,
};

struct fat {
	struct fs fs;
	struct bcache *bc;
	int bits;			/* 12, 16 or 32 */
	uint32_t bps;			/* bytes per sector: the cache's block */
	uint32_t spc;			/* sectors per cluster */
	uint32_t csize;			/* bytes per cluster */
	uint32_t rsvd, nfats, fatsz;	/* reserved sectors, tables, sectors per table */
	uint32_t active_fat;		/* the table read; all are written if mirror */
	bool mirror;
	uint32_t root_sector, root_entries;	/* FAT12/16's fixed root */
	uint32_t root_cluster;		/* FAT32's root, 0 on FAT12/16 */
	uint32_t data_sector;		/* cluster 2's first sector */
	uint32_t nclusters;		/* clusters 2 .. nclusters + 1 exist */
	uint32_t total_sectors;
	uint32_t fsinfo;		/* FSInfo's sector, 0 if none */
	uint32_t free_count, next_free;
	bool info_dirty;
	/*
	 * The last step of the walks along up to FAT_WALKS chains (fat_chain_seek),
	 * so that a file or directory read or written in order costs one table
	 * lookup a cluster, several at once too (a file written while its folder is
	 * searched, two files in turn). fat_set forgets each walk it may change;
	 * fat_alloc carries one that ends at the chain's end on to the new cluster.
	 */
	struct fat_walk {
		uint32_t start, n, c;	/* n steps from start reach c; start 0: unused */
	} walks[FAT_WALKS];
	uint32_t walk_next;		/* the slot a chain not walked yet takes */
	uint32_t *frees;		/* clusters freed since the last sync (see above) */
	size_t nfrees, frees_cap;
	struct fat_held *held;		/* files held open (fat_held.c) */
	size_t nheld, held_cap, norphans, nmoved;
};

#define FAT_OF(f) ((struct fat *)(f))

/* A file as its directory entry says. */
struct fat_node {
	fs_ino_t ino;			/* its number (see above) */
	fs_ino_t pos;			/* its entry's place: ino unless held and moved */
	struct fat_dirent de;		/* zeroes for the root */
	uint32_t cluster;		/* first cluster, 0 if none (or the fixed root) */
};

/* A file held open (fat_held.c): its holders; an orphan's entry lives here. */
struct fat_held {
	fs_ino_t ino;
	fs_ino_t pos;			/* its entry's place now (renamed while held: not ino) */
	uint32_t count;
	bool orphan;			/* its name went: node is its entry, in memory only */
	struct fat_node node;
};

/* A place in a directory: the entries of one name, long parts then short. */
struct fat_slot {
	uint32_t first, index;		/* entry indexes: first long-name part, short entry */
};

int64_t fat_now(struct fat *f);
int fat_sync(struct fs *fs);
int fat_statfs(struct fs *fs, struct fs_statfs *out);
int fat_unmount(struct fs *fs);
extern const struct fs_ops fat_ops;

/* fat_super.c: the table and chains */
int fat_get(struct fat *f, uint32_t c, uint32_t *next);	/* next: 0 free, else the next cluster or FAT_EOC */
#define FAT_EOC 0xFFFFFFFFu
int fat_set(struct fat *f, uint32_t c, uint32_t next);	/* FAT_EOC ends a chain */
int fat_alloc(struct fat *f, uint32_t prev, bool zero, uint32_t *out);
int fat_free_chain(struct fat *f, uint32_t c);	/* at the next sync */
int fat_apply_frees(struct fat *f);
uint32_t fat_cluster_sector(const struct fat *f, uint32_t c);
static inline uint32_t fat_node_cluster(const struct fat *f, const struct fat_dirent *de)
{
	return de->clus_lo | (f->bits == 32 ? (uint32_t)de->clus_hi << 16 : 0);
}
/* The n-th cluster of the chain from c (n = 0 is c itself): 1 if it ends first. */
int fat_chain_seek(struct fat *f, uint32_t start, uint32_t n, uint32_t *out);

/* fat_dir.c */
int fat_node_get(struct fat *f, fs_ino_t ino, struct fat_node *n);
int fat_node_put(struct fat *f, const struct fat_node *n);
int fat_dir_find(struct fat *f, const struct fat_node *dir, const char *name, size_t len, struct fat_node *out,
		 struct fat_slot *slot);
/* Adds the name, in one walk of dir: excl, it fails with -FS_EEXIST if the name is there. */
int fat_dir_add(struct fat *f, struct fat_node *dir, const char *name, size_t len, const struct fat_dirent *de,
		bool excl, fs_ino_t *ino);
int fat_dir_remove(struct fat *f, const struct fat_node *dir, const struct fat_slot *slot);
int fat_dir_next(struct fat *f, const struct fat_node *dir, uint64_t *cookie, struct fs_dirent *out);
int fat_dir_parent(struct fat *f, const struct fat_node *dir, fs_ino_t *out);
int fat_dir_ino_of(struct fat *f, uint32_t cluster, fs_ino_t *out);
int fat_entry_rw(struct fat *f, const struct fat_node *dir, uint32_t index, struct fat_dirent *de, bool write);

/* fat_held.c */
int fat_hold(struct fs *fs, fs_ino_t ino);
int fat_drop(struct fs *fs, fs_ino_t ino);
/* The orphan numbered ino (a held file whose name went), or NULL. */
struct fat_held *fat_orphan(struct fat *f, fs_ino_t ino);
/* Whether the directory slot at pos is a held file's number but not its
 * entry (an orphan's, a renamed file's): not for a new name. */
bool fat_slot_reserved(struct fat *f, fs_ino_t pos);
/* The number of the file whose entry is at pos, and the place of number ino. */
fs_ino_t fat_ino_at(struct fat *f, fs_ino_t pos);
fs_ino_t fat_pos_of(struct fat *f, fs_ino_t ino);
/* A rename moved number ino's entry to pos: if it is held, it keeps its number. */
void fat_moved(struct fat *f, fs_ino_t ino, fs_ino_t pos);
/* n's name went: a held file becomes an orphan and keeps its chain, another's chain is freed. */
int fat_lose_name(struct fat *f, const struct fat_node *n);
/* At unmount: the orphans' chains freed (an orderly end leaves no lost chain). */
int fat_orphans_unmount(struct fat *f);

/* fat_name.c */
int fat_check_name(const char *name, size_t len, uint16_t *ucs, size_t *nucs);
uint8_t fat_lfn_checksum(const uint8_t name[11]);
bool fat_short_exact(const char *name, size_t len, uint8_t out[11]);
void fat_short_basis(const char *name, size_t len, uint8_t out[11]);
void fat_short_tail(uint8_t name[11], unsigned n);
size_t fat_short_display(const struct fat_dirent *de, char *out);
bool fat_name_eq(const char *a, size_t alen, const char *b, size_t blen);
void fat_time_to_dos(int64_t t, uint16_t *date, uint16_t *time);
int64_t fat_time_from_dos(uint16_t date, uint16_t time);
size_t fat_ucs_to_utf8(const uint16_t *ucs, size_t n, char *out, size_t size);

#endif
