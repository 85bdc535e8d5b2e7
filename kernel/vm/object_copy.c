/*
 * Copies of a memory object: a region mapped with copy=TRUE, or a child's
 * VM_INHERIT_COPY of an object region (private_copy), is the object as it was
 * when the copy was made, as in Mach. Until the copy writes a page it reads
 * the object's own page; so before anyone writes that page through a shared
 * mapping, each copy that has no page of its own there gets the old contents
 * (a push). A page's pushed_gen says whether that was done since the newest
 * copy was made; making a copy write-protects the shared mappings, so the next
 * write faults and pushes.
 */
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "pmap.h"

/* Where r maps the object's page at offset, or 0 if r does not cover it. */
static uint32_t
va_in(const struct vm_region *r, uint32_t offset)
{
	if (offset < r->offset || offset - r->offset >= r->end - r->start)
		return 0;
	return r->start + (offset - r->offset);
}

void
vm_object_copy_made(struct vm_object *obj)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);
	struct list *l, *m;

	obj->copy_gen++;
	list_for_each(m, &obj->mappings) {
		struct vm_region *r = list_entry(m, struct vm_region, obj_link);
		if (r->private_copy)
			continue;
		list_for_each(l, &obj->pages) {
			struct obj_page *pg = list_entry(l, struct obj_page, link);
			uint32_t va = pg->state == OBJ_PAGE_RESIDENT ? va_in(r, pg->offset) : 0;
			paddr_t pa;
			int prot;
			if (va && pmap_lookup(r->task->pmap, va, &pa, &prot) && (prot & PMAP_WRITE) &&
			    (pa & ~(PAGE_SIZE - 1)) == pg->pa)
				pmap_protect(r->task->pmap, va, vm_prot_pmap(r->prot & ~VM_PROT_WRITE));
		}
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
}

kern_return_t
vm_object_push_locked(struct vm_object *obj, struct obj_page *pg)
{
	struct list *m;

	if (pg->pushed_gen == obj->copy_gen)
		return KERN_SUCCESS;
	list_for_each(m, &obj->mappings) {
		struct vm_region *r = list_entry(m, struct vm_region, obj_link);
		uint32_t va = r->private_copy ? va_in(r, pg->offset) : 0;
		paddr_t pa = 0, mine;
		if (!va || (pmap_present(r->task->pmap, va, &pa) && pa != pg->pa))
			continue;	/* not a copy of this page, or it has its own already */
		mine = page_alloc(PAGE_USER);
		if (!mine)
			return KERN_RESOURCE_SHORTAGE;
		memcpy(P2V(mine), P2V(pg->pa), PAGE_SIZE);
		if (pmap_enter(r->task->pmap, va, mine, ((r->prot & VM_PROT_WRITE) ? PMAP_WRITE : 0) | PMAP_OWNED) < 0) {
			page_free(mine);
			return KERN_RESOURCE_SHORTAGE;
		}
		if (!(r->prot & (VM_PROT_READ | VM_PROT_EXECUTE)))
			pmap_protect(r->task->pmap, va, vm_prot_pmap(r->prot));
	}
	pg->pushed_gen = obj->copy_gen;
	return KERN_SUCCESS;
}
