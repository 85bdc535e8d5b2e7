/*
 * Messages to pagers (memory_object.defs, built by msgc's kernel client stubs,
 * build/gen/kernel/memory_object_kuser.c), queued under vm_object_lock and
 * sent by vm_object_flush with no lock held but the destination port's: the
 * object lock comes after the ports' in the lock order, so nothing holding it
 * may send.
 * The system-call exit and the fault path flush, so a message waits
 * at most until its sender leaves the kernel (or, short of memory, until a
 * later flush can build it). Each queued message holds a
 * reference on its object; objects whose last reference went wait here too,
 * to give up their ports.
 *
 * A page going back to its pager is never dropped for want of memory. Its
 * message needs none when the page leaves the object: the page's entry
 * becomes the message (pager_msg_queue_page_locked). A message that cannot be
 * built when its turn comes goes back to the head of the outbox and waits for
 * a later flush. Only a pager that is gone loses what was queued for it:
 * nobody is left to take it.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "memory_object_kuser.h"

struct pager_msg {
	struct list link;		/* [O] outbox */
	struct vm_object *obj;		/* with a reference */
	mach_msg_id_t id;
	uint32_t w[4];			/* the routine's scalar arguments, in order (build) */
	union {				/* small enough to fit in a page entry (below) */
		paddr_t page;		/* data_return: the page (a reference) */
		struct port *reply_to;	/* lock_ or supply_completed: a send-once right */
	};
};

/* lock_ or supply_completed go to the reply_to the request named; the rest to the pager */
static bool
is_answer(const struct pager_msg *m)
{
	return m->id == MEMORY_OBJECT_LOCK_COMPLETED_ID || m->id == MEMORY_OBJECT_SUPPLY_COMPLETED_ID;
}

/* an object's page entry, leaving it, is reused as the message that returns its page */
_Static_assert(sizeof(struct pager_msg) <= sizeof(struct obj_page), "a page entry holds its data_return");

static struct list outbox = LIST_INIT(outbox);		/* [O] struct pager_msg */
static struct list dead_objects = LIST_INIT(dead_objects);	/* [O] struct vm_object, refs 0 */
static bool waiting_said;	/* [O] the console heard that messages wait for memory */
volatile bool pager_msg_pending;

/* Queues m (zeroed, or NULL: allocated here). NULL: no memory, nothing queued. */
static struct pager_msg *
queue_locked(struct vm_object *obj, mach_msg_id_t id, struct pager_msg *m)
{
	if (!m && !(m = kzalloc(sizeof *m)))
		return NULL;
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
	struct pager_msg *m = queue_locked(obj, id, NULL);

	if (!m) {
		kprintf("kernel: message %d to a pager lost (out of memory)\n", id);
		return;
	}
	m->w[0] = w0;
	m->w[1] = w1;
	m->w[2] = w2;
}

static void
fill_return(struct pager_msg *m, uint32_t offset, paddr_t pa, bool dirty)
{
	m->page = pa;
	m->w[0] = offset;
	m->w[1] = dirty;
	m->w[2] = false;	/* kernel_copy: the kernel keeps none */
}

bool
pager_msg_queue_return_locked(struct vm_object *obj, uint32_t offset, paddr_t pa, bool dirty)
{
	struct pager_msg *m = queue_locked(obj, MEMORY_OBJECT_DATA_RETURN_ID, NULL);

	if (!m)
		return false;
	fill_return(m, offset, pa, dirty);
	return true;
}

void
pager_msg_queue_page_locked(struct vm_object *obj, struct obj_page *pg)
{
	uint32_t offset = pg->offset;
	paddr_t pa = pg->pa;
	bool dirty = pg->dirty;
	struct pager_msg *m = (struct pager_msg *)pg;	/* its heap block, now the message's */

	memset(m, 0, sizeof *m);
	queue_locked(obj, MEMORY_OBJECT_DATA_RETURN_ID, m);
	fill_return(m, offset, pa, dirty);
}

/* Takes over the send-once right reply_to. No lock held. */
void
pager_msg_queue_completed(struct vm_object *obj, struct port *reply_to, mach_msg_id_t id, const uint32_t *w,
			  uint32_t nwords)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);
	struct pager_msg *m = queue_locked(obj, id, NULL);

	if (!m)
		kprintf("kernel: message %d to a pager lost (out of memory)\n", id);
	if (m) {
		m->reply_to = reply_to;
		memcpy(m->w, w, nwords * 4);
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
	if (!m) {		/* the answer is lost: so is the right it would have used */
		f = ipc_begin();
		right_destroy_carried(reply_to, MACH_MSG_TYPE_PORT_SEND_ONCE);
		ipc_end(f);
	}
}

void
pager_msg_queue_free_locked(struct vm_object *obj)
{
	/* its link is free: it left the live list at terminate */
	list_push_back(&dead_objects, &obj->link);
	pager_msg_pending = true;
}

/*
 * Builds m's message to dest, which carries dest_right, in *k (the generated
 * stubs of memory_object.defs); data: data_return's page. On failure nothing
 * was taken.
 */
static kern_return_t
build(struct pager_msg *m, struct port *dest, mach_msg_type_name_t dest_right, const struct kern_ool *data,
	     struct kmsg **k)
{
	struct port *control = m->obj->control;
	const uint32_t *w = m->w;

	switch (m->id) {
	case MEMORY_OBJECT_INIT_ID:
		return kreq_memory_object_init(k, dest, dest_right, control, w[0]);
	case MEMORY_OBJECT_TERMINATE_ID:
		return kreq_memory_object_terminate(k, dest, dest_right, control);
	case MEMORY_OBJECT_DATA_REQUEST_ID:
		return kreq_memory_object_data_request(k, dest, dest_right, control, w[0], w[1], (vm_prot_t)w[2]);
	case MEMORY_OBJECT_DATA_UNLOCK_ID:
		return kreq_memory_object_data_unlock(k, dest, dest_right, control, w[0], w[1], (vm_prot_t)w[2]);
	case MEMORY_OBJECT_LOCK_COMPLETED_ID:
		return kreq_memory_object_lock_completed(k, dest, dest_right, control, w[0], w[1]);
	case MEMORY_OBJECT_SUPPLY_COMPLETED_ID:
		return kreq_memory_object_supply_completed(k, dest, dest_right, control, w[0], w[1],
							   (kern_return_t)w[2], w[3]);
	case MEMORY_OBJECT_DATA_RETURN_ID:
		return kreq_memory_object_data_return(k, dest, dest_right, control, w[0], data, data->size, w[1], w[2]);
	}
	panic("pager_msg: message %d has no format", m->id);
}

/*
 * Sends m to the pager (or to m->reply_to), or drops it with what it carries
 * when that port is gone. False: no memory to build it now; nothing changed,
 * m is to be sent later. No IPC lock held (interrupts off: ipc_begin).
 */
static bool
send_msg(struct pager_msg *m)
{
	struct vm_object *obj = m->obj;
	bool answer = is_answer(m), data_return = m->id == MEMORY_OBJECT_DATA_RETURN_ID;
	struct port *dest = answer ? m->reply_to : obj->pager;
	mach_msg_type_name_t dest_right = answer ? MACH_MSG_TYPE_PORT_SEND_ONCE : MACH_MSG_TYPE_PORT_SEND;
	struct kern_ool data = { 0 };
	struct kmsg *k = NULL;
	struct vcopy *vc = NULL;

	if (!__atomic_load_n(&dest->active, __ATOMIC_RELAXED) || dest->kotype != KOBJ_NONE) {
		/* the pager (or the one to answer) is gone: nobody can take the page or the right */
		if (data_return)
			page_unref(m->page);
		if (answer)
			right_destroy_carried(m->reply_to, MACH_MSG_TYPE_PORT_SEND_ONCE);
		return true;
	}
	if (data_return) {	/* data_return: the page travels as a one-page virtual copy */
		vc = kzalloc(sizeof *vc + sizeof(paddr_t));
		if (!vc)
			return false;
		vc->npages = 1;
		vc->page[0] = m->page;
		data = (struct kern_ool){ .copy = vc, .virt = true, .size = PAGE_SIZE };
	}
	if (build(m, dest, dest_right, &data, &k) != KERN_SUCCESS) {
		kfree(vc);	/* not vcopy_free: the page stays m's */
		return false;
	}
	if (!answer)		/* the rights the message now holds; a reply_to was the caller's */
		port_copy_send(dest);
	port_copy_send(obj->control);
	ipc_deliver(dest, k);	/* (destroyed, with what it carries, if dest died meanwhile) */
	return true;
}

void
vm_object_flush(void)
{
	for (;;) {
		struct pager_msg *m = NULL;
		struct vm_object *dead = NULL;
		struct list *l;
		bool sent = true;
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
		f = ipc_begin();
		if (m) {
			sent = send_msg(m);
		} else {
			if (dead->pager) {	/* an internal object has neither */
				right_destroy_carried(dead->pager, MACH_MSG_TYPE_PORT_SEND);
				kobject_port_destroy(dead->control);
			}
		}
		ipc_end(f);
		if (m && !sent) {
			/*
			 * No memory for the message now: it goes back to the head,
			 * ahead of what was queued after it (a data_return before its
			 * object's terminate), and a later flush tries again;
			 * pager_msg_pending stays set. The rest waits behind it.
			 */
			f = spin_lock_irqsave(&vm_object_lock);
			list_push_front(&outbox, &m->link);
			pager_msg_pending = true;
			if (!waiting_said)
				kprintf("kernel: messages to pagers wait for memory\n");
			waiting_said = true;
			spin_unlock_irqrestore(&vm_object_lock, f);
			return;
		}
		if (m && waiting_said) {	/* read unlocked: a hint, checked again under the lock */
			f = spin_lock_irqsave(&vm_object_lock);
			if (waiting_said)
				kprintf("kernel: messages to pagers go again\n");
			waiting_said = false;
			spin_unlock_irqrestore(&vm_object_lock, f);
		}
		if (m) {
			vm_object_unref(m->obj);
			kfree(m);
		} else {
			kfree(dead);
		}
	}
}
