/*
 * The system call table: a Linux i386 call number to its handler. A handler
 * gets the process and the six argument registers (ebx, ecx, edx, esi, edi,
 * ebp) and returns what goes back in eax: a result, or a negated errno.
 * Handlers live in one file per family (sys_proc.c, sys_fork.c, sys_exec.c,
 * sys_wait.c, sys_mem.c, sys_io.c, sys_time.c); syscall.c dispatches and
 * answers -ENOSYS for the rest. A handler that must wait answers SYS_DEFER
 * (after setting p->defer_ms if it has a deadline) and is called again, from
 * the start, when something changed or the deadline passed
 * (msg_deferred_expired()); it may change p->regs (fork's child, execve,
 * signal frames), all of which the process resumes with.
 */
#ifndef UNIX_SYSCALL_H
#define UNIX_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

/* The tty reader's message to the loop (main.c): bytes were typed. */
#define UNIX_WAKE_ID 0x756E6978	/* "unix" */
/* The sockets' ticker's (sock.c): held socket calls ask gns again. */
#define UNIX_TICK_ID 0x7469636B	/* "tick" */
/* The alarm thread's (alarm.c): a process's ITIMER_REAL may have run out. */
#define UNIX_ALARM_ID 0x616C726D	/* "alrm" */

/* ITIMER_REAL's thread, which wakes the loop when a timer runs out (alarm.c): 0 or -1. */
int alarm_start(void);
/* The loop's part: SIGALRM to every process whose timer ran out, and POSIX timers' signals. Under unix_lock. */
void alarm_fire(void);
/* A timer was set: the alarm thread looks again for the earliest. Under unix_lock. */
void alarm_changed(void);

/* Not an answer: no errno is this and no address, being neither below -4095 nor page-aligned. */
#define SYS_DEFER ((int32_t)-4097)

typedef int32_t (*sys_fn)(struct process *p, const uint32_t a[6]);

/* Every handler, by the table's name. */
#define SYS(name) int32_t sys_##name(struct process *p, const uint32_t a[6])
SYS(exit_group);
SYS(getpid);
SYS(getppid);
SYS(getid);		/* uid, gid and their effective twins: all 0 (root) until credentials exist */
SYS(getpgid);
SYS(getpgrp);
SYS(setpgid);
SYS(getsid);
SYS(setsid);
SYS(fork);
SYS(vfork);
SYS(clone);
SYS(execve);
SYS(wait4);
SYS(waitpid);
SYS(nanosleep);
SYS(clock_nanosleep);
SYS(sched_yield);
SYS(set_thread_area);
SYS(sigprocmask);
SYS(rt_sigpending);
SYS(kill);
SYS(tkill);
SYS(tgkill);
SYS(pause);
SYS(alarm);
SYS(sigaltstack);
SYS(sysinfo);
SYS(setitimer);
SYS(getitimer);
SYS(timer_create);
SYS(timer_settime);
SYS(timer_settime64);
SYS(timer_gettime);
SYS(timer_gettime64);
SYS(timer_getoverrun);
SYS(timer_delete);
SYS(rt_sigsuspend);
SYS(rt_sigtimedwait);
SYS(rt_sigtimedwait_time64);
SYS(sigsuspend);
SYS(sigreturn);
SYS(rt_sigreturn);
SYS(dup);
SYS(dup2);
SYS(dup3);
SYS(close);
SYS(pipe);
SYS(pipe2);
SYS(open);
SYS(openat);
SYS(access);
SYS(faccessat);
SYS(getcwd);
SYS(getdents64);
SYS(readlink);
SYS(readlinkat);
SYS(prctl);
SYS(set_robust_list);
SYS(chdir);
SYS(umask);
SYS(lseek);
SYS(_llseek);
SYS(readv);
SYS(pread64);
SYS(pwrite64);
SYS(poll);
SYS(ppoll);
SYS(ppoll_time64);
SYS(_newselect);
SYS(pselect6);
SYS(pselect6_time64);
SYS(set_tid_address);
SYS(rt_sigaction);
SYS(rt_sigprocmask);
SYS(uname);
SYS(ugetrlimit);
SYS(getrandom);
SYS(brk);
SYS(mmap2);
SYS(munmap);
SYS(mprotect);
SYS(read);
SYS(write);
SYS(writev);
SYS(ioctl);
SYS(fcntl64);
SYS(statx);
SYS(time);
SYS(gettimeofday);
SYS(clock_gettime);
SYS(stime);
SYS(settimeofday);
SYS(clock_settime);
SYS(clock_settime64);
SYS(adjtimex);
SYS(clock_adjtime);
SYS(clock_adjtime64);
SYS(rt_sigqueueinfo);
SYS(rt_tgsigqueueinfo);
SYS(times);
SYS(getrusage);
SYS(clock_gettime64);
/* files (sys_stat.c, sys_path.c) */
SYS(stat64);
SYS(lstat64);
SYS(fstat64);
SYS(fstatat64);
SYS(mkdir);
SYS(mkdirat);
SYS(unlink);
SYS(rmdir);
SYS(unlinkat);
SYS(rename);
SYS(renameat);
SYS(renameat2);
SYS(link);
SYS(linkat);
SYS(symlink);
SYS(symlinkat);
SYS(chmod);
SYS(fchmod);
SYS(fchmodat);
SYS(chown32);
SYS(fchown32);
SYS(fchownat);
SYS(utimensat);
SYS(utimensat_time64);
SYS(truncate);
SYS(ftruncate);
SYS(truncate64);
SYS(ftruncate64);
SYS(fsync);
SYS(fchdir);
/* sockets (sock.c) */
SYS(socketcall);
SYS(socket);
SYS(socketpair);
SYS(sendmsg);
SYS(recvmsg);
SYS(bind);
SYS(connect);
SYS(listen);
SYS(accept4);
SYS(getsockopt);
SYS(setsockopt);
SYS(getsockname);
SYS(getpeername);
SYS(sendto);
SYS(recvfrom);
SYS(shutdown);
/* Memory in pages (the kernel's size and free pool) and the live processes: sysinfo's and /proc's (sys_proc.c). */
void sys_counts(uint32_t *total_pages, uint32_t *free_pages, uint32_t *live);
/* The server's clock in seconds (sys_time.c): time() without a process. */
void sys_time_now(uint32_t *sec);
/* The kernel's time since boot in ns (sys_time.c): the clocks that count from boot, and alarm.c's. */
uint64_t clock_now_ns(void);
/* The time of day minus the clock since boot, in ns, as last asked (the clock plus this is CLOCK_REALTIME). */
uint64_t clock_wall_base_ns(void);
/* Asks the kernel for the time of day (sys_time.c; main, first). */
void clock_start(void);
/* The calendar clock's control port (MACH_PORT_NULL: not given), and the time of day's base asked again at once. */
mach_port_t clock_calendar_ctrl(void);
void clock_wall_reask(void);
/* The time of day becomes sec and nsec: 0, -EINVAL (out of Mach's range), -EPERM (no control port). */
int32_t clock_wall_set(int64_t sec, int32_t nsec);

/* The console's last byte was '\n' (or nothing was written yet): the runner's framing. [U] */
extern bool console_at_line_start;

/* The word `trace` on the server's command line: every call and its answer on the console. */
extern bool syscall_trace;

/* Serves one call: st holds the registers in and those to resume with out; false: SYS_DEFER. */
bool syscall_dispatch(struct process *p, i386_thread_state_t *st);

/* A timespec at at (32- or 64-bit: wide) as milliseconds, rounded up; at 0: -1 (no limit). 0, -EFAULT or -EINVAL (sys_poll.c). */
int timespec_ms(struct process *p, uint32_t at, bool wide, int64_t *ms);

#endif
