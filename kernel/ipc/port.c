/*
 * Ports and port sets: creation, references, and death. A port dies when its
 * receive right is destroyed: its queued messages are destroyed (releasing the
 * rights they carry), threads blocked on it wake with an error, and every send
 * right to it turns into a dead name the next time its space looks at it.
 * All with sched_lock held (see kern/ipc.h).
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <kern/vm_object.h>
#include <mach/notify.h>

static uint32_t live_ports;	/* [S] allocated and not yet freed, for leak checks */

/*
 * Messages of dead ports, waiting to be destroyed (struct kmsg via link). A
 * message's rights can be receive rights whose ports die in turn, with their
 * own queues: kept here and taken one at a time by the outermost
 * port_destroy_locked, that is a loop, not a recursion as deep as the chain
 * of rights in transit (the kernel stack is 8 KiB; a task can queue a chain
 * of thousands of ports).
 */
static struct list dying_kmsgs = LIST_INIT(dying_kmsgs);	/* [S] */
static bool destroying_kmsgs;					/* [S] someone is emptying it */

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
	uint32_t f = spin_lock_irqsave(&sched_lock);
	live_ports++;
	spin_unlock_irqrestore(&sched_lock, f);
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
	assert_held(&sched_lock);
	p->refs++;
}

void
port_unref_locked(struct port *p)
{
	assert_held(&sched_lock);
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
static void
destroy_dying_kmsgs_locked(void)
{
	struct list *l;

	if (destroying_kmsgs)
		return;		/* called from inside the loop below: it will get to them */
	destroying_kmsgs = true;
	while ((l = list_pop_front(&dying_kmsgs)) != NULL)
		kmsg_destroy_locked(list_entry(l, struct kmsg, link));
	destroying_kmsgs = false;
}

void
port_destroy_locked(struct port *p)
{
	struct kmsg *k;

	assert_held(&sched_lock);
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
	while ((k = ipc_dequeue_locked(p)) != NULL)
		list_push_back(&dying_kmsgs, &k->link);	/* each holds a reference to p */
	destroy_dying_kmsgs_locked();
	waitq_wake_all_locked(&p->receivers);
	waitq_wake_all_locked(&p->senders);
	notify_port_died_locked(p);
	if (p->pager)
		vm_object_pager_died_locked(p);
	p->refs--;
}

/* A send right to p went away (not moved). */
void
port_release_send_locked(struct port *p)
{
	assert_held(&sched_lock);
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
	assert_held(&sched_lock);
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

	assert_held(&sched_lock);
	ps->active = false;
	while ((l = list_pop_front(&ps->members)) != NULL)
		list_entry(l, struct port, pset_link)->pset = NULL;
	waitq_wake_all_locked(&ps->receivers);
}

void
pset_unref_locked(struct pset *ps)
{
	assert_held(&sched_lock);
	if (--ps->refs == 0)
		kfree(ps);
}

void
port_copy_send_locked(struct port *p)
{
	assert_held(&sched_lock);
	p->refs++;
	p->srights++;
}
