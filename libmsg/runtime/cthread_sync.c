/*
 * Mutexes and condition variables for cthreads. Both are a counter changed
 * with atomic instructions, plus a wakeup port used as a counting semaphore:
 * a waiter blocks in the kernel receiving from it, and a wakeup is one empty
 * message sent to it. A wakeup sent before its waiter reaches mach_msg waits
 * in the queue, so none is lost to preemption, and nobody spins: the
 * uncontended paths cost one atomic instruction and no trap.
 *
 * The port is made on first contention (two threads may race to make it; the
 * loser destroys its own) and lives until *_destroy.
 */
#include <mach/mach.h>
#include <manifold/cthread.h>

struct wakeup_msg {
	mach_msg_header_t h;
	mach_msg_trailer_t trailer;
};

/*
 * The object's wakeup port, made now if it has none. Without ports left we
 * cannot block: yield and try again (the holder is making progress).
 */
static mach_port_t
wakeup_port(mach_port_t *slot)
{
	mach_port_t p = __atomic_load_n(slot, __ATOMIC_ACQUIRE), fresh = MACH_PORT_NULL, none = MACH_PORT_NULL;

	while (p == MACH_PORT_NULL) {
		if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &fresh) != KERN_SUCCESS) {
			thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 1);
			continue;
		}
		/* a broadcast to many waiters must not block on a short queue */
		mach_port_set_qlimit(mach_task_self(), fresh, MACH_PORT_QLIMIT_MAX);
		if (__atomic_compare_exchange_n(slot, &none, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return fresh;
		mach_port_destroy(mach_task_self(), fresh);
		p = none;
	}
	return p;
}

/* Waits for one wakeup, for at most timeout_ms when it is not 0: false on timeout. */
static bool
wakeup_wait(mach_port_t *slot, uint32_t timeout_ms)
{
	mach_port_t p = wakeup_port(slot);
	struct wakeup_msg m;
	mach_msg_return_t mr;

	do
		mr = mach_msg(&m.h, MACH_RCV_MSG | (timeout_ms ? MACH_RCV_TIMEOUT : 0), 0, sizeof m, p, timeout_ms,
			      MACH_PORT_NULL);
	while (mr == MACH_RCV_INTERRUPTED);
	return mr != MACH_RCV_TIMED_OUT;
}

static void
wakeup_post(mach_port_t *slot)
{
	mach_msg_header_t h = { 0 };

	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	h.msgh_size = sizeof h;
	h.msgh_remote_port = wakeup_port(slot);
	mach_msg(&h, MACH_SEND_MSG, sizeof h, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

static void
wakeup_destroy(mach_port_t *slot)
{
	mach_port_t p = __atomic_exchange_n(slot, MACH_PORT_NULL, __ATOMIC_ACQ_REL);

	if (p != MACH_PORT_NULL)
		mach_port_destroy(mach_task_self(), p);
}

void
cthread_mutex_init(struct cthread_mutex *m)
{
	m->count = 0;
	m->wakeup = MACH_PORT_NULL;
}

/*
 * Whoever raises count from 0 holds the mutex; anyone else waits for a
 * wakeup, which unlock sends exactly when it sees a waiter: the mutex is
 * handed straight to the woken thread.
 */
void
cthread_mutex_lock(struct cthread_mutex *m)
{
	if (__atomic_fetch_add(&m->count, 1, __ATOMIC_ACQUIRE) != 0)
		wakeup_wait(&m->wakeup, 0);
}

bool
cthread_mutex_trylock(struct cthread_mutex *m)
{
	int32_t free = 0;

	return __atomic_compare_exchange_n(&m->count, &free, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void
cthread_mutex_unlock(struct cthread_mutex *m)
{
	if (__atomic_fetch_sub(&m->count, 1, __ATOMIC_RELEASE) > 1)
		wakeup_post(&m->wakeup);
}

void
cthread_mutex_destroy(struct cthread_mutex *m)
{
	wakeup_destroy(&m->wakeup);
}

void
cthread_cond_init(struct cthread_cond *c)
{
	c->waiters = 0;
	c->wakeup = MACH_PORT_NULL;
}

/*
 * Invariant: waiters + wakeups queued = threads between registering in
 * cond_wait and taking a wakeup. Signal turns one waiter into one queued
 * wakeup, so a wakeup is never sent without a thread to take it.
 */
bool
cthread_cond_timedwait(struct cthread_cond *c, struct cthread_mutex *m, uint32_t timeout_ms)
{
	bool woken;

	__atomic_fetch_add(&c->waiters, 1, __ATOMIC_RELAXED);
	cthread_mutex_unlock(m);
	woken = wakeup_wait(&c->wakeup, timeout_ms);
	if (!woken) {
		/* leave as a waiter if we still count as one; else our wakeup is on its way: take it */
		int32_t w = __atomic_load_n(&c->waiters, __ATOMIC_RELAXED);
		while (w > 0 && !__atomic_compare_exchange_n(&c->waiters, &w, w - 1, false, __ATOMIC_ACQ_REL,
							     __ATOMIC_RELAXED))
			;
		if (w == 0) {
			wakeup_wait(&c->wakeup, 0);
			woken = true;
		}
	}
	cthread_mutex_lock(m);
	return woken;
}

void
cthread_cond_wait(struct cthread_cond *c, struct cthread_mutex *m)
{
	cthread_cond_timedwait(c, m, 0);
}

void
cthread_cond_signal(struct cthread_cond *c)
{
	int32_t w = __atomic_load_n(&c->waiters, __ATOMIC_RELAXED);

	while (w > 0 && !__atomic_compare_exchange_n(&c->waiters, &w, w - 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	if (w > 0)
		wakeup_post(&c->wakeup);
}

void
cthread_cond_broadcast(struct cthread_cond *c)
{
	int32_t w = __atomic_exchange_n(&c->waiters, 0, __ATOMIC_ACQ_REL);

	while (w-- > 0)
		wakeup_post(&c->wakeup);
}

void
cthread_cond_destroy(struct cthread_cond *c)
{
	wakeup_destroy(&c->wakeup);
}
