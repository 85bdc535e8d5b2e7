/*
 * Orphaned process groups (pgrp.c): which groups are orphaned, and the
 * SIGHUP and SIGCONT a process's end gives a group it orphans that has a
 * stopped member. [U] unix_lock, as every table of the server's.
 */
#ifndef UNIX_PGRP_H
#define UNIX_PGRP_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

#define PGRP_EXIT_MAX 72	/* groups one end can orphan: its own and its children's (64 at most: the kernel's) */

/* Whether no live member of pgrp has a parent in another group of its session (init is nobody's). */
bool pgrp_orphaned(uint32_t pgrp);

/* The groups p's end may orphan, noted while p and its children are as they were. */
struct pgrp_exit {
	uint32_t n;
	uint32_t pgrp[PGRP_EXIT_MAX];
};
void pgrp_exit_begin(struct process *p, struct pgrp_exit *e);
/* Once p is a zombie and its children init's: SIGHUP, then SIGCONT, to each group now orphaned with a stopped member. */
void pgrp_exit_end(const struct pgrp_exit *e);

#endif
