/* Pipes (pipe.c): two files, a read end and a write end, around one buffer. */
#ifndef UNIX_PIPE_H
#define UNIX_PIPE_H

#include <stdint.h>

struct file;

/* A new pipe; flags may hold O_NONBLOCK. 0 or -LNX_ENFILE (no memory). */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr);

#endif
