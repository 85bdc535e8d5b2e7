/*
 * ext2 inside the library: the mounted instance and what its files share.
 *   ext2_super.c  mount, checks of the superblock and group descriptors, sync
 *   ext2_alloc.c  block and inode bitmaps; frees wait for the next sync
 *   ext2_inode.c  inodes, the block map, file data, truncation
 *   ext2_dir.c    directory entries
 *   ext2_ops.c    the fs_ops table: names, links, directories, attributes
 *   ext2_orphan.c files held open, the orphan list of files unlinked while held
 *
 * Crash order (bcache.h): a sync writes file data, indirect blocks and bitmaps
 * (with allocations only) first; then inodes whose last link went; then
 * directory blocks; then every other inode; then, after the frees of the
 * interval are put into the bitmaps, bitmaps, group descriptors and the
 * superblock. So a cut leaves at worst: a name for an unused inode, leaked
 * blocks or inodes, wrong counts, or an unattached empty inode; `e2fsck -p`
 * repairs each of these. Blocks and inodes freed since the last sync are not
 * reused before it, so no block is ever claimed twice on disk.
 */
#ifndef FS_EXT2_H
#define FS_EXT2_H

#include "bcache.h"
#include "ext2_disk.h"
#include "fs.h"

enum {
	EXT2_PASS_DATA = 0,	/* file data, indirect blocks, bitmaps, new directory blocks */
	EXT2_PASS_GONE = 1,	/* inodes whose last link went */
	EXT2_PASS_DIR = 2,	/* directory blocks */
	EXT2_PASS_INODE = 3,	/* other inodes */
	EXT2_PASS_META = 4,	/* group descriptors, superblock */
};

struct ext2_free {
	uint32_t start, count;	/* blocks, or one inode */
	uint8_t inode, dir;	/* an inode (of a directory) rather than blocks */
};

/*
 * A file being read in order (ext2_readahead): where its last read ended,
 * how far read-ahead has brought blocks in, and how far it reaches ahead.
 */
#define EXT2_STREAMS 4
#define EXT2_RA_MIN 8		/* blocks ahead of the first read in order */
#define EXT2_RA_MAX 32		/* at most this far ahead: one device request (BCACHE_RUN_MAX) */
struct ext2_stream {
	uint32_t ino;		/* 0: unused */
	uint64_t next_off;	/* the byte after the last read */
	uint64_t ra_end;	/* blocks before this were asked for already */
	uint32_t window;
};

/* A file held open (ext2_orphan.c): count holders. */
struct ext2_held {
	uint32_t ino, count;
};

struct ext2 {
	struct fs fs;
	struct bcache *bc;
	struct ext2_super sb;		/* the in-memory superblock, written at sync */
	struct ext2_group_desc *gd;	/* all of them, written at sync */
	uint32_t bsize;
	uint32_t ngroups;
	uint32_t gdt_blocks;		/* group descriptor table's length */
	uint32_t inode_size;
	uint32_t itable_blocks;		/* per group */
	uint32_t ptrs;			/* block numbers in one indirect block */
	uint32_t first_ino;
	bool filetype;			/* directory entries carry a type */
	bool gd_dirty, sb_dirty;
	uint32_t alloc_hint;		/* the next block to try: files grow contiguously */
	struct ext2_free *frees;	/* waiting for the next sync */
	size_t nfrees, frees_cap;
	struct ext2_held *held;		/* files held open: an orphan's bytes live until the last drop */
	size_t nheld, held_cap;
	struct ext2_stream streams[EXT2_STREAMS];	/* read-ahead's hints, nothing more */
	unsigned stream_next;		/* the slot a new stream takes */
};

#define EXT2_OF(f) ((struct ext2 *)(f))

int64_t ext2_now(struct ext2 *e);
/* The block lies in the file system's data area (not the boot block, not past the end). */
static inline bool
ext2_block_ok(const struct ext2 *e, uint32_t b)
{
	return b >= e->sb.first_data_block && b < e->sb.blocks_count;
}
int ext2_sync(struct fs *fs);

/* ext2_alloc.c */
int ext2_block_alloc(struct ext2 *e, uint32_t goal, uint32_t *out);
int ext2_block_free(struct ext2 *e, uint32_t blk);
int ext2_inode_alloc(struct ext2 *e, uint32_t group, bool dir, uint32_t *out);
int ext2_inode_free(struct ext2 *e, uint32_t ino, bool dir);
int ext2_apply_frees(struct ext2 *e);

/* ext2_inode.c */
int ext2_inode_read(struct ext2 *e, uint32_t ino, struct ext2_inode *out);
int ext2_inode_write(struct ext2 *e, uint32_t ino, const struct ext2_inode *in, unsigned pass);
int ext2_inode_init(struct ext2 *e, uint32_t ino, const struct ext2_inode *in);
uint64_t ext2_isize(const struct ext2_inode *in);
void ext2_set_isize(struct ext2 *e, struct ext2_inode *in, uint64_t size);
uint64_t ext2_max_size(const struct ext2 *e);
/* The device block of logical block lblk, 0 for a hole; with alloc, fills the hole. */
int ext2_bmap(struct ext2 *e, struct ext2_inode *in, uint64_t lblk, bool alloc, uint32_t *out, bool *fresh);
/* As ext2_bmap without alloc, and how many logical blocks from lblk (at most max) lie in
 * adjacent disk blocks after it (1 for a hole): one walk of the map for a run. */
int ext2_bmap_run(struct ext2 *e, struct ext2_inode *in, uint64_t lblk, uint32_t max, uint32_t *out,
		  uint32_t *count);
int ext2_free_from(struct ext2 *e, struct ext2_inode *in, uint64_t first_lblk);
int ext2_data_read(struct ext2 *e, struct ext2_inode *in, uint64_t off, void *buf, size_t n);
/* Brings the blocks of a read of n bytes at off into the cache in runs, and more ahead of a
 * file read in order: 0, or the device's error for a run that held some of the read's blocks. */
int ext2_readahead(struct ext2 *e, uint32_t ino, struct ext2_inode *in, uint64_t off, size_t n);
int ext2_data_write(struct ext2 *e, struct ext2_inode *in, uint64_t off, const void *buf,
		    size_t n, unsigned pass);
int ext2_release(struct ext2 *e, uint32_t ino, struct ext2_inode *in);
bool ext2_fast_symlink(const struct ext2 *e, const struct ext2_inode *in);

/* ext2_dir.c */
struct ext2_dirpos { uint64_t lblk; uint32_t off; };
int ext2_dir_find(struct ext2 *e, uint32_t dir, struct ext2_inode *din, const char *name, size_t len,
		  uint32_t *ino, struct ext2_dirpos *pos);
int ext2_dir_add(struct ext2 *e, uint32_t dir, struct ext2_inode *din, const char *name, size_t len,
		 uint32_t ino, uint32_t mode, struct ext2_dirpos *pos);
int ext2_dir_remove(struct ext2 *e, uint32_t dir, struct ext2_inode *din, const struct ext2_dirpos *pos);
int ext2_dir_retarget(struct ext2 *e, struct ext2_inode *din, const struct ext2_dirpos *pos, uint32_t ino,
		      uint32_t mode);
int ext2_dir_init(struct ext2 *e, uint32_t ino, struct ext2_inode *in, uint32_t parent);
int ext2_dir_empty(struct ext2 *e, struct ext2_inode *din);
int ext2_dir_next(struct ext2 *e, struct ext2_inode *din, uint64_t *cookie, struct fs_dirent *out);
int ext2_dir_dotdot(struct ext2 *e, struct ext2_inode *din, uint32_t *out, struct ext2_dirpos *pos);



/* ext2_orphan.c */
int ext2_hold(struct fs *fs, fs_ino_t ino);
int ext2_drop(struct fs *fs, fs_ino_t ino);
bool ext2_is_held(struct ext2 *e, uint32_t ino);
int ext2_orphan_add(struct ext2 *e, uint32_t ino, struct ext2_inode *in);
/* A writable mount releases the orphans a cut left (after an unclean end, those cut off the
 * list too); an unmount those still held. */
int ext2_orphans_mount(struct ext2 *e, bool unclean);
int ext2_orphans_unmount(struct ext2 *e);

extern const struct fs_ops ext2_ops;
int ext2_statfs(struct fs *fs, struct fs_statfs *out);
int ext2_unmount(struct fs *fs);
#endif
