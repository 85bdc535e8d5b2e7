/*
 * A task's address map: the regions of its user space that are allocated, in
 * address order, with their protection and inheritance. Pages come on first
 * touch (fault.c); task_create with inherited memory shares them copy-on-write.
 */
#ifndef KERN_VM_MAP_H
#define KERN_VM_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/list.h>
#include <kern/page.h>
#include <mach/kern_return.h>
#include <mach/vm_types.h>

struct task;
struct vm_object;

/*
 * Device access (kernel/dev): a region of device registers (a PCI BAR,
 * uncached) or of DMA memory (contiguous RAM pages, wired). Both are mapped
 * whole when made and are never copied, shared, inherited or paged: the vm
 * calls that copy refuse them with KERN_DEVICE_MEMORY.
 */
enum vm_device { VM_DEVICE_NONE, VM_DEVICE_MMIO, VM_DEVICE_DMA };

#define VM_ALLOC_MIN	0x10000000u	/* where vm_allocate anywhere looks first */

struct vm_region {
	struct list link;	/* [task->map_lock] */
	uint32_t start, end;	/* page aligned, [start, end) */
	vm_prot_t prot, max_prot;
	vm_inherit_t inherit;
	/* Memory-object regions only (vm_map; see kern/vm_object.h). */
	struct vm_object *object;	/* [M] and [O] to change; NULL: anonymous zero-fill */
	uint32_t offset;		/* [M][O] object offset of start */
	bool private_copy;		/* [M] writes go to the task's own copy of the page */
	struct task *task;		/* [I] the map it is in */
	enum vm_device device;		/* [I] device or DMA memory (vm_map_device), else VM_DEVICE_NONE */
	struct list obj_link;		/* [O] object->mappings */
};

/* Whether r's protection allows a user read (or write) of its pages. i386: execute reads. */
static inline bool
vm_region_allows(const struct vm_region *r, bool write)
{
	return (r->prot & (write ? VM_PROT_WRITE : VM_PROT_READ | VM_PROT_EXECUTE)) != 0;
}

/* Where r maps its object's page at offset, or 0 if r does not cover it. */
static inline uint32_t
vm_region_va_of(const struct vm_region *r, uint32_t offset)
{
	if (offset < r->offset || offset - r->offset >= r->end - r->start)
		return 0;
	return r->start + (offset - r->offset);
}

void vm_map_init(struct task *t);
/* The task is finished: every region and page goes, and the map takes no new region. */
void vm_map_terminate(struct task *t);
/* Its last reference went: frees what regions are left (none, once terminated). */
void vm_map_destroy(struct task *t);
/* The bytes its regions cover, touched or not (task_info's virtual size). */
uint32_t vm_map_size(struct task *t);
/* Records a range the loader mapped itself (program image, stacks). */
kern_return_t vm_map_reserve(struct task *t, uint32_t start, uint32_t end, vm_prot_t prot);
/* *addr in/out; anywhere: pick the address (searching from *addr). Zero-filled. */
kern_return_t vm_map_allocate(struct task *t, uint32_t *addr, uint32_t size, bool anywhere);
kern_return_t vm_map_deallocate(struct task *t, uint32_t addr, uint32_t size);
/*
 * size bytes at address in t into d at dest_address (vm_copy_to's work, for
 * its RPC and its trap): nothing written unless the whole range can be.
 */
kern_return_t vm_copy_between(struct task *t, uint32_t address, uint32_t size, struct task *d, uint32_t dest_address);
kern_return_t vm_map_protect(struct task *t, uint32_t addr, uint32_t size, bool set_max, vm_prot_t prot);
kern_return_t vm_map_inherit(struct task *t, uint32_t addr, uint32_t size, vm_inherit_t inherit);
/* The region that holds va, or NULL. [M] held. */
struct vm_region *vm_map_lookup_locked(struct task *t, uint32_t va);
/*
 * Whether the map lets a task read (or write) every page of [addr, addr + size),
 * as the vm calls decide before they copy: KERN_INVALID_ADDRESS for a page
 * outside every region, KERN_PROTECTION_FAILURE for one whose region's
 * protection refuses the access, else KERN_SUCCESS (also for size 0).
 */
kern_return_t vm_map_check_access(struct task *t, uint32_t addr, uint32_t size, bool write);
/* The pmap access bits (PMAP_READ_OK, PMAP_WRITE) that prot allows. */
int vm_prot_pmap(vm_prot_t prot);
/* The first region that ends above addr. KERN_NO_SPACE when there is none. */
kern_return_t vm_map_region(struct task *t, uint32_t addr, struct vm_region_info *info);
/* A copy of r (not its pages) in t's map. */
struct vm_region *vm_region_clone(struct task *t, const struct vm_region *r);

/*
 * Maps an object (referenced; the reference goes to the region) like
 * vm_allocate: *addr in/out, anywhere with an alignment mask.
 */
kern_return_t vm_map_object(struct task *t, uint32_t *addr, uint32_t size, uint32_t mask, bool anywhere,
			    struct vm_object *obj, uint32_t offset, bool copy, vm_prot_t cur, vm_prot_t max,
			    vm_inherit_t inherit);
/*
 * Maps [phys, phys + size) (page aligned) into t anywhere as a region of kind
 * device, read and write. For VM_DEVICE_DMA the pages are allocated ones whose
 * references the map takes over, freed on failure too. *addr: where.
 */
kern_return_t vm_map_device(struct task *t, uint32_t *addr, paddr_t phys, uint32_t size, enum vm_device kind);
/* The bytes t's regions of that kind cover. */
uint32_t vm_map_device_size(struct task *t, enum vm_device kind);
/*
 * vm/dma_hold.c: the pages of a DMA region that goes are held (a reference
 * each) for two seconds, since the device may still write them; the "dma
 * hold" kernel thread (vm_dma_hold_init, with the device support) lets them go.
 */
void vm_dma_hold(const paddr_t *page, uint32_t n);
void vm_dma_hold_init(void);
/* Whether va lies in a region backed by a memory object (OOL sends copy such pages). */
bool vm_map_is_object_backed(struct task *t, uint32_t va);

/* fault.c */
/*
 * Makes va accessible as a user access would. Waits for an external pager when
 * it can (interrupts on, no spin lock held); otherwise a page the pager has not supplied yet
 * fails with KERN_MEMORY_ERROR (the request still goes out).
 */
kern_return_t vm_fault(struct task *t, uint32_t va, bool write);
/* Writes-faults the object-backed pages of a range (before a receive into it). */
void vm_fault_in_objects(struct task *t, uint32_t addr, uint32_t len);
/* Zero fill and copy-on-write for a page of r not backed by an object's page. [M] held. */
kern_return_t vm_fault_anonymous_locked(struct task *t, struct vm_region *r, uint32_t va, bool write);
/*
 * Gives t its own writable page for the copy-on-write page pa mapped at va:
 * pa itself when nobody else holds it any more, else a copy. [M] held.
 */
kern_return_t vm_cow_break_locked(struct task *t, uint32_t va, paddr_t pa);
kern_return_t vm_map_fork(struct task *parent, struct task *child);
/*
 * A copy of the anonymous page mapped at va, for another holder (a child, a
 * message): the page itself made copy-on-write, or a fresh copy when it is
 * shared writable with other tasks. The page comes with a reference for the
 * caller. KERN_INVALID_ADDRESS when no anonymous page is there.
 */
struct pmap;
kern_return_t vm_page_for_copy(struct pmap *p, uint32_t va, paddr_t *out);

#endif
