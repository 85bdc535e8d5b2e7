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
#include <mach/kern_return.h>
#include <mach/vm_types.h>

struct task;

#define VM_ALLOC_MIN	0x10000000u	/* where vm_allocate anywhere looks first */

struct vm_region {
	struct list link;	/* [task->map_lock] */
	uint32_t start, end;	/* page aligned, [start, end) */
	vm_prot_t prot, max_prot;
	vm_inherit_t inherit;
};

void vm_map_init(struct task *t);
void vm_map_destroy(struct task *t);
/* Records a range the loader mapped itself (program image, stacks). */
kern_return_t vm_map_reserve(struct task *t, uint32_t start, uint32_t end, vm_prot_t prot);
/* *addr in/out; anywhere: pick the address (searching from *addr). Zero-filled. */
kern_return_t vm_map_allocate(struct task *t, uint32_t *addr, uint32_t size, bool anywhere);
kern_return_t vm_map_deallocate(struct task *t, uint32_t addr, uint32_t size);
kern_return_t vm_map_protect(struct task *t, uint32_t addr, uint32_t size, bool set_max, vm_prot_t prot);
kern_return_t vm_map_inherit(struct task *t, uint32_t addr, uint32_t size, vm_inherit_t inherit);
/* Whether every page of [addr, addr + size) is allocated (true for size 0). */
bool vm_map_covers(struct task *t, uint32_t addr, uint32_t size);
/* The pmap access bits (PMAP_READ_OK, PMAP_WRITE) that prot allows. */
int vm_prot_pmap(vm_prot_t prot);
/* The first region that ends above addr. KERN_NO_SPACE when there is none. */
kern_return_t vm_map_region(struct task *t, uint32_t addr, struct vm_region_info *info);
/* A copy of r (not its pages) in t's map. */
struct vm_region *vm_region_clone(struct task *t, const struct vm_region *r);

/* fault.c */
kern_return_t vm_fault(struct task *t, uint32_t va, bool write);
kern_return_t vm_map_fork(struct task *parent, struct task *child);

#endif
