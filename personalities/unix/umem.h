/*
 * A process's memory, seen from the server: copies in and out through its
 * task port (vm_read, vm_write of whole pages). Each returns 0 or -LNX_EFAULT,
 * what the system call then answers: a bad pointer from a process is its
 * error, never the server's.
 */
#ifndef UNIX_UMEM_H
#define UNIX_UMEM_H

#include <stddef.h>
#include <stdint.h>
#include "process.h"

#define UMEM_MAX	(1024 * 1024)	/* the most one copy moves; callers loop for more */

int umem_read(struct process *p, uint32_t addr, void *buf, size_t len);
int umem_write(struct process *p, uint32_t addr, const void *buf, size_t len);

#endif
