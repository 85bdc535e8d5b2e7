/*
 * /proc/<pid> as Linux lays it out, enough for ps, top and pidof: the folder
 * /proc lists a folder per live or zombie process, and each holds stat,
 * status and cmdline (and exe, a link: sys_fd.c's readlink); beside them
 * the system's uptime, loadavg, stat and meminfo (the counts the server
 * has: no load, no CPU times, the kernel's free pages). /proc/self/X
 * is the caller's own. A file's text is made at its first read, as Linux's
 * seq files are (so a shell's `cmd < /proc/self/cmdline` shows cmd, which
 * exec'd after the open), and read from there at the file's offset; a
 * process gone by then reads as empty.
 * files.c hands every path under /proc here; the rest of the view is its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fd.h"
#include "files.h"
#include "linux.h"
#include "procfs.h"
#include "syscall.h"
#include "tty.h"
#include "umem.h"

#define TEXT_MAX 4096	/* one page, as Linux's cmdline gives at most per read */
#define STACK_RESERVED	(1024u * 1024)	/* exec.c's STACK_SIZE */
#define CONSOLE_TTY_NR	((5 << 8) | 1)	/* /dev/console, 5:1, in stat's tty_nr encoding */

static const char *const pid_files[] = { "cmdline", "exe", "stat", "status" };
static const char *const sys_files[] = { "loadavg", "meminfo", "stat", "uptime" };

/* The name of a system file path is (/proc/NAME), or NULL. */
static const char *
sys_file(const char *path)
{
	for (size_t i = 0; i < sizeof sys_files / sizeof sys_files[0]; i++)
		if (strncmp(path, "/proc/", 6) == 0 && strcmp(path + 6, sys_files[i]) == 0)
			return sys_files[i];
	return NULL;
}

/* pid and what follows it from "/proc/N..." or "/proc/self..." (the caller); 0 when it is neither. */
static uint32_t
pid_of(struct process *p, const char *path, const char **rest)
{
	uint32_t pid = 0;
	const char *s;

	if (strncmp(path, "/proc/", 6) != 0 || sys_file(path))
		return 0;
	s = path + 6;
	if (strncmp(s, "self", 4) == 0 && (s[4] == '\0' || s[4] == '/')) {
		*rest = s + 4;
		return p->pid;
	}
	if (*s < '1' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((pid = pid * 10 + (uint32_t)(*s - '0')) > 1u << 30)
			return 0;
	if (*s && *s != '/')
		return 0;
	*rest = s;
	return pid;
}

bool
procfs_owns(struct process *p, const char *path)
{
	const char *rest;

	return sys_file(path) || pid_of(p, path, &rest) != 0;
}

/* The system's files: what the server knows of uptime, load, CPU time and memory. */
static int
sys_text(const char *name, char *out, size_t max)
{
	uint64_t up = clock_now_ns() / 10000000;	/* in hundredths */
	uint32_t total, free, live;

	sys_counts(&total, &free, &live);
	if (strcmp(name, "uptime") == 0)
		return snprintf(out, max, "%llu.%02llu 0.00\n", (unsigned long long)(up / 100),
				(unsigned long long)(up % 100));
	if (strcmp(name, "loadavg") == 0)
		return snprintf(out, max, "0.00 0.00 0.00 1/%u %u\n", live, process_last_pid());
	if (strcmp(name, "stat") == 0)
		return snprintf(out, max, "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\nintr 0\nctxt 0\n"
				"btime %llu\nprocesses %u\nprocs_running 1\nprocs_blocked 0\n",
				(unsigned long long)(clock_wall_base_ns() / 1000000000u), process_last_pid());
	return snprintf(out, max, "MemTotal:       %8u kB\nMemFree:        %8u kB\nMemAvailable:   %8u kB\n"
			"Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
			"SwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 kB\n",
			total * 4, free * 4, free * 4);
}

/* The process path names and its file's name there ("" for the folder itself); NULL, -ENOENT in *err, if none. */
static struct process *
lookup(struct process *p, const char *path, const char **name, int *err)
{
	const char *rest;
	uint32_t pid = pid_of(p, path, &rest);
	struct process *q = pid ? process_of_pid(pid) : NULL;

	*err = -LNX_ENOENT;
	if (!q)
		return NULL;
	if (*rest == '\0') {
		*name = "";
		return q;
	}
	rest++;
	for (size_t i = 0; i < sizeof pid_files / sizeof pid_files[0]; i++)
		if (strcmp(rest, pid_files[i]) == 0) {
			*name = pid_files[i];
			return q;
		}
	for (size_t i = 0; i < sizeof pid_files / sizeof pid_files[0]; i++) {
		size_t k = strlen(pid_files[i]);

		if (strncmp(rest, pid_files[i], k) == 0 && rest[k] == '/' && i != 1)
			*err = -LNX_ENOTDIR;	/* "stat/x": a file is no folder (exe/x follows the link: ENOENT) */
	}
	return NULL;
}

/* What stat and status both say of a process: its comm, state and signal dispositions. */
struct facts {
	char comm[16];			/* Linux's comm: the name, at most 15 bytes */
	char state;			/* R, S, T, Z */
	const char *state_word;		/* status's word for it */
	uint64_t ign, cgt;		/* the signals it ignores and catches */
};

static void
facts_of(const struct process *q, struct facts *f)
{
	snprintf(f->comm, sizeof f->comm, "%s", q->name);
	if (q->state == PROC_ZOMBIE)
		f->state = 'Z', f->state_word = "zombie";
	else if (q->stopped)
		f->state = 'T', f->state_word = "stopped";
	else if (q->held)
		f->state = 'S', f->state_word = "sleeping";
	else
		f->state = 'R', f->state_word = "running";
	f->ign = f->cgt = 0;
	for (int s = 1; s <= LNX_NSIG; s++) {
		uint32_t h = q->sigactions[s - 1].handler;

		if (h == LNX_SIG_IGN)
			f->ign |= 1ull << (s - 1);
		else if (h != LNX_SIG_DFL)
			f->cgt |= 1ull << (s - 1);
	}
}

static int
stat_text(const struct process *q, char *out, size_t max)
{
	struct facts f;
	bool live = q->state == PROC_LIVE;

	facts_of(q, &f);
	/*
	 * fields 1-52 of proc(5); what the server does not count (faults, times,
	 * resident pages, flags) is 0; the old signal fields are the low 31 bits,
	 * as Linux's. vsize is the image, the heap and the stack's reservation
	 * (mmap's regions are not counted): ps marks a process of none as a
	 * kernel thread (W).
	 */
	return snprintf(out, max,
			"%u (%s) %c %u %u %u %u %d 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu %u 0 4294967295 0 0 0 0 0 "
			"%llu %llu %llu %llu 0 0 0 17 0 0 0 0 0 0 0 0 %u %u %u 0 0 %d\n",
			q->pid, f.comm, f.state, q->ppid, q->pgid, q->sid, CONSOLE_TTY_NR, (int)tty_pgrp,
			(unsigned long long)q->start_ticks, live ? q->brk_mapped - q->image_lo + STACK_RESERVED : 0,
			(unsigned long long)(q->sigpending & 0x7FFFFFFF), (unsigned long long)(q->sigmask & 0x7FFFFFFF),
			(unsigned long long)(f.ign & 0x7FFFFFFF), (unsigned long long)(f.cgt & 0x7FFFFFFF),
			live ? q->brk_start : 0, live ? q->arg_start : 0, live ? q->arg_end : 0,
			live ? 0 : q->status);
}

static int
status_text(const struct process *q, char *out, size_t max)
{
	struct facts f;

	facts_of(q, &f);
	return snprintf(out, max,
			"Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\n"
			"TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%u\nGroups:\t\n"
			"NStgid:\t%u\nNSpid:\t%u\nNSpgid:\t%u\nNSsid:\t%u\nThreads:\t1\nSigQ:\t0/0\n"
			"SigPnd:\t0000000000000000\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
			"SigCgt:\t%016llx\n",
			f.comm, q->umask, f.state, f.state_word, q->pid, q->pid, q->ppid, q->state == PROC_LIVE ? FD_MAX : 0,
			q->pid, q->pid, q->pgid, q->sid, (unsigned long long)q->sigpending, (unsigned long long)q->sigmask,
			(unsigned long long)f.ign, (unsigned long long)f.cgt);
}

/* The argument strings as q's memory holds them now (a zombie's: none), NULs and all. */
static int
cmdline_text(struct process *q, char *out, size_t max)
{
	uint32_t n = q->arg_end - q->arg_start;

	if (q->state != PROC_LIVE || !q->arg_start || q->arg_end <= q->arg_start)
		return 0;
	if (n > max)
		n = (uint32_t)max;
	return umem_read(q, q->arg_start, out, n) == 0 ? (int)n : 0;
}

struct text {
	uint32_t pid;		/* whose */
	const char *name;	/* which file (pid_files) */
	bool made;		/* bytes hold the text: it was read */
	uint32_t len;
	char bytes[];
};

/* The text of t's file, as its process is now (gone: none), or the system's (pid 0). */
static void
text_make(struct text *t)
{
	struct process *q = t->pid ? process_of_pid(t->pid) : NULL;
	int n = 0;

	if (!t->pid)
		n = sys_text(t->name, t->bytes, TEXT_MAX);
	else if (q && strcmp(t->name, "stat") == 0)
		n = stat_text(q, t->bytes, TEXT_MAX);
	else if (q && strcmp(t->name, "status") == 0)
		n = status_text(q, t->bytes, TEXT_MAX);
	else if (q)
		n = cmdline_text(q, t->bytes, TEXT_MAX);
	t->len = n < 0 ? 0 : n >= TEXT_MAX ? TEXT_MAX - 1 : (uint32_t)n;
	t->made = true;
}

static int32_t
text_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	struct text *t = f->obj;

	if (!t->made)
		text_make(t);
	return files_read_bytes(p, f, t->bytes, t->len, buf, len);
}

static uint32_t
text_poll(struct file *f)
{
	(void)f;
	return LNX_POLLIN;
}

static void
text_close(struct file *f)
{
	free(f->obj);
}

static const struct file_ops text_ops = { .read = text_read, .poll = text_poll, .close = text_close,
					  .mode = LNX_S_IFREG | 0444 };

struct file *
procfs_open(struct process *p, const char *path, uint32_t flags, int *err)
{
	const char *name = sys_file(path);
	struct process *q = name ? NULL : lookup(p, path, &name, err);
	struct text *t;
	struct file *f;

	if (!q && !name)
		return NULL;
	if (!*name || strcmp(name, "exe") == 0)
		return NULL;	/* the folder is files.c's, the link is no file to open: -ENOENT as asked */
	if ((flags & LNX_O_ACCMODE) != LNX_O_RDONLY || (flags & (LNX_O_CREAT | LNX_O_TRUNC))) {
		*err = -LNX_EACCES;
		return NULL;
	}
	if (flags & LNX_O_DIRECTORY) {
		*err = -LNX_ENOTDIR;
		return NULL;
	}
	*err = -LNX_ENOMEM;
	if (!(t = malloc(sizeof *t + TEXT_MAX)))
		return NULL;
	t->pid = q ? q->pid : 0;
	t->name = name;
	t->made = false;
	t->len = 0;
	if (!(f = file_new(&text_ops, LNX_O_RDONLY, t)))
		free(t);
	return f;
}

bool
procfs_is_dir(struct process *p, const char *path)
{
	const char *name;
	int err;

	return lookup(p, path, &name, &err) && !*name;
}

int
procfs_stat(struct process *p, const char *path, struct lnx_statx *st, uint64_t (*ino)(const char *))
{
	const char *name;
	int err;
	struct process *q = sys_file(path) ? p : lookup(p, path, &name, &err);

	if (!q)
		return err;
	if (sys_file(path))
		name = sys_file(path);
	memset(st, 0, sizeof *st);
	st->mask = LNX_STATX_BASIC_STATS;
	st->blksize = 1024;
	st->ino = ino(path);
	st->dev_minor = 0x14;	/* /proc's own device */
	st->nlink = 1;
	if (!*name) {
		st->mode = LNX_S_IFDIR | 0555;
		st->nlink = 9;
	} else if (strcmp(name, "exe") == 0) {
		st->mode = LNX_S_IFLNK | 0777;
	} else {
		st->mode = LNX_S_IFREG | 0444;	/* size 0, as Linux says of every such file */
	}
	return 0;
}

/* Caller holds unix_lock. */
static void
add_pid(struct process *q, void *arg)
{
	struct procfs_names *n = arg;

	if (n->count < PROC_MAX)
		n->num[n->count++] = q->pid;
}

static int
by_number(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t
procfs_names(struct process *p, const char *dir, struct procfs_names *n, const char **names, size_t max)
{
	const char *name;
	size_t k = 0;
	int err;

	n->count = 0;
	if (strcmp(dir, "/proc") == 0) {
		process_each(add_pid, n);
		qsort(n->num, n->count, sizeof n->num[0], by_number);	/* Linux lists them by pid */
		for (uint32_t i = 0; i < n->count && k < max; i++) {
			snprintf(n->pid[i], sizeof n->pid[i], "%u", n->num[i]);
			names[k++] = n->pid[i];
		}
		for (size_t i = 0; i < sizeof sys_files / sizeof sys_files[0] && k < max; i++)
			names[k++] = sys_files[i];
	} else if (lookup(p, dir, &name, &err) && !*name) {
		for (size_t i = 0; i < sizeof pid_files / sizeof pid_files[0] && k < max; i++)
			names[k++] = pid_files[i];
	}
	return k;
}

struct process *
procfs_exe_of(struct process *p, const char *path)
{
	const char *name;
	int err;
	struct process *q = lookup(p, path, &name, &err);

	return q && strcmp(name, "exe") == 0 && q->state == PROC_LIVE ? q : NULL;
}
