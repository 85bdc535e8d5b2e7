/*
 * The console as a Linux terminal: the one tty of the server's processes.
 * Output goes out at once through the console server's port (a session
 * would hold a prompt back); input comes raw from the console server,
 * fetched by a reader thread of ours, and goes through our line discipline
 * (ldisc.c: termios acted on, echo, editing, the signal keys) into the
 * buffer that reads take from. The tty has a foreground process group
 * (TIOCGPGRP, TIOCSPGRP), to which the signal keys go (^C: SIGINT).
 */
#ifndef UNIX_TTY_H
#define UNIX_TTY_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

struct file;

/* A new open file on the console (O_RDWR), one reference; NULL: no memory. */
struct file *tty_open(void);
/* Whether f is the console. */
bool tty_is(const struct file *f);
/* ioctl on the console: the result, or -errno. */
int32_t tty_ioctl(struct process *p, uint32_t cmd, uint32_t arg);
/* Starts the reader thread; wake_port is where it says bytes were typed (main.c). 0 or -1. */
int tty_start(mach_port_t wake_port);
/* What a call waiting on the console is held on (p->wait_key): bytes typed, settings or the foreground changed. */
extern const char tty_key;
/* The reader's wake came (main.c): typed bytes through the discipline, held reads again. [U] */
void tty_wake(void);
/* ^C was typed: SIGINT to the foreground group (main.c, from the console's message). */
void tty_interrupt(void);
/* The foreground group, 0 when none was set. [U] */
extern uint32_t tty_pgrp;

#endif
