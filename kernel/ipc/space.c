/*
 * IPC spaces: each task's names. Automatic names come from a table: a name is
 * (slot << 8) | generation, so a name that was freed and reused is not
 * mistaken for the old one, and the table grows by doubling. A task may also
 * choose any name but MACH_PORT_NULL and MACH_PORT_DEAD, as in Mach; a chosen
 * name the table cannot hold (slot 0, generation 0, a slot past the table's
 * end or in use under another generation) goes into a tree beside it
 * (space_tree.c), as Mach's splay tree does. Lookups try the table first, so
 * the IPC fast path pays nothing for the tree.
 *
 * Automatic names must skip the names in the tree: each slot counts the tree
 * names with its number (`collisions`); a slot with none needs no look at the
 * tree, and a slot all 255 of whose names are in the tree leaves the free list
 * (gen 0, "parked") until one of them goes. Every function here runs with
 * sched_lock held (see kern/ipc.h).
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include "space_tree.h"

#define INITIAL_SLOTS	32
#define MAX_SLOTS	(1u << 20)
#define MAX_NAMES	(MAX_SLOTS - 1)		/* names in a space, table and tree together */
#define GENERATIONS	255			/* 1..255; 0 marks a parked slot */
#define IN_USE		0xFFFFFFFFu		/* next_free of a table slot that holds a name */

#define NAME(slot, gen)	(((slot) << 8) | (gen))
#define SLOT(name)	((name) >> 8)
#define GEN(name)	((name) & 0xFF)

static void
push_free(struct ipc_space *s, uint32_t slot)
{
	s->table[slot].next_free = s->free_head;
	s->free_head = slot;
}

/* The table slot that counts `name`, a tree name, among its collisions; or NULL. */
static struct ipc_entry *
colliding_slot(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = SLOT(name);

	return slot != 0 && slot < s->size && GEN(name) != 0 ? &s->table[slot] : NULL;
}

struct ipc_space *
space_create(struct task *t)
{
	struct ipc_space *s = kzalloc(sizeof *s);

	if (!s)
		return NULL;
	s->table = kzalloc(INITIAL_SLOTS * sizeof *s->table);
	if (!s->table) {
		kfree(s);
		return NULL;
	}
	s->size = INITIAL_SLOTS;
	for (uint32_t i = INITIAL_SLOTS - 1; i >= 1; i--) {
		s->table[i].gen = 1;
		push_free(s, i);
	}
	s->active = true;
	s->task = t;
	return s;
}

/* Frees the table and the tree; the caller has destroyed every right in them first. */
void
space_destroy(struct ipc_space *s)
{
	struct space_tree_node *n;

	while (s->tree) {
		s->tree = space_tree_remove(s->tree, s->tree->name, &n);
		kfree(n);
	}
	kfree(s->spare);
	kfree(s->table);
	kfree(s);
}

/* A name space_lookup_locked (kern/ipc.h) did not find in the table. */
struct ipc_entry *
space_lookup_tree_locked(struct ipc_space *s, mach_port_name_t name)
{
	struct space_tree_node *n;

	if (!s->active)
		return NULL;
	n = space_tree_lookup(s->tree, name);
	return n ? &n->entry : NULL;
}

static bool
grow_locked(struct ipc_space *s)
{
	uint32_t old = s->size, n = old * 2;
	struct space_tree_node *node;
	struct ipc_entry *t;

	if (n > MAX_SLOTS)
		return false;
	t = kzalloc(n * sizeof *t);
	if (!t)
		return false;
	memcpy(t, s->table, old * sizeof *t);
	kfree(s->table);
	s->table = t;
	s->size = n;
	/* tree names with the new slots' numbers collide with them from now on */
	for (node = space_tree_next(s->tree, NAME(old, 0)); node && SLOT(node->name) < n;
	     node = space_tree_next(s->tree, node->name))
		if (GEN(node->name) != 0)
			t[SLOT(node->name)].collisions++;
	for (uint32_t i = n - 1; i >= old; i--) {
		t[i].gen = 1;
		push_free(s, i);
	}
	return true;
}

/* Moves e->gen to a generation whose name is not in the tree; false when all are. */
static bool
pick_generation(struct ipc_space *s, uint32_t slot, struct ipc_entry *e)
{
	if (e->collisions >= GENERATIONS)
		return false;
	while (space_tree_lookup(s->tree, NAME(slot, e->gen)))
		e->gen = (uint16_t)(e->gen % GENERATIONS + 1);
	return true;
}

kern_return_t
space_alloc_name_locked(struct ipc_space *s, mach_port_name_t *name, struct ipc_entry **out)
{
	uint32_t slot;
	struct ipc_entry *e;

	if (!s->active)
		return KERN_INVALID_TASK;
	if (s->count >= MAX_NAMES)
		return KERN_NO_SPACE;
	for (;;) {
		if (!s->free_head && !grow_locked(s))
			return KERN_NO_SPACE;
		slot = s->free_head;
		e = &s->table[slot];
		if (!e->collisions || pick_generation(s, slot, e))
			break;
		s->free_head = e->next_free;	/* park it: space_free_entry_locked brings it back */
		e->next_free = 0;
		e->gen = 0;
	}
	s->free_head = e->next_free;
	e->next_free = IN_USE;
	e->urefs = 0;
	e->object = NULL;
	s->count++;
	*name = NAME(slot, e->gen);
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
	e = &s->table[slot];
	return e->next_free != IN_USE && e->gen != 0 ? e : NULL;
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
	if (s->count >= MAX_NAMES)
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
	uint32_t *link;

	if (kr != KERN_SUCCESS)
		return kr;
	e = given_slot(s, name);
	if (e) {
		for (link = &s->free_head; *link && *link != SLOT(name); link = &s->table[*link].next_free)
			;
		if (*link != SLOT(name))
			panic("space: free slot %u is not on the free list", SLOT(name));
		*link = e->next_free;
		e->next_free = IN_USE;
		e->gen = (uint16_t)GEN(name);
	} else {
		n = s->spare;
		s->spare = NULL;
		memset(n, 0, sizeof *n);
		n->name = name;
		s->tree = space_tree_insert(s->tree, n);
		s->tree_count++;
		c = colliding_slot(s, name);
		if (c)
			c->collisions++;
		e = &n->entry;
	}
	e->type = 0;
	e->urefs = 0;
	e->object = NULL;
	s->count++;
	*out = e;
	return KERN_SUCCESS;
}

static void
free_tree_name_locked(struct ipc_space *s, mach_port_name_t name, struct space_tree_node *n)
{
	struct ipc_entry *c = colliding_slot(s, name);

	s->tree_count--;
	s->count--;
	if (s->spare)
		kfree(n);
	else
		s->spare = n;
	if (!c)
		return;
	c->collisions--;
	if (c->gen == 0) {	/* a parked slot: this name is free again */
		c->gen = (uint16_t)GEN(name);
		push_free(s, SLOT(name));
	}
}

void
space_free_entry_locked(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = SLOT(name);
	struct space_tree_node *n;
	struct ipc_entry *e;

	/* without a tree every name is the table's; with one, an in-use slot of that generation is */
	if (!s->tree || (slot != 0 && slot < s->size && s->table[slot].next_free == IN_USE &&
			 s->table[slot].gen == GEN(name))) {
		e = &s->table[slot];
		e->type = 0;
		e->object = NULL;
		e->urefs = 0;
		e->gen = (uint16_t)(e->gen % GENERATIONS + 1);
		push_free(s, slot);
		s->count--;
		return;
	}
	s->tree = space_tree_remove(s->tree, name, &n);
	if (!n)
		panic("space: freeing name %x, which is not in use", name);
	free_tree_name_locked(s, name, n);
}

/*
 * The next name of s after those w has given (table first, then tree) and its
 * entry; false at the end. The caller may free the name it was given.
 */
bool
space_walk_next_locked(struct ipc_space *s, struct space_walk *w, mach_port_name_t *name, struct ipc_entry **e)
{
	struct space_tree_node *n;

	while (w->slot + 1 < s->size) {
		struct ipc_entry *t = &s->table[++w->slot];
		if (t->type) {
			*name = NAME(w->slot, t->gen);
			*e = t;
			return true;
		}
	}
	for (n = space_tree_next(s->tree, w->last); n; n = space_tree_next(s->tree, n->name)) {
		w->last = n->name;
		if (n->entry.type) {
			*name = n->name;
			*e = &n->entry;
			return true;
		}
	}
	return false;
}

/* The name under which s holds send or receive rights to p (send-once rights never merge). */
bool
space_find_port_locked(struct ipc_space *s, struct port *p, mach_port_name_t *name)
{
	struct space_walk w = SPACE_WALK_START;
	struct ipc_entry *e;
	mach_port_name_t n;

	while (space_walk_next_locked(s, &w, &n, &e)) {
		if (e->object == p && (e->type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE))) {
			*name = n;
			return true;
		}
	}
	return false;
}

uint32_t
space_names_locked(struct ipc_space *s, mach_port_name_t *names, mach_port_type_t *types, uint32_t max)
{
	struct space_walk w = SPACE_WALK_START;
	struct ipc_entry *e;
	mach_port_name_t name;
	uint32_t n = 0;

	while (space_walk_next_locked(s, &w, &name, &e)) {
		entry_lazy_dead_locked(e);
		if (n < max) {
			names[n] = name;
			types[n] = right_type_locked(s, name, e);
		}
		n++;
	}
	return n;
}
