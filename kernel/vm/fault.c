/*
 * Page faults in user space: a page of an allocated region that is touched for
 * the first time gets a zero-filled page; a write to a copy-on-write page gets
 * its own copy (or the page itself, when nobody else holds it any more). A
 * fault outside every region, or against the region's protection, is the
 * caller's to report (an exception, else the task dies).
 */
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "layout.h"
#include "pmap.h"

static struct vm_region *
region_of(struct task *t, uint32_t va)
{
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->start <= va && va < r->end)
			return r;
	}
	return NULL;
}

kern_return_t
vm_fault(struct task *t, uint32_t va, bool write)
{
	struct vm_region *r;
	kern_return_t kr = KERN_SUCCESS;
	paddr_t pa, fresh;
	int prot;
	uint32_t f;

	va = ROUND_DOWN(va, PAGE_SIZE);
	if (va >= USER_TOP || !t->pmap)
		return KERN_INVALID_ADDRESS;
	f = spin_lock_irqsave(&t->map_lock);
	r = region_of(t, va);
	if (!r) {
		kr = KERN_INVALID_ADDRESS;
	} else if (!(r->prot & (write ? VM_PROT_WRITE : VM_PROT_READ | VM_PROT_EXECUTE))) {	/* i386: execute reads */
		kr = KERN_PROTECTION_FAILURE;
	} else if (!pmap_present(t->pmap, va, &pa)) {		/* first touch: zero fill */
		fresh = page_alloc(PAGE_USER | PAGE_ZERO);
		if (!fresh || pmap_enter(t->pmap, va, fresh, ((r->prot & VM_PROT_WRITE) ? PMAP_WRITE : 0) |
						       PMAP_OWNED) < 0) {
			if (fresh)
				page_free(fresh);
			kr = KERN_RESOURCE_SHORTAGE;
		}
	} else if (write && pmap_lookup(t->pmap, va, &pa, &prot) && (prot & PMAP_COW)) {
		pa &= ~(PAGE_SIZE - 1);
		if (page_refs(pa) == 1) {	/* the last holder: keep the page, writable */
			page_ref(pa);		/* pmap_enter drops the mapping's old reference */
			pmap_enter(t->pmap, va, pa, PMAP_WRITE | PMAP_OWNED);
		} else if ((fresh = page_alloc(PAGE_USER)) != 0) {
			memcpy(P2V(fresh), P2V(pa), PAGE_SIZE);
			pmap_enter(t->pmap, va, fresh, PMAP_WRITE | PMAP_OWNED);
		} else {
			kr = KERN_RESOURCE_SHORTAGE;
		}
	}
	spin_unlock_irqrestore(&t->map_lock, f);
	return kr;
}

/*
 * The child's map for task_create with inherit_memory: each region by its
 * inheritance. VM_INHERIT_COPY pages are shared copy-on-write by both tasks,
 * VM_INHERIT_SHARE pages are shared as they are, VM_INHERIT_NONE regions are
 * left out. Pages not touched yet stay untouched in both.
 */
kern_return_t
vm_map_fork(struct task *parent, struct task *child)
{
	uint32_t f = spin_lock_irqsave(&parent->map_lock);
	kern_return_t kr = KERN_SUCCESS;
	struct list *l;

	list_for_each(l, &parent->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link), *c;
		if (r->inherit == VM_INHERIT_NONE)
			continue;
		c = vm_region_clone(child, r);
		if (!c) {
			kr = KERN_RESOURCE_SHORTAGE;
			break;
		}
		for (uint32_t va = pmap_next_mapped(parent->pmap, r->start, r->end); va < r->end;
		     va = pmap_next_mapped(parent->pmap, va + PAGE_SIZE, r->end)) {
			paddr_t pa;
			int prot;
			if (r->inherit == VM_INHERIT_COPY) {
				pa = pmap_make_cow(parent->pmap, va);
				prot = PMAP_COW;
			} else {
				if (!pmap_present(parent->pmap, va, &pa))
					pa = 0;
				prot = (r->prot & VM_PROT_WRITE) ? PMAP_WRITE : 0;
			}
			if (!pa)
				continue;
			page_ref(pa);
			if (pmap_enter(child->pmap, va, pa, prot | PMAP_OWNED) < 0) {
				page_unref(pa);
				kr = KERN_RESOURCE_SHORTAGE;
				break;
			}
		}
		if (kr != KERN_SUCCESS)
			break;
	}
	spin_unlock_irqrestore(&parent->map_lock, f);
	return kr;
}
