/* The line discipline: typed bytes become edited lines (line.c). */
#ifndef CONSOLE_LINE_H
#define CONSOLE_LINE_H

#include <stdbool.h>
#include <stdint.h>

#define EDIT_MAX 256		/* longest line being typed; more is refused (bell) */
#define LINES_MAX 2048		/* finished lines waiting for a reader */

/* One typed byte: edits the current line and echoes. */
void line_input(char c);
/* ^C was typed: true if someone asked to hear of it (main.c), which then replaces its empty line. */
bool line_interrupted(void);
/* Whether a finished line waits. */
bool line_ready(void);
/* Takes up to max bytes of the oldest finished line (its newline last); false if none. */
bool line_take(char *out, uint32_t max, uint32_t *n);

/* Raw mode on or off (console_raw): bytes as typed, no echo, no editing; off drops what raw left. */
void line_raw(bool on);

#endif
