/*
 * The physical map: i386 two-level page tables. The only file that knows the
 * page-table entry format is pmap.c. A pmap describes one task's user half;
 * the kernel half (above KERNEL_BASE) is shared by all and fixed at boot.
 */
#ifndef PMAP_H
#define PMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/page.h>

/* Protection and ownership of a mapping. */
#define PMAP_READ	0x0
#define PMAP_WRITE	0x1
#define PMAP_EXEC	0x0	/* i386 without PAE cannot refuse execution */
#define PMAP_OWNED	0x2	/* the page is freed when the mapping goes */
#define PMAP_READ_OK	0x4	/* pmap_protect: user mode may read */
#define PMAP_COW	0x8	/* read-only until written, then copied (vm/fault.c) */
#define PMAP_WIRED	0x10	/* device or DMA memory (kernel/dev): no lookup finds it for a copy */
#define PMAP_DEVICE	0x20	/* ...and uncached (PCD|PWT): device registers, not RAM */

struct pmap;

void pmap_init(paddr_t phys_top);
struct pmap *kernel_pmap(void);
struct pmap *pmap_create(void);
void pmap_destroy(struct pmap *p);
void pmap_activate(struct pmap *p);
/* Maps a user page. Returns 0, or -1 when no page table could be had. */
int pmap_enter(struct pmap *p, uintptr_t va, paddr_t pa, int prot);
bool pmap_lookup(struct pmap *p, uintptr_t va, paddr_t *pa, int *prot);
void *pmap_writable_kva(struct pmap *p, uintptr_t va);
const void *pmap_readable_kva(struct pmap *p, uintptr_t va);
/* The page a DMA mapping (wired, owned) holds at va; false for any other mapping. */
bool pmap_lookup_dma(struct pmap *p, uintptr_t va, paddr_t *pa);
void pmap_remove(struct pmap *p, uintptr_t va);
/* The mappings of [lo, hi), a page table at a time. */
void pmap_remove_range(struct pmap *p, uintptr_t lo, uintptr_t hi);
/* Every user mapping and page table, a table at a time (a finished task's). */
void pmap_remove_all(struct pmap *p);
void pmap_protect(struct pmap *p, uintptr_t va, int prot);
bool pmap_is_cow(struct pmap *p, uintptr_t va);
enum pmap_copy { PMAP_COPY_NONE, PMAP_COPY_COW, PMAP_COPY_SHARED };
enum pmap_copy pmap_prepare_copy(struct pmap *p, uintptr_t va, paddr_t *pa);
bool pmap_present(struct pmap *p, uintptr_t va, paddr_t *pa);
uintptr_t pmap_next_mapped(struct pmap *p, uintptr_t va, uintptr_t end);
uint32_t pmap_lock(struct pmap *p);
void pmap_unlock(struct pmap *p, uint32_t flags);
uint32_t pmap_resident_count(const struct pmap *p);

void pmap_kenter(uintptr_t va, paddr_t pa);
paddr_t pmap_kremove(uintptr_t va);
bool pmap_kmapped(uintptr_t va);
void *pmap_map_device(uint32_t phys, uint32_t size);

#endif
