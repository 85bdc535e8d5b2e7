/*
 * Messages to pagers (memory_object.defs), queued under vm_object_lock and
 * sent by vm_object_flush with no lock held but sched_lock: a fault or an unmap
 * must not take sched_lock under map_lock (the order is sched_lock, then
 * map_lock). The system-call exit and the fault path flush, so a message waits
 * at most until its sender leaves the kernel. Each queued message holds a
 * reference on its object; objects whose last reference went wait here too,
 * to give up their ports.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "memory_object_types.h"

#define HDR ((uint32_t)sizeof(mach_msg_header_t))

struct pager_msg {
	struct list link;		/* [O] outbox */
	struct vm_object *obj;		/* with a reference */
	mach_msg_id_t id;
	uint32_t w[4], nwords;
	paddr_t page;			/* data_return: the page (a reference) */
	struct port *reply_to;		/* lock_ or supply_completed: a send-once right, else the pager */
};

static struct list outbox = LIST_INIT(outbox);		/* [O] struct pager_msg */
static struct list dead_objects = LIST_INIT(dead_objects);	/* [O] struct vm_object, refs 0 */
volatile bool pager_msg_pending;

static struct pager_msg *
queue_locked(struct vm_object *obj, mach_msg_id_t id)
{
	struct pager_msg *m = kzalloc(sizeof *m);

	if (!m) {
		kprintf("kernel: message %d to a pager lost (out of memory)\n", id);
		return NULL;
	}
	m->obj = obj;
	m->id = id;
	obj->refs++;
	list_push_back(&outbox, &m->link);
	pager_msg_pending = true;
	return m;
}

void
pager_msg_queue_locked(struct vm_object *obj, int id, uint32_t w0, uint32_t w1, uint32_t w2)
{
	struct pager_msg *m = queue_locked(obj, id);

	if (!m)
		return;
	m->w[0] = w0;
	m->w[1] = w1;
	m->w[2] = w2;
	m->nwords = id == MEMORY_OBJECT_INIT_ID ? 1 : id == MEMORY_OBJECT_TERMINATE_ID ? 0 : 3;
}

/* Takes over the caller's reference on pa. */
void
pager_msg_queue_return_locked(struct vm_object *obj, uint32_t offset, paddr_t pa, bool dirty)
{
	struct pager_msg *m = queue_locked(obj, MEMORY_OBJECT_DATA_RETURN_ID);

	if (!m) {
		page_unref(pa);
		return;
	}
	m->page = pa;
	m->w[0] = offset;
	m->w[1] = dirty;
	m->w[2] = false;	/* kernel_copy: the kernel keeps none */
	m->nwords = 3;
}

/* Takes over the send-once right reply_to. No lock held. */
void
pager_msg_queue_completed(struct vm_object *obj, struct port *reply_to, mach_msg_id_t id, const uint32_t *w,
			  uint32_t nwords)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);
	struct pager_msg *m = queue_locked(obj, id);

	if (m) {
		m->reply_to = reply_to;
		memcpy(m->w, w, nwords * 4);
		m->nwords = nwords;
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
	if (!m) {		/* the answer is lost: so is the right it would have used */
		f = spin_lock_irqsave(&sched_lock);
		right_destroy_carried_locked(reply_to, MACH_MSG_TYPE_PORT_SEND_ONCE);
		spin_unlock_irqrestore(&sched_lock, f);
	}
}

void
pager_msg_queue_free_locked(struct vm_object *obj)
{
	/* its link is free: it left the live list at terminate */
	list_push_back(&dead_objects, &obj->link);
	pager_msg_pending = true;
}

/* Builds m as a message to the pager (or to m->reply_to) and sends it. sched_lock held. */
static void
send_locked(struct pager_msg *m)
{
	struct vm_object *obj = m->obj;
	bool ool = m->id == MEMORY_OBJECT_DATA_RETURN_ID;
	uint32_t ndesc = ool ? 2 : 1;
	uint32_t size = HDR + 4 + ndesc * 12 + m->nwords * 4;
	struct port *dest = m->reply_to ? m->reply_to : obj->pager;
	struct kmsg *k = kzalloc(sizeof *k + size);
	mach_msg_body_t *body;
	mach_msg_port_descriptor_t *pd;
	struct vcopy *vc = NULL;

	if (ool && k && !(vc = kzalloc(sizeof *vc + sizeof(paddr_t)))) {
		kfree(k);
		k = NULL;
	}
	if (!k) {
		kprintf("kernel: message %d to a pager lost (out of memory)\n", m->id);
		if (m->page)
			page_unref(m->page);
		if (m->reply_to)
			right_destroy_carried_locked(m->reply_to, MACH_MSG_TYPE_PORT_SEND_ONCE);
		return;
	}
	k->size = size;
	k->remote = dest;
	if (m->reply_to) {
		k->remote_type = MACH_MSG_TYPE_PORT_SEND_ONCE;	/* the message carries the right */
	} else {
		k->remote_type = MACH_MSG_TYPE_PORT_SEND;
		dest->refs++;
		dest->srights++;
	}
	k->msg->msgh_bits = MACH_MSGH_BITS(k->remote_type, 0) | MACH_MSGH_BITS_COMPLEX;
	k->msg->msgh_size = size;
	k->msg->msgh_id = m->id;
	body = (mach_msg_body_t *)(k->msg + 1);
	body->msgh_descriptor_count = ndesc;
	pd = (mach_msg_port_descriptor_t *)(body + 1);
	pd->name = (mach_port_name_t)(uintptr_t)obj->control;
	pd->disposition = MACH_MSG_TYPE_PORT_SEND;
	pd->type = MACH_MSG_PORT_DESCRIPTOR;
	obj->control->refs++;
	obj->control->srights++;
	if (ool) {
		mach_msg_ool_descriptor_t *od = (mach_msg_ool_descriptor_t *)(pd + 1);
		vc->npages = 1;
		vc->page[0] = m->page;
		od->address = (vm_address_t)(uintptr_t)vc;
		od->size = PAGE_SIZE;
		od->copy = MACH_MSG_VIRTUAL_COPY;
		od->type = MACH_MSG_OOL_DESCRIPTOR;
		k->kcopies = k->kvirt = 1u << 1;
	}
	memcpy((char *)k->msg + HDR + 4 + ndesc * 12, m->w, m->nwords * 4);
	if (!dest->active || dest->kotype != KOBJ_NONE)
		kmsg_destroy_locked(k);		/* the pager is gone: so are the rights and pages */
	else
		ipc_enqueue_locked(dest, k);
}

void
vm_object_flush(void)
{
	for (;;) {
		struct pager_msg *m = NULL;
		struct vm_object *dead = NULL;
		struct list *l;
		uint32_t f = spin_lock_irqsave(&vm_object_lock);

		if ((l = list_pop_front(&outbox)) != NULL)
			m = list_entry(l, struct pager_msg, link);
		else if ((l = list_pop_front(&dead_objects)) != NULL)
			dead = list_entry(l, struct vm_object, link);
		else
			pager_msg_pending = false;
		spin_unlock_irqrestore(&vm_object_lock, f);
		if (!l)
			return;
		f = spin_lock_irqsave(&sched_lock);
		if (m) {
			send_locked(m);
		} else {
			if (dead->pager) {	/* an internal object has neither */
				right_destroy_carried_locked(dead->pager, MACH_MSG_TYPE_PORT_SEND);
				kobject_port_destroy_locked(dead->control);
			}
		}
		spin_unlock_irqrestore(&sched_lock, f);
		if (m) {
			vm_object_unref(m->obj);
			kfree(m);
		} else {
			kfree(dead);
		}
	}
}
