/*
 * Sleeping locks (kern/mutex.h). Taking a free one is one compare-and-swap;
 * only a thread that finds it taken goes through sched_lock, counts itself in
 * `waiting` and sleeps on the wait queue. The holder that releases it wakes
 * one waiter when the count says there is one: the count is raised before the
 * waiter's last try, under sched_lock, and the wake-up needs sched_lock, so a
 * release cannot slip between a waiter's try and its sleep.
 */
#include <kern/lib.h>
#include <kern/mutex.h>
#include <kern/panic.h>

void
kmutex_init(struct kmutex *m, const char *name)
{
	m->owner = NULL;
	m->waiting = 0;
	waitq_init(&m->waiters);
	m->name = name;
}

static bool
take(struct kmutex *m, struct thread *me)
{
	struct thread *none = NULL;

	return __atomic_compare_exchange_n(&m->owner, &none, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

bool
kmutex_trylock(struct kmutex *m)
{
	return take(m, curthread());
}

void
kmutex_lock(struct kmutex *m)
{
	struct thread *me = curthread();
	uint32_t f;

	if (take(m, me))
		return;
	if (m->owner == me)
		panic("mutex %s: taken twice by %s", m->name, me->name);
	if (!sched_can_block())
		panic("mutex %s: would sleep with interrupts off, or in the idle thread", m->name);
	f = spin_lock_irqsave(&sched_lock);
	__atomic_add_fetch(&m->waiting, 1, __ATOMIC_SEQ_CST);
	while (!take(m, me))
		waitq_wait_uninterruptible_locked(&m->waiters);
	__atomic_sub_fetch(&m->waiting, 1, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&sched_lock, f);
}

void
kmutex_unlock(struct kmutex *m)
{
	uint32_t f;

	assert_mutex_held(m);
	__atomic_store_n(&m->owner, NULL, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->waiting, __ATOMIC_SEQ_CST) == 0)
		return;
	f = spin_lock_irqsave(&sched_lock);
	waitq_wake_one_locked(&m->waiters);
	spin_unlock_irqrestore(&sched_lock, f);
}
