/*
 * Notifications (notify.defs; <mach/notify.h> names the ids): dead-name,
 * port-deleted, no-senders and send-once. msgc builds each message
 * (build/gen/kernel/notify_kuser.c) for a send-once right the kernel was given;
 * sending it consumes that right. Kernel messages ignore the queue limit, as
 * Mach's do. A dead-name notification carries a user reference for the dead
 * name, as in Mach: the name counts it when it turns dead (right.c).
 *
 * Locks: the functions named _locked hold the lock of the port whose state
 * they read (p); the port notified is never locked here, since only the
 * deferred work (defer.c) touches it.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <mach/notify.h>
#include "notify_kuser.h"

/*
 * Sends k, which kreq_mach_notify_* built if kr says so, to dest; without
 * memory the notification is lost, and the right with it. Takes over the
 * send-once right to dest. Nothing of dest's is touched here, so no lock of
 * dest's is needed: the deferred work (defer.c) delivers k, or destroys it
 * when dest can no longer hear.
 */
static void
send(struct port *dest, mach_msg_id_t id, kern_return_t kr, struct kmsg *k)
{
	if (kr != KERN_SUCCESS) {
		kprintf("kernel: notification %d lost (out of memory)\n", id);
		ipc_defer_forget(dest);
		return;
	}
	ipc_defer_send(k);	/* queued after the work that caused it (defer.c) */
}

/*
 * A notification to a dead port is not built: its send-once right is
 * forgotten at once (active only ever turns false, so reading it without
 * dest's lock is safe; a port that dies after the look is caught when the
 * notification is delivered, and the right comes back here to be forgotten).
 * Without it a send-once right released into a dead port would go round.
 */
static bool
forgotten_if_dead(struct port *dest)
{
	if (__atomic_load_n(&dest->active, __ATOMIC_RELAXED))
		return false;
	ipc_defer_forget(dest);
	return true;
}

void
notify_send_once(struct port *dest)
{
	struct kmsg *k = NULL;
	kern_return_t kr;

	if (forgotten_if_dead(dest))
		return;
	kr = kreq_mach_notify_send_once(&k, dest, MACH_MSG_TYPE_PORT_SEND_ONCE);
	send(dest, MACH_NOTIFY_SEND_ONCE, kr, k);
}

void
notify_dead_name(struct port *dest, mach_port_name_t name)
{
	struct kmsg *k = NULL;
	kern_return_t kr;

	if (forgotten_if_dead(dest))
		return;
	kr = kreq_mach_notify_dead_name(&k, dest, MACH_MSG_TYPE_PORT_SEND_ONCE, name);
	send(dest, MACH_NOTIFY_DEAD_NAME, kr, k);
}

static void
notify_port_deleted(struct port *dest, mach_port_name_t name)
{
	struct kmsg *k = NULL;
	kern_return_t kr;

	if (forgotten_if_dead(dest))
		return;
	kr = kreq_mach_notify_port_deleted(&k, dest, MACH_MSG_TYPE_PORT_SEND_ONCE, name);
	send(dest, MACH_NOTIFY_PORT_DELETED, kr, k);
}

/*
 * Each request's notification goes, after p's own work (defer.c); its name
 * counts the notification's user reference when its space next looks (right.c).
 */
void
notify_port_died_locked(struct port *p)
{
	struct list *l;

	assert_held(&p->lock);
	while ((l = list_pop_front(&p->dnrequests)) != NULL)
		ipc_defer_dead_name(list_entry(l, struct dnrequest, link));
	if (p->nsrequest) {	/* the no-senders request dies with the port */
		struct port *n = p->nsrequest;
		p->nsrequest = NULL;
		port_release_sendonce(n);
	}
}

/*
 * The port-destroyed notification: p's receive right, taken out of wherever it
 * was, goes to n. False (n's right destroyed, p left to die) when n cannot
 * take it: n dead, n in transit itself, n being p, or no memory; when n
 * stops being able to take it before it is delivered (with several CPUs),
 * the deferred work destroys it, and p dies then.
 */
bool
notify_port_destroyed_locked(struct port *n, struct port *p)
{
	struct kmsg *k = NULL;

	assert_held(&p->lock);
	/* (n's state read without its lock, as hints: delivery looks again under it) */
	if (n == p || !__atomic_load_n(&n->active, __ATOMIC_RELAXED) || !__atomic_load_n(&n->receiver, __ATOMIC_RELAXED) ||
	    kreq_mach_notify_port_destroyed(&k, n, MACH_MSG_TYPE_PORT_SEND_ONCE, p) != KERN_SUCCESS) {
		port_release_sendonce(n);
		return false;
	}
	/* in transit now: out of its space and its set; waiting receivers look again and find it gone */
	port_ref(p);		/* the right the message carries */
	p->receiver = NULL;
	if (p->pset)
		pset_remove_locked(p);
	ipc_wake_all_locked(&p->receivers);
	ipc_defer_send(k);
	return true;
}

void
notify_no_senders_locked(struct port *p)
{
	struct port *n = p->nsrequest;
	struct kmsg *k = NULL;
	kern_return_t kr;

	assert_held(&p->lock);
	if (!n)
		return;
	p->nsrequest = NULL;
	if (forgotten_if_dead(n))
		return;
	kr = kreq_mach_notify_no_senders(&k, n, MACH_MSG_TYPE_PORT_SEND_ONCE, p->mscount);
	send(n, MACH_NOTIFY_NO_SENDERS, kr, k);
}

struct dnrequest *
notify_dnrequest_find_locked(struct ipc_space *s, mach_port_name_t name, struct port *p)
{
	struct list *l;

	list_for_each(l, &p->dnrequests) {
		struct dnrequest *d = list_entry(l, struct dnrequest, link);
		if (d->space == s && d->name == name)
			return d;
	}
	return NULL;
}

void
notify_name_renamed_locked(struct ipc_space *s, mach_port_name_t old, mach_port_name_t new, struct port *p)
{
	struct dnrequest *d = notify_dnrequest_find_locked(s, old, p);

	if (d)
		d->name = new;
}

void
notify_name_deleted_locked(struct ipc_space *s, mach_port_name_t name, struct port *p)
{
	struct list *l, *tmp;

	assert_held(&p->lock);
	list_for_each_safe(l, tmp, &p->dnrequests) {
		struct dnrequest *d = list_entry(l, struct dnrequest, link);
		if (d->space == s && d->name == name) {
			list_remove(&d->link);
			notify_port_deleted(d->notify, name);
			kfree(d);
		}
	}
}

void
notify_space_gone_locked(struct ipc_space *s, struct port *p)
{
	struct list *l, *tmp;

	assert_held(&p->lock);
	list_for_each_safe(l, tmp, &p->dnrequests) {
		struct dnrequest *d = list_entry(l, struct dnrequest, link);
		if (d->space == s) {
			list_remove(&d->link);
			port_release_sendonce(d->notify);
			kfree(d);
		}
	}
}
