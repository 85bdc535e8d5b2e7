/*
 * POSIX's explicit stdio locking: newlib declares flockfile and its kin and
 * takes each FILE's lock itself around every call, but leaves these three to
 * the system. The lock is the FILE's own recursive lock (newlib_locks.c), so a
 * thread holding it may go on calling stdio on that FILE.
 */
#include <stdio.h>
#include <sys/stdio.h>

void __sinit(struct _reent *);	/* newlib's: sets up stdin, stdout and stderr, their locks included */

static void
ready(void)
{
	if (!_REENT->__sdidinit)
		__sinit(_REENT);
}

void
flockfile(FILE *fp)
{
	ready();
	_flockfile(fp);
}

int
ftrylockfile(FILE *fp)
{
	ready();
	return (fp->_flags & __SSTR) ? 0 : __lock_try_acquire_recursive(fp->_lock);
}

void
funlockfile(FILE *fp)
{
	_funlockfile(fp);
}
