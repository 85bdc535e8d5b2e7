/*
 * The kernel heap: heap.c's allocator over [KHEAP_BASE, KHEAP_BASE+KHEAP_SIZE),
 * backed by physical pages mapped as the heap grows. The page tables for the
 * whole range exist from pmap_init() on, so growing never touches a page
 * directory and every task sees the same heap.
 */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/spinlock.h>
#include "layout.h"
#include "pmap.h"

static struct spinlock kmem_lock = SPINLOCK_INIT("kmem");
static struct heap kheap;	/* [kmem_lock] */

static bool
kheap_grow(struct heap *h, size_t bytes)
{
	for (uintptr_t va = h->end; va < h->end + bytes; va += PAGE_SIZE) {
		paddr_t pa = page_alloc(PAGE_KERNEL);
		if (!pa) {
			/* undo this attempt: the heap stays as it was */
			for (uintptr_t u = h->end; u < va; u += PAGE_SIZE)
				page_free(pmap_kremove(u));
			return false;
		}
		pmap_kenter(va, pa);
	}
	return true;
}

void
kmem_init(void)
{
	heap_init(&kheap, KHEAP_BASE, KHEAP_BASE + KHEAP_SIZE, kheap_grow);
}

void *
kmalloc(size_t size)
{
	uint32_t f = spin_lock_irqsave(&kmem_lock);
	void *p = heap_alloc(&kheap, size);

	spin_unlock_irqrestore(&kmem_lock, f);
	return p;
}

void *
kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

enum heap_error
kfree_checked(void *p)
{
	uint32_t f;
	enum heap_error e;

	if (!p)
		return HEAP_OK;
	f = spin_lock_irqsave(&kmem_lock);
	e = heap_free(&kheap, p);
	spin_unlock_irqrestore(&kmem_lock, f);
	return e;
}

void
kfree(void *p)
{
	enum heap_error e = kfree_checked(p);

	if (e != HEAP_OK)
		panic("kfree(%p): %s", p, e == HEAP_DOUBLE_FREE ? "double free" : "not a heap block");
}

size_t kmem_bytes_in_use(void) { return kheap.bytes_in_use; }
uint32_t kmem_pages_mapped(void) { return (uint32_t)((kheap.end - kheap.base) / PAGE_SIZE); }
size_t kmem_blocks_in_use(void) { return kheap.blocks_in_use; }

enum heap_error
kmem_check(void)
{
	uint32_t f = spin_lock_irqsave(&kmem_lock);
	enum heap_error e = heap_check(&kheap);

	spin_unlock_irqrestore(&kmem_lock, f);
	return e;
}
