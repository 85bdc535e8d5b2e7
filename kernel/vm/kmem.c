/*
 * The kernel heap: heap.c's allocator over [KHEAP_BASE, KHEAP_BASE+KHEAP_SIZE).
 * Pages are mapped when blocks on them are handed out and go back to the page
 * pool when the heap no longer needs them (kern/heap.h says which). The page
 * tables for the whole range exist from pmap_init() on, so mapping never
 * touches a page directory and every task sees the same heap.
 *
 * kmem_lock is a spin lock (interrupts off), so the pool is kept out of it as
 * far as it can be: a block needing more than KMEM_MAP_UNDER_LOCK new pages
 * makes heap_alloc fail with the count in `want`; kmalloc drops the lock, takes
 * that many pages from the pool, and tries again with them in hand. Pages the
 * heap unmaps wait on `gone` and go back to the pool once the lock is dropped.
 */
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/page.h>
#include <kern/spinlock.h>
#include "layout.h"
#include "pmap.h"

/* New pages a map may take from the pool with kmem_lock held. */
#define KMEM_MAP_UNDER_LOCK 2

/* Physical pages chained through their first words (they are direct-mapped). */
struct page_chain {
	paddr_t head;
	uint32_t n;
};

static struct spinlock kmem_lock = SPINLOCK_INIT("kmem", LOCK_RANK_KMEM);
static struct heap kheap;		/* [kmem_lock] */
static struct page_chain gone;		/* [kmem_lock] unmapped, for the pool */
static struct page_chain *map_from;	/* [kmem_lock] the caller's pages, during its heap_alloc */
static uint32_t map_want;		/* [kmem_lock] pages the refused map wanted beyond those */

static void
chain_push(struct page_chain *c, paddr_t pa)
{
	*(paddr_t *)P2V(pa) = c->head;
	c->head = pa;
	c->n++;
}

static paddr_t
chain_pop(struct page_chain *c)
{
	paddr_t pa = c->head;

	if (pa) {
		c->head = *(paddr_t *)P2V(pa);
		c->n--;
	}
	return pa;
}

static void
chain_free(struct page_chain *c)
{
	paddr_t pa;

	while ((pa = chain_pop(c)) != 0)
		page_free(pa);
}

static bool
kheap_map(struct heap *h, uintptr_t va, size_t bytes)
{
	uint32_t n = (uint32_t)(bytes / PAGE_SIZE), have = map_from ? map_from->n : 0;

	(void)h;
	if (n > have + KMEM_MAP_UNDER_LOCK) {
		map_want = n - have;		/* kmalloc gets them without the lock */
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		paddr_t pa = map_from ? chain_pop(map_from) : 0;
		if (!pa)
			pa = page_alloc(PAGE_KERNEL);
		if (!pa) {
			/* undo this attempt: the heap stays as it was */
			for (uint32_t u = 0; u < i; u++)
				chain_push(&gone, pmap_kremove(va + u * PAGE_SIZE));
			return false;
		}
		pmap_kenter(va + i * PAGE_SIZE, pa);
	}
	return true;
}

static void
kheap_unmap(struct heap *h, uintptr_t va, size_t bytes)
{
	(void)h;
	for (uintptr_t u = va; u < va + bytes; u += PAGE_SIZE)
		chain_push(&gone, pmap_kremove(u));
}

static bool
kheap_is_mapped(const struct heap *h, uintptr_t va)
{
	(void)h;
	return pmap_kmapped(va);
}

void
kmem_init(void)
{
	heap_init(&kheap, KHEAP_BASE, KHEAP_BASE + KHEAP_SIZE, KMEM_CACHE_PAGES, kheap_map, kheap_unmap);
	kheap.is_mapped = kheap_is_mapped;
}

/* Drops kmem_lock, then gives the pages the heap let go to the pool. */
static void
kmem_unlock(uint32_t f)
{
	struct page_chain c = gone;

	if (!c.head) {		/* the common case: nothing was given back */
		spin_unlock_irqrestore(&kmem_lock, f);
		return;
	}
	gone.head = 0;
	gone.n = 0;
	spin_unlock_irqrestore(&kmem_lock, f);
	chain_free(&c);
}

/* Adds n pages from the pool to c, with no lock held; false when there are none. */
static bool
chain_fill(struct page_chain *c, uint32_t n)
{
	while (n--) {
		paddr_t pa = page_alloc(PAGE_KERNEL);
		if (!pa)
			return false;
		chain_push(c, pa);
	}
	return true;
}

void *
kmalloc(size_t size)
{
	struct page_chain mine = { 0, 0 };
	uint32_t f = spin_lock_irqsave(&kmem_lock);
	void *p;

	for (;;) {
		map_from = &mine;
		map_want = 0;
		p = heap_alloc(&kheap, size);
		map_from = NULL;
		if (p || map_want == 0)
			break;
		/* a large block: get its pages with interrupts on, then try again */
		uint32_t want = map_want;
		kmem_unlock(f);
		if (!chain_fill(&mine, want)) {
			chain_free(&mine);
			return NULL;
		}
		f = spin_lock_irqsave(&kmem_lock);
	}
	kmem_unlock(f);
	if (mine.head)
		chain_free(&mine);	/* what a smaller need than foreseen left over */
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
	kmem_unlock(f);
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
uint32_t kmem_pages_mapped(void) { return (uint32_t)kheap.pages_mapped; }
uint32_t kmem_pages_cached(void) { return (uint32_t)kheap.cached_pages; }
size_t kmem_blocks_in_use(void) { return kheap.blocks_in_use; }

enum heap_error
kmem_check(void)
{
	uint32_t f = spin_lock_irqsave(&kmem_lock);
	enum heap_error e = heap_check(&kheap);

	kmem_unlock(f);
	return e;
}
