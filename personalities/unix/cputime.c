/*
 * CPU time: what the kernel counts for a process's thread (thread_info's
 * THREAD_BASIC_INFO: the clock ticks, HZ 100, during which it was the
 * running thread, all given as user time; system time is always 0 there),
 * for CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID (one thread a
 * process: the same), times() and getrusage(). A process's own time is
 * taken as it ends (process.c), and added to its parent's children's time
 * when the parent's wait4 reaps it, with its own reaped children's, as
 * Linux's cutime counts only the children waited for. /proc shows them
 * (procfs.c: a process's stat, and the machine's idle time in /proc/stat).
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "linux.h"
#include "process.h"
#include "syscall.h"
#include "umem.h"

#define USER_HZ 100	/* times()'s clock ticks, as Linux's */

uint64_t
cputime_us(const struct process *p)
{
	thread_basic_info_data_t info;
	mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;

	if (p->state != PROC_LIVE)
		return p->cpu_us;	/* taken as it ended */
	if (thread_info(p->thread, THREAD_BASIC_INFO, (integer_t *)&info, &n) != KERN_SUCCESS)
		return 0;
	return (uint64_t)(info.user_time.seconds + info.system_time.seconds) * 1000000u +
	       (uint64_t)(info.user_time.microseconds + info.system_time.microseconds);
}

uint64_t
cputime_idle(uint64_t total)
{
	struct manifold_kernel_stats ks;
	uint64_t idle, now;
	uint32_t lo, hi;

	if (trap_raw(TRAP_kernel_stats, (uint32_t)&ks, 0, 0, 0, 0) != KERN_SUCCESS)
		return 0;
	/* the halted share of the TSC's cycles since the processor started, of the ticks since boot */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	now = (uint64_t)hi << 32 | lo;
	idle = (uint64_t)ks.idle_cycles_hi << 32 | ks.idle_cycles_lo;
	if (idle >= now)
		return now ? total : 0;
	while (idle > 0xFFFFFFFFull)	/* so that total * idle fits 64 bits (total: 497 days of ticks) */
		idle >>= 1, now >>= 1;
	if (total > 0xFFFFFFFFull)
		return (total >> 32) * idle / now << 32;
	return total * idle / now;
}

void
cputime_reaped(struct process *parent, const struct process *c)
{
	parent->child_cpu_us += c->cpu_us + c->child_cpu_us;
}

/* A struct rusage with its user time (us) and nothing else counted. */
void
cputime_rusage(uint64_t us, struct lnx_rusage *ru)
{
	memset(ru, 0, sizeof *ru);
	ru->words[0] = (uint32_t)(us / 1000000u);	/* ru_utime */
	ru->words[1] = (uint32_t)(us % 1000000u);
}

/* times(buf): utime, stime, cutime, cstime in USER_HZ ticks; the answer is the ticks since boot. */
SYS(times)
{
	uint32_t tms[4] = { (uint32_t)(cputime_us(p) / (1000000u / USER_HZ)), 0,
			    (uint32_t)(p->child_cpu_us / (1000000u / USER_HZ)), 0 };
	int r;

	if (a[0] && (r = umem_write(p, a[0], tms, sizeof tms)) != 0)
		return r;
	return (int32_t)(clock_now_ns() / (1000000000u / USER_HZ));
}

/* getrusage(who, ru): RUSAGE_SELF and RUSAGE_THREAD (one thread), RUSAGE_CHILDREN (those reaped). */
SYS(getrusage)
{
	struct lnx_rusage ru;

	if (a[0] == 0 || a[0] == 1)
		cputime_rusage(cputime_us(p), &ru);
	else if ((int32_t)a[0] == -1)
		cputime_rusage(p->child_cpu_us, &ru);
	else
		return -LNX_EINVAL;
	return umem_write(p, a[1], &ru, sizeof ru);
}
