/*
 * Ports and port sets: creation, references, and death. A port dies when its
 * receive right is destroyed: its queued messages are destroyed (releasing the
 * rights they carry), threads blocked on it wake with an error, and every send
 * right to it turns into a dead name the next time its space looks at it.
 * All with ipc_lock held (see kern/ipc.h).
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/notify.h>
#include <kern/vm_object.h>
#include <mach/notify.h>

struct spinlock ipc_lock = SPINLOCK_INIT("ipc", LOCK_RANK_IPC);

static uint32_t live_ports;	/* [P] allocated and not yet freed, for leak checks */

/*
 * Messages of dead ports, waiting to be destroyed (struct kmsg via link). A
 * message's rights can be receive rights whose ports die in turn, with their
 * own queues: kept here and taken one at a time, that is a loop, not a
 * recursion as deep as the chain of rights in transit (the kernel stack is
 * 8 KiB; a task can queue a chain of thousands of ports). The deferred work
 * of the call that killed the port (defer.c) destroys a few simple ones
 * (PORT_DESTROY_BATCH);
 * the rest, and every message with out-of-line memory, go to the reaper,
 * which destroys them a batch at a time with ipc_lock dropped between
 * batches and their pages freed unlocked: a port with thousands of messages
 * queued, or a ring of thousands, keeps interrupts off for one batch at a
 * time. The reaper runs before the thread that destroyed the port returns to
 * user mode (it is more urgent than any task), so a task sees the ports of a
 * ring dead as it did.
 */
#define PORT_DESTROY_BATCH 8
static struct list dying_kmsgs = LIST_INIT(dying_kmsgs);	/* [P] */
static bool destroying_kmsgs;					/* [P] someone is emptying it */

struct port *
port_create(void)
{
	struct port *p = kzalloc(sizeof *p);

	if (!p)
		return NULL;
	p->active = true;
	p->qlimit = MACH_PORT_QLIMIT_DEFAULT;
	list_init(&p->messages);
	list_init(&p->pset_link);
	list_init(&p->dnrequests);
	waitq_init(&p->receivers);
	waitq_init(&p->senders);
	uint32_t f = spin_lock_irqsave(&ipc_lock);
	live_ports++;
	ipc_unlock(f);
	return p;
}

uint32_t
ipc_live_ports(void)
{
	return live_ports;
}

void
port_ref_locked(struct port *p)
{
	assert_held(&ipc_lock);
	p->refs++;
}

void
port_unref_locked(struct port *p)
{
	assert_held(&ipc_lock);
	assert(p->refs > 0);
	if (--p->refs > 0)
		return;
	if (p->active)	/* no receive right anywhere and nobody names it: it is gone */
		port_destroy_locked(p);
	if (p->refs == 0) {
		live_ports--;
		kfree(p);
	}
}

/*
 * The receive right is gone. Caller holds a reference across the call. With a
 * port-destroyed request, the port does not die: its receive right travels to
 * the request's port in the notification, as in Mach (unless that port has no
 * receiver itself, where the right could only go round in a cycle).
 */
void
ipc_destroy_dying_kmsgs_locked(void)
{
	if (destroying_kmsgs)
		return;		/* called from inside the loop below: it will get to them */
	destroying_kmsgs = true;
	for (int n = 0; n < PORT_DESTROY_BATCH && !list_empty(&dying_kmsgs); n++) {
		struct kmsg *k = list_entry(dying_kmsgs.next, struct kmsg, link);
		if (k->kcopies)
			break;	/* its pages are freed unlocked, by the reaper */
		list_pop_front(&dying_kmsgs);
		kmsg_destroy_locked(k);
	}
	destroying_kmsgs = false;
	if (!list_empty(&dying_kmsgs)) {
		spin_lock_irqoff(&sched_lock);
		sched_wake_reaper_locked();
		spin_unlock_irqoff(&sched_lock);
	}
}

enum wake_reason
ipc_wait_locked(struct waitq *wq, uint64_t timeout_ticks)
{
	if (ipc_deferred_pending)	/* nothing deferred waits for this thread's wake-up */
		ipc_deferred_run_locked();
	return waitq_wait_under(wq, timeout_ticks, &ipc_lock);
}

void
ipc_defer_destroy_locked(struct kmsg *k)
{
	list_push_back(&dying_kmsgs, &k->link);
	ipc_deferred_pending = true;
}

enum wake_reason
ipc_wait_space_locked(struct ipc_space *s, struct waitq *wq, uint64_t timeout_ticks)
{
	enum wake_reason why;

	assert_held(&s->lock);
	spin_unlock_irqoff(&s->lock);		/* (interrupts stay off: ipc_lock is held) */
	why = ipc_wait_locked(wq, timeout_ticks);
	spin_unlock_irqoff(&ipc_lock);		/* the space comes first */
	spin_lock_irqoff(&s->lock);
	spin_lock_irqoff(&ipc_lock);
	return why;
}

bool
ipc_dying_kmsgs_locked(void)
{
	return !list_empty(&dying_kmsgs) && !destroying_kmsgs;
}

void
ipc_reap_dying_kmsgs(void)
{
	for (;;) {
		uint32_t f = spin_lock_irqsave(&ipc_lock);
		struct kmsg *batch[PORT_DESTROY_BATCH];
		int n = 0;
		struct list *l;

		destroying_kmsgs = true;	/* messages of ports dying meanwhile wait on the list */
		while (n < PORT_DESTROY_BATCH && (l = list_pop_front(&dying_kmsgs)) != NULL) {
			batch[n] = list_entry(l, struct kmsg, link);
			kmsg_release_rights_locked(batch[n]);	/* may add messages of ports that die */
			n++;
		}
		destroying_kmsgs = false;
		ipc_unlock(f);
		for (int i = 0; i < n; i++)
			kmsg_free_unlocked(batch[i]);		/* pages and memory, interrupts on */
		if (n == 0)
			return;
	}
}

void
port_destroy_locked(struct port *p)
{
	assert_held(&ipc_lock);
	if (!p->active)
		return;
	p->in_transit_to = NULL;	/* (its message is off its queue already) */
	if (p->pdrequest) {
		struct port *n = p->pdrequest;
		p->pdrequest = NULL;
		if (notify_port_destroyed_locked(n, p))
			return;
	}
	p->active = false;
	p->receiver = NULL;
	p->refs++;		/* keep p alive while its messages go */
	if (p->pset) {
		list_remove(&p->pset_link);
		p->pset = NULL;
	}
	/* the whole queue in one step, whatever its length (each message holds a
	 * reference to p); the receive rights they carry stay marked in transit to
	 * p until their messages go, and their ports with them */
	list_splice_back(&dying_kmsgs, &p->messages);
	p->msgcount = 0;
	ipc_deferred_pending = true;	/* their rights go after p's own work (defer.c) */
	ipc_wake_all_locked(&p->receivers);
	ipc_wake_all_locked(&p->senders);
	notify_port_died_locked(p);
	if (p->pager)
		vm_object_pager_died_locked(p);
	p->refs--;
}

/* A send right to p went away (not moved). */
void
port_release_send_locked(struct port *p)
{
	assert_held(&ipc_lock);
	assert(p->srights > 0);
	if (--p->srights == 0 && p->active)
		notify_no_senders_locked(p);
}

/*
 * A send-once right to p is destroyed unused: the right itself carries a
 * send-once notification to p. Takes over the caller's right and reference.
 */
void
port_release_sendonce_locked(struct port *p)
{
	assert_held(&ipc_lock);
	assert(p->sorights > 0);
	ipc_kernel_send_once_locked(p, MACH_NOTIFY_SEND_ONCE, NULL, 0);
}

struct pset *
pset_create(void)
{
	struct pset *ps = kzalloc(sizeof *ps);

	if (!ps)
		return NULL;
	ps->active = true;
	list_init(&ps->members);
	waitq_init(&ps->receivers);
	return ps;
}

void
pset_destroy_locked(struct pset *ps)
{
	struct list *l;

	assert_held(&ipc_lock);
	ps->active = false;
	while ((l = list_pop_front(&ps->members)) != NULL)
		list_entry(l, struct port, pset_link)->pset = NULL;
	ipc_wake_all_locked(&ps->receivers);
}

void
pset_unref_locked(struct pset *ps)
{
	assert_held(&ipc_lock);
	if (--ps->refs == 0)
		kfree(ps);
}

void
port_copy_send_locked(struct port *p)
{
	assert_held(&ipc_lock);
	p->refs++;
	p->srights++;
}
