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
 *
 * Output goes through the discipline's OPOST (ldisc_output) and then to
 * the console server's console_write_raw, which the kernel puts on the
 * serial line as it is: the CR of ONLCR is ours. While the output is
 * stopped (^S with IXON, tcflow) it waits in outq, as a serial driver's
 * transmit buffer holds it; a write that finds outq full is held until
 * the output starts again (^Q), or answers EAGAIN when non-blocking.
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
#define THROTTLE 128u			/* IXOFF's threshold, n_tty's TTY_THRESHOLD_THROTTLE */
#define OUTQ_MAX 4096u			/* output held while stopped, as Linux's serial transmit buffer */

bool console_at_line_start = true;
uint32_t tty_pgrp;			/* [U] */
const char tty_key;			/* only its address matters */
static char rawq[RAWQ_MAX];		/* [U] typed bytes the discipline has not taken yet */
static uint32_t rawq_len;		/* [U] */
static struct cthread_cond rawq_room;	/* rawq has room for more */
static char outq[OUTQ_MAX];		/* [U] processed output held while stopped; empty while not */
static uint32_t outq_len;		/* [U] */
static struct lnx_winsize winsize = { 24, 80, 0, 0 };	/* [U] TIOCSWINSZ's */
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

		if (!MACH_PORT_VALID(console) || console_write_raw(console, (char *)text + at, k) != KERN_SUCCESS) {
			fwrite(text + at, 1, k, stdout);
			fflush(stdout);
		}
		at += k;
	}
}

/* Output while stopped waits in outq, behind what waits there; what has no room is dropped (an echo's). */
void
tty_emit(const char *text, uint32_t n)
{
	if (n == 0)
		return;
	if (ldisc_stopped() || outq_len) {
		n = n < OUTQ_MAX - outq_len ? n : OUTQ_MAX - outq_len;
		memcpy(outq + outq_len, text, n);
		outq_len += n;
		return;
	}
	emit(text, n);
	console_at_line_start = text[n - 1] == '\n';
}

void
tty_signal(int sig)
{
	if (tty_pgrp)
		signal_group(tty_pgrp, sig);
}

/*
 * IXOFF: VSTOP down the line once the discipline's buffer has less than
 * THROTTLE bytes of room, VSTART once reads leave THROTTLE bytes or fewer
 * in it, as n_tty's throttle thresholds; sent at once, ahead of any output
 * held, as a serial driver's flow characters are.
 */
static void
input_flow(void)
{
	static bool throttled;
	uint32_t held = ldisc_buffered();
	const struct lnx_termios *t = ldisc_termios;
	char c;

	if (!(t->c_iflag & LNX_IXOFF)) {
		throttled = false;
		return;
	}
	if (throttled ? held > THROTTLE : held <= LDISC_BUF - THROTTLE)
		return;
	throttled = !throttled;
	c = (char)t->c_cc[throttled ? LNX_VSTOP : LNX_VSTART];
	if (c)
		emit(&c, 1);
}

/* What waits in rawq goes through the discipline as far as it has room. */
static void
pump(void)
{
	uint32_t k;

	if (rawq_len && (k = ldisc_receive(rawq, rawq_len)) != 0) {
		memmove(rawq, rawq + k, rawq_len - k);
		rawq_len -= k;
		cthread_cond_signal(&rawq_room);
	}
	input_flow();
}

/* Output started again (^Q, tcflow, IXON off): what was held goes out. */
static void
resume(void)
{
	uint32_t n = outq_len;

	if (ldisc_stopped() || n == 0)
		return;
	outq_len = 0;
	tty_emit(outq, n);
}

void
tty_wake(void)
{
	pump();
	resume();
	server_retry_on(&tty_key);	/* reads, and writes held while stopped */
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

/* Held until the output starts again (tty_key), or EAGAIN if it may not wait. */
static int32_t
hold_output(struct process *p, bool nonblock)
{
	if (nonblock)
		return -LNX_EAGAIN;
	p->wait_key = &tty_key;
	return SYS_DEFER;
}

/*
 * Through OPOST and out; while stopped, into outq as far as it has room:
 * what went is answered, and a write none of which went is held.
 */
static int32_t
tty_write(struct process *p, struct file *f, uint32_t buf, uint32_t len)
{
	char chunk[CHUNK / 2], out[CHUNK];
	uint32_t done = 0;
	int32_t r;

	if ((ldisc_termios->c_lflag & LNX_TOSTOP) && (r = ttou(p)) != 0)
		return r;
	if (len && ldisc_stopped() && outq_len == OUTQ_MAX)
		return hold_output(p, (f->flags & LNX_O_NONBLOCK) != 0);
	while (done < len) {
		uint32_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
		uint32_t at = 0;

		if ((r = umem_read(p, buf + done, chunk, n)) != 0)
			return done ? (int32_t)done : r;
		while (at < n) {
			uint32_t room = ldisc_stopped() ? OUTQ_MAX - outq_len : sizeof out, taken;
			uint32_t k = ldisc_output(chunk + at, n - at, out, room, &taken);

			if (taken == 0)	/* stopped, and outq is full */
				return done + at ? (int32_t)(done + at) : hold_output(p, (f->flags & LNX_O_NONBLOCK) != 0);
			tty_emit(out, k);
			at += taken;
		}
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

	bool out = !ldisc_stopped() || outq_len < OUTQ_MAX;

	(void)f;
	return (out ? LNX_POLLOUT : 0) | (in ? LNX_POLLIN : 0);
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

/* TCXONC: TCOOFF and TCOON stop and start the output; TCIOFF and TCION send VSTOP and VSTART down the line. */
static int32_t
tcflow(uint32_t how)
{
	char c;

	switch (how) {
	case LNX_TCOOFF:
	case LNX_TCOON:
		ldisc_tcflow(how == LNX_TCOOFF);
		resume();
		server_retry_on(&tty_key);
		return 0;
	case LNX_TCIOFF:
	case LNX_TCION:
		c = (char)ldisc_termios->c_cc[how == LNX_TCIOFF ? LNX_VSTOP : LNX_VSTART];
		if (c)	/* as Linux's send_prio_char: ahead of what is held, even while stopped */
			emit(&c, 1);
		return 0;
	}
	return -LNX_EINVAL;
}

/* TIOCSWINSZ: kept for TIOCGWINSZ; a new size is SIGWINCH to the foreground group, as Linux's tty_do_resize. */
static int32_t
set_winsize(struct process *p, uint32_t arg)
{
	struct lnx_winsize w;
	int r;

	if ((r = umem_read(p, arg, &w, sizeof w)) != 0)
		return r;
	if (memcmp(&w, &winsize, sizeof w) == 0)
		return 0;
	winsize = w;
	tty_signal(LNX_SIGWINCH);
	return 0;
}

/*
 * TIOCSTI: a byte as if typed, behind what waits in rawq. Anyone may, as
 * on Linux 6.1 for a process whose controlling tty this is (every one's).
 */
static int32_t
simulate_input(struct process *p, uint32_t arg)
{
	char c;
	int r;

	if ((r = umem_read(p, arg, &c, 1)) != 0)
		return r;
	if (rawq_len == RAWQ_MAX)
		return -LNX_EAGAIN;	/* nowhere to put it: Linux would wait for room */
	rawq[rawq_len++] = c;
	tty_wake();
	return 0;
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
		/* TCSETSW and TCSETSF wait for the output held while stopped; TCSETSF drops the input */
		if (cmd != LNX_TCSETS && outq_len)
			return hold_output(p, false);
		if (cmd == LNX_TCSETSF)
			ldisc_flush();
		ldisc_set(&t);
		pump();
		resume();	/* IXON turned off starts the output */
		server_retry_on(&tty_key);	/* a raw read may have enough now, or a canonical one less */
		return 0;
	}
	case LNX_TCFLSH:
		if (arg > LNX_TCIOFLUSH)
			return -LNX_EINVAL;
		if (arg != LNX_TCOFLUSH)
			ldisc_flush();
		if (arg != LNX_TCIFLUSH && outq_len) {
			outq_len = 0;	/* what stopped output held */
			server_retry_on(&tty_key);
		}
		pump();
		return 0;
	case LNX_TCXONC:
		return tcflow(arg);
	case LNX_FIONREAD: {
		uint32_t n = ldisc_readable();

		return umem_write(p, arg, &n, sizeof n);
	}
	case LNX_TIOCOUTQ:
		return umem_write(p, arg, &outq_len, sizeof outq_len);	/* what stopped output holds */
	case LNX_TCSBRK:
	case LNX_TCSBRKP:
		/* tcdrain: waits for what stopped output holds; no break on a serial line we do not own */
		return outq_len ? hold_output(p, false) : 0;
	case LNX_TIOCGWINSZ:
		return umem_write(p, arg, &winsize, sizeof winsize);
	case LNX_TIOCSWINSZ:
		return set_winsize(p, arg);
	case LNX_TIOCSTI:
		return simulate_input(p, arg);
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
