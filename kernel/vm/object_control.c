/*
 * Requests a pager sends to a memory object's control port
 * (memory_object_control.defs): pages supplied, refused or in error, and
 * lock_request. The generated decoder (build/gen/kernel/
 * memory_object_control_kserver.c) calls the kdo_ handlers here. All are
 * one-way; a malformed or refused one is logged and dropped, and changes
 * nothing. Runs in the sender's thread, with no lock held, from
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
#include "memory_object_control_kserver.h"
#include "memory_object_types.h"
#include "pmap.h"

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
supplied_page(const struct kern_ool *data, uint32_t j)
{
	paddr_t pa;

	if (data->virt) {
		struct vcopy *vc = data->copy;
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
		memcpy(P2V(pa), (char *)data->copy + j * PAGE_SIZE, MIN(PAGE_SIZE, data->size - j * PAGE_SIZE));
	return pa;
}

/*
 * Takes the pages of the data into the object. *result and *error_offset say
 * how it went, for supply_completed: the first page that could not be had.
 */
static bool
supply(struct vm_object *obj, const struct kern_ool *data, uint32_t offset, vm_prot_t lock, bool precious,
       kern_return_t *result, uint32_t *error_offset)
{
	uint32_t end, f;

	*result = KERN_SUCCESS;
	*error_offset = 0;
	if ((lock & ~VM_PROT_ALL) || !range_ok(offset, data->size, &end) || !data->copy)
		return false;
	f = spin_lock_irqsave(&vm_object_lock);
	for (uint32_t j = 0; offset + j * PAGE_SIZE < end; j++) {
		struct obj_page *pg = page_entry_locked(obj, offset + j * PAGE_SIZE);
		paddr_t pa;
		if (pg && pg->state == OBJ_PAGE_RESIDENT)
			continue;	/* what is resident stays (as in Mach) */
		pa = pg ? supplied_page(data, j) : 0;
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

/*
 * Returns a copy of pg's page; the object keeps the page, clean from now on and
 * write-protected, to see the next write. False: no memory for the copy or its
 * message; nothing changed. [O] held.
 */
static bool
return_copy_locked(struct vm_object *obj, struct obj_page *pg)
{
	paddr_t copy = page_alloc(PAGE_KERNEL);

	if (!copy)
		return false;
	memcpy(P2V(copy), P2V(pg->pa), PAGE_SIZE);
	if (!pager_msg_queue_return_locked(obj, pg->offset, copy, pg->dirty)) {
		page_free(copy);
		return false;
	}
	pg->dirty = false;
	vm_object_for_each_mapping_locked(obj, pg, vm_region_write_protect);
	return true;
}

/*
 * Without should_flush a page given back stays in the object and a copy goes.
 * When memory is too short for the copy, the page itself goes, and leaves the
 * object as a flush would take it: unmapped everywhere, so the next access
 * asks the pager, which has just been given the data. Its message needs no
 * memory (pager_msg_queue_page_locked), so nothing waits under the spin lock
 * and nothing is lost.
 */
kern_return_t
kdo_memory_object_lock_request(struct vm_object *obj, vm_offset_t offset, vm_size_t size, integer_t should_return,
			       boolean_t should_flush, vm_prot_t lock, struct port *reply_to)
{
	bool flush = should_flush != 0;
	struct list *l, *tmp;
	uint32_t end, f;

	if ((uint32_t)should_return > MEMORY_OBJECT_RETURN_ALL || (lock & ~VM_PROT_ALL) || !range_ok(offset, size, &end))
		return KERN_INVALID_ARGUMENT;
	f = spin_lock_irqsave(&vm_object_lock);
	list_for_each_safe(l, tmp, &obj->pages) {
		struct obj_page *pg = list_entry(l, struct obj_page, link);
		bool give_back;
		if (pg->offset < offset || pg->offset >= end || pg->state != OBJ_PAGE_RESIDENT)
			continue;
		give_back = should_return == MEMORY_OBJECT_RETURN_ALL ||
			    (should_return == MEMORY_OBJECT_RETURN_DIRTY && (pg->dirty || pg->precious));
		if (flush || (give_back && !return_copy_locked(obj, pg))) {
			vm_object_for_each_mapping_locked(obj, pg, unmap_one);
			list_remove(&pg->link);
			if (give_back) {
				pager_msg_queue_page_locked(obj, pg);	/* takes pg */
			} else {
				page_unref(pg->pa);
				kfree(pg);
			}
			continue;
		}
		pg->lock = lock;
		pg->unlock_asked = false;	/* waiting faults look again, and ask again if still locked */
		if (lock & VM_PROT_READ)
			vm_object_for_each_mapping_locked(obj, pg, unmap_one);
		else if (lock & VM_PROT_WRITE)
			vm_object_for_each_mapping_locked(obj, pg, vm_region_write_protect);
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
	if (reply_to)	/* the answer takes the right */
		pager_msg_queue_completed(obj, reply_to, MEMORY_OBJECT_LOCK_COMPLETED_ID,
					  (const uint32_t[]){ offset, end - offset }, 2);
	return KERN_SUCCESS;
}

kern_return_t
kdo_memory_object_data_provided(struct vm_object *obj, vm_offset_t offset, const struct kern_ool *data,
				mach_msg_type_number_t dataCnt, vm_prot_t lock_value)
{
	kern_return_t result;
	uint32_t error_offset;

	(void)dataCnt;
	return supply(obj, data, offset, lock_value, false, &result, &error_offset) ? KERN_SUCCESS
										      : KERN_INVALID_ARGUMENT;
}

kern_return_t
kdo_memory_object_data_supply(struct vm_object *obj, vm_offset_t offset, const struct kern_ool *data,
			      mach_msg_type_number_t dataCnt, vm_prot_t lock_value, boolean_t precious,
			      struct port *reply_to)
{
	kern_return_t result;
	uint32_t error_offset;

	(void)dataCnt;
	if (!supply(obj, data, offset, lock_value, precious != 0, &result, &error_offset))
		return KERN_INVALID_ARGUMENT;
	if (reply_to)	/* the answer takes the right */
		pager_msg_queue_completed(obj, reply_to, MEMORY_OBJECT_SUPPLY_COMPLETED_ID,
					  (const uint32_t[]){ offset, data->size, (uint32_t)result, error_offset }, 4);
	return KERN_SUCCESS;
}

kern_return_t
kdo_memory_object_data_unavailable(struct vm_object *obj, vm_offset_t offset, vm_size_t size)
{
	return answer_requested(obj, offset, size, KERN_SUCCESS) ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;
}

kern_return_t
kdo_memory_object_data_error(struct vm_object *obj, vm_offset_t offset, vm_size_t size, kern_return_t error_value)
{
	return answer_requested(obj, offset, size, error_value ? error_value : KERN_MEMORY_ERROR) ? KERN_SUCCESS
												: KERN_INVALID_ARGUMENT;
}

void
vm_object_control_request(struct kmsg *k)
{
	union {
		struct kmsg k;
		uint8_t bytes[sizeof(struct kmsg) + KOBJECT_REPLY_MAX];
	} out;
	struct vm_object *obj = NULL;
	kern_return_t ret;
	uint32_t f, g;

	f = ipc_begin();
	port_lock(k->remote);	/* the port's kobject */
	g = spin_lock_irqsave(&vm_object_lock);
	obj = k->remote->kobject;
	if (obj && obj->terminated)
		obj = NULL;
	if (obj)
		obj->refs++;
	spin_unlock_irqrestore(&vm_object_lock, g);
	port_unlock(k->remote);
	ipc_end(f);
	if (!obj)
		return;		/* terminated: the pager's answer comes too late, and goes */
	memset(&out.k, 0, sizeof out.k);
	memory_object_control_kserver(obj, k, &out.k);
	memcpy(&ret, (uint8_t *)out.k.msg + sizeof(mach_msg_header_t), sizeof ret);
	if (ret != MIG_NO_REPLY)	/* one-way: nobody to tell but the console */
		kprintf("kernel: memory_object_control request %d refused (%s)\n", k->msg->msgh_id,
			ret == MIG_BAD_ARGUMENTS ? "malformed" : ret == MIG_BAD_ID ? "unknown id" : "bad arguments");
	f = spin_lock_irqsave(&sched_lock);
	waitq_wake_all_locked(&obj->waiters);
	spin_unlock_irqrestore(&sched_lock, f);
	vm_object_unref(obj);
}
