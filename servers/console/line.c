/*
 * The line discipline of the serial console: printable bytes are echoed and
 * added to the line being typed; backspace (BS or DEL) takes one back and
 * erases it on screen, ^W the last word, ^U the whole line; Enter (CR, LF, or
 * CR LF as one) finishes the line, which then waits, with its newline, for a
 * reader. ^C drops the line and echoes "^C": the reader gets an empty line,
 * so a shell shows a fresh prompt, unless a personality asked to hear of ^C
 * (console_interrupts), which then has it instead of the empty line. Other
 * control bytes are ignored. What is typed before anyone reads is kept (up to
 * LINES_MAX bytes). In raw mode (line_raw: a personality's tty does the
 * discipline) every byte goes into the same buffer as typed, unechoed, and
 * is handed out as it is, any count.
 */
#include <string.h>
#include "line.h"
#include "output.h"

static char edit[EDIT_MAX];
static uint32_t edit_len;
static char lines[LINES_MAX];	/* finished lines, oldest first */
static uint32_t lines_len;
static bool last_was_cr;
static bool raw;

static void
finish_line(void)
{
	if (lines_len + edit_len + 1 <= LINES_MAX) {
		memcpy(lines + lines_len, edit, edit_len);
		lines_len += edit_len;
		lines[lines_len++] = '\n';
	}
	edit_len = 0;
	output_emit("\n", 1);
}

#define CTRL(c) ((c) & 0x1f)

/* Takes n bytes back from the line being typed, and off the screen. */
static void
erase(uint32_t n)
{
	for (; n > 0 && edit_len > 0; n--) {
		edit_len--;
		output_emit("\b \b", 3);
	}
}

/* The length of the line's last word and the blanks after it. */
static uint32_t
last_word(void)
{
	uint32_t i = edit_len;

	while (i > 0 && edit[i - 1] == ' ')
		i--;
	while (i > 0 && edit[i - 1] != ' ')
		i--;
	return edit_len - i;
}

void
line_input(char c)
{
	bool cr = c == '\r';

	if (raw) {
		if (lines_len < LINES_MAX)
			lines[lines_len++] = c;	/* a full buffer drops what is typed, as Linux's does */
		return;
	}
	if (c == '\n' && last_was_cr) {	/* the second half of CR LF */
		last_was_cr = false;
		return;
	}
	last_was_cr = cr;
	if (cr || c == '\n') {
		finish_line();
	} else if (c == '\b' || c == 0x7f) {
		erase(1);
	} else if (c == CTRL('W')) {
		erase(last_word());
	} else if (c == CTRL('U')) {
		erase(edit_len);
	} else if (c == CTRL('C')) {
		edit_len = 0;
		output_emit("^C", 2);
		if (line_interrupted())
			output_emit("\n", 1);
		else
			finish_line();
	} else if ((unsigned char)c >= 0x20 && c != 0x7f) {
		if (edit_len < EDIT_MAX - 1) {
			edit[edit_len++] = c;
			output_emit(&c, 1);
		} else {
			output_emit("\a", 1);
		}
	}
}

bool
line_ready(void)
{
	return lines_len > 0;
}

bool
line_take(char *out, uint32_t max, uint32_t *n)
{
	const char *nl = memchr(lines, '\n', lines_len);
	uint32_t take;

	if (raw && lines_len > 0 && max > 0)
		nl = lines + lines_len - 1;	/* every byte typed so far */
	if (!nl || max == 0)
		return false;
	take = (uint32_t)(nl - lines) + 1;
	if (take > max)
		take = max;
	memcpy(out, lines, take);
	memmove(lines, lines + take, lines_len - take);
	lines_len -= take;
	*n = take;
	return true;
}

void
line_raw(bool on)
{
	if (on == raw)
		return;
	raw = on;
	edit_len = 0;
	last_was_cr = false;
	if (!on)
		lines_len = 0;	/* raw bytes are no lines: nobody is left to take them */
}
