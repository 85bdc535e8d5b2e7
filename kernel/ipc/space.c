/*
 * IPC spaces: each task's table of names. A name is (slot << 8) | generation,
 * so a name that was freed and reused is not mistaken for the old one; 0 and
 * ~0 (MACH_PORT_NULL, MACH_PORT_DEAD) are never names. The table grows by
 * doubling. Every function here runs with sched_lock held (see kern/ipc.h).
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>

#define INITIAL_SLOTS	32
#define MAX_SLOTS	(1u << 20)

#define NAME(slot, gen)	(((slot) << 8) | (gen))
#define SLOT(name)	((name) >> 8)
#define GEN(name)	((name) & 0xFF)

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
		s->table[i].next_free = s->free_head;
		s->table[i].gen = 1;
		s->free_head = i;
	}
	s->active = true;
	s->task = t;
	return s;
}

/* Frees the table; the caller has destroyed every right in it first. */
void
space_destroy(struct ipc_space *s)
{
	kfree(s->table);
	kfree(s);
}

struct ipc_entry *
space_lookup_locked(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = SLOT(name);
	struct ipc_entry *e;

	if (!s->active || slot == 0 || slot >= s->size)
		return NULL;
	e = &s->table[slot];
	if (e->type == 0 || e->gen != GEN(name))
		return NULL;
	return e;
}

static bool
grow_locked(struct ipc_space *s)
{
	uint32_t n = s->size * 2;
	struct ipc_entry *t;

	if (n > MAX_SLOTS)
		return false;
	t = kzalloc(n * sizeof *t);
	if (!t)
		return false;
	memcpy(t, s->table, s->size * sizeof *t);
	for (uint32_t i = n - 1; i >= s->size; i--) {
		t[i].next_free = s->free_head;
		t[i].gen = 1;
		s->free_head = i;
	}
	kfree(s->table);
	s->table = t;
	s->size = n;
	return true;
}

kern_return_t
space_alloc_name_locked(struct ipc_space *s, mach_port_name_t *name, struct ipc_entry **out)
{
	uint32_t slot;
	struct ipc_entry *e;

	if (!s->active)
		return KERN_INVALID_TASK;
	if (!s->free_head && !grow_locked(s))
		return KERN_NO_SPACE;
	slot = s->free_head;
	e = &s->table[slot];
	s->free_head = e->next_free;
	e->next_free = 0;
	e->urefs = 0;
	e->object = NULL;
	s->count++;
	*name = NAME(slot, e->gen);
	*out = e;
	return KERN_SUCCESS;
}

/* mach_port_allocate_name: the caller chooses the name. */
kern_return_t
space_alloc_given_name_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry **out)
{
	uint32_t slot = SLOT(name), *link;
	struct ipc_entry *e;

	if (!MACH_PORT_VALID(name) || slot == 0 || GEN(name) == 0)
		return KERN_INVALID_VALUE;
	while (slot >= s->size)
		if (!grow_locked(s))
			return KERN_NO_SPACE;
	e = &s->table[slot];
	if (e->type != 0)
		return KERN_NAME_EXISTS;
	/* unlink the slot from the free list */
	for (link = &s->free_head; *link && *link != slot; link = &s->table[*link].next_free)
		;
	if (*link != slot)
		return KERN_NAME_EXISTS;
	*link = e->next_free;
	e->next_free = 0;
	e->gen = (uint16_t)GEN(name);
	e->urefs = 0;
	e->object = NULL;
	s->count++;
	*out = e;
	return KERN_SUCCESS;
}

void
space_free_entry_locked(struct ipc_space *s, mach_port_name_t name)
{
	uint32_t slot = SLOT(name);
	struct ipc_entry *e = &s->table[slot];

	e->type = 0;
	e->object = NULL;
	e->urefs = 0;
	e->gen = (uint16_t)(e->gen % 255 + 1);
	e->next_free = s->free_head;
	s->free_head = slot;
	s->count--;
}

/* The name under which s holds send or receive rights to p (send-once rights never merge). */
bool
space_find_port_locked(struct ipc_space *s, struct port *p, mach_port_name_t *name)
{
	for (uint32_t i = 1; i < s->size; i++) {
		struct ipc_entry *e = &s->table[i];
		if (e->object == p && (e->type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE))) {
			*name = NAME(i, e->gen);
			return true;
		}
	}
	return false;
}

uint32_t
space_names_locked(struct ipc_space *s, mach_port_name_t *names, mach_port_type_t *types, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 1; i < s->size; i++) {
		struct ipc_entry *e = &s->table[i];
		if (!e->type)
			continue;
		entry_lazy_dead_locked(e);
		if (n < max) {
			names[n] = NAME(i, e->gen);
			types[n] = e->type;
		}
		n++;
	}
	return n;
}
