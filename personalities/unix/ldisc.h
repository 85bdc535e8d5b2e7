/*
 * The console tty's line discipline (ldisc.c), Linux's n_tty for the flags
 * programs use: typed bytes (raw, from the console server) go through the
 * input flags, the signal keys, canonical editing and echo as they come,
 * into a buffer that reads take from. Everything here is [U] (unix_lock),
 * and runs on the loop's thread. It knows the rest of the server by
 * tty_emit and tty_signal alone, so that the host's unit tests
 * (tests/unit/test_ldisc.c) run it as it is.
 */
#ifndef UNIX_LDISC_H
#define UNIX_LDISC_H

#include <stdbool.h>
#include <stdint.h>
#include "linux.h"

#define LDISC_BUF 4096u		/* typed bytes kept for readers, as Linux's N_TTY_BUF_SIZE */

/* What TCSETS* last set, acted on. */
extern const struct lnx_termios *ldisc_termios;

/*
 * Takes typed bytes through the discipline, echoing and posting signals;
 * returns how many it took (fewer when the buffer is full: the rest waits).
 */
uint32_t ldisc_receive(const char *bytes, uint32_t n);
/* New settings; turning ICANON on or off remakes the buffer's lines as Linux does. */
void ldisc_set(const struct lnx_termios *t);
/* Bytes a read may take now: canonical, those of finished lines; raw, all. */
uint32_t ldisc_readable(void);
/* Bytes in the buffer, finished lines' and the edited line's alike (IXOFF's measure). */
uint32_t ldisc_buffered(void);
/* Canonical: whether a finished line (or an end of file) waits. */
bool ldisc_line_ready(void);
/* Takes up to max bytes: one line at most when canonical (0 for an end of file); into out. */
uint32_t ldisc_take(char *out, uint32_t max);
/* Drops what was typed and not read (TCFLSH, TCSETSF, a signal key without NOFLSH). */
void ldisc_flush(void);
/*
 * Output (OPOST's flags, the column counted): up to room bytes into out
 * from in's n; *taken says how many of in's went (a byte whose output
 * would not fit waits). Returns the bytes put in out.
 */
uint32_t ldisc_output(const char *in, uint32_t n, char *out, uint32_t room, uint32_t *taken);
/* Whether the output is stopped (IXON's VSTOP, or tcflow's TCOOFF): the tty holds it. */
bool ldisc_stopped(void);
/* tcflow: TCOOFF (stop true) or TCOON, which alone starts what TCOOFF stopped. */
void ldisc_tcflow(bool stop);

/* Writes n bytes, processed, to the console, or holds them while stopped (tty.c): the echo's way out. */
void tty_emit(const char *text, uint32_t n);
/* A signal key's signal to the foreground group, if there is one (tty.c). */
void tty_signal(int sig);

#endif
