/*
 * What one IPC object's change does to other objects, done after the change
 * instead of inside it: a notification queued on another port, a send-once
 * right the kernel drops. (The user reference a dead-name notification brings
 * is counted by the name's own space when it next looks: right.c.) The code that changes a port (its death,
 * the release of a right to it) only records the work here; ipc_unlock does it.
 *
 * Why: with one lock per port and per space (kernel/README.md, the plan for
 * the split), a port's death must not lock the ports it notifies or the
 * spaces whose names it turns dead while its own lock is held (the order is
 * space before port, and one port at a time). Today every record is done
 * under ipc_lock before it goes, so what a task sees is what it saw when the
 * notifications were queued from inside: each is on its queue before the call
 * that caused it returns.
 *
 * The list is FIFO, so notifications keep the order their causes had.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <mach/notify.h>

static struct list deferred = LIST_INIT(deferred);	/* [P] struct ipc_deferred */
bool ipc_deferred_pending;				/* [P] */

static void
push(struct ipc_deferred *d, enum ipc_deferred_kind kind)
{
	assert_held(&ipc_lock);
	d->kind = kind;
	list_push_back(&deferred, &d->link);
	ipc_deferred_pending = true;
}

void
ipc_defer_send_locked(struct kmsg *k)
{
	push(&k->deferred, IPC_DEFER_SEND);
}

void
ipc_defer_dead_name_locked(struct dnrequest *d)
{
	push(&d->deferred, IPC_DEFER_DEAD_NAME);
}

void
ipc_defer_forget_locked(struct port *p)
{
	if (p->forgets++ == 0)
		push(&p->forget, IPC_DEFER_FORGET);
}

/*
 * A notification reaches its port, or is destroyed with the rights it
 * carries: its port died meanwhile, or (a port-destroyed notification) its
 * port is in transit itself, where the right it carries could only go round.
 */
static void
deliver(struct kmsg *k)
{
	struct port *dest = k->remote;

	if (!dest->active || (k->msg->msgh_id == MACH_NOTIFY_PORT_DESTROYED && !dest->receiver))
		kmsg_destroy_locked(k);
	else
		ipc_enqueue_locked(dest, k);
}

/* A dead-name request fired: its notification (the name counts its reference itself, right.c). */
static void
dead_name(struct dnrequest *d)
{
	notify_dead_name_locked(d->notify, d->name);
	kfree(d);
}

static void
forget(struct port *p)
{
	uint32_t n = p->forgets;

	p->forgets = 0;
	p->forget.kind = IPC_DEFER_NONE;
	p->sorights -= n;
	while (n-- > 0)
		port_unref_locked(p);	/* each right held one: only the last can free p */
}

void
ipc_deferred_run_locked(void)
{
	struct list *l;

	assert_held(&ipc_lock);
again:
	while ((l = list_pop_front(&deferred)) != NULL) {
		struct ipc_deferred *d = list_entry(l, struct ipc_deferred, link);
		switch (d->kind) {
		case IPC_DEFER_SEND:
			deliver(list_entry(d, struct kmsg, deferred));
			break;
		case IPC_DEFER_DEAD_NAME:
			dead_name(list_entry(d, struct dnrequest, deferred));
			break;
		case IPC_DEFER_FORGET:
			forget(list_entry(d, struct port, forget));
			break;
		default:
			panic("ipc_deferred_run_locked: record of kind %u", d->kind);
		}
	}
	ipc_deferred_pending = false;
	ipc_destroy_dying_kmsgs_locked();	/* messages of ports that died: their rights go */
	if (ipc_deferred_pending)
		goto again;
}
