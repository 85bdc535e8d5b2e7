/*
 * The boundary-tag heap (see kern/heap.h). Each block starts with a 16-byte
 * header holding its size, its left neighbour's size, a magic word that says
 * whether it is free and, for a free block, how far its interior is mapped; a
 * zero-size "end" block closes the heap. Free blocks keep their list links in
 * their payload.
 */
#include <kern/heap.h>

#define ALIGN		16
#define MAGIC_USED	0x55534544u
#define MAGIC_FREE	0x46524545u
#define MAGIC_QUICK	0x51554943u	/* on a quick list (kern/heap.h) */
#define MIN_GROW	(64 * 1024)
/* The top of the heap moves down only past this much unmapped space: growing
 * and shrinking by a page for every block at the top would cost a map each time. */
#define SHRINK_MIN	(2 * MIN_GROW)

struct heap_block {
	uint32_t size;		/* whole block, header included; 0 for the end block */
	uint32_t prev_size;	/* size of the block just below, 0 for the first */
	uint32_t magic;
	uint32_t mapped;	/* free blocks: the interior is mapped below block + mapped */
	/* free blocks only: */
	struct heap_block *next, *prev;
};

#define HDR 16u
#define FREE_HDR ((uint32_t)sizeof(struct heap_block))
#define MIN_BLOCK 32u

static uintptr_t page_up(uintptr_t a) { return (a + HEAP_PAGE - 1) & ~(uintptr_t)(HEAP_PAGE - 1); }
static uintptr_t page_down(uintptr_t a) { return a & ~(uintptr_t)(HEAP_PAGE - 1); }

static struct heap_block *
right_of(struct heap_block *b)
{
	return (struct heap_block *)((char *)b + b->size);
}

static struct heap_block *
left_of(struct heap_block *b)
{
	return b->prev_size ? (struct heap_block *)((char *)b - b->prev_size) : NULL;
}

/* A free block's interior: the whole pages between its header and its end. */
static uintptr_t ilo(const struct heap_block *b) { return page_up((uintptr_t)b + FREE_HDR); }
static uintptr_t ihi(const struct heap_block *b) { return page_down((uintptr_t)b + b->size); }

/* Every page of free block b below this is mapped. */
static uintptr_t
mapped_to(const struct heap_block *b)
{
	return ihi(b) > ilo(b) ? (uintptr_t)b + b->mapped : (uintptr_t)b + b->size;
}

static void
set_mark(struct heap_block *b, uintptr_t m)
{
	uintptr_t lo = ilo(b), hi = ihi(b);

	if (hi <= lo) {
		b->mapped = 0;
		return;
	}
	m = m < lo ? lo : m > hi ? hi : m;
	b->mapped = (uint32_t)(m - (uintptr_t)b);
}

/* Pages of free block b's interior kept mapped. */
static size_t
cached_of(const struct heap_block *b)
{
	return ihi(b) > ilo(b) ? ((uintptr_t)b + b->mapped - ilo(b)) / HEAP_PAGE : 0;
}

static bool
map_pages(struct heap *h, uintptr_t lo, uintptr_t hi)
{
	if (lo >= hi)
		return true;
	if (!h->map(h, lo, hi - lo))
		return false;
	h->pages_mapped += (hi - lo) / HEAP_PAGE;
	return true;
}

static void
unmap_pages(struct heap *h, uintptr_t lo, uintptr_t hi)
{
	if (lo >= hi)
		return;
	h->unmap(h, lo, hi - lo);
	h->pages_mapped -= (hi - lo) / HEAP_PAGE;
}

static void
free_list_push(struct heap *h, struct heap_block *b)
{
	b->magic = MAGIC_FREE;
	b->prev = NULL;
	b->next = h->free_head;
	if (h->free_head)
		h->free_head->prev = b;
	h->free_head = b;
}

static void
free_list_remove(struct heap *h, struct heap_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		h->free_head = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

/* Takes free block b off the list and out of the cache count. */
static void
unlist(struct heap *h, struct heap_block *b)
{
	h->cached_pages -= cached_of(b);
	free_list_remove(h, b);
}

/*
 * Lists free block b, whose interior is mapped below m and unmapped above it,
 * giving back the pages the cache has no room for (the highest first).
 */
static void
settle(struct heap *h, struct heap_block *b, uintptr_t m)
{
	size_t c;

	b->magic = MAGIC_FREE;
	set_mark(b, m);
	c = cached_of(b);
	if (h->cached_pages + c > h->cache_max) {
		size_t drop = h->cached_pages + c - h->cache_max;
		uintptr_t mark = (uintptr_t)b + b->mapped;
		if (drop > c)
			drop = c;
		unmap_pages(h, mark - drop * HEAP_PAGE, mark);
		set_mark(b, mark - drop * HEAP_PAGE);
	}
	h->cached_pages += cached_of(b);
	free_list_push(h, b);
}

static void
write_end_block(uintptr_t at, uint32_t prev_size)
{
	struct heap_block *e = (struct heap_block *)at;

	e->size = 0;
	e->prev_size = prev_size;
	e->magic = MAGIC_USED;
}

void
heap_init(struct heap *h, uintptr_t base, uintptr_t limit, size_t cache_max,
	  bool (*map)(struct heap *, uintptr_t, size_t), void (*unmap)(struct heap *, uintptr_t, size_t))
{
	h->base = h->end = base;
	h->limit = limit;
	h->map = map;
	h->unmap = unmap;
	h->is_mapped = NULL;
	h->free_head = NULL;
	h->bytes_in_use = h->blocks_in_use = 0;
	h->pages_mapped = h->cached_pages = 0;
	h->cache_max = cache_max;
	for (unsigned i = 0; i < HEAP_QUICK_MAX / 16; i++) {
		h->quick[i] = NULL;
		h->nquick[i] = 0;
	}
	h->quick_bytes = 0;
	h->quick_blocks = 0;
}

static void release(struct heap *h, struct heap_block *b);

/* The quick list for blocks of payload bytes (a multiple of 16), or -1. */
static int
quick_class(size_t payload)
{
	return payload && payload <= HEAP_QUICK_MAX ? (int)(payload / ALIGN) - 1 : -1;
}

/* Keeps used block b on its quick list instead of freeing it; false when there is no room. */
static bool
quick_put(struct heap *h, struct heap_block *b)
{
	int c = quick_class(b->size - HDR);

	if (c < 0 || h->nquick[c] >= HEAP_QUICK_DEPTH || h->quick_blocks >= HEAP_QUICK_BLOCKS ||
	    h->quick_bytes + b->size > HEAP_QUICK_BYTES)
		return false;
	b->magic = MAGIC_QUICK;
	b->next = h->quick[c];
	h->quick[c] = b;
	h->nquick[c]++;
	h->quick_blocks++;
	h->quick_bytes += b->size;
	return true;
}

/* A block of exactly need bytes from its quick list, or NULL. */
static struct heap_block *
quick_take(struct heap *h, size_t need)
{
	int c = quick_class(need - HDR);
	struct heap_block *b;

	if (c < 0 || !(b = h->quick[c]))
		return NULL;
	h->quick[c] = b->next;
	h->nquick[c]--;
	h->quick_blocks--;
	h->quick_bytes -= b->size;
	return b;
}

/* Frees every quick block for real: before the heap grows, so that they can merge first. */
void
heap_flush_quick(struct heap *h)
{
	for (unsigned c = 0; c < HEAP_QUICK_MAX / 16; c++) {
		struct heap_block *b;
		while ((b = h->quick[c]) != NULL) {
			h->quick[c] = b->next;
			b->magic = MAGIC_USED;
			release(h, b);
		}
		h->nquick[c] = 0;
	}
	h->quick_bytes = 0;
	h->quick_blocks = 0;
}

/*
 * Free block b ends at the top of the heap and is mapped below m. When the
 * heap is empty it goes altogether (true); when b's unmapped interior is large,
 * the end block moves down to b's mark and the pages above go (*m follows).
 */
static bool
shrink(struct heap *h, struct heap_block *b, uintptr_t *m)
{
	uintptr_t lo = ilo(b), hi = ihi(b), mk, new_end;

	if ((uintptr_t)b == h->base) {
		if (hi > lo) {
			mk = *m < lo ? lo : *m > hi ? hi : *m;
			unmap_pages(h, h->base, mk);
			unmap_pages(h, hi, h->end);
		} else {
			unmap_pages(h, h->base, h->end);
		}
		h->end = h->base;
		return true;
	}
	if (hi <= lo)
		return false;
	mk = *m < lo ? lo : *m > hi ? hi : *m;
	new_end = mk;		/* the page below it is mapped: b's header or its cache */
	if (hi - mk < SHRINK_MIN || new_end - (uintptr_t)b < HDR + MIN_BLOCK)
		return false;
	unmap_pages(h, hi, h->end);
	b->size = (uint32_t)(new_end - HDR - (uintptr_t)b);
	write_end_block(new_end - HDR, b->size);
	h->end = new_end;
	*m = new_end;
	return false;
}

/* Merges used block b with free neighbours and lists the result. */
static void
release(struct heap *h, struct heap_block *b)
{
	struct heap_block *r = right_of(b), *l = left_of(b);
	uintptr_t m = (uintptr_t)b + b->size;	/* the merged block is mapped below m */

	if (r->size && r->magic == MAGIC_FREE) {
		unlist(h, r);
		m = mapped_to(r);
		b->size += r->size;
		r->magic = 0;
	}
	if (l && l->magic == MAGIC_FREE) {
		uint32_t size = b->size;
		unlist(h, l);
		b->magic = 0;
		if (mapped_to(l) < ihi(l)) {
			/* l's interior is unmapped above its mark: so must be what follows
			 * (b's header among it) */
			unmap_pages(h, ihi(l), page_down(m));
			m = mapped_to(l);
		}
		l->size += size;
		b = l;
	}
	right_of(b)->prev_size = b->size;
	if (right_of(b)->size == 0 && shrink(h, b, &m))
		return;
	settle(h, b, m);
}

/*
 * Grows the heap so that a free block of at least `need` bytes ends at the top
 * (a free block already at the top counts towards it). Only the pages holding
 * the new block's header and the end block are mapped.
 */
static bool
extend(struct heap *h, size_t need)
{
	size_t bytes;
	uintptr_t new_end, m;
	struct heap_block *b, *top = NULL;

	if (h->end == h->base) {
		bytes = need + HDR;		/* and room for the end block */
	} else {
		top = left_of((struct heap_block *)(h->end - HDR));
		if (top && top->magic != MAGIC_FREE)
			top = NULL;
		bytes = top ? (need > top->size ? need - top->size : 0) : need;
	}
	bytes = page_up(bytes);
	if (bytes < MIN_GROW)
		bytes = MIN_GROW;
	if (bytes > h->limit - h->end)
		bytes = page_down(h->limit - h->end);
	if (bytes == 0)
		return false;
	new_end = h->end + bytes;
	if (h->end == h->base) {
		b = (struct heap_block *)h->base;
		if (!map_pages(h, h->base, ilo(b)))
			return false;
		if (!map_pages(h, new_end - HEAP_PAGE > ilo(b) ? new_end - HEAP_PAGE : ilo(b), new_end)) {
			unmap_pages(h, h->base, ilo(b));
			return false;
		}
		b->prev_size = 0;
		m = ilo(b);
	} else {
		uintptr_t hdr_end = page_up(h->end - HDR + FREE_HDR);	/* a free header on the old end */
		if (hdr_end > new_end - HEAP_PAGE)
			hdr_end = new_end - HEAP_PAGE;
		if (!map_pages(h, new_end - HEAP_PAGE, new_end))
			return false;
		if (!top && !map_pages(h, h->end, hdr_end)) {
			unmap_pages(h, new_end - HEAP_PAGE, new_end);
			return false;
		}
		m = top ? h->end : hdr_end;
		if (top) {
			unlist(h, top);
			if (mapped_to(top) < ihi(top)) {
				unmap_pages(h, ihi(top), h->end);	/* the old end block's page */
				m = mapped_to(top);
			}
			b = top;
		} else {
			b = (struct heap_block *)(h->end - HDR);	/* the old end block; prev_size stays */
		}
	}
	b->size = (uint32_t)(new_end - HDR - (uintptr_t)b);
	write_end_block(new_end - HDR, b->size);
	h->end = new_end;
	settle(h, b, m);
	return true;
}

void *
heap_alloc(struct heap *h, size_t size)
{
	struct heap_block *b;
	size_t need;
	uintptr_t want, m;
	bool split;

	if (size == 0 || size > 0x40000000)
		return NULL;
	need = (size + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	if ((b = quick_take(h, need)) != NULL) {
		b->magic = MAGIC_USED;
		h->bytes_in_use += b->size - HDR;
		h->blocks_in_use++;
		return (char *)b + HDR;
	}
	for (;;) {
		for (b = h->free_head; b; b = b->next)
			if (b->size >= need)
				break;
		if (b)
			break;
		if (h->quick_bytes) {		/* merge the quick blocks before growing */
			heap_flush_quick(h);
			continue;
		}
		if (!extend(h, need))
			return NULL;
	}
	/* Map what the block handed out, and the header of the rest, will use. */
	split = b->size - need >= MIN_BLOCK;
	m = mapped_to(b);
	want = split ? page_up((uintptr_t)b + need + FREE_HDR) : ihi(b);
	if (want > ihi(b))
		want = ihi(b);
	if (m < want && !map_pages(h, m, want))
		return NULL;
	unlist(h, b);
	if (split) {				/* the tail stays free */
		struct heap_block *rest = (struct heap_block *)((char *)b + need);
		rest->size = b->size - (uint32_t)need;
		rest->prev_size = (uint32_t)need;
		right_of(rest)->prev_size = rest->size;
		b->size = (uint32_t)need;
		set_mark(rest, m > want ? m : want);
		h->cached_pages += cached_of(rest);
		free_list_push(h, rest);
	}
	b->magic = MAGIC_USED;
	h->bytes_in_use += b->size - HDR;
	h->blocks_in_use++;
	return (char *)b + HDR;
}

enum heap_error
heap_free(struct heap *h, void *p)
{
	struct heap_block *b = (struct heap_block *)((char *)p - HDR);
	uintptr_t a = (uintptr_t)b;

	if (a < h->base || a >= h->end - HDR || (a - h->base) % ALIGN)
		return HEAP_BAD_POINTER;
	if (h->is_mapped && !h->is_mapped(h, a))
		return HEAP_BAD_POINTER;	/* inside a free block, whose pages went back */
	if (b->magic == MAGIC_FREE || b->magic == MAGIC_QUICK)
		return HEAP_DOUBLE_FREE;
	if (b->magic != MAGIC_USED || b->size < MIN_BLOCK || b->size > h->end - a)
		return HEAP_BAD_POINTER;
	h->bytes_in_use -= b->size - HDR;
	h->blocks_in_use--;
	if (!quick_put(h, b))
		release(h, b);
	return HEAP_OK;
}

size_t
heap_usable_size(const void *p)
{
	const struct heap_block *b = (const struct heap_block *)((const char *)p - HDR);

	return b->size - HDR;
}

/* Whether the pages of [lo, hi) are all mapped (want) or all unmapped (!want). */
static bool
pages_are(const struct heap *h, uintptr_t lo, uintptr_t hi, bool want)
{
	if (!h->is_mapped)
		return true;
	for (uintptr_t va = lo; va < hi; va += HEAP_PAGE)
		if (h->is_mapped(h, va) != want)
			return false;
	return true;
}

/* Checks free block b's mark and its pages; adds to the counts. */
static bool
check_free(const struct heap *h, const struct heap_block *b, size_t *cached, size_t *unmapped)
{
	uintptr_t lo = ilo(b), hi = ihi(b), mk = (uintptr_t)b + b->mapped;

	if (hi <= lo)
		return b->mapped == 0 && pages_are(h, page_up((uintptr_t)b), hi, true);
	if (mk < lo || mk > hi || mk % HEAP_PAGE)
		return false;
	*cached += (mk - lo) / HEAP_PAGE;
	*unmapped += (hi - mk) / HEAP_PAGE;
	return pages_are(h, page_up((uintptr_t)b), mk, true) && pages_are(h, mk, hi, false);
}

enum heap_error
heap_check(const struct heap *h)
{
	uintptr_t a = h->base;
	uint32_t prev = 0;
	size_t cached = 0, unmapped = 0, nfree = 0;

	if (h->end == h->base)
		return h->free_head || h->pages_mapped ? HEAP_CORRUPT : HEAP_OK;
	for (;;) {
		const struct heap_block *b = (const struct heap_block *)a;
		if (!pages_are(h, page_down(a), page_down(a) + 1, true))
			return HEAP_CORRUPT;	/* a header on an unmapped page */
		if (b->prev_size != prev)
			return HEAP_CORRUPT;
		if (b->size == 0)
			break;
		if ((b->magic != MAGIC_USED && b->magic != MAGIC_FREE && b->magic != MAGIC_QUICK) || b->size % ALIGN ||
		    b->size > h->end - a)
			return HEAP_CORRUPT;
		if (b->magic == MAGIC_FREE) {
			nfree++;
			if (!check_free(h, b, &cached, &unmapped))
				return HEAP_CORRUPT;
		} else if (!pages_are(h, page_up(a), page_down(a + b->size), true)) {
			return HEAP_CORRUPT;
		}
		prev = b->size;
		a += b->size;
	}
	if (a != h->end - HDR || cached != h->cached_pages || cached > h->cache_max ||
	    (h->end - h->base) / HEAP_PAGE - unmapped != h->pages_mapped)
		return HEAP_CORRUPT;
	for (const struct heap_block *f = h->free_head; f; f = f->next)	/* the list holds them all */
		if (f->magic != MAGIC_FREE || nfree-- == 0)
			return HEAP_CORRUPT;
	return nfree == 0 ? HEAP_OK : HEAP_CORRUPT;
}
