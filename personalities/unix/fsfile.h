/*
 * Files from the file server (servers/fs, libmsg's <manifold/fsc.h>): when
 * the server's command line has the word `fs`, every path outside /dev and
 * /proc is fs's, and an open file of fs is a struct file holding the send
 * right fs made for it (fs keeps no offset: the struct file's offset is
 * Linux's, shared by dup and fork). Without fs the view of boot modules
 * (files.c, image.c) is all there is; with it, the view is the fallback for
 * /bin/NAME paths fs does not have (README, Files).
 *   [U] unix_lock, as everything of the server's
 */
#ifndef UNIX_FSFILE_H
#define UNIX_FSFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include "process.h"

struct file;
struct lnx_statx;

/* fs's service port, MACH_PORT_NULL when the server runs without fs. [U] */
extern mach_port_t fsfile_server;

/* Finds fs in ns (main.c, for the word `fs`). 0, or -1 if it is not there. */
int fsfile_attach(void);
/* Whether path (absolute, plain) is fs's: fs is attached and the path is not under /dev or /proc. */
bool fsfile_owns(const char *path);
/* The negative Linux errno for an answer of fs's or of the message layer. */
int fsfile_err(kern_return_t kr);

/*
 * Opens path on fs (mode: the new file's, umask applied by the caller); O_CREAT
 * through a dangling symbolic link makes its target, as Linux does. A file, or
 * NULL and -errno in *err.
 */
struct file *fsfile_open(struct process *p, const char *path, uint32_t flags, uint32_t mode, int *err);
/* Whether f is a file of fs's, and then its port. */
bool fsfile_is(const struct file *f);
mach_port_t fsfile_port(const struct file *f);
/* The path an open file of fs's was opened by, as renames moved it (/proc/N/fd); NULL for anything else. */
const char *fsfile_path(const struct file *f);
/* The path an open folder of fs's was opened by (openat's dirfd, fchdir); NULL for anything else. */
const char *fsfile_dir_path(const struct file *f);

/* stat (follow) or lstat of an fs path; fstat of an fs file. 0 or -errno. */
int fsfile_stat_path(const char *path, bool follow, struct lnx_statx *st);
int fsfile_stat_file(const struct file *f, struct lnx_statx *st);
/* getdents64 of an fs folder: ".", "..", then fs's entries. Bytes, 0 at the end, or -errno. */
int32_t fsfile_getdents(struct process *p, struct file *f, uint32_t buf, uint32_t len);

/*
 * A rename moved from to to (both absolute, plain, their folders' links
 * resolved): open folders and working directories under from follow it, as
 * Linux's, which are the folder itself rather than its path.
 */
void fsfile_renamed(const char *from, const char *to);

/* Whether some open fs file is fs's file number ino. */
bool fsfile_ino_open(uint64_t ino);

/*
 * fsgone.c: a file or folder whose last name goes (unlink, rmdir, a rename
 * over it) while a process has it open is renamed to a hidden name in its
 * folder instead, as NFS clients do, because fs's ext2 would drop it at once
 * (EBADF to its open files) where Linux keeps it until the last close. The
 * hidden name goes with that close.
 */
/* Before path's last name goes: hides it if it is open and this is its last link. 1: hidden (done), 0: go on, or -errno. */
int fsgone_hide(const char *path, bool dir);
/* Whether ino's last name went while it is open; whether a folder entry's name is such a hiding place. */
bool fsgone_is(uint64_t ino);
bool fsgone_hidden(const char *name);
/* The call fsgone_hide(path) was made for failed: the hidden file gets path back. */
void fsgone_unhide(const char *path);
/* No open file is ino any more: its hidden name goes. */
void fsgone_last_close(uint64_t ino);

#endif
