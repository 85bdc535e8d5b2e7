/*
 * The lock-order check (kern/spinlock.h, ranks in kern/lock_order.h). On one
 * CPU two locks taken in opposite orders never deadlock, so no test could
 * show it; with several CPUs they would. Booted with `lockcheck`, every spin
 * lock taken is compared with the ones this CPU holds, and a lock taken out
 * of order is a panic naming both, with the backtrace of the taker.
 *
 * The held locks are per CPU, not per thread: sched_lock is held across a
 * context switch by one thread and let go by the next, and that is one CPU
 * holding it throughout. Locks may be let go in any order.
 */
#include <kern/lib.h>
#include <kern/panic.h>
#include <kern/spinlock.h>

#define LOCKCHECK_DEPTH 16	/* far more than any path nests */

bool lockcheck_on;			/* [I] after boot */
static struct spinlock *held[LOCKCHECK_DEPTH];	/* this CPU's (one CPU today) */
static uint32_t nheld;
static bool failed;			/* a panic is under way: stop checking */

static __attribute__((noreturn)) void
fail(const char *why, const struct spinlock *l, const struct spinlock *other)
{
	failed = true;
	lockcheck_on = false;		/* the panic's own locks must not be checked */
	if (other)
		panic("lock order: \"%s\" (rank %u) %s \"%s\" (rank %u)", l->name, l->rank, why, other->name,
		      other->rank);
	panic("lock order: \"%s\" (rank %u) %s", l->name, l->rank, why);
}

STACK_ARGS void
lockcheck_acquire(struct spinlock *l)
{
	if (failed || panic_in_progress())
		return;
	for (uint32_t i = 0; i < nheld; i++) {
		const struct spinlock *h = held[i];
		if (h->rank > l->rank || (h->rank == l->rank && h >= l))
			fail("taken while this CPU holds", l, h);
	}
	lockcheck_record(l);
}

void
lockcheck_record(struct spinlock *l)
{
	if (failed || panic_in_progress())
		return;
	if (nheld == LOCKCHECK_DEPTH)
		fail("taken with too many locks held", l, NULL);
	held[nheld++] = l;
}

STACK_ARGS void
lockcheck_release(struct spinlock *l)
{
	if (failed || panic_in_progress())
		return;
	for (uint32_t i = nheld; i-- > 0;) {
		if (held[i] != l)
			continue;
		held[i] = held[--nheld];
		return;
	}
	fail("let go by a CPU that does not hold it", l, NULL);
}
