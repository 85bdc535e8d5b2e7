/*
 * A Linux program for the unix suite: descriptors and pipes. Each argument
 * names a case (dup, flow, epipe, cloexec, poll, select, files, more,
 * handoff, pollmany, feed, feedq, feedsig, check); the output is compared with the same binary's on the host
 * (run.py), so nothing printed depends on pids or timing.
 */
#include "lnx.h"
#include "util.h"

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define O_NONBLOCK 0x800
#define O_CLOEXEC 0x80000
#define POLLIN 1
#define POLLOUT 4
#define POLLHUP 0x10

struct pollfd {
	int fd;
	short events, revents;
};

static long pipe2(int *fds, long flags) { return lnx_call(331, (long)fds, flags, 0, 0, 0, 0); }
static long fcntl(long fd, long cmd, long arg) { return lnx_call(221, fd, cmd, arg, 0, 0, 0); }
static long poll(struct pollfd *f, long n, long ms) { return lnx_call(168, (long)f, n, ms, 0, 0, 0); }

static void
case_dup(void)
{
	int fds[2];

	say("dup: pipe", lnx_call(42, (long)fds, 0, 0, 0, 0, 0));
	say("dup: the read end", fds[0]);
	say("dup: the write end", fds[1]);
	say("dup: dup of the write end (the lowest free)", lnx_call(41, fds[1], 0, 0, 0, 0, 0));
	say("dup: dup2 to 10", lnx_call(63, fds[0], 10, 0, 0, 0, 0));
	say("dup: dup2 onto itself", lnx_call(63, 10, 10, 0, 0, 0, 0));
	say("dup: dup3 onto itself", lnx_call(330, 10, 10, 0, 0, 0, 0));
	say("dup: dup3 with O_CLOEXEC", lnx_call(330, fds[1], 11, O_CLOEXEC, 0, 0, 0));
	say("dup: its FD_CLOEXEC", fcntl(11, F_GETFD, 0));
	say("dup: dup3 with a bad flag", lnx_call(330, fds[1], 12, 1, 0, 0, 0));
	say("dup: dup2 of a closed descriptor", lnx_call(63, 40, 41, 0, 0, 0, 0));
	say("dup: F_DUPFD from 20", fcntl(fds[0], F_DUPFD, 20));
	say("dup: F_DUPFD_CLOEXEC from 20", fcntl(fds[0], 1030, 20));
	say("dup: its FD_CLOEXEC", fcntl(21, F_GETFD, 0));
	say("dup: F_SETFD 0", fcntl(21, F_SETFD, 0));
	say("dup: FD_CLOEXEC now", fcntl(21, F_GETFD, 0));
	say("dup: F_GETFL of the read end", fcntl(fds[0], F_GETFL, 0));
	say("dup: F_GETFL of the write end", fcntl(fds[1], F_GETFL, 0));
	say("dup: write through the dup", lnx_call(4, 11, (long)"xyz", 3, 0, 0, 0));
	char b[8] = { 0 };
	say("dup: read through dup2's 10", lnx_call(3, 10, (long)b, 8, 0, 0, 0));
	lnx_puts(b);
	lnx_puts("\n");
	say("dup: close", lnx_call(6, 10, 0, 0, 0, 0, 0));
	say("dup: close again", lnx_call(6, 10, 0, 0, 0, 0, 0));
	say("dup: write to the read end", lnx_call(4, fds[0], (long)"x", 1, 0, 0, 0));
	say("dup: read from the write end", lnx_call(3, fds[1], (long)b, 1, 0, 0, 0));
	say("dup: read from 99", lnx_call(3, 99, (long)b, 1, 0, 0, 0));
	say("dup: lseek on a pipe", lnx_call(19, fds[0], 0, 0, 0, 0, 0));
	say("dup: ioctl TCGETS on a pipe", lnx_call(54, fds[0], 0x5401, (long)b, 0, 0, 0));
	say("dup: pipe2 with a bad flag", pipe2(fds, 1));
	say("dup: pipe with a bad pointer", lnx_call(42, 8, 0, 0, 0, 0, 0));
}

/* Reads until end of file; the bytes and whether every one was (i % 251). */
static long
drain(int fd, int *pattern_ok)
{
	static char b[5000];
	long total = 0, n;

	*pattern_ok = 1;
	while ((n = lnx_call(3, fd, (long)b, sizeof b, 0, 0, 0)) > 0) {
		for (long i = 0; i < n; i++)
			if ((unsigned char)b[i] != (unsigned char)((total + i) % 251))
				*pattern_ok = 0;
		total += n;
	}
	return n < 0 ? n : total;
}

static void
case_flow(void)
{
	static char b[100000];
	int fds[2], ok, st;
	long pid;

	for (long i = 0; i < (long)sizeof b; i++)
		b[i] = (char)(i % 251);
	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		lnx_call(6, fds[0], 0, 0, 0, 0, 0);
		sleep_ms(50);	/* the parent's read waits for us */
		long w = lnx_call(4, fds[1], (long)b, sizeof b, 0, 0, 0);
		lnx_exit(w == (long)sizeof b ? 0 : 1);
	}
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	say("flow: bytes read until end of file", drain(fds[0], &ok));
	yes("flow: each byte as written", ok);
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("flow: the writer's status (one write of 100000 through a 64 KiB pipe)", st);

	/* non-blocking: the pipe's capacity, then EAGAIN */
	pipe2(fds, O_NONBLOCK);
	long total = 0, w;
	while ((w = lnx_call(4, fds[1], (long)b, 4096, 0, 0, 0)) > 0)
		total += w;
	say("flow: a non-blocking pipe took", total);
	say("flow: then", w);
	char c;
	pipe2(fds, O_NONBLOCK);
	say("flow: a read of an empty non-blocking pipe", lnx_call(3, fds[0], (long)&c, 1, 0, 0, 0));
	say("flow: F_GETFL", fcntl(fds[0], F_GETFL, 0));
	say("flow: F_SETFL 0", fcntl(fds[0], F_SETFL, 0));
	say("flow: F_GETFL", fcntl(fds[0], F_GETFL, 0));

	/* a read that waits, smaller than the write that wakes it: the rest stays in the pipe, in order */
	char small[3], rest[16];
	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		sleep_ms(50);	/* the parent's read waits for us */
		lnx_exit(lnx_call(4, fds[1], (long)"0123456789", 10, 0, 0, 0) == 10 ? 0 : 1);
	}
	say("flow: a waiting read of 3 takes", lnx_call(3, fds[0], (long)small, 3, 0, 0, 0));
	yes("flow: the first three bytes", small[0] == '0' && small[1] == '1' && small[2] == '2');
	say("flow: the next read takes", lnx_call(3, fds[0], (long)rest, sizeof rest, 0, 0, 0));
	yes("flow: the other seven, in order", rest[0] == '3' && rest[6] == '9');
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("flow: the writer's status", st);
}

static void
case_epipe(void)
{
	int fds[2], st;
	long pid;
	struct { unsigned long h, f, r, m[2]; } act = { 1, 0, 0, { 0, 0 } };	/* SIG_IGN */

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);	/* before the fork: the child has no reader either */
	pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		lnx_call(4, fds[1], (long)"x", 1, 0, 0, 0);
		lnx_exit(0);	/* not reached: SIGPIPE's default ends it */
	}
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("epipe: a writer with no reader, by SIGPIPE's default: status", st);
	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);
	say("epipe: SIGPIPE ignored", lnx_call(174, 13, (long)&act, 0, 8, 0, 0));
	say("epipe: then write answers", lnx_call(4, fds[1], (long)"x", 1, 0, 0, 0));
}

static void
case_cloexec(void)
{
	char *argv[] = { "fds", "check", 0 };

	lnx_call(63, 1, 5, 0, 0, 0, 0);
	lnx_call(63, 1, 6, 0, 0, 0, 0);
	say("cloexec: FD_CLOEXEC on 5", fcntl(5, F_SETFD, 1));
	lnx_call(11, (long)"/proc/self/exe", (long)argv, 0, 0, 0, 0);
	lnx_puts("cloexec: exec failed\n");
}

static void
case_check(void)
{
	say("check: after exec, F_GETFD of 5", fcntl(5, F_GETFD, 0));
	say("check: after exec, F_GETFD of 6", fcntl(6, F_GETFD, 0));
	say("check: a write through 6", lnx_call(4, 6, (long)"six\n", 4, 0, 0, 0));
}

static void
case_poll(void)
{
	int fds[2], st;
	struct pollfd p[3];
	long pid;

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	p[0] = (struct pollfd){ fds[0], POLLIN, 0 };
	p[1] = (struct pollfd){ fds[1], POLLOUT, 0 };
	p[2] = (struct pollfd){ 77, POLLIN, 0 };
	say("poll: three descriptors, one of them bad", poll(p, 3, 0));
	say("poll: the read end", p[0].revents);
	say("poll: the write end", p[1].revents);
	say("poll: the bad one (POLLNVAL)", p[2].revents);
	say("poll: the read end alone, 30 ms", poll(p, 1, 30));
	pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		sleep_ms(50);
		lnx_call(4, fds[1], (long)"ping", 4, 0, 0, 0);
		lnx_exit(0);
	}
	say("poll: waiting with no limit for the child's write", poll(p, 1, -1));
	say("poll: the read end", p[0].revents);
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	char b[8];
	lnx_call(3, fds[0], (long)b, 8, 0, 0, 0);
	say("poll: every writer gone", poll(p, 1, -1));
	say("poll: the read end (POLLHUP)", p[0].revents);
	p[0] = (struct pollfd){ 1, POLLOUT, 0 };
	say("poll: stdout", poll(p, 1, 0));
	say("poll: stdout's revents", p[0].revents);
}

static void
case_select(void)
{
	int fds[2];
	unsigned long rd[2], wr[2];
	struct { long s, us; } tv = { 0, 20000 };

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	rd[0] = 1ul << fds[0], wr[0] = 1ul << fds[1];
	say("select: read and write ends", lnx_call(142, fds[1] + 1, (long)rd, (long)wr, 0, (long)&tv, 0));
	yes("select: the read end not ready", !(rd[0] & (1ul << fds[0])));
	yes("select: the write end ready", (wr[0] & (1ul << fds[1])) != 0);
	lnx_call(4, fds[1], (long)"x", 1, 0, 0, 0);
	rd[0] = 1ul << fds[0];
	tv.s = 0, tv.us = 20000;
	say("select: after a write, the read end", lnx_call(142, fds[0] + 1, (long)rd, 0, 0, (long)&tv, 0));
	yes("select: it is set", (rd[0] & (1ul << fds[0])) != 0);
	rd[0] = 0, rd[1] = 1ul << (50 - 32);
	tv.s = 0, tv.us = 0;
	say("select: a closed descriptor", lnx_call(142, 51, (long)rd, 0, 0, (long)&tv, 0));
	tv.s = 0, tv.us = 30000;
	rd[0] = 0;
	say("select: nothing at all, 30 ms", lnx_call(142, 0, 0, 0, 0, (long)&tv, 0));
}

static void
case_files(void)
{
	char b[8] = { 0 };
	long fd = lnx_call(5, (long)"/dev/null", 2, 0, 0, 0, 0);

	yes("files: /dev/null opens", fd >= 0);
	say("files: a write to it", lnx_call(4, fd, (long)"abc", 3, 0, 0, 0));
	say("files: a read from it", lnx_call(3, fd, (long)b, 8, 0, 0, 0));
	say("files: a path that does not exist", lnx_call(5, (long)"/no/such/file", 0, 0, 0, 0, 0));
	say("files: a bad path pointer", lnx_call(5, 8, 0, 0, 0, 0, 0));
	fd = lnx_call(5, (long)"/proc/self/exe", 0, 0, 0, 0, 0);
	yes("files: /proc/self/exe opens", fd >= 0);
	say("files: its first 4 bytes", lnx_call(3, fd, (long)b, 4, 0, 0, 0));
	yes("files: the ELF magic", b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F');
	say("files: lseek to 1", lnx_call(19, fd, 1, 0, 0, 0, 0));
	say("files: read 3", lnx_call(3, fd, (long)b, 3, 0, 0, 0));
	b[3] = 0;
	lnx_puts(b);
	lnx_puts("\n");
	say("files: lseek with a bad whence", lnx_call(19, fd, 0, 9, 0, 0, 0));
	say("files: a write to it", lnx_call(4, fd, (long)"x", 1, 0, 0, 0));
	char cwd[64];
	say("files: chdir /", lnx_call(12, (long)"/", 0, 0, 0, 0, 0));
	say("files: getcwd", lnx_call(183, (long)cwd, sizeof cwd, 0, 0, 0, 0));
	lnx_puts(cwd);
	lnx_puts("\n");
	say("files: getcwd with no room", lnx_call(183, (long)cwd, 1, 0, 0, 0, 0));
}

struct statx_ {
	unsigned mask, blksize;
	unsigned long long attributes;
	unsigned nlink, uid, gid;
	unsigned short mode, pad0;
	unsigned long long ino, size, blocks, attributes_mask;
	unsigned char times[64];
	unsigned rdev_major, rdev_minor, dev_major, dev_minor;
	unsigned char rest[112];
};

/* The calls the other cases do not make: readv, the time64 polls, statx of paths, access, umask, _llseek. */
/*
 * A write that answers a held read directly (personalities/unix/pipe.c) and
 * the writes after it: the writer goes on before the reader runs, so its
 * next bytes go into the pipe behind the first ones, and every byte comes
 * out once, in order, however the reads split them (Linux may give them to
 * one read, the server to two). Two readers held on one pipe: each write
 * answers one of them, the first straight into its read, the second through
 * the pipe.
 */
static void
case_handoff(void)
{
	int fds[2], back[2], st;
	char b[16] = { 0 };
	long pid, got = 0, r;

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	lnx_call(42, (long)back, 0, 0, 0, 0, 0);
	pid = lnx_call(2, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		while (got < 6 && (r = lnx_call(3, fds[0], (long)b + got, 6 - got, 0, 0, 0)) > 0)
			got += r;
		lnx_call(4, back[1], (long)b, got, 0, 0, 0);
		lnx_exit(0);
	}
	sleep_ms(50);	/* the child's read waits for us */
	say("handoff: write a", lnx_call(4, fds[1], (long)"a", 1, 0, 0, 0));
	say("handoff: write bc", lnx_call(4, fds[1], (long)"bc", 2, 0, 0, 0));
	say("handoff: write def", lnx_call(4, fds[1], (long)"def", 3, 0, 0, 0));
	while (got < 6 && (r = lnx_call(3, back[0], (long)b + got, 6 - got, 0, 0, 0)) > 0)
		got += r;
	say("handoff: the reader sent back", got);
	lnx_puts(b);
	lnx_puts("\n");
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("handoff: the reader's status", st);

	long pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = lnx_call(2, 0, 0, 0, 0, 0, 0);
		if (pids[i] == 0) {
			char c;
			if (lnx_call(3, fds[0], (long)&c, 1, 0, 0, 0) == 1)
				lnx_call(4, back[1], (long)&c, 1, 0, 0, 0);
			lnx_exit(0);
		}
	}
	sleep_ms(50);	/* both reads wait */
	say("handoff: write x for two readers", lnx_call(4, fds[1], (long)"x", 1, 0, 0, 0));
	say("handoff: write y", lnx_call(4, fds[1], (long)"y", 1, 0, 0, 0));
	for (int i = 0; i < 2; i++)
		lnx_call(114, pids[i], (long)&st, 0, 0, 0, 0);
	char two[3] = { 0 };
	say("handoff: both readers sent back", lnx_call(3, back[0], (long)two, 2, 0, 0, 0));
	yes("handoff: x and y, one each", (two[0] == 'x' && two[1] == 'y') || (two[0] == 'y' && two[1] == 'x'));
}

/* A child that writes b[0..len) into fd in writes of chunk bytes (chunk 0: one writev of two halves); its pid. */
static long
writer(int fds[2], const char *b, long len, long chunk)
{
	long pid = lnx_call(2, 0, 0, 0, 0, 0, 0);

	if (pid == 0) {
		long done = 0, w = 0;

		lnx_call(6, fds[0], 0, 0, 0, 0, 0);
		if (!chunk) {
			struct {
				const char *base;
				long len;
			} iov[2] = { { b, len / 2 }, { b + len / 2, len - len / 2 } };

			done = lnx_call(146, fds[1], (long)iov, 2, 0, 0, 0);
		}
		while (chunk && done < len && (w = lnx_call(4, fds[1], (long)b + done,
							  len - done < chunk ? len - done : chunk, 0, 0, 0)) > 0)
			done += w;
		lnx_exit(done == len ? 0 : 1);
	}
	return pid;
}

/*
 * Writes held for room in a full pipe, gone on with by the reads that make
 * room (run.py counts the server's replays of this run: a read answers the
 * held write itself): one write of 1,000,000 bytes, 200 atomic writes of
 * 4096 read 1000 at a time, a writev of two 70,000-byte halves, and two
 * writers at once; every byte read as written, every writer's status 0.
 */
static void
case_feed(void)
{
	static char b[1000000], r[1000];
	int fds[2], ok, st;
	long pid, pid2, n, total = 0, a = 0, bb = 0;

	for (long i = 0; i < (long)sizeof b; i++)
		b[i] = (char)(i % 251);
	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	pid = writer(fds, b, sizeof b, sizeof b);
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	sleep_ms(50);	/* its write fills the pipe and waits */
	say("feed: one write of 1000000, bytes read", drain(fds[0], &ok));
	yes("feed: each byte as written", ok);
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("feed: the writer's status", st);
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	pid = writer(fds, b, 200 * 4096, 4096);
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	sleep_ms(50);
	ok = 1;
	while ((n = lnx_call(3, fds[0], (long)r, sizeof r, 0, 0, 0)) > 0) {
		for (long i = 0; i < n; i++)
			ok &= (unsigned char)r[i] == (unsigned char)b[total + i];
		total += n;
	}
	say("feed: 200 writes of 4096 read 1000 at a time, bytes", total);
	yes("feed: each byte as written", ok);
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("feed: the writer's status", st);
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	pid = writer(fds, b, 140000, 0);
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	sleep_ms(50);
	say("feed: a writev of two 70000-byte halves, bytes read", drain(fds[0], &ok));
	yes("feed: each byte as written", ok);
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("feed: the writer's status", st);
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);

	for (long i = 0; i < 200000; i++)
		b[i] = i < 100000 ? 'a' : 'b';
	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	pid = writer(fds, b, 100000, 100000);
	pid2 = writer(fds, b + 100000, 100000, 100000);
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	sleep_ms(50);
	while ((n = lnx_call(3, fds[0], (long)r, sizeof r, 0, 0, 0)) > 0)
		for (long i = 0; i < n; i++)
			a += r[i] == 'a', bb += r[i] == 'b';
	say("feed: two writers of 100000 at once: a", a);
	say("feed: and b", bb);
	lnx_call(114, pid, (long)&st, 0, 0, 0, 0);
	say("feed: the first's status", st);
	lnx_call(114, pid2, (long)&st, 0, 0, 0, 0);
	say("feed: the second's status", st);
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);
}

/*
 * Writes held in a full pipe go on in the order they came, each read going
 * on with them (run.py counts the replays of this run: none served again at
 * each read): after 65536 bytes of 'f', an atomic write of 4096 'a', an
 * atomic writev of two 2048-byte halves of 'b', a write of 100000 'c' (more
 * than the pipe: it may be split), a write of 10 'd'. Printed: the letters in
 * the order each first came, each one's count and runs (an atomic write is
 * one run), each writer's status.
 */
static void
case_feedq(void)
{
	static char b[100000], r[1000];
	static const char letters[] = "abcd";
	static const long lens[] = { 4096, 4096, 100000, 10 }, chunks[] = { 4096, 0, 100000, 10 };
	char order[8] = { 0 }, last = 0;
	long pids[4], count[4] = { 0 }, runs[4] = { 0 }, n, filler = 0, k = 0;
	int fds[2], st;

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	for (long i = 0; i < 65536; i++)
		b[i] = 'f';
	say("feedq: 65536 bytes fill the pipe", lnx_call(4, fds[1], (long)b, 65536, 0, 0, 0));
	for (int w = 0; w < 4; w++) {
		for (long i = 0; i < lens[w]; i++)
			b[i] = letters[w];
		pids[w] = writer(fds, b, lens[w], chunks[w]);
		sleep_ms(50);	/* each waits before the next comes */
	}
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	while ((n = lnx_call(3, fds[0], (long)r, sizeof r, 0, 0, 0)) > 0)
		for (long i = 0; i < n; i++) {
			char c = r[i];
			int w = c - 'a';

			if (c == 'f') {
				filler++;
			} else if (w >= 0 && w < 4) {
				if (!count[w]++)
					order[k++] = c;
				runs[w] += c != last;
			}
			last = c;
		}
	say("feedq: bytes of f", filler);
	lnx_puts("feedq: first bytes in the order ");
	lnx_puts(order);
	lnx_puts("\n");
	for (int w = 0; w < 4; w++) {
		say("feedq: a writer's bytes", count[w]);
		if (lens[w] <= 4096)
			say("feedq: in runs (atomic: 1)", runs[w]);
		lnx_call(114, pids[w], (long)&st, 0, 0, 0, 0);
		say("feedq: its status", st);
	}
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);
}

extern char fds_restore[];
__asm__(".globl fds_restore\nfds_restore:\n\tpopl %eax\n\tmovl $119, %eax\n\tint $0x80\n");

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A child writing 4096 bytes of c into fds[1]; with alarm_ms, a SIGALRM handler (no SA_RESTART) ends its wait. */
static long
letter_writer(int fds[2], char c, long alarm_ms)
{
	static char b[4096];
	long pid = lnx_call(2, 0, 0, 0, 0, 0, 0);

	if (pid == 0) {
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			unsigned long mask[2];
		} act = { (void *)on_alarm, 0x04000000 /* SA_RESTORER */, fds_restore, { 0, 0 } };
		long it[4] = { 0, 0, 0, alarm_ms * 1000 }, r;

		lnx_call(6, fds[0], 0, 0, 0, 0, 0);
		for (int i = 0; i < 4096; i++)
			b[i] = c;
		if (alarm_ms) {
			lnx_call(174, 14 /* SIGALRM */, (long)&act, 0, 8, 0, 0);
			lnx_call(104, 0, (long)it, 0, 0, 0, 0);	/* setitimer ITIMER_REAL */
		}
		r = lnx_call(4, fds[1], (long)b, sizeof b, 0, 0, 0);
		lnx_exit(r == 4096 ? 0 : r == -4 ? 4 : 1);
	}
	return pid;
}

/*
 * Held writers that leave the pipe's queue or stop in it: of three atomic
 * writes held in a full pipe, the second's wait is ended by a signal
 * (EINTR), the first is stopped (SIGSTOP) when room comes, so the third
 * goes first, and the first goes on after SIGCONT. Printed: the letters in
 * the order they came after the filler, and each writer's status.
 */
static void
case_feedsig(void)
{
	static char b[65536], r[1000];
	char order[8] = { 0 }, last = 0;
	long a, bw, c, n, k = 0, filler = 0, count[3] = { 0 };
	int fds[2], st;

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	for (long i = 0; i < 65536; i++)
		b[i] = 'f';
	say("feedsig: 65536 bytes fill the pipe", lnx_call(4, fds[1], (long)b, 65536, 0, 0, 0));
	a = letter_writer(fds, 'a', 0);
	sleep_ms(50);
	bw = letter_writer(fds, 'b', 100);
	sleep_ms(50);
	c = letter_writer(fds, 'c', 0);
	sleep_ms(200);	/* b's signal came */
	lnx_call(114, bw, (long)&st, 0, 0, 0, 0);
	say("feedsig: the writer a signal interrupted: status (4: EINTR)", st >> 8);
	lnx_call(37, a, 19 /* SIGSTOP */, 0, 0, 0, 0);
	sleep_ms(50);
	say("feedsig: 4096 bytes read", lnx_call(3, fds[0], (long)b, 4096, 0, 0, 0));
	sleep_ms(50);	/* the third writer's bytes go in; the stopped one's wait */
	lnx_call(37, a, 18 /* SIGCONT */, 0, 0, 0, 0);
	lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	filler = 4096;
	while ((n = lnx_call(3, fds[0], (long)r, sizeof r, 0, 0, 0)) > 0)
		for (long i = 0; i < n; i++) {
			int w = r[i] - 'a';

			if (r[i] == 'f')
				filler++;
			else if (w >= 0 && w < 3 && !count[w]++)
				order[k++] = r[i];
			else if (w >= 0 && w < 3 && r[i] != last)
				order[k++] = '!';	/* a write cut in two */
			last = r[i];
		}
	say("feedsig: bytes of f", filler);
	lnx_puts("feedsig: then in the order ");
	lnx_puts(order);
	lnx_puts("\n");
	say("feedsig: bytes of a", count[0]);
	say("feedsig: of b", count[1]);
	say("feedsig: of c", count[2]);
	lnx_call(114, a, (long)&st, 0, 0, 0, 0);
	say("feedsig: the stopped writer's status", st);
	lnx_call(114, c, (long)&st, 0, 0, 0, 0);
	say("feedsig: the third's status", st);
	lnx_call(6, fds[0], 0, 0, 0, 0, 0);
}

/*
 * Many polls held at once, each on a pipe of its own, while 200 other pipes
 * are made and closed (each close a change): a poll is woken by what it asked,
 * not by every change (run.py counts the server's replays of this run),
 * and each poller still sees its own byte.
 */
#define POLLERS 16

static void
case_pollmany(void)
{
	int pipes[POLLERS][2], busy[2], st, seen = 0;
	long pids[POLLERS];

	for (int i = 0; i < POLLERS; i++) {
		lnx_call(42, (long)pipes[i], 0, 0, 0, 0, 0);
		if ((pids[i] = lnx_call(2, 0, 0, 0, 0, 0, 0)) == 0) {
			struct pollfd p = { pipes[i][0], POLLIN, 0 };
			char c = 0;
			long n = poll(&p, 1, -1);
			lnx_call(3, pipes[i][0], (long)&c, 1, 0, 0, 0);
			lnx_exit(n == 1 && p.revents == POLLIN && c == 'A' + i ? 0 : 1);
		}
	}
	sleep_ms(50);	/* every poll is held by now */
	for (int k = 0; k < 200; k++) {	/* each end's close wakes what waits on that pipe */
		lnx_call(42, (long)busy, 0, 0, 0, 0, 0);
		lnx_call(6, busy[0], 0, 0, 0, 0, 0);
		lnx_call(6, busy[1], 0, 0, 0, 0, 0);
	}
	say("pollmany: pipes made and closed meanwhile", 200);
	for (int i = 0; i < POLLERS; i++) {
		char c = (char)('A' + i);
		lnx_call(4, pipes[i][1], (long)&c, 1, 0, 0, 0);
	}
	for (int i = 0; i < POLLERS; i++) {
		lnx_call(114, pids[i], (long)&st, 0, 0, 0, 0);
		seen += st == 0;
	}
	say("pollmany: pollers that saw their own byte", seen);
}

static void
case_more(void)
{
	int fds[2];
	char a[4] = { 0 }, b[4] = { 0 };
	struct { void *base; unsigned long len; } iov[2] = { { a, 0 }, { b, 3 } };
	struct pollfd p = { 0, POLLIN, 0 };
	long long ts[2] = { 0, 20000000 };
	struct statx_ st;

	lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
	lnx_call(4, fds[1], (long)"abcdef", 6, 0, 0, 0);
	say("more: readv skips an empty iovec", lnx_call(145, fds[0], (long)iov, 2, 0, 0, 0));
	lnx_puts(b);
	lnx_puts("\n");
	say("more: readv with a bad iovec pointer", lnx_call(145, fds[0], 8, 2, 0, 0, 0));
	p.fd = fds[0];
	say("more: ppoll_time64, bytes waiting", lnx_call(414, (long)&p, 1, (long)ts, 0, 8, 0));
	say("more: its revents", p.revents);
	lnx_call(3, fds[0], (long)a, 4, 0, 0, 0);
	say("more: ppoll_time64 on an empty pipe, 20 ms", lnx_call(414, (long)&p, 1, (long)ts, 0, 8, 0));
	unsigned long rd[2] = { 1ul << fds[0], 0 };
	say("more: pselect6_time64 on an empty pipe, 20 ms",
	    lnx_call(413, fds[0] + 1, (long)rd, 0, 0, (long)ts, 0));
	ts[1] = 1000000000;
	say("more: ppoll_time64 with a bad timespec", lnx_call(414, (long)&p, 1, (long)ts, 0, 8, 0));
	say("more: statx of /dev/null", lnx_call(383, -100, (long)"/dev/null", 0, 0x7ff, (long)&st, 0));
	say("more: its type (S_IFCHR)", st.mode & 0170000);
	say("more: its rdev", (long)(st.rdev_major * 256 + st.rdev_minor));
	say("more: statx of /", lnx_call(383, -100, (long)"/", 0, 0x7ff, (long)&st, 0));
	say("more: its type (S_IFDIR)", st.mode & 0170000);
	say("more: statx of /proc/self/exe", lnx_call(383, -100, (long)"/proc/self/exe", 0, 0x7ff, (long)&st, 0));
	say("more: its type (S_IFREG)", st.mode & 0170000);
	say("more: statx of a pipe", lnx_call(383, fds[0], (long)"", 0x1000, 0x7ff, (long)&st, 0));
	say("more: its type (S_IFIFO)", st.mode & 0170000);
	say("more: statx of nothing", lnx_call(383, -100, (long)"/no/such", 0, 0x7ff, (long)&st, 0));
	say("more: statx of a closed descriptor", lnx_call(383, 77, (long)"", 0x1000, 0x7ff, (long)&st, 0));
	say("more: access of /dev/null for writing", lnx_call(33, (long)"/dev/null", 2, 0, 0, 0, 0));
	say("more: access of nothing", lnx_call(33, (long)"/no/such", 0, 0, 0, 0, 0));
	say("more: access with a bad mode", lnx_call(33, (long)"/", 8, 0, 0, 0, 0));
	say("more: faccessat of / from AT_FDCWD", lnx_call(307, -100, (long)"/", 0, 0, 0, 0));
	lnx_call(60, 022, 0, 0, 0, 0, 0);	/* what the host started us with is its own */
	say("more: umask gives back the last one (022)", lnx_call(60, 077, 0, 0, 0, 0, 0));
	long long off = -1;
	long fd = lnx_call(5, (long)"/proc/self/exe", 0, 0, 0, 0, 0);
	say("more: _llseek to 2", lnx_call(140, fd, 0, 2, (long)&off, 0, 0));
	say("more: it says", (long)off);
	say("more: _llseek before the start", lnx_call(140, fd, -1, (long)-10, (long)&off, 1, 0));
	say("more: _llseek of a pipe", lnx_call(140, fds[0], 0, 0, (long)&off, 0, 0));
	say("more: chdir to nothing", lnx_call(12, (long)"/no/such", 0, 0, 0, 0, 0));
	say("more: chdir to a file", lnx_call(12, (long)"/proc/self/exe", 0, 0, 0, 0, 0));
	say("more: open O_DIRECTORY of a file", lnx_call(5, (long)"/proc/self/exe", 0x10000, 0, 0, 0, 0));
}

void __attribute__((noreturn, used))
start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);

	for (long i = 1; i < argc; i++) {
		const char *c = argv[i];

		if (streq(c, "dup"))
			case_dup();
		else if (streq(c, "flow"))
			case_flow();
		else if (streq(c, "epipe"))
			case_epipe();
		else if (streq(c, "cloexec"))
			case_cloexec();
		else if (streq(c, "check"))
			case_check();
		else if (streq(c, "poll"))
			case_poll();
		else if (streq(c, "select"))
			case_select();
		else if (streq(c, "files"))
			case_files();
		else if (streq(c, "more"))
			case_more();
		else if (streq(c, "handoff"))
			case_handoff();
		else if (streq(c, "feed"))
			case_feed();
		else if (streq(c, "feedsig"))
			case_feedsig();
		else if (streq(c, "feedq"))
			case_feedq();
		else if (streq(c, "pollmany"))
			case_pollmany();
		else {
			lnx_puts("fds: unknown case\n");
			lnx_exit(2);
		}
	}
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
