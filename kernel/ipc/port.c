/*
 * Ports and port sets: creation, references, and death. A port dies when its
 * receive right is destroyed: its queued messages are destroyed (releasing the
 * rights they carry), threads blocked on it wake with an error, and every send
 * right to it turns into a dead name the next time its space looks at it.
 *
 * Each port has its own lock (kern/ipc.h); its reference count is atomic, so
 * that a right can be taken or dropped without it. The last reference frees
 * the port: at once when its lock is not held, else when port_unlock lets the
 * lock go (the memory cannot go while the lock in it is held).
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/notify.h>
#include <kern/vm_object.h>
#include <mach/notify.h>

static uint32_t live_ports;	/* [A] allocated and not yet freed, for leak checks */

/*
 * Messages of dead ports, waiting to be destroyed (struct kmsg via link). A
 * message's rights can be receive rights whose ports die in turn, with their
 * own queues: kept here and taken one at a time, that is a loop, not a
 * recursion as deep as the chain of rights in transit (the kernel stack is
 * 8 KiB; a task can queue a chain of thousands of ports). The deferred work
 * of the call that killed the port (defer.c) destroys a few simple ones
 * (PORT_DESTROY_BATCH); the rest, and every message with out-of-line memory,
 * go to the reaper, which destroys them a batch at a time with interrupts on
 * between batches and their pages freed unlocked: a port with thousands of
 * messages queued, or a ring of thousands, keeps interrupts off for one batch
 * at a time. The reaper runs before the thread that destroyed the port
 * returns to user mode (it is more urgent than any task), so a task sees the
 * ports of a ring dead as it did.
 */
#define PORT_DESTROY_BATCH 8
static struct list dying_kmsgs = LIST_INIT(dying_kmsgs);	/* [D] */
static bool destroying_kmsgs;					/* [D] someone is emptying it */

struct port *
port_create(void)
{
	struct port *p = kzalloc(sizeof *p);

	if (!p)
		return NULL;
	p->lock = (struct spinlock)SPINLOCK_INIT("port", LOCK_RANK_PORT);
	p->refs = 1;
	p->active = true;
	p->qlimit = MACH_PORT_QLIMIT_DEFAULT;
	list_init(&p->messages);
	list_init(&p->pset_link);
	list_init(&p->dnrequests);
	waitq_init(&p->receivers);
	waitq_init(&p->senders);
	__atomic_add_fetch(&live_ports, 1, __ATOMIC_RELAXED);
	return p;
}

uint32_t
ipc_live_ports(void)
{
	return __atomic_load_n(&live_ports, __ATOMIC_RELAXED);
}

void
port_free(struct port *p)
{
	__atomic_sub_fetch(&live_ports, 1, __ATOMIC_RELAXED);
	kfree(p);
}

void
port_last_unref(struct port *p)
{
	port_lock(p);
	if (p->active)
		port_destroy_locked(p);
	port_unlock(p);		/* frees it, unless its death handed out a reference */
}

enum wake_reason
ipc_wait_locked(struct waitq *wq, uint64_t timeout_ticks, struct spinlock *lock)
{
	return waitq_wait_under(wq, timeout_ticks, lock);
}

void
ipc_defer_destroy(struct kmsg *k)
{
	spin_lock_irqoff(&ipc_defer_lock);
	list_push_back(&dying_kmsgs, &k->link);
	ipc_deferred_pending = true;
	spin_unlock_irqoff(&ipc_defer_lock);
}

/* The deferred work's last step: a batch of simple ones now, the reaper for the rest. */
void
ipc_destroy_dying_kmsgs(void)
{
	bool more;

	for (int n = 0; n < PORT_DESTROY_BATCH; n++) {
		struct kmsg *k = NULL;
		spin_lock_irqoff(&ipc_defer_lock);
		if (!destroying_kmsgs && !list_empty(&dying_kmsgs)) {
			k = list_entry(dying_kmsgs.next, struct kmsg, link);
			if (k->kcopies)
				k = NULL;	/* its pages are freed unlocked, by the reaper */
			else
				list_pop_front(&dying_kmsgs);
		}
		spin_unlock_irqoff(&ipc_defer_lock);
		if (!k)
			break;
		kmsg_destroy(k);
	}
	spin_lock_irqoff(&ipc_defer_lock);
	more = !list_empty(&dying_kmsgs);
	spin_unlock_irqoff(&ipc_defer_lock);
	if (more) {
		spin_lock_irqoff(&sched_lock);
		sched_wake_reaper_locked();
		spin_unlock_irqoff(&sched_lock);
	}
}

bool
ipc_dying_kmsgs(void)
{
	return !list_empty(&dying_kmsgs) && !destroying_kmsgs;	/* a hint: the reaper looks again */
}

void
ipc_reap_dying_kmsgs(void)
{
	for (;;) {
		uint32_t f = ipc_begin();
		struct kmsg *batch[PORT_DESTROY_BATCH];
		int n = 0;
		struct list *l;

		spin_lock_irqoff(&ipc_defer_lock);
		destroying_kmsgs = true;	/* messages of ports dying meanwhile wait on the list */
		while (n < PORT_DESTROY_BATCH && (l = list_pop_front(&dying_kmsgs)) != NULL)
			batch[n++] = list_entry(l, struct kmsg, link);
		spin_unlock_irqoff(&ipc_defer_lock);
		for (int i = 0; i < n; i++)
			kmsg_release_rights(batch[i]);	/* may add messages of ports that die */
		spin_lock_irqoff(&ipc_defer_lock);
		destroying_kmsgs = false;
		spin_unlock_irqoff(&ipc_defer_lock);
		ipc_end(f);
		for (int i = 0; i < n; i++)
			kmsg_free_unlocked(batch[i]);		/* pages and memory, interrupts on */
		if (n == 0)
			return;
	}
}

/*
 * The receive right is gone. p locked, with a reference the caller holds
 * across the call (or its last one just went). With a port-destroyed
 * request, the port does not die: its receive right travels to the request's
 * port in the notification, as in Mach; when that port cannot take it (dead,
 * in transit itself: defer.c looks when it delivers), the notification is
 * destroyed, and p with it.
 */
void
port_destroy_locked(struct port *p)
{
	assert_held(&p->lock);
	if (!p->active)
		return;
	if (p->in_transit_to) {	/* (its message is off its queue already) */
		spin_lock_irqoff(&ipc_transit_lock);
		p->in_transit_to = NULL;
		spin_unlock_irqoff(&ipc_transit_lock);
	}
	if (p->pdrequest) {
		struct port *n = p->pdrequest;
		p->pdrequest = NULL;
		if (notify_port_destroyed_locked(n, p))
			return;
	}
	p->active = false;
	p->receiver = NULL;
	port_ref(p);		/* keep p alive while its messages go */
	if (p->pset)
		pset_remove_locked(p);
	/* the whole queue in one step, whatever its length (each message holds a
	 * reference to p); the receive rights they carry stay marked in transit to
	 * p until their messages go, and their ports with them */
	spin_lock_irqoff(&ipc_defer_lock);
	list_splice_back(&dying_kmsgs, &p->messages);
	p->msgcount = 0;
	ipc_deferred_pending = true;	/* their rights go after p's own work (defer.c) */
	spin_unlock_irqoff(&ipc_defer_lock);
	ipc_wake_all_locked(&p->receivers);
	ipc_wake_all_locked(&p->senders);
	notify_port_died_locked(p);
	if (p->pager)
		vm_object_pager_died_locked(p);
	__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);	/* (port_unlock frees it if that was the last) */
}

/* A send right to p went away (not moved). p locked. */
void
port_release_send_locked(struct port *p)
{
	assert_held(&p->lock);
	assert(p->srights > 0);
	if (--p->srights == 0 && p->active)
		notify_no_senders_locked(p);
}

/*
 * A send-once right to p is destroyed unused: the right itself carries a
 * send-once notification to p. Takes over the caller's right and reference.
 * Nothing of p's changes now: the notification is delivered, or p's right
 * forgotten, by the deferred work.
 */
void
port_release_sendonce(struct port *p)
{
	notify_send_once(p);
}

struct pset *
pset_create(void)
{
	struct pset *ps = kzalloc(sizeof *ps);

	if (!ps)
		return NULL;
	ps->lock = (struct spinlock)SPINLOCK_INIT("pset", LOCK_RANK_PSET);
	ps->active = true;
	list_init(&ps->members);
	waitq_init(&ps->receivers);
	return ps;
}

/* p leaves its set. p locked (the set's lock comes after it). */
void
pset_remove_locked(struct port *p)
{
	struct pset *ps = p->pset;

	assert_held(&p->lock);
	spin_lock_irqoff(&ps->lock);
	list_remove(&p->pset_link);
	spin_unlock_irqoff(&ps->lock);
	p->pset = NULL;
}

/* p joins ps (p locked, in no set). */
void
pset_add_locked(struct port *p, struct pset *ps)
{
	assert_held(&p->lock);
	spin_lock_irqoff(&ps->lock);
	list_push_back(&ps->members, &p->pset_link);
	if (!list_empty(&p->messages))
		ipc_wake_one_locked(&ps->receivers);
	spin_unlock_irqoff(&ps->lock);
	p->pset = ps;
}

/*
 * A member is taken from the set under the set's lock (with a reference), then
 * let go of it under its own lock, which comes first: one member at a time.
 */
void
pset_destroy(struct pset *ps)
{
	for (;;) {
		struct port *p = NULL;
		struct list *l;

		spin_lock_irqoff(&ps->lock);
		ps->active = false;
		if ((l = list_pop_front(&ps->members)) != NULL) {
			p = list_entry(l, struct port, pset_link);
			port_ref(p);
		} else {
			ipc_wake_all_locked(&ps->receivers);
		}
		spin_unlock_irqoff(&ps->lock);
		if (!p)
			return;
		port_lock(p);
		if (p->pset == ps)
			p->pset = NULL;
		port_unlock(p);
		port_unref(p);
	}
}

void
pset_unref(struct pset *ps)
{
	if (__atomic_sub_fetch(&ps->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(ps);
}

void
port_destroy_held(struct port *p)
{
	port_lock(p);
	port_destroy_locked(p);
	port_unref_locked(p);
	port_unlock(p);
}

void
port_copy_send_locked(struct port *p)
{
	assert_held(&p->lock);
	port_ref(p);
	p->srights++;
}

void
port_copy_send(struct port *p)
{
	port_lock(p);
	port_copy_send_locked(p);
	port_unlock(p);
}
