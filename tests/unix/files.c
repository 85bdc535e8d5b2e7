/*
 * A Linux program for the unix suite: files. `files CASE DIR` makes the
 * folder DIR (which must not exist), goes into it and runs CASE there with
 * relative paths only, so that its output is the same on the host (a
 * temporary folder) and under Manifold (a folder on fs's disk): run.py
 * compares the two byte for byte. Nothing printed depends on inode numbers,
 * times that were not set, or the folder's own name.
 */
#include "lnx.h"
#include "util.h"

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0x40
#define O_EXCL 0x80
#define O_TRUNC 0x200
#define O_APPEND 0x400
#define O_DIRECTORY 0x10000
#define O_NOFOLLOW 0x20000
#define O_CLOEXEC 0x80000
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000

struct stat64 {
	unsigned long long dev;
	unsigned pad0, ino32, mode, nlink, uid, gid;
	unsigned long long rdev;
	unsigned pad3;
	long long size;
	unsigned blksize;
	unsigned long long blocks;
	unsigned atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	unsigned long long ino;
} __attribute__((packed));

struct iovec {
	void *base;
	unsigned long len;
};

static long sys(long nr, long a, long b, long c) { return lnx_call(nr, a, b, c, 0, 0, 0); }
static long op(const char *p, long fl, long mode) { return sys(5, (long)p, fl, mode); }
static long rd(long fd, void *b, long n) { return sys(3, fd, (long)b, n); }
static long wr(long fd, const char *s) { return sys(4, fd, (long)s, (long)lnx_strlen(s)); }
static long cl(long fd) { return sys(6, fd, 0, 0); }
static long st64(const char *p, struct stat64 *s) { return sys(195, (long)p, (long)s, 0); }
static long lst64(const char *p, struct stat64 *s) { return sys(196, (long)p, (long)s, 0); }
static long fst64(long fd, struct stat64 *s) { return sys(197, fd, (long)s, 0); }

/* The whole of a small file, printed after label. */
static void
show(const char *label, const char *path)
{
	char b[256];
	long fd = op(path, O_RDONLY, 0), n;

	lnx_puts(label);
	if (fd < 0) {
		say(" open", fd);
		return;
	}
	n = rd(fd, b, sizeof b - 1);
	cl(fd);
	if (n < 0) {
		say(" read", n);
		return;
	}
	b[n] = 0;
	lnx_puts(" [");
	lnx_puts(b);
	lnx_puts("]\n");
}

static void
case_open(void)
{
	long fd;
	char b[64];

	fd = op("f", O_WRONLY | O_CREAT | O_EXCL, 0644);
	yes("open: O_CREAT|O_EXCL makes a file", fd >= 0);
	say("open: write", wr(fd, "hello world\n"));
	say("open: read of a write-only file", rd(fd, b, 4));
	say("open: close", cl(fd));
	say("open: O_EXCL again", op("f", O_WRONLY | O_CREAT | O_EXCL, 0644));
	say("open: a file in no folder", op("none/f", O_RDONLY, 0));
	say("open: O_CREAT in no folder", op("none/f", O_WRONLY | O_CREAT, 0644));
	say("open: O_DIRECTORY of a file", op("f", O_RDONLY | O_DIRECTORY, 0));
	say("open: a folder for writing", op(".", O_WRONLY, 0));
	say("open: a file as a folder", op("f/x", O_RDONLY, 0));
	show("open: what it holds", "f");
	fd = op("f", O_WRONLY | O_APPEND, 0);
	say("open: O_APPEND write", wr(fd, "more\n"));
	say("open: the offset after it (lseek CUR)", sys(19, fd, 0, 1));
	cl(fd);
	show("open: appended", "f");
	fd = op("f", O_RDWR, 0);
	say("open: lseek to 6", sys(19, fd, 6, 0));
	say("open: write there", wr(fd, "WORLD"));
	say("open: lseek END", sys(19, fd, 0, 2));
	say("open: lseek END-5", sys(19, fd, -5, 2));
	say("open: read 64 there", rd(fd, b, 64));
	say("open: read at the end", rd(fd, b, 64));
	say("open: lseek before the start", sys(19, fd, -100, 1));
	say("open: lseek with a bad whence", sys(19, fd, 0, 9));
	long long off = 0;
	say("open: _llseek to 3", lnx_call(140, fd, 0, 3, (long)&off, 0, 0));
	say("open: it says", (long)off);
	say("open: read 3", rd(fd, b, 3));
	b[3] = 0;
	lnx_puts(b);
	lnx_puts("\n");
	say("open: lseek past the end", sys(19, fd, 30, 0));
	say("open: write there (a hole)", wr(fd, "!"));
	cl(fd);
	struct stat64 s;
	say("open: stat64", st64("f", &s));
	say("open: size", (long)s.size);
	fd = op("f", O_RDONLY, 0);
	say("open: read across the hole", rd(fd, b, 64));
	long zeros = 0;
	for (int i = 23; i < 30; i++)
		zeros += b[i] == 0;
	say("open: zeroes in the hole", zeros);
	cl(fd);
	fd = op("f", O_RDWR | O_TRUNC, 0);
	fst64(fd, &s);
	say("open: O_TRUNC leaves size", (long)s.size);
	struct iovec iv[3] = { { "ab", 2 }, { "", 0 }, { "cdef", 4 } };
	say("open: writev", lnx_call(146, fd, (long)iv, 3, 0, 0, 0));
	sys(19, fd, 0, 0);
	char x[3] = { 0 }, y[8] = { 0 };
	struct iovec ir[2] = { { x, 2 }, { y, 7 } };
	long n = lnx_call(145, fd, (long)ir, 2, 0, 0, 0);
	say("open: readv", n);
	lnx_puts(x);
	lnx_puts("|");
	lnx_puts(y);
	lnx_puts("\n");
	cl(fd);
	say("open: O_CREAT without O_EXCL of a file there", cl(op("f", O_WRONLY | O_CREAT, 0600)));
	say("open: O_NOFOLLOW of a file", cl(op("f", O_RDONLY | O_NOFOLLOW, 0)));
}

static void
case_stat(void)
{
	struct stat64 s, t;
	long fd = op("a", O_WRONLY | O_CREAT | O_EXCL, 0640);

	wr(fd, "0123456789");
	say("stat: fstat64", fst64(fd, &s));
	say("stat: mode", s.mode);
	say("stat: size", (long)s.size);
	say("stat: nlink", s.nlink);
	cl(fd);
	say("stat: stat64", st64("a", &t));
	yes("stat: the same inode as fstat's", t.ino == s.ino && t.ino32 == (unsigned)s.ino);
	yes("stat: blocks for 10 bytes", t.blocks > 0);
	say("stat: stat64 of .", st64(".", &t));
	say("stat: its type", t.mode & 0170000);
	say("stat: stat64 of nothing", st64("nothing", &t));
	say("stat: link", sys(9, (long)"a", (long)"b", 0));
	st64("b", &t);
	yes("stat: the link is the same inode", t.ino == s.ino);
	say("stat: its nlink", t.nlink);
	say("stat: link over a file", sys(9, (long)"a", (long)"b", 0));
	say("stat: symlink", sys(83, (long)"a", (long)"l", 0));
	say("stat: lstat64 of it", lst64("l", &t));
	say("stat: its type", t.mode & 0170000);
	say("stat: its size", (long)t.size);
	say("stat: stat64 through it", st64("l", &t));
	say("stat: its type", t.mode & 0170000);
	yes("stat: the target's inode", t.ino == s.ino);
	char b[32] = { 0 };
	say("stat: readlink", sys(85, (long)"l", (long)b, sizeof b));
	lnx_puts(b);
	lnx_puts("\n");
	say("stat: readlink of a file", sys(85, (long)"a", (long)b, sizeof b));
	say("stat: readlinkat", lnx_call(305, AT_FDCWD, (long)"l", (long)b, 1, 0, 0));
	say("stat: a dangling symlink", sys(83, (long)"gone", (long)"d", 0));
	say("stat: stat64 through it", st64("d", &t));
	say("stat: lstat64 of it", lst64("d", &t));
	say("stat: O_NOFOLLOW open of a symlink", op("l", O_RDONLY | O_NOFOLLOW, 0));
	say("stat: fstatat64 NOFOLLOW", lnx_call(300, AT_FDCWD, (long)"l", (long)&t, AT_SYMLINK_NOFOLLOW, 0, 0));
	say("stat: its type", t.mode & 0170000);
	fd = op(".", O_RDONLY | O_DIRECTORY, 0);
	say("stat: fstatat64 from a folder's descriptor", lnx_call(300, fd, (long)"a", (long)&t, 0, 0, 0));
	say("stat: its size", (long)t.size);
	say("stat: fstatat64 AT_EMPTY_PATH", lnx_call(300, fd, (long)"", (long)&t, AT_EMPTY_PATH, 0, 0));
	say("stat: its type", t.mode & 0170000);
	say("stat: fstatat64 bad flags", lnx_call(300, fd, (long)"a", (long)&t, 0x8000000, 0, 0));
	cl(fd);
	struct {
		unsigned mask, blksize;
		unsigned long long attributes;
		unsigned nlink, uid, gid;
		unsigned short mode, pad;
		unsigned long long ino, size, blocks, amask;
		struct { long long sec; unsigned nsec; int pad; } t[4];
		unsigned char rest[144];
	} x;
	say("stat: statx", lnx_call(383, AT_FDCWD, (long)"a", 0, 0x7ff, (long)&x, 0));
	say("stat: its size", (long)x.size);
	say("stat: its nlink", x.nlink);
	yes("stat: its inode", x.ino == s.ino);
	/* times: set, then read back */
	struct { long sec, nsec; } ts[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
	say("stat: utimensat", lnx_call(320, AT_FDCWD, (long)"a", (long)ts, 0, 0, 0));
	st64("a", &t);
	say("stat: atime", t.atime);
	say("stat: mtime", t.mtime);
	ts[0].nsec = (1 << 30) - 2;	/* UTIME_OMIT */
	ts[1].sec = 1300000000;
	fd = op("a", O_RDONLY, 0);
	say("stat: utimensat of a descriptor, atime omitted", lnx_call(320, fd, 0, (long)ts, 0, 0, 0));
	cl(fd);
	st64("a", &t);
	say("stat: atime", t.atime);
	say("stat: mtime", t.mtime);
	ts[1].nsec = 2000000000;
	say("stat: utimensat with a bad nsec", lnx_call(320, AT_FDCWD, (long)"a", (long)ts, 0, 0, 0));
	say("stat: utimensat of nothing", lnx_call(320, AT_FDCWD, (long)"zz", 0, 0, 0, 0));
}

/* getdents64's names, sorted, one line */
static void
list(const char *label, long fd, long bufsize)
{
	static char buf[4096];
	static char names[64][64];
	int n = 0;
	long got;

	while ((got = sys(220, fd, (long)buf, bufsize)) > 0) {
		for (long at = 0; at < got;) {
			unsigned short reclen = *(unsigned short *)(buf + at + 16);
			const char *nm = buf + at + 19;
			int k = 0;

			if (n < 64) {
				while (nm[k] && k < 63)
					names[n][k] = nm[k], k++;
				names[n][k] = 0;
				n++;
			}
			at += reclen;
		}
	}
	for (int i = 0; i < n; i++)		/* sort: a few names */
		for (int j = i + 1; j < n; j++) {
			int c = 0;
			while (names[i][c] && names[i][c] == names[j][c])
				c++;
			if ((unsigned char)names[i][c] > (unsigned char)names[j][c])
				for (int k = 0; k < 64; k++) {
					char t = names[i][k];
					names[i][k] = names[j][k], names[j][k] = t;
				}
		}
	lnx_puts(label);
	for (int i = 0; i < n; i++) {
		lnx_puts(" ");
		lnx_puts(names[i]);
	}
	lnx_puts("\n");
	say("  the last getdents64", got);
}

static void
case_dirs(void)
{
	long fd;
	char b[512];

	say("dirs: mkdir", sys(39, (long)"d", 0755, 0));
	say("dirs: mkdir again", sys(39, (long)"d", 0755, 0));
	say("dirs: mkdir in no folder", sys(39, (long)"x/y", 0755, 0));
	say("dirs: mkdirat", lnx_call(296, AT_FDCWD, (long)"d/e", 0700, 0, 0, 0));
	cl(op("d/f1", O_CREAT | O_WRONLY, 0644));
	cl(op("d/f2", O_CREAT | O_WRONLY, 0644));
	for (int i = 0; i < 30; i++) {
		char nm[] = "d/many-a-long-name-00";
		nm[19] = (char)('0' + i / 10), nm[20] = (char)('0' + i % 10);
		cl(op(nm, O_CREAT | O_WRONLY, 0644));
	}
	fd = op("d", O_RDONLY | O_DIRECTORY, 0);
	list("dirs: d holds", fd, 4096);
	say("dirs: lseek to the start", sys(19, fd, 0, 0));
	list("dirs: d again, 100 bytes a call", fd, 100);
	say("dirs: getdents64 with no room", sys(220, fd, (long)b, 8));
	say("dirs: read of a folder", rd(fd, b, 10));
	say("dirs: openat d/e's f3 from d's descriptor", cl(lnx_call(295, fd, (long)"e/f3", O_CREAT | O_WRONLY, 0600, 0, 0)));
	say("dirs: fchdir", sys(133, fd, 0, 0));
	show("dirs: then a relative open", "e/f3");
	long n = sys(183, (long)b, sizeof b, 0);
	yes("dirs: getcwd's length counts the NUL", n == (long)lnx_strlen(b) + 1);
	n = (long)lnx_strlen(b);
	lnx_puts("dirs: its last two words ");
	int slashes = 0, at = (int)n;
	while (at > 0 && slashes < 2)
		if (b[--at] == '/')
			slashes++;
	lnx_puts(b + at);
	lnx_puts("\n");
	say("dirs: getcwd with no room", sys(183, (long)b, 2, 0));
	say("dirs: chdir e", sys(12, (long)"e", 0, 0));
	say("dirs: chdir ../..", sys(12, (long)"../..", 0, 0));
	cl(fd);
	fd = op("d/f1", O_RDONLY, 0);
	say("dirs: getdents64 of a file", sys(220, fd, (long)b, sizeof b));
	say("dirs: fchdir to a file", sys(133, fd, 0, 0));
	cl(fd);
	say("dirs: chdir to a file", sys(12, (long)"d/f1", 0, 0));
	say("dirs: rmdir of a full folder", sys(40, (long)"d", 0, 0));
	say("dirs: rmdir of a file", sys(40, (long)"d/f1", 0, 0));
	say("dirs: unlink of a folder", sys(10, (long)"d/e", 0, 0));
	say("dirs: unlink", sys(10, (long)"d/f1", 0, 0));
	say("dirs: unlink again", sys(10, (long)"d/f1", 0, 0));
	say("dirs: unlinkat", lnx_call(301, AT_FDCWD, (long)"d/e/f3", 0, 0, 0, 0));
	say("dirs: unlinkat AT_REMOVEDIR", lnx_call(301, AT_FDCWD, (long)"d/e", AT_REMOVEDIR, 0, 0, 0));
	say("dirs: unlinkat bad flags", lnx_call(301, AT_FDCWD, (long)"d/f2", 1, 0, 0, 0));
	fd = op("d", O_RDONLY | O_DIRECTORY, 0);
	list("dirs: d now holds", fd, 4096);
	cl(fd);
	say("dirs: rename a file", sys(38, (long)"d/f2", (long)"g", 0));
	show("dirs: it is there", "g");
	say("dirs: rename over a file", sys(38, (long)"d/many-a-long-name-00", (long)"g", 0));
	say("dirs: rename a folder", sys(38, (long)"d", (long)"d2", 0));
	say("dirs: rename into itself", sys(38, (long)"d2", (long)"d2/in", 0));
	say("dirs: rename of nothing", sys(38, (long)"nothing", (long)"g2", 0));
	say("dirs: renameat", lnx_call(302, AT_FDCWD, (long)"g", AT_FDCWD, (long)"h", 0, 0));
	say("dirs: renameat2 with a flag", lnx_call(353, AT_FDCWD, (long)"h", AT_FDCWD, (long)"i", 8, 0));
	fd = op(".", O_RDONLY | O_DIRECTORY, 0);
	list("dirs: . holds", fd, 4096);
	cl(fd);
}

static void
case_modes(void)
{
	struct stat64 s;

	lnx_call(60, 027, 0, 0, 0, 0, 0);
	say("modes: umask gives the last (027)", sys(60, 022, 0, 0));
	sys(60, 027, 0, 0);
	cl(op("f", O_CREAT | O_WRONLY, 0666));
	st64("f", &s);
	say("modes: a file made 0666 under umask 027", s.mode);
	sys(39, (long)"d", 0777, 0);
	st64("d", &s);
	say("modes: a folder made 0777", s.mode);
	say("modes: chmod 0755", sys(15, (long)"f", 0755, 0));
	st64("f", &s);
	say("modes: now", s.mode);
	long fd = op("f", O_RDONLY, 0);
	say("modes: fchmod 0600", sys(94, fd, 0600, 0));
	fst64(fd, &s);
	say("modes: now", s.mode);
	cl(fd);
	say("modes: fchmodat 04711", lnx_call(306, AT_FDCWD, (long)"f", 04711, 0, 0, 0));
	st64("f", &s);
	say("modes: now", s.mode);
	say("modes: chmod of nothing", sys(15, (long)"nothing", 0644, 0));
	say("modes: access F_OK", sys(33, (long)"f", 0, 0));
	say("modes: access X_OK", sys(33, (long)"f", 1, 0));
	sys(15, (long)"f", 0644, 0);
	say("modes: access X_OK of 0644 (root: no x bit)", sys(33, (long)"f", 1, 0));
	say("modes: access of nothing", sys(33, (long)"nothing", 0, 0));
	say("modes: faccessat of a folder X_OK", lnx_call(307, AT_FDCWD, (long)"d", 1, 0, 0, 0));
}

static void
case_trunc(void)
{
	struct stat64 s;
	char b[32];
	long fd = op("t", O_RDWR | O_CREAT, 0644);

	wr(fd, "0123456789");
	say("trunc: ftruncate to 4", sys(93, fd, 4, 0));
	fst64(fd, &s);
	say("trunc: size", (long)s.size);
	say("trunc: the offset stays", sys(19, fd, 0, 1));
	say("trunc: truncate to 8 (grows)", sys(92, (long)"t", 8, 0));
	sys(19, fd, 0, 0);
	say("trunc: read", rd(fd, b, sizeof b));
	say("trunc: byte 3", b[3]);
	say("trunc: byte 6 (zero)", b[6]);
	say("trunc: ftruncate64 to 2", lnx_call(194, fd, 2, 0, 0, 0, 0));
	fst64(fd, &s);
	say("trunc: size", (long)s.size);
	say("trunc: truncate64 to 5", lnx_call(193, (long)"t", 5, 0, 0, 0, 0));
	st64("t", &s);
	say("trunc: size", (long)s.size);
	say("trunc: ftruncate to -1", sys(93, fd, -1, 0));
	say("trunc: fsync", sys(118, fd, 0, 0));
	say("trunc: fdatasync", sys(148, fd, 0, 0));
	cl(fd);
	fd = op("t", O_RDONLY, 0);
	say("trunc: ftruncate of a read-only descriptor", sys(93, fd, 0, 0));
	cl(fd);
	fd = op(".", O_RDONLY | O_DIRECTORY, 0);
	say("trunc: ftruncate of a folder", sys(93, fd, 0, 0));
	cl(fd);
	say("trunc: truncate of nothing", sys(92, (long)"nothing", 0, 0));
	say("trunc: truncate of a folder", sys(92, (long)".", 0, 0));
	int p[2];
	sys(42, (long)p, 0, 0);
	say("trunc: fsync of a pipe", sys(118, p[0], 0, 0));
	say("trunc: fsync of a closed descriptor", sys(118, 99, 0, 0));
}

/* fork: the child shares the open file and its offset; close-on-exec goes at exec */
static void
case_fork(const char *self)
{
	long fd = op("shared", O_RDWR | O_CREAT | O_TRUNC, 0644), pid;
	int status = 0;

	wr(fd, "parent1 ");
	pid = sys(2, 0, 0, 0);
	if (pid == 0) {
		wr(fd, "child ");
		lnx_exit(0);
	}
	lnx_call(114, pid, (long)&status, 0, 0, 0, 0);
	say("fork: the child's status", status);
	say("fork: the offset the child moved", sys(19, fd, 0, 1));
	wr(fd, "parent2");
	cl(fd);
	show("fork: the file", "shared");
	fd = op("shared", O_RDONLY | O_CLOEXEC, 0);
	long keep = op("shared", O_RDONLY, 0);
	say("fork: FD_CLOEXEC of the O_CLOEXEC one", sys(221, fd, 1, 0));
	pid = sys(2, 0, 0, 0);
	if (pid == 0) {
		char fa[4] = { (char)('0' + fd), 0 }, fb[4] = { (char)('0' + keep), 0 };
		char *argv[] = { "files", "execd", fa, fb, 0 };
		sys(11, (long)self, (long)argv, 0);
		lnx_exit(99);
	}
	lnx_call(114, pid, (long)&status, 0, 0, 0, 0);
	say("fork: the exec'd child's status", status);
}

static void
case_execd(char **argv)
{
	char b[8] = { 0 };
	long a = argv[2][0] - '0', k = argv[3][0] - '0';

	say("execd: read of the close-on-exec descriptor", rd(a, b, 7));
	say("execd: read of the kept one", rd(k, b, 7));
	lnx_puts(b);
	lnx_puts("\n");
}

/* Unlinked while open: the bytes stay readable through the descriptor. */
/*
 * Whether fd's link in /proc/self/fd is the folder's path, "/", name, then
 * tail ("" or " (deleted)"): the folder's own name differs between the
 * host and the guest, so only the match is printed.
 */
static int
fd_link_is(long fd, const char *name, const char *tail)
{
	char path[32] = "/proc/self/fd/", want[512], got[512];
	long n = sys(183, (long)want, sizeof want - 64, 0), k;
	int i = 14;

	if (n <= 0)
		return 0;
	if (fd >= 10)
		path[i++] = (char)('0' + fd / 10);
	path[i++] = (char)('0' + fd % 10);
	path[i] = 0;
	i = (int)lnx_strlen(want);
	want[i++] = '/';
	while (*name)
		want[i++] = *name++;
	while (*tail)
		want[i++] = *tail++;
	want[i] = 0;
	if ((k = sys(85, (long)path, (long)got, sizeof got - 1)) < 0)
		return 0;
	got[k] = 0;
	return streq(got, want);
}

static void
case_unlinked(void)
{
	char b[16] = { 0 };
	long fd = op("u", O_RDWR | O_CREAT, 0644), fd2, fd3;
	struct stat64 s;

	wr(fd, "still here");
	yes("unlinked: its fd links to its path", fd_link_is(fd, "u", ""));
	say("unlinked: unlink", sys(10, (long)"u", 0, 0));
	yes("unlinked: then to its path and \" (deleted)\"", fd_link_is(fd, "u", " (deleted)"));
	say("unlinked: stat64 of the name", st64("u", &s));
	sys(19, fd, 0, 0);
	say("unlinked: read through the descriptor", rd(fd, b, 15));
	lnx_puts(b);
	lnx_puts("\n");
	say("unlinked: fstat64", fst64(fd, &s));
	say("unlinked: its nlink", s.nlink);
	say("unlinked: close", cl(fd));
	fd2 = op("v", O_RDWR | O_CREAT, 0644);
	say("unlinked: link v w", sys(9, (long)"v", (long)"w", 0));
	say("unlinked: unlink v", sys(10, (long)"v", 0, 0));
	yes("unlinked: v's fd, its other name w left, links to v \" (deleted)\"", fd_link_is(fd2, "v", " (deleted)"));
	fd3 = op("x", O_RDWR | O_CREAT, 0644);
	say("unlinked: rename w onto x", sys(38, (long)"w", (long)"x", 0));
	yes("unlinked: x's first fd links to x \" (deleted)\"", fd_link_is(fd3, "x", " (deleted)"));
	cl(fd2);
	cl(fd3);
	fd3 = op("x", O_RDONLY, 0);
	yes("unlinked: a new fd of x links to x", fd_link_is(fd3, "x", ""));
	cl(fd3);
	say("unlinked: unlink x", sys(10, (long)"x", 0, 0));
	long d = op(".", O_RDONLY | O_DIRECTORY, 0);
	list("unlinked: . holds", d, 4096);
	cl(d);
}

#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20

static long mm(long len, long prot, long flags, long fd, long pgoff) { return lnx_call(192, 0, len, prot, flags, fd, pgoff); }
static int bad(long r) { return r < 0 && r > -4096; }

/* n bytes at p, printed after label */
static void
bytes(const char *label, const char *p, long n)
{
	lnx_puts(label);
	lnx_puts(" [");
	lnx_write(p, (unsigned long)n);
	lnx_puts("]\n");
}

/* mmap2 of files: private read-only and copy-on-write, shared read and write, a page past the first, errors */
static void
case_mmap(void)
{
	static char page[4096 + 10];
	long fd = op("m", O_RDWR | O_CREAT, 0644), ro, wo, pf[2];
	char *a, *b, *c, *d;

	for (int i = 0; i < 4096; i++)
		page[i] = (char)('a' + i % 26);
	lnx_call(4, fd, (long)page, 4096, 0, 0, 0);
	lnx_call(4, fd, (long)"second page", 11, 0, 0, 0);
	ro = op("m", O_RDONLY, 0);
	a = (char *)mm(8192, PROT_READ, MAP_PRIVATE, ro, 0);
	yes("mmap: MAP_PRIVATE, PROT_READ", !bad((long)a));
	if (bad((long)a))
		return;
	bytes("mmap: its first bytes", a, 8);
	bytes("mmap: the second page's", a + 4096, 11);
	yes("mmap: past the end of the file, zeroes", a[4096 + 11] == 0 && a[8191] == 0);
	b = (char *)mm(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 1);
	yes("mmap: MAP_PRIVATE writable of a file open read-only, from page 1", !bad((long)b));
	if (bad((long)b))
		return;
	bytes("mmap: what it maps", b, 11);
	b[0] = 'S';
	bytes("mmap: written in the mapping", b, 11);
	show("mmap: the file is not written", "m");
	c = (char *)mm(4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yes("mmap: MAP_SHARED writable", !bad((long)c));
	if (bad((long)c))
		return;
	c[0] = 'X', c[1] = 'Y';
	d = (char *)mm(4096, PROT_READ, MAP_SHARED, ro, 0);
	yes("mmap: a second MAP_SHARED of it", !bad((long)d));
	if (!bad((long)d))
		bytes("mmap: sees the first one's stores", d, 4);
	char r4[4] = { 0 };
	lnx_call(180, fd, (long)r4, 4, 0, 0, 0);	/* pread64 at 0 */
	bytes("mmap: and so does read", r4, 4);
	lnx_call(181, fd, (long)"QQ", 2, 2, 0, 0);	/* pwrite64 at 2 */
	bytes("mmap: a write shows in the mapping", c, 4);
	say("mmap: the offset after pread64 and pwrite64, as it was", sys(19, fd, 0, 1));
	say("mmap: munmap", sys(91, (long)c, 4096, 0));
	say("mmap: msync-less close", cl(fd));
	show("mmap: the file after", "m");
	wo = op("m", O_WRONLY, 0);
	say("mmap: of a file open write-only", mm(4096, PROT_READ, MAP_PRIVATE, wo, 0));
	say("mmap: MAP_SHARED writable of a file open read-only", mm(4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
	say("mmap: of a closed descriptor", mm(4096, PROT_READ, MAP_PRIVATE, 77, 0));
	sys(42, (long)pf, 0, 0);
	say("mmap: of a pipe", mm(4096, PROT_READ, MAP_PRIVATE, pf[0], 0));
	say("mmap: pread64 of a pipe", lnx_call(180, pf[0], (long)r4, 1, 0, 0, 0));
	long dir = op(".", O_RDONLY | O_DIRECTORY, 0);
	say("mmap: of a folder", mm(4096, PROT_READ, MAP_PRIVATE, dir, 0));
	say("mmap: neither private nor shared", mm(4096, PROT_READ, 0, ro, 0));
}

void __attribute__((noreturn, used))
start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	const char *c = argc > 1 ? argv[1] : "";

	if (streq(c, "execd")) {
		case_execd(argv);
		lnx_exit(0);
	}
	if (argc != 3) {
		lnx_puts("usage: files CASE DIR\n");
		lnx_exit(2);
	}
	say("files: mkdir of the folder", sys(39, (long)argv[2], 0755, 0));
	say("files: chdir into it", sys(12, (long)argv[2], 0, 0));
	sys(60, 022, 0, 0);
	if (streq(c, "open"))
		case_open();
	else if (streq(c, "stat"))
		case_stat();
	else if (streq(c, "dirs"))
		case_dirs();
	else if (streq(c, "modes"))
		case_modes();
	else if (streq(c, "trunc"))
		case_trunc();
	else if (streq(c, "fork"))
		case_fork("/proc/self/exe");
	else if (streq(c, "unlinked"))
		case_unlinked();
	else if (streq(c, "mmap"))
		case_mmap();
	else {
		lnx_puts("files: unknown case\n");
		lnx_exit(2);
	}
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
