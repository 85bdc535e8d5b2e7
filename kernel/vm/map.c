/*
 * Address maps (see kern/vm_map.h): a sorted list of regions per task, and the
 * pages behind them. Allocation looks for the first gap that fits; deallocation
 * trims or splits regions and frees their pages. Page tables are pmap.c's.
 */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/loader.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "layout.h"
#include "pmap.h"

void
vm_map_init(struct task *t)
{
	list_init(&t->map);
}

void
vm_map_destroy(struct task *t)
{
	struct list *l;

	while ((l = list_pop_front(&t->map)) != NULL)
		kfree(list_entry(l, struct vm_region, link));
}

/* The region list stays sorted: inserts r after the last region below it. */
static void
insert_region(struct task *t, struct vm_region *r)
{
	struct list *pos = &t->map, *l;

	list_for_each(l, &t->map) {
		if (list_entry(l, struct vm_region, link)->start > r->start)
			break;
		pos = l;
	}
	list_insert_after(pos, &r->link);
}

static bool
range_free(struct task *t, uint32_t start, uint32_t end)
{
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->start < end && start < r->end)
			return false;
	}
	return true;
}

kern_return_t
vm_map_reserve(struct task *t, uint32_t start, uint32_t end)
{
	uint32_t f = spin_lock_irqsave(&t->map_lock);
	kern_return_t kr = KERN_SUCCESS;

	/* page by page: program segments may share pages with each other */
	for (uint32_t va = ROUND_DOWN(start, PAGE_SIZE); va < ROUND_UP(end, PAGE_SIZE); va += PAGE_SIZE) {
		struct vm_region *r, *last = NULL;
		struct list *l;
		if (!range_free(t, va, va + PAGE_SIZE))
			continue;
		list_for_each(l, &t->map) {
			r = list_entry(l, struct vm_region, link);
			if (r->end == va)
				last = r;
		}
		if (last) {
			last->end += PAGE_SIZE;
			continue;
		}
		r = kzalloc(sizeof *r);
		if (!r) {
			kr = KERN_RESOURCE_SHORTAGE;
			break;
		}
		r->start = va;
		r->end = va + PAGE_SIZE;
		insert_region(t, r);
	}
	spin_unlock_irqrestore(&t->map_lock, f);
	return kr;
}

/* The lowest gap of `size` bytes at or above `from`, below the stacks; 0 if none. */
static uint32_t
find_gap(struct task *t, uint32_t from, uint32_t size)
{
	uint32_t at = from;
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->end <= at)
			continue;
		if (r->start >= at && r->start - at >= size)
			return at;
		at = MAX(at, r->end);
	}
	return at < USER_STACKS_BOTTOM && USER_STACKS_BOTTOM - at >= size ? at : 0;
}

static kern_return_t allocate_locked(struct task *t, uint32_t *addr, uint32_t size, bool anywhere);
static kern_return_t deallocate_locked(struct task *t, uint32_t addr, uint32_t size);

kern_return_t
vm_map_allocate(struct task *t, uint32_t *addr, uint32_t size, bool anywhere)
{
	uint32_t f = spin_lock_irqsave(&t->map_lock);
	kern_return_t kr = allocate_locked(t, addr, size, anywhere);

	spin_unlock_irqrestore(&t->map_lock, f);
	return kr;
}

kern_return_t
vm_map_deallocate(struct task *t, uint32_t addr, uint32_t size)
{
	uint32_t f = spin_lock_irqsave(&t->map_lock);
	kern_return_t kr = deallocate_locked(t, addr, size);

	spin_unlock_irqrestore(&t->map_lock, f);
	return kr;
}

static kern_return_t
allocate_locked(struct task *t, uint32_t *addr, uint32_t size, bool anywhere)
{
	uint32_t start = *addr, end;
	struct vm_region *r;

	if (size == 0)
		return KERN_INVALID_ARGUMENT;
	if (size > USER_TOP)
		return KERN_NO_SPACE;
	size = ROUND_UP(size, PAGE_SIZE);
	if (anywhere) {
		start = find_gap(t, MAX(ROUND_UP(start, PAGE_SIZE), VM_ALLOC_MIN), size);
		if (!start)
			start = find_gap(t, USER_LOAD_MIN, size);
		if (!start)
			return KERN_NO_SPACE;
	} else {
		if (start & (PAGE_SIZE - 1))
			return KERN_INVALID_ARGUMENT;
		if (start < USER_LOAD_MIN || start >= USER_TOP || size > USER_TOP - start)
			return KERN_INVALID_ADDRESS;
		if (!range_free(t, start, start + size))
			return KERN_NO_SPACE;
	}
	end = start + size;
	r = kzalloc(sizeof *r);
	if (!r)
		return KERN_RESOURCE_SHORTAGE;
	for (uint32_t va = start; va < end; va += PAGE_SIZE) {
		paddr_t pa = page_alloc(PAGE_USER | PAGE_ZERO);
		if (!pa || pmap_enter(t->pmap, va, pa, PMAP_WRITE | PMAP_OWNED) < 0) {
			if (pa)
				page_free(pa);
			for (uint32_t u = start; u < va; u += PAGE_SIZE)
				pmap_remove(t->pmap, u);
			kfree(r);
			return KERN_RESOURCE_SHORTAGE;
		}
	}
	r->start = start;
	r->end = end;
	insert_region(t, r);
	*addr = start;
	return KERN_SUCCESS;
}

static kern_return_t
deallocate_locked(struct task *t, uint32_t addr, uint32_t size)
{
	uint32_t end;
	struct list *l, *tmp;

	if ((addr & (PAGE_SIZE - 1)))
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	size = ROUND_UP(size, PAGE_SIZE);
	if (addr >= USER_TOP || size > USER_TOP - addr)
		return KERN_INVALID_ADDRESS;
	end = addr + size;
	list_for_each_safe(l, tmp, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		uint32_t lo = MAX(r->start, addr), hi = MIN(r->end, end);
		if (lo >= hi)
			continue;
		for (uint32_t va = lo; va < hi; va += PAGE_SIZE)
			pmap_remove(t->pmap, va);
		if (lo == r->start && hi == r->end) {
			list_remove(&r->link);
			kfree(r);
		} else if (lo == r->start) {
			r->start = hi;
		} else if (hi == r->end) {
			r->end = lo;
		} else {	/* a hole in the middle: split */
			struct vm_region *tail = kzalloc(sizeof *tail);
			if (!tail)
				return KERN_RESOURCE_SHORTAGE;	/* pages are gone; the range stays reserved */
			tail->start = hi;
			tail->end = r->end;
			r->end = lo;
			list_insert_after(&r->link, &tail->link);
		}
	}
	return KERN_SUCCESS;
}
