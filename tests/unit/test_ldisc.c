/*
 * The Unix server's line discipline (personalities/unix/ldisc.c) on the host:
 * keys in, the buffer's lines and the echo out, against what Linux's n_tty
 * does with the same keys and flags. tty_emit and tty_signal are this file's.
 */
#include <stdbool.h>
#include <string.h>
#include "ldisc.h"
#include "unit.h"

static char echoed[8192];
static uint32_t echoed_len;
static int signalled;

void
tty_emit(const char *text, uint32_t n)
{
	if (echoed_len + n < sizeof echoed) {
		memcpy(echoed + echoed_len, text, n);
		echoed_len += n;
		echoed[echoed_len] = 0;
	}
}

void
tty_signal(int sig)
{
	signalled = sig;
}

/* Linux's defaults (the discipline's own, kept from the first call), empty buffer and echo. */
static struct lnx_termios *
fresh(void)
{
	static struct lnx_termios defaults, t;
	static bool kept;

	if (!kept) {
		defaults = *ldisc_termios;
		kept = true;
	}
	char cr;
	uint32_t taken;

	ldisc_set(&defaults);
	ldisc_tcflow(false);
	ldisc_receive("\x11", 1);	/* output started (VSTART) */
	ldisc_output("\r", 1, &cr, 1, &taken);	/* the column 0 */
	ldisc_flush();
	echoed_len = 0;
	echoed[0] = 0;
	signalled = 0;
	t = defaults;
	return &t;
}

static uint32_t
type(const char *keys)
{
	return ldisc_receive(keys, (uint32_t)strlen(keys));
}

/* The next read's bytes, as a C string. */
static const char *
take(uint32_t max)
{
	static char out[LDISC_BUF + 1];
	uint32_t n = ldisc_take(out, max);

	out[n] = 0;
	return out;
}

UNIT_TEST(ldisc_canonical_erase_kill_and_werase)
{
	fresh();
	type("abc\x7f" "d\x15hello wurld\x17world");
	EXPECT(!ldisc_line_ready());
	EXPECT_EQ(ldisc_readable(), 0);
	type("\r");
	EXPECT(ldisc_line_ready());
	EXPECT_EQ(ldisc_readable(), 12);
	EXPECT(strcmp(take(64), "hello world\n") == 0);
	EXPECT(strcmp(echoed, "abc\b \bd\b \b\b \b\b \bhello wurld\b \b\b \b\b \b\b \b\b \bworld\r\n") == 0);
}

UNIT_TEST(ldisc_werase_stops_at_punctuation_as_linux)
{
	fresh();
	type("foo bar.baz\x17\n");
	EXPECT(strcmp(take(64), "foo bar.\n") == 0);
}

UNIT_TEST(ldisc_kill_without_echoke_echoes_the_key_and_a_newline)
{
	struct lnx_termios *t = fresh();

	t->c_lflag &= ~LNX_ECHOKE;
	ldisc_set(t);
	type("ab\x15" "c\n");
	EXPECT(strcmp(echoed, "ab^U\r\nc\r\n") == 0);
	EXPECT(strcmp(take(64), "c\n") == 0);
}

UNIT_TEST(ldisc_veof_ends_a_line_and_alone_is_an_end_of_file)
{
	fresh();
	type("abc\x04\x04");
	EXPECT(strcmp(echoed, "abc") == 0);
	EXPECT(strcmp(take(64), "abc") == 0);
	EXPECT(ldisc_line_ready());
	EXPECT(strcmp(take(64), "") == 0);
	EXPECT(!ldisc_line_ready());
}

UNIT_TEST(ldisc_a_line_read_in_pieces)
{
	fresh();
	type("abcdefg\nxy\n");
	EXPECT(strcmp(take(4), "abcd") == 0);
	EXPECT(strcmp(take(64), "efg\n") == 0);
	EXPECT(strcmp(take(64), "xy\n") == 0);
}

UNIT_TEST(ldisc_icanon_off_and_on_remakes_the_lines)
{
	struct lnx_termios *t = fresh();

	type("abc");
	t->c_lflag &= ~LNX_ICANON;
	ldisc_set(t);
	EXPECT_EQ(ldisc_readable(), 3);
	t->c_lflag |= LNX_ICANON;
	ldisc_set(t);
	EXPECT_EQ(ldisc_readable(), 0);
	type("\x7f\n");	/* what was there is the line being edited again */
	EXPECT(strcmp(take(64), "ab\n") == 0);
}

UNIT_TEST(ldisc_signal_keys_with_isig_and_without)
{
	struct lnx_termios *t = fresh();

	type("typed\x03");
	EXPECT_EQ(signalled, 2);
	EXPECT_EQ(ldisc_readable(), 0);
	EXPECT(strcmp(echoed, "typed^C") == 0);
	type("x\x1c");
	EXPECT_EQ(signalled, 3);
	type("\x1a");
	EXPECT_EQ(signalled, 20);
	t = fresh();
	t->c_lflag |= LNX_NOFLSH;
	t->c_lflag &= ~LNX_ICANON;
	ldisc_set(t);
	type("kept\x03");
	EXPECT_EQ(ldisc_readable(), 4);
	t->c_lflag &= ~LNX_ISIG;
	ldisc_set(t);
	signalled = 0;
	type("\x03");
	EXPECT_EQ(signalled, 0);
	EXPECT(strcmp(take(64), "kept\x03") == 0);
}

UNIT_TEST(ldisc_vreprint_echoes_the_line_again)
{
	fresh();
	type("done\nab\x01\x12");
	EXPECT(strcmp(echoed, "done\r\nab^A^R\r\nab^A") == 0);
	type("\n");
	EXPECT(strcmp(take(64), "done\n") == 0);
	EXPECT(strcmp(take(64), "ab\x01\n") == 0);
}

UNIT_TEST(ldisc_lnext_takes_the_next_key_as_it_is)
{
	fresh();
	type("\x16\x7f\n");
	EXPECT(strcmp(take(64), "\x7f\n") == 0);
	EXPECT(strcmp(echoed, "^\b^?\r\n") == 0);
}

UNIT_TEST(ldisc_echo_off_echonl_and_echoctl)
{
	struct lnx_termios *t = fresh();

	t->c_lflag &= ~LNX_ECHO;
	ldisc_set(t);
	type("pw\r");
	EXPECT_EQ(echoed_len, 0);
	t->c_lflag |= LNX_ECHONL;
	ldisc_set(t);
	type("pw\r");
	EXPECT(strcmp(echoed, "\r\n") == 0);
	t = fresh();
	t->c_lflag &= ~LNX_ICANON;
	ldisc_set(t);
	type("\x01\t\x7f");
	EXPECT(strcmp(echoed, "^A\t^?") == 0);
}

UNIT_TEST(ldisc_cr_and_nl_mapping)
{
	struct lnx_termios *t = fresh();

	t->c_lflag &= ~LNX_ICANON;
	t->c_iflag = LNX_IGNCR;
	ldisc_set(t);
	type("a\rb");
	EXPECT(strcmp(take(64), "ab") == 0);
	t->c_iflag = LNX_INLCR | LNX_ISTRIP;
	ldisc_set(t);
	type("\n\xc1");
	EXPECT(strcmp(take(64), "\rA") == 0);
}

UNIT_TEST(ldisc_a_full_buffer)
{
	static char keys[LDISC_BUF + 100];
	struct lnx_termios *t = fresh();

	memset(keys, 'k', sizeof keys);
	/* canonical: what does not fit is dropped, and the line's end still has room */
	EXPECT_EQ(ldisc_receive(keys, sizeof keys), sizeof keys);
	type("\n");
	EXPECT_EQ(ldisc_readable(), LDISC_BUF);
	t->c_lflag &= ~(LNX_ICANON | LNX_ECHO);
	ldisc_set(t);
	ldisc_flush();
	/* raw: the rest waits for room */
	EXPECT_EQ(ldisc_receive(keys, sizeof keys), LDISC_BUF);
	EXPECT_EQ(ldisc_readable(), LDISC_BUF);
}

/* What ldisc_output makes of text, as a C string. */
static const char *
output(const char *text)
{
	static char out[256];
	uint32_t taken, n = ldisc_output(text, (uint32_t)strlen(text), out, sizeof out - 1, &taken);

	out[n] = 0;
	return out;
}

UNIT_TEST(ldisc_output_opost_flags)
{
	struct lnx_termios *t = fresh();
	char out[8];
	uint32_t taken;

	EXPECT(strcmp(output("a\nb\n"), "a\r\nb\r\n") == 0);	/* OPOST ONLCR: Linux's default */
	t->c_oflag = LNX_OPOST;
	ldisc_set(t);
	EXPECT(strcmp(output("a\nb\n"), "a\nb\n") == 0);
	t->c_oflag = LNX_ONLCR;	/* no OPOST: nothing is acted on */
	ldisc_set(t);
	EXPECT(strcmp(output("a\n\tb\r"), "a\n\tb\r") == 0);
	t->c_oflag = LNX_OPOST | LNX_OCRNL;
	ldisc_set(t);
	EXPECT(strcmp(output("a\rb"), "a\nb") == 0);
	t->c_oflag = LNX_OPOST | LNX_ONOCR;	/* a CR at column 0 is dropped */
	ldisc_set(t);
	EXPECT(strcmp(output("\r\rx\r\r"), "\rx\r") == 0);	/* the column is 4: a, b, a, b above */
	t->c_oflag = LNX_OPOST | LNX_ONOCR | LNX_ONLRET;	/* LF goes to column 0 too */
	ldisc_set(t);
	EXPECT(strcmp(output("x\n\r"), "x\n") == 0);
	t->c_oflag = LNX_OPOST | LNX_XTABS | LNX_OLCUC;
	ldisc_set(t);
	EXPECT(strcmp(output("\rab\tc\t"), "\rAB      C       ") == 0);
	/* room for part: a byte whose output would not fit is not taken */
	t->c_oflag = LNX_OPOST | LNX_ONLCR;
	ldisc_set(t);
	EXPECT_EQ(ldisc_output("a\n", 2, out, 2, &taken), 1);
	EXPECT_EQ(taken, 1);
}

UNIT_TEST(ldisc_erasing_a_tab_goes_back_its_columns)
{
	struct lnx_termios *t = fresh();

	t->c_oflag = LNX_OPOST;
	ldisc_set(t);
	output("$ ");	/* a prompt: the line begins at column 2 */
	type("\t\x7f");
	EXPECT(strcmp(echoed, "\t\b\b\b\b\b\b") == 0);
	echoed_len = 0;
	type("ab\t\x7f");	/* from column 2: a, b, then the tab to 8; six back */
	EXPECT(strcmp(echoed, "ab\t\b\b\b\b") == 0);
	echoed_len = 0;
	type("\tx\x01\t\x7f");	/* after a tab: x and ^A are three columns of the eight */
	EXPECT(strcmp(echoed, "\tx^A\t\b\b\b\b\b") == 0);
}

UNIT_TEST(ldisc_ixon_stops_and_starts_the_output)
{
	struct lnx_termios *t = fresh();

	type("a\x13" "b");
	EXPECT(ldisc_stopped());
	type("c\x11");
	EXPECT(!ldisc_stopped());
	type("\n");
	EXPECT(strcmp(take(64), "abc\n") == 0);	/* the keys are not input */
	/* IXANY: any key starts it */
	t->c_iflag |= LNX_IXANY;
	ldisc_set(t);
	type("\x13");
	EXPECT(ldisc_stopped());
	type("d");
	EXPECT(!ldisc_stopped());
	/* tcflow's stop is VSTART's to keep, and TCOON's to undo */
	ldisc_tcflow(true);
	type("\x11" "e");
	EXPECT(ldisc_stopped());
	ldisc_tcflow(false);
	EXPECT(!ldisc_stopped());
	/* ^S stopped, then IXON off: nothing would start it, so it starts */
	type("\x13");
	t->c_iflag &= ~LNX_IXON;
	ldisc_set(t);
	EXPECT(!ldisc_stopped());
	type("\x13\x11\n");	/* without IXON they are bytes */
	EXPECT(strcmp(take(64), "de\x13\x11\n") == 0);
}
