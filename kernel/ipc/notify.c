/*
 * Notifications (see <mach/notify.h>): dead-name, port-deleted, no-senders and
 * send-once. Each goes to a send-once right the kernel was given; sending it
 * consumes that right. Kernel messages ignore the queue limit, as Mach's do.
 * A dead-name notification carries a user reference for the dead name, as in
 * Mach: the name's urefs go up by one when it is sent.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <mach/notify.h>

/* Takes over a send-once right to dest and its reference. */
void
ipc_kernel_send_once_locked(struct port *dest, mach_msg_id_t id, const void *body, mach_msg_size_t len)
{
	mach_msg_size_t size = (mach_msg_size_t)sizeof(mach_msg_header_t) + len;
	struct kmsg *k;

	if (!dest->active) {		/* nobody to tell: the right just goes */
		dest->sorights--;
		port_unref_locked(dest);
		return;
	}
	k = kzalloc(sizeof *k + size);
	if (!k) {			/* out of kernel memory: the notification is lost */
		kprintf("kernel: notification %d lost (out of memory)\n", id);
		dest->sorights--;
		port_unref_locked(dest);
		return;
	}
	k->size = size;
	k->remote = dest;		/* the message carries the send-once right */
	k->remote_type = MACH_MSG_TYPE_PORT_SEND_ONCE;
	k->msg->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	k->msg->msgh_size = size;
	k->msg->msgh_id = id;
	memcpy(k->msg + 1, body, len);
	ipc_enqueue_locked(dest, k);
}

static void
send_name_notification(struct port *notify, mach_msg_id_t id, mach_port_name_t name)
{
	ipc_kernel_send_once_locked(notify, id, &name, sizeof name);
}

/*
 * The reference a dead-name notification brings to the name: added to the
 * send or send-once entry, which becomes a dead name with it (right.c). A
 * count already at UREFS_MAX stays there.
 */
static void
add_dead_name_ref(struct ipc_space *s, mach_port_name_t name, struct port *p)
{
	struct ipc_entry *e = space_lookup_locked(s, name);

	if (e && e->object == p && (e->type & (T_SEND | T_SO)) && e->urefs < UREFS_MAX)
		e->urefs++;
}

void
notify_port_died_locked(struct port *p)
{
	struct list *l;

	while ((l = list_pop_front(&p->dnrequests)) != NULL) {
		struct dnrequest *d = list_entry(l, struct dnrequest, link);
		add_dead_name_ref(d->space, d->name, p);
		send_name_notification(d->notify, MACH_NOTIFY_DEAD_NAME, d->name);
		kfree(d);
	}
	if (p->nsrequest) {	/* the no-senders request dies with the port */
		struct port *n = p->nsrequest;
		p->nsrequest = NULL;
		right_destroy_carried_locked(n, MACH_MSG_TYPE_PORT_SEND_ONCE);
	}
}

void
notify_no_senders_locked(struct port *p)
{
	struct port *n = p->nsrequest;

	if (!n)
		return;
	p->nsrequest = NULL;
	ipc_kernel_send_once_locked(n, MACH_NOTIFY_NO_SENDERS, &p->mscount, sizeof p->mscount);
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
			send_name_notification(d->notify, MACH_NOTIFY_PORT_DELETED, name);
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
