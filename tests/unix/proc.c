/*
 * A Linux program for the unix suite: processes. Each argument names a case
 * (fork, vfork, clone, spawn, wait, segv, reparent, pgrp, exec, many, applet,
 * script, echoargs, procfs, procmore, procpaths, cputime, statlines, adjtimex); each prints what it saw in words that do not depend on pid
 * values, so that run.py can compare the output with the same binary's on
 * the host (script is the guest's only: the host has no /bin/hello.sh; and
 * clonevm, which the host would answer with a thread; and settime and
 * adjtime: the host's time is not ours to set).
 * Raw system calls only, no libc (lnx.h).
 */
#include "lnx.h"
#include "util.h"

#define WNOHANG 1
#define SIGCHLD 17
#define CLONE_CHILD_SETTID 0x01000000

static long sys0(long nr) { return lnx_call(nr, 0, 0, 0, 0, 0, 0); }
static long getpid(void) { return sys0(20); }
static long getppid(void) { return sys0(64); }
static long fork(void) { return sys0(2); }
static long wait4(long pid, int *st, long opt) { return lnx_call(114, pid, (long)st, opt, 0, 0, 0); }
static long getpgid(long pid) { return lnx_call(132, pid, 0, 0, 0, 0, 0); }
static long setpgid(long pid, long pg) { return lnx_call(57, pid, pg, 0, 0, 0, 0); }
static long getsid(long pid) { return lnx_call(147, pid, 0, 0, 0, 0, 0); }
static long
execve(const char *path, char **argv, char **envp)
{
	return lnx_call(11, (long)path, (long)argv, (long)envp, 0, 0, 0);
}

static void
case_fork(void)
{
	static volatile int x = 5;
	long parent = getpid(), pid;
	int st = -1;

	pid = fork();
	if (pid == 0) {
		x = 6;
		lnx_exit(getppid() == parent && x == 6 ? 7 : 1);
	}
	yes("fork: the parent got a pid", pid > 0);
	yes("fork: wait4 gave that child", wait4(pid, &st, 0) == pid);
	say("fork: wait status", st);
	yes("fork: the parent's memory is its own", x == 5);
	say("fork: wait4 with no child left", wait4(-1, &st, 0));
}

static void
case_vfork(void)
{
	long pid = sys0(190);
	int st = -1;

	if (pid == 0) {
		lnx_puts("vfork: the child runs first\n");
		lnx_exit(3);
	}
	lnx_puts("vfork: then the parent\n");
	yes("vfork: wait4 gave the child", wait4(pid, &st, 0) == pid);
	say("vfork: wait status", st);
}

static void
case_clone(void)
{
	static int tid;
	long pid = lnx_call(120, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, 0, (long)&tid, 0);
	int st = -1;

	if (pid == 0)
		lnx_exit(tid == getpid() ? 9 : 1);
	yes("clone: wait4 gave the child", wait4(-1, &st, 0) == pid);
	say("clone: wait status (9: the child found its tid written)", st);
	yes("clone: the parent's copy of tid untouched", tid == 0);
}

/*
 * clone(CLONE_VM | CLONE_VFORK | SIGCHLD, stack), posix_spawn's way: the
 * child runs on the new stack and must touch nothing, so it is assembly: it
 * exits with 42 at once; the parent returns the child's pid.
 */
long spawn_asm(void *stack_top);
__asm__(".globl spawn_asm\nspawn_asm:\n"
	"\tpush %ebx\n\tmov 8(%esp), %ecx\n\tmov $0x4111, %ebx\n"	/* CLONE_VM | CLONE_VFORK | SIGCHLD */
	"\txor %edx, %edx\n\tpush %esi\n\tpush %edi\n\txor %esi, %esi\n\txor %edi, %edi\n"
	"\tmov $120, %eax\n\tint $0x80\n"
	"\ttest %eax, %eax\n\tjnz 1f\n"
	"\tmov $42, %ebx\n\tmov $252, %eax\n\tint $0x80\n"	/* the child: exit_group(42) */
	"1:\tpop %edi\n\tpop %esi\n\tpop %ebx\n\tret\n");

static void
case_spawn(void)
{
	static char stack[8192] __attribute__((aligned(16)));
	long pid = spawn_asm(stack + sizeof stack);
	int st = -1;

	yes("spawn: clone(CLONE_VM | CLONE_VFORK) made a child", pid > 0);
	yes("spawn: wait4 gave it", wait4(pid, &st, 0) == pid);
	say("spawn: its status", st);
}

static void
case_wait(void)
{
	long pid = fork(), r;
	int st = -1;

	if (pid == 0) {
		sleep_ms(200);
		lnx_exit(4);
	}
	say("wait: WNOHANG while the child sleeps", wait4(pid, &st, WNOHANG));
	say("wait: unknown options", wait4(pid, &st, 0x100));
	say("wait: a pid that is no child", wait4(1, &st, 0));
	r = wait4(0, &st, 0);
	yes("wait: pid 0 (my group) waited for the child", r == pid);
	say("wait: status", st);
	pid = fork();
	if (pid == 0)
		lnx_exit(5);
	say("wait: a bad status pointer", wait4(-1, (int *)4, 0));
	say("wait: and the child went all the same", wait4(-1, &st, 0));
	pid = fork();
	if (pid == 0)
		lnx_exit(6);
	r = lnx_call(7, -1, (long)&st, 0, 0, 0, 0);
	yes("waitpid: gave the child", r == pid);
	say("waitpid: status", st);
}

static void
case_segv(void)
{
	long pid = fork();
	int st = -1;

	if (pid == 0)
		*(volatile int *)0 = 1;
	yes("segv: wait4 gave the child", wait4(pid, &st, 0) == pid);
	say("segv: terminated by signal", st & 0x7F);
}

static void
case_reparent(void)
{
	long child = fork();
	int st;

	if (child == 0) {
		long me = getpid();

		if (fork() == 0) {
			int i = 0;

			while (getppid() == me && i++ < 1000)
				sleep_ms(5);
			yes("reparent: the grandchild has a new parent once its own ended", getppid() != me);
			lnx_exit(0);
		}
		lnx_exit(0);
	}
	wait4(child, &st, 0);
	lnx_exit(st == 0 ? 0 : 1);
}

static void
case_pgrp(void)
{
	long me = getpid(), pid;
	int st = -1;

	yes("pgrp: getpgid(0) is getpgrp()", getpgid(0) == sys0(65));
	say("pgrp: setpgid(0, 0)", setpgid(0, 0));
	yes("pgrp: now my group is my pid", getpgid(0) == me);
	say("pgrp: setsid as a group leader", sys0(66));
	say("pgrp: getpgid of no process", getpgid(999999));
	say("pgrp: setpgid with a negative group", setpgid(0, -5));
	say("pgrp: setpgid into a group that does not exist", setpgid(0, 999999));
	pid = fork();
	if (pid == 0) {
		long c = getpid();
		int ok = getpgid(0) == me;

		ok &= sys0(66) == c && getsid(0) == c && getpgid(0) == c;
		lnx_exit(ok ? 0 : 1);
	}
	wait4(pid, &st, 0);
	say("pgrp: a child was in my group, then setsid made its own session", st);
	pid = fork();
	if (pid == 0) {
		sleep_ms(300);
		lnx_exit(0);
	}
	say("pgrp: setpgid of my child into its own group", setpgid(pid, pid));
	yes("pgrp: its group is its pid", getpgid(pid) == pid);
	say("pgrp: setpgid of my child back into mine", setpgid(pid, me));
	wait4(pid, &st, 0);
	char *argv[] = { "proc", "sleep", 0 };
	long r = 0;
	pid = fork();
	if (pid == 0) {
		execve("/proc/self/exe", argv, 0);
		lnx_exit(127);
	}
	/* 0 until the child has exec'd, then EACCES (it sleeps long enough to be asked) */
	for (int i = 0; i < 400 && r == 0; i++) {
		r = setpgid(pid, pid);
		if (r == 0)
			sleep_ms(5);
	}
	say("pgrp: setpgid of a child that has exec'd", r);
	wait4(pid, &st, 0);
	say("pgrp: setpgid of my parent's", setpgid(getppid(), 0));
}

/*
 * More processes than the server's first table held (64): 4 children each
 * fork 50 that stay alive (each says so with a byte on a pipe, then reads
 * another pipe until its end), so 204 live at once; then all end and are
 * reaped. (sh-many.sh has one shell's 200 children.)
 */
static void
case_many(void)
{
	int up[2], go[2];
	long leaders = 0, got = 0, n;
	char b[64];
	int st;

	if (lnx_call(42, (long)up, 0, 0, 0, 0, 0) || lnx_call(42, (long)go, 0, 0, 0, 0, 0)) {
		lnx_puts("many: no pipes\n");
		return;
	}
	for (int i = 0; i < 4; i++) {
		long pid = fork();

		if (pid == 0) {
			long made = 0, reaped = 0;

			lnx_call(6, go[1], 0, 0, 0, 0, 0);
			lnx_call(6, up[0], 0, 0, 0, 0, 0);
			for (int j = 0; j < 50; j++) {
				long c = fork();

				if (c == 0) {
					char x;

					lnx_call(4, up[1], (long)"x", 1, 0, 0, 0);
					lnx_exit(lnx_call(3, go[0], (long)&x, 1, 0, 0, 0) == 0 ? 5 : 6);
				}
				made += c > 0;
				if (c < 0)	/* a byte all the same, so that the count below ends */
					lnx_call(4, up[1], (long)"!", 1, 0, 0, 0);
			}
			while (wait4(-1, &st, 0) > 0)
				reaped += st == 5 << 8;
			lnx_exit(made == 50 ? reaped : 99);
		}
		leaders += pid > 0;
	}
	lnx_call(6, up[1], 0, 0, 0, 0, 0);
	lnx_call(6, go[0], 0, 0, 0, 0, 0);
	for (long all = 0; all < 200 && (n = lnx_call(3, up[0], (long)b, sizeof b, 0, 0, 0)) > 0; all += n)
		for (long i = 0; i < n; i++)
			got += b[i] == 'x';
	say("many: children started", leaders);
	say("many: processes that said they were up, all at once", got);
	lnx_call(6, go[1], 0, 0, 0, 0, 0);
	for (int i = 0; i < 4; i++) {
		st = -1;
		wait4(-1, &st, 0);
		say("many: a child reaped its children who ended as they should, status", st);
	}
	say("many: wait4 with no child left", wait4(-1, &st, 0));
	say("many: the pipe's end once every writer is gone", lnx_call(3, up[0], (long)b, sizeof b, 0, 0, 0));
}

static void
case_exec(void)
{
	char *argv[] = { "proc", "echoargs", "a b", "", "c", 0 };
	char *envp[] = { "X=1", "EMPTY=", 0 };

	say("exec: a path that does not exist", execve("/bin/no-such-program-here", argv, envp));
	say("exec: a bad path pointer", execve((const char *)8, argv, envp));
	say("exec: a bad argv pointer", execve("/proc/self/exe", (char **)8, envp));
	execve("/proc/self/exe", argv, envp);
	lnx_puts("exec: still here\n");
}

static void
case_applet(void)
{
	char *argv[] = { "echo", "from", "echo", 0 };

	execve("/bin/echo", argv, 0);
	lnx_puts("applet: still here\n");
}

static void
case_script(void)
{
	char *argv[] = { "hello.sh", "one", "two", 0 };

	execve("/bin/hello.sh", argv, 0);
	lnx_puts("script: still here\n");
}

static void
case_echoargs(char **argv, char **envp)
{
	for (int i = 0; argv[i]; i++) {
		lnx_puts(i ? " | " : "argv: ");
		lnx_puts(argv[i]);
	}
	lnx_puts("\n");
	for (int i = 0; envp[i]; i++) {
		lnx_puts(i ? " | " : "envp: ");
		lnx_puts(envp[i]);
	}
	lnx_puts("\n");
}

/* The decimal text of v (v >= 0) into b. */
static void
fmt_num(char *b, long v)
{
	char t[16];
	int n = 0, i = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		b[i++] = t[--n];
	b[i] = 0;
}

static int
starts(const char *s, const char *prefix)
{
	while (*prefix && *s == *prefix)
		s++, prefix++;
	return !*prefix;
}

/* readlink of path, NUL-ended in b: its length or -errno. */
static long
link_of(const char *path, char *b, long room)
{
	long n = lnx_call(85, (long)path, (long)b, room - 1, 0, 0, 0);

	b[n > 0 ? n : 0] = 0;
	return n;
}

/* st_mode of stat64 (follow) or lstat64 of path, or 0. */
static unsigned
mode_of(const char *path, int follow)
{
	unsigned st[32];

	return lnx_call(follow ? 195 : 196, (long)path, (long)st, 0, 0, 0, 0) == 0 ? st[4] : 0;
}

/* "/proc/self/DIR/N" into b (DIR: fd or fdinfo). */
static void
self_fd_path(char *b, const char *dir, long fd)
{
	const char *pre = "/proc/self/";
	int i = 0;

	while (*pre)
		b[i++] = *pre++;
	while (*dir)
		b[i++] = *dir++;
	b[i++] = '/';
	fmt_num(b + i, fd);
}

/* "/proc/self/fd/N" into b. */
static void
fd_path(char *b, long fd)
{
	self_fd_path(b, "fd", fd);
}

/* All of a /proc file into b (NUL-ended): its length. */
static long
slurp(const char *path, char *b, long room)
{
	long fd = lnx_call(5, (long)path, 0, 0, 0, 0, 0), n = 0, r;

	if (fd < 0)
		return fd;
	while (n < room - 1 && (r = lnx_call(3, fd, (long)b + n, room - 1 - n, 0, 0, 0)) > 0)
		n += r;
	b[n] = 0;
	lnx_call(6, fd, 0, 0, 0, 0, 0);
	return n;
}

/* The line of maps (NUL-ended in line) whose range holds addr: 1, or 0. */
static int
maps_line(const char *maps, unsigned long addr, char *line, int room)
{
	for (const char *l = maps; *l;) {
		unsigned long lo = 0, hi = 0;
		const char *s = l;
		int i = 0;

		for (; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
			lo = lo * 16 + (unsigned long)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
		for (s += *s == '-'; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
			hi = hi * 16 + (unsigned long)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
		while (*l && *l != '\n' && i < room - 1)
			line[i++] = *l++;
		line[i] = 0;
		while (*l && *l != '\n')
			l++;
		l += *l == '\n';
		if (addr >= lo && addr < hi)
			return 1;
	}
	return 0;
}

/* The words of a maps line: its permissions (the second) and its path (the sixth, "" if none). */
static void
maps_words(const char *line, char *perms, char *path)
{
	int w = 0;

	*perms = *path = 0;
	for (const char *s = line; *s;) {
		int i = 0;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		w++;
		if (w == 2)
			while (*s && *s != ' ' && i < 7)
				perms[i++] = *s++, perms[i] = 0;
		else if (w == 6)
			while (*s && i < 255)
				path[i++] = *s++, path[i] = 0;
		while (*s && *s != ' ')
			s++;
	}
}

static int procfs_data = 1;	/* in the image's writable data */

/* Whether maps has a line for addr, its permissions, and its name ("the program" for exe's path). */
static void
maps_say(const char *maps, const char *what, unsigned long addr, const char *exe)
{
	char line[512], perms[8], path[256];
	int found = maps_line(maps, addr, line, sizeof line);

	maps_words(found ? line : "", perms, path);
	lnx_puts("procfs: maps has a line for ");
	lnx_puts(what);
	lnx_puts(found ? " yes: " : " no: ");
	lnx_puts(perms);
	lnx_puts(" ");
	lnx_puts(streq(path, exe) ? "the program" : path);
	lnx_puts("\n");
}

/* The number after "word:\t" in text (octal if base 8), or -1. */
static long
field_of(const char *text, const char *word, int base)
{
	for (const char *s = text; *s; s++) {
		if ((s == text || s[-1] == '\n') && starts(s, word)) {
			long v = 0;

			s += lnx_strlen(word);
			if (*s++ != ':' || *s++ != '\t')
				return -1;
			for (; *s >= '0' && *s < '0' + base; s++)
				v = v * base + (*s - '0');
			return v;
		}
	}
	return -1;
}

/*
 * /proc/self's cwd and root links (cwd follows chdir), mounts (a line for
 * /, the same as /proc/mounts's) and fdinfo/N (pos after a read, the open
 * flags with FD_CLOEXEC as O_CLOEXEC; O_LARGEFILE left out, which a 64-bit
 * host's kernel always adds, but for files opened with it, as glibc opens),
 * compared with the host.
 */
static void
case_procmore(void)
{
	static char text[8192];
	char cwd[256], b[256], path[64], junk[10];
	int fds[2];
	long fd;

	lnx_call(183, (long)cwd, sizeof cwd, 0, 0, 0, 0);	/* getcwd */
	yes("procmore: the cwd link is getcwd's", link_of("/proc/self/cwd", b, sizeof b) > 0 && streq(b, cwd));
	yes("procmore: lstat of cwd says a link", (mode_of("/proc/self/cwd", 0) & 0170000) == 0120000);
	yes("procmore: stat of cwd says a folder", (mode_of("/proc/self/cwd", 1) & 0170000) == 0040000);
	lnx_call(12, (long)"/proc", 0, 0, 0, 0, 0);	/* chdir */
	link_of("/proc/self/cwd", b, sizeof b);
	lnx_puts("procmore: after chdir /proc, cwd links to ");
	lnx_puts(b);
	lnx_puts("\n");
	lnx_call(12, (long)cwd, 0, 0, 0, 0, 0);
	link_of("/proc/self/root", b, sizeof b);
	lnx_puts("procmore: root links to ");
	lnx_puts(b);
	lnx_puts("\n");
	yes("procmore: stat of root says a folder", (mode_of("/proc/self/root", 1) & 0170000) == 0040000);
	yes("procmore: /proc/self/mounts reads", slurp("/proc/self/mounts", text, sizeof text) > 0);
	{
		int root = 0;

		for (const char *s = text; *s; s++)
			if ((s == text || s[-1] == '\n')) {
				const char *t = s;
				while (*t && *t != ' ' && *t != '\n')
					t++;
				if (starts(t, " / "))
					root = 1;
			}
		yes("procmore: a mount on / among them", root);
	}
	yes("procmore: /proc/mounts says the same", slurp("/proc/mounts", b, sizeof b) > 0 && starts(text, b));

	fd = lnx_call(5, (long)"/proc/self/exe", 0, 0, 0, 0, 0);
	lnx_call(3, fd, (long)junk, sizeof junk, 0, 0, 0);
	self_fd_path(path, "fdinfo", fd);
	say("procmore: fdinfo of a file read 10 bytes into", slurp(path, text, sizeof text) > 0);
	say("procmore: its pos", field_of(text, "pos", 10));
	say("procmore: its flags (O_RDONLY)", field_of(text, "flags", 8) & ~0100000);
	yes("procmore: its mnt_id and ino lines", field_of(text, "mnt_id", 10) >= 0 && field_of(text, "ino", 10) >= 0);
	lnx_call(6, fd, 0, 0, 0, 0, 0);
	fd = lnx_call(5, (long)"/proc/self/exe", 02000000, 0, 0, 0, 0);	/* O_CLOEXEC */
	self_fd_path(path, "fdinfo", fd);
	slurp(path, text, sizeof text);
	say("procmore: the flags of one opened O_CLOEXEC", field_of(text, "flags", 8) & ~0100000);
	lnx_call(6, fd, 0, 0, 0, 0, 0);
	lnx_call(331, (long)fds, 04000, 0, 0, 0, 0);	/* pipe2 O_NONBLOCK */
	self_fd_path(path, "fdinfo", fds[1]);
	slurp(path, text, sizeof text);
	say("procmore: a non-blocking pipe's write end: pos", field_of(text, "pos", 10));
	say("procmore: its flags (O_WRONLY | O_NONBLOCK)", field_of(text, "flags", 8) & ~0100000);
	say("procmore: fdinfo of a descriptor not open", slurp("/proc/self/fdinfo/99", text, sizeof text));
	{
		/* opened as glibc's open64 opens (O_LARGEFILE): the flag kept, as i386 Linux keeps it */
		static const char *const kinds[][2] = { { "/proc/self/exe", "a program" }, { "/dev/null", "/dev/null" },
							{ "/proc/self/status", "a /proc file" }, { "/dev", "a folder" } };

		for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
			fd = lnx_call(5, (long)kinds[i][0], 0100000 | (i == 3 ? 0200000 : 0), 0, 0, 0, 0);
			self_fd_path(path, "fdinfo", fd);
			slurp(path, text, sizeof text);
			lnx_puts("procmore: the flags of ");
			lnx_puts(kinds[i][1]);
			say(" opened O_LARGEFILE", field_of(text, "flags", 8));
			lnx_call(6, fd, 0, 0, 0, 0, 0);
		}
	}
}

/* stat64 of path (follow) into st (32 words): 0 or -errno. */
static long
stat_of(const char *path, unsigned *st)
{
	return lnx_call(195, (long)path, (long)st, 0, 0, 0, 0);
}

/* Whether path stats (following links) as /dev/null: a character device 1:3. */
static int
is_null(const char *path)
{
	unsigned st[32];

	return stat_of(path, st) == 0 && (st[4] & 0170000) == 0020000 && st[8] == 0x103;
}

/* "/proc/N" (N the caller's pid) and then tail, into b. */
static void
own_proc_path(char *b, const char *tail)
{
	const char *pre = "/proc/";
	int i = 0;

	while (*pre)
		b[i++] = *pre++;
	fmt_num(b + i, getpid());
	i = (int)lnx_strlen(b);
	while (*tail)
		b[i++] = *tail++;
	b[i] = 0;
}

/*
 * Paths through /proc's links to folders, which Linux's walk follows:
 * /proc/self/cwd/x, /proc/N/root/..., cwd/.. (the parent of the cwd, not
 * /proc/self), a trailing slash, fd/K of an open folder; and /proc/mounts, a
 * link to self/mounts.
 */
static void
case_procpaths(void)
{
	static char text[8192], b[8192];
	char path[64], want[64];
	unsigned st[32], root[32];
	long fd;

	say("procpaths: chdir /dev", lnx_call(12, (long)"/dev", 0, 0, 0, 0, 0));
	yes("procpaths: /proc/self/cwd/null is /dev/null", is_null("/proc/self/cwd/null"));
	fd = lnx_call(5, (long)"/proc/self/cwd/null", 2, 0, 0, 0, 0);
	yes("procpaths: it opens read-write", fd >= 0);
	fd_path(path, fd);
	link_of(path, b, sizeof b);
	lnx_puts("procpaths: its descriptor links to ");
	lnx_puts(b);
	lnx_puts("\n");
	lnx_call(6, fd, 0, 0, 0, 0, 0);
	say("procpaths: /proc/self/cwd/nosuch", stat_of("/proc/self/cwd/nosuch", st));
	yes("procpaths: /proc/self/root/dev/null is /dev/null", is_null("/proc/self/root/dev/null"));
	own_proc_path(path, "/root/dev/null");
	yes("procpaths: /proc/<pid>/root/dev/null is /dev/null", is_null(path));
	own_proc_path(path, "/cwd/./null");
	yes("procpaths: /proc/<pid>/cwd/./null is /dev/null", is_null(path));
	stat_of("/", root);
	yes("procpaths: /proc/self/cwd/.. is / (cwd's parent)",
	    stat_of("/proc/self/cwd/..", st) == 0 && st[22] == root[22] && st[0] == root[0]);
	yes("procpaths: /proc/self/root/.. is /", stat_of("/proc/self/root/..", st) == 0 && st[22] == root[22]);
	yes("procpaths: lstat of /proc/self/cwd/ says a folder", (mode_of("/proc/self/cwd/", 0) & 0170000) == 0040000);
	yes("procpaths: lstat of /proc/self/cwd says a link", (mode_of("/proc/self/cwd", 0) & 0170000) == 0120000);
	say("procpaths: chdir /proc/self/root/dev/../proc", lnx_call(12, (long)"/proc/self/root/dev/../proc", 0, 0, 0, 0, 0));
	link_of("/proc/self/cwd", b, sizeof b);
	lnx_puts("procpaths: cwd links to ");
	lnx_puts(b);
	lnx_puts("\n");
	fd = lnx_call(5, (long)"/dev", 0x10000, 0, 0, 0, 0);	/* O_DIRECTORY */
	fd_path(path, fd);
	{
		int i = (int)lnx_strlen(path);
		const char *tail = "/null";

		while (*tail)
			path[i++] = *tail++;
		path[i] = 0;
	}
	yes("procpaths: /proc/self/fd/K/null, K an open /dev, is /dev/null", is_null(path));
	lnx_call(6, fd, 0, 0, 0, 0, 0);

	say("procpaths: /proc/self/exe/x", stat_of("/proc/self/exe/x", st));
	say("procpaths: /proc/self/fd/1/x (a file's)", stat_of("/proc/self/fd/1/x", st));
	say("procpaths: /proc/self/fd/99/x", stat_of("/proc/self/fd/99/x", st));
	say("procpaths: /proc/self/stat/x", stat_of("/proc/self/stat/x", st));
	say("procpaths: readlink /proc/mounts", link_of("/proc/mounts", b, sizeof b));
	lnx_puts(b);
	lnx_puts("\n");
	yes("procpaths: lstat of /proc/mounts says a link", (mode_of("/proc/mounts", 0) & 0170000) == 0120000);
	yes("procpaths: stat of /proc/mounts says a file", (mode_of("/proc/mounts", 1) & 0170000) == 0100000);
	yes("procpaths: lstat of /proc/self/mounts says a file", (mode_of("/proc/self/mounts", 0) & 0170000) == 0100000);
	yes("procpaths: its text is /proc/self/mounts's",
	    slurp("/proc/mounts", text, sizeof text) > 0 && slurp("/proc/self/mounts", b, sizeof b) > 0 && streq(text, b));
	fd = lnx_call(5, (long)"/proc/mounts", 0, 0, 0, 0, 0);
	fd_path(path, fd);
	link_of(path, b, sizeof b);
	own_proc_path(want, "/mounts");
	yes("procpaths: an fd of /proc/mounts links to /proc/<pid>/mounts", streq(b, want));
	lnx_call(6, fd, 0, 0, 0, 0, 0);
}

/*
 * /proc/self as a link to /proc/<pid>; /proc/self/fd's links (a pipe's ends,
 * /dev/null, the folder itself) and their modes; environ as the stack's
 * envp; maps' lines for the code, the data and the stack. Words that do not
 * depend on pids, inode numbers or paths: the host prints the same.
 */
static void
case_procfs(char **envp)
{
	static char maps[32768], env[4096];
	char b[256], b2[256], want[64], path[64], exe[256];
	int fds[2];
	long pid = getpid(), nfd, dfd, n, above = 0, links = 0;
	unsigned char ents[4096];
	int local = 0;

	fmt_num(want, pid);
	yes("procfs: readlink /proc/self is the pid", link_of("/proc/self", b, sizeof b) > 0 && streq(b, want));
	yes("procfs: lstat /proc/self says a link", (mode_of("/proc/self", 0) & 0170000) == 0120000);
	yes("procfs: stat /proc/self says a folder", (mode_of("/proc/self", 1) & 0170000) == 0040000);

	say("procfs: pipe", lnx_call(42, (long)fds, 0, 0, 0, 0, 0));
	fd_path(path, fds[0]);
	link_of(path, b, sizeof b);
	yes("procfs: the read end links to pipe:[N]", starts(b, "pipe:[") && b[lnx_strlen(b) - 1] == ']');
	say("procfs: its lstat mode (lr-x------)", mode_of(path, 0) & 07777);
	yes("procfs: its stat says a FIFO", (mode_of(path, 1) & 0170000) == 0010000);
	fd_path(path, fds[1]);
	link_of(path, b2, sizeof b2);
	yes("procfs: the write end links to the same pipe", streq(b, b2));
	say("procfs: its lstat mode (l-wx------)", mode_of(path, 0) & 07777);
	nfd = lnx_call(5, (long)"/dev/null", 2, 0, 0, 0, 0);
	fd_path(path, nfd);
	link_of(path, b, sizeof b);
	lnx_puts("procfs: /dev/null opened read-write links to ");
	lnx_puts(b);
	lnx_puts("\n");
	say("procfs: its lstat mode (lrwx------)", mode_of(path, 0) & 07777);
	say("procfs: a descriptor not open", link_of("/proc/self/fd/99", b, sizeof b));

	dfd = lnx_call(5, (long)"/proc/self/fd", 0x10000, 0, 0, 0, 0);	/* O_DIRECTORY */
	fd_path(path, dfd);
	link_of(path, b, sizeof b);
	{
		const char *pre = "/proc/";
		int i = 0;

		while (*pre)
			want[i++] = *pre++;
		fmt_num(want + i, pid);
		i = (int)lnx_strlen(want);
		pre = "/fd";
		while (*pre)
			want[i++] = *pre++;
		want[i] = 0;
	}
	yes("procfs: the folder's own descriptor links to /proc/<pid>/fd", streq(b, want));
	while ((n = lnx_call(220, dfd, (long)ents, sizeof ents, 0, 0, 0)) > 0) {
		for (long at = 0; at < n;) {
			unsigned short reclen = (unsigned short)(ents[at + 16] | ents[at + 17] << 8);
			const char *name = (const char *)ents + at + 19;

			if (name[0] != '.') {
				links += ents[at + 18] == 10;	/* DT_LNK */
				above += !(name[0] >= '0' && name[0] <= '2' && name[1] == 0);
			}
			at += reclen;
		}
	}
	say("procfs: descriptors above 2 listed in /proc/self/fd", above);
	say("procfs: entries there that are links, beside 0 to 2", links - 3);
	lnx_call(6, dfd, 0, 0, 0, 0, 0);

	n = slurp("/proc/self/environ", env, sizeof env);
	{
		long at = 0;
		int same = n > 0;

		for (int i = 0; envp[i] && same; i++) {
			same = streq(env + at, envp[i]);
			at += (long)lnx_strlen(envp[i]) + 1;
		}
		yes("procfs: environ holds envp's strings, NUL after each", same && at == n);
	}

	slurp("/proc/self/maps", maps, sizeof maps);
	link_of("/proc/self/exe", exe, sizeof exe);
	maps_say(maps, "the code", (unsigned long)&case_procfs, exe);
	maps_say(maps, "the data", (unsigned long)&procfs_data, exe);
	maps_say(maps, "the stack", (unsigned long)&local, exe);
}

/* A clock's reading (clock_gettime) in nanoseconds. */
static long long
clock_ns(long clock)
{
	long ts[2] = { 0, 0 };

	lnx_call(265, clock, (long)ts, 0, 0, 0, 0);
	return (long long)ts[0] * 1000000000 + ts[1];
}

static volatile unsigned long burn_sink;

/* Works until the process's CPU clock says ms more (20 s of CLOCK_MONOTONIC at most): 1, or 0 if it never did. */
static int
burn(long ms)
{
	long long start = clock_ns(2), wall = clock_ns(1);

	while (clock_ns(2) - start < ms * 1000000LL) {
		for (int i = 0; i < 100000; i++)
			burn_sink += (unsigned long)i;
		if (clock_ns(1) - wall > 20000000000LL)
			return 0;
	}
	return 1;
}

/* A struct rusage's user and system time together, in microseconds. */
static long long
rusage_us(const long *ru)
{
	return (long long)(ru[0] + ru[2]) * 1000000 + ru[1] + ru[3];
}

/* The numbers at the start of text, space-separated: up to n of them into v; how many. */
static int
numbers(const char *t, long *v, int n)
{
	int k = 0;

	while (*t && k < n) {
		int neg;

		while (*t == ' ')
			t++;
		neg = *t == '-';	/* tpgid is -1 without a terminal */
		t += neg;
		if (*t < '0' || *t > '9')
			break;
		v[k] = 0;
		while (*t >= '0' && *t <= '9')
			v[k] = v[k] * 10 + (*t++ - '0');
		v[k] = neg ? -v[k] : v[k];
		k++;
	}
	return k;
}

/* /proc/self/stat's fields 14 to 17 (utime, stime, cutime, cstime), counted from after the command's ")": 1, or 0. */
static int
stat_times(long t[4])
{
	static char b[1024];
	const char *at = 0;
	long v[15];

	if (slurp("/proc/self/stat", b, sizeof b) <= 0)
		return 0;
	for (const char *c = b; *c; c++)
		if (*c == ')')
			at = c;
	if (!at || at[1] != ' ' || at[2] < 'A' || at[2] > 'Z' || numbers(at + 3, v, 15) != 15)
		return 0;	/* field 3, the state, then 4 on: 14 is the 12th number after it */
	for (int i = 0; i < 4; i++)
		t[i] = v[10 + i];
	return 1;
}

/* /proc/stat's first line, "cpu" and ten numbers: their sum (the time since boot, in ticks) and user + system. */
static int
stat_cpu(long *sum, long *busy)
{
	static char b[4096];
	long v[10];

	if (slurp("/proc/stat", b, sizeof b) <= 0 || b[0] != 'c' || b[1] != 'p' || b[2] != 'u' ||
	    numbers(b + 3, v, 10) < 8)
		return 0;
	*sum = 0;
	for (int i = 0; i < 8; i++)
		*sum += v[i];
	*busy = v[0] + v[2];
	return 1;
}

/*
 * CPU time: 100 ms of work is seen by CLOCK_PROCESS_CPUTIME_ID, the thread's
 * clock, times() and getrusage() (at least half of it: the host's times()
 * gave 4 ticks for 60 ms); a child's by wait4's rusage and then by the
 * children's figures, which count only children waited for; /proc/self/stat
 * says them too, and /proc/stat's busy time grows with the work.
 */
static void
case_cputime(void)
{
	long tms[4], ru[18];
	int st;
	long pid;

	yes("cputime: CLOCK_PROCESS_CPUTIME_ID grows with 100 ms of work", burn(100));
	yes("cputime: CLOCK_THREAD_CPUTIME_ID counts them", clock_ns(3) >= 100000000);
	lnx_call(43, (long)tms, 0, 0, 0, 0, 0);
	yes("cputime: times() counts them (utime + stime >= 5 ticks)", tms[0] + tms[1] >= 5);
	long pt[4] = { 0 }, sum = 0, busy = 0, sum2 = 0, busy2 = 0;
	yes("cputime: /proc/self/stat has utime, stime, cutime, cstime", stat_times(pt));
	yes("cputime: whose utime + stime count them (>= 5 ticks)", pt[0] + pt[1] >= 5);
	yes("cputime: and as times() says, within a tick", pt[0] + pt[1] >= tms[0] + tms[1] &&
	    pt[0] + pt[1] <= tms[0] + tms[1] + 1);
	yes("cputime: and no children's time", pt[2] + pt[3] == 0);
	yes("cputime: /proc/stat's cpu line", stat_cpu(&sum, &busy));
	burn(100);
	stat_cpu(&sum2, &busy2);
	yes("cputime: its busy time grew with 100 ms of work (>= 5 ticks)", busy2 - busy >= 5);
	yes("cputime: and its sum, the time since boot, with it", sum2 - sum >= busy2 - busy - 1);
	yes("cputime: and no children's time yet", tms[2] + tms[3] == 0);
	say("cputime: getrusage(RUSAGE_SELF)", lnx_call(77, 0, (long)ru, 0, 0, 0, 0));
	yes("cputime: which counts them", rusage_us(ru) >= 50000);
	say("cputime: getrusage(42)", lnx_call(77, 42, (long)ru, 0, 0, 0, 0));
	if ((pid = fork()) == 0) {
		burn(100);
		lnx_exit(0);
	}
	say("cputime: getrusage(RUSAGE_CHILDREN) while the child works", lnx_call(77, -1, (long)ru, 0, 0, 0, 0));
	yes("cputime: which counts nothing yet", rusage_us(ru) == 0);
	yes("cputime: wait4 gives the child's rusage", lnx_call(114, pid, (long)&st, 0, (long)ru, 0, 0) == pid);
	yes("cputime: with its work", rusage_us(ru) >= 50000);
	lnx_call(77, -1, (long)ru, 0, 0, 0, 0);
	yes("cputime: getrusage(RUSAGE_CHILDREN) counts them now", rusage_us(ru) >= 50000);
	lnx_call(43, (long)tms, 0, 0, 0, 0, 0);
	yes("cputime: and times()'s cutime + cstime", tms[2] + tms[3] >= 5);
	stat_times(pt);
	yes("cputime: and /proc/self/stat's cutime + cstime", pt[2] + pt[3] >= 5);
}

#define DAY 86400L

/* The numbers after "word " on /proc/stat's line that starts with it (up to n): how many, 0 without the line. */
static int
stat_line(const char *word, long *v, int n)
{
	static char b[4096];
	long len = slurp("/proc/stat", b, sizeof b - 1);

	if (len <= 0)
		return 0;
	b[len] = 0;
	for (const char *s = b; *s; s++)
		if ((s == b || s[-1] == '\n') && starts(s, word) && s[lnx_strlen(word)] == ' ')
			return numbers(s + lnx_strlen(word), v, n);
	return 0;
}

/*
 * /proc/stat's other lines: intr (a total, then by line) and ctxt count up
 * from the kernel's counters, btime is the time of day at boot (the time now
 * less /proc/uptime's), processes counts the forks since boot.
 */
static void
case_statlines(void)
{
	long intr[2] = { 0 }, intr2[2] = { 0 }, ctxt = 0, ctxt2 = 0, btime = 0, procs = 0, procs2 = 0, up[1] = { 0 };
	long t, pid, half[2] = { 0, 50000000 };
	static char b[256];
	int st;

	yes("statlines: intr has a total", stat_line("intr", intr, 2) >= 1 && intr[0] > 0);
	yes("statlines: ctxt", stat_line("ctxt", &ctxt, 1) == 1 && ctxt > 0);
	yes("statlines: btime", stat_line("btime", &btime, 1) == 1);
	yes("statlines: processes", stat_line("processes", &procs, 1) == 1 && procs > 0);
	if (slurp("/proc/uptime", b, sizeof b - 1) > 0)
		numbers(b, up, 1);
	t = lnx_call(13, 0, 0, 0, 0, 0, 0);
	yes("statlines: btime is the time less the uptime (within 3 s)", btime - (t - up[0]) <= 3 && (t - up[0]) - btime <= 3);
	lnx_call(162, (long)half, 0, 0, 0, 0, 0);	/* nanosleep 50 ms: the timer ticks, threads switch */
	if ((pid = fork()) == 0)
		lnx_exit(0);
	wait4(pid, &st, 0);
	stat_line("intr", intr2, 2);
	stat_line("ctxt", &ctxt2, 1);
	stat_line("processes", &procs2, 1);
	yes("statlines: intr grew over 50 ms", intr2[0] > intr[0]);
	yes("statlines: ctxt grew", ctxt2 > ctxt);
	yes("statlines: processes counted the fork", procs2 > procs);
}

/*
 * adjtimex and clock_adjtime reading the clock (modes 0 and
 * ADJ_OFFSET_SS_READ, which need no privilege): a clock state (TIME_OK to
 * TIME_ERROR), Linux's constant precision and tolerance, the time of day;
 * what is no clock is EINVAL, what cannot be adjusted EOPNOTSUPP, a bad
 * pointer EFAULT. The i386 struct timex: 32 words.
 */
static void
case_adjtimex(void)
{
	long tx[32] = { 0 }, r, t;

	r = lnx_call(124, (long)tx, 0, 0, 0, 0, 0);
	t = lnx_call(13, 0, 0, 0, 0, 0, 0);
	yes("adjtimex: read-only answers a state (0 to 5)", r >= 0 && r <= 5);
	yes("adjtimex: precision 1, tolerance 500 ppm << 16", tx[7] == 1 && tx[8] == 32768000);
	yes("adjtimex: its time is time()'s (within 2 s)", t - tx[9] >= 0 && t - tx[9] <= 2);
	yes("adjtimex: modes left as they were", tx[0] == 0);
	tx[0] = 0xa001;		/* ADJ_OFFSET_SS_READ */
	r = lnx_call(124, (long)tx, 0, 0, 0, 0, 0);
	yes("adjtimex: ADJ_OFFSET_SS_READ answers a state", r >= 0 && r <= 5);
	say("adjtimex: from a bad pointer", lnx_call(124, 16, 0, 0, 0, 0, 0));
	tx[0] = 0;
	r = lnx_call(343, 0, (long)tx, 0, 0, 0, 0);
	yes("adjtimex: clock_adjtime(CLOCK_REALTIME) read-only answers a state", r >= 0 && r <= 5);
	say("adjtimex: clock_adjtime(CLOCK_MONOTONIC)", lnx_call(343, 1, (long)tx, 0, 0, 0, 0));
	say("adjtimex: clock_adjtime(42)", lnx_call(343, 42, (long)tx, 0, 0, 0, 0));
	/* clock_adjtime64's struct __kernel_timex: 208 bytes, its longs 64 bits (the time's seconds at byte 72) */
	long tx64[52] = { 0 };
	r = lnx_call(405, 0, (long)tx64, 0, 0, 0, 0);
	t = lnx_call(13, 0, 0, 0, 0, 0, 0);
	yes("adjtimex: clock_adjtime64 read-only answers a state", r >= 0 && r <= 5);
	yes("adjtimex: its precision, tolerance and time", tx64[14] == 1 && tx64[16] == 32768000 &&
	    t - tx64[18] >= 0 && t - tx64[18] <= 2);
	say("adjtimex: clock_adjtime64(CLOCK_MONOTONIC)", lnx_call(405, 1, (long)tx64, 0, 0, 0, 0));
}

/*
 * Moving the time with adjtimex (the guest's only, as settime): ADJ_SETOFFSET
 * steps it (1,000 days on and back), ADJ_OFFSET_SINGLESHOT slews it and gives
 * back what was left, ADJ_OFFSET_SS_READ reads what is left, ADJ_OFFSET is
 * slewed at most half a second; a time offset out of range and the modes
 * not served here (ADJ_FREQUENCY) are EINVAL.
 */
static void
case_adjtime(void)
{
	long tx[32] = { 0 }, now[2], t0, d;

	t0 = lnx_call(13, 0, 0, 0, 0, 0, 0);
	tx[0] = 0x0100;		/* ADJ_SETOFFSET */
	tx[9] = 1000 * DAY;
	tx[10] = 0;
	say("adjtime: ADJ_SETOFFSET 1,000 days on", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	lnx_call(265, 0, (long)now, 0, 0, 0, 0);
	d = now[0] - (t0 + 1000 * DAY);
	yes("adjtime: the time moved with it (within 5 s)", d >= 0 && d < 5);
	tx[0] = 0x0100 | 0x2000;	/* ...with ADJ_NANO: minus 1,000 days, plus half a second */
	tx[9] = -1000 * DAY;
	tx[10] = 500000000;
	say("adjtime: ADJ_SETOFFSET | ADJ_NANO back", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	lnx_call(265, 0, (long)now, 0, 0, 0, 0);
	d = now[0] - t0;
	yes("adjtime: the time is back (within 5 s)", d >= 0 && d < 5);
	yes("adjtime: STA_NANO says the offsets are in ns now", (tx[5] & 0x2000) != 0);
	tx[0] = 0x1000;		/* ADJ_MICRO */
	say("adjtime: ADJ_MICRO", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	yes("adjtime: STA_NANO is off", (tx[5] & 0x2000) == 0);
	tx[0] = 0x0100;
	tx[10] = 1000000;
	say("adjtime: ADJ_SETOFFSET with a second of microseconds", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	tx[10] = -1;
	say("adjtime: ADJ_SETOFFSET with negative microseconds", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	tx[0] = 0x0002;		/* ADJ_FREQUENCY */
	say("adjtime: ADJ_FREQUENCY", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));

	tx[0] = 0x8001;		/* ADJ_OFFSET_SINGLESHOT: 200 ms on, slewed */
	tx[1] = 200000;
	say("adjtime: ADJ_OFFSET_SINGLESHOT 200 ms", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	yes("adjtime: nothing was left before", tx[1] == 0);
	tx[0] = 0xa001;
	tx[1] = 0;
	say("adjtime: ADJ_OFFSET_SS_READ", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	yes("adjtime: most of it is left (199 to 200 ms)", tx[1] > 199000 && tx[1] <= 200000);
	tx[0] = 0x0001;		/* ADJ_OFFSET: 2 s asked, half a second slewed */
	tx[1] = 2000000;
	say("adjtime: ADJ_OFFSET 2 s", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	yes("adjtime: what is left is at most half a second", tx[1] > 499000 && tx[1] <= 500000);
	tx[0] = 0x8001;		/* none: what was left comes back */
	tx[1] = 0;
	say("adjtime: ADJ_OFFSET_SINGLESHOT 0", lnx_call(124, (long)tx, 0, 0, 0, 0, 0));
	yes("adjtime: gave back the half second left", tx[1] > 499000 && tx[1] <= 500000);
	tx[0] = 0xa001;
	lnx_call(124, (long)tx, 0, 0, 0, 0, 0);
	yes("adjtime: nothing is left now", tx[1] == 0);
}

/*
 * Setting the time of day (the guest's only: the host's is not ours to set,
 * and the server gets the right to from its module line's `clock`):
 * settimeofday, clock_settime and stime move CLOCK_REALTIME, and the clock
 * since boot does not move; what cannot be set (another clock, nanoseconds
 * out of range, a time before 1970) is EINVAL, a bad pointer EFAULT. The time
 * goes back to where it would have been at the end.
 */
static void
case_settime(void)
{
	long rt0[2], mono0[2], now[2], tv[2], ts[2], tz[2] = { 0, 0 }, t, d;

	lnx_call(265, 0, (long)rt0, 0, 0, 0, 0);
	lnx_call(265, 1, (long)mono0, 0, 0, 0, 0);
	tv[0] = rt0[0] + 1000 * DAY;
	tv[1] = 0;
	say("settime: settimeofday 1,000 days on", lnx_call(79, (long)tv, 0, 0, 0, 0, 0));
	lnx_call(265, 0, (long)now, 0, 0, 0, 0);
	d = now[0] - tv[0];
	yes("settime: gettimeofday's clock moved with it (within 5 s)", d >= 0 && d < 5);
	lnx_call(265, 1, (long)now, 0, 0, 0, 0);
	d = now[0] - mono0[0];
	yes("settime: CLOCK_MONOTONIC did not (within 5 s)", d >= 0 && d < 5);
	ts[0] = rt0[0] + 2000 * DAY;
	ts[1] = 500000000;
	say("settime: clock_settime(CLOCK_REALTIME) 2,000 days on", lnx_call(264, 0, (long)ts, 0, 0, 0, 0));
	lnx_call(265, 0, (long)now, 0, 0, 0, 0);
	d = now[0] - ts[0];
	yes("settime: time() is there", d >= 0 && d < 5);
	t = rt0[0] + 10 * DAY;
	say("settime: stime 10 days on", lnx_call(25, (long)&t, 0, 0, 0, 0, 0));
	d = lnx_call(13, 0, 0, 0, 0, 0, 0) - t;
	yes("settime: time() is there", d >= 0 && d < 5);
	say("settime: clock_settime(CLOCK_MONOTONIC)", lnx_call(264, 1, (long)ts, 0, 0, 0, 0));
	say("settime: clock_settime(42)", lnx_call(264, 42, (long)ts, 0, 0, 0, 0));
	ts[1] = 1000000000;
	say("settime: clock_settime with a second of nanoseconds", lnx_call(264, 0, (long)ts, 0, 0, 0, 0));
	ts[0] = -1;
	ts[1] = 0;
	say("settime: clock_settime before 1970", lnx_call(264, 0, (long)ts, 0, 0, 0, 0));
	tv[1] = 1000000;
	say("settime: settimeofday with a second of microseconds", lnx_call(79, (long)tv, 0, 0, 0, 0, 0));
	say("settime: settimeofday from a bad pointer", lnx_call(79, 16, 0, 0, 0, 0, 0));
	say("settime: settimeofday of the time zone alone", lnx_call(79, 0, (long)tz, 0, 0, 0, 0));
	say("settime: stime from a bad pointer", lnx_call(25, 16, 0, 0, 0, 0, 0));
	d = lnx_call(13, 0, 0, 0, 0, 0, 0) - t;
	yes("settime: none of them moved the time", d >= 0 && d < 5);
	/* back where it would be: the time at the start and the clock since */
	lnx_call(265, 1, (long)now, 0, 0, 0, 0);
	ts[0] = rt0[0] + (now[0] - mono0[0]);
	ts[1] = rt0[1] + (now[1] - mono0[1]);
	if (ts[1] < 0) {
		ts[1] += 1000000000;
		ts[0]--;
	} else if (ts[1] >= 1000000000) {
		ts[1] -= 1000000000;
		ts[0]++;
	}
	say("settime: clock_settime back", lnx_call(264, 0, (long)ts, 0, 0, 0, 0));
}

void __attribute__((noreturn, used))
start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;

	for (long i = 1; i < argc; i++) {
		const char *c = argv[i];

		if (streq(c, "fork"))
			case_fork();
		else if (streq(c, "vfork"))
			case_vfork();
		else if (streq(c, "clone"))
			case_clone();
		else if (streq(c, "spawn"))
			case_spawn();
		else if (streq(c, "settime"))
			case_settime();
		else if (streq(c, "adjtime"))
			case_adjtime();
		else if (streq(c, "names")) {	/* the guest's only: the host's link and name are its own */
			char b[64] = { 0 }, n[16] = { 0 };
			say("names: readlink /proc/self/exe", lnx_call(85, (long)"/proc/self/exe", (long)b, sizeof b, 0, 0, 0));
			lnx_puts(b);
			lnx_puts("\n");
			say("names: readlink with 4 bytes of room", lnx_call(85, (long)"/proc/self/exe", (long)n, 4, 0, 0, 0));
			say("names: readlink of a file", lnx_call(85, (long)"/dev/null", (long)b, sizeof b, 0, 0, 0));
			say("names: readlink of nothing", lnx_call(85, (long)"/no/such", (long)b, sizeof b, 0, 0, 0));
			say("names: PR_SET_NAME", lnx_call(172, 15, (long)"a-name-longer-than-15", 0, 0, 0, 0));
			say("names: PR_GET_NAME", lnx_call(172, 16, (long)n, 0, 0, 0, 0));
			lnx_puts(n);
			lnx_puts("\n");
			say("names: set_robust_list of a wrong size", lnx_call(311, 0, 4, 0, 0, 0, 0));
		} else if (streq(c, "clonevm"))	/* the guest's only: on the host it would make a thread */
			say("clonevm: clone(CLONE_VM | SIGCHLD) without CLONE_VFORK", lnx_call(120, 0x111, 0, 0, 0, 0, 0));
		else if (streq(c, "wait"))
			case_wait();
		else if (streq(c, "segv"))
			case_segv();
		else if (streq(c, "reparent"))
			case_reparent();
		else if (streq(c, "pgrp"))
			case_pgrp();
		else if (streq(c, "exec"))
			case_exec();
		else if (streq(c, "many"))
			case_many();
		else if (streq(c, "procfs"))
			case_procfs(envp);
		else if (streq(c, "procmore"))
			case_procmore();
		else if (streq(c, "procpaths"))
			case_procpaths();
		else if (streq(c, "cputime"))
			case_cputime();
		else if (streq(c, "statlines"))
			case_statlines();
		else if (streq(c, "adjtimex"))
			case_adjtimex();
		else if (streq(c, "applet"))
			case_applet();
		else if (streq(c, "script"))
			case_script();
		else if (streq(c, "sleep"))
			sleep_ms(200);
		else if (streq(c, "echoargs")) {
			case_echoargs(argv, envp);
			break;
		} else {
			lnx_puts("proc: unknown case\n");
			lnx_exit(2);
		}
	}
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
