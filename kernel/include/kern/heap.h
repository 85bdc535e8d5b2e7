/*
 * A boundary-tag heap over one growing range of address space: first fit on an
 * explicit free list, neighbours merged on free, headers checked so a bad or
 * repeated free is refused instead of corrupting the heap. Portable C with no
 * locking: kmem.c wraps it for the kernel, tests/unit runs it on the host.
 *
 * Pages come and go: the heap maps a page (the `map` callback) only when a block
 * on it is handed out, and gives back (`unmap`) the whole pages inside a free
 * block, keeping at most `cache_max` of them mapped so that a block freed and
 * allocated again does not map and unmap pages every time. Which pages are
 * mapped follows from the blocks:
 *   - every page of a block in use is mapped;
 *   - a free block's header (with its list links) lies on mapped pages, and so
 *     does its last partial page, which holds the next block's header;
 *   - the whole pages between them, its interior [ilo, ihi), are mapped from
 *     ilo up to the block's `mapped` mark and unmapped above it. The mapped
 *     part counts in `cached_pages`.
 * `pages_mapped` is therefore the heap's whole footprint in the page pool.
 */
#ifndef KERN_HEAP_H
#define KERN_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_PAGE 4096u

struct heap_block;

struct heap {
	uintptr_t base, end, limit;	/* in use: [base, end); may grow up to limit */
	/*
	 * Maps the pages [va, va + bytes) (page aligned); all or nothing: false
	 * leaves them unmapped, and the heap as it was.
	 */
	bool (*map)(struct heap *h, uintptr_t va, size_t bytes);
	void (*unmap)(struct heap *h, uintptr_t va, size_t bytes);
	/* Whether the page holding va is mapped (heap_free's checks); NULL: always. */
	bool (*is_mapped)(const struct heap *h, uintptr_t va);
	struct heap_block *free_head;
	size_t bytes_in_use;		/* payload bytes handed out */
	size_t blocks_in_use;
	size_t pages_mapped;		/* pages of [base, end) mapped now */
	size_t cached_pages;		/* ...of which inside free blocks */
	size_t cache_max;		/* most cached_pages kept */
};

enum heap_error { HEAP_OK, HEAP_BAD_POINTER, HEAP_DOUBLE_FREE, HEAP_CORRUPT };

void heap_init(struct heap *h, uintptr_t base, uintptr_t limit, size_t cache_max,
	       bool (*map)(struct heap *, uintptr_t, size_t), void (*unmap)(struct heap *, uintptr_t, size_t));
/* NULL when size is 0 or too large, or when `map` refused a page; the heap is unchanged then. */
void *heap_alloc(struct heap *h, size_t size);
enum heap_error heap_free(struct heap *h, void *p);
size_t heap_usable_size(const void *p);
/*
 * Walks every block checking headers and the page accounting (and, with
 * is_mapped, that every page is mapped or not as the blocks say); returns
 * HEAP_OK or HEAP_CORRUPT.
 */
enum heap_error heap_check(const struct heap *h);

#endif
