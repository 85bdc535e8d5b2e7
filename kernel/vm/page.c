/*
 * The physical page allocator (see kern/page.h). Boot code describes memory in
 * three steps: page_array_place() puts the page array after the loaded images, page_add_free_range()
 * and page_reserve_range() describe RAM as the Multiboot map and the loaded
 * images say, and page_init_end() builds the free list.
 */
#include <kern/lib.h>
#include <kern/list.h>
#include <kern/lock_order.h>
#include <kern/page.h>
#include <kern/spinlock.h>
#include "layout.h"

enum page_state { PS_NOT_RAM, PS_RESERVED, PS_FREE, PS_USED };

/* [page_lock] for every field */
struct page {
	uint8_t state;
	uint16_t refs;		/* mappings sharing a PS_USED page (copy-on-write) */
	struct list link;	/* on the free list while PS_FREE */
};

static struct spinlock page_lock = SPINLOCK_INIT("page", LOCK_RANK_PAGE);
static struct page *pages;		/* [I] one per frame below max_pfn */
static uint32_t max_pfn;		/* [I] */
static struct list free_list = LIST_INIT(free_list);	/* [page_lock] */
uint32_t page_nfree, page_nreserve;	/* [page_lock] written; read by page.h's counts */
static uint32_t ntotal;		/* [page_lock] */

/* Places the page array at placement (physical) and returns the first free byte after it. */
paddr_t
page_array_place(paddr_t placement, paddr_t max_addr)
{
	size_t bytes;

	max_pfn = max_addr >> PAGE_SHIFT;
	bytes = ROUND_UP(max_pfn * sizeof(struct page), PAGE_SIZE);
	pages = P2V(placement);
	memset(pages, 0, bytes);	/* PS_NOT_RAM everywhere */
	return placement + bytes;
}

void
page_add_free_range(paddr_t start, paddr_t end)
{
	for (uint32_t pfn = ROUND_UP(start, PAGE_SIZE) >> PAGE_SHIFT;
	     pfn < (end >> PAGE_SHIFT) && pfn < max_pfn; pfn++)
		if (pages[pfn].state == PS_NOT_RAM)
			pages[pfn].state = PS_FREE;
}

void
page_reserve_range(paddr_t start, paddr_t end)
{
	for (uint32_t pfn = start >> PAGE_SHIFT; pfn < ROUND_UP(end, PAGE_SIZE) >> PAGE_SHIFT && pfn < max_pfn;
	     pfn++)
		if (pages[pfn].state != PS_NOT_RAM)
			pages[pfn].state = PS_RESERVED;
}

void
page_init_end(void)
{
	for (uint32_t pfn = 0; pfn < max_pfn; pfn++) {
		if (pages[pfn].state == PS_NOT_RAM)
			continue;
		ntotal++;
		if (pages[pfn].state == PS_FREE) {
			list_push_back(&free_list, &pages[pfn].link);
			page_nfree++;
		}
	}
	page_nreserve = MAX(32u, ntotal / 64);
}

paddr_t
page_alloc(int flags)
{
	uint32_t f = spin_lock_irqsave(&page_lock);
	struct list *l;
	struct page *p;
	paddr_t pa;

	if (page_nfree == 0 || ((flags & PAGE_USER) && page_nfree <= page_nreserve)) {
		spin_unlock_irqrestore(&page_lock, f);
		return 0;
	}
	l = free_list.next;
	list_remove(l);
	p = list_entry(l, struct page, link);
	p->state = PS_USED;
	p->refs = 1;
	page_nfree--;
	spin_unlock_irqrestore(&page_lock, f);
	pa = (paddr_t)(p - pages) << PAGE_SHIFT;
	if (flags & PAGE_ZERO)
		memset(P2V(pa), 0, PAGE_SIZE);
	return pa;
}

/*
 * First fit over the frames, under page_lock: a scan of the page array, as
 * long as RAM (16,384 frames for 64 MiB), with interrupts off. DMA memory is
 * asked for when a driver starts, not in a loop.
 */
paddr_t
page_alloc_contig(uint32_t n, paddr_t limit)
{
	uint32_t top = limit ? MIN(max_pfn, limit >> PAGE_SHIFT) : max_pfn, run = 0, first = 0;
	uint32_t f = spin_lock_irqsave(&page_lock);

	if (n == 0 || page_nfree < n || page_nfree - n < page_nreserve) {
		spin_unlock_irqrestore(&page_lock, f);
		return 0;
	}
	for (uint32_t pfn = 0; pfn < top && run < n; pfn++) {
		if (pages[pfn].state != PS_FREE) {
			run = 0;
			continue;
		}
		if (run++ == 0)
			first = pfn;
	}
	if (run < n) {
		spin_unlock_irqrestore(&page_lock, f);
		return 0;
	}
	for (uint32_t pfn = first; pfn < first + n; pfn++) {
		list_remove(&pages[pfn].link);
		pages[pfn].state = PS_USED;
		pages[pfn].refs = 1;
	}
	page_nfree -= n;
	spin_unlock_irqrestore(&page_lock, f);
	memset(P2V((paddr_t)first << PAGE_SHIFT), 0, n * PAGE_SIZE);
	return (paddr_t)first << PAGE_SHIFT;
}

bool
page_range_has_ram(paddr_t pa, uint32_t size)
{
	for (uint32_t pfn = pa >> PAGE_SHIFT; pfn < max_pfn && (paddr_t)pfn << PAGE_SHIFT < pa + size; pfn++)
		if (pages[pfn].state != PS_NOT_RAM)
			return true;
	return false;
}

paddr_t
page_lowest_allocatable(void)
{
	for (uint32_t pfn = 0; pfn < max_pfn; pfn++)
		if (pages[pfn].state == PS_FREE || pages[pfn].state == PS_USED)
			return (paddr_t)pfn << PAGE_SHIFT;
	return 0;
}

/* Refuses, without changing anything, to free what was never allocated. */
enum page_error
page_free(paddr_t pa)
{
	uint32_t pfn = pa >> PAGE_SHIFT;
	enum page_error err = PAGE_OK;
	uint32_t f;

	if (pa & (PAGE_SIZE - 1))
		return PAGE_ERR_UNALIGNED;
	if (pfn >= max_pfn)
		return PAGE_ERR_NOT_RAM;
	f = spin_lock_irqsave(&page_lock);
	switch (pages[pfn].state) {
	case PS_NOT_RAM:
		err = PAGE_ERR_NOT_RAM;
		break;
	case PS_RESERVED:
		err = PAGE_ERR_RESERVED;
		break;
	case PS_FREE:
		err = PAGE_ERR_DOUBLE_FREE;
		break;
	case PS_USED:
		pages[pfn].state = PS_FREE;
		list_push_front(&free_list, &pages[pfn].link);
		page_nfree++;
		break;
	}
	spin_unlock_irqrestore(&page_lock, f);
	return err;
}

const char *
page_error_string(enum page_error e)
{
	switch (e) {
	case PAGE_OK: return "ok";
	case PAGE_ERR_DOUBLE_FREE: return "page is already free";
	case PAGE_ERR_RESERVED: return "page belongs to the kernel or the firmware";
	case PAGE_ERR_NOT_RAM: return "not a RAM page";
	case PAGE_ERR_UNALIGNED: return "address not page aligned";
	}
	return "?";
}

uint32_t page_total_count(void) { return ntotal; }

/* One more holder of a page (a second mapping of it). */
void
page_ref(paddr_t pa)
{
	uint32_t f = spin_lock_irqsave(&page_lock);

	assert(pages[pa >> PAGE_SHIFT].state == PS_USED);
	pages[pa >> PAGE_SHIFT].refs++;
	spin_unlock_irqrestore(&page_lock, f);
}

/* One holder fewer; the last one frees the page. */
void
page_unref(paddr_t pa)
{
	uint32_t f = spin_lock_irqsave(&page_lock);
	struct page *p = &pages[pa >> PAGE_SHIFT];
	bool last;

	assert(p->state == PS_USED && p->refs > 0);
	last = --p->refs == 0;
	if (last)
		p->refs = 1;	/* page_free expects an allocated page */
	spin_unlock_irqrestore(&page_lock, f);
	if (last)
		page_free(pa);
}

uint32_t
page_refs(paddr_t pa)
{
	return pages[pa >> PAGE_SHIFT].refs;
}
