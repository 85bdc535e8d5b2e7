/*
 * A Linux program for the unix suite: random sequences of file calls with
 * plausible arguments (paths from a small table, descriptors it opened,
 * Linux's flags), one line per call with its answer (and what a read,
 * readlink or stat gave), so that run.py can compare the run under Manifold
 * with the same run on the host line by line. `callfuzz SEED N DIR` makes
 * DIR and works inside it with relative paths only. Left out are calls whose
 * answers differ by design rather than by mistake: lseek on a folder
 * (Linux's offsets are the file system's hash cookies), SEEK_DATA and
 * SEEK_HOLE (fs cannot say where a file's holes are: the server sees none,
 * where Linux finds a file truncate made longer all hole) and getcwd (the
 * folders' own names differ).
 */
#include "lnx.h"
#include "util.h"

static unsigned long seed;

static unsigned long
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static const char *const paths[] = { "a", "b", "c", "d", "d/a", "d/b", "d/e", "d/e/f", "l1", "l2", "x/y",
				      "", ".", "d/..", "a/", "d/", "d/e/.." };
#define NPATHS (sizeof paths / sizeof paths[0])

/* The call's arguments as words, printed with its answer (so that a difference says which call it was). */
static char args[160];
static unsigned nargs_;

static void
note(const char *w)
{
	while (*w && nargs_ < sizeof args - 2)
		args[nargs_++] = *w++;
	args[nargs_++] = ' ';
	args[nargs_] = 0;
}

static void
note_num(long v)
{
	char b[16];
	int i = 15, neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;

	b[i] = 0;
	do
		b[--i] = (char)('0' + u % 8);	/* octal: modes and flags read best so */
	while (u /= 8);
	if (neg)
		b[--i] = '-';
	note(b + i);
}

static const char *
path(void)
{
	const char *p = paths[rnd() % NPATHS];

	note(*p ? p : "''");
	return p;
}

static long fd(void) { unsigned long k = rnd() % 20; long f = k < 17 ? 3 + (long)k % 10 : k == 17 ? -1 : 99; note_num(f); return f; }
static long mode(void) { static const long m[] = { 0644, 0755, 0600, 0777, 0, 04755, 0444 }; long v = m[rnd() % 7]; note_num(v); return v; }
static long num(long v) { note_num(v); return v; }

static long
oflags(void)
{
	static const long bits[] = { 0x40 /* CREAT */, 0x80 /* EXCL */, 0x200 /* TRUNC */, 0x400 /* APPEND */,
				     0x10000 /* DIRECTORY */, 0x20000 /* NOFOLLOW */, 0x80000 /* CLOEXEC */ };
	long f = (long)(rnd() % 3);

	for (unsigned i = 0; i < 7; i++)
		if (rnd() % 4 == 0)
			f |= bits[i];
	if ((f & 0x40) && (f & 0x10000))
		f &= ~0x10000;	/* O_CREAT|O_DIRECTORY: Linux's answer changed across versions */
	return num(f);
}

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

static char buf[4096];

static unsigned long
sum(const char *b, long n)
{
	unsigned long h = 5381;

	for (long i = 0; i < n; i++)
		h = h * 33 + (unsigned char)b[i];
	return h % 100000;
}

static int
is_dir(long f)
{
	struct stat64 s;

	return lnx_call(197, f, (long)&s, 0, 0, 0, 0) == 0 && (s.mode & 0170000) == 0040000;
}

static void
line(long i, long nr, long r)
{
	put_num(i);
	lnx_puts(" ");
	put_num(nr);
	lnx_puts(" ");
	put_num(r);
	lnx_puts(" (");
	lnx_puts(args);
	lnx_puts(")");
}

static void
one(long i)
{
	static const long calls[] = { 5, 5, 5, 6, 3, 4, 4, 19, 10, 39, 40, 38, 9, 83, 85, 92, 93, 15, 94, 195, 196,
				      197, 33, 12, 41, 63, 118, 220, 295, 301, 302, 140 };
	long nr = calls[rnd() % (sizeof calls / sizeof calls[0])], r;
	struct stat64 s;
	long long off;

	nargs_ = 0;
	args[0] = 0;
	switch (nr) {
	case 5:
	case 295: {
		const char *pa = path();
		long fl = oflags(), m = mode();
		r = nr == 5 ? lnx_call(5, (long)pa, fl, m, 0, 0, 0) : lnx_call(295, -100, (long)pa, fl, m, 0, 0);
		break;
	}
	case 6: r = lnx_call(6, fd(), 0, 0, 0, 0, 0); break;
	case 3: {
		long f = fd(), n = num((long)(rnd() % 100));
		r = lnx_call(3, f, (long)buf, n, 0, 0, 0);
		line(i, nr, r);
		if (r > 0) {
			lnx_puts(" sum ");
			put_num((long)sum(buf, r));
		}
		lnx_puts("\n");
		return;
	}
	case 4: {
		long n = num((long)(rnd() % 64));
		for (long k = 0; k < n; k++)
			buf[k] = (char)('a' + (i + k) % 26);
		r = lnx_call(4, fd(), (long)buf, n, 0, 0, 0);
		break;
	}
	case 19:
	case 140: {
		static const long whences[] = { 0, 1, 2, 5 };	/* SET, CUR, END, and one of nothing */
		long f = fd(), o = num((long)(rnd() % 120) - 20), w = num(whences[rnd() % 4]);
		if (is_dir(f)) {
			line(i, nr, 0);
			lnx_puts(" a folder: left out\n");
			return;
		}
		r = nr == 19 ? lnx_call(19, f, o, w, 0, 0, 0) : lnx_call(140, f, o < 0 ? -1 : 0, o, (long)&off, w, 0);
		break;
	}
	case 10: r = lnx_call(10, (long)path(), 0, 0, 0, 0, 0); break;
	case 301: r = lnx_call(301, -100, (long)path(), num(rnd() % 2 ? 0x200 : 0), 0, 0, 0); break;
	case 39: r = lnx_call(39, (long)path(), mode(), 0, 0, 0, 0); break;
	case 40: r = lnx_call(40, (long)path(), 0, 0, 0, 0, 0); break;
	case 38:
	case 302:
	case 9:
	case 83: {
		const char *from = path(), *to = path();	/* in this order: the arguments' order is C's to choose */
		r = nr == 302 ? lnx_call(302, -100, (long)from, -100, (long)to, 0, 0)
			      : lnx_call(nr, (long)from, (long)to, 0, 0, 0, 0);
		break;
	}
	case 85: {
		r = lnx_call(85, (long)path(), (long)buf, 64, 0, 0, 0);
		line(i, nr, r);
		if (r > 0) {
			buf[r] = 0;
			lnx_puts(" ");
			lnx_puts(buf);
		}
		lnx_puts("\n");
		return;
	}
	case 92: r = lnx_call(92, (long)path(), num((long)(rnd() % 80)), 0, 0, 0, 0); break;
	case 93: r = lnx_call(93, fd(), num((long)(rnd() % 80)), 0, 0, 0, 0); break;
	case 15: r = lnx_call(15, (long)path(), mode(), 0, 0, 0, 0); break;
	case 94: r = lnx_call(94, fd(), mode(), 0, 0, 0, 0); break;
	case 195:
	case 196:
	case 197:
		r = nr == 197 ? lnx_call(197, fd(), (long)&s, 0, 0, 0, 0) : lnx_call(nr, (long)path(), (long)&s, 0, 0, 0, 0);
		line(i, nr, r);
		if (r == 0) {
			lnx_puts(" mode ");
			put_num(s.mode);
			lnx_puts(" nlink ");
			put_num((s.mode & 0170000) == 0040000 ? 0 : s.nlink);	/* a folder's: ext2 and the host count alike? not always */
			lnx_puts(" size ");
			put_num((s.mode & 0170000) == 0040000 ? 0 : (long)s.size);	/* a folder's size is the file system's */
		}
		lnx_puts("\n");
		return;
	case 33: r = lnx_call(33, (long)path(), num((long)(rnd() % 8)), 0, 0, 0, 0); break;
	case 12: r = lnx_call(12, (long)path(), 0, 0, 0, 0, 0); break;
	case 41: r = lnx_call(41, fd(), 0, 0, 0, 0, 0); break;
	case 63: {
		long a = fd(), b = fd();
		r = lnx_call(63, a, b, 0, 0, 0, 0);
		break;
	}
	case 118: r = lnx_call(118, fd(), 0, 0, 0, 0, 0); break;
	case 220: {
		long f = fd();
		r = lnx_call(220, f, (long)buf, sizeof buf, 0, 0, 0);
		line(i, nr, r);
		lnx_puts("\n");
		return;
	}
	default: r = 0;
	}
	line(i, nr, r);
	lnx_puts("\n");
}

void __attribute__((noreturn, used))
start_c(long *sp)
{
	char **argv = (char **)(sp + 1);
	long n = 0;

	if (sp[0] != 4) {
		lnx_puts("usage: callfuzz SEED N DIR\n");
		lnx_exit(2);
	}
	for (const char *c = argv[1]; *c; c++)
		seed = seed * 10 + (unsigned long)(*c - '0');
	seed = seed ? seed : 1;
	for (const char *c = argv[2]; *c; c++)
		n = n * 10 + (*c - '0');
	if (lnx_call(39, (long)argv[3], 0755, 0, 0, 0, 0) != 0 || lnx_call(12, (long)argv[3], 0, 0, 0, 0, 0) != 0) {
		lnx_puts("callfuzz: cannot make the folder\n");
		lnx_exit(1);
	}
	lnx_call(60, 022, 0, 0, 0, 0, 0);
	for (long i = 0; i < n; i++) {
		one(i);
		/*
		 * fd() names 3-12 and 99, so what dup and open put higher stays open: closed
		 * here (silently, in both runs) every 256 calls, so that a long run meets
		 * neither descriptor table's limit (the server's 256, the host's 1,024) nor
		 * fs's quota of open files for the Unix server. And back to DIR: chdir only
		 * goes deeper, and a path of the server's is at most 1,024 bytes (fs's
		 * limit) where Linux's working directory has no length (seed 41 went past
		 * it near call 35,676).
		 */
		if (i % 256 == 255) {
			for (long f = 13; f < 256; f++)
				if (f != 99)
					lnx_call(6, f, 0, 0, 0, 0, 0);
			lnx_call(12, (long)argv[3], 0, 0, 0, 0, 0);
		}
	}
	lnx_puts("callfuzz: done\n");
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
