/*
 * What every file system of the library provides: struct fs, a mounted
 * instance, and its table of operations. Files are named by a number (fs_ino_t)
 * that is the file system's own: ext2's inode number, FAT's directory entry
 * place. Names are byte strings with a length, never "." or ".." (vfs.c
 * handles those), at most FS_NAME_MAX bytes.
 *
 * Every call returns 0 or a negative FS_E* code (fs_error.h); out-parameters
 * are written only on success. Nothing here calls Manifold: the same code runs
 * in host tests and in the fs server.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fs_error.h"

typedef uint64_t fs_ino_t;

#define FS_NAME_MAX 255

/* File types and permission bits, with the usual Unix values. */
#define FS_S_IFMT   0170000
#define FS_S_IFSOCK 0140000
#define FS_S_IFLNK  0120000
#define FS_S_IFREG  0100000
#define FS_S_IFBLK  0060000
#define FS_S_IFDIR  0040000
#define FS_S_IFCHR  0020000
#define FS_S_IFIFO  0010000
#define FS_ISDIR(m) (((m) & FS_S_IFMT) == FS_S_IFDIR)
#define FS_ISREG(m) (((m) & FS_S_IFMT) == FS_S_IFREG)
#define FS_ISLNK(m) (((m) & FS_S_IFMT) == FS_S_IFLNK)

struct fs_stat {
	fs_ino_t ino;
	uint32_t mode;		/* type and permissions */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t blocks;	/* 512-byte units allocated */
	int64_t atime, mtime, ctime;	/* seconds since 1970 */
};

/* What setattr changes: the fields whose FS_SET_* bit is in `which`. */
#define FS_SET_MODE  1u		/* permission bits only; the type stays */
#define FS_SET_UID   2u
#define FS_SET_GID   4u
#define FS_SET_ATIME 8u
#define FS_SET_MTIME 16u
struct fs_setattr {
	unsigned which;
	uint32_t mode, uid, gid;
	int64_t atime, mtime;
};

struct fs_dirent {
	fs_ino_t ino;
	uint32_t type;		/* FS_S_IF* of the entry, 0 when the disk does not say */
	char name[FS_NAME_MAX + 1];
};

struct fs_statfs {
	uint32_t bsize;
	uint64_t blocks, bfree;
	uint64_t files, ffree;
	uint32_t name_max;
};

struct fs;

struct fs_ops {
	int (*lookup)(struct fs *fs, fs_ino_t dir, const char *name, size_t len, fs_ino_t *out);
	/* ".." of a directory (the root's is itself). */
	int (*parent)(struct fs *fs, fs_ino_t dir, fs_ino_t *out);
	int (*getattr)(struct fs *fs, fs_ino_t ino, struct fs_stat *st);
	int (*setattr)(struct fs *fs, fs_ino_t ino, const struct fs_setattr *sa);
	int (*read)(struct fs *fs, fs_ino_t ino, uint64_t off, void *buf, size_t n, size_t *done);
	int (*write)(struct fs *fs, fs_ino_t ino, uint64_t off, const void *buf, size_t n, size_t *done);
	int (*truncate)(struct fs *fs, fs_ino_t ino, uint64_t size);
	int (*create)(struct fs *fs, fs_ino_t dir, const char *name, size_t len, uint32_t mode, fs_ino_t *out);
	int (*mkdir)(struct fs *fs, fs_ino_t dir, const char *name, size_t len, uint32_t mode, fs_ino_t *out);
	int (*unlink)(struct fs *fs, fs_ino_t dir, const char *name, size_t len);
	int (*rmdir)(struct fs *fs, fs_ino_t dir, const char *name, size_t len);
	/* Replaces an existing target as rename(2) does; vfs.c has checked that a
	 * directory is not moved below itself. */
	int (*rename)(struct fs *fs, fs_ino_t sdir, const char *sname, size_t slen,
		      fs_ino_t ddir, const char *dname, size_t dlen);
	int (*link)(struct fs *fs, fs_ino_t ino, fs_ino_t dir, const char *name, size_t len);
	int (*symlink)(struct fs *fs, fs_ino_t dir, const char *name, size_t len, const char *target,
		       fs_ino_t *out);
	int (*readlink)(struct fs *fs, fs_ino_t ino, char *buf, size_t size, size_t *len);
	/* The next entry at or after *cookie ("." and ".." are skipped): 1 and the
	 * entry, 0 at the end. */
	int (*readdir)(struct fs *fs, fs_ino_t dir, uint64_t *cookie, struct fs_dirent *out);
	int (*statfs)(struct fs *fs, struct fs_statfs *out);
	int (*sync)(struct fs *fs);
	/* Syncs (when writable) and frees the instance. */
	int (*unmount)(struct fs *fs);
	/* An open file's hold on ino, and its end (NULL in a file system that
	 * cannot keep a file with no name). A file whose last link goes while
	 * held keeps its bytes, and answers as ever, until the last drop frees it. */
	int (*hold)(struct fs *fs, fs_ino_t ino);
	int (*drop)(struct fs *fs, fs_ino_t ino);
};

/*
 * A guard around an instance, for a caller with threads (the fs server):
 * vfs.c calls enter before every call into the instance and leave after, so
 * that one thread at a time is inside it. NULL (the mounts' default): none.
 *
 * Its names lock (optional: names_lock NULL, none) makes a change of names
 * of several calls atomic with respect to the others on the instance: a
 * change (create, unlink, rename...) and the walk before it hold it (vfs.c),
 * and whoever took it lets go of it when the request is done. names_lock
 * lets go of any other the thread holds first (one at a time, so no two
 * threads wait for each other's); never called inside enter/leave.
 */
struct fs_guard {
	void (*enter)(struct fs_guard *g);
	void (*leave)(struct fs_guard *g);
	bool (*names_mine)(struct fs_guard *g);
	void (*names_lock)(struct fs_guard *g);
};

/*
 * A mounted file system. The implementation's struct starts with it.
 *   now: the clock for times (seconds since 1970), given by whoever mounts.
 */
struct fs {
	const struct fs_ops *ops;
	const char *type;	/* "ext2", "fat12", "fat16", "fat32" */
	fs_ino_t root;
	bool readonly;
	int64_t (*now)(void);
	struct fs_guard *guard;	/* the mounter's, or NULL */
};

struct blkdev;
/* Mount options common to the file systems. */
struct fs_mount_opts {
	bool readonly;
	size_t cache_blocks;	/* the buffer cache's bound, in blocks (0: 256) */
	int64_t (*now)(void);	/* NULL: times are 0 */
};
int ext2_mount(struct blkdev *dev, const struct fs_mount_opts *opts, struct fs **out);
int fat_mount(struct blkdev *dev, const struct fs_mount_opts *opts, struct fs **out);

#endif
