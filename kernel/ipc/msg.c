/*
 * mach_msg's two halves. Sending copies the message in, checks every right it
 * names without changing anything, waits for room in the queue if needed, then
 * commits: rights leave the sender's space and the message joins the queue (or
 * goes straight to a waiting receiver); a request to a kernel object's port is
 * served right away by kobject.c. Receiving takes the oldest message,
 * gives its rights to the receiver's space and copies it out with a trailer.
 *
 * Out-of-line memory is copied into the kernel at send and into fresh pages of
 * the receiver's map at receive (a physical copy, until the VM issue makes it
 * a virtual one). Out-of-line port arrays are refused (MACH_SEND_INVALID_TYPE).
 */
#include <kern/clock.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/ledger.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "layout.h"
#include "pmap.h"
#include <kern/page.h>
#include "msg_private.h"

#define HDR ((mach_msg_size_t)sizeof(mach_msg_header_t))

static uint64_t
ms_to_ticks(mach_msg_timeout_t ms)
{
	uint64_t t = ((uint64_t)ms * HZ + 999) / 1000;

	return t ? t : 1;
}

/* The right a disposition leaves in a message. */
static mach_msg_type_name_t
carried_by(mach_msg_type_name_t disp)
{
	switch (disp) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	default:
		return MACH_MSG_TYPE_PORT_SEND;
	}
}

/*
 * The kernel memory a queued message holds, charged to its sender: the kmsg
 * and the kernel copies of its out-of-line regions and port arrays.
 */
static uint32_t
kmsg_footprint(const struct kmsg *k)
{
	const mach_msg_body_t *body = (const mach_msg_body_t *)(k->msg + 1);
	const mach_msg_descriptor_t *d = (const mach_msg_descriptor_t *)(body + 1);
	uint32_t bytes = (uint32_t)sizeof *k + k->size;

	for (uint32_t i = 0; i < 32 && (k->kcopies >> i); i++, d++) {
		if (!(k->kcopies & (1u << i)))
			continue;
		if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
			bytes += d->ool_ports.count * (uint32_t)sizeof(struct port *);
		else
			bytes += ROUND_UP(d->out_of_line.size, 4);
	}
	return bytes;
}

/*
 * Charges k to the sending task t: MACH_SEND_NO_BUFFER past its limit, or
 * when free pages are down to twice the kernel's reserve (to the reserve for
 * the privileged tasks, task_may_use_reserve), which is kept for the kernel.
 */
/*
 * The privileged may go down to the reserve itself, never into it: the
 * kernel's own messages (notifications, replies) come from there.
 */
bool
ipc_sender_short_of_pages(struct task *t)
{
	uint32_t free = page_free_count(), reserve = page_reserve_count();

	return free < 2 * reserve && (free < reserve || !task_may_use_reserve(t));
}

static mach_msg_return_t
kmsg_charge(struct task *t, struct kmsg *k)
{
	uint32_t bytes = kmsg_footprint(k);

	if (!t->kmem)
		return MACH_MSG_SUCCESS;	/* the kernel's own */
	if (ipc_sender_short_of_pages(t) || !ledger_charge(t->kmem, bytes))
		return MACH_SEND_NO_BUFFER;
	ledger_ref(t->kmem);
	k->payer = t->kmem;
	k->charge = bytes;
	return MACH_MSG_SUCCESS;
}

/* The kmsg's own memory goes, and what it was charged goes back to its sender's ledger. */
static void
kmsg_free(struct kmsg *k)
{
	if (k->payer) {
		ledger_credit(k->payer, k->charge);
		ledger_unref(k->payer);
	}
	kfree(k);
}

/* Frees the kernel copies of out-of-line regions (before commit, or when destroyed). */
static void
free_ool(struct kmsg *k)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);

	for (uint32_t i = 0; i < 32 && k->kcopies; i++, d++) {
		if (!(k->kcopies & (1u << i)))
			continue;
		k->kcopies &= ~(1u << i);
		if (k->kvirt & (1u << i))
			vcopy_free((struct vcopy *)(uintptr_t)d->out_of_line.address, 0);
		else
			kfree((void *)(uintptr_t)d->out_of_line.address);
		d->out_of_line.address = 0;
	}
	k->kvirt = 0;
}

/* n fresh pages, not zeroed, for a copy the kernel fills itself; NULL without memory. */
struct vcopy *
vcopy_alloc(uint32_t n)
{
	struct vcopy *vc = kzalloc(sizeof *vc + n * sizeof(paddr_t));

	if (!vc)
		return NULL;
	vc->npages = n;
	for (uint32_t j = 0; j < n; j++) {
		vc->page[j] = page_alloc(PAGE_USER);
		if (!vc->page[j]) {
			vcopy_free(vc, 0);
			return NULL;
		}
	}
	return vc;
}

/*
 * size bytes of t's memory at addr, copied into fresh pages (a physical copy
 * carried as a vcopy); the rest of a last, partial page is zero, so nothing
 * past the region travels. KERN_RESOURCE_SHORTAGE, or copyin's error.
 */
kern_return_t
vcopy_copyin(struct task *t, uint32_t addr, uint32_t size, struct vcopy **out)
{
	uint32_t n = ROUND_UP(size, PAGE_SIZE) / PAGE_SIZE;
	struct vcopy *vc = vcopy_alloc(n);
	kern_return_t kr = vc ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;

	for (uint32_t j = 0; j < n && kr == KERN_SUCCESS; j++) {
		uint32_t len = MIN(size - j * PAGE_SIZE, PAGE_SIZE);
		memset((uint8_t *)P2V(vc->page[j]) + len, 0, PAGE_SIZE - len);
		kr = copyin(t, addr + j * PAGE_SIZE, P2V(vc->page[j]), len);
	}
	if (kr != KERN_SUCCESS) {
		if (vc)
			vcopy_free(vc, 0);
		return kr;
	}
	*out = vc;
	return KERN_SUCCESS;
}

/* Drops the pages from `from` on (the ones not handed to a receiver yet). */
void
vcopy_free(struct vcopy *vc, uint32_t from)
{
	for (uint32_t j = from; j < vc->npages; j++)
		if (vc->page[j])
			page_unref(vc->page[j]);
	kfree(vc);
}

static mach_msg_return_t
vcopy_make(struct task *t, uint32_t addr, uint32_t size, struct vcopy **out)
{
	uint32_t n = ROUND_UP(size, PAGE_SIZE) / PAGE_SIZE, tail = size % PAGE_SIZE;
	struct vcopy *vc = kzalloc(sizeof *vc + n * sizeof(paddr_t));

	if (!vc)
		return MACH_SEND_NO_BUFFER;
	vc->npages = n;
	for (uint32_t j = 0; j < n; j++) {
		uint32_t va = addr + j * PAGE_SIZE;
		paddr_t pa;
		int prot;
		if (!pmap_lookup(t->pmap, va, &pa, &prot) && vm_fault(t, va, false) != KERN_SUCCESS)
			goto bad;
		if ((j == n - 1 && tail) || (t->object_regions && vm_map_is_object_backed(t, va))) {
			/* the last, partial page, or a memory object's page (copy-on-write
			 * would take it from the object): copied */
			pa = page_alloc(PAGE_USER | PAGE_ZERO);
			if (!pa)
				goto bad;
			vc->page[j] = pa;
			if (copyin(t, va, P2V(pa), j == n - 1 && tail ? tail : PAGE_SIZE) != KERN_SUCCESS)
				goto bad;
			continue;
		}
		if (vm_page_for_copy(t->pmap, va, &pa) != KERN_SUCCESS)
			goto bad;
		vc->page[j] = pa;
	}
	*out = vc;
	return MACH_MSG_SUCCESS;
bad:
	vcopy_free(vc, 0);
	return MACH_SEND_INVALID_MEMORY;
}

/*
 * A physical copy of a region longer than IPC_OOL_KMALLOC_MAX, into fresh
 * pages rather than one kmalloc block: growing the heap by megabytes holds its
 * lock, and interrupts off, throughout. The receiver maps the pages as it
 * would a virtual copy's.
 */
#define IPC_OOL_KMALLOC_MAX (64 * 1024)

static mach_msg_return_t
vcopy_fill(struct task *t, uint32_t addr, uint32_t size, struct vcopy **out)
{
	kern_return_t kr = vcopy_copyin(t, addr, size, out);

	if (kr == KERN_SUCCESS)
		return MACH_MSG_SUCCESS;
	return kr == KERN_RESOURCE_SHORTAGE ? MACH_SEND_NO_BUFFER : MACH_SEND_INVALID_MEMORY;
}

/*
 * Copies an out-of-line region into the kernel; the descriptor then holds the
 * copy: a virtual one (shared pages) for a page-aligned region of a page or
 * more, fresh pages for another region of more than 64 KiB, else a kmalloc'd
 * physical one. Errors: the region is too large or not readable.
 */
static mach_msg_return_t
copyin_ool(struct task *t, mach_msg_ool_descriptor_t *d, bool *virtual_copy)
{
	void *copy;

	*virtual_copy = false;
	if (d->size > IPC_OOL_MAX)
		return MACH_SEND_TOO_LARGE;
	if (d->copy != MACH_MSG_VIRTUAL_COPY && d->copy != MACH_MSG_PHYSICAL_COPY)
		return MACH_SEND_INVALID_TYPE;
	if (d->size == 0) {
		d->address = 0;
		return MACH_MSG_SUCCESS;
	}
	if (d->size >= PAGE_SIZE && !(d->address & (PAGE_SIZE - 1)) && d->address < USER_TOP &&
	    d->size <= USER_TOP - d->address) {
		struct vcopy *vc;
		mach_msg_return_t mr = vcopy_make(t, d->address, d->size, &vc);
		if (mr != MACH_MSG_SUCCESS) {
			d->address = 0;
			return mr;
		}
		d->address = (vm_address_t)(uintptr_t)vc;
		*virtual_copy = true;
		return MACH_MSG_SUCCESS;
	}
	if (d->size > IPC_OOL_KMALLOC_MAX) {
		struct vcopy *vc;
		mach_msg_return_t mr = vcopy_fill(t, d->address, d->size, &vc);
		d->address = mr == MACH_MSG_SUCCESS ? (vm_address_t)(uintptr_t)vc : 0;
		*virtual_copy = mr == MACH_MSG_SUCCESS;
		return mr;
	}
	copy = kmalloc(d->size);
	if (!copy)
		return MACH_SEND_NO_BUFFER;
	if (copyin(t, d->address, copy, d->size) != KERN_SUCCESS) {
		kfree(copy);
		d->address = 0;
		return MACH_SEND_INVALID_MEMORY;
	}
	d->address = (vm_address_t)(uintptr_t)copy;
	return MACH_MSG_SUCCESS;
}

/* Regions the sender asked to be deallocated once the message is sent. */
struct dealloc_list {
	uint32_t n;
	struct {
		uint32_t addr, size;
	} r[16];
};

/* Copies in every out-of-line region; notes those with the deallocate option. */
static mach_msg_return_t
copyin_body(struct task *t, struct kmsg *k, struct dealloc_list *dl)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);

	if (!(k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return MACH_MSG_SUCCESS;
	for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
		mach_msg_ool_descriptor_t *o = &d->out_of_line;
		uint32_t addr = o->address, size = o->size;
		mach_msg_return_t mr;
		bool virtual_copy;
		if (d->type.type != MACH_MSG_OOL_DESCRIPTOR)
			continue;
		if (i >= 32)
			return MACH_SEND_TOO_LARGE;	/* out-of-line regions in the first 32 descriptors */
		mr = copyin_ool(t, o, &virtual_copy);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
		if (o->address)
			k->kcopies |= 1u << i;
		if (virtual_copy)
			k->kvirt |= 1u << i;
		if (o->deallocate && size) {
			if (dl->n == 16)
				return MACH_SEND_TOO_LARGE;
			dl->r[dl->n].addr = addr;
			dl->r[dl->n].size = size;
			dl->n++;
		}
	}
	return MACH_MSG_SUCCESS;
}

static void
dealloc_sent_regions(struct task *t, const struct dealloc_list *dl)
{
	for (uint32_t i = 0; i < dl->n; i++) {
		uint32_t lo = ROUND_DOWN(dl->r[i].addr, PAGE_SIZE);
		uint32_t hi = ROUND_UP(dl->r[i].addr + dl->r[i].size, PAGE_SIZE);
		vm_map_deallocate(t, lo, hi - lo);
	}
}

/* Finds the descriptors and checks their layout; no rights are looked at yet. */
static mach_msg_return_t
parse_body(struct task *t, struct kmsg *k, struct right_use *uses, int *nuses)
{
	mach_msg_body_t *body;
	mach_msg_descriptor_t *d;
	uint32_t count;

	if (!(k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return MACH_MSG_SUCCESS;
	if (k->size < HDR + sizeof *body)
		return MACH_SEND_MSG_TOO_SMALL;
	body = (mach_msg_body_t *)(k->msg + 1);
	count = body->msgh_descriptor_count;
	if (count > (k->size - HDR - sizeof *body) / sizeof *d)
		return MACH_SEND_MSG_TOO_SMALL;
	d = (mach_msg_descriptor_t *)(body + 1);
	for (uint32_t i = 0; i < count; i++, d++) {
		switch (d->type.type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			if (!MACH_MSG_TYPE_PORT_ANY(d->port.disposition))
				return MACH_SEND_INVALID_TYPE;
			if (*nuses == MAX_RIGHTS)
				return MACH_SEND_TOO_LARGE;
			uses[*nuses] = (struct right_use){ d->port.name, d->port.disposition, NULL, &d->port.name,
							   &d->port.disposition, NULL, false };
			(*nuses)++;
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
			break;	/* copied in by copyin_body once the layout is known good */
		case MACH_MSG_OOL_PORTS_DESCRIPTOR: {
			mach_msg_ool_ports_descriptor_t *o = &d->ool_ports;
			mach_port_name_t *names = NULL;
			if (!MACH_MSG_TYPE_PORT_ANY(o->disposition))
				return MACH_SEND_INVALID_TYPE;
			if (o->count > (uint32_t)(MAX_RIGHTS - *nuses) || i >= 32)
				return MACH_SEND_TOO_LARGE;
			if (o->count) {
				names = kmalloc(o->count * sizeof *names);
				if (!names)
					return MACH_SEND_NO_BUFFER;
				if (copyin(t, o->address, names, o->count * sizeof *names) != KERN_SUCCESS) {
					kfree(names);
					o->address = 0;
					return MACH_SEND_INVALID_MEMORY;
				}
			}
			o->address = (vm_address_t)(uintptr_t)names;	/* the kernel's copy from now on */
			if (names)
				k->kcopies |= 1u << i;
			for (uint32_t j = 0; j < o->count; j++)
				uses[(*nuses)++] = (struct right_use){ names[j], o->disposition, NULL, &names[j], NULL, NULL, false };
			break;
		}
		default:
			return MACH_SEND_INVALID_TYPE;
		}
	}
	return MACH_MSG_SUCCESS;
}

/*
 * Checks every right against the sender's space. A name used twice must not
 * need more than it has (two moves of one send right with one uref, a receive
 * right moved and also used): then the commit cannot fail halfway.
 */
static mach_msg_return_t
use_error(struct right_use *uses, int i)
{
	/* a destination that clashes with the reply right: the reply is at fault */
	if (i == 0 && uses[1].name == uses[0].name)
		return MACH_SEND_INVALID_REPLY;
	return i == 0 ? MACH_SEND_INVALID_DEST : i == 1 ? MACH_SEND_INVALID_REPLY : MACH_SEND_INVALID_RIGHT;
}

/* The dispositions a dead name may be sent with: Mach's copyin takes them as MACH_PORT_DEAD. */
static bool
dead_name_may_travel(mach_msg_type_name_t disp)
{
	return disp == MACH_MSG_TYPE_COPY_SEND || disp == MACH_MSG_TYPE_MOVE_SEND ||
	       disp == MACH_MSG_TYPE_MOVE_SEND_ONCE;
}

/* A dead name's use committed: MACH_PORT_DEAD in the message, a move's user reference gone. s locked. */
static void
commit_dead_name_locked(struct ipc_space *s, struct right_use *u)
{
	if (u->disp != MACH_MSG_TYPE_COPY_SEND) {
		struct ipc_entry *e = space_lookup_locked(s, u->name);

		if (--e->urefs == 0)
			space_free_entry_locked(s, u->name);
	}
	*u->slot = MACH_PORT_DEAD;
	if (u->disp_slot)
		*u->disp_slot = (uint8_t)carried_by(u->disp);
}

mach_msg_return_t
ipc_check_rights_locked(struct ipc_space *s, struct right_use *uses, int n)
{
	assert_held(&s->lock);
	if (n == 2 && uses[0].name != uses[1].name) {	/* the header's two (msg_private.h) */
		mach_msg_return_t mr = ipc_check_header_rights_locked(s, uses);

		uses[1].dead = false;
		if (mr != MACH_SEND_INVALID_REPLY)
			return mr;
		/* the reply may be a dead name, which travels: the general check below says */
	}
	for (int i = 0; i < n; i++) {
		struct right_use *u = &uses[i];
		int moves = 0, others = 0;
		struct ipc_entry *e;
		kern_return_t kr;

		u->port = NULL;
		u->dead = false;
		if (!MACH_PORT_VALID(u->name))
			continue;	/* NULL and DEAD pass through as they are */
		kr = right_check_locked(s, u->name, u->disp, &u->port);
		/* a dead name as the reply or in the body, sent as a send or send-once right, goes as
		 * MACH_PORT_DEAD, as Mach's copyin takes it (a reply's task port that died meanwhile) */
		if (kr == KERN_INVALID_CAPABILITY && i >= 1 && dead_name_may_travel(u->disp)) {
			u->port = NULL;
			u->dead = true;
			kr = KERN_SUCCESS;
		}
		if (kr != KERN_SUCCESS)
			return i == 0 ? MACH_SEND_INVALID_DEST : i == 1 ? MACH_SEND_INVALID_REPLY
								: MACH_SEND_INVALID_RIGHT;
		for (int j = 0; j < n; j++) {
			if (uses[j].name != u->name)
				continue;
			if (uses[j].disp == MACH_MSG_TYPE_MOVE_SEND || uses[j].disp == MACH_MSG_TYPE_MOVE_SEND_ONCE ||
			    uses[j].disp == MACH_MSG_TYPE_MOVE_RECEIVE)
				moves++;
			else
				others++;
		}
		e = space_lookup_locked(s, u->name);
		if (u->dead) {	/* each move takes one of the dead name's user references */
			if (moves > (int)e->urefs)
				return use_error(uses, i);
			continue;
		}
		if (u->disp == MACH_MSG_TYPE_MOVE_SEND || u->disp == MACH_MSG_TYPE_COPY_SEND) {
			if (moves + (others ? 1 : 0) > (int)e->urefs && moves)
				return use_error(uses, i);
		} else if ((u->disp == MACH_MSG_TYPE_MOVE_RECEIVE || u->disp == MACH_MSG_TYPE_MOVE_SEND_ONCE) &&
			   moves + others > 1) {
			return use_error(uses, i);
		}
	}
	return MACH_MSG_SUCCESS;
}

/*
 * Where a kernel message goes: a port's queue; a port that stands for a kernel
 * object (only mach_msg's senders are served by kernel objects), or a dead
 * one, destroys it.
 */
void
ipc_deliver(struct port *dest, struct kmsg *k)
{
	port_lock(dest);
	if (dest->kotype != KOBJ_NONE || !dest->active) {
		port_unlock(dest);
		kmsg_destroy(k);
		return;
	}
	ipc_enqueue_locked(dest, k);
	port_unlock(dest);
}

/*
 * Receive rights in transit. A receive right in a message queued on port D
 * has its port's in_transit_to set to D, exactly while the message is on D's
 * queue; from D the chain goes on up while D's own receive right is queued
 * somewhere. A message whose receive right R would be queued where the chain
 * leads back to R (R itself, or a port whose right is queued on R, or deeper)
 * could never be received: a ring, which Mach destroys as it is sent
 * (ipc_port_check_circularity) and so does ipc_send.
 */
struct spinlock ipc_transit_lock = SPINLOCK_INIT("ipc transit", LOCK_RANK_TRANSIT);

struct port *
ipc_transit_top_locked(struct port *p)
{
	assert_held(&ipc_transit_lock);
	for (uint32_t i = 0; i < IPC_TRANSIT_DEPTH_MAX && p->in_transit_to; i++)
		p = p->in_transit_to;
	return p->in_transit_to ? NULL : p;
}

/* One receive right of a message: see kmsg_set_transit_locked. */
static void
set_transit(struct port *r, struct port *dest, struct port *top, bool *ring)
{
	r->in_transit_to = dest;
	if (r == top)
		*ring = true;
}

/*
 * Points every receive right k carries at dest (NULL: k is off its queue) and
 * says whether one of them is top, the top of dest's chain: a ring. Returns
 * whether k carries any. A message names at most MAX_RIGHTS rights.
 * ipc_transit_lock held.
 */
static bool
kmsg_set_transit_locked(struct kmsg *k, struct port *dest, struct port *top, bool *ring)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);
	bool any = false;

	*ring = false;
	if (!(k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return false;
	for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
		if (d->type.type == MACH_MSG_PORT_DESCRIPTOR && d->port.disposition == MACH_MSG_TYPE_PORT_RECEIVE) {
			struct port *r = (struct port *)(uintptr_t)d->port.name;
			if (r && d->port.name != MACH_PORT_DEAD) {
				set_transit(r, dest, top, ring);
				any = true;
			}
		} else if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR &&
			   d->ool_ports.disposition == MACH_MSG_TYPE_PORT_RECEIVE && i < 32 && (k->kcopies & (1u << i))) {
			struct port **a = (struct port **)(uintptr_t)d->ool_ports.address;
			for (uint32_t j = 0; j < d->ool_ports.count; j++)
				if (a[j] && a[j] != (struct port *)MACH_PORT_DEAD) {
					set_transit(a[j], dest, top, ring);
					any = true;
				}
		}
	}
	return any;
}

/* The message leaves (or never joined) a queue: its receive rights are in transit to no port. */
static void
kmsg_clear_transit_locked(struct kmsg *k)
{
	bool ring;

	kmsg_set_transit_locked(k, NULL, NULL, &ring);
}

/* k leaves its queue: its receive rights are in transit to nothing. */
static void
kmsg_left_queue(struct kmsg *k)
{
	if (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		spin_lock_irqoff(&ipc_transit_lock);
		kmsg_clear_transit_locked(k);
		spin_unlock_irqoff(&ipc_transit_lock);
	}
}

struct kmsg *
ipc_dequeue_locked(struct port *p)
{
	struct list *l = list_pop_front(&p->messages);
	struct kmsg *k;

	assert_held(&p->lock);
	if (!l)
		return NULL;
	p->msgcount--;
	k = list_entry(l, struct kmsg, link);
	kmsg_left_queue(k);
	return k;
}

/* Puts k back at the head of p's queue (p locked), which it was just taken from. */
static void
requeue_front_locked(struct port *p, struct kmsg *k)
{
	bool ring;

	list_push_front(&p->messages, &k->link);
	p->msgcount++;
	if (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		spin_lock_irqoff(&ipc_transit_lock);
		kmsg_set_transit_locked(k, p, NULL, &ring);
		spin_unlock_irqoff(&ipc_transit_lock);
	}
}

/*
 * Queues k on p, or, when a receiver is already waiting on p (or on its set),
 * hands k straight to that thread: it will not have to look at the queue, and
 * another receiver cannot take the message from under it. A message with
 * receive rights is always queued, so that its rights are in transit to p
 * until a receive takes them; one that would close a ring is destroyed
 * (ipc_send checks first, and refuses a chain too long to follow; here, for
 * the kernel's own messages, one too long is taken for a ring).
 */
void
ipc_enqueue_locked(struct port *p, struct kmsg *k)
{
	struct thread *r;
	bool ring, rights = false;

	assert_held(&p->lock);
	if (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) {	/* (a simple message carries no receive right) */
		struct port *top;
		spin_lock_irqoff(&ipc_transit_lock);
		top = p->in_transit_to ? ipc_transit_top_locked(p) : p;
		rights = kmsg_set_transit_locked(k, p, top, &ring);
		if (rights && (ring || !top))
			kmsg_clear_transit_locked(k);
		spin_unlock_irqoff(&ipc_transit_lock);
		if (rights && (ring || !top)) {
			ipc_defer_destroy(k);	/* its rights are other ports' */
			return;
		}
	}
	spin_lock_irqoff(&sched_lock);		/* for the wait queues */
	r = waitq_first_locked(&p->receivers);
	if (!r && p->pset)
		r = waitq_first_locked(&p->pset->receivers);
	if (r && !rights && !r->ipc_handoff && list_empty(&p->messages)) {
		r->ipc_handoff = k;
		r->ipc_handoff_port = p;
		port_ref(p);
		if (sched_current->ipc_receives_next)	/* a task's RPC: as the fast path's receivers are */
			thread_wake_successor_locked(r);
		else
			thread_wake_locked(r);
		spin_unlock_irqoff(&sched_lock);
		return;
	}
	spin_unlock_irqoff(&sched_lock);
	list_push_back(&p->messages, &k->link);
	p->msgcount++;
	if (!ipc_wake_one_locked(&p->receivers) && p->pset) {
		/* under the set's lock: a receiver looking at the members holds it until it waits */
		struct pset *ps = p->pset;
		spin_lock_irqoff(&ps->lock);
		ipc_wake_one_locked(&ps->receivers);
		spin_unlock_irqoff(&ps->lock);
	}
}

/*
 * Rights first, each port locked in turn, with the work they defer done at
 * once when the caller is in no IPC operation of its own; then the
 * out-of-line copies (pages) and the kmsg.
 */
void
kmsg_destroy(struct kmsg *k)
{
	uint32_t f = ipc_begin();

	kmsg_release_rights(k);
	ipc_end(f);
	kmsg_free_unlocked(k);
}

void
kmsg_free_copies(struct kmsg *k)
{
	free_ool(k);
}

/* The out-of-line copies and the kmsg of a message whose rights are gone. No lock held. */
void
kmsg_free_unlocked(struct kmsg *k)
{
	free_ool(k);
	kmsg_free(k);
}

/*
 * Releases every right a message carries, each port locked in turn (the
 * caller holds none of them); its out-of-line copies stay, for free_ool with
 * interrupts on (a 4 MiB region is a thousand pages).
 */
void
kmsg_release_rights(struct kmsg *k)
{
	mach_msg_header_t *m = k->msg;

	if (k->remote)
		right_destroy_carried(k->remote, k->remote_type);
	if (k->local)
		right_destroy_carried(k->local, k->local_type);
	if (m->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		mach_msg_body_t *body = (mach_msg_body_t *)(m + 1);
		mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);
		for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
			struct port *p = (struct port *)(uintptr_t)d->port.name;
			if (d->type.type == MACH_MSG_PORT_DESCRIPTOR && p && d->port.name != MACH_PORT_DEAD)
				right_destroy_carried(p, d->port.disposition);
			if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR && i < 32 && (k->kcopies & (1u << i))) {
				struct port **a = (struct port **)(uintptr_t)d->ool_ports.address;
				for (uint32_t j = 0; j < d->ool_ports.count; j++)
					if (a[j] && a[j] != (struct port *)MACH_PORT_DEAD)
						right_destroy_carried(a[j], d->ool_ports.disposition);
			}
		}
	}
}

/*
 * Whether a message with these rights, once committed, would close a ring of
 * rights in transit (*ring: it is to be destroyed); MACH_SEND_NO_BUFFER when
 * the destination's chain is too long to follow (nothing moves then).
 * ipc_transit_lock held. (The enqueue looks again, under the same lock.)
 */
static mach_msg_return_t
ring_check_locked(struct right_use *uses, int n, bool *ring)
{
	struct port *top = NULL;

	assert_held(&ipc_transit_lock);
	*ring = false;
	for (int i = 2; i < n; i++) {
		if (uses[i].disp != MACH_MSG_TYPE_MOVE_RECEIVE || !uses[i].port)
			continue;
		if (!top)
			top = ipc_transit_top_locked(uses[0].port);
		if (!top)
			return MACH_SEND_NO_BUFFER;
		if (uses[i].port == top)
			*ring = true;
	}
	return MACH_MSG_SUCCESS;
}

/*
 * The slow path: everything the fast path leaves. A function of its own, so
 * that the fast path's callers do not pay for its frame (the rights' array,
 * the list of regions to deallocate, zeroed on entry).
 */
mach_msg_return_t __attribute__((noinline))
ipc_send_slow(struct task *t, uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t size,
	      mach_msg_timeout_t timeout)
{
	struct right_use uses[MAX_RIGHTS];
	mach_msg_header_t *m;
	mach_msg_type_name_t rdisp, ldisp;
	mach_msg_return_t mr;
	struct kmsg *k;
	uint64_t deadline = 0;
	struct port *dest;
	uint32_t f;
	int n = 2;
	bool ring;
	struct dealloc_list dealloc = { 0 };

	if (size < HDR)
		return MACH_SEND_MSG_TOO_SMALL;
	if (size > IPC_MSG_MAX)
		return MACH_SEND_TOO_LARGE;
	if (size & 3)
		return MACH_SEND_INVALID_HEADER;
	k = kmalloc(sizeof *k + size);
	if (!k)
		return MACH_SEND_NO_BUFFER;
	memset(k, 0, sizeof *k);
	k->size = size;
	k->sender = t->id;
	if (copyin(t, umsg, k->msg, size) != KERN_SUCCESS) {
		kfree(k);
		return MACH_SEND_INVALID_DATA;
	}
	m = k->msg;
	m->msgh_size = size;
	rdisp = MACH_MSGH_BITS_REMOTE(m->msgh_bits);
	ldisp = MACH_MSGH_BITS_LOCAL(m->msgh_bits);
	if ((m->msgh_bits & ~MACH_MSGH_BITS_USED) || !ipc_is_send_disposition(rdisp) ||
	    (ldisp && !ipc_is_send_disposition(ldisp)) || (!ldisp && m->msgh_local_port != MACH_PORT_NULL)) {
		kfree(k);
		return MACH_SEND_INVALID_HEADER;
	}
	if (!MACH_PORT_VALID(m->msgh_remote_port)) {
		kfree(k);
		return MACH_SEND_INVALID_DEST;
	}
	uses[0] = (struct right_use){ m->msgh_remote_port, rdisp, NULL, &m->msgh_remote_port, NULL, NULL, false };
	uses[1] = (struct right_use){ ldisp ? m->msgh_local_port : MACH_PORT_NULL, ldisp, NULL, &m->msgh_local_port, NULL, NULL, false };
	mr = parse_body(t, k, uses, &n);
	if (mr == MACH_MSG_SUCCESS)
		mr = copyin_body(t, k, &dealloc);
	if (mr != MACH_MSG_SUCCESS) {
		free_ool(k);
		kfree(k);
		return mr;
	}
	if ((option & MACH_SEND_TIMEOUT) && timeout)
		deadline = clock_deadline(ms_to_ticks(timeout));

	f = ipc_space_lock(t->space);
	for (;;) {
		enum wake_reason why;
		uint64_t wait = 0;

		mr = ipc_check_rights_locked(t->space, uses, n);
		if (mr != MACH_MSG_SUCCESS)
			goto fail;
		dest = uses[0].port;
		port_lock(dest);
		if (ipc_queue_has_room_locked(dest, rdisp)) {
			port_unlock(dest);	/* the rights' ports are taken one at a time below */
			break;
		}
		if (option & MACH_SEND_TIMEOUT) {
			uint64_t now = clock_ticks();
			if (!timeout || now >= deadline) {
				port_unlock(dest);
				mr = MACH_SEND_TIMED_OUT;
				goto fail;
			}
			wait = deadline - now;
		}
		/* on dest's queue, with a reference: the space's name for it may go meanwhile */
		port_ref(dest);
		spin_unlock_irqoff(&t->space->lock);
		why = ipc_wait_locked(&dest->senders, wait, &dest->lock);
		port_unlock(dest);
		port_unref(dest);
		spin_lock_irqoff(&t->space->lock);
		if (why == WAKE_ABORTED) {
			mr = MACH_SEND_INTERRUPTED;
			goto fail;
		}
	}

	ring = false;
	if (n > 2) {
		spin_lock_irqoff(&ipc_transit_lock);
		mr = ring_check_locked(uses, n, &ring);
		spin_unlock_irqoff(&ipc_transit_lock);
		if (mr != MACH_MSG_SUCCESS)
			goto fail;
	}
	if (uses[0].port->kotype == KOBJ_NONE && (mr = kmsg_charge(t, k)) != MACH_MSG_SUCCESS)
		goto fail;	/* a kernel object's request is served at once: nothing to charge */

	/* Commit: nothing below can fail because of what the sender did. */
	for (int i = 0; i < n; i++) {
		struct right_use *u = &uses[i];
		mach_msg_type_name_t carried = 0;
		if (u->dead)
			commit_dead_name_locked(t->space, u);
		if (!u->port)
			continue;
		right_copyin(t->space, u->name, u->disp, u->port, &carried);
		if (i == 0) {
			k->remote = u->port;
			k->remote_type = carried;
		} else if (i == 1) {
			k->local = u->port;
			k->local_type = carried;
		} else {
			*u->slot = (mach_port_name_t)(uintptr_t)u->port;
			if (u->disp_slot)
				*u->disp_slot = (uint8_t)carried;
		}
	}
	/* a reply right that is MACH_PORT_DEAD (or a dead name, now written so): its type alone travels,
	 * and the receiver sees MACH_PORT_DEAD (copyout_rights) */
	if (ldisp && !k->local && m->msgh_local_port == MACH_PORT_DEAD)
		k->local_type = carried_by(ldisp);
	if (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) {	/* port arrays now carry rights */
		mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
		mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);
		for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++)
			if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
				d->ool_ports.disposition = (uint8_t)carried_by(d->ool_ports.disposition);
	}
	if (ring) {	/* nobody could ever receive it: destroyed now, and the send succeeds, as in Mach */
		kmsg_release_rights(k);
		ipc_space_unlock(t->space, f);
		kmsg_free_unlocked(k);
		dealloc_sent_regions(t, &dealloc);
		return MACH_MSG_SUCCESS;
	}
	if (k->remote->kotype != KOBJ_NONE) {	/* served now, in this thread, unlocked */
		ipc_space_unlock(t->space, f);
		kobject_server(k);
		dealloc_sent_regions(t, &dealloc);
		return MACH_MSG_SUCCESS;
	}
	/*
	 * With one CPU nothing ran since the check (the space's lock kept interrupts
	 * off); with several, dest may have died since: the message is destroyed,
	 * and the send succeeds, as Mach's does. (A queue that filled meanwhile
	 * takes the message anyway: it was checked, as a kernel message's is not.)
	 */
	port_lock(dest);
	if (dest->active) {
		ipc_enqueue_locked(dest, k);
		k = NULL;
	}
	port_unlock(dest);
	ipc_space_unlock(t->space, f);
	if (k)
		kmsg_destroy(k);
	dealloc_sent_regions(t, &dealloc);
	return MACH_MSG_SUCCESS;
fail:
	ipc_space_unlock(t->space, f);
	free_ool(k);
	kfree(k);
	return mr;
}

mach_msg_return_t
ipc_send(uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t size, mach_msg_timeout_t timeout)
{
	struct task *t = curtask();
	mach_msg_return_t mr = ipc_fastpath_send(t, umsg, option, size);

	if (mr != IPC_FASTPATH_NO)
		return mr;
	return ipc_send_slow(t, umsg, option, size, timeout);
}

/* The port (or set) a receive names; sets *pset for a port set. */
static mach_msg_return_t
lookup_receiver_locked(struct ipc_space *s, mach_port_name_t name, struct port **port, struct pset **pset)
{
	struct ipc_entry *e = space_lookup_locked(s, name);

	*port = NULL;
	*pset = NULL;
	if (!e)
		return MACH_RCV_INVALID_NAME;
	if (e->type & MACH_PORT_TYPE_PORT_SET) {
		*pset = e->object;
		return MACH_MSG_SUCCESS;
	}
	if (!(e->type & MACH_PORT_TYPE_RECEIVE))
		return MACH_RCV_INVALID_NAME;
	*port = e->object;
	if (__atomic_load_n(&(*port)->pset, __ATOMIC_RELAXED))	/* (joins only under our space's lock) */
		return MACH_RCV_IN_SET;
	return MACH_MSG_SUCCESS;
}

/*
 * A member with a message, under the set's lock: each member's queue is
 * looked at without its lock (a hint, looked at again under it), since a
 * port's lock comes before its set's. An enqueue on a member wakes the set's
 * receivers under the set's lock, so a receiver that found nothing here and
 * waits under the same lock misses no message.
 */
struct port *
ipc_pset_first_ready_locked(struct pset *ps)
{
	struct list *l;

	assert_held(&ps->lock);
	list_for_each(l, &ps->members) {
		struct port *p = list_entry(l, struct port, pset_link);
		if (__atomic_load_n(&p->msgcount, __ATOMIC_RELAXED))
			return p;
	}
	return NULL;
}

/*
 * Gives an out-of-line region to the receiver: fresh pages in its map, filled
 * from the kernel copy. Returns false (the region is lost, address 0) when the
 * receiver has no room. Called with no lock held: each pmap_enter holds the
 * pmap lock for one page.
 */
static bool
copyout_ool(struct task *t, mach_msg_ool_descriptor_t *d, bool virtual_copy)
{
	void *copy = (void *)(uintptr_t)d->address;
	uint32_t addr = 0;
	bool ok = true;

	d->deallocate = 0;
	d->copy = MACH_MSG_VIRTUAL_COPY;
	if (!copy)
		return true;
	if (virtual_copy) {	/* the same pages, copy-on-write, in a fresh region */
		struct vcopy *vc = copy;
		uint32_t j = 0;
		if (vm_map_allocate(t, &addr, d->size, true) == KERN_SUCCESS) {
			for (; j < vc->npages; j++)
				if (pmap_enter(t->pmap, addr + j * PAGE_SIZE, vc->page[j], PMAP_COW | PMAP_OWNED) < 0)
					break;
			if (j < vc->npages) {
				vm_map_deallocate(t, addr, d->size);
				ok = false;
			}
		} else {
			ok = false;
		}
		vcopy_free(vc, j);	/* the pages before j went with their mappings */
		d->address = ok ? addr : 0;
		if (!ok)
			d->size = 0;
		return ok;
	}
	if (vm_map_allocate(t, &addr, d->size, true) != KERN_SUCCESS) {
		ok = false;
		d->size = 0;
	} else {
		copyout(t, copy, addr, d->size);
	}
	kfree(copy);
	d->address = addr;
	return ok;
}

/*
 * The destination's side of a received message, p (k->remote) locked: the
 * right the message came on is used up. Returns the receive right's name.
 */
static mach_port_name_t
took_dest_right_locked(struct port *p, struct kmsg *k)
{
	mach_port_name_t name = p->receiver_name;

	assert(k->remote == p);
	use_dest_right_locked(p, k->remote_type);
	return name;
}

/*
 * Gives the message's other rights to s (its lock held; each port's taken in
 * turn) and turns k->msg into what the receiver sees: the header's rights and
 * each port descriptor's. Out-of-line memory and port arrays are left for
 * copyout_memory. dest_name: the name of the port it came on.
 */
static void
copyout_rights(struct ipc_space *s, mach_port_name_t dest_name, struct kmsg *k)
{
	mach_msg_header_t *m = k->msg;
	mach_port_name_t reply = MACH_PORT_NULL;
	mach_msg_type_name_t dest_type = k->remote_type;

	if (k->local)
		right_copyout(s, k->local, k->local_type, &reply);
	else if (k->local_type)	/* a dead reply right (ipc_send_slow) */
		reply = MACH_PORT_DEAD;
	m->msgh_bits = (m->msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(k->local_type, dest_type);
	m->msgh_remote_port = reply;
	m->msgh_local_port = dest_name;
	if (m->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		mach_msg_body_t *body = (mach_msg_body_t *)(m + 1);
		mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);
		for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
			struct port *p = (struct port *)(uintptr_t)d->port.name;
			mach_port_name_t name = d->port.name;	/* NULL or DEAD stay as they are */
			if (d->type.type != MACH_MSG_PORT_DESCRIPTOR)
				continue;
			if (p && d->port.name != MACH_PORT_DEAD)
				right_copyout(s, p, d->port.disposition, &name);
			d->port.name = name;
		}
	}
}

/*
 * Gives an out-of-line port array's rights to s, the names into the kernel's
 * copy, in place; with addr 0 (no room for the names) the rights are released.
 */
static void
copyout_port_array(struct ipc_space *s, mach_msg_ool_ports_descriptor_t *d, uint32_t addr)
{
	struct port **a = (struct port **)(uintptr_t)d->address;
	mach_port_name_t *names = (mach_port_name_t *)a;	/* the same buffer, reused in place */

	for (uint32_t j = 0; j < d->count; j++) {
		struct port *p = a[j];
		mach_port_name_t name = (mach_port_name_t)(uintptr_t)p;	/* NULL or DEAD stay */
		if (p && p != (struct port *)MACH_PORT_DEAD) {
			if (addr)
				right_copyout(s, p, d->disposition, &name);
			else
				right_destroy_carried(p, d->disposition);
		}
		names[j] = name;
	}
}

/*
 * The receiver's side of out-of-line memory and port arrays, with no lock
 * held: regions into fresh memory of t's map, then (the space's lock taken
 * once more, only when there are port arrays) the arrays' rights into it and
 * their names into fresh memory. Sets *lost_memory when a region or an array
 * found no room (its address is then 0).
 */
static void
copyout_memory(struct task *t, struct kmsg *k, bool *lost_memory)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);
	uint32_t addrs[32], arrays = 0, f;

	if (!(k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return;
	for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
		if (d->type.type == MACH_MSG_OOL_DESCRIPTOR) {
			if (!copyout_ool(t, &d->out_of_line, i < 32 && (k->kvirt & (1u << i))))
				*lost_memory = true;
		} else if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR && i < 32) {
			mach_msg_ool_ports_descriptor_t *o = &d->ool_ports;
			o->deallocate = 0;
			o->copy = MACH_MSG_PHYSICAL_COPY;
			addrs[i] = 0;
			if (!o->address)
				continue;
			arrays |= 1u << i;
			if (vm_map_allocate(t, &addrs[i], o->count * sizeof(mach_port_name_t), true) != KERN_SUCCESS)
				addrs[i] = 0;
		}
	}
	k->kcopies &= arrays;	/* the regions went to the receiver */
	k->kvirt = 0;
	if (!arrays)
		return;
	d = (mach_msg_descriptor_t *)(body + 1);
	f = ipc_space_lock(t->space);
	for (uint32_t i = 0; i < 32 && i < body->msgh_descriptor_count; i++)
		if (arrays & (1u << i))
			copyout_port_array(t->space, &d[i].ool_ports, addrs[i]);
	ipc_space_unlock(t->space, f);
	for (uint32_t i = 0; i < 32 && i < body->msgh_descriptor_count; i++) {
		mach_msg_ool_ports_descriptor_t *o = &d[i].ool_ports;
		if (!(arrays & (1u << i)))
			continue;
		if (addrs[i])
			copyout(t, (void *)(uintptr_t)o->address, addrs[i], o->count * sizeof(mach_port_name_t));
		else
			o->count = 0;
		if (!addrs[i])
			*lost_memory = true;
		kfree((void *)(uintptr_t)o->address);
		o->address = addrs[i];
	}
	k->kcopies = 0;
}

/*
 * Under the space's lock and the port's: the wait for a message, the check of
 * the buffer (before the message leaves its queue, so a bad buffer leaves it
 * queued), the dequeue and the rights. Then, unlocked: out-of-line memory and
 * the copy of the body, whose length the sender chose. Another thread of the
 * task that unmaps the buffer in between gets MACH_RCV_INVALID_DATA, as its
 * own race.
 *
 * A set is looked at under its lock, its members' queues as hints; a member
 * with a message is then taken under its own lock (with a reference, since
 * the set's lock is let go first) and looked at again.
 */
mach_msg_return_t
ipc_receive(uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t rcv_size, mach_port_name_t name,
	    mach_msg_timeout_t timeout)
{
	struct task *t = curtask();
	struct ipc_space *s = t->space;
	mach_msg_security_trailer_t trailer = { MACH_MSG_TRAILER_FORMAT_0, 0, 0, { { 0, 0 } } };
	mach_msg_size_t tsize = ipc_trailer_size(option);
	mach_msg_return_t mr;
	uint64_t deadline = 0;
	struct kmsg *k, *dead = NULL;
	struct port *p;
	struct pset *ps;
	struct port *held = NULL;	/* p, with a reference of ours to drop once p is let go */
	mach_port_name_t dest_name;
	uint32_t f, want = 0, need, probed = 0;
	bool lost_memory = false, handed = false;

	/* the buffer is checked when there is a message for it, here or by the fast path's sender */
	if (rcv_size < HDR || umsg >= USER_TOP || rcv_size > USER_TOP - umsg)
		return MACH_RCV_INVALID_DATA;
	if ((option & MACH_RCV_TIMEOUT) && timeout)
		deadline = clock_deadline(ms_to_ticks(timeout));
	if (t->object_regions)	/* a pager cannot be waited for with interrupts off: fault in now */
		vm_fault_in_objects(t, umsg, rcv_size);
	if ((!(option & MACH_RCV_TIMEOUT) || timeout) && t != kernel_task)	/* one that may wait: where the fast path may write */
		probed = copyout_probe(umsg, MIN(rcv_size, IPC_FASTPATH_RCV_MAX));

	f = ipc_space_lock(s);
look:
	for (;;) {
		struct spinlock *lock;
		struct waitq *wq;
		uint64_t now, wait = 0;
		enum wake_reason why;
		struct thread *me = curthread();

		if (me->ipc_handoff && !held) {	/* handed to us (with a reference on its port) in our wait,
						 * or in fastpath_rpc's before this receive began */
			k = me->ipc_handoff;
			held = p = me->ipc_handoff_port;
			me->ipc_handoff = NULL;
			me->ipc_handoff_port = NULL;
			port_lock(p);
			handed = true;
			break;
		}
		mr = lookup_receiver_locked(s, name, &p, &ps);
		if (mr != MACH_MSG_SUCCESS)
			goto out_space;
		if (ps) {
			spin_lock_irqoff(&ps->lock);
			p = ipc_pset_first_ready_locked(ps);
			if (p) {
				port_ref(p);
				spin_unlock_irqoff(&ps->lock);
				port_lock(p);
				held = p;
				if (p->pset == ps && !list_empty(&p->messages))
					break;
				port_unlock(p);		/* taken meanwhile (several CPUs): look again */
				port_unref(p);
				held = NULL;
				continue;
			}
			lock = &ps->lock;
			wq = &ps->receivers;
		} else {
			port_lock(p);
			if (!list_empty(&p->messages))
				break;
			lock = &p->lock;
			wq = &p->receivers;
		}
		if (option & MACH_RCV_TIMEOUT) {
			now = clock_ticks();
			if (!timeout || now >= deadline) {
				spin_unlock_irqoff(lock);
				mr = MACH_RCV_TIMED_OUT;
				goto out_space;
			}
			wait = deadline - now;
		}
		me->rcv_buf = umsg;	/* where the fast path may deliver */
		me->rcv_size = rcv_size;
		me->rcv_option = (uint32_t)option;
		me->rcv_probed = probed;
		/* the object stays while we wait: our name for it may go meanwhile */
		if (ps)
			__atomic_add_fetch(&ps->refs, 1, __ATOMIC_RELAXED);
		else
			port_ref(p);
		spin_unlock_irqoff(&s->lock);
		/* the object is let go once the wait is certain, and not taken again: we look anew */
		spin_lock_irqoff(&sched_lock);
		why = waitq_wait_dropping_locked(wq, wait, lock);
		me->rcv_buf = 0;
		spin_unlock_irqoff(&sched_lock);
		if (ps)
			pset_unref(ps);
		else
			port_unref(p);
		if (me->rcv_done) {	/* delivered straight into our buffer: nothing more to do, */
			bool head = me->rcv_head_pending;	/* but for the header, maybe */
			me->rcv_done = false;
			ipc_end(f);
			return head ? ipc_fastpath_received(me, umsg) : me->rcv_result;
		}
		spin_lock_irqoff(&s->lock);
		if (me->ipc_handoff)	/* a sender gave us its message directly: taken at the top */
			continue;
		if (why == WAKE_ABORTED) {
			mr = MACH_RCV_INTERRUPTED;
			goto out_space;
		}
	}

	/* p locked, and the space */
	if (!handed) {
		k = list_entry(p->messages.next, struct kmsg, link);
		if (copyout_check_nofault(t, umsg, MIN(rcv_size, k->size + tsize)) != KERN_SUCCESS)
			goto bad_buffer;	/* the message stays queued */
		list_remove(&k->link);	/* ipc_dequeue_locked, inline */
		p->msgcount--;
		kmsg_left_queue(k);
		ipc_wake_one_locked(&p->senders);
	} else if (copyout_check_nofault(t, umsg, MIN(rcv_size, k->size + tsize)) != KERN_SUCCESS) {
		requeue_front_locked(p, k);	/* handed to us, but we cannot take it */
		goto bad_buffer;
	}
	if (k->size + tsize > rcv_size) {
		mach_msg_size_t need = k->size + tsize;
		mr = MACH_RCV_TOO_LARGE;
		if (option & MACH_RCV_LARGE) {	/* leave it queued; say how much room it needs */
			requeue_front_locked(p, k);
			copyout(t, &need, umsg + offsetof(mach_msg_header_t, msgh_size), sizeof need);
			port_unlock(p);
			goto out_space;
		}
		p->seqno++;
		port_unlock(p);
		kmsg_release_rights(k);
		dead = k;	/* its memory is freed below, unlocked */
		goto out_space;
	}
	trailer.msgh_seqno = p->seqno++;
	trailer.msgh_trailer_size = tsize;
	trailer.msgh_sender.val[0] = k->sender;
	dest_name = took_dest_right_locked(p, k);
	port_unlock(p);
	copyout_rights(s, dest_name, k);
	if (held)
		port_unref(held);
	ipc_space_unlock(s, f);

	copyout_memory(t, k, &lost_memory);
	if (copyout(t, k->msg, umsg, k->size) != KERN_SUCCESS ||
	    copyout(t, &trailer, umsg + k->size, tsize) != KERN_SUCCESS)
		mr = MACH_RCV_INVALID_DATA;	/* unmapped since the check, by the task itself */
	else if (lost_memory)	/* received, but a region could not be placed: Mach's way of saying so */
		mr = MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE;
	else
		mr = MACH_MSG_SUCCESS;
	kmsg_free(k);
	return mr;

bad_buffer:
	/* fault the buffer in (a zero-filled page each) with no lock held, then look again */
	mr = MACH_RCV_INVALID_DATA;
	need = MIN(rcv_size, k->size + tsize);	/* (k is the queue's again once p goes) */
	port_unlock(p);
	if (held)
		port_unref(held);
	held = NULL;
	handed = false;
	if (need <= want)
		goto out_space;	/* faulted in already: the buffer is bad */
	want = need;
	ipc_space_unlock(s, f);
	copyout_prefault(t, umsg, want);
	f = ipc_space_lock(s);
	goto look;
out_space:
	if (held)
		port_unref(held);
	ipc_space_unlock(s, f);
	if (dead)
		kmsg_free_unlocked(dead);
	return mr;
}
