/*
 * Notifications (notify.defs; <mach/notify.h> names the ids): dead-name,
 * port-deleted, no-senders and send-once. msgc builds each message
 * (build/gen/kernel/notify_kuser.c) for a send-once right the kernel was given;
 * sending it consumes that right. Kernel messages ignore the queue limit, as
 * Mach's do. A dead-name notification carries a user reference for the dead
 * name, as in Mach: the name counts it when it turns dead (right.c).
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <mach/notify.h>
#include "notify_kuser.h"

/* A send-once right the kernel held goes unused, and silently (after dest's own work). */
static void
forget_locked(struct port *dest)
{
	ipc_defer_forget_locked(dest);
}

/* Whether dest can still hear; if not, its right just goes (nobody to tell). */
static bool
listening_locked(struct port *dest)
{
	if (dest->active)
		return true;
	forget_locked(dest);	/* may free dest */
	return false;
}

/*
 * Sends k, which kreq_mach_notify_* built if kr says so, to dest; without
 * memory the notification is lost. Takes over the send-once right to dest.
 */
static void
send_locked(struct port *dest, mach_msg_id_t id, kern_return_t kr, struct kmsg *k)
{
	if (kr != KERN_SUCCESS) {
		kprintf("kernel: notification %d lost (out of memory)\n", id);
		forget_locked(dest);
		return;
	}
	ipc_defer_send_locked(k);	/* queued after the work that caused it (defer.c) */
}

void
notify_send_once_locked(struct port *dest)
{
	struct kmsg *k = NULL;
	kern_return_t kr;

	if (!listening_locked(dest))
		return;
	kr = kreq_mach_notify_send_once(&k, dest, MACH_MSG_TYPE_PORT_SEND_ONCE);
	send_locked(dest, MACH_NOTIFY_SEND_ONCE, kr, k);
}

void
notify_dead_name_locked(struct port *dest, mach_port_name_t name)
{
	struct kmsg *k = NULL;
	kern_return_t kr;

	if (!listening_locked(dest))
		return;
	kr = kreq_mach_notify_dead_name(&k, dest, MACH_MSG_TYPE_PORT_SEND_ONCE, name);
	send_locked(dest, MACH_NOTIFY_DEAD_NAME, kr, k);
}

static void
notify_port_deleted_locked(struct port *dest, mach_port_name_t name)
{
	struct kmsg *k = NULL;
	kern_return_t kr;

	if (!listening_locked(dest))
		return;
	kr = kreq_mach_notify_port_deleted(&k, dest, MACH_MSG_TYPE_PORT_SEND_ONCE, name);
	send_locked(dest, MACH_NOTIFY_PORT_DELETED, kr, k);
}

/* The old entry point, by id, for the callers that still use it (port.c, port_rpc.c). */
void
ipc_kernel_send_once_locked(struct port *dest, mach_msg_id_t id, const void *body, mach_msg_size_t len)
{
	mach_port_name_t name = MACH_PORT_NULL;

	if (len >= sizeof name)
		memcpy(&name, body, sizeof name);
	switch (id) {
	case MACH_NOTIFY_SEND_ONCE:
		notify_send_once_locked(dest);
		break;
	case MACH_NOTIFY_DEAD_NAME:
		notify_dead_name_locked(dest, name);
		break;
	case MACH_NOTIFY_PORT_DELETED:
		notify_port_deleted_locked(dest, name);
		break;
	default:
		panic("ipc_kernel_send_once_locked: notification %d has no format", id);
	}
}

/*
 * Each request's notification goes, after p's own work (defer.c); its name
 * counts the notification's user reference when its space next looks (right.c).
 */
void
notify_port_died_locked(struct port *p)
{
	struct list *l;

	while ((l = list_pop_front(&p->dnrequests)) != NULL)
		ipc_defer_dead_name_locked(list_entry(l, struct dnrequest, link));
	if (p->nsrequest) {	/* the no-senders request dies with the port */
		struct port *n = p->nsrequest;
		p->nsrequest = NULL;
		right_destroy_carried_locked(n, MACH_MSG_TYPE_PORT_SEND_ONCE);
	}
}

/*
 * The port-destroyed notification: p's receive right, taken out of wherever it
 * was, goes to n. False (n's right destroyed, p left to die) when n cannot
 * take it: n dead, n in transit itself, n being p, or no memory.
 */
bool
notify_port_destroyed_locked(struct port *n, struct port *p)
{
	struct kmsg *k = NULL;

	if (!n->active || !n->receiver || n == p ||
	    kreq_mach_notify_port_destroyed(&k, n, MACH_MSG_TYPE_PORT_SEND_ONCE, p) != KERN_SUCCESS) {
		right_destroy_carried_locked(n, MACH_MSG_TYPE_PORT_SEND_ONCE);
		return false;
	}
	/* in transit now: out of its space and its set; waiting receivers look again and find it gone */
	p->refs++;		/* the right the message carries */
	p->receiver = NULL;
	if (p->pset) {
		list_remove(&p->pset_link);
		p->pset = NULL;
	}
	ipc_wake_all_locked(&p->receivers);
	ipc_defer_send_locked(k);	/* defer.c destroys it if n cannot take it by then */
	return true;
}

void
notify_no_senders_locked(struct port *p)
{
	struct port *n = p->nsrequest;
	struct kmsg *k = NULL;
	kern_return_t kr;

	if (!n)
		return;
	p->nsrequest = NULL;
	if (!listening_locked(n))
		return;
	kr = kreq_mach_notify_no_senders(&k, n, MACH_MSG_TYPE_PORT_SEND_ONCE, p->mscount);
	send_locked(n, MACH_NOTIFY_NO_SENDERS, kr, k);
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

	list_for_each_safe(l, tmp, &p->dnrequests) {
		struct dnrequest *d = list_entry(l, struct dnrequest, link);
		if (d->space == s && d->name == name) {
			list_remove(&d->link);
			notify_port_deleted_locked(d->notify, name);
			kfree(d);
		}
	}
}

void
notify_space_gone_locked(struct ipc_space *s, struct port *p)
{
	struct list *l, *tmp;

	list_for_each_safe(l, tmp, &p->dnrequests) {
		struct dnrequest *d = list_entry(l, struct dnrequest, link);
		if (d->space == s) {
			list_remove(&d->link);
			right_destroy_carried_locked(d->notify, MACH_MSG_TYPE_PORT_SEND_ONCE);
			kfree(d);
		}
	}
}
