/*
 * Paths and the files behind them: fs's (fsfile.h) when the server has fs,
 * and the
 * read-only view of boot modules (image.h) as regular files, its folders
 * (/, /bin, /usr, /usr/bin, /sbin, /usr/sbin, /dev, /proc, /proc/self),
 * /dev/null, and the console as /dev/tty and /dev/console. Nothing can be
 * written or made in the view: such an open fails with EROFS where the path
 * exists and ENOENT where it does not (README).
 */
#ifndef UNIX_FILES_H
#define UNIX_FILES_H

#include <stdint.h>
#include "process.h"

#define PATH_MAX_ 1024

struct file;
struct lnx_statx;

/*
 * path (relative to dirfd or the cwd) made absolute and plain in out: ".."
 * takes a word off, after checking (on fs) that what it follows is a folder
 * that is there, as Linux's walk would. 0 or -errno.
 */
int files_resolve(struct process *p, int32_t dirfd, const char *path, char *out);
/*
 * An absolute plain path with every symbolic link in it (on fs) replaced by
 * what it names: the working directory and open folders keep such a path,
 * so that "." and ".." later are the folder's own, as on Linux. 0 or -errno.
 */
int files_real(const char *path, char *out);
/* files_resolve for the calls that act on a name itself (rmdir, unlink, rename, link): a trailing slash is theirs to judge. */
int files_resolve_parent(struct process *p, int32_t dirfd, const char *path, char *out);
/* Whether the path files_resolve made last ended with a slash (which the plain path no longer shows). [U] */
extern bool files_trailing_slash;
/* And whether its last word was "." or "..". [U] */
extern bool files_last_dot;
/*
 * Opens an absolute plain path (mode: a created file's, umask applied): a new
 * file with one reference, or NULL and -errno in *err.
 */
struct file *files_open(struct process *p, const char *path, uint32_t flags, uint32_t mode, int *err);
/* stat (follow) or lstat of an absolute plain path. 0 or -errno. */
int files_stat_path(struct process *p, const char *path, bool follow, struct lnx_statx *st);
/* stat of an open file: 0 or -errno (an fs file can have gone). */
int files_stat_file(const struct file *f, struct lnx_statx *st);
/*
 * What /proc/N/fd's link to f says, as Linux's does: a path (fs's files as
 * opened, the view's, /dev/null, /dev/console for the tty, /proc's), or
 * pipe:[INO], socket:[INO] with fstat's inode. Its length.
 */
int files_link_text(const struct file *f, char *out, size_t max);
/* The path of an open folder (the view's or fs's), NULL for any other file. */
const char *files_dir_path(const struct file *f);
/* getdents64 on f: entries from f's offset (an entry's index) into buf. Bytes, 0 at the end, or -errno. */
int32_t files_getdents(struct process *p, struct file *f, uint32_t buf, uint32_t len);
/* A path argument at at (relative to dirfd or the cwd), absolute and plain, in out (sys_fd.c). 0 or -errno. */
int path_arg(struct process *p, int32_t dirfd, uint32_t at, char *out);
/* stat's common part (sys_stat.c): dirfd and path, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW. 0 or -errno. */
int stat_at(struct process *p, int32_t dirfd, uint32_t at, uint32_t flags, struct lnx_statx *st);
/* A read of f from bytes held in the server (size of them): at f's offset, at most 64 KiB; a count or -errno. */
int32_t files_read_bytes(struct process *p, struct file *f, const void *data, uint64_t size, uint32_t buf, uint32_t len);
/* Whether path names a folder of the view. */
bool files_is_dir(const char *path);

#endif
