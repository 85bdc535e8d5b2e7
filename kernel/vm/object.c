/*
 * Memory objects (see kern/vm_object.h): finding the object of a pager port,
 * references, the regions that map it, and termination when the last use ends.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "memory_object_types.h"
#include "pmap.h"

struct spinlock vm_object_lock = SPINLOCK_INIT("vm_object", LOCK_RANK_VM_OBJECT);
static struct list live_objects = LIST_INIT(live_objects);	/* [O] */

struct obj_page *
vm_object_page_locked(struct vm_object *obj, uint32_t offset)
{
	struct list *l;

	list_for_each(l, &obj->pages) {
		struct obj_page *pg = list_entry(l, struct obj_page, link);
		if (pg->offset == offset)
			return pg;
	}
	return NULL;
}

static struct vm_object *
find_live_locked(struct port *pager)
{
	struct list *l;

	list_for_each(l, &live_objects) {
		struct vm_object *obj = list_entry(l, struct vm_object, link);
		if (obj->pager == pager)
			return obj;
	}
	return NULL;
}

void
vm_object_pager_died_locked(struct port *pager)
{
	struct vm_object *obj;
	uint32_t f = spin_lock_irqsave(&sched_lock);	/* for the wait queue; the pager port's lock is held */

	spin_lock_irqoff(&vm_object_lock);
	obj = find_live_locked(pager);
	if (obj)
		waitq_wake_all_locked(&obj->waiters);
	spin_unlock_irqoff(&vm_object_lock);
	spin_unlock_irqrestore(&sched_lock, f);
}

struct vm_object *
vm_object_internal(void)
{
	struct vm_object *obj = kzalloc(sizeof *obj);

	if (!obj)
		return NULL;
	list_init(&obj->link);		/* on the live list only with a pager, to be found by it */
	list_init(&obj->pages);
	list_init(&obj->mappings);
	waitq_init(&obj->waiters);
	obj->refs = 1;
	return obj;
}

struct vm_object *
vm_object_for_pager(struct port *pager)
{
	struct vm_object *obj, *fresh = vm_object_internal();
	bool kept = false;
	uint32_t f;

	if (fresh) {
		fresh->pager = pager;
		fresh->control = kobject_port_create(KOBJ_PAGER_CONTROL, fresh);
	}
	f = spin_lock_irqsave(&vm_object_lock);
	obj = find_live_locked(pager);
	if (obj) {
		obj->refs++;
	} else if (fresh && fresh->control) {
		obj = fresh;
		fresh = NULL;
		kept = true;	/* the new object holds the caller's send right */
		list_push_back(&live_objects, &obj->link);
		pager_msg_queue_locked(obj, MEMORY_OBJECT_INIT_ID, PAGE_SIZE, 0, 0);
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
	f = ipc_begin();
	if (kept) {
		port_lock(pager);
		pager->pager = true;
		port_unlock(pager);
	} else {
		right_destroy_carried(pager, MACH_MSG_TYPE_PORT_SEND);
	}
	if (fresh && fresh->control)
		kobject_port_destroy(fresh->control);
	ipc_end(f);
	kfree(fresh);
	return obj;
}

struct obj_page *
vm_object_page_new_locked(struct vm_object *obj, uint32_t offset, enum obj_page_state state, paddr_t pa)
{
	struct obj_page *pg = kzalloc(sizeof *pg);

	if (!pg)
		return NULL;
	pg->offset = offset;
	pg->state = state;
	pg->pa = pa;
	pg->dirty = !obj->pager;	/* internal: nobody to return it to, no need to learn when it is written */
	list_push_back(&obj->pages, &pg->link);
	return pg;
}

kern_return_t
vm_object_adopt_page(struct vm_object *obj, uint32_t offset, paddr_t pa)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);
	bool ok = vm_object_page_new_locked(obj, offset, OBJ_PAGE_RESIDENT, pa) != NULL;

	spin_unlock_irqrestore(&vm_object_lock, f);
	if (!ok)
		return KERN_RESOURCE_SHORTAGE;
	page_ref(pa);
	return KERN_SUCCESS;
}

static bool
covered_by_another(struct vm_object *obj, struct vm_region *leaving, uint32_t offset)
{
	struct list *m;

	list_for_each(m, &obj->mappings) {
		struct vm_region *r = list_entry(m, struct vm_region, obj_link);
		if (r != leaving && vm_region_va_of(r, offset))
			return true;
	}
	return false;
}

void
vm_region_write_protect(struct vm_region *r, uint32_t va)
{
	pmap_protect(r->task->pmap, va, vm_prot_pmap(r->prot & ~VM_PROT_WRITE));
}

void
vm_object_for_each_mapping_locked(struct vm_object *obj, struct obj_page *pg,
				  void (*fn)(struct vm_region *r, uint32_t va))
{
	struct list *m;

	list_for_each(m, &obj->mappings) {
		struct vm_region *r = list_entry(m, struct vm_region, obj_link);
		uint32_t va = vm_region_va_of(r, pg->offset);
		paddr_t pa;
		if (va && r->task->pmap && pmap_present(r->task->pmap, va, &pa) && (pa & ~(PAGE_SIZE - 1)) == pg->pa)
			fn(r, va);
	}
}

void
vm_object_release_range(struct vm_object *obj, struct vm_region *leaving, uint32_t lo, uint32_t hi)
{
	struct list *l, *tmp;
	uint32_t f;

	if (obj->pager)
		return;		/* a pager's pages stay until terminate: they may be dirty */
	f = spin_lock_irqsave(&vm_object_lock);
	list_for_each_safe(l, tmp, &obj->pages) {
		struct obj_page *pg = list_entry(l, struct obj_page, link);
		if (pg->offset < lo || pg->offset >= hi || covered_by_another(obj, leaving, pg->offset))
			continue;
		list_remove(&pg->link);
		if (pg->state == OBJ_PAGE_RESIDENT)
			page_unref(pg->pa);
		kfree(pg);
	}
	spin_unlock_irqrestore(&vm_object_lock, f);
}

/*
 * The last use ended: the pages that must go back to the pager go (dirty or
 * precious), the rest are freed, and memory_object_terminate is queued. The
 * object leaves the live list at once, so a new vm_map of the same pager makes
 * a new object (and a new memory_object_init).
 */
static void
terminate_locked(struct vm_object *obj)
{
	struct list *l;

	obj->terminated = true;
	list_remove(&obj->link);
	while ((l = list_pop_front(&obj->pages)) != NULL) {
		struct obj_page *pg = list_entry(l, struct obj_page, link);
		if (pg->state == OBJ_PAGE_RESIDENT && obj->pager && (pg->dirty || pg->precious)) {
			pager_msg_queue_page_locked(obj, pg);	/* takes pg: needs no memory */
			continue;
		}
		if (pg->state == OBJ_PAGE_RESIDENT)
			page_unref(pg->pa);
		kfree(pg);
	}
	if (obj->pager)
		pager_msg_queue_locked(obj, MEMORY_OBJECT_TERMINATE_ID, 0, 0, 0);
}

void
vm_object_unref_locked(struct vm_object *obj)
{
	if (--obj->refs)
		return;
	if (!obj->terminated)
		terminate_locked(obj);	/* its messages hold references again */
	if (!obj->refs)
		pager_msg_queue_free_locked(obj);
}

void
vm_object_unref(struct vm_object *obj)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);

	vm_object_unref_locked(obj);
	spin_unlock_irqrestore(&vm_object_lock, f);
}

void
vm_object_add_mapping_locked(struct vm_object *obj, struct vm_region *r)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);

	r->object = obj;
	list_push_back(&obj->mappings, &r->obj_link);
	obj->nmaps++;
	obj->refs++;
	r->task->object_regions++;
	spin_unlock_irqrestore(&vm_object_lock, f);
}

void
vm_object_remove_mapping_locked(struct vm_region *r)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);

	list_remove(&r->obj_link);
	r->object->nmaps--;
	r->task->object_regions--;
	vm_object_unref_locked(r->object);
	r->object = NULL;
	spin_unlock_irqrestore(&vm_object_lock, f);
}

bool
vm_object_maps_page(struct vm_region *r, uint32_t va)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);
	struct obj_page *pg = vm_object_page_locked(r->object, r->offset + (va - r->start));
	paddr_t pa = 0;
	bool yes;

	pmap_present(r->task->pmap, va, &pa);
	yes = pg && pg->state == OBJ_PAGE_RESIDENT && pg->pa == (pa & ~(PAGE_SIZE - 1));
	spin_unlock_irqrestore(&vm_object_lock, f);
	return yes;
}
