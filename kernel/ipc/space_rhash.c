/*
 * A space's reverse hash: from a port to the entry that holds the space's send
 * right to it, so that a send or receive right copied out into the space
 * joins the name the space already has for the port (Mach keeps the same
 * hash; see kern/ipc_space.h for what it holds). right.c keeps it exact.
 *
 * Linear hashing, so that no call ever rehashes the whole table: there are
 * rh_level + rh_split buckets; an entry joining beyond one entry per bucket
 * splits bucket rh_split, moving the entries of its chain whose hash says so
 * to a new bucket rh_level + rh_split. Buckets live in pages of 1,024 behind
 * a directory (itself a page once there are two), like the table's slots, so
 * a new bucket costs at most a page. Chains link entries through ipc_entry.rnext; entries never
 * move, so the links stay good. Under the space's lock.
 */
#include <kern/ipc_space.h>
#include <kern/kmem.h>
#include <kern/lib.h>

#define BUCKETS_PER_CHUNK	(1u << SPACE_BUCKET_SHIFT)
#define MAX_BUCKETS		SPACE_MAX_SLOTS
#define MAX_CHUNKS		(MAX_BUCKETS / BUCKETS_PER_CHUNK)

_Static_assert(BUCKETS_PER_CHUNK * sizeof(struct ipc_entry *) <= SPACE_PAGE_SIZE, "a bucket chunk is a page");
_Static_assert(MAX_CHUNKS * sizeof(struct ipc_entry **) <= SPACE_PAGE_SIZE, "a directory is a page at most");

/* A port's hash: its address, mixed so that every bit counts (murmur3's finalizer). */
static uint32_t
hash(const struct ipc_space *s, const void *port)
{
	uint32_t h = (uint32_t)(uintptr_t)port ^ s->rh_seed;

	h ^= h >> 16;
	h *= 0x85EBCA6Bu;
	h ^= h >> 13;
	h *= 0xC2B2AE35u;
	h ^= h >> 16;
	return h;
}

static struct ipc_entry **
bucket_at(struct ipc_space *s, uint32_t b)
{
	return &s->buckets[b >> SPACE_BUCKET_SHIFT][b & (BUCKETS_PER_CHUNK - 1)];
}

static struct ipc_entry **
bucket_of(struct ipc_space *s, const void *port)
{
	uint32_t h = hash(s, port), b = h & (s->rh_level - 1);

	if (b < s->rh_split)	/* split already this round */
		b = h & (2 * s->rh_level - 1);
	return bucket_at(s, b);
}

bool
space_rhash_init(struct ipc_space *s)
{
	s->first_buckets = space_page_alloc();
	if (!s->first_buckets)
		return false;
	s->first_buckets[0] = NULL;
	s->buckets = &s->first_buckets;
	s->bucket_chunks = 1;
	s->bucket_room = 1;
	s->rh_level = 1;
	s->rh_split = 0;
	s->rh_count = 0;
	s->rh_seed = (uint32_t)(uintptr_t)s * 0x9E3779B1u;
	return true;
}

void
space_rhash_destroy(struct ipc_space *s)
{
	for (uint32_t i = 0; i < s->bucket_chunks; i++)
		space_page_free(s->buckets[i]);
	if (s->buckets != &s->first_buckets)
		space_page_free(s->buckets);
	s->buckets = NULL;
	s->bucket_chunks = 0;
}

/* Room for bucket chunk number s->bucket_chunks; false when memory is short. */
static bool
add_bucket_chunk(struct ipc_space *s)
{
	struct ipc_entry ***dir, **c;

	if (s->bucket_chunks == s->bucket_room) {	/* the second: the directory becomes a page */
		dir = space_page_alloc();
		if (!dir)
			return false;
		dir[0] = s->first_buckets;
		s->buckets = dir;
		s->bucket_room = MAX_CHUNKS;
	}
	c = space_page_alloc();
	if (!c)
		return false;
	s->buckets[s->bucket_chunks++] = c;
	return true;
}

/*
 * Adds bucket rh_level + rh_split, taking from bucket rh_split the entries
 * that hash there. Without memory for it, nothing happens: the chains grow a
 * little longer until a later entry's split finds some.
 */
static void
split(struct ipc_space *s)
{
	uint32_t to = s->rh_level + s->rh_split, mask = 2 * s->rh_level - 1;
	struct ipc_entry **link, **dest, *e;

	if (to >= MAX_BUCKETS)
		return;
	if ((to >> SPACE_BUCKET_SHIFT) >= s->bucket_chunks && !add_bucket_chunk(s))
		return;
	dest = bucket_at(s, to);
	*dest = NULL;
	for (link = bucket_at(s, s->rh_split); (e = *link) != NULL;) {
		if ((hash(s, e->object) & mask) == to) {
			*link = e->rnext;
			e->rnext = *dest;
			*dest = e;
		} else {
			link = &e->rnext;
		}
	}
	if (++s->rh_split == s->rh_level) {	/* every bucket of the round is split */
		s->rh_level *= 2;
		s->rh_split = 0;
	}
}

void
space_rhash_insert_locked(struct ipc_space *s, struct ipc_entry *e)
{
	struct ipc_entry **b = bucket_of(s, e->object);

	e->rnext = *b;
	*b = e;
	if (++s->rh_count > s->rh_level + s->rh_split)
		split(s);
}

void
space_rhash_remove_locked(struct ipc_space *s, struct ipc_entry *e)
{
	struct ipc_entry **link = bucket_of(s, e->object);

	while (*link != e) {
		if (!*link)
			panic("space: name %x is not in its reverse hash", e->name);
		link = &(*link)->rnext;
	}
	*link = e->rnext;
	s->rh_count--;
}

struct ipc_entry *
space_rhash_lookup_locked(struct ipc_space *s, const void *port)
{
	struct ipc_entry *e;

	for (e = *bucket_of(s, port); e; e = e->rnext)
		if (e->object == port)
			return e;
	return NULL;
}
