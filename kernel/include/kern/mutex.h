/*
 * Sleeping locks: a thread that finds one taken blocks until it is released,
 * with interrupts on, and may be preempted while it holds one. For what may
 * take long and is bounded only by what a task asked for (a map's regions,
 * fork, the pages of a large vm_deallocate): under a spin lock the same work
 * would keep the timer and the serial line waiting.
 *
 * Never taken with interrupts off (under a spin lock, in an interrupt): there
 * the caller cannot wait, and kmutex_lock panics; kmutex_trylock is for code
 * that may run either way and can give up. A thread waiting for one cannot be
 * aborted out of the wait (thread_terminate lets it take the lock, finish,
 * and die on its way back to user mode), so a holder always finds its
 * structures as it left them.
 */
#ifndef KERN_MUTEX_H
#define KERN_MUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/sched.h>

struct kmutex {
	struct thread *volatile owner;	/* [A] NULL when free */
	volatile uint32_t waiting;	/* [A] threads in the slow path; written under sched_lock */
	struct waitq waiters;		/* [sched_lock] */
	const char *name;
};

#define KMUTEX_INIT(var, n) { NULL, 0, { LIST_INIT((var).waiters.threads) }, n }

void kmutex_init(struct kmutex *m, const char *name);
void kmutex_lock(struct kmutex *m);
bool kmutex_trylock(struct kmutex *m);
void kmutex_unlock(struct kmutex *m);

static inline bool kmutex_held(const struct kmutex *m) { return m->owner == curthread(); }

#define assert_mutex_held(m) assert(kmutex_held(m))

#endif
