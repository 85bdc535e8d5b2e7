/*
 * Dispatch: the call number in eax picks the handler; a number without one
 * answers -ENOSYS, and the console says so once per number (a program that
 * probes for newer calls, as libc does for statx or rseq, would otherwise
 * fill it). The server's side of syscall.defs is in main.c.
 */
#include <stdio.h>
#include "linux.h"
#include "syscall.h"

static const sys_fn table[LNX_NSYSCALLS] = {
	[LNX_exit] = sys_exit_group,	/* one thread per process: exit ends it all */
	[LNX_exit_group] = sys_exit_group,
	[LNX_read] = sys_read,
	[LNX_write] = sys_write,
	[LNX_writev] = sys_writev,
	[LNX_ioctl] = sys_ioctl,
	[LNX_fcntl] = sys_fcntl64,
	[LNX_fcntl64] = sys_fcntl64,
	[LNX_statx] = sys_statx,
	[LNX_brk] = sys_brk,
	[LNX_mmap2] = sys_mmap2,
	[LNX_munmap] = sys_munmap,
	[LNX_mprotect] = sys_mprotect,
	[LNX_uname] = sys_uname,
	[LNX_getpid] = sys_getpid,
	[LNX_gettid] = sys_getpid,
	[LNX_getppid] = sys_getppid,
	[LNX_getuid] = sys_getid,
	[LNX_getgid] = sys_getid,
	[LNX_geteuid] = sys_getid,
	[LNX_getegid] = sys_getid,
	[LNX_getuid32] = sys_getid,
	[LNX_getgid32] = sys_getid,
	[LNX_geteuid32] = sys_getid,
	[LNX_getegid32] = sys_getid,
	[LNX_getpgid] = sys_getpgid,
	[LNX_getpgrp] = sys_getpgrp,
	[LNX_setpgid] = sys_setpgid,
	[LNX_getsid] = sys_getsid,
	[LNX_setsid] = sys_setsid,
	[LNX_fork] = sys_fork,
	[LNX_vfork] = sys_vfork,
	[LNX_clone] = sys_clone,
	[LNX_execve] = sys_execve,
	[LNX_wait4] = sys_wait4,
	[LNX_waitpid] = sys_waitpid,
	[LNX_nanosleep] = sys_nanosleep,
	[LNX_clock_nanosleep] = sys_clock_nanosleep,
	[LNX_sched_yield] = sys_sched_yield,
	[LNX_set_thread_area] = sys_set_thread_area,
	[LNX_sigprocmask] = sys_sigprocmask,
	[LNX_rt_sigpending] = sys_rt_sigpending,
	[LNX_rt_sigqueueinfo] = sys_rt_sigqueueinfo,
	[LNX_rt_tgsigqueueinfo] = sys_rt_tgsigqueueinfo,
	[LNX_kill] = sys_kill,
	[LNX_tkill] = sys_tkill,
	[LNX_tgkill] = sys_tgkill,
	[LNX_pause] = sys_pause,
	[LNX_alarm] = sys_alarm,
	[LNX_sigaltstack] = sys_sigaltstack,
	[LNX_sysinfo] = sys_sysinfo,
	[LNX_setitimer] = sys_setitimer,
	[LNX_getitimer] = sys_getitimer,
	[LNX_timer_create] = sys_timer_create,
	[LNX_timer_settime] = sys_timer_settime,
	[LNX_timer_gettime] = sys_timer_gettime,
	[LNX_timer_getoverrun] = sys_timer_getoverrun,
	[LNX_timer_delete] = sys_timer_delete,
	[LNX_timer_gettime64] = sys_timer_gettime64,
	[LNX_timer_settime64] = sys_timer_settime64,
	[LNX_rt_sigsuspend] = sys_rt_sigsuspend,
	[LNX_rt_sigtimedwait] = sys_rt_sigtimedwait,
	[LNX_rt_sigtimedwait_time64] = sys_rt_sigtimedwait_time64,
	[LNX_sigsuspend] = sys_sigsuspend,
	[LNX_sigreturn] = sys_sigreturn,
	[LNX_rt_sigreturn] = sys_rt_sigreturn,
	[LNX_dup] = sys_dup,
	[LNX_dup2] = sys_dup2,
	[LNX_dup3] = sys_dup3,
	[LNX_close] = sys_close,
	[LNX_pipe] = sys_pipe,
	[LNX_pipe2] = sys_pipe2,
	[LNX_open] = sys_open,
	[LNX_openat] = sys_openat,
	[LNX_access] = sys_access,
	[LNX_faccessat] = sys_faccessat,
	[LNX_getcwd] = sys_getcwd,
	[LNX_getdents64] = sys_getdents64,
	[LNX_readlink] = sys_readlink,
	[LNX_readlinkat] = sys_readlinkat,
	[LNX_prctl] = sys_prctl,
	[LNX_set_robust_list] = sys_set_robust_list,
	[LNX_chdir] = sys_chdir,
	[LNX_umask] = sys_umask,
	[LNX_lseek] = sys_lseek,
	[LNX__llseek] = sys__llseek,
	[LNX_readv] = sys_readv,
	[LNX_pread64] = sys_pread64,
	[LNX_pwrite64] = sys_pwrite64,
	[LNX_poll] = sys_poll,
	[LNX_ppoll] = sys_ppoll,
	[LNX_ppoll_time64] = sys_ppoll_time64,
	[LNX__newselect] = sys__newselect,
	[LNX_pselect6] = sys_pselect6,
	[LNX_pselect6_time64] = sys_pselect6_time64,
	[LNX_set_tid_address] = sys_set_tid_address,
	[LNX_rt_sigaction] = sys_rt_sigaction,
	[LNX_rt_sigprocmask] = sys_rt_sigprocmask,
	[LNX_ugetrlimit] = sys_ugetrlimit,
	[LNX_getrandom] = sys_getrandom,
	[LNX_time] = sys_time,
	[LNX_times] = sys_times,
	[LNX_getrusage] = sys_getrusage,
	[LNX_gettimeofday] = sys_gettimeofday,
	[LNX_clock_gettime] = sys_clock_gettime,
	[LNX_clock_gettime64] = sys_clock_gettime64,
	[LNX_stime] = sys_stime,
	[LNX_settimeofday] = sys_settimeofday,
	[LNX_clock_settime] = sys_clock_settime,
	[LNX_clock_settime64] = sys_clock_settime64,
	[LNX_adjtimex] = sys_adjtimex,
	[LNX_clock_adjtime] = sys_clock_adjtime,
	[LNX_clock_adjtime64] = sys_clock_adjtime64,
	[LNX_stat64] = sys_stat64,
	[LNX_lstat64] = sys_lstat64,
	[LNX_fstat64] = sys_fstat64,
	[LNX_fstatat64] = sys_fstatat64,
	[LNX_mkdir] = sys_mkdir,
	[LNX_mkdirat] = sys_mkdirat,
	[LNX_unlink] = sys_unlink,
	[LNX_rmdir] = sys_rmdir,
	[LNX_unlinkat] = sys_unlinkat,
	[LNX_rename] = sys_rename,
	[LNX_renameat] = sys_renameat,
	[LNX_renameat2] = sys_renameat2,
	[LNX_link] = sys_link,
	[LNX_linkat] = sys_linkat,
	[LNX_symlink] = sys_symlink,
	[LNX_symlinkat] = sys_symlinkat,
	[LNX_chmod] = sys_chmod,
	[LNX_fchmod] = sys_fchmod,
	[LNX_fchmodat] = sys_fchmodat,
	[LNX_chown32] = sys_chown32,
	[LNX_fchown32] = sys_fchown32,
	[LNX_fchownat] = sys_fchownat,
	[LNX_utimensat] = sys_utimensat,
	[LNX_utimensat_time64] = sys_utimensat_time64,
	[LNX_truncate] = sys_truncate,
	[LNX_ftruncate] = sys_ftruncate,
	[LNX_truncate64] = sys_truncate64,
	[LNX_ftruncate64] = sys_ftruncate64,
	[LNX_fsync] = sys_fsync,
	[LNX_fchdir] = sys_fchdir,
	[LNX_fdatasync] = sys_fsync,
	[LNX_socketcall] = sys_socketcall,
	[LNX_socket] = sys_socket,
	[LNX_socketpair] = sys_socketpair,
	[LNX_sendmsg] = sys_sendmsg,
	[LNX_recvmsg] = sys_recvmsg,
	[LNX_bind] = sys_bind,
	[LNX_connect] = sys_connect,
	[LNX_listen] = sys_listen,
	[LNX_accept4] = sys_accept4,
	[LNX_getsockopt] = sys_getsockopt,
	[LNX_setsockopt] = sys_setsockopt,
	[LNX_getsockname] = sys_getsockname,
	[LNX_getpeername] = sys_getpeername,
	[LNX_sendto] = sys_sendto,
	[LNX_recvfrom] = sys_recvfrom,
	[LNX_shutdown] = sys_shutdown,
};

static uint32_t enosys_logged[LNX_NSYSCALLS / 32 + 1];	/* [A] the last word: every number past the table */

static void
log_enosys(struct process *p, uint32_t nr)
{
	uint32_t i = nr < LNX_NSYSCALLS ? nr : LNX_NSYSCALLS;
	uint32_t bit = 1u << (i % 32);

	if (__atomic_fetch_or(&enosys_logged[i / 32], bit, __ATOMIC_RELAXED) & bit)
		return;
	if (nr < LNX_NSYSCALLS)
		printf("unix: pid %u (%s): system call %u not implemented: ENOSYS (said once)\n", p->pid, p->name, nr);
	else
		printf("unix: pid %u (%s): system call %u is past the table: ENOSYS (said once for all such)\n", p->pid,
		       p->name, nr);
}

bool syscall_trace;

bool
syscall_dispatch(struct process *p, i386_thread_state_t *st)
{
	uint32_t nr = st->eax, pid = p->pid;
	const uint32_t a[6] = { st->ebx, st->ecx, st->edx, st->esi, st->edi, st->ebp };
	sys_fn fn = nr < LNX_NSYSCALLS ? table[nr] : NULL;
	int32_t r;

	if (!fn) {
		log_enosys(p, nr);
		r = -LNX_ENOSYS;
	} else {
		r = fn(p, a);
	}
	if (syscall_trace)
		printf("unix: pid %u: call %u (%#x, %#x, %#x, %#x) = %d\n", pid, nr, a[0], a[1], a[2], a[3], r);
	if (r == SYS_DEFER)
		return false;
	st->eax = (uint32_t)r;
	return true;
}
