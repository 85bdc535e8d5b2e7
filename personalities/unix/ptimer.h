/*
 * POSIX timers (ptimer.c): the handlers are in syscall.h; these are what
 * the rest of the server calls. [U] unix_lock.
 */
#ifndef UNIX_PTIMER_H
#define UNIX_PTIMER_H

#include <stdint.h>
#include "process.h"

/* When the earliest armed timer is due, on the clock since boot in ns; 0: none. */
uint64_t ptimer_earliest_ns(void);
/* Posts the signals of the timers due by now (ns since boot) and sets the periodic ones again. */
void ptimer_fire(uint64_t now);
/* sig is being delivered to p: a timer's signal takes its overrun count with it. */
void ptimer_delivered(struct process *p, int sig);
/* p exec'd or ended: its timers go. */
void ptimer_drop(struct process *p);

#endif
