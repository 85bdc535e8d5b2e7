/*
 * Kernel suite: the physical page allocator and the kernel heap.
 */
#include <kern/boot.h>
#include <kern/kmem.h>
#include <kern/page.h>
#include "ktest.h"
#include "layout.h"

extern char _text[];

/* Takes every page of the given kind, chained through their first words. */
static uint32_t
take_all(int flags, paddr_t *chain)
{
	uint32_t n = 0;
	paddr_t pa;

	*chain = 0;
	while ((pa = page_alloc(flags)) != 0) {
		*(paddr_t *)P2V(pa) = *chain;
		*chain = pa;
		n++;
	}
	return n;
}

static void
give_back(paddr_t chain)
{
	while (chain) {
		paddr_t next = *(paddr_t *)P2V(chain);
		KEXPECT_EQ(page_free(chain), PAGE_OK);
		chain = next;
	}
}

KTEST(kernel, page_alloc_every_free_page_then_free_all_restores_count)
{
	uint32_t start = page_free_count();
	paddr_t chain;
	uint32_t n = take_all(PAGE_KERNEL, &chain);

	KEXPECT_EQ(n, start);
	KEXPECT_EQ(page_free_count(), 0);
	KEXPECT(page_alloc(PAGE_KERNEL) == 0);
	give_back(chain);
	KEXPECT_EQ(page_free_count(), start);
}

KTEST(kernel, page_double_free_is_refused)
{
	uint32_t start = page_free_count();
	paddr_t pa = page_alloc(PAGE_KERNEL);

	KEXPECT(pa != 0);
	KEXPECT_EQ(page_free(pa), PAGE_OK);
	KEXPECT_EQ(page_free(pa), PAGE_ERR_DOUBLE_FREE);
	KEXPECT_EQ(page_free_count(), start);
}

KTEST(kernel, page_free_of_kernel_module_or_firmware_page_is_refused)
{
	uint32_t start = page_free_count();

	KEXPECT_EQ(page_free(V2P(_text)), PAGE_ERR_RESERVED);		/* kernel code */
	KEXPECT_EQ(page_free(0x0), PAGE_ERR_RESERVED);			/* real-mode area */
	KEXPECT_EQ(page_free(ROUND_DOWN(boot_modules[0].start, PAGE_SIZE)), PAGE_ERR_RESERVED);
	KEXPECT_EQ(page_free(0xFFFFF000), PAGE_ERR_NOT_RAM);
	KEXPECT_EQ(page_free(0x00200123), PAGE_ERR_UNALIGNED);
	KEXPECT_EQ(page_free_count(), start);
}

KTEST(kernel, page_user_allocations_leave_the_kernel_reserve)
{
	uint32_t start = page_free_count();
	paddr_t chain, pa;
	uint32_t n = take_all(PAGE_USER, &chain);

	KEXPECT(n > 0);
	KEXPECT_EQ(page_free_count(), page_reserve_count());
	pa = page_alloc(PAGE_KERNEL);	/* the kernel still gets one */
	KEXPECT(pa != 0);
	page_free(pa);
	give_back(chain);
	KEXPECT_EQ(page_free_count(), start);
}

KTEST(kernel, kmalloc_mixed_sizes_random_order_no_overlap_no_leak)
{
	enum { N = 600 };
	static uint8_t *p[N];
	static uint32_t sz[N];
	size_t before = kmem_bytes_in_use();

	for (int i = 0; i < N; i++) {
		sz[i] = 1 + ktest_rand() % ((i % 7 == 0) ? 20000 : 200);
		p[i] = kmalloc(sz[i]);
		KEXPECT(p[i] != NULL);
		if (!p[i])
			return;
		memset(p[i], i & 0xFF, sz[i]);
	}
	for (int i = 0; i < N; i++)
		for (uint32_t j = 0; j < sz[i]; j++)
			if (p[i][j] != (i & 0xFF)) {
				ktest_fail(__FILE__, __LINE__, "block %d overwritten at %u", i, j);
				return;
			}
	for (int i = N - 1; i > 0; i--) {
		int j = (int)(ktest_rand() % (uint32_t)(i + 1));
		uint8_t *t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	for (int i = 0; i < N; i++)
		KEXPECT_EQ(kfree_checked(p[i]), HEAP_OK);
	KEXPECT_EQ(kmem_bytes_in_use(), before);
	KEXPECT_EQ(kmem_check(), HEAP_OK);
}

KTEST(kernel, kfree_refuses_double_free_and_foreign_pointers)
{
	void *a = kmalloc(64);
	int local;

	KEXPECT_EQ(kfree_checked(a), HEAP_OK);
	KEXPECT_EQ(kfree_checked(a), HEAP_DOUBLE_FREE);
	KEXPECT_EQ(kfree_checked(&local), HEAP_BAD_POINTER);
	KEXPECT_EQ(kfree_checked(_text), HEAP_BAD_POINTER);
	KEXPECT_EQ(kmem_check(), HEAP_OK);
}

KTEST(kernel, kmalloc_of_zero_or_impossible_sizes_fails_cleanly)
{
	KEXPECT(kmalloc(0) == NULL);
	KEXPECT(kmalloc(0xFFFFFFFF) == NULL);
	KEXPECT(kmalloc(KHEAP_SIZE) == NULL);
	KEXPECT_EQ(kmem_check(), HEAP_OK);
}

/*
 * Issue 12: freed heap memory goes back to the page pool. 64 blocks of 64 KiB
 * (1,024 pages and more) are allocated and freed; the pool must then be where it
 * was, but for the empty pages the heap keeps mapped for reuse (at most
 * KMEM_CACHE_PAGES) and the page of its end block, should the top of the heap
 * not have been able to shrink back exactly.
 */
KTEST(kernel, kfree_of_large_blocks_gives_their_pages_back)
{
	enum { N = 64, SIZE = 64 * 1024 };
	static void *p[N];
	uint32_t before = page_free_count();

	for (int i = 0; i < N; i++) {
		p[i] = kmalloc(SIZE);
		KEXPECT(p[i] != NULL);
		if (!p[i])
			return;
		memset(p[i], 0x5A, SIZE);
	}
	KEXPECT(page_free_count() + N * (SIZE / PAGE_SIZE) <= before + KMEM_CACHE_PAGES);
	for (int i = 0; i < N; i += 2)		/* every other one first: no merging yet */
		kfree(p[i]);
	for (int i = 1; i < N; i += 2)
		kfree(p[i]);
	KEXPECT(page_free_count() + KMEM_CACHE_PAGES + 1 >= before);
	KEXPECT_EQ(kmem_check(), HEAP_OK);
}
