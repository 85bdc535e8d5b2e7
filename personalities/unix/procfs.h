/*
 * /proc/<pid> (procfs.c): a folder per process with stat, status, cmdline,
 * environ, maps, mounts, the exe, cwd and root links, fd (a link per descriptor) and fdinfo, as Linux lays
 * them out; /proc/self is a link to the caller's.
 * files.c asks here for every path under /proc but /proc itself.
 */
#ifndef UNIX_PROCFS_H
#define UNIX_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "process.h"

struct file;
struct lnx_statx;

/* Room for the names of /proc's folders (procfs_names). */
struct procfs_names {
	uint32_t count;
	uint32_t num[PROC_MAX];
	char pid[PROC_MAX][12];
};

/* Whether path is /proc/N or /proc/self, or something under one. */
bool procfs_owns(struct process *p, const char *path);
/* Whether path is a process's folder there now. */
bool procfs_is_dir(struct process *p, const char *path);
/* A file of a process's folder, read-only: its text made now; NULL and -errno in *err. */
struct file *procfs_open(struct process *p, const char *path, uint32_t flags, int *err);
/* stat of a path procfs_owns: 0 or -errno; ino names a path. */
int procfs_stat(struct process *p, const char *path, struct lnx_statx *st, uint64_t (*ino)(const char *));
/* The names in /proc (a pid per process, in n) or in a process's folder: up to max, their count. */
size_t procfs_names(struct process *p, const char *dir, struct procfs_names *n, const char **names, size_t max);
/* The process whose exe link path is (live: a zombie's has none), or NULL. */
struct process *procfs_exe_of(struct process *p, const char *path);
/*
 * The text of the link at path (/proc/self, /proc/N/exe, /proc/N/fd/K) into
 * out: its length, or -EINVAL (no link of ours), -ENOENT, -ENOTDIR,
 * -ENAMETOOLONG.
 */
int procfs_link(struct process *p, const char *path, char *out, size_t max);
/* The text of q's exe link (name "exe", fd -1) or of its fd/K link (fd K): its length or -errno. */
int procfs_link_text(struct process *q, const char *name, int fd, char *out, size_t max);
/* The open file a /proc/N/fd/K path names, or NULL. */
struct file *procfs_fd_file(struct process *p, const char *path);
/* Whether path is a process's cwd or root link (live): if so, the folder it leads to into out. */
bool procfs_dir_link(struct process *p, const char *path, char *out, size_t max);
/* /proc/self... made /proc/<p's pid>... in out (a folder opened there stays that process's): false if not such a path. */
bool procfs_canon(struct process *p, const char *path, char *out, size_t max);
/* Whether f is a file of /proc; if so, its path into out (/proc/N/fd's link to it). */
bool procfs_file_link(const struct file *f, char *out, size_t max);

#endif
