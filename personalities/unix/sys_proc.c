/*
 * The process's own state: its end, its ids, its process group and session,
 * its TLS segment, its limits, and what the system says it is (uname).
 */
#include <stdio.h>
#include <string.h>
#include <mach/thread_status.h>
#include <manifold/trap.h>
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define TLS_ENTRY (i386_TLS_SELECTOR >> 3)	/* the one GDT slot the kernel gives a thread */

SYS(exit_group)
{
	process_exit(p, (int)((a[0] & 0xFF) << 8));
	return 0;	/* nobody reads it: the task is gone */
}

SYS(getpid)
{
	(void)a;
	return (int32_t)p->pid;
}

SYS(getppid)
{
	(void)a;
	return (int32_t)p->ppid;
}

/* pid 0 is the caller; otherwise any process, zombies too, as Linux answers for them. */
static struct process *
target(struct process *p, uint32_t pid)
{
	return pid == 0 ? p : (int32_t)pid < 0 ? NULL : process_of_pid(pid);
}

SYS(getpgid)
{
	struct process *t = target(p, a[0]);

	return t ? (int32_t)t->pgid : -LNX_ESRCH;
}

SYS(getpgrp)
{
	(void)a;
	return (int32_t)p->pgid;
}

SYS(getsid)
{
	struct process *t = target(p, a[0]);

	return t ? (int32_t)t->sid : -LNX_ESRCH;
}

struct group_find {
	uint32_t pgid, sid;
	bool found;
};

static void
group_member(struct process *q, void *arg)
{
	struct group_find *g = arg;

	if (q->state == PROC_LIVE && q->pgid == g->pgid && (!g->sid || q->sid == g->sid))
		g->found = true;
}

/* Whether a live process is in group pgid (and session sid, unless 0). */
static bool
group_exists(uint32_t pgid, uint32_t sid)
{
	struct group_find g = { pgid, sid, false };

	process_each(group_member, &g);
	return g.found;
}

/*
 * setpgid(pid, pgid), POSIX's rules: the caller or a child of it that has
 * not exec'd (EACCES), in the caller's session (EPERM), not a session leader
 * (EPERM), into a group of that session or a new one named by its own pid.
 */
SYS(setpgid)
{
	struct process *t = a[0] == 0 ? p : (int32_t)a[0] < 0 ? NULL : process_of_pid(a[0]);
	uint32_t pgid = a[1];

	if ((int32_t)pgid < 0)
		return -LNX_EINVAL;
	if (!t || t->state != PROC_LIVE || (t != p && t->ppid != p->pid))
		return -LNX_ESRCH;
	if (t != p && t->execed)
		return -LNX_EACCES;
	if (t->sid != p->sid || t->sid == t->pid)
		return -LNX_EPERM;
	if (pgid == 0)
		pgid = t->pid;
	if (pgid != t->pid && !group_exists(pgid, p->sid))
		return -LNX_EPERM;
	t->pgid = pgid;
	return 0;
}

/* setsid(): a new session and group named by the caller, unless it already leads a group (EPERM). */
SYS(setsid)
{
	(void)a;
	if (p->pgid == p->pid || group_exists(p->pid, 0))
		return -LNX_EPERM;
	p->sid = p->pgid = p->pid;
	return (int32_t)p->pid;
}

SYS(getid)
{
	(void)p, (void)a;
	return 0;
}

/*
 * set_thread_area(struct user_desc *): Linux's libc asks for any free TLS
 * entry (-1) and loads the number we write back into %gs as (n << 3) | 3.
 * We have one, the kernel's slot; its limits are the kernel's to check.
 */
SYS(set_thread_area)
{
	struct lnx_user_desc d;
	i386_tls_state_t tls;
	kern_return_t kr;
	int r;

	if ((r = umem_read(p, a[0], &d, sizeof d)) != 0)
		return r;
	if (d.entry_number != (uint32_t)-1 && d.entry_number != TLS_ENTRY)
		return -LNX_EINVAL;
	/* a 32-bit, present, writable data segment is all a libc wants and all the kernel makes */
	if (!(d.flags & LNX_UD_SEG_32BIT) || (d.flags & (LNX_UD_CONTENTS | LNX_UD_READ_EXEC_ONLY | LNX_UD_NOT_PRESENT)))
		return -LNX_EINVAL;
	tls.base = d.base_addr;
	tls.limit = d.limit;
	tls.flags = d.flags & LNX_UD_LIMIT_IN_PAGES ? i386_TLS_LIMIT_IN_PAGES : 0;
	kr = thread_set_state(p->thread, i386_TLS_STATE, (natural_t *)&tls, i386_TLS_STATE_COUNT);
	if (kr != KERN_SUCCESS)
		return -LNX_EINVAL;	/* KERN_INVALID_ARGUMENT or _ADDRESS: what Linux refuses too */
	p->tls = tls;	/* what fork gives the child, without asking the kernel */
	d.entry_number = TLS_ENTRY;
	return umem_write(p, a[0], &d.entry_number, sizeof d.entry_number);
}

SYS(set_tid_address)
{
	p->tid_address = a[0];	/* cleared at exit once threads exist; one thread has no one to tell */
	return (int32_t)p->pid;
}

/*
 * sysname says Linux because the programs ask which kernel ABI they run on
 * (libc refuses a release below 3.2); the rest says where they really are.
 */
SYS(uname)
{
	struct lnx_utsname u;

	memset(&u, 0, sizeof u);
	strcpy(u.sysname, "Linux");
	strcpy(u.nodename, "manifold");
	strcpy(u.release, "6.1.0-manifold");
	strcpy(u.version, "#1 Manifold unix personality");
	strcpy(u.machine, "i686");
	strcpy(u.domainname, "(none)");
	return umem_write(p, a[0], &u, sizeof u);
}

/* ugetrlimit(resource, struct rlimit *): no limits are kept; the stack is what exec gave. */
SYS(ugetrlimit)
{
	struct lnx_rlimit rl = { LNX_RLIM_INFINITY, LNX_RLIM_INFINITY };

	if (a[0] > 15)
		return -LNX_EINVAL;
	if (a[0] == LNX_RLIMIT_STACK)
		rl.cur = 1024 * 1024;
	return umem_write(p, a[1], &rl, sizeof rl);
}

/* getrandom(buf, len, flags): a xorshift on the clock; no entropy source exists yet (README: missing). */
SYS(getrandom)
{
	static uint64_t x;	/* [A]-ish: a race only mixes the stream more */
	uint8_t buf[256];
	uint32_t len = a[1] < sizeof buf ? a[1] : sizeof buf;
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	x ^= ns ^ 0x2545F4914F6CDD1Dull;
	for (uint32_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)(x >> 32);
	}
	int r = umem_write(p, a[0], buf, len);
	return r ? r : (int32_t)len;
}

/* prctl(option, ...): the name the process goes by (PR_SET_NAME, PR_GET_NAME, 16 bytes); the rest EINVAL. */
SYS(prctl)
{
	char name[16];
	int r;

	if (a[0] == LNX_PR_GET_NAME) {
		memset(name, 0, sizeof name);
		strncpy(name, p->name, sizeof name - 1);
		return umem_write(p, a[1], name, sizeof name);
	}
	if (a[0] == LNX_PR_SET_NAME) {
		struct umem_page cache = { 0 };

		r = umem_read_str(p, &cache, a[1], name, sizeof name);
		if (r == -LNX_ENAMETOOLONG) {	/* Linux keeps the first 15 bytes */
			if ((r = umem_read(p, a[1], name, sizeof name - 1)) != 0)
				return r;
			name[sizeof name - 1] = '\0';
		} else if (r < 0) {
			return r;
		}
		snprintf(p->name, sizeof p->name, "%s", name);
		return 0;
	}
	return -LNX_EINVAL;
}

/* set_robust_list(head, len): recorded as accepted; a process has one thread, whose futexes die with it. */
SYS(set_robust_list)
{
	(void)p;
	return a[1] == 12 ? 0 : -LNX_EINVAL;	/* i386's struct robust_list_head */
}

static void
count_live(struct process *p, void *arg)
{
	*(uint32_t *)arg += p->state == PROC_LIVE;
}

void
sys_counts(uint32_t *total_pages, uint32_t *free_pages, uint32_t *live)
{
	host_basic_info_data_t hi;
	mach_msg_type_number_t n = HOST_BASIC_INFO_COUNT;
	struct manifold_kernel_stats ks;

	*total_pages = *free_pages = *live = 0;
	if (host_info(mach_host_self(), HOST_BASIC_INFO, (integer_t *)&hi, &n) == KERN_SUCCESS)
		*total_pages = (uint32_t)(hi.memory_size / 4096);
	if (trap_raw(TRAP_kernel_stats, (uint32_t)&ks, 0, 0, 0, 0) == KERN_SUCCESS)
		*free_pages = ks.free_pages < *total_pages ? ks.free_pages : *total_pages;
	process_each(count_live, live);
}

/*
 * sysinfo(info): busybox's uptime and free. The time since boot, memory in
 * pages from the kernel (host_info's size, kernel_stats' free pool), the
 * live processes; no load averages (zeroes), swap, shared or buffer memory.
 */
SYS(sysinfo)
{
	struct {	/* Linux's struct sysinfo on i386: 64 bytes */
		int32_t uptime;
		uint32_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
		uint16_t procs, pad;
		uint32_t totalhigh, freehigh, mem_unit;
		uint8_t rest[8];
	} si;
	uint32_t live;

	_Static_assert(sizeof si == 64, "struct sysinfo is 64 bytes on i386");
	memset(&si, 0, sizeof si);
	si.uptime = (int32_t)(clock_now_ns() / 1000000000u);
	sys_counts(&si.totalram, &si.freeram, &live);
	si.procs = (uint16_t)live;
	si.mem_unit = 4096;
	return umem_write(p, a[0], &si, sizeof si);
}
