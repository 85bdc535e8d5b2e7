/*
 * Requests a pager sends to a memory object's control port
 * (memory_object_control.defs): pages supplied, refused or in error, and
 * lock_request. All are one-way; a malformed one is logged and dropped, and
 * changes nothing. Runs in the sender's thread, without sched_lock, from
 * kobject_server, which destroys the message (and what is left in it) after.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include <mach/memory_object.h>
#include "layout.h"
#include "memory_object_control_types.h"
#include "memory_object_types.h"
#include "pmap.h"

#define HDR ((uint32_t)sizeof(mach_msg_header_t))

/* The parts of a request: its descriptors (out-of-line data, then a port, each at most once), then inline words. */
struct request {
	const uint32_t *w;
	mach_msg_ool_descriptor_t *ool;
	mach_msg_port_descriptor_t *port;
	bool virt;			/* ool holds a struct vcopy */
};

/* Checks k against the layout: the descriptor types in order (ndesc of them), then nwords words. */
static bool
parse(struct kmsg *k, const uint32_t *types, uint32_t ndesc, uint32_t nwords, struct request *rq)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	bool complex = (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) != 0;
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);

	if (complex != (ndesc > 0) || k->size != HDR + (ndesc ? 4 + ndesc * 12 : 0) + nwords * 4)
		return false;
	if (!ndesc) {
		rq->w = (const uint32_t *)(k->msg + 1);
		return true;
	}
	if (body->msgh_descriptor_count != ndesc)
		return false;
	for (uint32_t i = 0; i < ndesc; i++) {
		if (d[i].type.type != types[i])
			return false;
		if (types[i] == MACH_MSG_OOL_DESCRIPTOR) {
			rq->ool = &d[i].out_of_line;
			rq->virt = (k->kvirt & (1u << i)) != 0;
		} else {
			rq->port = &d[i].port;
		}
	}
	rq->w = (const uint32_t *)(d + ndesc);
	return true;
}

static const uint32_t OOL[] = { MACH_MSG_OOL_DESCRIPTOR };
static const uint32_t PORT[] = { MACH_MSG_PORT_DESCRIPTOR };
static const uint32_t OOL_AND_PORT[] = { MACH_MSG_OOL_DESCRIPTOR, MACH_MSG_PORT_DESCRIPTOR };

/*
 * The send-once right a request names for its answer in *reply_to (NULL for
 * none). False: a right of another kind, which the request may not name.
 */
static bool
reply_right(struct request *rq, struct port **reply_to)
{
	*reply_to = NULL;
	if (!rq->port->name || rq->port->name == MACH_PORT_DEAD)
		return true;
	if (rq->port->disposition != MACH_MSG_TYPE_PORT_SEND_ONCE)
		return false;
	*reply_to = (struct port *)(uintptr_t)rq->port->name;
	return true;
}

/* [offset, offset + size) in whole pages, checked: aligned, not empty, not wrapping. */
static bool
range_ok(uint32_t offset, uint32_t size, uint32_t *end)
{
	if ((offset & (PAGE_SIZE - 1)) || size == 0 || size > UINT32_MAX - offset - (PAGE_SIZE - 1))
		return false;
	*end = offset + ROUND_UP(size, PAGE_SIZE);
	return true;
}

static struct obj_page *
page_entry_locked(struct vm_object *obj, uint32_t offset)
{
	struct obj_page *pg = vm_object_page_locked(obj, offset);

	return pg ? pg : vm_object_page_new_locked(obj, offset, OBJ_PAGE_REQUESTED, 0);
}

/* Page j of the data: taken from the message when nobody else holds it, else copied. */
static paddr_t
supplied_page(struct request *rq, uint32_t j)
{
	paddr_t pa;

	if (rq->virt) {
		struct vcopy *vc = (struct vcopy *)(uintptr_t)rq->ool->address;
		pa = vc->page[j];
		if (pa && page_refs(pa) == 1) {
			vc->page[j] = 0;	/* the pager gave it up (deallocate): no copy */
			return pa;
		}
		paddr_t copy = page_alloc(PAGE_USER);
		if (copy)
			memcpy(P2V(copy), P2V(pa), PAGE_SIZE);
		return copy;
	}
	pa = page_alloc(PAGE_USER | PAGE_ZERO);
	if (pa)
		memcpy(P2V(pa), (char *)(uintptr_t)rq->ool->address + j * PAGE_SIZE,
		       MIN(PAGE_SIZE, rq->ool->size - j * PAGE_SIZE));
	return pa;
}

/*
 * Takes the pages of the data into the object. *result and *error_offset say
 * how it went, for supply_completed: the first page that could not be had.
 */
static bool
supply(struct vm_object *obj, struct request *rq, uint32_t offset, vm_prot_t lock, bool precious,
       kern_return_t *result, uint32_t *error_offset)
{
	uint32_t end, f;

	*result = KERN_SUCCESS;
	*error_offset = 0;
	if ((lock & ~VM_PROT_ALL) || !range_ok(offset, rq->ool->size, &end) || !rq->ool->address)
		return false;
	f = spin_lock_irqsave(&vm_object_lock);
	for (uint32_t j = 0; offset + j * PAGE_SIZE < end; j++) {
		struct obj_page *pg = page_entry_locked(obj, offset + j * PAGE_SIZE);
		paddr_t pa;
		if (pg && pg->state == OBJ_PAGE_RESIDENT)
			continue;	/* what is resident stays (as in Mach) */
		pa = pg ? supplied_page(rq, j) : 0;
		if (!pa) {		/* out of memory: the fault fails rather than waits */
			if (*result == KERN_SUCCESS) {
				*result = KERN_RESOURCE_SHORTAGE;
				*error_offset = offset + j * PAGE_SIZE;
			}
			if (pg) {
				pg->state = OBJ_PAGE_ERROR;
				pg->error = KERN_RESOURCE_SHORTAGE;
			}
			continue;
		}
		pg->state = OBJ_PAGE_RESIDENT;
		pg->pa = pa;
		pg->dirty = false;
		pg->precious = precious;
		pg->lock = lock;
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
	return true;
}

/* Zero pages (unavailable) or errors for the pages of the range that were asked for. */
static bool
answer_requested(struct vm_object *obj, uint32_t offset, uint32_t size, kern_return_t error)
{
	uint32_t end, f;
	struct list *l;

	if (!range_ok(offset, size, &end))
		return false;
	f = spin_lock_irqsave(&vm_object_lock);
	list_for_each(l, &obj->pages) {
		struct obj_page *pg = list_entry(l, struct obj_page, link);
		if (pg->offset < offset || pg->offset >= end)
			continue;
		if (pg->state == OBJ_PAGE_RESIDENT) {
			if (error && pg->unlock_asked) {	/* the unlock is refused */
				pg->unlock_asked = false;
				pg->error = error;
			}
			continue;
		}
		if (!error && (pg->pa = page_alloc(PAGE_USER | PAGE_ZERO)) != 0) {
			pg->state = OBJ_PAGE_RESIDENT;
			pg->dirty = pg->precious = false;
			pg->lock = VM_PROT_NONE;
		} else {
			pg->state = OBJ_PAGE_ERROR;
			pg->error = error ? error : KERN_RESOURCE_SHORTAGE;
		}
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
	return true;
}

static void
unmap_one(struct vm_region *r, uint32_t va)
{
	pmap_remove(r->task->pmap, va);
}

static bool
lock_request(struct vm_object *obj, const uint32_t *w, struct port *reply_to)
{
	uint32_t offset = w[0], size = w[1], should_return = w[2], end, f;
	bool flush = w[3] != 0;
	vm_prot_t lock = (vm_prot_t)w[4];
	struct list *l, *tmp;

	if (should_return > MEMORY_OBJECT_RETURN_ALL || (lock & ~VM_PROT_ALL) || !range_ok(offset, size, &end))
		return false;
	f = spin_lock_irqsave(&vm_object_lock);
	list_for_each_safe(l, tmp, &obj->pages) {
		struct obj_page *pg = list_entry(l, struct obj_page, link);
		bool give_back;
		if (pg->offset < offset || pg->offset >= end || pg->state != OBJ_PAGE_RESIDENT)
			continue;
		give_back = should_return == MEMORY_OBJECT_RETURN_ALL ||
			    (should_return == MEMORY_OBJECT_RETURN_DIRTY && (pg->dirty || pg->precious));
		if (flush) {
			vm_object_for_each_mapping_locked(obj, pg, unmap_one);
			if (give_back)
				pager_msg_queue_return_locked(obj, pg->offset, pg->pa, pg->dirty);
			else
				page_unref(pg->pa);
			list_remove(&pg->link);
			kfree(pg);
			continue;
		}
		if (give_back) {
			/* a copy travels: mappers may go on writing the object's page */
			paddr_t copy = page_alloc(PAGE_KERNEL);
			if (copy) {
				memcpy(P2V(copy), P2V(pg->pa), PAGE_SIZE);
				pager_msg_queue_return_locked(obj, pg->offset, copy, pg->dirty);
				pg->dirty = false;
				vm_object_for_each_mapping_locked(obj, pg, vm_region_write_protect);	/* to see the next write */
			} else {
				kprintf("kernel: data_return of offset %#x skipped (out of memory)\n", pg->offset);
			}
		}
		pg->lock = lock;
		pg->unlock_asked = false;	/* waiting faults look again, and ask again if still locked */
		if (lock & VM_PROT_READ)
			vm_object_for_each_mapping_locked(obj, pg, unmap_one);
		else if (lock & VM_PROT_WRITE)
			vm_object_for_each_mapping_locked(obj, pg, vm_region_write_protect);
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
	if (reply_to)
		pager_msg_queue_completed(obj, reply_to, MEMORY_OBJECT_LOCK_COMPLETED_ID,
					  (const uint32_t[]){ offset, end - offset }, 2);
	return true;
}

void
vm_object_control_request(struct kmsg *k)
{
	struct vm_object *obj = NULL;
	struct request rq = { 0 };
	struct port *reply_to = NULL;
	kern_return_t result;
	uint32_t f, g, error_offset;
	bool ok = false;

	f = spin_lock_irqsave(&sched_lock);
	g = spin_lock_irqsave(&vm_object_lock);
	obj = k->remote->kobject;
	if (obj && obj->terminated)
		obj = NULL;
	if (obj)
		obj->refs++;
	spin_unlock_irqrestore(&vm_object_lock, g);
	spin_unlock_irqrestore(&sched_lock, f);
	if (!obj)
		return;		/* terminated: the pager's answer comes too late, and goes */
	switch (k->msg->msgh_id) {
	case MEMORY_OBJECT_DATA_PROVIDED_ID:
		ok = parse(k, OOL, 1, 2, &rq) &&
		     supply(obj, &rq, rq.w[0], (vm_prot_t)rq.w[1], false, &result, &error_offset);
		break;
	case MEMORY_OBJECT_DATA_SUPPLY_ID:
		ok = parse(k, OOL_AND_PORT, 2, 3, &rq) && reply_right(&rq, &reply_to) &&
		     supply(obj, &rq, rq.w[0], (vm_prot_t)rq.w[1], rq.w[2] != 0, &result, &error_offset);
		if (ok && reply_to) {
			pager_msg_queue_completed(obj, reply_to, MEMORY_OBJECT_SUPPLY_COMPLETED_ID,
						  (const uint32_t[]){ rq.w[0], rq.ool->size, (uint32_t)result,
								      error_offset }, 4);
			rq.port->name = MACH_PORT_NULL;		/* the answer took the right */
		}
		break;
	case MEMORY_OBJECT_DATA_UNAVAILABLE_ID:
		ok = parse(k, NULL, 0, 2, &rq) && answer_requested(obj, rq.w[0], rq.w[1], KERN_SUCCESS);
		break;
	case MEMORY_OBJECT_DATA_ERROR_ID:
		ok = parse(k, NULL, 0, 3, &rq) &&
		     answer_requested(obj, rq.w[0], rq.w[1], rq.w[2] ? (kern_return_t)rq.w[2] : KERN_MEMORY_ERROR);
		break;
	case MEMORY_OBJECT_LOCK_REQUEST_ID:
		ok = parse(k, PORT, 1, 5, &rq) && reply_right(&rq, &reply_to) && lock_request(obj, rq.w, reply_to);
		if (ok)
			rq.port->name = MACH_PORT_NULL;		/* the reply took the right */
		break;
	}
	if (!ok)
		kprintf("kernel: malformed memory_object_control request %d dropped\n", k->msg->msgh_id);
	f = spin_lock_irqsave(&sched_lock);
	waitq_wake_all_locked(&obj->waiters);
	spin_unlock_irqrestore(&sched_lock, f);
	vm_object_unref(obj);
}
