/*
 * The memory-object half of a page fault (see kern/vm_object.h). A page the
 * object has is mapped into the task: read-only until written, so the object
 * knows which pages are dirty; a private (copy) mapping gets its own copy on
 * the first write. A page the object lacks is asked of the pager, and the
 * fault waits; so does an access the pager has locked out (data_unlock).
 */
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "memory_object_types.h"
#include "pmap.h"

static enum obj_fault
wait_for(struct vm_object *obj, uint32_t offset, struct vm_object **wait, uint32_t *woff)
{
	obj->refs++;
	*wait = obj;
	*woff = offset;
	return OBJ_FAULT_WAIT;
}

/* Maps the object's page at va, or a private copy of it. [M][O] held. */
static kern_return_t
map_page_locked(struct task *t, struct vm_region *r, uint32_t va, struct obj_page *pg, bool write)
{
	paddr_t fresh;

	if (write && r->private_copy) {
		fresh = page_alloc(PAGE_USER);
		if (!fresh)
			return KERN_RESOURCE_SHORTAGE;
		memcpy(P2V(fresh), P2V(pg->pa), PAGE_SIZE);
		if (pmap_enter(t->pmap, va, fresh, PMAP_WRITE | PMAP_OWNED) < 0) {
			page_free(fresh);
			return KERN_RESOURCE_SHORTAGE;
		}
		return KERN_SUCCESS;
	}
	/* writable only once written (or already dirty): the write is what makes it dirty */
	bool writable = (write || pg->dirty) && !r->private_copy && (r->prot & VM_PROT_WRITE) &&
			!(pg->lock & VM_PROT_WRITE);
	if (writable) {
		kern_return_t kr = vm_object_push_locked(r->object, pg);	/* copies keep the old contents */
		if (kr != KERN_SUCCESS)
			return kr;
	}
	if (write)
		pg->dirty = true;
	page_ref(pg->pa);
	if (pmap_enter(t->pmap, va, pg->pa, (writable ? PMAP_WRITE : 0) | PMAP_OWNED) < 0) {
		page_unref(pg->pa);
		return KERN_RESOURCE_SHORTAGE;
	}
	return KERN_SUCCESS;
}

enum obj_fault
vm_object_fault_locked(struct task *t, struct vm_region *r, uint32_t va, bool write, kern_return_t *kr,
		       struct vm_object **wait, uint32_t *woff)
{
	struct vm_object *obj = r->object;
	uint32_t offset = r->offset + (va - r->start), f;
	enum obj_fault res = OBJ_FAULT_DONE;
	struct obj_page *pg;
	paddr_t pa;
	int prot;
	vm_prot_t need;

	*kr = KERN_SUCCESS;
	f = spin_lock_irqsave(&vm_object_lock);
	pg = vm_object_page_locked(obj, offset);
	if (pmap_lookup(t->pmap, va, &pa, &prot) &&
	    (!pg || pg->state != OBJ_PAGE_RESIDENT || pg->pa != (pa & ~(PAGE_SIZE - 1)))) {
		/* the task's own copy of the page: an anonymous page from here on */
		*kr = vm_fault_anonymous_locked(t, r, va, write);
		goto out;
	}
	if (!pg && !obj->pager) {	/* internal: zero fill, as anonymous memory */
		paddr_t fresh = page_alloc(PAGE_USER | PAGE_ZERO);
		pg = fresh ? vm_object_page_new_locked(obj, offset, OBJ_PAGE_RESIDENT, fresh) : NULL;
		if (!pg) {
			if (fresh)
				page_free(fresh);
			*kr = KERN_RESOURCE_SHORTAGE;
			goto out;
		}
	}
	if (obj->pager && !obj->pager->active) {	/* the pager is gone: nobody will answer */
		*kr = KERN_MEMORY_FAILURE;
		goto out;
	}
	if (!pg) {
		pg = vm_object_page_new_locked(obj, offset, OBJ_PAGE_REQUESTED, 0);
		if (!pg) {
			*kr = KERN_RESOURCE_SHORTAGE;
			goto out;
		}
		pager_msg_queue_locked(obj, MEMORY_OBJECT_DATA_REQUEST_ID, offset, PAGE_SIZE,
				       write ? VM_PROT_READ | VM_PROT_WRITE : VM_PROT_READ);
	}
	if (pg->state == OBJ_PAGE_REQUESTED) {
		res = wait_for(obj, offset, wait, woff);
		goto out;
	}
	if (pg->state == OBJ_PAGE_ERROR || pg->error) {	/* data_error: this fault fails, the next asks again */
		*kr = KERN_MEMORY_ERROR;
		if (pg->state == OBJ_PAGE_ERROR) {
			list_remove(&pg->link);
			kfree(pg);
		} else {
			pg->error = KERN_SUCCESS;
		}
		goto out;
	}
	/* a private copy only reads the object's page */
	need = write && !r->private_copy ? VM_PROT_WRITE : VM_PROT_READ;
	if (pg->lock & need) {
		if (!pg->unlock_asked) {
			pg->unlock_asked = true;
			pager_msg_queue_locked(obj, MEMORY_OBJECT_DATA_UNLOCK_ID, offset, PAGE_SIZE, need);
		}
		res = wait_for(obj, offset, wait, woff);
		goto out;
	}
	*kr = map_page_locked(t, r, va, pg, write);
out:
	spin_unlock_irqrestore(&vm_object_lock, f);
	return res;
}

bool
vm_object_wait(struct vm_object *obj, uint32_t offset)
{
	enum wake_reason why = WAKE_SIGNALED;
	struct obj_page *pg;
	bool pending;
	uint32_t f, g;

	/* the pager port's lock for its state, sched_lock from the check to the wait */
	if (!obj->pager) {	/* an internal object: nobody to wait for */
		vm_object_unref(obj);
		return true;
	}
	f = port_sched_lock(obj->pager);
	g = spin_lock_irqsave(&vm_object_lock);
	pg = vm_object_page_locked(obj, offset);
	pending = pg && (pg->state == OBJ_PAGE_REQUESTED || (pg->unlock_asked && !pg->error));
	spin_unlock_irqrestore(&vm_object_lock, g);
	/* the pager's death wakes us (vm_object_pager_died_locked); the second is a safety net */
	if (pending && obj->pager->active) {
		why = waitq_wait_dropping_locked(&obj->waiters, HZ, &obj->pager->lock);
		spin_unlock_irqoff(&sched_lock);
		ipc_end(f);
	} else {
		port_sched_unlock(obj->pager, f);
	}
	vm_object_unref(obj);
	return why != WAKE_ABORTED;
}
