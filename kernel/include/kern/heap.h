/*
 * A boundary-tag heap over one growing range of address space: first fit on an
 * explicit free list, neighbours merged on free, headers checked so a bad or
 * repeated free is refused instead of corrupting the heap. Portable C with no
 * locking: kmem.c wraps it for the kernel, tests/unit runs it on the host.
 */
#ifndef KERN_HEAP_H
#define KERN_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_block;

struct heap {
	uintptr_t base, end, limit;	/* in use: [base, end); may grow up to limit */
	/* Makes [end, end + bytes) usable; returns false when it cannot. */
	bool (*grow)(struct heap *h, size_t bytes);
	struct heap_block *free_head;
	size_t bytes_in_use;		/* payload bytes handed out */
	size_t blocks_in_use;
};

enum heap_error { HEAP_OK, HEAP_BAD_POINTER, HEAP_DOUBLE_FREE, HEAP_CORRUPT };

void heap_init(struct heap *h, uintptr_t base, uintptr_t limit, bool (*grow)(struct heap *, size_t));
void *heap_alloc(struct heap *h, size_t size);
enum heap_error heap_free(struct heap *h, void *p);
size_t heap_usable_size(const void *p);
/* Walks every block checking headers; returns HEAP_OK or HEAP_CORRUPT. */
enum heap_error heap_check(const struct heap *h);

#endif
