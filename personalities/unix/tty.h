/*
 * The console as a Linux terminal: the one tty of the server's processes.
 * Output goes out at once through the console server's port (a session
 * would hold a prompt back); input is what the console server's line
 * discipline finished (echo and editing are its), fetched a line at a time
 * by a reader thread of ours into a buffer that reads take from, one line at
 * most per read, as a canonical tty gives them. The tty has a foreground
 * process group (TIOCGPGRP, TIOCSPGRP), which a typed ^C interrupts (SIGINT).
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
/* Starts the reader thread; wake_port is where it says a line came (main.c). 0 or -1. */
int tty_start(mach_port_t wake_port);
/* What a call waiting on the console is held on (p->wait_key): a line came, the foreground changed. */
extern const char tty_key;
/* ^C was typed: SIGINT to the foreground group (main.c, from the console's message). */
void tty_interrupt(void);
/* The foreground group, 0 when none was set. [U] */
extern uint32_t tty_pgrp;

#endif
