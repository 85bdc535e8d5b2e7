/*
 * The VFS: a mount table and path resolution across mount points and
 * symbolic links, over the file systems of fs.h. Paths are absolute ("/a/b";
 * a relative path is taken from the root). A node is a file system and a file
 * number in it; node calls go straight to its file system.
 *
 * A change of names (create, mkdir, unlink, rmdir, rename, link, symlink)
 * is atomic with respect to the others on its instance when the mounter's
 * guard has a names lock (fs.h): it is taken before the walk, and the walk
 * is made again if it ended in another instance than the lock's.
 *
 * The caller owns the struct fs it mounts: vfs_unmount hands it back, and the
 * caller ends it with vfs_fs_unmount. Not thread-safe: a caller with threads
 * keeps them apart with a lock of its own around the VFS, and with each
 * instance's guard (fs.h), which every call into an instance goes through
 * (the fs server lets go of its lock while a thread waits for a disk, and
 * the guard keeps other threads out of that disk's instance meanwhile).
 */
#ifndef FS_VFS_H
#define FS_VFS_H

#include "fs.h"

#define VFS_MAX_MOUNTS 16
#define VFS_PATH_MAX 4096
#define VFS_SYMLINK_MAX 8	/* links followed in one resolution before ELOOP */

struct vfs_node {
	struct fs *fs;
	fs_ino_t ino;
};

struct vfs_mount {
	struct fs *fs;
	struct vfs_node covered;	/* the directory it hides; fs NULL for the root */
};

struct vfs {
	struct vfs_mount mounts[VFS_MAX_MOUNTS];
	int nmounts;
};

void vfs_init(struct vfs *v);
/* The first mount must be "/"; later ones go on an existing directory. */
int vfs_mount(struct vfs *v, const char *path, struct fs *fs);
int vfs_unmount(struct vfs *v, const char *path, struct fs **out);
int vfs_sync(struct vfs *v);
/* A file system's own calls, through its guard: sync, statfs, and its end (fs->ops->unmount). */
int vfs_fs_sync(struct fs *fs);
int vfs_fs_statfs(struct fs *fs, struct fs_statfs *out);
int vfs_fs_unmount(struct fs *fs);

int vfs_lookup(struct vfs *v, const char *path, bool follow, struct vfs_node *out);
/* The same, with the names lock (fs.h) of the instance it ends in: what a
 * caller then does with the node (open it, remove its name) is atomic with
 * the lookup. The changes below take theirs themselves. */
int vfs_lookup_names(struct vfs *v, const char *path, bool follow, struct vfs_node *out);
int vfs_stat(struct vfs *v, const char *path, bool follow, struct fs_stat *st);
int vfs_create(struct vfs *v, const char *path, uint32_t mode, struct vfs_node *out);
int vfs_mkdir(struct vfs *v, const char *path, uint32_t mode);
int vfs_unlink(struct vfs *v, const char *path);
int vfs_rmdir(struct vfs *v, const char *path);
int vfs_rename(struct vfs *v, const char *from, const char *to);
int vfs_link(struct vfs *v, const char *existing, const char *path);
int vfs_symlink(struct vfs *v, const char *target, const char *path);
int vfs_readlink(struct vfs *v, const char *path, char *buf, size_t size, size_t *len);

/* On a node found before (an open file). */
int vfs_getattr(const struct vfs_node *n, struct fs_stat *st);
int vfs_setattr(const struct vfs_node *n, const struct fs_setattr *sa);
int vfs_read(const struct vfs_node *n, uint64_t off, void *buf, size_t len, size_t *done);
int vfs_write(const struct vfs_node *n, uint64_t off, const void *buf, size_t len, size_t *done);
int vfs_truncate(const struct vfs_node *n, uint64_t size);
int vfs_readdir(const struct vfs_node *n, uint64_t *cookie, struct fs_dirent *out);
/* An open file's hold (fs.h): false if n's file system cannot hold files. */
bool vfs_can_hold(const struct vfs_node *n);
int vfs_hold(const struct vfs_node *n);
int vfs_drop(const struct vfs_node *n);

#endif
