/*
 * The console as file descriptors 0, 1 and 2: the only files a process has
 * until the file server and descriptor tables come. Output goes through the
 * server's own stdio (libmsg: the console server's session, line by line);
 * input is a line the console server's line discipline finished.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "linux.h"
#include "syscall.h"
#include "umem.h"

#define CHUNK 4096u

bool console_at_line_start = true;
#define IOV_MAX_N 64

static bool
is_console_fd(uint32_t fd)
{
	return fd <= 2;
}

/* Writes len bytes of the process's memory at buf to the console; bytes written or -errno. */
static int32_t
console_write_from(struct process *p, uint32_t buf, uint32_t len)
{
	char chunk[CHUNK];
	uint32_t done = 0;

	while (done < len) {
		uint32_t n = len - done < CHUNK ? len - done : CHUNK;
		int r = umem_read(p, buf + done, chunk, n);

		if (r != 0)
			return done ? (int32_t)done : r;
		fwrite(chunk, 1, n, stdout);
		console_at_line_start = chunk[n - 1] == '\n';
		done += n;
	}
	fflush(stdout);
	return (int32_t)done;
}

SYS(write)
{
	if (!is_console_fd(a[0]))
		return -LNX_EBADF;
	if (a[2] > 0x7FFFFFFFu)
		return -LNX_EINVAL;
	return a[2] ? console_write_from(p, a[1], a[2]) : 0;
}

SYS(writev)
{
	struct lnx_iovec iov[IOV_MAX_N];
	int32_t total = 0, r;

	if (!is_console_fd(a[0]))
		return -LNX_EBADF;
	if (a[2] > IOV_MAX_N)
		return -LNX_EINVAL;
	if (a[2] && (r = umem_read(p, a[1], iov, a[2] * sizeof iov[0])) != 0)
		return r;
	for (uint32_t i = 0; i < a[2]; i++) {
		if (iov[i].len > 0x7FFFFFFFu - (uint32_t)total)
			return -LNX_EINVAL;
		if (!iov[i].len)
			continue;
		r = console_write_from(p, iov[i].base, iov[i].len);
		if (r < 0)
			return total ? total : r;
		total += r;
	}
	return total;
}

/* read(0, buf, len): a line typed on the console (the console server edits it). */
SYS(read)
{
	char chunk[CHUNK];
	uint32_t len = a[2] < CHUNK ? a[2] : CHUNK;
	ssize_t n;
	int r;

	if (!is_console_fd(a[0]))
		return -LNX_EBADF;
	if (len == 0)
		return 0;
	n = read(0, chunk, len);
	if (n < 0)
		return -LNX_EIO;
	if (n > 0 && (r = umem_write(p, a[1], chunk, (size_t)n)) != 0)
		return r;
	return (int32_t)n;
}

/* The console's terminal settings as a cooked Linux tty reports them; setting them is not there yet. */
SYS(ioctl)
{
	if (!is_console_fd(a[0]))
		return -LNX_EBADF;
	if (a[1] == LNX_TCGETS) {
		struct lnx_termios t;

		memset(&t, 0, sizeof t);
		t.c_iflag = 0x0500;	/* ICRNL IXON */
		t.c_oflag = 0x0005;	/* OPOST ONLCR */
		t.c_cflag = 0x00BF;	/* B38400 CS8 CREAD */
		t.c_lflag = 0x8A3B;	/* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
		const uint8_t cc[] = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0 };
		memcpy(t.c_cc, cc, sizeof cc);
		return umem_write(p, a[2], &t, sizeof t);
	}
	if (a[1] == LNX_TIOCGWINSZ) {
		struct lnx_winsize w = { 24, 80, 0, 0 };

		return umem_write(p, a[2], &w, sizeof w);
	}
	return -LNX_ENOTTY;
}

/* fcntl64: the console descriptors' flags; nothing else until descriptor tables exist. */
SYS(fcntl64)
{
	(void)p;
	if (!is_console_fd(a[0]))
		return -LNX_EBADF;
	if (a[1] == LNX_F_GETFL)
		return a[0] == 0 ? LNX_O_RDONLY : LNX_O_WRONLY;
	if (a[1] == LNX_F_GETFD)
		return 0;
	return -LNX_EINVAL;
}

/*
 * statx(dirfd, path, flags, mask, buf): only an empty path on a console
 * descriptor (AT_EMPTY_PATH, which is how libc does fstat): a character
 * device, /dev/console's 5:1. Paths wait for the file server.
 */
SYS(statx)
{
	struct lnx_statx st;
	char c;
	int r;

	if (!(a[2] & LNX_AT_EMPTY_PATH))
		return -LNX_ENOENT;
	if ((r = umem_read(p, a[1], &c, 1)) != 0)
		return r;
	if (c != '\0')
		return -LNX_ENOENT;
	if (!is_console_fd(a[0]))
		return -LNX_EBADF;
	memset(&st, 0, sizeof st);
	st.mask = LNX_STATX_BASIC_STATS;
	st.blksize = 1024;
	st.nlink = 1;
	st.mode = LNX_S_IFCHR | 0620;
	st.ino = 3 + a[0];
	st.rdev_major = 5;
	st.rdev_minor = 1;
	return umem_write(p, a[4], &st, sizeof st);
}
