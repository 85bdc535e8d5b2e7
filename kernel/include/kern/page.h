/*
 * The physical page allocator. Every page frame below the direct-map limit has
 * a struct page; free ones sit on a free list. Pages the kernel image, the boot
 * modules and the loader's data occupy are marked reserved and can never be
 * freed. A reserve of pages is kept for the kernel: user allocations fail first.
 */
#ifndef KERN_PAGE_H
#define KERN_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SHIFT 12

typedef uint32_t paddr_t;

enum page_alloc_flags {
	PAGE_KERNEL = 0,	/* may dip into the reserve */
	PAGE_USER = 1,		/* fails when only the reserve is left */
	PAGE_ZERO = 2,
};

enum page_error {
	PAGE_OK = 0,
	PAGE_ERR_DOUBLE_FREE,	/* the page was already free */
	PAGE_ERR_RESERVED,	/* a page of the kernel image, a module or the firmware */
	PAGE_ERR_NOT_RAM,	/* not a page the allocator manages */
	PAGE_ERR_UNALIGNED,
};

paddr_t page_array_place(paddr_t placement, paddr_t max_addr);
void page_add_free_range(paddr_t start, paddr_t end);
void page_reserve_range(paddr_t start, paddr_t end);
void page_init_end(void);

paddr_t page_alloc(int flags);		/* 0 when none is left */
enum page_error page_free(paddr_t pa);
/*
 * n physically contiguous pages, zeroed, below limit (0: anywhere), each
 * allocated as page_alloc's (DMA memory, kernel/dev); stops at the reserve
 * as PAGE_USER does. 0 when there is no such run.
 */
paddr_t page_alloc_contig(uint32_t n, paddr_t limit);
/* Whether any frame of [pa, pa + size) is RAM the allocator manages (free, in use or reserved). */
bool page_range_has_ram(paddr_t pa, uint32_t size);
/* The first frame that is ever allocated (not reserved): no run lies below it. */
paddr_t page_lowest_allocatable(void);
void page_ref(paddr_t pa);
void page_unref(paddr_t pa);	/* frees the page with its last holder */
uint32_t page_refs(paddr_t pa);
const char *page_error_string(enum page_error e);

/* Read without the lock: a snapshot, as any count is once the lock goes (page.c). */
extern uint32_t page_nfree, page_nreserve;
static inline uint32_t page_free_count(void) { return __atomic_load_n(&page_nfree, __ATOMIC_RELAXED); }
uint32_t page_total_count(void);	/* usable RAM pages, free or in use */
static inline uint32_t page_reserve_count(void) { return page_nreserve; }

#endif
