/*
 * newlib's locks (it is built with --enable-newlib-retargetable-locking): the
 * static locks it names and the ones it makes per FILE, over cthread mutexes,
 * so that malloc, stdio, atexit and the environment are safe from several
 * threads. rules.mk links this file before libc's do-nothing versions
 * (`-u __retarget_lock_acquire`): newlib wants all of them or none.
 */
#include <stdlib.h>
#include <sys/lock.h>
#include "cthread_block.h"

/* A lock newlib may take again in the thread that holds it (the _recursive calls). */
struct __lock {
	struct cthread_mutex m;
	const void *owner;		/* [m] the holder's identity, for recursion */
	uint32_t depth;			/* [m] */
};

struct __lock __lock___sinit_recursive_mutex;
struct __lock __lock___sfp_recursive_mutex;
struct __lock __lock___atexit_recursive_mutex;
struct __lock __lock___at_quick_exit_mutex;
struct __lock __lock___malloc_recursive_mutex;
struct __lock __lock___env_recursive_mutex;
struct __lock __lock___tz_mutex;
struct __lock __lock___dd_hash_mutex;
struct __lock __lock___arc4random_mutex;

/*
 * Who holds a lock. Threads the runtime did not start all look alike (they
 * have no block): they must not use libc at the same time as each other.
 */
static const void *
holder(void)
{
	static const char foreign;
	struct cthread *t = cthread_current();

	return t ? (const void *)t : &foreign;
}

/* malloc cannot fail quietly here: a FILE without its lock would not be safe. */
void
__retarget_lock_init(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof **lock);
	if (!*lock)
		abort();
}

void
__retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void
__retarget_lock_close(_LOCK_T lock)
{
	if (!lock)
		return;
	cthread_mutex_destroy(&lock->m);
	free(lock);
}

void
__retarget_lock_close_recursive(_LOCK_T lock)
{
	__retarget_lock_close(lock);
}

void
__retarget_lock_acquire(_LOCK_T lock)
{
	cthread_mutex_lock(&lock->m);
}

/* The try calls answer as pthread_mutex_trylock does (ftrylockfile passes it on): 0 when taken. */
int
__retarget_lock_try_acquire(_LOCK_T lock)
{
	return cthread_mutex_trylock(&lock->m) ? 0 : 1;
}

void
__retarget_lock_release(_LOCK_T lock)
{
	cthread_mutex_unlock(&lock->m);
}

void
__retarget_lock_acquire_recursive(_LOCK_T lock)
{
	const void *me = holder();

	/* only we can have stored our own identity, so this read needs no lock */
	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != me) {
		cthread_mutex_lock(&lock->m);
		__atomic_store_n(&lock->owner, me, __ATOMIC_RELAXED);
	}
	lock->depth++;
}

int
__retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	const void *me = holder();

	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != me) {
		if (!cthread_mutex_trylock(&lock->m))
			return 1;
		__atomic_store_n(&lock->owner, me, __ATOMIC_RELAXED);
	}
	lock->depth++;
	return 0;
}

void
__retarget_lock_release_recursive(_LOCK_T lock)
{
	if (--lock->depth == 0) {
		__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
		cthread_mutex_unlock(&lock->m);
	}
}
