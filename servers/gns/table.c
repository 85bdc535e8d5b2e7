/*
 * Growing slot tables (table.h). Chunks are calloc'd and never moved or
 * given back while the table lives: gns's tables grow to their peak and stay
 * (a few KiB a chunk), so that no pointer to a slot ever dangles.
 */
#include <stdlib.h>
#include "table.h"

bool
table_grow(struct table *t)
{
	int n = t->cap / TABLE_CHUNK;
	void *c;

	if (t->cap >= t->limit || n >= TABLE_CHUNKS_MAX || (c = calloc(TABLE_CHUNK, t->size)) == NULL)
		return false;
	t->chunk[n] = c;
	t->cap += TABLE_CHUNK;
	return true;
}

void
table_free(struct table *t)
{
	for (int i = 0; i < t->cap / TABLE_CHUNK; i++) {
		free(t->chunk[i]);
		t->chunk[i] = NULL;
	}
	t->cap = t->high = 0;
}
