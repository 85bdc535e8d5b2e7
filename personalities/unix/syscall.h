/*
 * The system call table: a Linux i386 call number to its handler. A handler
 * gets the process and the six argument registers (ebx, ecx, edx, esi, edi,
 * ebp) and returns what goes back in eax: a result, or a negated errno.
 * Handlers live in one file per family (sys_proc.c, sys_mem.c, sys_io.c,
 * sys_time.c); syscall.c dispatches and answers -ENOSYS for the rest.
 */
#ifndef UNIX_SYSCALL_H
#define UNIX_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

typedef int32_t (*sys_fn)(struct process *p, const uint32_t a[6]);

/* Every handler, by the table's name. */
#define SYS(name) int32_t sys_##name(struct process *p, const uint32_t a[6])
SYS(exit_group);
SYS(getpid);
SYS(getppid);
SYS(getid);		/* uid, gid and their effective twins: all 0 (root) until credentials exist */
SYS(set_thread_area);
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
SYS(clock_gettime64);

/* The word `trace` on the server's command line: every call and its answer on the console. */
extern bool syscall_trace;

/* Serves one call: the registers in, the registers to resume with out. */
void syscall_dispatch(struct process *p, uint32_t *eax, const uint32_t args[6]);

#endif
