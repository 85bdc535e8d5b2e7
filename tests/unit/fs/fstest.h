/*
 * What the file-system tests share: scratch folders, shell commands (mke2fs,
 * mkfs.fat, e2fsck, fsck.fat, debugfs, mcopy), trees of test files, mounting
 * an image through the library, and comparing trees.
 */
#ifndef FSTEST_H
#define FSTEST_H

#include <stddef.h>
#include "imgdev.h"
#include "vfs.h"

/* A fresh empty scratch folder for this test: /tmp/fslib-PID/name. */
const char *fst_dir(const char *name);
/* Runs a shell command (printf-style), its output thrown away: its exit status. */
int fst_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fills dir with a tree of files from seed: sizes across block and indirect
 * boundaries, subfolders, and with links symbolic and hard links. */
void fst_make_tree(const char *dir, unsigned seed, bool links);

struct fst_mnt {
	struct imgdev dev;
	struct fs *fs;
	struct vfs v;
};
/* type: "ext2" or "fat". */
int fst_mount(struct fst_mnt *m, const char *img, const char *type, bool readonly);
int fst_unmount(struct fst_mnt *m);

/* Compares the library's tree at vpath with a host folder, file by file (every
 * file's bytes hashed and compared, symbolic links' text, types): 0 when equal,
 * else -1 and why. skip: names to leave out at the top, separated by '|'
 * ("lost+found|work"), or NULL. */
int fst_compare(struct vfs *v, const char *vpath, const char *host, const char *skip, char *why, size_t whylen);

/* A random workload on the mounted tree and a host mirror folder, op by op:
 * both must succeed or fail alike. Only the folder top ("" for the root,
 * else "/name") and what is below it is used. Returns the number of operations that
 * disagreed (0 is success) and says the first in why. */
#define FST_FAT 1u		/* FAT: no links; names only as FAT can hold them */
#define FST_NO_DIR_RENAME 2u	/* leave folders where they are */
int fst_workload(struct vfs *v, const char *mirror, const char *top, unsigned seed, int ops, unsigned flags,
		 char *why, size_t whylen);

/* n read from 0 to size in 64 KiB calls (sequential), or at 200 scattered
 * offsets (1 to 9,000 bytes, from seed), compared with want (unit_fail if not). */
void fst_read_sequential(const struct vfs_node *n, const uint8_t *want, size_t size);
void fst_read_scattered(const struct vfs_node *n, const uint8_t *want, size_t size, uint64_t seed);

/* A whole file in memory (malloc'd), its size in *size. */
uint8_t *fst_load(const char *path, size_t *size);
int64_t fst_now(void);
uint64_t fst_rand(uint64_t *state);

#endif
