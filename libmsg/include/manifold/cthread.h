/*
 * C threads for Manifold programs, after Mach's cthreads: threads running
 * fn(arg) on their own stacks, join and exit, mutexes, condition variables and
 * per-thread data. Built on the kernel's thread_create, thread_set_state and
 * thread_resume; waiting blocks in the kernel (mach_msg on a wakeup port), never
 * spins. How it works: libmsg/README.md, "Threads".
 */
#ifndef MANIFOLD_CTHREAD_H
#define MANIFOLD_CTHREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>

/*
 * Every thread's stack is one region of this size, aligned to it: a guard page
 * at the bottom, the stack, and the thread's control block at the top. That is
 * how a thread finds itself from its stack pointer. main() runs on one too.
 */
#define CTHREAD_STACK_SIZE	(256u * 1024)
#define CTHREAD_KEYS		16	/* per-thread data slots per task */

typedef struct cthread *cthread_t;
typedef void *(*cthread_fn_t)(void *arg);
typedef int cthread_key_t;

/*
 * Starts fn(arg) in a new thread; its return value is what cthread_join gives.
 * Every thread must be joined or detached: that gives its stack and ports back.
 * Errors: those of vm_allocate and thread_create (KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE).
 */
kern_return_t cthread_fork(cthread_t *thread, cthread_fn_t fn, void *arg);

/*
 * Waits until thread has ended, then frees its stack, its kernel port and its
 * reply port, and returns its result. Only one thread may join a given thread.
 */
void *cthread_join(cthread_t thread);

/*
 * Lets thread run on with nobody to join it: its result is dropped, and its
 * stack and ports are given back after it ends (at once if it has ended; else
 * by the next cthread_fork, cthread_join or cthread_detach in the task, once
 * the kernel has removed it). At most once per thread, and never with a join.
 */
void cthread_detach(cthread_t thread);

/* Ends the calling thread with result (as returning it from fn would). Not from main. */
void cthread_exit(void *result) __attribute__((noreturn));

/*
 * The calling thread, or NULL on a thread the runtime did not start (made with
 * raw thread_create): such threads may use libmsg only one at a time.
 */
cthread_t cthread_self(void);

/* A small number naming the thread: 1 for main(), then counting up. 0 for foreign threads. */
uint32_t cthread_id(cthread_t thread);

/*
 * A mutex: a count of holders and would-be holders, and a wakeup port (made on
 * first contention) on which waiters block. Zero-initialized is unlocked.
 */
struct cthread_mutex {
	int32_t count;			/* [A] 0 free; 1 held; n > 1 held with n - 1 waiting */
	mach_port_t wakeup;		/* [A] receive right; MACH_PORT_NULL until needed */
};
#define CTHREAD_MUTEX_INITIALIZER { 0, MACH_PORT_NULL }

void cthread_mutex_init(struct cthread_mutex *m);
void cthread_mutex_lock(struct cthread_mutex *m);
bool cthread_mutex_trylock(struct cthread_mutex *m);
void cthread_mutex_unlock(struct cthread_mutex *m);
/* Gives back the wakeup port. Nobody may hold or wait for m. */
void cthread_mutex_destroy(struct cthread_mutex *m);

/* A condition variable: how many wait, and a wakeup port they block on. */
struct cthread_cond {
	int32_t waiters;		/* [A] waiting and not yet signalled */
	mach_port_t wakeup;		/* [A] as the mutex's */
};
#define CTHREAD_COND_INITIALIZER { 0, MACH_PORT_NULL }

void cthread_cond_init(struct cthread_cond *c);
/* Caller holds m; it is released while waiting and held again on return. Wakeups may be spurious. */
void cthread_cond_wait(struct cthread_cond *c, struct cthread_mutex *m);
/* As cthread_cond_wait, for at most timeout_ms: false when the time ran out. */
bool cthread_cond_timedwait(struct cthread_cond *c, struct cthread_mutex *m, uint32_t timeout_ms);
void cthread_cond_signal(struct cthread_cond *c);
void cthread_cond_broadcast(struct cthread_cond *c);
void cthread_cond_destroy(struct cthread_cond *c);

/*
 * Per-thread data: a key names one slot in every thread (NULL at first).
 * KERN_RESOURCE_SHORTAGE when all CTHREAD_KEYS are taken; setspecific fails
 * with KERN_FAILURE on a foreign thread (see cthread_self).
 */
kern_return_t cthread_key_create(cthread_key_t *key);
kern_return_t cthread_setspecific(cthread_key_t key, void *value);
void *cthread_getspecific(cthread_key_t key);

#endif
