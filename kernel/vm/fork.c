/*
 * Pages that two tasks come to hold: the map of a forked task, and the pages a
 * message or a child takes as a copy. An anonymous page's reference count and
 * page-table entries are its whole story: a copy-on-write entry says "copy
 * before writing". Copy-on-write is only safe when every holder's entry says
 * so; a page mapped writable by another holder too is therefore copied at
 * once when a copy of it is wanted. Shared anonymous memory (VM_INHERIT_SHARE)
 * becomes an internal memory object at its first fork, so that every sharer
 * finds each page, touched or not, in one place.
 */
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "pmap.h"

/*
 * Makes the present anonymous page at va r's own before it is shared: a
 * copy-on-write page is copied, or kept when nobody else holds it any more.
 * [M] held.
 */
static kern_return_t
own_anonymous_page_locked(struct task *t, struct vm_region *r, uint32_t va)
{
	paddr_t pa = 0;
	kern_return_t kr;

	if (!pmap_present(t->pmap, va, &pa) || !pmap_is_cow(t->pmap, va))
		return KERN_SUCCESS;
	kr = vm_cow_break_locked(t, va, pa);
	if (kr == KERN_SUCCESS)		/* writable for the break; the region may say otherwise */
		pmap_protect(t->pmap, va, vm_prot_pmap(r->prot));
	return kr;
}

/*
 * Puts an anonymous region's memory in a new internal object, which the
 * region then maps: the pages it has become the object's. [M] held.
 */
static kern_return_t
share_anonymous_locked(struct task *t, struct vm_region *r)
{
	struct vm_object *obj = vm_object_internal();
	kern_return_t kr = obj ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
	paddr_t pa;

	for (uint32_t va = pmap_next_mapped(t->pmap, r->start, r->end); va < r->end && kr == KERN_SUCCESS;
	     va = pmap_next_mapped(t->pmap, va + PAGE_SIZE, r->end)) {
		kr = own_anonymous_page_locked(t, r, va);
		if (kr == KERN_SUCCESS && pmap_present(t->pmap, va, &pa))
			kr = vm_object_adopt_page(obj, va - r->start, pa);
	}
	if (kr == KERN_SUCCESS) {
		r->offset = 0;
		vm_object_add_mapping_locked(obj, r);
	}
	if (obj)
		vm_object_unref(obj);	/* the mapping's reference is the one that stays */
	return kr;
}

/* A fresh copy of a page others write into, with its reference for the caller. */
static kern_return_t
copy_now(paddr_t pa, paddr_t *out)
{
	paddr_t fresh = page_alloc(PAGE_USER);

	if (!fresh)
		return KERN_RESOURCE_SHORTAGE;
	memcpy(P2V(fresh), P2V(pa), PAGE_SIZE);
	*out = fresh;
	return KERN_SUCCESS;
}

kern_return_t
vm_page_for_copy(struct pmap *p, uint32_t va, paddr_t *out)
{
	paddr_t pa = 0;

	switch (pmap_prepare_copy(p, va, &pa)) {
	case PMAP_COPY_COW:
		page_ref(pa);
		*out = pa;
		return KERN_SUCCESS;
	case PMAP_COPY_SHARED:	/* the other sharers would keep writing into a copy-on-write copy */
		return copy_now(pa, out);
	default:
		return KERN_INVALID_ADDRESS;	/* no anonymous page there */
	}
}

/*
 * The parent's pages of r, entered in the child by r's inheritance. This loop
 * is fork's cost per page (make bench's fork_16m), so it calls as little as it
 * can: one look at the parent's entry, one reference, one entry in the child.
 */
static kern_return_t
fork_region_locked(struct task *parent, struct vm_region *r, struct task *child, struct vm_region *c)
{
	bool hidden = !(r->prot & (VM_PROT_READ | VM_PROT_EXECUTE));
	kern_return_t kr = KERN_SUCCESS;
	paddr_t pa = 0;
	int prot;

	for (uint32_t va = pmap_next_mapped(parent->pmap, r->start, r->end); va < r->end && kr == KERN_SUCCESS;
	     va = pmap_next_mapped(parent->pmap, va + PAGE_SIZE, r->end)) {
		if (r->object && vm_object_maps_page(r, va)) {
			/* the child faults a pager's pages in itself; an internal object's
			 * are entered now, read-only: a write faults to push to copies */
			if (r->object->pager || c->private_copy || !pmap_present(parent->pmap, va, &pa))
				continue;
			page_ref(pa);
			prot = 0;
		} else if (r->inherit == VM_INHERIT_COPY) {
			enum pmap_copy how = pmap_prepare_copy(parent->pmap, va, &pa);
			if (how == PMAP_COPY_NONE)
				continue;
			if (how == PMAP_COPY_COW)
				page_ref(pa);
			else if ((kr = copy_now(pa, &pa)) != KERN_SUCCESS)
				break;
			prot = PMAP_COW;
		} else if (pmap_present(parent->pmap, va, &pa)) {
			page_ref(pa);
			prot = (r->prot & VM_PROT_WRITE) ? PMAP_WRITE : 0;
		} else {
			continue;
		}
		if (pmap_enter(child->pmap, va, pa, prot | PMAP_OWNED) < 0) {
			page_unref(pa);
			kr = KERN_RESOURCE_SHORTAGE;
		} else if (hidden) {	/* pmap_enter makes it reachable */
			pmap_protect(child->pmap, va, vm_prot_pmap(r->prot));
		}
	}
	return kr;
}

/*
 * The child's map for task_create with inherit_memory: each region by its
 * inheritance. VM_INHERIT_COPY pages are shared copy-on-write by both tasks
 * (a page the parent shares with others is copied at once), VM_INHERIT_SHARE
 * regions map the same object in both (anonymous memory gets an internal one
 * here), VM_INHERIT_NONE regions are left out.
 * Untouched pages of a copied region stay untouched in both. A memory object's
 * region maps the same object in the child (privately, for COPY), and only
 * the parent's own copies of its pages are carried as above.
 */
kern_return_t
vm_map_fork(struct task *parent, struct task *child)
{
	kmutex_lock(&parent->map_lock);
	kern_return_t kr = KERN_SUCCESS;
	struct list *l;

	list_for_each(l, &parent->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link), *c;
		if (r->inherit == VM_INHERIT_NONE || r->device)	/* a driver's device memory stays its own */
			continue;
		if (!r->object && r->inherit == VM_INHERIT_SHARE) {
			kr = share_anonymous_locked(parent, r);
			if (kr != KERN_SUCCESS)
				break;
		}
		c = vm_region_clone(child, r);
		if (!c) {
			kr = KERN_RESOURCE_SHORTAGE;
			break;
		}
		if (r->object && r->inherit == VM_INHERIT_COPY)
			c->private_copy = true;	/* the child's writes are its own */
		if (c->object && c->private_copy)
			vm_object_copy_made(c->object);	/* what it does not copy stays as it is now */
		kr = fork_region_locked(parent, r, child, c);
		if (kr != KERN_SUCCESS)
			break;
	}
	kmutex_unlock(&parent->map_lock);
	return kr;
}
