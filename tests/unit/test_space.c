/*
 * A task's name space (kernel/ipc/space.c, space_tree.c, space_rhash.c) on the
 * host: names from the chunked table and the tree, and the reverse hash from
 * a port to the entry holding its send right, checked against a plain model
 * after random operations. kmalloc here is malloc, counted (every block must
 * come back) and made to fail on request.
 */
#include <stdlib.h>
#include <string.h>
#include <kern/ipc_space.h>
#include <kern/kmem.h>
#include "unit.h"

static long blocks;		/* kmalloc'd (or a space page) and not freed */
static long fail_in = -1;	/* kmalloc fails when this reaches 0 */

void *
kmalloc(size_t size)
{
	if (fail_in >= 0 && fail_in-- == 0)
		return NULL;
	blocks++;
	return malloc(size);
}

void *
kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void
kfree(void *p)
{
	if (p)
		blocks--;
	free(p);
}

void *
space_page_alloc(void)
{
	if (fail_in >= 0 && fail_in-- == 0)
		return NULL;
	blocks++;
	return aligned_alloc(4096, SPACE_PAGE_SIZE);
}

void
space_page_free(void *page)
{
	blocks--;
	free(page);
}

#define SEND MACH_PORT_TYPE_SEND
#define DEAD MACH_PORT_TYPE_DEAD_NAME

static char ports[1 << 17];	/* port i is &ports[i] */

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Gives e a send right to port i, as right.c does. */
static void
give_send(struct ipc_space *s, struct ipc_entry *e, uint32_t i)
{
	e->type = SEND;
	e->object = &ports[i];
	e->urefs = 1;
	space_rhash_insert_locked(s, e);
}

/* Chains no longer than load and luck allow, every entry in the bucket of its port. */
static uint32_t
longest_chain(struct ipc_space *s)
{
	uint32_t longest = 0, total = 0;

	for (uint32_t b = 0; b < s->rh_level + s->rh_split; b++) {
		uint32_t n = 0;
		struct ipc_entry **chunk = s->buckets[b >> SPACE_BUCKET_SHIFT];
		for (struct ipc_entry *e = chunk[b & ((1u << SPACE_BUCKET_SHIFT) - 1)]; e; e = e->rnext) {
			EXPECT(e->type & SEND);
			EXPECT(space_rhash_lookup_locked(s, e->object) == e);
			n++;
		}
		total += n;
		if (n > longest)
			longest = n;
	}
	EXPECT_EQ(total, s->rh_count);
	return longest;
}

UNIT_TEST(space_table_grows_a_chunk_at_a_time_and_entries_stay_put)
{
	static mach_port_name_t names[70000];
	static struct ipc_entry *entries[70000];
	struct ipc_space *s = space_create(NULL);
	struct ipc_entry *e;

	for (uint32_t i = 0; i < 70000; i++) {
		EXPECT_EQ(space_alloc_name_locked(s, &names[i], &entries[i]), KERN_SUCCESS);
		entries[i]->type = DEAD;
		entries[i]->urefs = 1;
	}
	EXPECT_EQ(s->count, 70000);
	EXPECT_EQ(s->size, 70001);			/* slot 0 is never used */
	/* made as names needed them */
	EXPECT_EQ(s->chunks, (70001 + SPACE_CHUNK_SLOTS - 1) / SPACE_CHUNK_SLOTS);
	for (uint32_t i = 0; i < 70000; i++) {
		e = space_lookup_locked(s, names[i]);
		EXPECT(e == entries[i]);		/* the first entries did not move */
		EXPECT_EQ(e->name, names[i]);
	}
	EXPECT(space_lookup_locked(s, 0) == NULL);
	EXPECT(space_lookup_locked(s, 255) == NULL);
	EXPECT(space_lookup_locked(s, names[5] + 1) == NULL);	/* another generation */
	for (uint32_t i = 0; i < 70000; i += 2)
		space_free_entry_locked(s, names[i]);
	EXPECT(space_lookup_locked(s, names[0]) == NULL);
	/* freed slots come back under new names, and the table does not grow */
	for (uint32_t i = 0; i < 70000; i += 2) {
		mach_port_name_t n;
		EXPECT_EQ(space_alloc_name_locked(s, &n, &e), KERN_SUCCESS);
		EXPECT(n != names[i]);
		e->type = DEAD;
	}
	EXPECT_EQ(s->size, 70001);
	space_destroy(s);
	EXPECT_EQ(blocks, 0);
}

UNIT_TEST(space_reverse_hash_finds_every_send_right_and_stays_short)
{
	static mach_port_name_t names[100000];
	struct ipc_space *s = space_create(NULL);
	struct ipc_entry *e;

	for (uint32_t i = 0; i < 100000; i++) {
		EXPECT_EQ(space_alloc_name_locked(s, &names[i], &e), KERN_SUCCESS);
		give_send(s, e, i);
	}
	EXPECT_EQ(s->rh_count, 100000);
	EXPECT(s->rh_level + s->rh_split >= 100000);	/* a bucket per entry */
	EXPECT(longest_chain(s) <= 12);
	for (uint32_t i = 0; i < 100000; i++) {
		e = space_rhash_lookup_locked(s, &ports[i]);
		EXPECT(e && e->name == names[i]);
	}
	EXPECT(space_rhash_lookup_locked(s, &ports[100000]) == NULL);
	/* freeing a name takes its send right out of the hash */
	for (uint32_t i = 0; i < 100000; i += 3)
		space_free_entry_locked(s, names[i]);
	for (uint32_t i = 0; i < 100000; i++) {
		e = space_rhash_lookup_locked(s, &ports[i]);
		EXPECT(i % 3 ? e && e->name == names[i] : e == NULL);
	}
	longest_chain(s);
	space_destroy(s);
	EXPECT_EQ(blocks, 0);
}

UNIT_TEST(space_parks_a_slot_whose_names_were_all_chosen)
{
	struct ipc_space *s = space_create(NULL);
	struct ipc_entry *e;
	mach_port_name_t n;

	/* every name of slot 40 chosen before the table reaches it */
	for (uint32_t g = 1; g <= 255; g++) {
		EXPECT_EQ(space_alloc_given_name_locked(s, (40u << 8) | g, &e), KERN_SUCCESS);
		e->type = DEAD;
	}
	/* most of slot 41's too: automatic names take the one left */
	for (uint32_t g = 1; g <= 255; g++) {
		if (g == 77)
			continue;
		EXPECT_EQ(space_alloc_given_name_locked(s, (41u << 8) | g, &e), KERN_SUCCESS);
		e->type = DEAD;
	}
	EXPECT_EQ(s->tree_count, 509);
	for (uint32_t i = 0; i < 60; i++) {
		EXPECT_EQ(space_alloc_name_locked(s, &n, &e), KERN_SUCCESS);
		e->type = DEAD;
		EXPECT(n >> 8 != 40);
		if (n >> 8 == 41)
			EXPECT_EQ(n, (41u << 8) | 77);
		EXPECT(space_lookup_locked(s, n) == e);
	}
	EXPECT_EQ(s->count, 509 + 60);
	/* one of slot 40's names goes: the slot takes automatic names again, that one first */
	space_free_entry_locked(s, (40u << 8) | 200);
	EXPECT_EQ(space_alloc_name_locked(s, &n, &e), KERN_SUCCESS);
	EXPECT_EQ(n, (40u << 8) | 200);
	e->type = DEAD;
	EXPECT(space_lookup_locked(s, (40u << 8) | 199)->name == ((40u << 8) | 199));	/* a tree name */
	space_destroy(s);
	EXPECT_EQ(blocks, 0);
}

UNIT_TEST(space_chosen_name_takes_a_free_slot_off_the_list)
{
	struct ipc_space *s = space_create(NULL);
	mach_port_name_t names[600], n;
	struct ipc_entry *e;

	for (int i = 0; i < 600; i++) {
		space_alloc_name_locked(s, &names[i], &e);
		e->type = DEAD;
	}
	for (int i = 0; i < 600; i++)
		space_free_entry_locked(s, names[i]);
	/* slot 300, free in the middle of the list: the name takes it with its own generation */
	EXPECT_EQ(space_check_given_name_locked(s, (300u << 8) | 9), KERN_SUCCESS);
	EXPECT_EQ(space_alloc_given_name_locked(s, (300u << 8) | 9, &e), KERN_SUCCESS);
	e->type = DEAD;
	EXPECT_EQ(s->tree_count, 0);			/* in the table */
	EXPECT_EQ(space_alloc_given_name_locked(s, (300u << 8) | 9, &e), KERN_NAME_EXISTS);
	EXPECT_EQ(space_alloc_given_name_locked(s, (300u << 8) | 10, &e), KERN_SUCCESS);	/* tree */
	e->type = DEAD;
	EXPECT_EQ(s->tree_count, 1);
	for (int i = 0; i < 599; i++) {
		EXPECT_EQ(space_alloc_name_locked(s, &n, &e), KERN_SUCCESS);
		e->type = DEAD;
		EXPECT(n >> 8 != 300);
	}
	EXPECT_EQ(s->size, 601);	/* every other slot came off the list */
	space_destroy(s);
	EXPECT_EQ(blocks, 0);
}

static int
by_name(const void *a, const void *b)
{
	mach_port_name_t x = *(const mach_port_name_t *)a, y = *(const mach_port_name_t *)b;

	return x < y ? -1 : x > y;
}

UNIT_TEST(space_walk_in_steps_gives_every_name_once)
{
	struct ipc_space *s = space_create(NULL);
	static mach_port_name_t walked[5000];
	uint32_t given = 0, steps = 0;
	struct ipc_entry *e;
	mach_port_name_t n;

	for (int i = 0; i < 3000; i++) {
		space_alloc_name_locked(s, &n, &e);
		e->type = DEAD;
		if (i % 5 == 0)
			space_free_entry_locked(s, n);
	}
	for (uint32_t i = 0; i < 700; i++) {	/* tree names, above the table's and among them */
		n = i % 2 ? 0x1000000 + i * 7 : ((i + 1) << 8) | 200;
		EXPECT_EQ(space_alloc_given_name_locked(s, n, &e), KERN_SUCCESS);
		e->type = DEAD;
	}
	EXPECT_EQ(s->tree_count, 700);
	for (struct space_walk w = SPACE_WALK_START; !w.done; steps++) {
		uint32_t budget = 64, found = 0;
		while (space_walk_next_locked(s, &w, &budget, &n, &e)) {
			EXPECT(e == space_lookup_locked(s, n));
			if (given < 5000)
				walked[given] = n;
			found++;
			given++;
		}
		EXPECT(found <= 64);
	}
	EXPECT_EQ(given, s->count);
	EXPECT(steps >= (s->size - 1 + SPACE_WALK_TREE_STEP * 700) / 64);	/* each step within budget */
	qsort(walked, given, sizeof walked[0], by_name);
	for (uint32_t i = 1; i < given; i++)
		EXPECT(walked[i - 1] < walked[i]);
	space_destroy(s);
	EXPECT_EQ(blocks, 0);
}

UNIT_TEST(space_out_of_memory_refuses_names_and_loses_no_right)
{
	struct ipc_space *s = space_create(NULL);
	mach_port_name_t names[2000], n;
	struct ipc_entry *e;
	uint32_t i;

	for (i = 0; i < 2000; i++) {
		if (i % 100 == 50)
			fail_in = 0;	/* the next kmalloc: a chunk, a bucket chunk or a directory */
		if (space_alloc_name_locked(s, &names[i], &e) != KERN_SUCCESS) {
			EXPECT_EQ(s->size % SPACE_CHUNK_SLOTS, 0);	/* only a new chunk needs memory */
			names[i] = 0;
			continue;
		}
		give_send(s, e, i);
	}
	fail_in = -1;
	for (i = 0; i < 2000; i++) {
		e = space_rhash_lookup_locked(s, &ports[i]);
		EXPECT(names[i] ? e && e->name == names[i] : e == NULL);
	}
	longest_chain(s);
	EXPECT_EQ(space_alloc_name_locked(s, &n, &e), KERN_SUCCESS);
	e->type = DEAD;
	space_destroy(s);
	EXPECT_EQ(blocks, 0);
}

/*
 * Random operations against a model: automatic and chosen names come and go,
 * send rights come, go and move to new names (rename), and after each step
 * the space and its hash say what the model says.
 */
#define MODEL 4096

struct model_name {
	mach_port_name_t name;
	int port;		/* index in ports[] of its send right, or -1 */
};

static struct model_name model[MODEL];
static uint32_t nmodel;
static int32_t holder[MODEL];	/* port i: model index of its send right, or -1 */

static void
check_model(struct ipc_space *s, bool full)
{
	uint32_t sends = 0;

	EXPECT_EQ(s->count, nmodel);
	for (uint32_t k = 0; k < (full ? nmodel : 16) && nmodel; k++) {
		uint32_t i = full ? k : rnd() % nmodel;
		struct ipc_entry *e = space_lookup_locked(s, model[i].name);
		EXPECT(e && e->name == model[i].name);
		if (e && model[i].port >= 0) {
			EXPECT(e->object == &ports[model[i].port]);
			sends++;
		}
	}
	if (full)
		EXPECT_EQ(s->rh_count, sends);
	for (int p = 0; p < (full ? MODEL : 16); p++) {
		int i = full ? p : (int)(rnd() % MODEL);
		struct ipc_entry *e = space_rhash_lookup_locked(s, &ports[i]);
		if (holder[i] < 0)
			EXPECT(e == NULL);
		else
			EXPECT(e && e->name == model[holder[i]].name);
	}
	if (full) {
		uint32_t walked = 0, all = UINT32_MAX;
		struct ipc_entry *e;
		mach_port_name_t n;
		for (struct space_walk w = SPACE_WALK_START; space_walk_next_locked(s, &w, &all, &n, &e);)
			walked++;
		EXPECT_EQ(walked, nmodel);
		EXPECT(longest_chain(s) <= 12);
	}
}

static void
drop_model(struct ipc_space *s, uint32_t i)
{
	space_free_entry_locked(s, model[i].name);
	if (model[i].port >= 0)
		holder[model[i].port] = -1;
	model[i] = model[--nmodel];
	if (model[i].port >= 0 && i < nmodel)
		holder[model[i].port] = (int32_t)i;
}

/* A name of the task's choosing: near the table's slots or far above them. */
static mach_port_name_t
chosen_name(void)
{
	switch (rnd() % 3) {
	case 0:
		return ((rnd() % 1200) << 8) | (rnd() % 4);	/* generations 0..3 of the first slots */
	case 1:
		return (((rnd() % 1200) + 1) << 8) | (rnd() & 0xFF);
	default:
		return 0x10000000 + rnd() % 100000;
	}
}

UNIT_TEST(space_random_operations_match_the_model)
{
	struct ipc_space *s = space_create(NULL);
	struct ipc_entry *e, *n;
	mach_port_name_t name;

	nmodel = 0;
	for (int i = 0; i < MODEL; i++)
		holder[i] = -1;
	for (int step = 0; step < 300000; step++) {
		uint32_t op = rnd() % 100, i = nmodel ? rnd() % nmodel : 0;
		int port = (int)(rnd() % MODEL);

		if (op < 30 && nmodel < MODEL) {		/* an automatic name, maybe a send right */
			EXPECT_EQ(space_alloc_name_locked(s, &name, &e), KERN_SUCCESS);
			EXPECT(name != 0 && name != MACH_PORT_DEAD);
			e->type = DEAD;
			model[nmodel] = (struct model_name){ name, -1 };
			if (holder[port] < 0) {
				give_send(s, e, (uint32_t)port);
				holder[port] = (int32_t)nmodel;
				model[nmodel].port = port;
			}
			nmodel++;
		} else if (op < 45 && nmodel < MODEL) {		/* a chosen one */
			name = chosen_name();
			if (!MACH_PORT_VALID(name))
				continue;
			if (space_lookup_locked(s, name)) {
				EXPECT_EQ(space_alloc_given_name_locked(s, name, &e), KERN_NAME_EXISTS);
				continue;
			}
			EXPECT_EQ(space_alloc_given_name_locked(s, name, &e), KERN_SUCCESS);
			e->type = DEAD;
			model[nmodel++] = (struct model_name){ name, -1 };
		} else if (op < 75 && nmodel) {		/* a name goes */
			drop_model(s, i);
		} else if (op < 85 && nmodel) {		/* a send right comes or goes */
			e = space_lookup_locked(s, model[i].name);
			if (model[i].port >= 0) {
				space_rhash_remove_locked(s, e);
				e->type = DEAD;
				e->object = NULL;
				holder[model[i].port] = -1;
				model[i].port = -1;
			} else if (holder[port] < 0) {
				give_send(s, e, (uint32_t)port);
				holder[port] = (int32_t)i;
				model[i].port = port;
			}
		} else if (nmodel) {				/* rename, as port_rpc.c does it */
			struct ipc_entry saved;
			name = chosen_name();
			if (!MACH_PORT_VALID(name) || space_lookup_locked(s, name))
				continue;
			e = space_lookup_locked(s, model[i].name);
			saved = *e;
			EXPECT_EQ(space_alloc_given_name_locked(s, name, &n), KERN_SUCCESS);
			space_free_entry_locked(s, model[i].name);
			n->type = saved.type;
			n->object = saved.object;
			if (n->type & SEND)
				space_rhash_insert_locked(s, n);
			model[i].name = name;
		}
		check_model(s, step % 10000 == 0);
	}
	check_model(s, true);
	while (nmodel)
		drop_model(s, 0);
	EXPECT_EQ(s->count, 0);
	EXPECT_EQ(s->rh_count, 0);
	EXPECT_EQ(s->tree_count, 0);
	space_destroy(s);
	EXPECT_EQ(blocks, 0);
}
