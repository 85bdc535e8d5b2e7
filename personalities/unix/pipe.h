/* Pipes (pipe.c): two files, a read end and a write end, around one buffer. */
#ifndef UNIX_PIPE_H
#define UNIX_PIPE_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct process;

/* A new pipe; flags may hold O_NONBLOCK. 0 or -LNX_ENFILE (no memory). */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr);

/* Whether f is a pipe's write end. */
bool pipe_is_write_end(const struct file *f);
/*
 * writev of a pipe's write end f as one write of total bytes (> 0), so that
 * PIPE_BUF's atomicity is the whole call's, as Linux's: the n iovecs at iov
 * in p's memory, checked and summed by the caller.
 */
int32_t pipe_writev(struct process *p, struct file *f, uint32_t iov, uint32_t n, uint32_t total);
/* p ended: off the queue of held writers it may be on. */
void pipe_forget(struct process *p);

#endif
