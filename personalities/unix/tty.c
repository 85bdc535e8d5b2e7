/*
 * The console tty (tty.h). The console server hands us the bytes as typed
 * (console_raw): the line discipline is ours (ldisc.c), so that termios is
 * acted on as Linux's n_tty acts on it. The reader thread is the only one
 * that waits for the console server: it reads what was typed (libmsg's
 * stdio, console_read through our session), puts it in rawq under
 * unix_lock, and sends the loop a wake message; the loop runs it through
 * the discipline (tty_wake: echo, editing, signal keys) and serves the held
 * reads again. It reads ahead while rawq has room, as a tty keeps what is
 * typed; bytes the discipline has no room for wait in rawq.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "console_client.h"
#include "fd.h"
#include "ldisc.h"
#include "ns_client.h"
#include "linux.h"
#include "pgrp.h"
#include "signal.h"
#include "syscall.h"
#include "tty.h"
#include "umem.h"
#include <manifold/msg.h>

#define CHUNK 4096u
#define RAWQ_MAX 4096u

bool console_at_line_start = true;
uint32_t tty_pgrp;			/* [U] */
const char tty_key;			/* only its address matters */
static char rawq[RAWQ_MAX];		/* [U] typed bytes the discipline has not taken yet */
static uint32_t rawq_len;		/* [U] */
static struct cthread_cond rawq_room;	/* rawq has room for more */
static mach_port_t wake;
static mach_port_t console = MACH_PORT_NULL;	/* the console server's own port: output at once */

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

void
tty_emit(const char *text, uint32_t n)
{
	if (n == 0)
		return;
	emit(text, n);
	console_at_line_start = text[n - 1] == '\n';
}

void
tty_signal(int sig)
{
	if (tty_pgrp)
		signal_group(tty_pgrp, sig);
}

/* What waits in rawq goes through the discipline as far as it has room. */
static void
pump(void)
{
	uint32_t k;

	if (rawq_len == 0 || (k = ldisc_receive(rawq, rawq_len)) == 0)
		return;
	memmove(rawq, rawq + k, rawq_len - k);
	rawq_len -= k;
	cthread_cond_signal(&rawq_room);
}

void
tty_wake(void)
{
	pump();
	server_retry_on(&tty_key);
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
	if ((ldisc_termios->c_lflag & LNX_TOSTOP) && (r = ttou(p)) != 0)
		return r;
	while (done < len) {
		uint32_t n = len - done < CHUNK ? len - done : CHUNK;
		int r = umem_read(p, buf + done, chunk, n);

		if (r != 0)
			return done ? (int32_t)done : r;
		tty_emit(chunk, n);
		done += n;
	}
	return (int32_t)done;
}

/* The read waits for typed bytes (a line, or VMIN's), up to ms (0: no limit); EAGAIN if it may not. */
static int32_t
hold(struct process *p, struct file *f, uint32_t ms, uint32_t seen)
{
	if (f->flags & LNX_O_NONBLOCK)
		return -LNX_EAGAIN;
	p->tty_wait = true;
	p->tty_seen = seen;
	p->defer_ms = ms;
	p->wait_key = &tty_key;	/* typed bytes (main.c), a new foreground group */
	return SYS_DEFER;
}

/*
 * Without ICANON, as Linux's n_tty: VMIN bytes (or the count, if less) are
 * enough; VMIN 0 and VTIME 0 answer at once; VMIN 0 waits up to VTIME
 * tenths of a second for one byte; VMIN and VTIME both, once a byte came,
 * up to VTIME after the last one for the rest. A held call keeps its first
 * deadline (libmsg), so each new byte begins the call again (its registers
 * rewound to the int 0x80, as SA_RESTART does), and the new call's deadline
 * is VTIME from then. 0: read what there is; else the answer.
 */
static int32_t
raw_ready(struct process *p, struct file *f, uint32_t len)
{
	uint32_t vmin = ldisc_termios->c_cc[LNX_VMIN], vtime = ldisc_termios->c_cc[LNX_VTIME];
	uint32_t avail = ldisc_readable(), need = vmin < len ? vmin : len;

	if ((avail > 0 && avail >= need) || (vmin == 0 && vtime == 0))
		return 0;
	if ((f->flags & LNX_O_NONBLOCK) && avail > 0)
		return 0;
	if (vtime > 0 && msg_deferred_expired())
		return 0;	/* VTIME passed: what there is, maybe nothing */
	if (vtime > 0 && vmin > 0 && avail > 0 && p->replay && avail != p->tty_seen) {
		p->regs->eip -= 2;	/* another byte: the timer begins again, with the call */
		return (int32_t)p->call_nr;
	}
	return hold(p, f, vtime > 0 && (vmin == 0 || avail > 0) ? vtime * 100 : 0, avail);
}

/* One line at most with ICANON (0 bytes: an end of file); without, as raw_ready says. */
static int32_t
tty_read(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	char chunk[LDISC_BUF];
	uint32_t n;
	int32_t r;

	if (background(p)) {
		/* job control: a background group's read stops it (SIGTTIN), unless it would not stop */
		const struct lnx_sigaction_rec *act = &p->sigactions[LNX_SIGTTIN - 1];

		if (act->handler == LNX_SIG_IGN || (p->sigmask & SIG_BIT(LNX_SIGTTIN)) || pgrp_orphaned(p->pgid))
			return -LNX_EIO;
		signal_group(p->pgid, LNX_SIGTTIN);
		p->wait_key = &tty_key;
		return SYS_DEFER;	/* stopped and held, or a handler interrupts it; read again after */
	}
	if (ldisc_termios->c_lflag & LNX_ICANON) {
		if (!ldisc_line_ready())
			return hold(p, f, 0, 0);
	} else if ((r = raw_ready(p, f, len)) != 0) {
		return r;
	}
	n = ldisc_take(chunk, len < sizeof chunk ? len : sizeof chunk);
	if (n && (r = umem_write(p, buf, chunk, n)) != 0)
		return r;	/* Linux's copy_to_user fault loses them too */
	pump();	/* room for what waited */
	return (int32_t)n;
}

static uint32_t
tty_poll(struct file *f)
{
	const struct lnx_termios *t = ldisc_termios;
	/* Linux's input_available_p: VMIN's bytes when raw with no VTIME */
	uint32_t need = (t->c_lflag & LNX_ICANON) || t->c_cc[LNX_VTIME] || !t->c_cc[LNX_VMIN] ? 1 : t->c_cc[LNX_VMIN];
	bool in = (t->c_lflag & LNX_ICANON) ? ldisc_line_ready() : ldisc_readable() >= need;

	(void)f;
	return LNX_POLLOUT | (in ? LNX_POLLIN : 0);
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
		return umem_write(p, arg, ldisc_termios, sizeof *ldisc_termios);
	case LNX_TCSETS:
	case LNX_TCSETSW:
	case LNX_TCSETSF: {
		struct lnx_termios t;

		if ((r = umem_read(p, arg, &t, sizeof t)) != 0)
			return r;
		if ((r = ttou(p)) != 0)
			return r;
		/* output goes out as it is written: TCSETSW's drain is done; TCSETSF drops the input */
		if (cmd == LNX_TCSETSF)
			ldisc_flush();
		ldisc_set(&t);
		pump();
		server_retry_on(&tty_key);	/* a raw read may have enough now, or a canonical one less */
		return 0;
	}
	case LNX_TCFLSH:
		if (arg > LNX_TCIOFLUSH)
			return -LNX_EINVAL;
		if (arg != LNX_TCOFLUSH)
			ldisc_flush();	/* nothing of the output is held to drop */
		pump();
		return 0;
	case LNX_FIONREAD: {
		uint32_t n = ldisc_readable();

		return umem_write(p, arg, &n, sizeof n);
	}
	case LNX_TIOCOUTQ: {
		uint32_t n = 0;	/* written out at once */

		return umem_write(p, arg, &n, sizeof n);
	}
	case LNX_TCSBRK:
	case LNX_TCSBRKP:
		return 0;	/* tcdrain: the output is out; no break on a serial line we do not own */
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
	 * Only when the console server edits lines (it would not give us raw
	 * bytes): then ^C comes apart from the lines, and what is typed stays.
	 */
	if (tty_pgrp)
		signal_group(tty_pgrp, LNX_SIGINT);
}

static void
wake_loop(void)
{
	server_wake(UNIX_WAKE_ID);
}


/* Raw bytes for our discipline, and ^C's message should it edit lines after all. */
static bool
ask_console(void)
{
	return MACH_PORT_VALID(console) && console_interrupts(console, wake) == KERN_SUCCESS &&
	       console_raw(console, wake) == KERN_SUCCESS;
}

static void *
reader(void *arg)
{
	char line[256];

	(void)arg;
	for (;;) {
		ssize_t n = read(0, line, sizeof line);

		if (n <= 0) {
			/* the console server restarted (libmsg's stdio opens a new session): ask the new one again */
			ask_console();
			continue;
		}
		cthread_mutex_lock(&unix_lock);
		while (rawq_len + (uint32_t)n > RAWQ_MAX)
			cthread_cond_wait(&rawq_room, &unix_lock);
		memcpy(rawq + rawq_len, line, (size_t)n);
		rawq_len += (uint32_t)n;
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
	if (!ask_console())
		printf("unix: the console gives no raw input: typed lines are edited and echoed twice\n");
	if (cthread_fork(&t, reader, NULL) != KERN_SUCCESS)
		return -1;
	cthread_detach(t);
	return 0;
}
