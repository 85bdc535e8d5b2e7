/*
 * /proc/<pid> (procfs.c): a folder per process with stat, status, cmdline
 * and the exe link, as Linux lays them out; /proc/self/X is the caller's.
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

#endif
