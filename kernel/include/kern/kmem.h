/*
 * kmalloc: the kernel heap, in its own virtual range. Its pages come from the
 * page pool as blocks need them and go back when no block does, but for up to
 * KMEM_CACHE_PAGES empty ones it keeps for reuse.
 */
#ifndef KERN_KMEM_H
#define KERN_KMEM_H

#include <stddef.h>
#include <stdint.h>
#include <kern/heap.h>

/* Empty heap pages kept mapped for reuse (not in the page pool), at most. */
#define KMEM_CACHE_PAGES 16

void kmem_init(void);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Like kfree, but says what was wrong with p instead of panicking. */
enum heap_error kfree_checked(void *p);
size_t kmem_bytes_in_use(void);
size_t kmem_blocks_in_use(void);
/* Pages the heap holds (mapped), and those of them that hold no block. */
uint32_t kmem_pages_mapped(void);
uint32_t kmem_pages_cached(void);
enum heap_error kmem_check(void);

#endif
