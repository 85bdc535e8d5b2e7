/*
 * A Linux program for the unix suite: the console's line discipline, acted
 * on termios as Linux's n_tty is. The guest's only: run.py types on the
 * console each time a case prints a line ending in "ready..." (its TYPED
 * list), and the output, the echo of what was typed among it, must be what
 * run.py says. Each argument names a case: canon (erase, kill, werase, EOF),
 * raw (single bytes, no echo, then echo with ECHOCTL, ICRNL on and off),
 * echo (ECHO off, ECHONL), isig (^C with ISIG on and off), vtime (VMIN and
 * VTIME: answers with what there is once the time is up), flush (FIONREAD,
 * TCFLSH, TCSETSF), tab (erasing a tab goes back its columns), winsz
 * (TIOCSWINSZ, TIOCGWINSZ, SIGWINCH), oflow (tcflow: output held while
 * stopped), ixoff (VSTOP sent as the buffer fills, VSTART once read).
 * Each case puts the settings it found back.
 */
#include "lnx.h"
#include "util.h"

#define SIGINT 2
#define SA_RESTORER 0x04000000
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSF 0x5404
#define TCFLSH 0x540B
#define TIOCSPGRP 0x5410
#define FIONREAD 0x541B
#define TCXONC 0x540A
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define SIGWINCH 28
#define TIOCSTI 0x5412
#define IXOFF 0x1000
#define ICRNL 0x100
#define ISIG 0x1
#define ICANON 0x2
#define ECHO 0x8
#define ECHONL 0x40
#define VTIME 5
#define VMIN 6

struct termios {
	unsigned int iflag, oflag, cflag, lflag;
	unsigned char line, cc[19];
};

struct kact {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask[2];
};

struct pollfd {
	int fd;
	short events, revents;
};

extern char restore_old[];
__asm__(".globl restore_old\nrestore_old:\n\tpopl %eax\n\tmovl $119, %eax\n\tint $0x80\n");

static volatile int got_sig;
static struct termios saved;

static void
on_sig(int sig)
{
	got_sig = sig;
}

static long ioctl(long cmd, void *arg) { return lnx_call(54, 0, cmd, (long)arg, 0, 0, 0); }
static long rd(char *b, long n) { return lnx_call(3, 0, (long)b, n, 0, 0, 0); }

static void
set(unsigned int lflag_off, unsigned int lflag_on, int vmin, int vtime)
{
	struct termios t = saved;

	t.lflag = (t.lflag & ~lflag_off) | lflag_on;
	t.cc[VMIN] = (unsigned char)vmin;
	t.cc[VTIME] = (unsigned char)vtime;
	ioctl(TCSETS, &t);
}

/* "label N: bytes", control bytes as ^X */
static void
show(const char *label, const char *b, long n)
{
	char out[160];
	int k = 0;

	say(label, n);
	for (long i = 0; i < n && k < 150; i++) {
		unsigned char c = (unsigned char)b[i];

		if (c < 0x20 || c == 0x7f) {
			out[k++] = '^';
			out[k++] = (char)(c ^ 0x40);
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = 0;
	lnx_puts("  [");
	lnx_puts(out);
	lnx_puts("]\n");
}

static void
case_canon(void)
{
	char b[64];

	lnx_puts("canon: ready\n");
	show("canon: a line edited with erase, kill and werase", b, rd(b, sizeof b));
	lnx_puts("canon: ready eof\n");
	show("canon: a line ended by VEOF", b, rd(b, sizeof b));
	show("canon: VEOF alone", b, rd(b, sizeof b));
	lnx_puts("canon: ready short\n");
	show("canon: a line read 4 bytes at a time", b, rd(b, 4));
	show("canon: and the rest of it", b, rd(b, sizeof b));
}

static void
case_raw(void)
{
	char b[8];

	set(ICANON | ECHO, 0, 1, 0);
	lnx_puts("raw: ready\n");
	for (int i = 0; i < 3; i++)
		show("raw: one byte, not echoed", b, rd(b, 1));
	set(ICANON, ECHO, 1, 0);
	lnx_puts("raw: ready echo\n");
	show("raw: one byte, echoed", b, rd(b, 1));
	lnx_puts("raw: ready ctl\n");
	show("raw: a control byte, echoed as ^A", b, rd(b, 1));
	set(ICANON | ECHO, 0, 1, 0);
	lnx_puts("raw: ready cr\n");
	show("raw: CR with ICRNL", b, rd(b, 1));
	{
		struct termios t;

		ioctl(TCGETS, &t);
		t.iflag &= ~ICRNL;
		ioctl(TCSETS, &t);
	}
	lnx_puts("raw: ready nocr\n");
	show("raw: CR without ICRNL", b, rd(b, 1));
}

static void
case_echo(void)
{
	char b[32];

	set(ECHO, 0, 1, 0);
	lnx_puts("echo: ready\n");
	show("echo: a line typed without ECHO", b, rd(b, sizeof b));
	set(ECHO, ECHONL, 1, 0);
	lnx_puts("echo: ready nl\n");
	show("echo: with ECHONL, only its newline echoed", b, rd(b, sizeof b));
}

static void
case_isig(void)
{
	struct kact a = { (void *)on_sig, SA_RESTORER, (void *)restore_old, { 0, 0 } };
	char b[8];

	lnx_call(174, SIGINT, (long)&a, 0, 8, 0, 0);
	lnx_puts("isig: ready\n");
	say("isig: the read answered", rd(b, sizeof b));
	say("isig: the handler ran for", got_sig);
	got_sig = 0;
	set(ISIG | ICANON, 0, 1, 0);
	lnx_puts("isig: ready off\n");
	show("isig: without ISIG, ^C is a byte", b, rd(b, sizeof b));
	say("isig: and no signal came", got_sig);
}

static void
case_vtime(void)
{
	char b[16];

	set(ICANON | ECHO, 0, 0, 0);
	say("vtime: VMIN 0, VTIME 0, nothing typed: the read answers", rd(b, sizeof b));
	set(ICANON | ECHO, 0, 0, 3);
	say("vtime: VMIN 0, VTIME 3, nothing typed: after 0.3 s the read answers", rd(b, sizeof b));
	set(ICANON | ECHO, 0, 10, 5);
	lnx_puts("vtime: ready\n");
	show("vtime: VMIN 10, VTIME 5, two bytes typed: 0.5 s after the last the read answers", b, rd(b, 10));
	set(ICANON | ECHO, 0, 3, 0);
	lnx_puts("vtime: ready min\n");
	show("vtime: VMIN 3, VTIME 0, three bytes typed", b, rd(b, 3));
}

static void
case_flush(void)
{
	struct pollfd p = { 0, 1 /* POLLIN */, 0 };
	char b[32];
	int n = -1;

	lnx_puts("flush: ready\n");
	sleep_ms(1000);	/* all of what is typed comes in */
	say("flush: poll says a line waits", lnx_call(168, (long)&p, 1, -1, 0, 0, 0));
	ioctl(FIONREAD, &n);
	say("flush: FIONREAD counts the finished line only", n);
	say("flush: TCFLSH TCIFLUSH", ioctl(TCFLSH, (void *)0));
	ioctl(FIONREAD, &n);
	say("flush: then FIONREAD", n);
	lnx_puts("flush: ready again\n");
	show("flush: the next line, nothing of the dropped one", b, rd(b, sizeof b));
	set(ICANON | ECHO, 0, 1, 0);
	lnx_puts("flush: ready sf\n");
	sleep_ms(1000);
	ioctl(FIONREAD, &n);
	say("flush: raw, FIONREAD counts every byte", n);
	{
		struct termios t;

		ioctl(TCGETS, &t);
		say("flush: TCSETSF with the same settings", ioctl(TCSETSF, &t));
	}
	ioctl(FIONREAD, &n);
	say("flush: then FIONREAD", n);
}

static void
case_tab(void)
{
	char b[32];

	lnx_puts("tab: ready\n");
	show("tab: a line with a tab erased", b, rd(b, sizeof b));
}

struct winsize {
	unsigned short row, col, xpixel, ypixel;
};

static void
case_winsz(void)
{
	struct kact a = { (void *)on_sig, SA_RESTORER, (void *)restore_old, { 0, 0 } };
	struct winsize w, was, big = { 40, 100, 0, 0 };

	lnx_call(174, SIGWINCH, (long)&a, 0, 8, 0, 0);
	got_sig = 0;
	ioctl(TIOCGWINSZ, &was);
	say("winsz: TIOCSWINSZ 40 rows, 100 columns", ioctl(TIOCSWINSZ, &big));
	say("winsz: SIGWINCH came", got_sig);
	ioctl(TIOCGWINSZ, &w);
	say("winsz: TIOCGWINSZ rows", w.row);
	say("winsz: columns", w.col);
	got_sig = 0;
	say("winsz: the same size again", ioctl(TIOCSWINSZ, &big));
	say("winsz: and no SIGWINCH", got_sig);
	say("winsz: the size it was put back", ioctl(TIOCSWINSZ, &was));
	say("winsz: TIOCSWINSZ from a bad pointer", ioctl(TIOCSWINSZ, (void *)1));
}

static void
case_oflow(void)
{
	long off, wr, on, inval;
	int held = -1, after = -1;

	off = ioctl(TCXONC, (void *)0);	/* TCOOFF */
	wr = lnx_call(4, 1, (long)"held\n", 5, 0, 0, 0);
	ioctl(TIOCOUTQ, &held);
	on = ioctl(TCXONC, (void *)1);	/* TCOON: the line goes out now, before what follows */
	ioctl(TIOCOUTQ, &after);
	inval = ioctl(TCXONC, (void *)7);
	say("oflow: TCOOFF", off);
	say("oflow: a write while stopped answered", wr);
	say("oflow: TIOCOUTQ while stopped (its CR LF)", held);
	say("oflow: TCOON", on);
	say("oflow: then TIOCOUTQ", after);
	say("oflow: TCXONC 7", inval);
}

/* The buffer filled by TIOCSTI, no typing: VSTOP goes out with the 3,969th byte, VSTART as the read empties it. */
static void
case_ixoff(void)
{
	struct termios t;
	static char b[4096];
	long pushed = 0, got = 0, r;

	ioctl(TCGETS, &t);
	t.iflag |= IXOFF;
	t.lflag &= ~(ICANON | ECHO);
	t.cc[VMIN] = 0;
	t.cc[VTIME] = 0;
	ioctl(TCSETS, &t);
	for (int i = 0; i < 4000; i++)
		pushed += ioctl(TIOCSTI, "x") == 0;
	while ((r = rd(b, sizeof b)) > 0)
		got += r;
	say("ixoff: TIOCSTI pushed", pushed);
	say("ixoff: read back", got);
}

void
start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	int pg;

	/* a group of its own, the console's foreground: the signal keys come to it */
	lnx_call(57, 0, 0, 0, 0, 0, 0);
	pg = (int)lnx_call(20, 0, 0, 0, 0, 0, 0);
	ioctl(TIOCSPGRP, &pg);
	ioctl(TCGETS, &saved);
	for (int i = 1; i < argc; i++) {
		const char *c = argv[i];

		if (streq(c, "canon"))
			case_canon();
		else if (streq(c, "raw"))
			case_raw();
		else if (streq(c, "echo"))
			case_echo();
		else if (streq(c, "isig"))
			case_isig();
		else if (streq(c, "vtime"))
			case_vtime();
		else if (streq(c, "flush"))
			case_flush();
		else if (streq(c, "tab"))
			case_tab();
		else if (streq(c, "winsz"))
			case_winsz();
		else if (streq(c, "oflow"))
			case_oflow();
		else if (streq(c, "ixoff"))
			case_ixoff();
		else {
			lnx_puts("tty: unknown case\n");
			lnx_exit(2);
		}
		ioctl(TCSETS, &saved);
	}
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
