/*
 * IPC spaces: each task's names. Automatic names come from a table: a name is
 * (slot << 8) | generation, so a name that was freed and reused is not
 * mistaken for the old one. A task may also choose any name but
 * MACH_PORT_NULL and MACH_PORT_DEAD, as in Mach; a chosen name the table cannot
 * hold (slot 0, generation 0, a slot past the table's end or in use under
 * another generation) goes into a tree beside it (space_tree.c), as Mach's
 * splay tree does. Lookups try the table first, so the IPC fast path pays
 * nothing for the tree. The reverse hash, port to name, is space_rhash.c.
 *
 * Nothing here takes time that grows with the space (every function runs
 * with the space's lock held, interrupts off): the table is a directory of chunks,
 * a page each, and grows a chunk at a time, its slots made one at a time as
 * names need them; the free list is doubly linked, so a chosen name takes its
 * slot off it at once; the tree counts its names, so a range of them is
 * counted in two descents. (One exception a task must work hard for: a new
 * automatic name skips, one by one, the slots past the table's end whose 255
 * names the task has all chosen.)
 *
 * Automatic names must skip the names in the tree: each slot counts the tree
 * names with its number (`collisions`); a slot with none needs no look at the
 * tree, and a slot all 255 of whose names are in the tree stays off the free
 * list (gen 0, "parked") until one of them goes.
 */
#include <kern/ipc_space.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include "space_tree.h"

#define MAX_NAMES	(SPACE_MAX_SLOTS - 1)	/* names in a space, table and tree together */
#define GENERATIONS	SPACE_GENERATIONS
#define ROOM_STEP	64			/* the directory's second length; its third is the most */

_Static_assert(SPACE_CHUNK_SLOTS * sizeof(struct ipc_entry) <= SPACE_PAGE_SIZE, "a chunk is a page");

#define NAME(slot, gen)	(((slot) << 8) | (gen))
#define SLOT(name)	((name) >> 8)
#define GEN(name)	((name) & 0xFF)

static struct ipc_entry *
slot_entry(struct ipc_space *s, uint32_t slot)
{
	return &s->table[slot >> SPACE_CHUNK_SHIFT][slot & (SPACE_CHUNK_SLOTS - 1)];
}

static inline void
unlink_free(struct ipc_space *s, struct ipc_entry *e)
{
	if (e->prev_free)
		e->prev_free->next_free = e->next_free;
	else
		s->free_head = e->next_free;
	if (e->next_free)
		e->next_free->prev_free = e->prev_free;
}

/* The table slot that counts `name`, a tree name, among its collisions; or NULL. */
static struct ipc_entry *
colliding_slot(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = SLOT(name);

	return slot != 0 && slot < s->size && GEN(name) != 0 ? slot_entry(s, slot) : NULL;
}

static uint32_t
tree_names(struct ipc_space *s, mach_port_name_t lo, mach_port_name_t hi)
{
	return s->tree ? space_tree_count_range(s->tree, lo, hi) : 0;
}

struct ipc_space *
space_create(struct task *t)
{
	struct ipc_space *s = kzalloc(sizeof *s);

	if (!s)
		return NULL;
	s->first_chunk = space_page_alloc();
	if (!s->first_chunk || !space_rhash_init(s)) {
		if (s->first_chunk)
			space_page_free(s->first_chunk);
		kfree(s);
		return NULL;
	}
	s->table = &s->first_chunk;
	s->table_room = 1;
	s->chunks = 1;
	memset(&s->first_chunk[0], 0, sizeof s->first_chunk[0]);
	s->first_chunk[0].name = MACH_PORT_DEAD;	/* slot 0: no name 0..255 finds it */
	s->size = 1;
	s->lock = (struct spinlock)SPINLOCK_INIT("space", LOCK_RANK_SPACE);
	s->active = true;
	s->task = t;
	s->limit = MAX_NAMES;	/* ipc_task_init applies the task's limit */
	return s;
}

void
ipc_space_set_limit(struct ipc_space *s, uint32_t names)
{
	s->limit = MIN(names, (uint32_t)MAX_NAMES);
}

/* Frees the table, the tree and the hash; the caller has destroyed every right in them first. */
void
space_destroy(struct ipc_space *s)
{
	struct space_tree_node *n;

	while (s->tree) {
		s->tree = space_tree_remove(s->tree, s->tree->name, &n);
		kfree(n);
	}
	kfree(s->spare);
	for (uint32_t i = 0; i < s->chunks; i++)
		space_page_free(s->table[i]);
	if (s->table != &s->first_chunk)
		kfree(s->table);
	space_rhash_destroy(s);
	kfree(s);
}

/* A name space_lookup_locked (kern/ipc_space.h) did not find in the table. */
struct ipc_entry *
space_lookup_tree_locked(struct ipc_space *s, mach_port_name_t name)
{
	struct space_tree_node *n;

	if (!s->active)
		return NULL;
	n = space_tree_lookup(s->tree, name);
	return n ? &n->entry : NULL;
}

/*
 * One more chunk of slots, its directory grown if need be: to ROOM_STEP
 * pointers, then to the most (kmalloc, twice in a space's life; the copy is of
 * ROOM_STEP pointers at most).
 */
static bool
add_chunk(struct ipc_space *s)
{
	struct ipc_entry *c, **dir;

	if (s->chunks == s->table_room) {
		uint32_t room = s->table_room < ROOM_STEP ? ROOM_STEP : SPACE_MAX_CHUNKS;
		dir = kmalloc(room * sizeof *dir);
		if (!dir)
			return false;
		memcpy(dir, s->table, s->chunks * sizeof *dir);
		if (s->table != &s->first_chunk)
			kfree(s->table);
		s->table = dir;
		s->table_room = room;
	}
	c = space_page_alloc();
	if (!c)
		return false;
	s->table[s->chunks++] = c;
	return true;
}

/*
 * Makes the slot after the last one: free, or parked when the tree holds all
 * its names already. False when the table is at its largest or memory is short.
 */
static bool
make_slot(struct ipc_space *s)
{
	uint32_t slot = s->size;
	struct ipc_entry *e;

	if (slot >= SPACE_MAX_SLOTS)
		return false;
	if (slot >> SPACE_CHUNK_SHIFT >= s->chunks && !add_chunk(s))
		return false;
	e = slot_entry(s, slot);
	memset(e, 0, sizeof *e);
	e->name = SPACE_FREE | slot;
	/* tree names with this slot's number collide with it from now on */
	e->collisions = (uint8_t)tree_names(s, NAME(slot, 1), NAME(slot, GENERATIONS));
	s->size++;
	if (e->collisions < GENERATIONS) {
		e->gen = 1;
		space_push_free(s, e);
	}
	return true;
}

/*
 * The first generation from `from` on (after 255 comes 1) whose name of slot
 * is not in the tree. The slot has one: fewer than 255 collide with it.
 */
static uint8_t
free_generation(struct ipc_space *s, uint32_t slot, uint32_t from)
{
	uint32_t lo = from, hi = GENERATIONS;

	if (!space_tree_lookup(s->tree, NAME(slot, from)))
		return (uint8_t)from;
	if (tree_names(s, NAME(slot, from), NAME(slot, GENERATIONS)) == GENERATIONS - from + 1) {
		lo = 1;		/* all taken from `from` on: the free one comes before */
		hi = from - 1;
	}
	while (lo < hi) {	/* a free generation lies in [lo, hi] */
		uint32_t mid = (lo + hi) / 2;
		if (tree_names(s, NAME(slot, lo), NAME(slot, mid)) < mid - lo + 1)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint8_t)lo;
}

kern_return_t
space_alloc_name_locked(struct ipc_space *s, mach_port_name_t *name, struct ipc_entry **out)
{
	struct ipc_entry *e = space_alloc_quick_locked(s);
	uint32_t slot;

	if (e) {
		*name = e->name;
		*out = e;
		return KERN_SUCCESS;
	}
	if (!s->active)
		return KERN_INVALID_TASK;
	if (s->count >= s->limit)
		return KERN_NO_SPACE;
	/*
	 * Fewer names than slots, so some slot is free or can be made; made slots
	 * are parked only when the task chose all 255 of their names before.
	 */
	while (!s->free_head)
		if (!make_slot(s))
			return KERN_NO_SPACE;
	e = s->free_head;
	slot = e->name & ~SPACE_FREE;
	if (e->collisions)
		e->gen = free_generation(s, slot, e->gen);
	unlink_free(s, e);
	space_take_locked(s, e, NAME(slot, e->gen));
	*name = e->name;
	*out = e;
	return KERN_SUCCESS;
}

/* The free table slot a chosen name takes, or NULL when the name goes into the tree. */
static struct ipc_entry *
given_slot(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = SLOT(name);
	struct ipc_entry *e;

	if (slot == 0 || slot >= s->size || GEN(name) == 0)
		return NULL;
	e = slot_entry(s, slot);
	return e->name == (SPACE_FREE | slot) && e->gen != 0 ? e : NULL;	/* free, not parked: listed */
}

/*
 * Would space_alloc_given_name_locked(s, name) succeed? Nothing visible changes
 * (a tree node may be set aside for it), so mach_port_insert_right can ask
 * before it moves a right and then place it without failing.
 */
kern_return_t
space_check_given_name_locked(struct ipc_space *s, mach_port_name_t name)
{
	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_VALUE;
	if (!s->active)
		return KERN_INVALID_TASK;
	if (space_lookup_locked(s, name))
		return KERN_NAME_EXISTS;
	if (s->count >= s->limit)
		return KERN_NO_SPACE;
	if (!given_slot(s, name) && !s->spare && !(s->spare = kzalloc(sizeof *s->spare)))
		return KERN_RESOURCE_SHORTAGE;
	return KERN_SUCCESS;
}

/* mach_port_allocate_name and friends: the caller chooses the name. */
kern_return_t
space_alloc_given_name_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry **out)
{
	kern_return_t kr = space_check_given_name_locked(s, name);
	struct space_tree_node *n;
	struct ipc_entry *e, *c;

	if (kr != KERN_SUCCESS)
		return kr;
	e = given_slot(s, name);
	if (e) {
		unlink_free(s, e);
		e->gen = (uint8_t)GEN(name);
	} else {
		n = s->spare;
		s->spare = NULL;
		memset(n, 0, sizeof *n);
		n->name = name;
		s->tree = space_tree_insert(s->tree, n);
		s->tree_count++;
		c = colliding_slot(s, name);
		/* in use (else the name would have taken it), so at most 254 collide */
		if (c)
			c->collisions++;
		e = &n->entry;
	}
	space_take_locked(s, e, name);
	*out = e;
	return KERN_SUCCESS;
}

static void
free_tree_name_locked(struct ipc_space *s, mach_port_name_t name, struct space_tree_node *n)
{
	struct ipc_entry *c = colliding_slot(s, name);

	s->tree_count--;
	if (s->spare)
		kfree(n);
	else
		s->spare = n;
	if (!c)
		return;
	c->collisions--;
	if (c->gen == 0) {	/* a parked slot: this name is free again */
		c->gen = (uint8_t)GEN(name);
		space_push_free(s, c);
	}
}

/* The name goes; a send right still under it leaves the reverse hash first. */
void
space_free_entry_locked(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = SLOT(name);
	struct space_tree_node *n;
	struct ipc_entry *e;

	if (slot < s->size && slot_entry(s, slot)->name == name) {	/* (slot 0's is MACH_PORT_DEAD) */
		e = slot_entry(s, slot);
		if (e->type & MACH_PORT_TYPE_SEND)
			space_rhash_remove_locked(s, e);
		space_free_slot_locked(s, e);
		return;
	}
	n = space_tree_lookup(s->tree, name);
	if (!n)
		panic("space: freeing name %x, which is not in use", name);
	if (n->entry.type & MACH_PORT_TYPE_SEND)
		space_rhash_remove_locked(s, &n->entry);
	s->tree = space_tree_remove(s->tree, name, &n);
	free_tree_name_locked(s, name, n);
	s->count--;
	s->version++;
}

/*
 * The next name of s after those w has given (table first, then tree) and its
 * entry; false at the end (w->done) or when *budget ran out first. Each table
 * slot looked at costs 1, each step in the tree SPACE_WALK_TREE_STEP: a walk
 * that must not hold the lock long stops, drops it, and goes on from w. The
 * caller may free the name it was given.
 */
bool
space_walk_next_locked(struct ipc_space *s, struct space_walk *w, uint32_t *budget, mach_port_name_t *name,
		       struct ipc_entry **e)
{
	struct space_tree_node *n;

	while (w->slot + 1 < s->size) {
		struct ipc_entry *t;
		if (*budget == 0)
			return false;
		--*budget;
		t = slot_entry(s, ++w->slot);
		if (t->type) {
			*name = t->name;
			*e = t;
			return true;
		}
	}
	while (!w->done) {
		if (*budget < SPACE_WALK_TREE_STEP)
			return false;
		*budget -= SPACE_WALK_TREE_STEP;
		n = space_tree_next(s->tree, w->last);
		if (!n) {
			w->done = true;
			break;
		}
		w->last = n->name;
		if (n->entry.type) {
			*name = n->name;
			*e = &n->entry;
			return true;
		}
	}
	return false;
}
