/*
 * The boundary-tag heap (kernel/vm/heap.c) on a host arena. The arena's pages
 * are really unmapped and mapped (mprotect), so a heap that touched a page it
 * gave back would fault here, and a bitmap says which are mapped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <kern/heap.h>
#include "unit.h"

#define ARENA (4 << 20)
#define NPAGES (ARENA / HEAP_PAGE)
static unsigned char *arena;
static bool page_mapped[NPAGES];
static size_t mapped;			/* pages mapped now */
static size_t maps, unmaps;		/* pages mapped and unmapped since setup */
static size_t page_budget;		/* map refuses past this many mapped pages */
static bool bad_call;			/* a page mapped twice or unmapped twice */

static size_t page_index(uintptr_t va) { return (va - (uintptr_t)arena) / HEAP_PAGE; }

static bool
map(struct heap *h, uintptr_t va, size_t bytes)
{
	(void)h;
	if (va % HEAP_PAGE || bytes % HEAP_PAGE || va + bytes > (uintptr_t)arena + ARENA)
		bad_call = true;
	if (mapped + bytes / HEAP_PAGE > page_budget)
		return false;
	for (uintptr_t a = va; a < va + bytes; a += HEAP_PAGE) {
		if (page_mapped[page_index(a)])
			bad_call = true;
		page_mapped[page_index(a)] = true;
	}
	mprotect((void *)va, bytes, PROT_READ | PROT_WRITE);
	memset((void *)va, 0xA5, bytes);	/* a fresh page holds nothing useful */
	mapped += bytes / HEAP_PAGE;
	maps += bytes / HEAP_PAGE;
	return true;
}

static void
unmap(struct heap *h, uintptr_t va, size_t bytes)
{
	(void)h;
	if (va % HEAP_PAGE || bytes % HEAP_PAGE)
		bad_call = true;
	for (uintptr_t a = va; a < va + bytes; a += HEAP_PAGE) {
		if (!page_mapped[page_index(a)])
			bad_call = true;
		page_mapped[page_index(a)] = false;
	}
	mprotect((void *)va, bytes, PROT_NONE);
	mapped -= bytes / HEAP_PAGE;
	unmaps += bytes / HEAP_PAGE;
}

static bool
is_mapped(const struct heap *h, uintptr_t va)
{
	(void)h;
	return page_mapped[page_index(va)];
}

static void
setup_cached(struct heap *h, size_t limit, size_t cache_max)
{
	if (!arena)
		arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(arena, ARENA, PROT_NONE);	/* nothing is mapped until the heap says so */
	memset(page_mapped, 0, sizeof page_mapped);
	mapped = maps = unmaps = 0;
	page_budget = NPAGES;
	bad_call = false;
	heap_init(h, (uintptr_t)arena, (uintptr_t)arena + limit, cache_max, map, unmap);
	h->is_mapped = is_mapped;
}

static void
setup(struct heap *h, size_t limit)
{
	setup_cached(h, limit, 16);
}

UNIT_TEST(heap_mixed_sizes_random_order_no_overlap_no_leak)
{
	struct heap h;
	enum { N = 2000 };
	static unsigned char *p[N];
	static size_t sz[N];
	unsigned seed = 1;

	setup(&h, ARENA);
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		sz[i] = 1 + (seed >> 8) % ((seed & 0x10) ? 3000 : 64);
		p[i] = heap_alloc(&h, sz[i]);
		EXPECT(p[i] != NULL);
		if (!p[i])
			return;
		EXPECT(((uintptr_t)p[i] & 15) == 0);
		memset(p[i], i & 0xFF, sz[i]);
	}
	for (int i = 0; i < N; i++)		/* nobody wrote over anybody */
		for (size_t j = 0; j < sz[i]; j++)
			if (p[i][j] != (i & 0xFF)) {
				EXPECT(!"overlapping blocks");
				return;
			}
	for (int i = N - 1; i > 0; i--) {	/* free in a random order */
		int j;
		unsigned char *tp;
		size_t ts;
		seed = seed * 1103515245 + 12345;
		j = (int)((seed >> 8) % (unsigned)(i + 1));
		tp = p[i], p[i] = p[j], p[j] = tp;
		ts = sz[i], sz[i] = sz[j], sz[j] = ts;
	}
	for (int i = 0; i < N; i++) {
		EXPECT_EQ(heap_free(&h, p[i]), HEAP_OK);
		if (i % 100 == 0)
			EXPECT_EQ(heap_check(&h), HEAP_OK);
	}
	EXPECT_EQ(h.bytes_in_use, 0);
	EXPECT_EQ(h.blocks_in_use, 0);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT(!bad_call);
	/* everything merged back once the quick lists are flushed, and every page went back */
	heap_flush_quick(&h);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT_EQ(mapped, 0);
	EXPECT_EQ(h.pages_mapped, 0);
	EXPECT(heap_alloc(&h, 1 << 20) != NULL);
}

UNIT_TEST(heap_refuses_double_free_and_foreign_pointers)
{
	struct heap h;
	char local[64];
	void *a, *b;

	setup(&h, ARENA);
	a = heap_alloc(&h, 100);
	b = heap_alloc(&h, 100);
	EXPECT_EQ(heap_free(&h, a), HEAP_OK);
	EXPECT_EQ(heap_free(&h, a), HEAP_DOUBLE_FREE);
	EXPECT_EQ(heap_free(&h, local + 16), HEAP_BAD_POINTER);
	EXPECT_EQ(heap_free(&h, (char *)b + 16), HEAP_BAD_POINTER);
	EXPECT_EQ(heap_free(&h, (char *)b + 1), HEAP_BAD_POINTER);
	EXPECT_EQ(heap_free(&h, b), HEAP_OK);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
}

UNIT_TEST(heap_zero_huge_and_exhausted_requests_fail_cleanly)
{
	struct heap h;
	void *p;

	setup(&h, 256 * 1024);
	EXPECT(heap_alloc(&h, 0) == NULL);
	EXPECT(heap_alloc(&h, (size_t)-1) == NULL);
	EXPECT(heap_alloc(&h, 300 * 1024) == NULL);
	p = heap_alloc(&h, 100 * 1024);
	EXPECT(p != NULL);
	EXPECT(heap_alloc(&h, 200 * 1024) == NULL);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT_EQ(heap_free(&h, p), HEAP_OK);
	EXPECT(heap_alloc(&h, 200 * 1024) != NULL);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
}

UNIT_TEST(heap_maps_only_the_pages_blocks_use)
{
	struct heap h;
	void *a, *b;

	setup(&h, ARENA);
	EXPECT_EQ(mapped, 0);
	a = heap_alloc(&h, 10);
	EXPECT(a != NULL);
	EXPECT(mapped > 0 && mapped <= 2);	/* the first block's page and the end block's */
	size_t after_first = mapped;
	heap_alloc(&h, 10);
	EXPECT_EQ(mapped, after_first);
	b = heap_alloc(&h, 40000);		/* ten pages, not the 64 KiB the heap grew by */
	EXPECT(b != NULL);
	EXPECT(mapped - after_first >= 9 && mapped - after_first <= 11);
	memset(b, 1, 40000);
	EXPECT_EQ(h.pages_mapped, mapped);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT(!bad_call);
}

/* Issue 12: a freed large block's pages go back; the next large block maps them again. */
UNIT_TEST(heap_gives_pages_back_after_free_and_maps_them_again)
{
	struct heap h;
	enum { N = 16, SIZE = 64 * 1024 };
	void *p[N];
	size_t base_mapped, peak;

	setup_cached(&h, ARENA, 4);
	p[0] = heap_alloc(&h, 100);		/* stays: the heap never becomes empty */
	base_mapped = mapped;
	for (int i = 1; i < N; i++) {
		p[i] = heap_alloc(&h, SIZE);
		EXPECT(p[i] != NULL);
		memset(p[i], i, SIZE);
	}
	peak = mapped;
	EXPECT(peak - base_mapped >= (N - 1) * (SIZE / HEAP_PAGE));
	for (int i = 1; i < N; i += 2)		/* every other one: no merging yet */
		EXPECT_EQ(heap_free(&h, p[i]), HEAP_OK);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT(h.cached_pages <= 4);
	EXPECT(mapped < peak - (N / 2 - 1) * (SIZE / HEAP_PAGE - 2));
	for (int i = 2; i < N; i += 2)
		EXPECT_EQ(heap_free(&h, p[i]), HEAP_OK);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	/* back to where it was, but for the cache and the end block's page */
	EXPECT(mapped <= base_mapped + 4 + 1);
	EXPECT(h.end - h.base <= 2 * 128 * 1024);	/* and the top came down */
	EXPECT_EQ(h.pages_mapped, mapped);
	/* reused: mapped again, and the contents are the heap's to write */
	size_t unmaps_before = unmaps;
	for (int i = 1; i < N; i++) {
		p[i] = heap_alloc(&h, SIZE);
		EXPECT(p[i] != NULL);
		memset(p[i], i, SIZE);
	}
	/* nothing given back meanwhile but, when the cache is full, the page of
	 * the old end block each time the heap grows */
	EXPECT(unmaps - unmaps_before < N);
	EXPECT(mapped >= peak - 2);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	for (int i = 0; i < N; i++)
		EXPECT_EQ(heap_free(&h, p[i]), HEAP_OK);
	heap_flush_quick(&h);	/* small blocks wait on the quick lists until then */
	EXPECT_EQ(mapped, 0);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT(!bad_call);
}

/* A block freed and allocated again and again maps nothing once the cache holds its pages. */
UNIT_TEST(heap_cache_keeps_a_hot_block_from_mapping_every_time)
{
	struct heap h;
	void *keep, *p;
	size_t m;

	setup(&h, ARENA);
	keep = heap_alloc(&h, 100);
	p = heap_alloc(&h, 5000);		/* two pages, like a 4 KiB message */
	EXPECT_EQ(heap_free(&h, p), HEAP_OK);
	m = maps;
	for (int i = 0; i < 100; i++) {
		p = heap_alloc(&h, 5000);
		EXPECT(p != NULL);
		memset(p, i, 5000);
		EXPECT_EQ(heap_free(&h, p), HEAP_OK);
	}
	EXPECT_EQ(maps, m);
	EXPECT_EQ(heap_free(&h, keep), HEAP_OK);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT(!bad_call);
}

/* When map refuses, heap_alloc fails and the heap is as it was. */
UNIT_TEST(heap_allocation_fails_cleanly_when_pages_run_out)
{
	struct heap h;
	void *small[64], *big;
	int n = 0;

	setup_cached(&h, ARENA, 0);
	small[n++] = heap_alloc(&h, 100);
	page_budget = mapped + 5;
	big = heap_alloc(&h, 8 * HEAP_PAGE);	/* needs more pages than are left */
	EXPECT(big == NULL);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT_EQ(h.blocks_in_use, 1);
	EXPECT(mapped <= page_budget);
	while (n < 64 && (small[n] = heap_alloc(&h, 3000)) != NULL) {	/* until pages run out */
		memset(small[n], n, 3000);
		n++;
		EXPECT_EQ(heap_check(&h), HEAP_OK);
	}
	EXPECT(n > 1 && n < 64);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	page_budget = NPAGES;			/* pages again: it works as before */
	big = heap_alloc(&h, 8 * HEAP_PAGE);
	EXPECT(big != NULL);
	memset(big, 0, 8 * HEAP_PAGE);
	EXPECT_EQ(heap_free(&h, big), HEAP_OK);
	for (int i = 0; i < n; i++)
		EXPECT_EQ(heap_free(&h, small[i]), HEAP_OK);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	heap_flush_quick(&h);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT_EQ(mapped, 0);
	EXPECT(!bad_call);
}

/* A pointer into a free block whose pages went back is refused, not read. */
UNIT_TEST(heap_refuses_a_pointer_into_a_page_given_back)
{
	struct heap h;
	void *keep, *big;

	setup_cached(&h, ARENA, 0);
	keep = heap_alloc(&h, 100);
	big = heap_alloc(&h, 10 * HEAP_PAGE);
	EXPECT_EQ(heap_free(&h, big), HEAP_OK);
	EXPECT_EQ(heap_free(&h, (char *)big + 4 * HEAP_PAGE), HEAP_BAD_POINTER);
	EXPECT_EQ(heap_free(&h, keep), HEAP_OK);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
}

/* Small blocks freed wait on a quick list of their size, and come back first. */
UNIT_TEST(heap_quick_lists_hand_a_small_block_back_and_refuse_a_second_free)
{
	struct heap h;
	void *a, *b, *c, *big[HEAP_QUICK_DEPTH + 2];

	setup(&h, ARENA);
	a = heap_alloc(&h, 100);
	b = heap_alloc(&h, 100);
	EXPECT_EQ(heap_free(&h, a), HEAP_OK);
	EXPECT_EQ(h.bytes_in_use, heap_usable_size(b));		/* a counts as given back */
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	EXPECT_EQ(heap_free(&h, a), HEAP_DOUBLE_FREE);		/* on a quick list: still refused */
	c = heap_alloc(&h, 97);					/* the same size once rounded */
	EXPECT(c == a);
	EXPECT_EQ(heap_free(&h, c), HEAP_OK);
	EXPECT_EQ(heap_free(&h, b), HEAP_OK);
	/* no more than HEAP_QUICK_DEPTH of one size wait; the rest are freed for real */
	for (int i = 0; i < HEAP_QUICK_DEPTH + 2; i++)
		big[i] = heap_alloc(&h, 200);
	for (int i = 0; i < HEAP_QUICK_DEPTH + 2; i++)
		EXPECT_EQ(heap_free(&h, big[i]), HEAP_OK);
	EXPECT_EQ(h.nquick[200 / 16], HEAP_QUICK_DEPTH);
	EXPECT(h.quick_bytes <= HEAP_QUICK_BYTES);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
	heap_flush_quick(&h);
	EXPECT_EQ(h.quick_bytes, 0);
	EXPECT_EQ(mapped, 0);
	EXPECT_EQ(heap_check(&h), HEAP_OK);
}
