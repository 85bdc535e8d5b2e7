/*
 * A task's port name space (kernel/ipc/space.c, space_tree.c, space_rhash.c):
 * its names, the entry behind each, and the reverse hash from a port to the
 * name of the send right to it. The space part of kern/ipc.h, which includes
 * it; it needs nothing else of the kernel, so the host unit tests compile the
 * same files (tests/unit/test_space.c).
 *
 * Locking: the space's own lock, held by the caller of every function here
 * (with a port's lock inside it, for the ports its entries name: kern/ipc.h).
 * None of them looks at more than a bounded part of the space: a name is found
 * by index or in a balanced tree, a port in a hash that grows a bucket at a
 * time, and the table grows a chunk at a time without moving an entry.
 */
#ifndef KERN_IPC_SPACE_H
#define KERN_IPC_SPACE_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/spinlock.h>
#include <mach/kern_return.h>
#include <mach/port.h>

struct task;
struct space_tree_node;

/*
 * One name in a task's space: a table slot, or a tree node. Entries never
 * move (the table is made of chunks, nodes stay where they are), so a pointer
 * to one stays good until its name is freed.
 */
struct ipc_entry {
	mach_port_name_t name;		/* while in use; a free slot's is SPACE_FREE | slot */
	mach_port_type_t type;		/* MACH_PORT_TYPE_* bits (never DNREQUEST) */
	void *object;			/* struct port or struct pset */
	union {
		struct ipc_entry *next_free;	/* table, free: the next on the free list */
		struct ipc_entry *rnext;	/* with a send right: the next in its reverse-hash bucket */
	};
	union {
		struct ipc_entry *prev_free;	/* table, free: the previous on the free list */
		bool dnrequest;		/* in use: a dead-name request is registered on the name */
	};
	uint16_t urefs;			/* send or dead-name user references (UREFS_MAX at most) */
	uint8_t gen;			/* table: generation, so a reused slot gets a new name;
					 * 0 while every name of the slot is in the tree ("parked") */
	uint8_t collisions;		/* table: tree names with this slot and a generation */
};

/*
 * A task's names. Most live in the table, as (slot << 8 | generation); a name
 * chosen by the task (mach_port_allocate_name, rename, insert_right) that the
 * table cannot hold goes into the tree (space_tree.c). A name is in one of the
 * two, and automatic names skip the ones in the tree.
 *
 * The table is a directory of chunks, a page of SPACE_CHUNK_SLOTS slots each:
 * the slot of a name is in chunk name >> 15, so a lookup costs one more load
 * than a flat array, and growing it adds a page instead of copying the table.
 * Pages come from space_page_alloc, so growing never walks the kernel heap.
 *
 * The reverse hash (space_rhash.c) holds exactly the entries with a send right,
 * keyed by their port: a space names a port's send right under one name, which
 * is also the name of its receive right when the space holds that (the port
 * says so: port->receiver, port->receiver_name). It is linear hashing: buckets
 * are added one at a time as entries join, each split moving one bucket's chain.
 *
 *   [S] s->lock   [I] set at creation
 */
/* A page on i386 (the host unit tests, with 8-byte pointers, take twice that) */
#define SPACE_PAGE_SIZE		(4096 / 4 * sizeof(void *))
#define SPACE_CHUNK_SHIFT	7	/* a page holds 1 << this entries */
#define SPACE_CHUNK_SLOTS	(1u << SPACE_CHUNK_SHIFT)
#define SPACE_MAX_SLOTS		(1u << 20)
#define SPACE_MAX_CHUNKS	(SPACE_MAX_SLOTS / SPACE_CHUNK_SLOTS)
#define SPACE_BUCKET_SHIFT	10	/* a page holds 1 << this buckets, or as many chunk pointers */
#define SPACE_FREE		0x80000000u	/* no name whose slot is in the table has this bit */

struct ipc_space {
	struct spinlock lock;		/* before any port's; spaces in address order (kern/lock_order.h) */
	struct ipc_entry **table;	/* [S] table[i]: the chunk of slots i << 7 .. (i << 7) + 127 */
	uint32_t size;			/* [S] slots made (used or free): lookups look below it */
	uint32_t chunks;		/* [S] chunks allocated: size <= chunks << 7 */
	uint32_t table_room;		/* [S] length of the directory `table` */
	struct ipc_entry *free_head;	/* [S] the free slots, doubly linked, or NULL */
	uint32_t count;			/* [S] names in use, in the table and the tree */
	uint32_t limit;			/* [S] most names it may hold (its task's TASK_LIMIT_NAMES) */
	uint32_t version;		/* [S] changes whenever a name comes, goes or changes its rights
					 * (but for a port's death, which its names learn lazily) */
	struct space_tree_node *tree;	/* [S] root of the other names */
	uint32_t tree_count;		/* [S] names in the tree */
	struct space_tree_node *spare;	/* [S] a node kept for the next tree name, or NULL */
	/* the reverse hash: port -> entry holding a send right to it */
	struct ipc_entry ***buckets;	/* [S] buckets[i]: the chunk of buckets i << 10 .. */
	uint32_t bucket_chunks;		/* [S] chunks allocated */
	uint32_t bucket_room;		/* [S] length of the directory `buckets` */
	uint32_t rh_level;		/* [S] buckets below rh_split use hash & (2 * rh_level - 1), */
	uint32_t rh_split;		/*     the others hash & (rh_level - 1); rh_level + rh_split exist */
	uint32_t rh_count;		/* [S] entries in the hash */
	uint32_t rh_seed;		/* [I] */
	bool active;			/* [S] false once the task is dead */
	struct task *task;		/* [I] */
	struct ipc_entry *first_chunk;	/* [I] `table` while the directory has one chunk */
	struct ipc_entry **first_buckets; /* [I] `buckets` while it has one chunk */
};

/* A walk over a space's names that may free the name it was just given. */
struct space_walk {
	uint32_t slot;			/* the table slot given last */
	mach_port_name_t last;		/* the tree name given last */
	bool done;			/* the walk has given every name */
};
#define SPACE_WALK_START ((struct space_walk){ 0, MACH_PORT_NULL, false })
#define SPACE_WALK_TREE_STEP 4		/* of a walk's budget: a table slot costs 1 */

/* A page for a space's chunks, and back (ipc_task.c: the page allocator's, direct-mapped). */
void *space_page_alloc(void);
void space_page_free(void *page);

/* space.c */
struct ipc_space *space_create(struct task *t);
/* The most names s may hold from now on (capped at what the table can name). [S] held, or s unpublished. */
void ipc_space_set_limit(struct ipc_space *s, uint32_t names);
void space_destroy(struct ipc_space *s);
struct ipc_entry *space_lookup_tree_locked(struct ipc_space *s, mach_port_name_t name);
kern_return_t space_alloc_name_locked(struct ipc_space *s, mach_port_name_t *name, struct ipc_entry **e);
kern_return_t space_check_given_name_locked(struct ipc_space *s, mach_port_name_t name);
kern_return_t space_alloc_given_name_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry **e);
void space_free_entry_locked(struct ipc_space *s, mach_port_name_t name);
bool space_walk_next_locked(struct ipc_space *s, struct space_walk *w, uint32_t *budget,
			    mach_port_name_t *name, struct ipc_entry **e);

/* space_rhash.c: the reverse hash. The caller bumps s->version. */
bool space_rhash_init(struct ipc_space *s);
void space_rhash_destroy(struct ipc_space *s);
/* e has just got a send right (e->type has MACH_PORT_TYPE_SEND, e->object is its port). */
void space_rhash_insert_locked(struct ipc_space *s, struct ipc_entry *e);
/* e is about to lose its send right: its type and object are still those it was inserted with. */
void space_rhash_remove_locked(struct ipc_space *s, struct ipc_entry *e);
/* The entry holding a send right to port, or NULL. */
struct ipc_entry *space_rhash_lookup_locked(struct ipc_space *s, const void *port);

#define SPACE_GENERATIONS	255	/* a table name's generation: 1..255; 0 marks a parked slot */

/* e (free) first on s's free list. */
static inline void
space_push_free(struct ipc_space *s, struct ipc_entry *e)
{
	e->next_free = s->free_head;
	e->prev_free = NULL;
	if (s->free_head)
		s->free_head->prev_free = e;
	s->free_head = e;
}

/* e, off the free list or new in the tree, now stands for name, with no right yet. */
static inline void
space_take_locked(struct ipc_space *s, struct ipc_entry *e, mach_port_name_t name)
{
	e->name = name;
	e->type = 0;
	e->object = NULL;
	e->urefs = 0;
	e->dnrequest = false;
	s->count++;
	s->version++;
}

/*
 * space_alloc_name_locked's common case, inline for the IPC fast path (a
 * reply right named in a server's space at every request): the first free
 * slot, when no name in the tree has its number, so that its generation is
 * free. NULL when the general function must look further (or refuse).
 */
static inline struct ipc_entry *
space_alloc_quick_locked(struct ipc_space *s)
{
	struct ipc_entry *e = s->free_head;

	if (!e || e->collisions || !s->active || s->count >= s->limit)
		return NULL;
	s->free_head = e->next_free;	/* the head: no previous */
	if (e->next_free)
		e->next_free->prev_free = NULL;
	space_take_locked(s, e, ((e->name & ~SPACE_FREE) << 8) | e->gen);
	return e;
}

/* Whether e, an entry in use in s, is a table slot's (not the tree's). */
static inline bool
space_entry_in_table(const struct ipc_space *s, const struct ipc_entry *e)
{
	uint32_t slot = e->name >> 8;

	return slot < s->size && &s->table[slot >> SPACE_CHUNK_SHIFT][slot & (SPACE_CHUNK_SLOTS - 1)] == e;
}

/*
 * e, a table slot in use with no send right (so not in the reverse hash),
 * free again under its next generation: space_free_entry_locked's table case.
 */
static inline void
space_free_slot_locked(struct ipc_space *s, struct ipc_entry *e)
{
	e->name = SPACE_FREE | (e->name >> 8);
	e->type = 0;
	e->object = NULL;
	e->urefs = 0;
	e->gen = (uint8_t)(e->gen % SPACE_GENERATIONS + 1);
	space_push_free(s, e);
	s->count--;
	s->version++;
}

/*
 * The entry name denotes in s, or NULL. Inline, because every message looks
 * up its rights this way (the IPC fast path): a table name costs no call, a
 * name in the tree one. Slot 0 of the table is never in use.
 */
static inline struct ipc_entry *
space_lookup_locked(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = name >> 8;

	if (s->active && slot < s->size) {
		struct ipc_entry *e = &s->table[slot >> SPACE_CHUNK_SHIFT][slot & (SPACE_CHUNK_SLOTS - 1)];
		if (e->name == name)
			return e;
	}
	return s->tree ? space_lookup_tree_locked(s, name) : NULL;
}

#endif
