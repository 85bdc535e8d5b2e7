/*
 * The boundary-tag heap (see kern/heap.h). Each block starts with a 16-byte
 * header holding its size, its left neighbour's size and a magic word that says
 * whether it is free; a zero-size "end" block closes the heap. Free blocks keep
 * their list links in their payload.
 */
#include <kern/heap.h>

#define ALIGN		16
#define MAGIC_USED	0x55534544u
#define MAGIC_FREE	0x46524545u
#define MIN_GROW	(64 * 1024)

struct heap_block {
	uint32_t size;		/* whole block, header included; 0 for the end block */
	uint32_t prev_size;	/* size of the block just below, 0 for the first */
	uint32_t magic;
	uint32_t pad;
	/* free blocks only: */
	struct heap_block *next, *prev;
};

#define HDR 16u
#define MIN_BLOCK 32u

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

static void
write_end_block(uintptr_t at, uint32_t prev_size)
{
	struct heap_block *e = (struct heap_block *)at;

	e->size = 0;
	e->prev_size = prev_size;
	e->magic = MAGIC_USED;
}

void
heap_init(struct heap *h, uintptr_t base, uintptr_t limit, bool (*grow)(struct heap *, size_t))
{
	h->base = h->end = base;
	h->limit = limit;
	h->grow = grow;
	h->free_head = NULL;
	h->bytes_in_use = h->blocks_in_use = 0;
}

/* Merges b with free neighbours and puts the result on the free list. */
static void
release(struct heap *h, struct heap_block *b)
{
	struct heap_block *r = right_of(b), *l = left_of(b);

	if (r->size && r->magic == MAGIC_FREE) {
		free_list_remove(h, r);
		b->size += r->size;
		r->magic = 0;
	}
	if (l && l->magic == MAGIC_FREE) {
		free_list_remove(h, l);
		l->size += b->size;
		b->magic = 0;
		b = l;
	}
	right_of(b)->prev_size = b->size;
	free_list_push(h, b);
}

/*
 * Grows the heap so that a free block of at least `need` bytes ends at the top
 * (a free block already at the top counts towards it).
 */
static bool
extend(struct heap *h, size_t need)
{
	size_t bytes;
	uintptr_t old_end_block;
	struct heap_block *b;
	uint32_t prev_size = 0;

	if (h->end == h->base) {
		old_end_block = h->base;
		bytes = need + HDR;		/* and room for the end block */
	} else {
		struct heap_block *top;
		old_end_block = h->end - HDR;
		prev_size = ((struct heap_block *)old_end_block)->prev_size;
		top = left_of((struct heap_block *)old_end_block);
		bytes = need;
		if (top && top->magic == MAGIC_FREE)
			bytes = need > top->size ? need - top->size : 0;
	}
	bytes = (bytes + 4095) & ~(size_t)4095;
	if (bytes < MIN_GROW)
		bytes = MIN_GROW;
	if (bytes > h->limit - h->end)
		bytes = (h->limit - h->end) & ~(size_t)4095;
	if (bytes == 0 || !h->grow(h, bytes))
		return false;
	h->end += bytes;
	b = (struct heap_block *)old_end_block;
	b->size = (uint32_t)(h->end - HDR - old_end_block);
	b->prev_size = prev_size;
	b->magic = MAGIC_USED;
	write_end_block(h->end - HDR, b->size);
	release(h, b);
	return true;
}

void *
heap_alloc(struct heap *h, size_t size)
{
	struct heap_block *b;
	size_t need;

	if (size == 0 || size > 0x40000000)
		return NULL;
	need = (size + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	for (;;) {
		for (b = h->free_head; b; b = b->next)
			if (b->size >= need)
				break;
		if (b)
			break;
		if (!extend(h, need))
			return NULL;
	}
	free_list_remove(h, b);
	if (b->size - need >= MIN_BLOCK) {	/* split; the tail stays free */
		struct heap_block *rest = (struct heap_block *)((char *)b + need);
		rest->size = b->size - (uint32_t)need;
		rest->prev_size = (uint32_t)need;
		right_of(rest)->prev_size = rest->size;
		b->size = (uint32_t)need;
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
	if (b->magic == MAGIC_FREE)
		return HEAP_DOUBLE_FREE;
	if (b->magic != MAGIC_USED || b->size < MIN_BLOCK || b->size > h->end - a)
		return HEAP_BAD_POINTER;
	h->bytes_in_use -= b->size - HDR;
	h->blocks_in_use--;
	release(h, b);
	return HEAP_OK;
}

size_t
heap_usable_size(const void *p)
{
	const struct heap_block *b = (const struct heap_block *)((const char *)p - HDR);

	return b->size - HDR;
}

enum heap_error
heap_check(const struct heap *h)
{
	uintptr_t a = h->base;
	uint32_t prev = 0;

	if (h->end == h->base)
		return HEAP_OK;
	for (;;) {
		const struct heap_block *b = (const struct heap_block *)a;
		if (b->prev_size != prev)
			return HEAP_CORRUPT;
		if (b->size == 0)
			return a == h->end - HDR ? HEAP_OK : HEAP_CORRUPT;
		if ((b->magic != MAGIC_USED && b->magic != MAGIC_FREE) || b->size % ALIGN ||
		    b->size > h->end - a)
			return HEAP_CORRUPT;
		prev = b->size;
		a += b->size;
	}
}
