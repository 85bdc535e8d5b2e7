/*
 * A Linux program for the unix suite: signals. Each argument names a case
 * (handler, mask, defaults, stop, pause, chld, restart, group, errors, async,
 * alarm, altstack, fpu, orphan, timers, rtqueue, sigwait, sigorder; ttin, ttou and orphanio are the guest's only);
 * the output is compared with the same binary's on the host (run.py), but
 * for intr and intrkill, which wait for a ^C typed on the guest's console.
 * Handlers are plain functions; the frame Linux builds is what calls them
 * and what sigreturn/rt_sigreturn undo, with and without SA_RESTORER.
 */
#include "lnx.h"
#include "util.h"

#define SIGHUP 1
#define SIGINT 2
#define SIGKILL 9
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define SA_RESTART 0x10000000
#define SA_RESETHAND 0x80000000
#define WUNTRACED 2
#define WCONTINUED 8

struct kact {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask[2];
};

struct siginfo {
	int signo, err, code, pid, uid, status;
	int pad[26];
};

extern char restore_rt[], restore_old[];
__asm__(".globl restore_rt\nrestore_rt:\n\tmovl $173, %eax\n\tint $0x80\n");
__asm__(".globl restore_old\nrestore_old:\n\tpopl %eax\n\tmovl $119, %eax\n\tint $0x80\n");

static volatile int got_sig, got_count, got_code, got_status, got_pid_ok;
static long my_pid;

static void
plain(int sig)
{
	got_sig = sig;
	got_count++;
}

static void
rich(int sig, struct siginfo *info, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_count++;
	got_code = info->code;
	got_status = info->status;
	got_pid_ok = info->pid == my_pid;
}

static long
sigaction(int sig, void *h, unsigned long flags, unsigned long mask)
{
	struct kact a = { h, flags, 0, { mask, 0 } };

	if (flags & SA_RESTORER)
		a.restorer = flags & SA_SIGINFO ? (void *)restore_rt : (void *)restore_old;
	return lnx_call(174, sig, (long)&a, 0, 8, 0, 0);
}

static long kill(long pid, long sig) { return lnx_call(37, pid, sig, 0, 0, 0, 0); }
static long getpid(void) { return lnx_call(20, 0, 0, 0, 0, 0, 0); }
static long getppid_(void) { return lnx_call(64, 0, 0, 0, 0, 0, 0); }
static long fork(void) { return lnx_call(2, 0, 0, 0, 0, 0, 0); }
static long wait4(long pid, int *st, long opt) { return lnx_call(114, pid, (long)st, opt, 0, 0, 0); }
static long
sigprocmask(long how, unsigned long long *set, unsigned long long *old)
{
	return lnx_call(175, how, (long)set, (long)old, 8, 0, 0);
}

static void
case_handler(void)
{
	volatile long keep = 12345;

	say("handler: a plain handler with a restorer", sigaction(SIGUSR1, plain, SA_RESTORER, 0));
	say("handler: kill myself", kill(my_pid, SIGUSR1));
	say("handler: it ran, with signal", got_sig);
	say("handler: a SA_SIGINFO handler without a restorer", sigaction(SIGUSR2, rich, SA_SIGINFO, 0));
	say("handler: kill myself", kill(my_pid, SIGUSR2));
	say("handler: it ran, with signal", got_sig);
	say("handler: si_code (SI_USER)", got_code);
	yes("handler: si_pid is mine", got_pid_ok);
	say("handler: a plain handler without a restorer", sigaction(SIGHUP, plain, 0, 0));
	kill(my_pid, SIGHUP);
	say("handler: it ran, with signal", got_sig);
	say("handler: runs so far", got_count);
	yes("handler: my locals came back", keep == 12345);
	say("handler: SA_RESETHAND", sigaction(SIGUSR1, plain, SA_RESTORER | SA_RESETHAND, 0));
	kill(my_pid, SIGUSR1);
	struct kact old;
	lnx_call(174, SIGUSR1, 0, (long)&old, 8, 0, 0);
	yes("handler: then the action is SIG_DFL again", old.handler == 0);
}

static void
case_mask(void)
{
	unsigned long long set = 1ull << (SIGUSR1 - 1), old = 0, pend = 0;

	sigaction(SIGUSR1, plain, SA_RESTORER, 0);
	say("mask: block SIGUSR1", sigprocmask(0, &set, &old));
	kill(my_pid, SIGUSR1);
	say("mask: sent while blocked: runs", got_count);
	say("mask: rt_sigpending", lnx_call(176, (long)&pend, 8, 0, 0, 0, 0));
	yes("mask: SIGUSR1 is pending", pend == set);
	set = 1ull << (SIGKILL - 1) | 1ull << (SIGSTOP - 1);
	sigprocmask(0, &set, 0);
	sigprocmask(0, 0, &old);
	yes("mask: SIGKILL and SIGSTOP cannot be blocked", old == 1ull << (SIGUSR1 - 1));
	set = 1ull << (SIGUSR1 - 1);
	say("mask: unblock", sigprocmask(1, &set, 0));
	say("mask: it was delivered: runs", got_count);
	say("mask: bad how", sigprocmask(7, &set, 0));
	unsigned long w = 1ul << (SIGUSR2 - 1), wold = 7;
	say("mask: the old sigprocmask blocks SIGUSR2", lnx_call(126, 0, (long)&w, (long)&wold, 0, 0, 0));
	say("mask: it said the mask was", (long)wold);
	sigprocmask(0, 0, &old);
	yes("mask: rt_sigprocmask sees SIGUSR2 blocked", old == 1ull << (SIGUSR2 - 1));
	lnx_call(126, 1, (long)&w, 0, 0, 0, 0);
	say("mask: bad size", lnx_call(175, 0, (long)&set, 0, 4, 0, 0));
	/* a handler's sa_mask and its own signal are blocked while it runs */
	sigaction(SIGUSR2, rich, SA_SIGINFO | SA_RESTORER, 1ull << (SIGHUP - 1));
	kill(my_pid, SIGUSR2);
	sigprocmask(0, 0, &old);
	yes("mask: after the handler, the mask is back", old == 0);
}

static void
child_status(const char *what, long sig, int ignore)
{
	int st = -1;
	long pid = fork();

	if (pid == 0) {
		if (ignore)
			sigaction(sig, (void *)1, 0, 0);
		kill(getpid(), sig);
		lnx_exit(42);
	}
	wait4(pid, &st, 0);
	lnx_puts(what);
	say(": status", st);
}

static void
case_defaults(void)
{
	child_status("defaults: SIGTERM", SIGTERM, 0);
	child_status("defaults: SIGUSR1", SIGUSR1, 0);
	child_status("defaults: SIGINT", SIGINT, 0);
	child_status("defaults: SIGCHLD (ignored)", SIGCHLD, 0);
	child_status("defaults: SIGCONT (continues, ignored)", SIGCONT, 0);
	child_status("defaults: SIGTERM set to SIG_IGN", SIGTERM, 1);
	child_status("defaults: SIGKILL", SIGKILL, 0);
}

static void
case_stop(void)
{
	int st = -1;
	long pid = fork();

	if (pid == 0) {
		for (;;)
			lnx_call(29, 0, 0, 0, 0, 0, 0);	/* pause */
	}
	sleep_ms(30);
	say("stop: SIGSTOP", kill(pid, SIGSTOP));
	yes("stop: wait4 WUNTRACED gives it", wait4(pid, &st, WUNTRACED) == pid);
	say("stop: status (0x137f: stopped by 19)", st);
	say("stop: WNOHANG now", wait4(pid, &st, 1 | WUNTRACED));
	say("stop: SIGCONT", kill(pid, SIGCONT));
	yes("stop: wait4 WCONTINUED gives it", wait4(pid, &st, WCONTINUED) == pid);
	say("stop: status (0xffff: continued)", st);
	say("stop: SIGKILL", kill(pid, SIGKILL));
	wait4(pid, &st, 0);
	say("stop: status", st);
}

/* The children below give the parent 200 ms to be waiting when their signal comes, even on a busy host. */
static void
case_pause(void)
{
	long pid;
	int st;

	sigaction(SIGUSR2, plain, SA_RESTORER, 0);
	pid = fork();
	if (pid == 0) {
		sleep_ms(200);
		kill(lnx_call(64, 0, 0, 0, 0, 0, 0), SIGUSR2);
		lnx_exit(0);
	}
	say("pause: until a signal", lnx_call(29, 0, 0, 0, 0, 0, 0));
	say("pause: its handler ran for", got_sig);
	wait4(pid, &st, 0);
	struct lnx_ts t = { 5, 0 };
	pid = fork();
	if (pid == 0) {
		sleep_ms(200);
		kill(lnx_call(64, 0, 0, 0, 0, 0, 0), SIGUSR2);
		lnx_exit(0);
	}
	say("pause: a 5 s nanosleep cut short", lnx_call(162, (long)&t, 0, 0, 0, 0, 0));
	wait4(pid, &st, 0);
	/* rt_sigsuspend: blocked, then waited for with it unblocked */
	unsigned long long set = 1ull << (SIGUSR2 - 1), none = 0, after = 0;
	sigprocmask(0, &set, 0);
	pid = fork();
	if (pid == 0) {
		kill(lnx_call(64, 0, 0, 0, 0, 0, 0), SIGUSR2);
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
	got_count = 0;
	say("pause: rt_sigsuspend with it pending", lnx_call(179, (long)&none, 8, 0, 0, 0, 0));
	say("pause: handler runs", got_count);
	sigprocmask(0, 0, &after);
	yes("pause: the mask before rt_sigsuspend is back", after == set);
	pid = fork();
	if (pid == 0) {
		kill(lnx_call(64, 0, 0, 0, 0, 0, 0), SIGUSR2);
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
	got_count = 0;
	say("pause: the old sigsuspend with it pending", lnx_call(72, 0, 0, 0, 0, 0, 0));
	say("pause: handler runs", got_count);
	sigprocmask(0, 0, &after);
	yes("pause: the mask before sigsuspend is back", after == set);
}

static void
case_chld(void)
{
	int st = -1;
	long pid;

	sigaction(SIGCHLD, rich, SA_SIGINFO | SA_RESTORER, 0);
	pid = fork();
	if (pid == 0)
		lnx_exit(3);
	yes("chld: wait4 gave the child", wait4(pid, &st, 0) == pid);
	say("chld: SIGCHLD's handler ran for", got_sig);
	say("chld: si_code (CLD_EXITED)", got_code);
	say("chld: si_status", got_status);
	/* SIGCHLD ignored: children are not kept for wait */
	sigaction(SIGCHLD, (void *)1, 0, 0);
	pid = fork();
	if (pid == 0)
		lnx_exit(4);
	say("chld: with SIGCHLD ignored, wait4", wait4(pid, &st, 0));
}

static void
case_restart(void)
{
	int fds[2], st;
	char b[8];

	for (int restart = 1; restart >= 0; restart--) {
		long pid;

		sigaction(SIGUSR1, plain, SA_RESTORER | (restart ? SA_RESTART : 0), 0);
		lnx_call(42, (long)fds, 0, 0, 0, 0, 0);
		pid = fork();
		if (pid == 0) {
			sleep_ms(200);
			kill(lnx_call(64, 0, 0, 0, 0, 0, 0), SIGUSR1);
			sleep_ms(150);
			lnx_call(4, fds[1], (long)"data", 4, 0, 0, 0);
			lnx_exit(0);
		}
		got_count = 0;
		lnx_puts(restart ? "restart: with SA_RESTART," : "restart: without,");
		say(" a read of a pipe interrupted answers", lnx_call(3, fds[0], (long)b, sizeof b, 0, 0, 0));
		say("restart: handler runs", got_count);
		wait4(pid, &st, 0);
		lnx_call(6, fds[0], 0, 0, 0, 0, 0);
		lnx_call(6, fds[1], 0, 0, 0, 0, 0);
	}
}

static void
case_group(void)
{
	int st = -1;
	long pid = fork();

	if (pid == 0) {
		lnx_call(57, 0, 0, 0, 0, 0, 0);
		for (;;)
			lnx_call(29, 0, 0, 0, 0, 0, 0);
	}
	for (int i = 0; i < 200 && lnx_call(132, pid, 0, 0, 0, 0, 0) != pid; i++)
		sleep_ms(5);
	say("group: kill its group with SIGTERM", kill(-pid, SIGTERM));
	wait4(pid, &st, 0);
	say("group: status", st);
	say("group: kill a group that is gone", kill(-pid, SIGTERM));
}

static inline unsigned long long
rdtsc(void)
{
	unsigned lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

/* A caught signal for a child that makes no system call at all: its loop must be cut into. */
static void
case_async(void)
{
	int st = -1;
	long pid;

	sigaction(SIGUSR1, plain, SA_RESTORER, 0);
	pid = fork();
	if (pid == 0) {
		volatile unsigned long spins = 0;
		unsigned long long t0 = rdtsc();

		while (!got_sig && rdtsc() - t0 < 20000000000ull)	/* some seconds: a failure, not a hang */
			spins++;
		lnx_exit(got_sig == SIGUSR1 && spins > 0 ? 0 : 1);
	}
	sleep_ms(100);
	say("async: SIGUSR1 to a child in a loop", kill(pid, SIGUSR1));
	wait4(pid, &st, 0);
	say("async: it ran the handler and left the loop: status", st);
}

static void
case_errors(void)
{
	say("errors: kill of no process", kill(999999, SIGTERM));
	say("errors: signal 65", kill(my_pid, 65));
	say("errors: signal 0 to myself", kill(my_pid, 0));
	say("errors: sigaction of SIGKILL", sigaction(SIGKILL, plain, 0, 0));
	say("errors: sigaction of signal 0", sigaction(0, plain, 0, 0));
	say("errors: sigaction with a bad pointer", lnx_call(174, SIGUSR1, 8, 0, 8, 0, 0));
	say("errors: tgkill of another group", lnx_call(270, my_pid, my_pid + 1, 0, 0, 0, 0));
	say("errors: tkill of myself with 0", lnx_call(238, my_pid, 0, 0, 0, 0, 0));
}

/*
 * The guest's only (run.py types ^C when it sees "ready"): in a group of its
 * own, the console's foreground, it reads the console; ^C is its SIGINT.
 */
static void
case_intr(int handler)
{
	int pg = (int)my_pid;
	char b[64];

	lnx_call(57, 0, 0, 0, 0, 0, 0);
	lnx_call(54, 0, 0x5410 /* TIOCSPGRP */, (long)&pg, 0, 0, 0);
	if (handler)
		sigaction(SIGINT, plain, SA_RESTORER, 0);
	lnx_puts("intr: ready\n");
	say("intr: the read answered", lnx_call(3, 0, (long)b, sizeof b, 0, 0, 0));
	say("intr: the handler ran for", got_sig);
}

/*
 * The guest's only (the host's stdin is no tty of ours): job control. In the
 * foreground group of the console, a child of a group of its own reads it:
 * SIGTTIN stops it; with SIGTTIN ignored the read answers EIO.
 */
static void
case_ttin(void)
{
	int pg = (int)my_pid, st = -1;
	char b[8];
	long pid;

	lnx_call(57, 0, 0, 0, 0, 0, 0);
	lnx_call(54, 0, 0x5410 /* TIOCSPGRP */, (long)&pg, 0, 0, 0);
	pid = fork();
	if (pid == 0) {
		lnx_call(57, 0, 0, 0, 0, 0, 0);
		lnx_call(3, 0, (long)b, sizeof b, 0, 0, 0);
		lnx_exit(0);
	}
	yes("ttin: a background read stopped its reader", wait4(pid, &st, WUNTRACED) == pid);
	say("ttin: status (0x157f: stopped by 21)", st);
	kill(pid, SIGKILL);
	wait4(pid, &st, 0);
	pid = fork();
	if (pid == 0) {
		lnx_call(57, 0, 0, 0, 0, 0, 0);
		sigaction(21, (void *)1, 0, 0);
		say("ttin: with SIGTTIN ignored, the read answers", lnx_call(3, 0, (long)b, sizeof b, 0, 0, 0));
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
}

/* An orphaned group's handlers write the signal's initial down this pipe. */
static int orphan_pipe[2];

static void
orphan_note(int sig)
{
	lnx_call(4, orphan_pipe[1], (long)(sig == SIGHUP ? "H" : sig == SIGCONT ? "C" : "?"), 1, 0, 0, 0);
}

/*
 * POSIX's orphaned process groups, in a session of their own (setsid), so
 * that the host's run gives the same answers: a group whose members' parents
 * are all inside it or outside its session gets SIGHUP then SIGCONT when it
 * becomes so with a stopped member; SIGTSTP, SIGTTIN and SIGTTOU do not stop
 * a member of an orphaned group.
 */
static void
case_orphan(void)
{
	char b[16];
	long n, got = 0, pid;
	int st = -1;

	lnx_call(42, (long)orphan_pipe, 0, 0, 0, 0, 0);
	pid = fork();
	if (pid == 0) {
		long leader = lnx_call(66, 0, 0, 0, 0, 0, 0);	/* setsid: its group is orphaned (parent outside) */
		long g;

		lnx_call(37, leader, 20 /* SIGTSTP */, 0, 0, 0, 0);
		lnx_puts("orphan: SIGTSTP to a process of an orphaned group did not stop it\n");
		lnx_call(37, leader, 21 /* SIGTTIN */, 0, 0, 0, 0);
		lnx_call(37, leader, 22 /* SIGTTOU */, 0, 0, 0, 0);
		lnx_puts("orphan: nor did SIGTTIN and SIGTTOU\n");
		g = fork();
		if (g == 0) {
			/* a group of its own, kept from being orphaned by its parent, in the session but not the group */
			lnx_call(57, 0, 0, 0, 0, 0, 0);
			sigaction(SIGHUP, orphan_note, SA_RESTORER, 0);
			sigaction(SIGCONT, orphan_note, SA_RESTORER, 0);
			kill(getpid(), 20 /* SIGTSTP: it stops, the group not orphaned yet */);
			lnx_exit(0);
		}
		lnx_call(57, g, g, 0, 0, 0, 0);
		yes("orphan: the child's child stopped by SIGTSTP", wait4(g, &st, WUNTRACED) == g && st == 0x147f);
		lnx_exit(0);	/* its group is orphaned now, with a stopped member */
	}
	lnx_call(6, orphan_pipe[1], 0, 0, 0, 0, 0);
	wait4(pid, &st, 0);
	say("orphan: the session leader ended", st);
	while ((n = lnx_call(3, orphan_pipe[0], (long)b + got, sizeof b - 1 - got, 0, 0, 0)) > 0)
		got += n;
	/*
	 * SIGHUP is posted first, and both frames are built before the process
	 * runs again (lowest signal first, each on top of the last), so SIGCONT's
	 * handler runs first.
	 */
	b[got] = 0;
	lnx_puts("orphan: what its handlers saw, in the order they ran: ");
	lnx_puts(b);
	lnx_puts("\n");
	lnx_call(6, orphan_pipe[0], 0, 0, 0, 0, 0);
}

/*
 * The tty and an orphaned group (the guest's only: the console is its
 * tty, the host's run has none): a background read answers EIO rather
 * than stop, and so does a write with TOSTOP.
 */
static void
case_orphanio(void)
{
	int pg = (int)my_pid, st = -1, p[2];
	unsigned int t[9];
	char b[8];
	long pid, r[2] = { 0, 0 };

	lnx_call(57, 0, 0, 0, 0, 0, 0);
	lnx_call(54, 0, 0x5410 /* TIOCSPGRP */, (long)&pg, 0, 0, 0);
	lnx_call(54, 0, 0x5401 /* TCGETS */, (long)t, 0, 0, 0);
	t[3] |= 0x100;	/* TOSTOP */
	lnx_call(54, 0, 0x5402 /* TCSETS */, (long)t, 0, 0, 0);
	lnx_call(42, (long)p, 0, 0, 0, 0, 0);
	pid = fork();
	if (pid == 0) {
		long g = fork();

		if (g == 0) {
			lnx_call(57, 0, 0, 0, 0, 0, 0);
			while (getppid_() != 1)	/* until its parent has gone: its group is orphaned */
				sleep_ms(10);
			r[0] = lnx_call(3, 0, (long)b, sizeof b, 0, 0, 0);
			r[1] = lnx_call(4, 1, (long)"orphanio: this line must not come out\n", 38, 0, 0, 0);
			lnx_call(4, p[1], (long)r, sizeof r, 0, 0, 0);
			lnx_exit(0);
		}
		lnx_exit(0);
	}
	lnx_call(6, p[1], 0, 0, 0, 0, 0);
	wait4(pid, &st, 0);
	lnx_call(3, p[0], (long)r, sizeof r, 0, 0, 0);
	say("orphanio: a background read by an orphaned group answers", r[0]);
	say("orphanio: and its write with TOSTOP set", r[1]);
	t[3] &= ~0x100u;
	lnx_call(54, 0, 0x5402, (long)t, 0, 0, 0);
}

/* POSIX timers' signals: what their siginfo said, and how many came */
static volatile int tm_sig, tm_code, tm_tid, tm_overrun, tm_value, tm_count;

static void
timer_note(int sig, struct siginfo *info, void *uc)
{
	(void)uc;
	tm_sig = sig;
	tm_code = info->code;
	tm_tid = info->pid;		/* si_tid, where kill's si_pid is */
	tm_overrun = (int)info->uid;	/* si_overrun */
	tm_value = info->status;	/* si_value */
	tm_count++;
}

struct sigev {
	int value, signo, notify, pad[13];
};

struct its {
	long isec, insec, sec, nsec;
};

/*
 * timer_create, timer_settime, timer_gettime, timer_getoverrun and
 * timer_delete, on CLOCK_MONOTONIC and CLOCK_REALTIME (relative and
 * TIMER_ABSTIME), with SIGEV_SIGNAL and SIGEV_NONE; what the host's Linux
 * answers is the reference, in words that do not depend on the clock.
 */
static void
case_timers(void)
{
	struct sigev ev = { 42, SIGUSR1, 0, { 0 } }, none = { 0, 0, 1, { 0 } }, bad;
	struct its in = { 0, 0, 0, 200000000 }, cur, every = { 0, 50000000, 0, 50000000 }, zero = { 0, 0, 0, 0 };
	struct lnx_ts now;
	unsigned long usr2 = 1ul << (SIGUSR2 - 1);
	int id = -1, id2 = -1, id3 = -1, id4 = -1, bad_id = -1, st = -1;
	long pid;

	sigaction(SIGUSR1, timer_note, SA_SIGINFO | SA_RESTORER, 0);
	sigaction(SIGUSR2, timer_note, SA_SIGINFO | SA_RESTORER, 0);
	say("timers: timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL SIGUSR1)", lnx_call(259, 1, (long)&ev, (long)&id, 0, 0, 0));
	say("timers: its id", id);
	say("timers: timer_gettime of a timer not set", lnx_call(261, id, (long)&cur, 0, 0, 0, 0));
	yes("timers: all zero", !cur.isec && !cur.insec && !cur.sec && !cur.nsec);
	say("timers: timer_settime 200 ms", lnx_call(260, id, 0, (long)&in, 0, 0, 0));
	lnx_call(261, id, (long)&cur, 0, 0, 0, 0);
	yes("timers: timer_gettime says between 100 and 200 ms left", cur.sec == 0 && cur.nsec > 100000000 &&
	    cur.nsec <= 200000000 && !cur.isec && !cur.insec);
	say("timers: pause until it fires", lnx_call(29, 0, 0, 0, 0, 0, 0));
	say("timers: its handler ran for signal", tm_sig);
	say("timers: si_code (SI_TIMER)", tm_code);
	yes("timers: si_timerid is its id", tm_tid == id);
	say("timers: si_value", tm_value);
	lnx_call(261, id, (long)&cur, 0, 0, 0, 0);
	yes("timers: once fired, timer_gettime says zero", !cur.sec && !cur.nsec);

	ev = (struct sigev){ 7, SIGUSR2, 0, { 0 } };
	say("timers: timer_create(CLOCK_REALTIME, SIGUSR2)", lnx_call(259, 0, (long)&ev, (long)&id2, 0, 0, 0));
	yes("timers: the next id", id2 == id + 1);
	tm_count = 0;
	say("timers: every 50 ms", lnx_call(260, id2, 0, (long)&every, 0, 0, 0));
	for (int i = 0; i < 3; i++)
		lnx_call(29, 0, 0, 0, 0, 0, 0);
	say("timers: signals after three pauses", tm_count);
	say("timers: si_value", tm_value);
	lnx_call(261, id2, (long)&cur, 0, 0, 0, 0);
	yes("timers: its interval is 50 ms, and at most 50 ms are left", cur.isec == 0 && cur.insec == 50000000 &&
	    cur.sec == 0 && cur.nsec <= 50000000);
	/* blocked for 300 ms: one signal waits, and the timer counts the rest as overruns */
	lnx_call(175, 0 /* SIG_BLOCK */, (long)&usr2, 0, 8, 0, 0);
	sleep_ms(300);
	tm_count = 0;
	lnx_call(175, 1 /* SIG_UNBLOCK */, (long)&usr2, 0, 8, 0, 0);
	say("timers: signals once unblocked", tm_count);
	yes("timers: timer_getoverrun says 3 to 7 were lost", lnx_call(262, id2, 0, 0, 0, 0, 0) >= 3 &&
	    lnx_call(262, id2, 0, 0, 0, 0, 0) <= 7);
	yes("timers: and so did si_overrun", tm_overrun >= 3 && tm_overrun <= 7);
	say("timers: timer_settime to zero disarms it, with the old value", lnx_call(260, id2, 0, (long)&zero,
	    (long)&cur, 0, 0));
	yes("timers: the old value had the 50 ms interval", cur.insec == 50000000);
	lnx_call(261, id2, (long)&cur, 0, 0, 0, 0);
	yes("timers: disarmed", !cur.sec && !cur.nsec && !cur.isec && !cur.insec);

	/* TIMER_ABSTIME on CLOCK_REALTIME: 100 ms from the time of day */
	lnx_call(265, 0, (long)&now, 0, 0, 0, 0);
	in = (struct its){ 0, 0, now.sec, now.nsec + 100000000 };
	if (in.nsec >= 1000000000)
		in.sec++, in.nsec -= 1000000000;
	tm_count = 0;
	say("timers: TIMER_ABSTIME 100 ms from now", lnx_call(260, id2, 1, (long)&in, 0, 0, 0));
	lnx_call(29, 0, 0, 0, 0, 0, 0);
	say("timers: it fired", tm_count);
	in = (struct its){ 0, 0, 1, 0 };
	tm_count = 0;
	say("timers: TIMER_ABSTIME in the past (1 s after 1970)", lnx_call(260, id2, 1, (long)&in, 0, 0, 0));
	sleep_ms(50);
	say("timers: it fired at once", tm_count);

	say("timers: SIGEV_NONE", lnx_call(259, 1, (long)&none, (long)&id3, 0, 0, 0));
	in = (struct its){ 0, 0, 0, 50000000 };
	lnx_call(260, id3, 0, (long)&in, 0, 0, 0);
	lnx_call(261, id3, (long)&cur, 0, 0, 0, 0);
	yes("timers: SIGEV_NONE counts down", cur.sec == 0 && cur.nsec > 0 && cur.nsec <= 50000000);
	tm_count = 0;
	sleep_ms(100);
	lnx_call(261, id3, (long)&cur, 0, 0, 0, 0);
	yes("timers: and ends with no signal", !cur.sec && !cur.nsec && tm_count == 0);

	pid = fork();
	if (pid == 0) {
		say("timers: a forked child has none of them: timer_gettime", lnx_call(261, id, (long)&cur, 0, 0, 0, 0));
		lnx_exit(0);
	}
	wait4(pid, &st, 0);

	say("timers: timer_create of an unknown clock", lnx_call(259, 99, (long)&ev, (long)&bad_id, 0, 0, 0));
	bad = (struct sigev){ 0, 0, 0, { 0 } };
	say("timers: timer_create with signal 0", lnx_call(259, 1, (long)&bad, (long)&bad_id, 0, 0, 0));
	bad = (struct sigev){ 0, 65, 0, { 0 } };
	say("timers: timer_create with signal 65", lnx_call(259, 1, (long)&bad, (long)&bad_id, 0, 0, 0));
	bad = (struct sigev){ 0, SIGUSR1, 99, { 0 } };
	say("timers: timer_create with notify 99", lnx_call(259, 1, (long)&bad, (long)&bad_id, 0, 0, 0));
	say("timers: timer_create with a bad sigevent pointer", lnx_call(259, 1, 8, (long)&bad_id, 0, 0, 0));
	say("timers: and with an unknown clock too", lnx_call(259, 99, 8, (long)&bad_id, 0, 0, 0));
	ev = (struct sigev){ 0, SIGUSR1, 0, { 0 } };
	say("timers: timer_create after those", lnx_call(259, 1, (long)&ev, (long)&id4, 0, 0, 0));
	say("timers: its id (each refused sigevent used one up)", id4);
	say("timers: timer_delete of it", lnx_call(263, id4, 0, 0, 0, 0, 0));
	in = (struct its){ 0, 0, 0, 1000000000 };
	say("timers: timer_settime of 10^9 ns", lnx_call(260, id, 0, (long)&in, 0, 0, 0));
	in = (struct its){ 0, 0, -1, 0 };
	say("timers: timer_settime of -1 s", lnx_call(260, id, 0, (long)&in, 0, 0, 0));
	say("timers: timer_settime of a bad pointer", lnx_call(260, id, 0, 8, 0, 0, 0));
	say("timers: and of an id never made", lnx_call(260, 1000, 0, 8, 0, 0, 0));
	say("timers: timer_delete", lnx_call(263, id, 0, 0, 0, 0, 0));
	say("timers: timer_delete again", lnx_call(263, id, 0, 0, 0, 0, 0));
	say("timers: timer_gettime of it", lnx_call(261, id, (long)&cur, 0, 0, 0, 0));
	say("timers: timer_getoverrun of it", lnx_call(262, id, 0, 0, 0, 0, 0));
	say("timers: timer_settime of an id never made", lnx_call(260, 1000, 0, (long)&in, 0, 0, 0));
	say("timers: timer_delete of the others", lnx_call(263, id2, 0, 0, 0, 0, 0) + lnx_call(263, id3, 0, 0, 0, 0, 0));
}

/* alarm, setitimer and getitimer: ITIMER_REAL's SIGALRM, caught and by default, and fork's clearing of it */
static void
case_alarm(void)
{
	struct itv {
		long isec, iusec, sec, usec;
	} every = { 0, 100000, 0, 100000 }, off = { 0, 0, 0, 0 }, got;
	long pid;
	int st;

	sigaction(SIGALRM, plain, SA_RESTORER, 0);
	say("alarm: none was set", lnx_call(27, 5, 0, 0, 0, 0, 0));
	say("alarm: the 5 s one had this left", lnx_call(27, 0, 0, 0, 0, 0, 0));
	say("alarm: set for 1 s", lnx_call(27, 1, 0, 0, 0, 0, 0));
	say("alarm: pause until it comes", lnx_call(29, 0, 0, 0, 0, 0, 0));
	say("alarm: its handler ran for", got_sig);
	got_count = 0;
	say("alarm: setitimer of 100 ms, every 100 ms", lnx_call(104, 0, (long)&every, 0, 0, 0, 0));
	for (int i = 0; i < 3; i++)
		lnx_call(29, 0, 0, 0, 0, 0, 0);
	say("alarm: SIGALRMs after three pauses", got_count);
	say("alarm: getitimer", lnx_call(105, 0, (long)&got, 0, 0, 0, 0));
	yes("alarm: its interval is 100 ms", got.isec == 0 && got.iusec == 100000);
	yes("alarm: and it runs", got.sec == 0 && got.usec > 0 && got.usec <= 100000);
	say("alarm: setitimer off, the old one back", lnx_call(104, 0, (long)&off, (long)&got, 0, 0, 0));
	yes("alarm: the old one's interval", got.isec == 0 && got.iusec == 100000);
	say("alarm: getitimer after", lnx_call(105, 0, (long)&got, 0, 0, 0, 0));
	yes("alarm: nothing left", got.isec == 0 && got.iusec == 0 && got.sec == 0 && got.usec == 0);
	say("alarm: setitimer of timer 3", lnx_call(104, 3, (long)&every, 0, 0, 0, 0));
	say("alarm: setitimer from address 1", lnx_call(104, 0, 1, 0, 0, 0, 0));
	lnx_call(27, 10, 0, 0, 0, 0, 0);
	pid = fork();
	if (pid == 0) {
		say("alarm: a forked child has none", lnx_call(27, 0, 0, 0, 0, 0, 0));
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
	say("alarm: the parent's is still there", lnx_call(27, 0, 0, 0, 0, 0, 0));
	pid = fork();
	if (pid == 0) {
		sigaction(SIGALRM, 0, 0, 0);
		lnx_call(27, 1, 0, 0, 0, 0, 0);
		lnx_call(29, 0, 0, 0, 0, 0, 0);
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
	say("alarm: uncaught, it ends the child: status", st);
}

/* sigaltstack: SA_ONSTACK handlers run on the alternate stack, the others on the usual one */
struct altstack {
	void *sp;
	int flags;
	unsigned long size;
};

static char alt[16384];
static volatile unsigned long alt_sp;
static volatile long alt_query, alt_flags, alt_change;

static void
on_alt(int sig)
{
	volatile char here;
	struct altstack now, other = { alt, 0, 4096 };

	alt_sp = (unsigned long)&here;
	got_sig = sig;
	alt_query = lnx_call(186, 0, (long)&now, 0, 0, 0, 0);
	alt_flags = now.flags;
	alt_change = lnx_call(186, (long)&other, 0, 0, 0, 0, 0);
}

static int
on_alt_stack(void)
{
	return alt_sp >= (unsigned long)alt && alt_sp < (unsigned long)alt + sizeof alt;
}

static void
case_altstack(void)
{
	struct altstack ss = { alt, 0, sizeof alt }, old = { 0, 0, 0 };
	struct altstack tiny = { alt, 0, 1000 }, odd = { alt, 5, sizeof alt }, off = { 0, 2, 0 };

	say("altstack: none yet", lnx_call(186, 0, (long)&old, 0, 0, 0, 0));
	say("altstack: its flags (SS_DISABLE)", old.flags);
	say("altstack: a stack of 1000 bytes", lnx_call(186, (long)&tiny, 0, 0, 0, 0, 0));
	say("altstack: flags 5", lnx_call(186, (long)&odd, 0, 0, 0, 0, 0));
	say("altstack: from address 1", lnx_call(186, 1, 0, 0, 0, 0, 0));
	say("altstack: set", lnx_call(186, (long)&ss, (long)&old, 0, 0, 0, 0));
	say("altstack: the old one's flags", old.flags);
	say("altstack: asked again", lnx_call(186, 0, (long)&old, 0, 0, 0, 0));
	yes("altstack: it is ours", old.sp == alt && old.size == sizeof alt && old.flags == 0);
	sigaction(SIGUSR1, on_alt, SA_RESTORER | SA_ONSTACK, 0);
	kill(my_pid, SIGUSR1);
	say("altstack: an SA_ONSTACK handler ran for", got_sig);
	yes("altstack: on the alternate stack", on_alt_stack());
	say("altstack: sigaltstack in it", alt_query);
	say("altstack: says SS_ONSTACK", alt_flags);
	say("altstack: a change while on it", alt_change);
	sigaction(SIGUSR2, on_alt, SA_RESTORER | SA_SIGINFO, 0);
	kill(my_pid, SIGUSR2);
	yes("altstack: without SA_ONSTACK, on the usual stack", !on_alt_stack());
	say("altstack: a change from there", alt_change);
	say("altstack: turned off", lnx_call(186, (long)&off, 0, 0, 0, 0, 0));
	kill(my_pid, SIGUSR1);
	yes("altstack: then SA_ONSTACK runs on the usual stack", !on_alt_stack());
}

/*
 * SIGTTOU: a background group's tcsetattr stops it, or goes through with
 * SIGTTOU ignored; its writes stop it only while TOSTOP is set.
 */
static void
case_ttou(void)
{
	int pg = (int)my_pid, st = -1;
	unsigned int t[9];	/* struct termios: 36 bytes; c_lflag is word 3 */
	long pid;

	lnx_call(57, 0, 0, 0, 0, 0, 0);
	lnx_call(54, 0, 0x5410 /* TIOCSPGRP */, (long)&pg, 0, 0, 0);
	lnx_call(54, 0, 0x5401 /* TCGETS */, (long)t, 0, 0, 0);
	pid = fork();
	if (pid == 0) {
		lnx_call(57, 0, 0, 0, 0, 0, 0);
		lnx_call(54, 0, 0x5402 /* TCSETS */, (long)t, 0, 0, 0);
		lnx_exit(0);
	}
	yes("ttou: a background tcsetattr stopped its caller", wait4(pid, &st, WUNTRACED) == pid);
	say("ttou: status (0x167f: stopped by 22)", st);
	kill(pid, SIGKILL);
	wait4(pid, &st, 0);
	pid = fork();
	if (pid == 0) {
		lnx_call(57, 0, 0, 0, 0, 0, 0);
		sigaction(22, (void *)1, 0, 0);
		say("ttou: with SIGTTOU ignored, tcsetattr answers", lnx_call(54, 0, 0x5402, (long)t, 0, 0, 0));
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
	pid = fork();
	if (pid == 0) {
		lnx_call(57, 0, 0, 0, 0, 0, 0);
		say("ttou: without TOSTOP a background write goes out", 0);
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
	say("ttou: and its writer ended, status", st);
	t[3] |= 0x100;	/* TOSTOP */
	say("ttou: TOSTOP set from the foreground", lnx_call(54, 0, 0x5402, (long)t, 0, 0, 0));
	pid = fork();
	if (pid == 0) {
		lnx_call(57, 0, 0, 0, 0, 0, 0);
		lnx_puts("ttou: this line must not come out\n");
		lnx_exit(0);
	}
	yes("ttou: then a background write stopped its writer", wait4(pid, &st, WUNTRACED) == pid);
	say("ttou: status", st);
	kill(pid, SIGKILL);
	wait4(pid, &st, 0);
	t[3] &= ~0x100u;
	say("ttou: TOSTOP cleared", lnx_call(54, 0, 0x5402, (long)t, 0, 0, 0));
}

/*
 * fpu: the x87 and SSE state across a handler (saved in the frame's fpstate,
 * a fresh set for the handler, put back by sigreturn) and across fork (the
 * child's is the parent's). The registers are loaded, the signal sent and
 * the registers read back in one asm statement, so that no compiled code
 * (which may use SSE) comes between.
 */
static const unsigned fp_pat[4] = { 0x01234567, 0x89ABCDEF, 0x0F1E2D3C, 0x4B5A6978 };
static const unsigned fp_junk[4] = { 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF };
static const unsigned fp_mx_in = 0x3F80, fp_mx_junk = 0x7F80;	/* round down; round to zero */
static const unsigned short fp_cw_junk = 0x0C7F;
static unsigned fp_out[4], fp_out_mx, fp_hmx, fp_magic, fp_saved_ok;
static unsigned short fp_out_cw, fp_hcw;
static long fp_sig, fp_ret;

static int
fp_same(const unsigned char *a, const unsigned *b)
{
	const unsigned char *c = (const unsigned char *)b;

	for (int i = 0; i < 16; i++)
		if (a[i] != c[i])
			return 0;
	return 1;
}

/* What the handler finds (its frame's fpstate; its own control words), then it spoils every register it can. */
static void
fp_look_and_spoil(const unsigned char *fpstate)
{
	fp_magic = fpstate ? *(const unsigned short *)(fpstate + 110) : 0xDEAD;
	fp_saved_ok = fpstate && fp_same(fpstate + 112 + 160, fp_pat) && *(const unsigned *)(fpstate + 112 + 24) == fp_mx_in &&
		      (*(const unsigned *)fpstate & 0xFFFF) == 0x037F;
	__asm__ volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(fp_hcw), "=m"(fp_hmx));
	__asm__ volatile("movdqu %0, %%xmm0\n\tldmxcsr %1\n\tfldcw %2" : : "m"(fp_junk), "m"(fp_mx_junk), "m"(fp_cw_junk));
}

static void
fp_rich(int sig, struct siginfo *info, void *uc)
{
	(void)sig, (void)info;
	fp_look_and_spoil(*(unsigned char **)((char *)uc + 20 + 76));	/* uc_mcontext's fpstate */
}

/* The old frame's sigcontext follows sig on the stack: a structure passed by value is read from there. */
struct fp_sigcontext {
	unsigned words[19];
	unsigned char *fpstate;
};

static void
fp_plain(int sig, struct fp_sigcontext sc)
{
	(void)sig;
	fp_look_and_spoil(sc.fpstate);
}

static void
fp_round(const char *label)
{
	fp_sig = SIGUSR1;
	__asm__ volatile("movdqu %[pat], %%xmm0\n\t"
			 "ldmxcsr %[mx]\n\t"
			 "movl $20, %%eax\n\tint $0x80\n\t"
			 "movl %%eax, %%ebx\n\tmovl %[sig], %%ecx\n\tmovl $37, %%eax\n\tint $0x80\n\t"
			 "movdqu %%xmm0, %[out]\n\tstmxcsr %[omx]\n\tfnstcw %[ocw]"
			 : [out] "=m"(fp_out), [omx] "=m"(fp_out_mx), [ocw] "=m"(fp_out_cw)
			 : [pat] "m"(fp_pat), [mx] "m"(fp_mx_in), [sig] "m"(fp_sig)
			 : "eax", "ebx", "ecx", "edx", "memory");
	lnx_puts(label);
	lnx_puts("\n");
	say("fpu: the frame's magic (0: fxsave's image follows)", fp_magic);
	yes("fpu: the frame holds xmm0, MXCSR and the control word", fp_saved_ok);
	say("fpu: the handler's x87 control word", fp_hcw);
	say("fpu: the handler's MXCSR", fp_hmx);
	yes("fpu: after it, xmm0 is back", fp_same((const unsigned char *)fp_out, fp_pat));
	say("fpu: after it, MXCSR", fp_out_mx);
	say("fpu: after it, the x87 control word", fp_out_cw);
}

static void
case_fpu(void)
{
	int status = 0;

	say("fpu: a SA_SIGINFO handler", sigaction(SIGUSR1, fp_rich, SA_SIGINFO | SA_RESTORER, 0));
	fp_round("fpu: rt frame");
	say("fpu: a plain handler", sigaction(SIGUSR1, fp_plain, SA_RESTORER, 0));
	fp_round("fpu: old frame");
	__asm__ volatile("movdqu %[pat], %%xmm0\n\t"
			 "ldmxcsr %[mx]\n\t"
			 "movl $2, %%eax\n\tint $0x80\n\t"
			 "movl %%eax, %[ret]\n\t"
			 "movdqu %%xmm0, %[out]\n\tstmxcsr %[omx]"
			 : [out] "=m"(fp_out), [omx] "=m"(fp_out_mx), [ret] "=m"(fp_ret)
			 : [pat] "m"(fp_pat), [mx] "m"(fp_mx_in)
			 : "eax", "memory");
	if (fp_ret == 0) {
		yes("fpu: the forked child has the parent's xmm0", fp_same((const unsigned char *)fp_out, fp_pat));
		say("fpu: and its MXCSR", fp_out_mx);
		lnx_exit(0);
	}
	say("fpu: the child ended", wait4(fp_ret, &status, 0) == fp_ret ? status : -1);
}

static volatile int rq_n, rq_sig[16], rq_value[16], rq_code[16];

static void
rq_note(int sig, struct siginfo *info, void *uc)
{
	(void)uc;
	if (rq_n < 16) {
		rq_sig[rq_n] = sig;
		rq_value[rq_n] = info->status;	/* si_value */
		rq_code[rq_n] = info->code;
		rq_n++;
	}
}

/* rt_sigqueueinfo as glibc's sigqueue fills it: SI_QUEUE (or code), the caller's pid, the value. */
static long
sigqueue(long pid, int sig, int code, int value)
{
	struct siginfo si = { sig, 0, code, (int)my_pid, 0, value, { 0 } };

	return lnx_call(178, pid, sig, (long)&si, 0, 0, 0);
}

/*
 * Real-time signals queue: three sigqueues and a kill of SIGRTMIN+2 while it
 * is blocked come as four handlers' calls, oldest first, each with its own
 * si_value and si_code; SIGUSR1 sent twice comes once. The order the
 * handlers run in is Linux's too (every frame built before the process runs
 * on, the lowest first, each real-time instance after the last one's return).
 */
static void
case_rtqueue(void)
{
	unsigned long long set = (1ull << 33) | (1ull << 34) | (1ull << (SIGUSR1 - 1)), pending = 0;
	long pid;
	int st;

	my_pid = getpid();
	sigaction(34, rq_note, SA_SIGINFO | SA_RESTORER, 0);
	sigaction(35, rq_note, SA_SIGINFO | SA_RESTORER, 0);
	sigaction(SIGUSR1, rq_note, SA_SIGINFO | SA_RESTORER, 0);
	sigprocmask(0, &set, 0);
	say("rtqueue: sigqueue SIGRTMIN+2 value 1", sigqueue(my_pid, 34, -1, 1));
	say("rtqueue: sigqueue SIGRTMIN+2 value 2", sigqueue(my_pid, 34, -1, 2));
	say("rtqueue: sigqueue SIGRTMIN+2 value 3", sigqueue(my_pid, 34, -1, 3));
	say("rtqueue: kill SIGRTMIN+2", kill(my_pid, 34));
	say("rtqueue: sigqueue SIGRTMIN+3 value 9", sigqueue(my_pid, 35, -1, 9));
	say("rtqueue: kill SIGUSR1", kill(my_pid, SIGUSR1));
	say("rtqueue: kill SIGUSR1 again", kill(my_pid, SIGUSR1));
	lnx_call(176, (long)&pending, 8, 0, 0, 0, 0);
	yes("rtqueue: all three pending", pending == set);
	say("rtqueue: sigqueue of signal 65", sigqueue(my_pid, 65, -1, 0));
	say("rtqueue: sigqueue to nobody", sigqueue(0x3FFFFFF0, 34, -1, 0));
	if ((pid = fork()) == 0) {
		/* only to itself may a process say the kernel or kill sent it */
		say("rtqueue: a child's sigqueueinfo to its parent with si_code 0", sigqueue(getppid_(), 34, 0, 7));
		lnx_exit(0);
	}
	wait4(pid, &st, 0);
	sigprocmask(1, &set, 0);	/* their handlers run as this call answers */
	say("rtqueue: handlers that ran", rq_n);
	for (int i = 0; i < rq_n; i++) {
		say("rtqueue: signal", rq_sig[i]);
		say("rtqueue:   si_value", rq_value[i]);
		say("rtqueue:   si_code", rq_code[i]);
	}
	lnx_call(176, (long)&pending, 8, 0, 0, 0, 0);
	yes("rtqueue: nothing pending after", pending == 0);
}

/*
 * rt_sigtimedwait (sigwaitinfo and sigtimedwait are glibc's names for it):
 * a pending signal of the set is taken, not delivered, lowest first, with
 * its siginfo; none: EAGAIN at once for a zero timeout, after it for
 * another; one sent while it waits ends the wait, from another process
 * too; a blocked SIGCHLD, though ignored by default, is kept for it; a
 * signal outside the set with a handler ends it with EINTR; bad sizes and
 * timespecs are EINVAL. The time64 form (421) with its wide timespec.
 */
static long
sigtimedwait(unsigned long long *set, struct siginfo *info, long *ts)
{
	return lnx_call(177, (long)set, (long)info, (long)ts, 8, 0, 0);
}

static void
case_sigwait(void)
{
	unsigned long long set = (1ull << (SIGUSR1 - 1)) | (1ull << (SIGUSR2 - 1)) | (1ull << (SIGCHLD - 1)) |
				 (1ull << (35 - 1)), old, one;
	struct siginfo info;
	long zero[2] = { 0, 0 }, short_[2] = { 0, 50000000 }, bad[2] = { 0, 1000000000 };
	long long wide[2] = { 0, 30000000 };
	long pid;
	int st;

	my_pid = getpid();
	sigprocmask(0, &set, &old);	/* SIG_BLOCK */
	say("sigwait: nothing pending, a zero timeout", sigtimedwait(&set, &info, zero));
	say("sigwait: nothing pending, 50 ms", sigtimedwait(&set, &info, short_));
	say("sigwait: the time64 form, 30 ms", lnx_call(421, (long)&set, (long)&info, (long)wide, 8, 0, 0));
	kill(my_pid, SIGUSR2);
	kill(my_pid, SIGUSR1);
	say("sigwait: two pending, the lowest first", sigtimedwait(&set, &info, 0));
	say("sigwait: its si_signo", info.signo);
	say("sigwait: its si_code (SI_USER)", info.code);
	yes("sigwait: its si_pid is mine", info.pid == my_pid);
	say("sigwait: then the other", sigtimedwait(&set, &info, zero));
	say("sigwait: nothing left", sigtimedwait(&set, &info, zero));
	sigqueue(my_pid, 35, -1, 42);
	say("sigwait: a queued real-time signal", sigtimedwait(&set, &info, zero));
	say("sigwait: its si_code (SI_QUEUE)", info.code);
	say("sigwait: its value", info.status);
	if ((pid = fork()) == 0) {
		sleep_ms(50);
		kill(getppid_(), SIGUSR2);
		lnx_exit(7);
	}
	say("sigwait: a signal sent while it waits", sigtimedwait(&set, &info, 0));
	yes("sigwait: from the child", info.pid == pid);
	say("sigwait: then the child's SIGCHLD, blocked", sigtimedwait(&set, &info, 0));
	say("sigwait: its si_code (CLD_EXITED)", info.code);
	say("sigwait: its si_status", info.status);
	wait4(pid, &st, 0);
	one = 1ull << (SIGUSR2 - 1);
	say("sigwait: a NULL siginfo", (kill(my_pid, SIGUSR2), sigtimedwait(&one, 0, zero)));
	say("sigwait: a set size of 4", lnx_call(177, (long)&set, 0, (long)zero, 4, 0, 0));
	say("sigwait: a timespec of a billion ns", sigtimedwait(&set, &info, bad));
	say("sigwait: a bad set pointer", lnx_call(177, 8, 0, (long)zero, 8, 0, 0));
	sigprocmask(2, &old, 0);	/* SIG_SETMASK */
	got_sig = 0;
	sigaction(SIGALRM, plain, SA_RESTORER, 0);
	if ((pid = fork()) == 0) {
		sleep_ms(50);
		kill(getppid_(), SIGALRM);
		lnx_exit(0);
	}
	one = 1ull << (SIGUSR2 - 1);
	say("sigwait: a signal outside the set, with a handler", sigtimedwait(&one, &info, 0));
	say("sigwait: its handler ran for", got_sig);
	wait4(pid, &st, 0);
}

/*
 * rt_sigtimedwait's order among several pending signals, as Linux's
 * dequeue takes them: the synchronous ones (SIGSEGV, SIGSYS, SIGFPE...)
 * first, lowest number first, then the rest lowest first, standard and
 * real-time alike; sent in a scrambled order, blocked.
 */
static void
case_sigorder(void)
{
	static const int sent[] = { 35, 2, 31, 10, 34, 1, 11, 8, 17 };
	unsigned long long set = 0, old;
	long zero[2] = { 0, 0 }, s;
	struct siginfo info;

	my_pid = getpid();
	for (unsigned i = 0; i < sizeof sent / sizeof sent[0]; i++)
		set |= 1ull << (sent[i] - 1);
	sigprocmask(0, &set, &old);	/* SIG_BLOCK */
	for (unsigned i = 0; i < sizeof sent / sizeof sent[0]; i++)
		kill(my_pid, sent[i]);
	while ((s = sigtimedwait(&set, &info, zero)) > 0)
		say("sigorder: taken", s);
	say("sigorder: then", s);
	sigprocmask(2, &old, 0);	/* SIG_SETMASK */
}

void __attribute__((noreturn, used))
start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);

	my_pid = getpid();
	for (long i = 1; i < argc; i++) {
		const char *c = argv[i];

		if (streq(c, "handler"))
			case_handler();
		else if (streq(c, "mask"))
			case_mask();
		else if (streq(c, "defaults"))
			case_defaults();
		else if (streq(c, "stop"))
			case_stop();
		else if (streq(c, "pause"))
			case_pause();
		else if (streq(c, "chld"))
			case_chld();
		else if (streq(c, "restart"))
			case_restart();
		else if (streq(c, "group"))
			case_group();
		else if (streq(c, "errors"))
			case_errors();
		else if (streq(c, "async"))
			case_async();
		else if (streq(c, "altstack"))
			case_altstack();
		else if (streq(c, "fpu"))
			case_fpu();
		else if (streq(c, "alarm"))
			case_alarm();
		else if (streq(c, "ttin"))
			case_ttin();
		else if (streq(c, "ttou"))
			case_ttou();
		else if (streq(c, "orphan"))
			case_orphan();
		else if (streq(c, "timers"))
			case_timers();
		else if (streq(c, "sigorder"))
			case_sigorder();
		else if (streq(c, "sigwait"))
			case_sigwait();
		else if (streq(c, "rtqueue"))
			case_rtqueue();
		else if (streq(c, "orphanio"))
			case_orphanio();
		else if (streq(c, "intr"))
			case_intr(1);
		else if (streq(c, "intrkill"))
			case_intr(0);
		else {
			lnx_puts("sig: unknown case\n");
			lnx_exit(2);
		}
	}
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
