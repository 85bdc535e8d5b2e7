/*
 * The console tty (tty.h). The reader thread is the only one that waits for
 * the console server: it reads a line (libmsg's stdio, console_read through
 * our session), puts it in the input buffer under unix_lock, and sends the
 * loop a wake message so that a held read goes again (main.c). It reads
 * ahead while the buffer has room, as a tty keeps what is typed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "console_client.h"
#include "fd.h"
#include "ns_client.h"
#include "linux.h"
#include "pgrp.h"
#include "signal.h"
#include "syscall.h"
#include "tty.h"
#include "umem.h"

#define CHUNK 4096u
#define INPUT_MAX 4096u

bool console_at_line_start = true;
uint32_t tty_pgrp;			/* [U] */
const char tty_key;			/* only its address matters */
static char input[INPUT_MAX];		/* [U] typed lines not read yet */
static uint32_t input_len;		/* [U] */
static struct cthread_cond input_room;	/* the buffer has room for another line */
static mach_port_t wake;
static mach_port_t console = MACH_PORT_NULL;	/* the console server's own port: output at once */
static struct lnx_termios termios = {
	.c_iflag = 0x0500,	/* ICRNL IXON */
	.c_oflag = 0x0005,	/* OPOST ONLCR */
	.c_cflag = 0x00BF,	/* B38400 CS8 CREAD */
	/*
	 * ISIG ICANON ECHOE ECHOK ECHOCTL ECHOKE IEXTEN, and no ECHO: the console
	 * server has echoed a line before it reaches us, and a program that
	 * echoes for itself in raw mode (busybox's line editing) would echo it
	 * twice; with ICANON and no ECHO, busybox reads lines as they come.
	 */
	.c_lflag = 0x8A33,
	.c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0 },
};	/* [U] what TCSETS* last set: kept and given back, not acted on (the console server edits) */

/*
 * Out at once through the console server's port, not our session, which
 * would hold a partial line (a prompt) up to 200 ms; our own lines, whole,
 * go through the session, and the console server takes both in order.
 */
static void
emit(const char *text, uint32_t n)
{
	fflush(stdout);
	for (uint32_t at = 0; at < n;) {
		uint32_t k = n - at < 2048 ? n - at : 2048;

		if (!MACH_PORT_VALID(console) || console_write(console, (char *)text + at, k) != KERN_SUCCESS) {
			fwrite(text + at, 1, k, stdout);
			fflush(stdout);
		}
		at += k;
	}
}

/* Whether p is in a group other than the foreground one, which a live process still has. */
static bool
background(const struct process *p)
{
	return tty_pgrp && p->pgid != tty_pgrp && signal_group_exists(tty_pgrp);
}

/*
 * Job control for what changes the tty (tcsetattr, tcsetpgrp) and, with
 * TOSTOP, for writes: a background group's call stops the group (SIGTTOU)
 * and is held, to go again once continued; with SIGTTOU ignored or blocked
 * it goes through, as on Linux (an interactive shell taking the terminal
 * back ignores it); an orphaned group gets EIO, as nobody would continue
 * it. 0: go on.
 */
static int32_t
ttou(struct process *p)
{
	const struct lnx_sigaction_rec *act = &p->sigactions[LNX_SIGTTOU - 1];

	if (!background(p) || act->handler == LNX_SIG_IGN || (p->sigmask & SIG_BIT(LNX_SIGTTOU)))
		return 0;
	if (pgrp_orphaned(p->pgid))
		return -LNX_EIO;	/* nobody would continue it */
	signal_group(p->pgid, LNX_SIGTTOU);
	p->wait_key = &tty_key;
	return SYS_DEFER;	/* stopped and held, or a handler interrupts it */
}

static int32_t
tty_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	char chunk[CHUNK];
	uint32_t done = 0;
	int32_t r;

	(void)f;
	if ((termios.c_lflag & LNX_TOSTOP) && (r = ttou(p)) != 0)
		return r;
	while (done < len) {
		uint32_t n = len - done < CHUNK ? len - done : CHUNK;
		int r = umem_read(p, buf + done, chunk, n);

		if (r != 0)
			return done ? (int32_t)done : r;
		emit(chunk, n);
		console_at_line_start = chunk[n - 1] == '\n';
		done += n;
	}
	return (int32_t)done;
}

/* One line at most, as a canonical tty reads; held until a line comes. */
static int32_t
tty_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	const char *nl;
	uint32_t n;
	int r;

	if (background(p)) {
		/* job control: a background group's read stops it (SIGTTIN), unless it would not stop */
		const struct lnx_sigaction_rec *act = &p->sigactions[LNX_SIGTTIN - 1];

		if (act->handler == LNX_SIG_IGN || (p->sigmask & SIG_BIT(LNX_SIGTTIN)) || pgrp_orphaned(p->pgid))
			return -LNX_EIO;
		signal_group(p->pgid, LNX_SIGTTIN);
		p->wait_key = &tty_key;
		return SYS_DEFER;	/* stopped and held, or a handler interrupts it; read again after */
	}
	if (input_len == 0) {
		if (f->flags & LNX_O_NONBLOCK)
			return -LNX_EAGAIN;
		p->tty_wait = true;
		p->wait_key = &tty_key;	/* a line (main.c) */
		return SYS_DEFER;
	}
	nl = memchr(input, '\n', input_len);
	n = nl ? (uint32_t)(nl - input) + 1 : input_len;
	n = n < len ? n : len;
	if ((r = umem_write(p, buf, input, n)) != 0)
		return r;
	memmove(input, input + n, input_len - n);
	input_len -= n;
	cthread_cond_signal(&input_room);
	return (int32_t)n;
}

static uint32_t
tty_poll(struct file *f)
{
	(void)f;
	return LNX_POLLOUT | (input_len ? LNX_POLLIN : 0);
}

static const void *
tty_wake_key(struct file *f)
{
	(void)f;
	return &tty_key;
}

static const struct file_ops tty_ops = {
	.read = tty_read, .write = tty_write, .poll = tty_poll, .wake_key = tty_wake_key, .mode = LNX_S_IFCHR | 0620,
};

struct file *
tty_open(void)
{
	return file_new(&tty_ops, LNX_O_RDWR, NULL);
}

bool
tty_is(const struct file *f)
{
	return f->ops == &tty_ops;
}

int32_t
tty_ioctl(struct process *p, uint32_t cmd, uint32_t arg)
{
	int32_t pgrp;
	int r;

	switch (cmd) {
	case LNX_TCGETS:
		return umem_write(p, arg, &termios, sizeof termios);
	case LNX_TCSETS:
	case LNX_TCSETSW:
	case LNX_TCSETSF: {
		struct lnx_termios t;

		if ((r = umem_read(p, arg, &t, sizeof t)) != 0)
			return r;
		if ((r = ttou(p)) != 0)
			return r;
		termios = t;
		return 0;
	}
	case LNX_TIOCGWINSZ: {
		struct lnx_winsize w = { 24, 80, 0, 0 };

		return umem_write(p, arg, &w, sizeof w);
	}
	case LNX_TIOCGPGRP:
		pgrp = (int32_t)(tty_pgrp ? tty_pgrp : p->pgid);
		return umem_write(p, arg, &pgrp, sizeof pgrp);
	case LNX_TIOCSPGRP:
		if ((r = umem_read(p, arg, &pgrp, sizeof pgrp)) != 0)
			return r;
		if (pgrp <= 0)
			return -LNX_EINVAL;
		if ((r = ttou(p)) != 0)
			return r;
		tty_pgrp = (uint32_t)pgrp;
		server_retry_on(&tty_key);	/* a reader no longer in the background */
		return 0;
	case LNX_TIOCSCTTY:
	case LNX_TIOCNOTTY:
		return 0;	/* one console, everyone's controlling terminal */
	}
	return -LNX_EINVAL;	/* Linux's answer for a tty ioctl it does not know */
}

void
tty_interrupt(void)
{
	/*
	 * Linux also drops the unread input here; but ^C comes to us apart from
	 * the lines (another message), so a line typed just after it may already
	 * be in the buffer: it stays. The line being edited went with the ^C.
	 */
	if (tty_pgrp)
		signal_group(tty_pgrp, LNX_SIGINT);
}

static void
wake_loop(void)
{
	server_wake(UNIX_WAKE_ID);
}


static void *
reader(void *arg)
{
	char line[256];

	(void)arg;
	for (;;) {
		ssize_t n = read(0, line, sizeof line);

		if (n <= 0) {
			/* the console server restarted (libmsg's stdio opens a new session): ask the new one for ^C */
			if (MACH_PORT_VALID(console))
				console_interrupts(console, wake);
			continue;
		}
		cthread_mutex_lock(&unix_lock);
		while (input_len + (uint32_t)n > INPUT_MAX)
			cthread_cond_wait(&input_room, &unix_lock);
		memcpy(input + input_len, line, (size_t)n);
		input_len += (uint32_t)n;
		cthread_mutex_unlock(&unix_lock);
		wake_loop();
	}
	return NULL;
}

int
tty_start(mach_port_t wake_port)
{
	mach_port_t ns;
	cthread_t t;

	wake = wake_port;
	/* the console server's port, for output and for ^C, which it tells the wake port (console_interrupts) */
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/console", 5000, &console) != KERN_SUCCESS)
		console = MACH_PORT_NULL;
	if (!MACH_PORT_VALID(console) || console_interrupts(console, wake) != KERN_SUCCESS)
		printf("unix: the console does not tell ^C: no SIGINT from the keyboard\n");
	if (cthread_fork(&t, reader, NULL) != KERN_SUCCESS)
		return -1;
	cthread_detach(t);
	return 0;
}
