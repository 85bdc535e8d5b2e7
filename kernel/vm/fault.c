/*
 * Page faults in user space: a page of an allocated region that is touched for
 * the first time gets a zero-filled page; a write to a copy-on-write page gets
 * its own copy (or the page itself, when nobody else holds it any more); a page
 * of a memory object comes from the object, or from its pager (object_fault.c).
 * A fault outside every region, or against the region's protection, is the
 * caller's to report (an exception, else the task dies).
 */
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "pmap.h"

kern_return_t
vm_cow_break_locked(struct task *t, uint32_t va, paddr_t pa)
{
	paddr_t mine;

	pa &= ~(PAGE_SIZE - 1);
	if (page_refs(pa) == 1) {	/* the last holder: keep the page */
		mine = pa;
		page_ref(pa);		/* pmap_enter drops the mapping's old reference */
	} else if ((mine = page_alloc(PAGE_USER)) != 0) {
		memcpy(P2V(mine), P2V(pa), PAGE_SIZE);
	} else {
		return KERN_RESOURCE_SHORTAGE;
	}
	if (pmap_enter(t->pmap, va, mine, PMAP_WRITE | PMAP_OWNED) < 0) {
		page_unref(mine);
		return KERN_RESOURCE_SHORTAGE;
	}
	return KERN_SUCCESS;
}

kern_return_t
vm_fault_anonymous_locked(struct task *t, struct vm_region *r, uint32_t va, bool write)
{
	paddr_t pa, fresh;
	int prot;

	if (!pmap_present(t->pmap, va, &pa)) {		/* first touch: zero fill */
		fresh = page_alloc(PAGE_USER | PAGE_ZERO);
		if (!fresh || pmap_enter(t->pmap, va, fresh, ((r->prot & VM_PROT_WRITE) ? PMAP_WRITE : 0) |
						       PMAP_OWNED) < 0) {
			if (fresh)
				page_free(fresh);
			return KERN_RESOURCE_SHORTAGE;
		}
	} else if (write && pmap_lookup(t->pmap, va, &pa, &prot) && (prot & PMAP_COW)) {
		return vm_cow_break_locked(t, va, pa);
	} else if (write && pmap_lookup(t->pmap, va, &pa, &prot) && !(prot & PMAP_WRITE)) {
		/* a private page of an object region, write-protected with the region's object pages */
		pmap_protect(t->pmap, va, PMAP_READ_OK | PMAP_WRITE);
	}
	return KERN_SUCCESS;
}

kern_return_t
vm_fault(struct task *t, uint32_t va, bool write)
{
	/* under a spin lock (the IPC fast path's copy) it must not block: it takes
	 * the map only if it is free, and waits for no pager */
	bool can_wait = sched_can_block();

	va = ROUND_DOWN(va, PAGE_SIZE);
	if (va >= USER_TOP || !t->pmap)
		return KERN_INVALID_ADDRESS;
	for (;;) {
		enum obj_fault res = OBJ_FAULT_DONE;
		struct vm_object *wait = NULL;
		kern_return_t kr = KERN_SUCCESS;
		struct vm_region *r;
		uint32_t offset = 0;

		if (can_wait)
			kmutex_lock(&t->map_lock);
		else if (!kmutex_trylock(&t->map_lock))
			return KERN_MEMORY_ERROR;
		r = vm_map_lookup_locked(t, va);
		if (!r)
			kr = KERN_INVALID_ADDRESS;
		else if (!vm_region_allows(r, write))
			kr = KERN_PROTECTION_FAILURE;
		else if (r->device)	/* mapped whole when made: only a copy through the kernel gets here */
			kr = KERN_DEVICE_MEMORY;
		else if (r->object)
			res = vm_object_fault_locked(t, r, va, write, &kr, &wait, &offset);
		else
			kr = vm_fault_anonymous_locked(t, r, va, write);
		kmutex_unlock(&t->map_lock);
		if (can_wait && pager_msg_pending)
			vm_object_flush();
		if (res == OBJ_FAULT_DONE)
			return kr;
		if (!can_wait) {
			vm_object_unref(wait);
			return KERN_MEMORY_ERROR;
		}
		if (!vm_object_wait(wait, offset))
			return KERN_ABORTED;
	}
}

void
vm_fault_in_objects(struct task *t, uint32_t addr, uint32_t len)
{
	for (uint32_t va = ROUND_DOWN(addr, PAGE_SIZE); va < addr + len && va >= ROUND_DOWN(addr, PAGE_SIZE);
	     va += PAGE_SIZE) {
		paddr_t pa;
		int prot;
		if (vm_map_is_object_backed(t, va) && !(pmap_lookup(t->pmap, va, &pa, &prot) && (prot & PMAP_WRITE)))
			vm_fault(t, va, true);	/* failures are the receive's to report */
	}
}
