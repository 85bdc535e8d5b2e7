/*
 * A user thread's registers as Mach's i386_thread_state_t (arch/i386/thread_state.c).
 */
#ifndef KERN_THREAD_STATE_H
#define KERN_THREAD_STATE_H

#include <mach/thread_status.h>

struct thread;

void thread_state_get(struct thread *t, i386_thread_state_t *st);
/* Sets what a user may set: segment registers and privileged flags stay the kernel's. */
void thread_state_set(struct thread *t, const i386_thread_state_t *st);

#endif
