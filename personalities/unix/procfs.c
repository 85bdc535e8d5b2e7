/*
 * /proc/<pid> as Linux lays it out, enough for ps, top and pidof: the folder
 * /proc lists a folder per live or zombie process, and each holds stat,
 * status, cmdline, environ, maps and mounts, the links exe, cwd, root and
 * fd/N (fd a folder of a link per open descriptor; fdinfo one of a text per
 * descriptor: its offset and flags), and /proc/self is a link to the caller's
 * (procfs_link gives every link's text: sys_fd.c's readlink); beside them
 * the system's uptime, loadavg, stat, meminfo and mounts (the counts the server
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
#include <mach/mach.h>
#include <manifold/trap.h>
#include "exec.h"
#include "fd.h"
#include "files.h"
#include "fsfile.h"
#include "linux.h"
#include "procfs.h"
#include "syscall.h"
#include "tty.h"
#include "umem.h"

#define TEXT_MAX 4096	/* one page, as Linux's cmdline gives at most per read */
#define MAPS_MAX 16384	/* maps' text: some 70 bytes a region */
#define STACK_RESERVED	EXEC_STACK_SIZE
#define CONSOLE_TTY_NR	((5 << 8) | 1)	/* /dev/console, 5:1, in stat's tty_nr encoding */

static const char *const pid_files[] = { "cmdline", "cwd",    "environ", "exe",  "fd",	"fdinfo",
					 "maps",    "mounts", "root",    "stat", "status" };
static const char *const sys_files[] = { "loadavg", "meminfo", "mounts", "stat", "uptime" };

/* A process's links: exe, cwd and root (fd/N are the descriptors'). */
static bool
is_link(const char *name)
{
	return strcmp(name, "exe") == 0 || strcmp(name, "cwd") == 0 || strcmp(name, "root") == 0;
}

/* Whether name is a folder of descriptors: fd (a link each) or fdinfo (a text each). */
static bool
is_fd_folder(const char *name)
{
	return strcmp(name, "fd") == 0 || strcmp(name, "fdinfo") == 0;
}

/*
 * What is mounted where, as /proc/mounts says: the root (fs's, or the read-only
 * view of boot modules without it) and /proc; no devices or options to tell.
 */
static int
mounts_text(char *out, size_t max)
{
	return snprintf(out, max, "%s\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n",
			fsfile_owns("/") ? "rootfs / fs rw 0 0" : "none / modules ro 0 0");
}

/* The name of a system file path is (/proc/NAME), or NULL. */
static const char *
sys_file(const char *path)
{
	if (strncmp(path, "/proc/", 6) != 0)
		return NULL;	/* most paths: once, not once a name */
	for (size_t i = 0; i < sizeof sys_files / sizeof sys_files[0]; i++)
		if (strcmp(path + 6, sys_files[i]) == 0)
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
	if (strcmp(name, "mounts") == 0)
		return mounts_text(out, max);
	if (strcmp(name, "uptime") == 0)
		return snprintf(out, max, "%llu.%02llu 0.00\n", (unsigned long long)(up / 100),
				(unsigned long long)(up % 100));
	if (strcmp(name, "loadavg") == 0)
		return snprintf(out, max, "0.00 0.00 0.00 1/%u %u\n", live, process_last_pid());
	if (strcmp(name, "stat") == 0) {
		/* one processor: busy time (the kernel tells no system time from user time) and idle */
		unsigned long long idle = cputime_idle(up), busy = up - idle;
		/* the kernel's counters: it counts the timer's interrupts (IRQ 0) alone, and every thread switch */
		struct manifold_kernel_stats ks = { 0 };

		trap_raw(TRAP_kernel_stats, (uint32_t)&ks, 0, 0, 0, 0);
		return snprintf(out, max, "cpu  %llu 0 0 %llu 0 0 0 0 0 0\ncpu0 %llu 0 0 %llu 0 0 0 0 0 0\n"
				"intr %u %u\nctxt %u\nbtime %llu\nprocesses %u\nprocs_running 1\nprocs_blocked 0\n",
				busy, idle, busy, idle, ks.timer_interrupts, ks.timer_interrupts, ks.switches,
				(unsigned long long)(clock_wall_base_ns() / 1000000000u), process_last_pid());
	}
	return snprintf(out, max, "MemTotal:       %8u kB\nMemFree:        %8u kB\nMemAvailable:   %8u kB\n"
			"Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
			"SwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 kB\n",
			total * 4, free * 4, free * 4);
}

/* What a path under /proc/N names: the process, its file there ("" the folder) and a descriptor (fd/N; else -1). */
struct ppath {
	struct process *q;
	const char *name;	/* a pid_files word, or "" */
	int fd;
};

/* The descriptor number at s ("0", "17"; no sign, no leading zero), or -1. */
static int
fd_number(const char *s)
{
	int n = 0;

	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (n = n * 10 + (*s - '0')) >= FD_MAX)
			return -1;
	}
	return n;
}

/* Fills pp for path: 0, or -ENOENT (nothing there), -ENOTDIR (a file's name followed by more). */
static int
lookup(struct process *p, const char *path, struct ppath *pp)
{
	const char *rest;
	uint32_t pid = pid_of(p, path, &rest);

	pp->fd = -1;
	if (!pid || !(pp->q = process_of_pid(pid)))
		return -LNX_ENOENT;
	if (*rest == '\0') {
		pp->name = "";
		return 0;
	}
	rest++;
	for (size_t i = 0; i < sizeof pid_files / sizeof pid_files[0]; i++) {
		size_t k = strlen(pid_files[i]);

		if (strncmp(rest, pid_files[i], k) != 0 || (rest[k] && rest[k] != '/'))
			continue;
		pp->name = pid_files[i];
		if (!rest[k])
			return 0;
		if (is_fd_folder(pp->name)) {
			/* fd/N: a link while descriptor N is open (a zombie has none); fdinfo/N its text */
			char num[12];
			size_t len = strcspn(rest + k + 1, "/");
			int n = len < sizeof num ? (memcpy(num, rest + k + 1, len), num[len] = '\0', fd_number(num)) : -1;

			if (n < 0 || pp->q->state != PROC_LIVE || !pp->q->fds || !pp->q->fds->file[n])
				return -LNX_ENOENT;
			if (rest[k + 1 + len])
				return -LNX_ENOTDIR;	/* fd/N/x: files.c's walk went through a folder's; a file's is none */
			pp->fd = n;
			return 0;
		}
		/* "stat/x": a file is no folder, nor is a live process's exe; cwd/x and root/x reach here only as a
		 * zombie's (files.c's walk goes through a live one's to its folder), whose links lead nowhere */
		return !is_link(pp->name) || (strcmp(pp->name, "exe") == 0 && pp->q->state == PROC_LIVE) ? -LNX_ENOTDIR
													 : -LNX_ENOENT;
	}
	return -LNX_ENOENT;
}

/* Whether pp names a folder: a process's, or its fd. */
static bool
is_folder(const struct ppath *pp)
{
	return !*pp->name || (is_fd_folder(pp->name) && pp->fd < 0);
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
	 * fields 1-52 of proc(5); what the server does not count (faults,
	 * system time, resident pages, flags) is 0; utime and cutime are the
	 * kernel's ticks (cputime.c: HZ 100, Linux's USER_HZ), the reaped
	 * children's in cutime; the old signal fields are the low 31 bits,
	 * as Linux's. vsize is the image, the heap and the stack's reservation
	 * (mmap's regions are not counted): ps marks a process of none as a
	 * kernel thread (W).
	 */
	return snprintf(out, max,
			"%u (%s) %c %u %u %u %u %d 0 0 0 0 0 %llu 0 %llu 0 20 0 1 0 %llu %u 0 4294967295 0 0 0 0 0 "
			"%llu %llu %llu %llu 0 0 0 17 0 0 0 0 0 0 0 0 %u %u %u 0 0 %d\n",
			q->pid, f.comm, f.state, q->ppid, q->pgid, q->sid, CONSOLE_TTY_NR, (int)tty_pgrp,
			(unsigned long long)(cputime_us(q) / 10000u), (unsigned long long)(q->child_cpu_us / 10000u),
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

/* The bytes [lo, hi) of q's memory as it holds them now (a zombie's: none): its argument or environment strings. */
static int
strings_text(struct process *q, uint32_t lo, uint32_t hi, char *out, size_t max)
{
	uint32_t n = hi - lo;

	if (q->state != PROC_LIVE || !lo || hi <= lo)
		return 0;
	if (n > max)
		n = (uint32_t)max;
	return umem_read(q, lo, out, n) == 0 ? (int)n : 0;
}

/* Where in q's memory: the image (its path, from its first page), the heap, the stack, or nothing of ours. */
struct maps_part {
	uint32_t end;		/* where this kind of memory ends */
	const char *name;	/* "" for anonymous memory */
	bool image;
};

static struct maps_part
maps_part_at(const struct process *q, uint32_t a, const char *exe)
{
	uint32_t stack_lo = EXEC_STACK_TOP - EXEC_STACK_SIZE;

	if (a >= q->image_lo && a < q->brk_start)
		return (struct maps_part){ q->brk_start, exe, true };
	if (a >= q->brk_start && a < q->brk_mapped)
		return (struct maps_part){ q->brk_mapped, "[heap]", false };
	if (a >= stack_lo && a < EXEC_STACK_TOP)
		return (struct maps_part){ EXEC_STACK_TOP, "[stack]", false };
	/* anonymous up to the next kind's start */
	if (a < q->image_lo)
		return (struct maps_part){ q->image_lo, "", false };
	if (a < q->brk_start)
		return (struct maps_part){ q->brk_start, "", false };
	if (a < stack_lo && q->brk_mapped > a)
		return (struct maps_part){ q->brk_mapped, "", false };
	return (struct maps_part){ a < stack_lo ? stack_lo : 0, "", false };
}

/* One line of maps, as Linux's show_map_vma prints it on i386: the fields, then the name in column 49. */
static int
maps_line(char *out, size_t max, uint32_t lo, uint32_t hi, const char *perms, uint32_t off, uint32_t dev_major,
	  uint32_t dev_minor, uint64_t ino, const char *name)
{
	int n = snprintf(out, max, "%08x-%08x %s %08x %02x:%02x %llu ", lo, hi, perms, off, dev_major, dev_minor,
			 (unsigned long long)ino);

	if (n < 0 || (size_t)n >= max)
		return -1;
	if (*name)
		n += snprintf(out + n, max - (size_t)n, "%*s%s", n < 48 ? 48 - n : 0, "", name);
	if (n < 0 || (size_t)n + 1 >= max)
		return -1;
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

/*
 * q's memory as Linux's maps lays it out: a line per run of pages alike
 * (vm_region's regions, neighbours with the same protection and kind put
 * together, as Linux merges its areas), named by what exec and brk put
 * there: the program's path, [heap], [stack]; anonymous mmap memory and
 * mapped files have no name here. The image's offset counts from its first
 * page (Linux's is each segment's offset in the file).
 */
static int
maps_text(struct process *q, char *out, size_t max)
{
	char exe[PATH_MAX_], perms[5] = "", run_perms[5] = "";
	struct lnx_statx st;
	uint32_t dev_major = 0, dev_minor = 0, run_lo = 0, run_hi = 0, run_off = 0;
	uint64_t ino = 0;
	struct maps_part run = { 0, "", false };
	vm_address_t at = 0;
	size_t n = 0;
	int k;

	if (q->state != PROC_LIVE || procfs_link_text(q, "exe", -1, exe, sizeof exe) < 0)
		return 0;
	if (files_stat_path(q, exe, true, &st) == 0)
		dev_major = st.dev_major, dev_minor = st.dev_minor, ino = st.ino;
	for (;;) {
		vm_address_t a = at;
		vm_size_t size;
		vm_prot_t prot, maxprot;
		vm_inherit_t inh;
		boolean_t shared;
		mach_port_t object = MACH_PORT_NULL;
		vm_offset_t offset;

		if (vm_region(q->task, &a, &size, &prot, &maxprot, &inh, &shared, &object, &offset) != KERN_SUCCESS)
			break;
		if (MACH_PORT_VALID(object))
			mach_port_deallocate(mach_task_self(), object);
		for (uint32_t lo = (uint32_t)a, hi = (uint32_t)(a + size); lo < hi;) {
			struct maps_part part = maps_part_at(q, lo, exe);
			uint32_t end = part.end && part.end > lo && part.end < hi ? part.end : hi;

			snprintf(perms, sizeof perms, "%c%c%c%c", prot & VM_PROT_READ ? 'r' : '-',
				 prot & VM_PROT_WRITE ? 'w' : '-', prot & VM_PROT_EXECUTE ? 'x' : '-',
				 shared && !part.image ? 's' : 'p');
			if (run_hi == lo && strcmp(perms, run_perms) == 0 && run.name == part.name) {
				run_hi = end;	/* the same kind of memory goes on */
			} else {
				if (run_hi && (k = maps_line(out + n, max - n, run_lo, run_hi, run_perms, run_off,
							     run.image ? dev_major : 0, run.image ? dev_minor : 0,
							     run.image ? ino : 0, run.name)) > 0)
					n += (size_t)k;
				run = part;
				run_lo = lo;
				run_hi = end;
				run_off = part.image ? lo - q->image_lo : 0;
				memcpy(run_perms, perms, sizeof perms);
			}
			lo = end;
		}
		at = a + size;
		if (at <= a)
			break;	/* the top of memory */
	}
	if (run_hi && (k = maps_line(out + n, max - n, run_lo, run_hi, run_perms, run_off, run.image ? dev_major : 0,
				     run.image ? dev_minor : 0, run.image ? ino : 0, run.name)) > 0)
		n += (size_t)k;
	return (int)n;
}

struct text {
	uint32_t pid;		/* whose */
	const char *name;	/* which file (pid_files) */
	int fd;			/* fdinfo's descriptor */
	uint32_t max;		/* room in bytes */
	bool made;		/* bytes hold the text: it was read */
	uint32_t len;
	char bytes[];
};

/*
 * fdinfo/N: the descriptor's offset, its open flags with O_CLOEXEC for
 * FD_CLOEXEC (as Linux adds it), and where its file is (no mounts to
 * number: 1 for every file; the inode stat gives).
 */
static int
fdinfo_text(const struct process *q, int fd, char *out, size_t max)
{
	struct file *f = q->state == PROC_LIVE && q->fds ? q->fds->file[fd] : NULL;
	struct lnx_statx st;

	if (!f)
		return 0;	/* closed since it was opened: empty */
	if (files_stat_file(f, &st) != 0)
		st.ino = 0;
	return snprintf(out, max, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t1\nino:\t%llu\n", (unsigned long long)f->offset,
			(unsigned)(f->flags | (q->fds->flags[fd] & FD_CLOEXEC_BIT ? LNX_O_CLOEXEC : 0)),
			(unsigned long long)st.ino);
}

/* The text of t's file, as its process is now (gone: none), or the system's (pid 0). */
static void
text_make(struct text *t)
{
	struct process *q = t->pid ? process_of_pid(t->pid) : NULL;
	int n = 0;

	if (!t->pid)
		n = sys_text(t->name, t->bytes, t->max);
	else if (q && strcmp(t->name, "stat") == 0)
		n = stat_text(q, t->bytes, t->max);
	else if (q && strcmp(t->name, "status") == 0)
		n = status_text(q, t->bytes, t->max);
	else if (q && strcmp(t->name, "maps") == 0)
		n = maps_text(q, t->bytes, t->max);
	else if (q && strcmp(t->name, "mounts") == 0)
		n = mounts_text(t->bytes, t->max);
	else if (q && strcmp(t->name, "fdinfo") == 0)
		n = fdinfo_text(q, t->fd, t->bytes, t->max);
	else if (q && strcmp(t->name, "environ") == 0)
		n = strings_text(q, q->env_start, q->env_end, t->bytes, t->max);
	else if (q)
		n = strings_text(q, q->arg_start, q->arg_end, t->bytes, t->max);
	t->len = n < 0 ? 0 : (uint32_t)n >= t->max ? t->max - 1 : (uint32_t)n;
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
	struct ppath pp = { NULL, name, -1 };
	struct text *t;
	struct file *f;
	uint32_t max;

	if (!name && (*err = lookup(p, path, &pp)) != 0)
		return NULL;
	if (name && strcmp(name, "mounts") == 0)
		pp.q = p;	/* /proc/mounts: a link to self/mounts, the caller's (its fd's link says so) */
	name = pp.name;
	if (pp.fd >= 0 && strcmp(name, "fd") == 0) {
		/* fd/N: the open file itself, another reference (Linux opens the file anew) */
		f = pp.q->fds->file[pp.fd];
		file_ref(f);
		return f;
	}
	*err = -LNX_ENOENT;
	if (is_folder(&pp) || is_link(name))
		return NULL;	/* a folder is files.c's, a link is no file to open: -ENOENT as asked */
	if ((flags & LNX_O_ACCMODE) != LNX_O_RDONLY || (flags & (LNX_O_CREAT | LNX_O_TRUNC))) {
		*err = -LNX_EACCES;
		return NULL;
	}
	if (flags & LNX_O_DIRECTORY) {
		*err = -LNX_ENOTDIR;
		return NULL;
	}
	*err = -LNX_ENOMEM;
	max = strcmp(name, "maps") == 0 ? MAPS_MAX : TEXT_MAX;
	if (!(t = malloc(sizeof *t + max)))
		return NULL;
	t->pid = pp.q ? pp.q->pid : 0;
	t->name = name;
	t->fd = pp.fd;
	t->max = max;
	t->made = false;
	t->len = 0;
	if (!(f = file_new(&text_ops, LNX_O_RDONLY | (flags & LNX_O_LARGEFILE), t)))	/* as opened: fdinfo's flags */
		free(t);
	return f;
}

bool
procfs_is_dir(struct process *p, const char *path)
{
	struct ppath pp;

	return lookup(p, path, &pp) == 0 && is_folder(&pp);
}

int
procfs_stat(struct process *p, const char *path, struct lnx_statx *st, uint64_t (*ino)(const char *))
{
	struct ppath pp = { p, sys_file(path), -1 };
	const char *name;
	int err;

	if (!pp.name && (err = lookup(p, path, &pp)) != 0)
		return err;
	name = pp.name;
	memset(st, 0, sizeof *st);
	st->mask = LNX_STATX_BASIC_STATS;
	st->blksize = 1024;
	st->ino = ino(path);
	st->dev_minor = 0x14;	/* /proc's own device */
	st->nlink = 1;
	if (!*name) {
		st->mode = LNX_S_IFDIR | 0555;
		st->nlink = 9;
	} else if (is_link(name)) {
		st->mode = LNX_S_IFLNK | 0777;
	} else if (pp.fd >= 0 && strcmp(name, "fdinfo") == 0) {
		st->mode = LNX_S_IFREG | 0400;
	} else if (pp.fd >= 0) {
		/* Linux's modes: lr-x------ read-only, l-wx------ write-only, lrwx------ both */
		uint32_t acc = pp.q->fds->file[pp.fd]->flags & LNX_O_ACCMODE;

		st->mode = LNX_S_IFLNK | 0100 | (acc != LNX_O_WRONLY ? 0400 : 0) | (acc != LNX_O_RDONLY ? 0200 : 0);
		st->size = 64;	/* what Linux says of such a link */
	} else if (is_fd_folder(name)) {
		st->mode = LNX_S_IFDIR | 0500;
		st->nlink = 2;
	} else {
		st->mode = LNX_S_IFREG | (strcmp(name, "environ") == 0 ? 0400 : 0444);	/* size 0, as Linux's */
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
	struct ppath pp;
	size_t k = 0;

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
	} else if (lookup(p, dir, &pp) == 0 && !*pp.name) {
		for (size_t i = 0; i < sizeof pid_files / sizeof pid_files[0] && k < max; i++)
			names[k++] = pid_files[i];
	} else if (lookup(p, dir, &pp) == 0 && is_folder(&pp) && pp.q->state == PROC_LIVE && pp.q->fds) {
		for (uint32_t fd = 0; fd < FD_MAX && k < max; fd++) {
			if (!pp.q->fds->file[fd])
				continue;
			snprintf(n->pid[k], sizeof n->pid[k], "%u", fd);
			names[k] = n->pid[k];
			k++;
		}
	}
	return k;
}

int
procfs_link_text(struct process *q, const char *name, int fd, char *out, size_t max)
{
	int n;

	if (fd >= 0 && strcmp(name, "fdinfo") == 0)
		return -LNX_EINVAL;	/* a text, no link */
	if (fd >= 0)
		n = files_link_text(q->fds->file[fd], out, max);
	else if (!is_link(name) || q->state != PROC_LIVE)
		return -LNX_EINVAL;
	else if (strcmp(name, "cwd") == 0)
		n = snprintf(out, max, "%s", q->cwd);
	else if (strcmp(name, "root") == 0)
		n = snprintf(out, max, "/");	/* no chroot */
	else if (q->exe && q->exe->path[0])
		n = snprintf(out, max, "%s", q->exe->path);	/* an image from fs: its path */
	else
		n = snprintf(out, max, "/bin/%s", q->exe ? q->exe->name : "");
	return n < 0 || (size_t)n >= max ? -LNX_ENAMETOOLONG : n;
}

int
procfs_link(struct process *p, const char *path, char *out, size_t max)
{
	struct ppath pp;
	int r;

	if (strcmp(path, "/proc/self") == 0 || strcmp(path, "/proc/mounts") == 0) {
		/* Linux's /proc/self: a link to the caller's folder; /proc/mounts one to its mounts */
		r = path[6] == 's' ? snprintf(out, max, "%u", p->pid) : snprintf(out, max, "self/mounts");
		return r < 0 || (size_t)r >= max ? -LNX_ENAMETOOLONG : r;
	}
	if (!procfs_owns(p, path) || sys_file(path))
		return -LNX_EINVAL;
	if ((r = lookup(p, path, &pp)) != 0)
		return r;
	if (is_link(pp.name) && pp.q->state != PROC_LIVE)
		return -LNX_ENOENT;	/* a zombie's links lead nowhere */
	return procfs_link_text(pp.q, pp.name, pp.fd, out, max);
}

struct process *
procfs_exe_of(struct process *p, const char *path)
{
	struct ppath pp;

	return lookup(p, path, &pp) == 0 && strcmp(pp.name, "exe") == 0 && pp.q->state == PROC_LIVE ? pp.q : NULL;
}

struct file *
procfs_fd_file(struct process *p, const char *path)
{
	struct ppath pp;

	return lookup(p, path, &pp) == 0 && pp.fd >= 0 && strcmp(pp.name, "fd") == 0 ? pp.q->fds->file[pp.fd] : NULL;
}

bool
procfs_dir_link(struct process *p, const char *path, char *out, size_t max)
{
	struct ppath pp;

	return lookup(p, path, &pp) == 0 && (strcmp(pp.name, "cwd") == 0 || strcmp(pp.name, "root") == 0) &&
	       procfs_link_text(pp.q, pp.name, -1, out, max) > 0;
}

bool
procfs_canon(struct process *p, const char *path, char *out, size_t max)
{
	if (strncmp(path, "/proc/self", 10) != 0 || (path[10] && path[10] != '/'))
		return false;
	snprintf(out, max, "/proc/%u%s", p->pid, path + 10);
	return true;
}

bool
procfs_file_link(const struct file *f, char *out, size_t max)
{
	const struct text *t = f->obj;

	if (f->ops != &text_ops)
		return false;
	if (t->pid)
		snprintf(out, max, "/proc/%u/%s", t->pid, t->name);
	else
		snprintf(out, max, "/proc/%s", t->name);
	return true;
}
