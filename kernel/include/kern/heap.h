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
 *
 * Small blocks freed go first to a quick list per size (HEAP_QUICK_MAX bytes
 * of payload at most, HEAP_QUICK_DEPTH of each size, HEAP_QUICK_BLOCKS and
 * HEAP_QUICK_BYTES in all):
 * the kernel frees and allocates the same few sizes (messages, ports) all the
 * time, and taking one back from there skips the first-fit walk, the merge and
 * the page bookkeeping. A quick block is neither in use (bytes_in_use leaves it
 * out) nor free (it is not merged); freeing it again is a double free.
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
#define HEAP_QUICK_MAX		256	/* payload bytes; sizes are multiples of 16 */
#define HEAP_QUICK_DEPTH	8
#define HEAP_QUICK_BLOCKS	16	/* in all: a flush (under the caller's lock) merges at most these */
#define HEAP_QUICK_BYTES	(4 * 1024)
	struct heap_block *quick[HEAP_QUICK_MAX / 16];	/* by payload / 16 - 1, linked through next */
	uint8_t nquick[HEAP_QUICK_MAX / 16];
	size_t quick_bytes;		/* blocks (headers included) on the quick lists */
	size_t quick_blocks;		/* ...and how many */
};

enum heap_error { HEAP_OK, HEAP_BAD_POINTER, HEAP_DOUBLE_FREE, HEAP_CORRUPT };

void heap_init(struct heap *h, uintptr_t base, uintptr_t limit, size_t cache_max,
	       bool (*map)(struct heap *, uintptr_t, size_t), void (*unmap)(struct heap *, uintptr_t, size_t));
/* NULL when size is 0 or too large, or when `map` refused a page; the heap is unchanged then. */
void *heap_alloc(struct heap *h, size_t size);
enum heap_error heap_free(struct heap *h, void *p);
size_t heap_usable_size(const void *p);
/* Frees the quick lists' blocks for real (the heap does so itself before it grows). */
void heap_flush_quick(struct heap *h);
/*
 * Walks every block checking headers and the page accounting (and, with
 * is_mapped, that every page is mapped or not as the blocks say); returns
 * HEAP_OK or HEAP_CORRUPT.
 */
enum heap_error heap_check(const struct heap *h);

#endif
