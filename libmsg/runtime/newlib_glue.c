/*
 * newlib's system-call layer for Manifold programs. stdin, stdout and stderr
 * are the console (stdio_console.c: the console server, else the kernel's
 * console traps), the heap is a vm_allocate region, exit ends the task; every
 * other call fails cleanly with ENOSYS (or EBADF for files that cannot be open).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/time.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "stdio_console.h"

/*
 * errno here is the calling thread's (newlib's __errno(), through
 * __getreent()), so a direct call such as close() reports to its caller, and
 * newlib's _r wrappers find it already set.
 */

char *__env[1] = { 0 };
char **environ = __env;

/*
 * The heap: one large region reserved with vm_allocate on first use. Pages
 * come only when touched, so reserving much costs nothing until it is used.
 */
#define HEAP_RESERVE (256u << 20)
static char *heap_base;
static size_t heap_used;

void *
sbrk(ptrdiff_t incr)
{
	size_t old = heap_used;

	if (!heap_base) {
		vm_address_t a = 0;
		if (vm_allocate(mach_task_self(), &a, HEAP_RESERVE, 1) != KERN_SUCCESS) {
			errno = ENOMEM;
			return (void *)-1;
		}
		heap_base = (char *)a;
	}
	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > HEAP_RESERVE - heap_used) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_used += (size_t)incr;
	return heap_base + old;
}

int
write(int fd, const void *buf, size_t len)
{
	int r;

	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	r = stdio_console_write(buf, len);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return (int)len;
}

int
read(int fd, void *buf, size_t len)
{
	int r;

	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	r = stdio_console_read(buf, len);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int close(int fd) { errno = EBADF; return -1; }
int lseek(int fd, int off, int whence) { errno = ESPIPE; return -1; }
int isatty(int fd) { return fd >= 0 && fd <= 2; }
int getpid(void) { uint32_t id = 0; trap_task_self_id(&id); return (int)id; }
int kill(int pid, int sig) { errno = ENOSYS; return -1; }
int open(const char *path, int flags, ...) { errno = ENOSYS; return -1; }
int unlink(const char *path) { errno = ENOSYS; return -1; }
int link(const char *a, const char *b) { errno = ENOSYS; return -1; }
int fork(void) { errno = ENOSYS; return -1; }
int wait(int *status) { errno = ENOSYS; return -1; }
int execve(const char *p, char *const a[], char *const e[]) { errno = ENOSYS; return -1; }
int stat(const char *path, struct stat *st) { errno = ENOSYS; return -1; }
clock_t times(struct tms *t) { errno = ENOSYS; return (clock_t)-1; }

int
fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR;
	return 0;
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns;

	if (trap_clock_uptime(&ns) != KERN_SUCCESS) {
		errno = EFAULT;
		return -1;
	}
	tv->tv_sec = (time_t)(ns / 1000000000u);	/* no wall clock yet: time since boot */
	tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	return 0;
}

void
_exit(int status)
{
	trap_task_exit(status);
}
