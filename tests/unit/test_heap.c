/* The boundary-tag heap (kernel/vm/heap.c) on a host arena. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kern/heap.h>
#include "unit.h"

#define ARENA (4 << 20)
static unsigned char *arena;
static size_t mapped;

static bool
grow(struct heap *h, size_t bytes)
{
	if (h->end + bytes > (uintptr_t)arena + ARENA)
		return false;
	mapped += bytes;
	return true;
}

static void
setup(struct heap *h, size_t limit)
{
	if (!arena)
		arena = aligned_alloc(4096, ARENA);
	memset(arena, 0xA5, ARENA);
	mapped = 0;
	heap_init(h, (uintptr_t)arena, (uintptr_t)arena + limit, grow);
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
	/* everything merged back: one block can take nearly all of it */
	EXPECT(heap_alloc(&h, h.end - h.base - 64) != NULL);
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
}

UNIT_TEST(heap_grows_in_page_multiples_only_when_needed)
{
	struct heap h;

	setup(&h, ARENA);
	EXPECT_EQ(mapped, 0);
	heap_alloc(&h, 10);
	EXPECT(mapped > 0 && mapped % 4096 == 0);
	size_t after_first = mapped;
	heap_alloc(&h, 10);
	EXPECT_EQ(mapped, after_first);
}
