/*
 * The slow path of a spin lock (kern/spinlock.h). Only the boot CPU runs, and
 * every spin lock keeps interrupts off while held, so a lock found taken is
 * held by this very CPU further up the stack: it will never be let go. Saying
 * so, with the lock's name and where it was wanted, beats a silent hang.
 * Bringing up more CPUs makes this a real spin.
 */
#include <kern/lib.h>
#include <kern/panic.h>
#include <kern/spinlock.h>

STACK_ARGS void
spin_contended(struct spinlock *l)
{
	if (panic_in_progress()) {
		l->locked = 0;		/* the panic's own output must get through */
		return;
	}
	panic("deadlock: spin lock \"%s\" wanted while this CPU holds it", l->name);
}
