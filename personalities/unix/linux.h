/*
 * The Linux i386 ABI facts the Unix server needs: system call numbers,
 * errno values, auxiliary vector keys and the layouts of the structures it
 * writes into a process's memory. Facts of the ABI, written down here, not
 * taken from Linux's headers (which user programs on Manifold do not have).
 */
#ifndef UNIX_LINUX_H
#define UNIX_LINUX_H

#include <stdint.h>

/* System call numbers (arch/x86 i386 table) the server serves or names. */
#define LNX_exit		1
#define LNX_fork		2
#define LNX_read		3
#define LNX_write		4
#define LNX_open		5
#define LNX_close		6
#define LNX_waitpid		7
#define LNX_execve		11
#define LNX_chdir		12
#define LNX_time		13
#define LNX_stime		25
#define LNX_times		43
#define LNX_getrusage		77
#define LNX_lseek		19
#define LNX_getpid		20
#define LNX_getuid		24
#define LNX_alarm		27
#define LNX_pause		29
#define LNX_access		33
#define LNX_kill		37
#define LNX_dup			41
#define LNX_pipe		42
#define LNX_brk			45
#define LNX_getgid		47
#define LNX_geteuid		49
#define LNX_getegid		50
#define LNX_ioctl		54
#define LNX_fcntl		55
#define LNX_setpgid		57
#define LNX_umask		60
#define LNX_dup2		63
#define LNX_getppid		64
#define LNX_setitimer		104
#define LNX_sysinfo		116
#define LNX_getitimer		105
#define LNX_getpgrp		65
#define LNX_setsid		66
#define LNX_sigsuspend		72
#define LNX_gettimeofday	78
#define LNX_settimeofday	79
#define LNX_readlink		85
#define LNX_munmap		91
#define LNX_wait4		114
#define LNX_sigreturn		119
#define LNX_clone		120
#define LNX_uname		122
#define LNX_mprotect		125
#define LNX_sigprocmask		126
#define LNX_getpgid		132
#define LNX__llseek		140
#define LNX__newselect		142
#define LNX_readv		145
#define LNX_pread64		180
#define LNX_pwrite64		181
#define LNX_writev		146
#define LNX_getsid		147
#define LNX_sched_yield		158
#define LNX_nanosleep		162
#define LNX_poll		168
#define LNX_prctl		172
#define LNX_rt_sigreturn	173
#define LNX_rt_sigaction	174
#define LNX_rt_sigprocmask	175
#define LNX_rt_sigpending	176
#define LNX_rt_sigqueueinfo	178
#define LNX_rt_sigsuspend	179
#define LNX_rt_sigtimedwait	177
#define LNX_getcwd		183
#define LNX_sigaltstack		186
#define LNX_vfork		190
#define LNX_ugetrlimit		191
#define LNX_mmap2		192
#define LNX_stat64		195
#define LNX_lstat64		196
#define LNX_fstat64		197
#define LNX_getuid32		199
#define LNX_getgid32		200
#define LNX_geteuid32		201
#define LNX_getegid32		202
#define LNX_getdents64		220
#define LNX_fcntl64		221
#define LNX_gettid		224
#define LNX_tkill		238
#define LNX_set_thread_area	243
#define LNX_exit_group		252
#define LNX_set_tid_address	258
#define LNX_clock_settime	264
#define LNX_clock_gettime	265
#define LNX_clock_nanosleep	267
#define LNX_tgkill		270
#define LNX_openat		295
#define LNX_rt_tgsigqueueinfo	335
#define LNX_fstatat64		300
#define LNX_readlinkat		305
#define LNX_faccessat		307
#define LNX_pselect6		308
#define LNX_ppoll		309
#define LNX_set_robust_list	311
#define LNX_dup3		330
#define LNX_pipe2		331
#define LNX_getrandom		355
#define LNX_statx		383
#define LNX_timer_create	259
#define LNX_timer_settime	260
#define LNX_timer_gettime	261
#define LNX_timer_getoverrun	262
#define LNX_timer_delete	263
#define LNX_clock_gettime64	403
#define LNX_clock_settime64	404
#define LNX_adjtimex		124
#define LNX_clock_adjtime	343
#define LNX_clock_adjtime64	405
#define LNX_timer_gettime64	408
#define LNX_timer_settime64	409
#define LNX_clock_nanosleep_time64	407
#define LNX_pselect6_time64	413
#define LNX_ppoll_time64	414
#define LNX_rt_sigtimedwait_time64	421
#define LNX_link		9
#define LNX_unlink		10
#define LNX_chmod		15
#define LNX_rename		38
#define LNX_mkdir		39
#define LNX_rmdir		40
#define LNX_symlink		83
#define LNX_truncate		92
#define LNX_ftruncate		93
#define LNX_fchmod		94
#define LNX_socketcall		102
#define LNX_fsync		118
#define LNX_fchdir		133
#define LNX_fdatasync		148
#define LNX_chown		182
#define LNX_truncate64		193
#define LNX_ftruncate64		194
#define LNX_lchown32		198
#define LNX_fchown32		207
#define LNX_chown32		212
#define LNX_sendfile64		239
#define LNX_utimes		271
#define LNX_mkdirat		296
#define LNX_fchownat		298
#define LNX_unlinkat		301
#define LNX_renameat		302
#define LNX_linkat		303
#define LNX_symlinkat		304
#define LNX_fchmodat		306
#define LNX_utimensat		320
#define LNX_renameat2		353
#define LNX_utimensat_time64		412
#define LNX_socket		359
#define LNX_socketpair		360
#define LNX_sendmsg		370
#define LNX_recvmsg		372
#define LNX_bind		361
#define LNX_connect		362
#define LNX_listen		363
#define LNX_accept4		364
#define LNX_getsockopt		365
#define LNX_setsockopt		366
#define LNX_getsockname		367
#define LNX_getpeername		368
#define LNX_sendto		369
#define LNX_recvfrom		371
#define LNX_shutdown		373
#define LNX_NSYSCALLS		512	/* the table's size: numbers at or above it are ENOSYS too */

/* errno values (returned negated in eax) */
#define LNX_EPERM	1
#define LNX_ENOENT	2
#define LNX_ESRCH	3
#define LNX_EINTR	4
#define LNX_EIO	5
#define LNX_E2BIG	7
#define LNX_ENOEXEC	8
#define LNX_EBADF	9
#define LNX_ECHILD	10
#define LNX_EAGAIN	11
#define LNX_ENOMEM	12
#define LNX_EACCES	13
#define LNX_EFAULT	14
#define LNX_EEXIST	17
#define LNX_ENODEV	19
#define LNX_ENOTDIR	20
#define LNX_EISDIR	21
#define LNX_EINVAL	22
#define LNX_ENFILE	23
#define LNX_EMFILE	24
#define LNX_ENOTTY	25
#define LNX_ESPIPE	29
#define LNX_EROFS	30
#define LNX_EPIPE	32
#define LNX_ERANGE	34
#define LNX_ENAMETOOLONG	36
#define LNX_ENOSYS	38
#define LNX_EOVERFLOW	75
#define LNX_EXDEV	18
#define LNX_EBUSY	16
#define LNX_ENOTEMPTY	39
#define LNX_ELOOP	40
#define LNX_EFBIG	27
#define LNX_EOPNOTSUPP	95
#define LNX_EMSGSIZE		90
#define LNX_ECONNREFUSED	111
#define LNX_ENOTCONN	107

/* signals and sigaction */
#define LNX_SIGHUP	1
#define LNX_SIGINT	2
#define LNX_SIGQUIT	3
#define LNX_SIGKILL	9
#define LNX_SIGUSR1	10
#define LNX_SIGSEGV	11
#define LNX_SIGUSR2	12
#define LNX_SIGPIPE	13
#define LNX_SIGALRM	14
#define LNX_SIGTERM	15
#define LNX_SIGCHLD	17
#define LNX_SIGCONT	18
#define LNX_SIGSTOP	19
#define LNX_SIGTSTP	20
#define LNX_SIGTTIN	21
#define LNX_SIGTTOU	22
#define LNX_SIGURG	23
#define LNX_SIGWINCH	28
#define LNX_SIG_DFL	0u
#define LNX_SIG_IGN	1u
#define LNX_SA_NOCLDSTOP	0x00000001u
#define LNX_SA_NOCLDWAIT	0x00000002u
#define LNX_SA_SIGINFO		0x00000004u
#define LNX_SA_RESTORER		0x04000000u
#define LNX_SA_ONSTACK		0x08000000u
#define LNX_SS_ONSTACK		1u		/* sigaltstack's flags */
#define LNX_SS_DISABLE		2u
#define LNX_SS_AUTODISARM	0x80000000u
#define LNX_MINSIGSTKSZ		2048u
#define LNX_SA_RESTART		0x10000000u
#define LNX_SA_NODEFER		0x40000000u
#define LNX_SA_RESETHAND	0x80000000u

/* poll's events */
#define LNX_POLLIN	0x0001u
#define LNX_POLLPRI	0x0002u
#define LNX_POLLOUT	0x0004u
#define LNX_POLLERR	0x0008u
#define LNX_POLLHUP	0x0010u
#define LNX_POLLNVAL	0x0020u

/* mmap2 and mprotect */
#define LNX_PROT_READ		0x1
#define LNX_PROT_WRITE		0x2
#define LNX_PROT_EXEC		0x4
#define LNX_MAP_SHARED		0x01
#define LNX_MAP_PRIVATE		0x02
#define LNX_MAP_FIXED		0x10
#define LNX_MAP_ANONYMOUS	0x20

/* ioctl, fcntl and open */
#define LNX_TCGETS		0x5401
#define LNX_TOSTOP	0x100u		/* termios c_lflag: background writes get SIGTTOU */
/* termios c_iflag */
#define LNX_ISTRIP	0x0020u
#define LNX_INLCR	0x0040u
#define LNX_IGNCR	0x0080u
#define LNX_ICRNL	0x0100u
#define LNX_IXON	0x0400u
#define LNX_IXANY	0x0800u
#define LNX_IXOFF	0x1000u
#define LNX_IUTF8	0x4000u
/* termios c_oflag */
#define LNX_OPOST	0x0001u
#define LNX_OLCUC	0x0002u
#define LNX_ONLCR	0x0004u
#define LNX_OCRNL	0x0008u
#define LNX_ONOCR	0x0010u
#define LNX_ONLRET	0x0020u
#define LNX_TABDLY	0x1800u
#define LNX_XTABS	0x1800u		/* TABDLY's value that expands tabs to spaces */
/* termios c_lflag */
#define LNX_ISIG	0x0001u
#define LNX_ICANON	0x0002u
#define LNX_ECHO	0x0008u
#define LNX_ECHOE	0x0010u
#define LNX_ECHOK	0x0020u
#define LNX_ECHONL	0x0040u
#define LNX_NOFLSH	0x0080u
#define LNX_ECHOCTL	0x0200u
#define LNX_ECHOKE	0x0800u
#define LNX_IEXTEN	0x8000u
/* termios c_cc's indexes */
#define LNX_VINTR	0
#define LNX_VQUIT	1
#define LNX_VERASE	2
#define LNX_VKILL	3
#define LNX_VEOF	4
#define LNX_VTIME	5
#define LNX_VMIN	6
#define LNX_VSTART	8
#define LNX_VSTOP	9
#define LNX_VSUSP	10
#define LNX_VEOL	11
#define LNX_VREPRINT	12
#define LNX_VWERASE	14
#define LNX_VLNEXT	15
#define LNX_VEOL2	16
/* more tty ioctls */
#define LNX_TCSBRK		0x5409
#define LNX_TCFLSH		0x540B
#define LNX_TIOCOUTQ		0x5411
#define LNX_TCSBRKP		0x5425
#define LNX_TCIFLUSH	0
#define LNX_TCOFLUSH	1
#define LNX_TCIOFLUSH	2
#define LNX_TCSETS		0x5402
#define LNX_TCSETSW		0x5403
#define LNX_TCSETSF		0x5404
#define LNX_TIOCSCTTY		0x540E
#define LNX_TIOCGPGRP		0x540F
#define LNX_TIOCSPGRP		0x5410
#define LNX_TIOCGWINSZ		0x5413
#define LNX_TIOCSWINSZ		0x5414
#define LNX_TIOCSTI		0x5412
#define LNX_TCXONC		0x540A
#define LNX_TCOOFF	0
#define LNX_TCOON	1
#define LNX_TCIOFF	2
#define LNX_TCION	3
#define LNX_TIOCNOTTY		0x5422
#define LNX_FIONREAD		0x541B
#define LNX_F_DUPFD		0
#define LNX_F_GETFD		1
#define LNX_F_SETFD		2
#define LNX_F_GETFL		3
#define LNX_F_SETFL		4
#define LNX_F_DUPFD_CLOEXEC	1030
#define LNX_FD_CLOEXEC		1
#define LNX_O_RDONLY		0
#define LNX_O_WRONLY		1
#define LNX_O_RDWR		2
#define LNX_O_ACCMODE		3
#define LNX_O_CREAT		0x40
#define LNX_O_EXCL		0x80
#define LNX_O_NOCTTY		0x100
#define LNX_O_TRUNC		0x200
#define LNX_O_APPEND		0x400
#define LNX_O_NONBLOCK		0x800
#define LNX_O_DIRECTORY		0x10000
#define LNX_O_NOFOLLOW		0x20000
#define LNX_O_CLOEXEC		0x80000
#define LNX_O_LARGEFILE		0x8000
#define LNX_AT_FDCWD		(-100)
#define LNX_SEEK_SET		0
#define LNX_SEEK_CUR		1
#define LNX_SEEK_END		2

/* prctl */
#define LNX_PR_SET_NAME		15
#define LNX_PR_GET_NAME		16

/* clock ids */
#define LNX_CLOCK_REALTIME	0
#define LNX_CLOCK_MONOTONIC	1

/* auxiliary vector keys */
#define LNX_AT_NULL	0
#define LNX_AT_PHDR	3
#define LNX_AT_PHENT	4
#define LNX_AT_PHNUM	5
#define LNX_AT_PAGESZ	6
#define LNX_AT_BASE	7
#define LNX_AT_FLAGS	8
#define LNX_AT_ENTRY	9
#define LNX_AT_UID	11
#define LNX_AT_EUID	12
#define LNX_AT_GID	13
#define LNX_AT_EGID	14
#define LNX_AT_PLATFORM	15
#define LNX_AT_HWCAP	16
#define LNX_AT_CLKTCK	17
#define LNX_AT_SECURE	23
#define LNX_AT_RANDOM	25
#define LNX_AT_EXECFN	31

struct lnx_utsname {			/* uname's struct new_utsname */
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct lnx_user_desc {			/* set_thread_area's argument */
	uint32_t entry_number;
	uint32_t base_addr;
	uint32_t limit;
	uint32_t flags;			/* bit 0 seg_32bit, 1-2 contents, 3 read_exec_only,
					 * 4 limit_in_pages, 5 seg_not_present, 6 useable */
};
#define LNX_UD_SEG_32BIT	0x01
#define LNX_UD_CONTENTS		0x06
#define LNX_UD_READ_EXEC_ONLY	0x08
#define LNX_UD_LIMIT_IN_PAGES	0x10
#define LNX_UD_NOT_PRESENT	0x20

struct lnx_termios {			/* TCGETS: the kernel's struct termios, 36 bytes */
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct lnx_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct lnx_timespec32 {
	int32_t tv_sec, tv_nsec;
};
struct lnx_timespec64 {
	int64_t tv_sec, tv_nsec;
};
struct lnx_timeval {
	int32_t tv_sec, tv_usec;
};

struct lnx_rusage {			/* struct rusage on i386: 18 words, ru_utime and ru_stime first */
	uint32_t words[18];
};

/* statx's struct: 256 bytes; what the console's descriptors fill in of it */
struct lnx_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	uint8_t times[4][16];		/* atime, btime, ctime, mtime */
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint8_t rest[112];
};
_Static_assert(sizeof(struct lnx_statx) == 256, "statx's struct is 256 bytes");
#define LNX_AT_EMPTY_PATH	0x1000
#define LNX_AT_SYMLINK_NOFOLLOW	0x100
#define LNX_AT_REMOVEDIR	0x200
#define LNX_AT_SYMLINK_FOLLOW	0x400
#define LNX_AT_NO_AUTOMOUNT	0x800
#define LNX_AT_STATX_SYNC_TYPE	0x6000
#define LNX_AT_EACCESS		0x200
#define LNX_UTIME_NOW		((1 << 30) - 1)
#define LNX_UTIME_OMIT		((1 << 30) - 2)
#define LNX_S_IFLNK		0120000
#define LNX_S_IFSOCK		0140000

/* stat64's struct on i386: 96 bytes, 64-bit fields 4-aligned */
struct lnx_stat64 {
	uint64_t dev;
	uint32_t pad0, ino32, mode, nlink, uid, gid;
	uint64_t rdev;
	uint32_t pad3;
	int64_t size;
	uint32_t blksize;
	uint64_t blocks;
	uint32_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	uint64_t ino;
} __attribute__((packed));
_Static_assert(sizeof(struct lnx_stat64) == 96, "stat64's struct is 96 bytes");
#define LNX_STATX_BASIC_STATS	0x7FF
#define LNX_S_IFCHR		0020000
#define LNX_S_IFIFO		0010000
#define LNX_S_IFDIR		0040000
#define LNX_S_IFREG		0100000
#define LNX_S_IFMT		0170000

struct lnx_iovec {
	uint32_t base, len;
};

struct lnx_rlimit {
	uint32_t cur, max;
};
#define LNX_RLIM_INFINITY	0xFFFFFFFFu
#define LNX_RLIMIT_STACK	3

#endif
