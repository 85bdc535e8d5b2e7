/*
 * kmalloc: the kernel heap, in its own virtual range, grown a page at a time.
 */
#ifndef KERN_KMEM_H
#define KERN_KMEM_H

#include <stddef.h>
#include <stdint.h>
#include <kern/heap.h>

void kmem_init(void);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Like kfree, but says what was wrong with p instead of panicking. */
enum heap_error kfree_checked(void *p);
size_t kmem_bytes_in_use(void);
size_t kmem_blocks_in_use(void);
uint32_t kmem_pages_mapped(void);
enum heap_error kmem_check(void);

#endif
