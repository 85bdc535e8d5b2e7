/*
 * A user thread's registers as Mach's i386_thread_state_t (arch/i386/thread_state.c).
 */
#ifndef KERN_THREAD_STATE_H
#define KERN_THREAD_STATE_H

#include <mach/kern_return.h>
#include <mach/thread_status.h>

struct thread;

void thread_state_get(struct thread *t, i386_thread_state_t *st);
/* Sets what a user may set: segment registers and privileged flags stay the kernel's. */
void thread_state_set(struct thread *t, const i386_thread_state_t *st);

/*
 * The thread's TLS segment (i386_TLS_STATE). thread_tls_check says whether a
 * request may be set (KERN_INVALID_ARGUMENT: flags or limit; KERN_INVALID_ADDRESS:
 * base outside user space); thread_tls_set cannot fail. Caller holds sched_lock.
 */
void thread_tls_get(struct thread *t, i386_tls_state_t *tls);
kern_return_t thread_tls_check(const i386_tls_state_t *tls);
void thread_tls_set(struct thread *t, const i386_tls_state_t *tls);

/*
 * The thread's x87 and SSE registers (i386_FXSAVE_STATE, 512 bytes), from the
 * switch path's save (arch/i386/switch.c). False on a CPU without fxsave.
 * Caller holds sched_lock.
 */
bool thread_fxsave_get(struct thread *t, void *image);
bool thread_fxsave_set(struct thread *t, const void *image);

#endif
