/*
 * A table of fixed-size slots that grows a chunk at a time up to its limit
 * (proxy.c's exports and proxies). Slots never move once made, so a pointer
 * to one stays good while a message is being carried (claim.c and deliver.c
 * keep them across the table's growth). Which slots are free is the user's
 * business (a zero field of its own); table.c only makes room. No Mach, no
 * lwIP: tests/unit/xport/test_table.c runs it on the host.
 */
#ifndef GNS_TABLE_H
#define GNS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#define TABLE_CHUNK 64		/* slots a growth adds */
#define TABLE_CHUNKS_MAX 256	/* so at most 16,384 slots */

struct table {
	size_t size;		/* of a slot */
	int limit;		/* slots at most (rounded up to a chunk) */
	int cap;		/* slots made so far, all zero at first */
	int high;		/* the user's: every slot from here on is free (the scans' bound) */
	void *chunk[TABLE_CHUNKS_MAX];
};

#define TABLE_INIT(type, max) { .size = sizeof(type), .limit = (max) }

static inline void *
table_at(const struct table *t, int i)
{
	return (char *)t->chunk[i / TABLE_CHUNK] + (size_t)(i % TABLE_CHUNK) * t->size;
}

/* A chunk of zeroed slots more (cap grows by TABLE_CHUNK); false at the limit or without memory. */
bool table_grow(struct table *t);

/* Frees every chunk (cap and high 0): the host tests' clean-up. */
void table_free(struct table *t);

#endif
