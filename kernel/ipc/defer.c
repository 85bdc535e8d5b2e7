/*
 * What one IPC object's change does to other objects, done after the change
 * instead of inside it: a notification queued on another port, a send-once
 * right the kernel drops. (The user reference a dead-name notification brings
 * is counted by the name's own space when it next looks: right.c.) The code
 * that changes a port (its death, the release of a right to it) only records
 * the work here, under the port's lock; ipc_end does it.
 *
 * Why: a port's death must not lock the ports it notifies or the spaces whose
 * names it turns dead while its own lock is held (the order is space before
 * port, and one port at a time). Each record is done with no IPC lock held,
 * taking the lock of the port it goes to; ipc_end runs them before interrupts
 * come back, so what a task sees is what it saw when the notifications were
 * queued from inside: each is on its queue before the call that caused it
 * returns.
 *
 * The list is FIFO, so notifications keep the order their causes had.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/notify.h>
#include <mach/notify.h>

struct spinlock ipc_defer_lock = SPINLOCK_INIT("ipc defer", LOCK_RANK_IPC_DEFER);
static struct list deferred = LIST_INIT(deferred);	/* [D] struct ipc_deferred */
bool ipc_deferred_pending;				/* [D] */

static void
push(struct ipc_deferred *d, enum ipc_deferred_kind kind)
{
	spin_lock_irqoff(&ipc_defer_lock);
	d->kind = kind;
	list_push_back(&deferred, &d->link);
	ipc_deferred_pending = true;
	spin_unlock_irqoff(&ipc_defer_lock);
}

void
ipc_defer_send(struct kmsg *k)
{
	push(&k->deferred, IPC_DEFER_SEND);
}

void
ipc_defer_dead_name(struct dnrequest *d)
{
	push(&d->deferred, IPC_DEFER_DEAD_NAME);
}

void
ipc_defer_forget(struct port *p)
{
	spin_lock_irqoff(&ipc_defer_lock);
	if (p->forgets++ == 0) {
		p->forget.kind = IPC_DEFER_FORGET;
		list_push_back(&deferred, &p->forget.link);
		ipc_deferred_pending = true;
	}
	spin_unlock_irqoff(&ipc_defer_lock);
}

/*
 * A notification reaches its port, or is destroyed with the rights it
 * carries: its port died meanwhile, or (a port-destroyed notification) its
 * port is in transit itself, where the right it carries could only go round,
 * or stands for a kernel object (which takes no notifications).
 */
static void
deliver(struct kmsg *k)
{
	struct port *dest = k->remote;

	port_lock(dest);
	if (!dest->active || dest->kotype != KOBJ_NONE ||
	    (k->msg->msgh_id == MACH_NOTIFY_PORT_DESTROYED && !dest->receiver)) {
		port_unlock(dest);
		kmsg_destroy(k);
		return;
	}
	ipc_enqueue_locked(dest, k);
	port_unlock(dest);
}

/* A dead-name request fired: its notification (the name counts its reference itself, right.c). */
static void
dead_name(struct dnrequest *d)
{
	notify_dead_name(d->notify, d->name);
	kfree(d);
}

/* Send-once rights to p the kernel held: they go without a word. n read under ipc_defer_lock. */
static void
forget(struct port *p, uint32_t n)
{
	port_lock(p);
	p->sorights -= n;
	port_unlock(p);
	while (n-- > 0)
		port_unref(p);	/* each right held one: only the last can free p */
}

/*
 * Whether this CPU is in ipc_deferred_run: a record's work may destroy a
 * message (kmsg_destroy ends with ipc_end), and the run already under way
 * takes whatever that adds. One CPU today: per CPU once there are several.
 */
static bool running;

void
ipc_deferred_run(void)
{
	if (running)
		return;
	running = true;
	for (;;) {
		struct ipc_deferred *d = NULL;
		struct port *fp = NULL;
		uint32_t kind = IPC_DEFER_NONE, n = 0;
		struct list *l;

		spin_lock_irqoff(&ipc_defer_lock);
		if ((l = list_pop_front(&deferred)) != NULL) {
			d = list_entry(l, struct ipc_deferred, link);
			kind = d->kind;
			if (kind == IPC_DEFER_FORGET) {
				fp = list_entry(d, struct port, forget);
				n = fp->forgets;
				fp->forgets = 0;
				d->kind = IPC_DEFER_NONE;
			}
		} else {
			ipc_deferred_pending = false;
		}
		spin_unlock_irqoff(&ipc_defer_lock);
		if (!d) {
			ipc_destroy_dying_kmsgs();	/* messages of ports that died: their rights go */
			if (!ipc_deferred_pending)
				break;
			continue;
		}
		switch (kind) {
		case IPC_DEFER_SEND:
			deliver(list_entry(d, struct kmsg, deferred));
			break;
		case IPC_DEFER_DEAD_NAME:
			dead_name(list_entry(d, struct dnrequest, deferred));
			break;
		case IPC_DEFER_FORGET:
			forget(fp, n);
			break;
		default:
			panic("ipc_deferred_run: record of kind %u", kind);
		}
	}
	running = false;
}
