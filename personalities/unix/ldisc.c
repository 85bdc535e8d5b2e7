/*
 * The console tty's line discipline (ldisc.h). Typed bytes are taken as they
 * come, in the order of Linux's n_tty_receive_char: ISTRIP, a VLNEXT's
 * literal, the signal keys (ISIG: VINTR, VQUIT, VSUSP to the foreground
 * group, the unread input dropped unless NOFLSH), IGNCR, ICRNL and INLCR,
 * then with ICANON the editing keys (VERASE, VKILL, and with IEXTEN
 * VWERASE, VREPRINT and VLNEXT) and the line ends (newline, VEOL, VEOL2, and VEOF,
 * which ends a line without itself and alone is an end of file), each
 * echoed as ECHO, ECHOE, ECHOK, ECHOKE, ECHONL and ECHOCTL say. The
 * buffer holds the finished lines, each one's length in a queue (0: an end
 * of file), then the line being edited; without ICANON all of it is
 * readable. A character that would not fit is dropped (the line's end
 * always has room), as Linux's is; raw, the bytes wait for a reader.
 *
 * Output, the echo's and the writers' (ldisc_output), goes through OPOST's
 * flags as Linux's do_output_char takes it, counting the column the cursor
 * is at: that column is where erasing a tab goes back to. With IXON, VSTOP
 * and VSTART (^S, ^Q) stop and start it, as do tcflow's TCOOFF and TCOON;
 * the tty holds what is written meanwhile (tty.c).
 */
#include <ctype.h>
#include <string.h>
#include "ldisc.h"

#define LINES_MAX 256u		/* finished lines waiting (more line ends are dropped) */

static struct lnx_termios termios = {
	.c_iflag = 0x0500,	/* ICRNL IXON */
	.c_oflag = 0x0005,	/* OPOST ONLCR */
	.c_cflag = 0x00BF,	/* B38400 CS8 CREAD */
	.c_lflag = 0x8A3B,	/* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN: Linux's */
	.c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0 },
};
const struct lnx_termios *ldisc_termios = &termios;

static char buf[LDISC_BUF];
static uint32_t len;		/* bytes in buf: the finished lines', then the edited line's */
static uint32_t canon;		/* ICANON: the finished lines' bytes, buf[0, canon) */
static uint16_t lines[LINES_MAX];	/* ICANON: each finished line's length, oldest first */
static uint32_t nlines;
static bool lnext;		/* the next byte is taken as it is (VLNEXT) */
static char echo[256];
static uint32_t echo_len;
static uint32_t column;		/* where output left the cursor, as OPOST counts it */
static uint32_t canon_column;	/* the column the line being edited began at */
static bool stopped;		/* output stopped: by VSTOP (IXON), or by TCOOFF */
static bool tco_stopped;	/* by TCOOFF, which VSTART does not undo */

#define OUT_MAX 8u		/* the most one byte becomes (a tab, XTABS) */

static bool
lflag(uint32_t f)
{
	return (termios.c_lflag & f) != 0;
}

/* Whether c is the key cc[i]; 0 there means none (POSIX's _POSIX_VDISABLE). */
static bool
key(char c, int i)
{
	return termios.c_cc[i] != 0 && (uint8_t)c == termios.c_cc[i];
}

/* A UTF-8 continuation byte takes no column of its own (IUTF8). */
static bool
continuation(char c)
{
	return (termios.c_iflag & LNX_IUTF8) && ((uint8_t)c & 0xc0) == 0x80;
}

/* The bytes c goes out as (up to OUT_MAX), the column moved: Linux's do_output_char. */
static uint32_t
output_char(char c, char *out)
{
	uint32_t o = termios.c_oflag, spaces;

	if (!(o & LNX_OPOST)) {
		out[0] = c;
		return 1;
	}
	switch (c) {
	case '\n':
		if (o & LNX_ONLRET)
			column = 0;
		if (o & LNX_ONLCR) {
			canon_column = column = 0;
			out[0] = '\r';
			out[1] = '\n';
			return 2;
		}
		canon_column = column;
		break;
	case '\r':
		if ((o & LNX_ONOCR) && column == 0)
			return 0;
		if (o & LNX_OCRNL) {
			c = '\n';
			if (o & LNX_ONLRET)
				canon_column = column = 0;
			break;
		}
		canon_column = column = 0;
		break;
	case '\t':
		spaces = 8 - (column & 7);
		column += spaces;
		if ((o & LNX_TABDLY) == LNX_XTABS) {
			memset(out, ' ', spaces);
			return spaces;
		}
		break;
	case '\b':
		if (column > 0)
			column--;
		break;
	default:
		if (!iscntrl((unsigned char)c)) {
			if (o & LNX_OLCUC)
				c = (char)toupper((unsigned char)c);
			if (!continuation(c))
				column++;
		}
		break;
	}
	out[0] = c;
	return 1;
}

uint32_t
ldisc_output(const char *in, uint32_t n, char *out, uint32_t room, uint32_t *taken)
{
	uint32_t i, k = 0;

	for (i = 0; i < n; i++) {
		char one[OUT_MAX];
		uint32_t col = column, ccol = canon_column, m = output_char(in[i], one);

		if (k + m > room) {	/* it does not fit: as if not seen */
			column = col;
			canon_column = ccol;
			break;
		}
		memcpy(out + k, one, m);
		k += m;
	}
	*taken = i;
	return k;
}

static void
echo_flush(void)
{
	tty_emit(echo, echo_len);
	echo_len = 0;
}

/* Echoed bytes go out as output does (OPOST), so that the column stays true. */
static void
echo_raw(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (echo_len + OUT_MAX > sizeof echo)
			echo_flush();
		echo_len += output_char(s[i], echo + echo_len);
	}
}

/*
 * Backspaces over a tab just erased: back to where it began, which the
 * line's bytes before it (to the previous tab, or to the line's start
 * column) say, as Linux's eraser counts them.
 */
static void
erase_tab(void)
{
	uint32_t cols = 0, bs;
	bool after_tab = false;

	for (uint32_t i = len; i > canon; i--) {
		char c = buf[i - 1];

		if (c == '\t') {
			after_tab = true;
			break;
		}
		if (iscntrl((unsigned char)c))
			cols += lflag(LNX_ECHOCTL) ? 2 : 0;
		else if (!continuation(c))
			cols++;
	}
	if (!after_tab)
		cols += canon_column;
	bs = 8 - (cols & 7);
	if (bs > column)	/* the column counts the echo not yet flushed too */
		bs = column;
	while (bs--)
		echo_raw("\b", 1);
}

/* Whether c echoes as ^X (two columns). */
static bool
caret(char c)
{
	return lflag(LNX_ECHOCTL) && iscntrl((unsigned char)c) && c != '\t';
}

static void
echo_char(char c)
{
	char two[2] = { '^', (char)(c ^ 0x40) };

	if (caret(c))
		echo_raw(two, 2);
	else
		echo_raw(&c, 1);
}

enum erase_kind { ERASE, WERASE, KILL };

/* VERASE, VWERASE or VKILL on the line being edited, and off the screen. */
static void
erase(enum erase_kind kind)
{
	bool alnum_seen = false;

	if (len == canon)
		return;
	if (kind == KILL && (!lflag(LNX_ECHO) || !lflag(LNX_ECHOK) || !lflag(LNX_ECHOKE) || !lflag(LNX_ECHOE))) {
		len = canon;
		if (lflag(LNX_ECHO)) {
			echo_char((char)termios.c_cc[LNX_VKILL]);
			if (lflag(LNX_ECHOK))
				echo_raw("\n", 1);
		}
		return;
	}
	while (len > canon) {
		char c = buf[len - 1];

		if (kind == WERASE) {	/* the blanks before the word, then the word */
			if (isalnum((unsigned char)c) || c == '_')
				alnum_seen = true;
			else if (alnum_seen)
				break;
		}
		len--;
		if (lflag(LNX_ECHO) && lflag(LNX_ECHOE) && c == '\t') {
			erase_tab();
		} else if (lflag(LNX_ECHO) && lflag(LNX_ECHOE)) {
			/* a control byte echoed as itself (no ECHOCTL) took no column: nothing to erase */
			if (caret(c))
				echo_raw("\b \b", 3);
			if (caret(c) || !iscntrl((unsigned char)c))
				echo_raw("\b \b", 3);
		} else if (lflag(LNX_ECHO)) {
			echo_char((char)termios.c_cc[LNX_VERASE]);
		}
		if (kind == ERASE)
			break;
	}
}

/* The line being edited is finished, with c at its end unless it is VEOF's. */
static void
finish_line(bool with, char c)
{
	if (len >= LDISC_BUF || nlines == LINES_MAX)
		return;
	if (with)
		buf[len++] = c;
	lines[nlines++] = (uint16_t)(len - canon);
	canon = len;
}

/* A byte of the line's, or raw input: echoed and kept. False: no room, raw (it waits). */
static bool
plain(char c)
{
	bool icanon = lflag(LNX_ICANON);

	if (len >= (icanon ? LDISC_BUF - 1 : LDISC_BUF))	/* canonical: room kept for the newline */
		return icanon;	/* dropped */
	if (lflag(LNX_ECHO)) {
		if (len == canon)
			canon_column = column;	/* where a tab's erasing counts from */
		if (c == '\n')
			echo_raw("\n", 1);
		else
			echo_char(c);
	}
	buf[len++] = c;
	return true;
}

/* Stopped output goes again, unless tcflow stopped it (Linux's start_tty). */
static void
start(void)
{
	if (!tco_stopped)
		stopped = false;
}

/* IXON's keys: VSTART starts the output, VSTOP stops it; each is taken. */
static bool
flow_key(char c)
{
	if (key(c, LNX_VSTART))
		start();
	else if (key(c, LNX_VSTOP))
		stopped = true;
	else
		return false;
	return true;
}

/* A signal key: the foreground group's signal, the input dropped unless NOFLSH. */
static bool
signal_key(char c)
{
	int sig = key(c, LNX_VINTR) ? LNX_SIGINT : key(c, LNX_VQUIT) ? LNX_SIGQUIT : key(c, LNX_VSUSP) ? LNX_SIGTSTP : 0;

	if (!sig)
		return false;
	if (!lflag(LNX_NOFLSH))
		ldisc_flush();
	if (termios.c_iflag & LNX_IXON)
		start();	/* as Linux: the echo and what the signal makes written show */
	if (lflag(LNX_ECHO))
		echo_char(c);
	echo_flush();	/* the echo shows before what the signal makes its group write */
	tty_signal(sig);
	return true;
}

/* One byte with ICANON: the editing keys and the line ends. False: it is a plain byte. */
static bool
canonical(char c)
{
	bool iexten = lflag(LNX_IEXTEN);

	if (key(c, LNX_VERASE)) {
		erase(ERASE);
	} else if (key(c, LNX_VKILL)) {
		erase(KILL);
	} else if (iexten && key(c, LNX_VWERASE)) {
		erase(WERASE);
	} else if (iexten && key(c, LNX_VREPRINT) && lflag(LNX_ECHO)) {
		echo_char(c);	/* the line being edited again, on a line of its own */
		echo_raw("\n", 1);
		for (uint32_t i = canon; i < len; i++)
			echo_char(buf[i]);
	} else if (iexten && key(c, LNX_VLNEXT)) {
		lnext = true;
		if (lflag(LNX_ECHO) && lflag(LNX_ECHOCTL))
			echo_raw("^\b", 2);
	} else if (c == '\n' || key(c, LNX_VEOL) || (iexten && key(c, LNX_VEOL2))) {
		if (lflag(LNX_ECHO) || (c == '\n' && lflag(LNX_ECHONL)))
			c == '\n' ? echo_raw("\n", 1) : echo_char(c);
		finish_line(true, c);
	} else if (key(c, LNX_VEOF)) {
		finish_line(false, c);
	} else {
		return false;
	}
	return true;
}

uint32_t
ldisc_receive(const char *bytes, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		char c = bytes[i];

		if (termios.c_iflag & LNX_ISTRIP)
			c &= 0x7f;
		if (lnext) {	/* its "^\b" echo is written over by this one's */
			lnext = false;
			if ((termios.c_iflag & (LNX_IXON | LNX_IXANY)) == (LNX_IXON | LNX_IXANY))
				start();
			if (!plain(c))
				break;
			continue;
		}
		if ((termios.c_iflag & LNX_IXON) && flow_key(c))
			continue;
		if (lflag(LNX_ISIG) && signal_key(c))	/* the key as typed, before CR's mapping, as Linux */
			continue;
		if ((termios.c_iflag & (LNX_IXON | LNX_IXANY)) == (LNX_IXON | LNX_IXANY))
			start();	/* any key starts the output again */
		if (c == '\r') {
			if (termios.c_iflag & LNX_IGNCR)
				continue;
			if (termios.c_iflag & LNX_ICRNL)
				c = '\n';
		} else if (c == '\n' && (termios.c_iflag & LNX_INLCR)) {
			c = '\r';
		}
		if (lflag(LNX_ICANON) && canonical(c))
			continue;
		if (!plain(c))
			break;
	}
	echo_flush();
	return i;
}

void
ldisc_set(const struct lnx_termios *t)
{
	bool was = lflag(LNX_ICANON), now = (t->c_lflag & LNX_ICANON) != 0;

	if ((termios.c_iflag & LNX_IXON) && !(t->c_iflag & LNX_IXON))
		start();	/* nothing could start it again */
	termios = *t;
	if (was == now)
		return;
	/* Linux's way: raw, all of it is readable; canonical again, what is there is the line being edited */
	nlines = 0;
	canon = now ? 0 : len;
	lnext = false;
}

uint32_t
ldisc_readable(void)
{
	return lflag(LNX_ICANON) ? canon : len;
}

uint32_t
ldisc_buffered(void)
{
	return len;
}

bool
ldisc_line_ready(void)
{
	return nlines > 0;
}

uint32_t
ldisc_take(char *out, uint32_t max)
{
	uint32_t n = lflag(LNX_ICANON) ? (nlines ? lines[0] : 0) : len;

	n = n < max ? n : max;
	memcpy(out, buf, n);
	memmove(buf, buf + n, len - n);
	len -= n;
	if (lflag(LNX_ICANON) && nlines) {
		canon -= n;
		lines[0] = (uint16_t)(lines[0] - n);
		if (lines[0] == 0) {	/* the line is all read (or it was an end of file) */
			nlines--;
			memmove(lines, lines + 1, nlines * sizeof lines[0]);
		}
	}
	return n;
}

void
ldisc_flush(void)
{
	len = canon = nlines = 0;
	lnext = false;
}

bool
ldisc_stopped(void)
{
	return stopped;
}

void
ldisc_tcflow(bool stop)
{
	if (stop && !tco_stopped) {
		tco_stopped = stopped = true;
	} else if (!stop && tco_stopped) {
		tco_stopped = false;
		stopped = false;
	}
}
