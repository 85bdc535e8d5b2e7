/*
 * Address maps (see kern/vm_map.h): a sorted list of regions per task, and the
 * pages behind them. Allocation looks for the first gap that fits; deallocation
 * trims or splits regions and frees their pages. Page tables are pmap.c's.
 * When its task is finished a map is emptied and made inactive (map_active,
 * under map_lock): calls still holding the task then find no region, and
 * cannot add one.
 */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/loader.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "pmap.h"

void
vm_map_init(struct task *t)
{
	list_init(&t->map);
	t->map_active = true;
}

/*
 * A DMA region's pages in [lo, hi), held (vm/dma_hold.c) before the mappings
 * that own them go: the device may still write them for a while. [M] held.
 */
static void
hold_dma_pages(struct task *t, const struct vm_region *r, uint32_t lo, uint32_t hi)
{
	paddr_t batch[32];
	uint32_t n = 0;

	if (r->device != VM_DEVICE_DMA)
		return;
	for (uint32_t va = lo; va < hi; va += PAGE_SIZE) {
		paddr_t pa;
		if (!pmap_lookup_dma(t->pmap, va, &pa))
			continue;
		batch[n++] = pa;
		if (n == sizeof batch / sizeof batch[0]) {
			vm_dma_hold(batch, n);
			n = 0;
		}
	}
	vm_dma_hold(batch, n);
}

/* Takes every region out of the map (with its object mapping) and frees it. [M] held. */
static void
remove_all_regions_locked(struct task *t)
{
	struct list *l;

	while ((l = list_pop_front(&t->map)) != NULL) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		hold_dma_pages(t, r, r->start, r->end);	/* (the pmap goes after, vm_map_terminate) */
		if (r->object)
			vm_object_remove_mapping_locked(r);
		kfree(r);
	}
}

void
vm_map_terminate(struct task *t)
{
	kmutex_lock(&t->map_lock);

	t->map_active = false;
	remove_all_regions_locked(t);
	kmutex_unlock(&t->map_lock);
	/* every page and page table, the loader's included; the directory stays with the
	 * pmap. Inactive, the map gains no mapping meanwhile. */
	pmap_remove_all(t->pmap);
}

void
vm_map_destroy(struct task *t)
{
	kmutex_lock(&t->map_lock);

	remove_all_regions_locked(t);
	kmutex_unlock(&t->map_lock);
}

uint32_t
vm_map_size(struct task *t)
{
	uint32_t size = 0;
	struct list *l;

	kmutex_lock(&t->map_lock);
	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		size += r->end - r->start;
	}
	kmutex_unlock(&t->map_lock);
	return size;
}

/* The region list stays sorted: inserts r after the last region below it. */
static void
insert_region(struct task *t, struct vm_region *r)
{
	struct list *pos = &t->map, *l;

	r->task = t;
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
vm_map_reserve(struct task *t, uint32_t start, uint32_t end, vm_prot_t prot)
{
	kmutex_lock(&t->map_lock);
	kern_return_t kr = t->map_active ? KERN_SUCCESS : KERN_INVALID_TASK;

	/* page by page: program segments may share pages with each other */
	for (uint32_t va = ROUND_DOWN(start, PAGE_SIZE); va < ROUND_UP(end, PAGE_SIZE) && kr == KERN_SUCCESS;
	     va += PAGE_SIZE) {
		struct vm_region *r, *last = NULL;
		struct list *l;
		if (!range_free(t, va, va + PAGE_SIZE))
			continue;
		list_for_each(l, &t->map) {
			r = list_entry(l, struct vm_region, link);
			if (r->end == va)
				last = r;
		}
		if (last && last->prot == prot) {
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
		r->prot = prot;
		r->max_prot = VM_PROT_ALL;
		r->inherit = VM_INHERIT_DEFAULT;
		insert_region(t, r);
	}
	kmutex_unlock(&t->map_lock);
	return kr;
}

/*
 * The lowest gap of `size` bytes at or above `from`, below the stacks, at an
 * address with the bits of mask clear; 0 if none.
 */
static uint32_t
find_gap(struct task *t, uint32_t from, uint32_t size, uint32_t mask)
{
	uint32_t at = (from + mask) & ~mask;
	struct list *l;

	if (at < from)
		return 0;
	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->end <= at)
			continue;
		if (r->start >= at && r->start - at >= size)
			return at;
		at = MAX(at, (r->end + mask) & ~mask);
		if (at < r->end)
			return 0;	/* aligning wrapped */
	}
	return at < USER_STACKS_BOTTOM && USER_STACKS_BOTTOM - at >= size ? at : 0;
}

static kern_return_t allocate_locked(struct task *t, uint32_t *addr, uint32_t size, uint32_t mask,
				     bool anywhere, struct vm_region **out);
static kern_return_t deallocate_locked(struct task *t, uint32_t addr, uint32_t size);

kern_return_t
vm_map_allocate(struct task *t, uint32_t *addr, uint32_t size, bool anywhere)
{
	kmutex_lock(&t->map_lock);
	kern_return_t kr = allocate_locked(t, addr, size, 0, anywhere, NULL);

	kmutex_unlock(&t->map_lock);
	return kr;
}

kern_return_t
vm_map_deallocate(struct task *t, uint32_t addr, uint32_t size)
{
	kmutex_lock(&t->map_lock);
	kern_return_t kr = t->map_active ? deallocate_locked(t, addr, size) : KERN_INVALID_TASK;

	kmutex_unlock(&t->map_lock);
	return kr;
}

static kern_return_t
allocate_locked(struct task *t, uint32_t *addr, uint32_t size, uint32_t mask, bool anywhere,
		struct vm_region **out)
{
	uint32_t start = *addr, end;
	struct vm_region *r;

	if (!t->map_active)
		return KERN_INVALID_TASK;	/* its task is finished */
	if (size == 0)
		return KERN_INVALID_ARGUMENT;
	if (size > USER_TOP)
		return KERN_NO_SPACE;
	size = ROUND_UP(size, PAGE_SIZE);
	if (anywhere) {
		start = find_gap(t, MAX(ROUND_UP(start, PAGE_SIZE), VM_ALLOC_MIN), size, mask);
		if (!start)
			start = find_gap(t, USER_LOAD_MIN, size, mask);
		if (!start)
			return KERN_NO_SPACE;
	} else {
		if ((start & (PAGE_SIZE - 1)) || (start & mask))
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
	/* pages come on first touch (vm_fault) */
	r->start = start;
	r->end = end;
	r->prot = VM_PROT_DEFAULT;
	r->max_prot = VM_PROT_ALL;
	r->inherit = VM_INHERIT_DEFAULT;
	insert_region(t, r);
	*addr = start;
	if (out)
		*out = r;
	return KERN_SUCCESS;
}

/* Moves r's start up to va, keeping an object region's offset in step. */
static void
set_start(struct vm_region *r, uint32_t va)
{
	uint32_t f = spin_lock_irqsave(&vm_object_lock);

	if (r->object)
		r->offset += va - r->start;
	r->start = va;
	spin_unlock_irqrestore(&vm_object_lock, f);
}

/* A new region for r's part from va on, after r in the map; r ends at va. NULL: no memory. */
static struct vm_region *
split_off(struct vm_region *r, uint32_t va)
{
	struct vm_region *tail = kzalloc(sizeof *tail);

	if (!tail)
		return NULL;
	*tail = *r;
	tail->object = NULL;
	tail->start = va;
	tail->offset = r->offset + (va - r->start);
	r->end = va;
	list_insert_after(&r->link, &tail->link);
	if (r->object)
		vm_object_add_mapping_locked(r->object, tail);
	return tail;
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
		hold_dma_pages(t, r, lo, hi);
		pmap_remove_range(t->pmap, lo, hi);	/* absent page tables are skipped whole */
		if (r->object)
			vm_object_release_range(r->object, r, r->offset + (lo - r->start), r->offset + (hi - r->start));
		if (lo == r->start && hi == r->end) {
			list_remove(&r->link);
			if (r->object)
				vm_object_remove_mapping_locked(r);
			kfree(r);
		} else if (lo == r->start) {
			set_start(r, hi);
		} else if (hi == r->end) {
			r->end = lo;
		} else {	/* a hole in the middle: split */
			struct vm_region *tail = split_off(r, hi);
			if (!tail)
				return KERN_RESOURCE_SHORTAGE;	/* pages are gone; the range stays reserved */
			r->end = lo;
		}
	}
	return KERN_SUCCESS;
}

/* Splits the region containing va (if any) so that a region starts at va. */
static bool
split_at(struct task *t, uint32_t va)
{
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->start < va && va < r->end)
			return split_off(r, va) != NULL;
	}
	return true;
}

/* Whether [start, end) is covered by regions with no hole. */
static bool
fully_allocated(struct task *t, uint32_t start, uint32_t end)
{
	uint32_t at = start;
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->end <= at)
			continue;
		if (r->start > at)
			return false;
		at = r->end;
		if (at >= end)
			return true;
	}
	return at >= end;
}

/* Checks and rounds a range the way every vm_* call does. */
static kern_return_t
check_range_arg(uint32_t addr, uint32_t size, uint32_t *lo, uint32_t *hi)
{
	if (addr >= USER_TOP || size > USER_TOP - addr)
		return KERN_INVALID_ADDRESS;
	*lo = ROUND_DOWN(addr, PAGE_SIZE);
	*hi = ROUND_UP(addr + size, PAGE_SIZE);
	return KERN_SUCCESS;
}

struct vm_region *
vm_map_lookup_locked(struct task *t, uint32_t va)
{
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->start <= va && va < r->end)
			return r;
	}
	return NULL;
}

/*
 * Region by region in address order, as Mach's vm_map_copyin does: the first
 * hole or the first region that refuses the access decides.
 */
kern_return_t
vm_map_check_access(struct task *t, uint32_t addr, uint32_t size, bool write)
{
	kern_return_t kr = KERN_INVALID_ADDRESS;
	uint32_t at, end;
	struct list *l;

	if (addr >= USER_TOP || size > USER_TOP - addr)
		return KERN_INVALID_ADDRESS;
	if (size == 0)
		return KERN_SUCCESS;
	at = ROUND_DOWN(addr, PAGE_SIZE);
	end = ROUND_UP(addr + size, PAGE_SIZE);
	kmutex_lock(&t->map_lock);
	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->end <= at)
			continue;
		if (r->start > at)
			break;	/* a hole */
		if (!vm_region_allows(r, write)) {
			kr = KERN_PROTECTION_FAILURE;
			break;
		}
		if (r->device) {	/* not in the direct map, or wired for a device: never copied */
			kr = KERN_DEVICE_MEMORY;
			break;
		}
		at = r->end;
		if (at >= end) {
			kr = KERN_SUCCESS;
			break;
		}
	}
	kmutex_unlock(&t->map_lock);
	return kr;
}

/* The pmap access for a protection. The i386 cannot execute what it cannot read, and the reverse. */
int
vm_prot_pmap(vm_prot_t prot)
{
	return (prot & (VM_PROT_READ | VM_PROT_EXECUTE) ? PMAP_READ_OK : 0) | (prot & VM_PROT_WRITE ? PMAP_WRITE : 0);
}

/*
 * Makes the page tables of [lo, hi) say what prot allows. An object's pages
 * stay read-only until a write fault, which is how the object learns they are
 * dirty (and whether a lock or a private copy stands in the way).
 */
static void
apply_prot(struct task *t, struct vm_region *r, uint32_t lo, uint32_t hi, vm_prot_t prot)
{
	if (r->object)
		prot &= ~VM_PROT_WRITE;
	/* only what is mapped: a large region is mostly untouched, skipped a table at a time */
	for (uint32_t va = pmap_next_mapped(t->pmap, lo, hi); va < hi; va = pmap_next_mapped(t->pmap, va + PAGE_SIZE, hi))
		pmap_protect(t->pmap, va, vm_prot_pmap(prot));
}

kern_return_t
vm_map_protect(struct task *t, uint32_t addr, uint32_t size, bool set_max, vm_prot_t prot)
{
	uint32_t lo, hi;
	kern_return_t kr = check_range_arg(addr, size, &lo, &hi);
	struct list *l;

	if (kr != KERN_SUCCESS)
		return kr;
	if (prot & ~VM_PROT_ALL)
		return KERN_INVALID_ARGUMENT;
	if (lo == hi)
		return KERN_SUCCESS;
	kmutex_lock(&t->map_lock);
	if (!t->map_active || !fully_allocated(t, lo, hi)) {
		kr = t->map_active ? KERN_INVALID_ADDRESS : KERN_INVALID_TASK;
		goto out;
	}
	/* check every region first: a refusal changes nothing. A maximum, too, only goes down. */
	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->end > lo && r->start < hi && (prot & ~r->max_prot)) {
			kr = KERN_PROTECTION_FAILURE;
			goto out;
		}
	}
	if (!split_at(t, lo) || !split_at(t, hi)) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto out;
	}
	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->end <= lo || r->start >= hi)
			continue;
		if (set_max) {
			r->max_prot = prot;
			r->prot &= prot;
		} else {
			r->prot = prot;
		}
		apply_prot(t, r, r->start, r->end, r->prot);
	}
out:
	kmutex_unlock(&t->map_lock);
	return kr;
}

kern_return_t
vm_map_inherit(struct task *t, uint32_t addr, uint32_t size, vm_inherit_t inherit)
{
	uint32_t lo, hi;
	kern_return_t kr = check_range_arg(addr, size, &lo, &hi);
	struct list *l;

	if (kr != KERN_SUCCESS)
		return kr;
	if (inherit > VM_INHERIT_NONE)
		return KERN_INVALID_ARGUMENT;
	kmutex_lock(&t->map_lock);
	if (!t->map_active) {
		kr = KERN_INVALID_TASK;
	} else if (!fully_allocated(t, lo, hi)) {
		kr = KERN_INVALID_ADDRESS;
	} else if (!split_at(t, lo) || !split_at(t, hi)) {
		kr = KERN_RESOURCE_SHORTAGE;
	} else {
		list_for_each(l, &t->map) {
			struct vm_region *r = list_entry(l, struct vm_region, link);
			if (r->end > lo && r->start < hi)
				r->inherit = inherit;
		}
	}
	kmutex_unlock(&t->map_lock);
	return kr;
}

kern_return_t
vm_map_region(struct task *t, uint32_t addr, struct vm_region_info *info)
{
	kmutex_lock(&t->map_lock);
	kern_return_t kr = t->map_active ? KERN_NO_SPACE : KERN_INVALID_TASK;
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->end <= addr)
			continue;
		info->address = r->start;
		info->size = r->end - r->start;
		info->protection = r->prot;
		info->max_protection = r->max_prot;
		info->inheritance = r->inherit;
		info->shared = r->object && !r->private_copy;
		kr = KERN_SUCCESS;
		break;
	}
	kmutex_unlock(&t->map_lock);
	return kr;
}

struct vm_region *
vm_region_clone(struct task *t, const struct vm_region *r)
{
	struct vm_region *c = kzalloc(sizeof *c);

	if (!c)
		return NULL;
	*c = *r;
	c->object = NULL;
	kmutex_lock(&t->map_lock);
	insert_region(t, c);
	if (r->object)
		vm_object_add_mapping_locked(r->object, c);
	kmutex_unlock(&t->map_lock);
	return c;
}

kern_return_t
vm_map_object(struct task *t, uint32_t *addr, uint32_t size, uint32_t mask, bool anywhere, struct vm_object *obj,
	      uint32_t offset, bool copy, vm_prot_t cur, vm_prot_t max, vm_inherit_t inherit)
{
	struct vm_region *r = NULL;
	kern_return_t kr;

	if ((offset & (PAGE_SIZE - 1)) || (cur & ~VM_PROT_ALL) || (max & ~VM_PROT_ALL) || (cur & ~max) ||
	    inherit > VM_INHERIT_NONE || mask & (mask + 1))
		return KERN_INVALID_ARGUMENT;
	if (size && ROUND_UP(size, PAGE_SIZE) - 1 > UINT32_MAX - offset)
		return KERN_INVALID_ARGUMENT;	/* the object's offsets would wrap */
	kmutex_lock(&t->map_lock);
	kr = allocate_locked(t, addr, size, mask | (PAGE_SIZE - 1), anywhere, &r);
	if (kr == KERN_SUCCESS) {
		r->prot = cur;
		r->max_prot = max;
		r->inherit = inherit;
		if (obj) {
			r->offset = offset;
			r->private_copy = copy;
			vm_object_add_mapping_locked(obj, r);
			if (copy)
				vm_object_copy_made(obj);
		}
	}
	kmutex_unlock(&t->map_lock);
	return kr;
}

kern_return_t
vm_map_device(struct task *t, uint32_t *addr, paddr_t phys, uint32_t size, enum vm_device kind)
{
	int prot = PMAP_WRITE | (kind == VM_DEVICE_MMIO ? PMAP_DEVICE : PMAP_WIRED | PMAP_OWNED);
	struct vm_region *r = NULL;
	kern_return_t kr;
	uint32_t done = 0;

	kmutex_lock(&t->map_lock);
	*addr = 0;
	kr = allocate_locked(t, addr, size, 0, true, &r);
	if (kr == KERN_SUCCESS) {
		r->device = kind;
		r->inherit = VM_INHERIT_NONE;
		for (; done < size; done += PAGE_SIZE)
			if (pmap_enter(t->pmap, *addr + done, phys + done, prot) < 0)
				break;
		if (done < size) {	/* no page table: what was entered goes with the region */
			deallocate_locked(t, *addr, size);
			kr = KERN_RESOURCE_SHORTAGE;
		}
	}
	kmutex_unlock(&t->map_lock);
	if (kind == VM_DEVICE_DMA)	/* the pages the map did not take */
		for (; done < size; done += PAGE_SIZE)
			page_free(phys + done);
	return kr;
}

uint32_t
vm_map_device_size(struct task *t, enum vm_device kind)
{
	uint32_t size = 0;
	struct list *l;

	kmutex_lock(&t->map_lock);
	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->device == kind)
			size += r->end - r->start;
	}
	kmutex_unlock(&t->map_lock);
	return size;
}

bool
vm_map_is_object_backed(struct task *t, uint32_t va)
{
	kmutex_lock(&t->map_lock);
	bool backed = false;
	struct list *l;

	list_for_each(l, &t->map) {
		struct vm_region *r = list_entry(l, struct vm_region, link);
		if (r->start <= va && va < r->end) {
			backed = r->object != NULL;
			break;
		}
	}
	kmutex_unlock(&t->map_lock);
	return backed;
}
