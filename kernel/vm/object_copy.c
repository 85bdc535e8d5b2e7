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

void
vm_object_copy_made(struct vm_object *obj)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);
	struct list *l;

	obj->copy_gen++;
	list_for_each(l, &obj->pages) {
		struct obj_page *pg = list_entry(l, struct obj_page, link);
		if (pg->state == OBJ_PAGE_RESIDENT)
			vm_object_for_each_mapping_locked(obj, pg, vm_region_write_protect);	/* the next write pushes */
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
		uint32_t va = r->private_copy ? vm_region_va_of(r, pg->offset) : 0;
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
