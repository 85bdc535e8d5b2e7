/*
 * One frame ring (manifold/frame_ring.h): a single producer and a single
 * consumer in two tasks that share the ring's memory and trust nothing of each
 * other. frame_region.c lays out a session's two rings; the driver and gns
 * call these.
 *
 * Memory ordering, which must hold on any CPU, not only x86's:
 * - A frame is written into its slot before prod says it is there: the
 *   producer's store of prod is a release, the consumer's load of it an
 *   acquire, so the consumer that sees the new prod sees the slot's bytes.
 * - A slot is read before cons gives it back: the consumer's store of cons is
 *   a release and the producer's load an acquire, so the producer never writes
 *   a slot the consumer may still be reading.
 * - Sleeping without losing a wakeup (the wants_kick words): the side about to
 *   sleep stores wants_kick = 1, then reads the other side's index; the side
 *   that moves its index stores it, then reads wants_kick. Each pair is a store
 *   then a load of another word, which only a full fence keeps in order (x86
 *   reorders exactly that case). With both fences at least one side sees the
 *   other's store: the sleeper finds the work, or the worker sends the kick.
 * Both sides' shared words are touched only through __atomic builtins, so the
 * compiler neither tears nor re-reads them.
 */
#include <string.h>
#include <manifold/frame_ring.h>

static uint32_t
load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void
attach(struct frame_ring *r, struct frame_ring_ctl *ctl, struct frame_slot *slots, uint32_t nslots,
       uint32_t mine)
{
	r->ctl = ctl;
	r->slots = slots;
	r->nslots = nslots;
	r->mine = mine;
	r->held = false;
	/* A geometry we cannot index safely is a caller's bug, but fail closed. */
	r->broken = nslots == 0 || nslots > FRAME_RING_SLOTS_MAX || (nslots & (nslots - 1)) != 0;
}

void
frame_ring_attach_producer(struct frame_ring *r, struct frame_ring_ctl *ctl, struct frame_slot *slots,
			   uint32_t nslots)
{
	attach(r, ctl, slots, nslots, __atomic_load_n(&ctl->prod, __ATOMIC_RELAXED));
}

void
frame_ring_attach_consumer(struct frame_ring *r, struct frame_ring_ctl *ctl, struct frame_slot *slots,
			   uint32_t nslots)
{
	attach(r, ctl, slots, nslots, __atomic_load_n(&ctl->cons, __ATOMIC_RELAXED));
}

static int
corrupt(struct frame_ring *r)
{
	r->broken = true;
	r->held = false;
	return FRAME_RING_CORRUPT;
}

static struct frame_slot *
slot(struct frame_ring *r, uint32_t index)
{
	return &r->slots[index & (r->nslots - 1)];
}

/*
 * How many frames sit between the consumer and the producer, from our own
 * index and the other side's, read once. Anything above nslots cannot happen
 * with an honest peer (a cons past prod shows up as a huge difference too).
 */
static int
filled(struct frame_ring *r, uint32_t prod, uint32_t cons)
{
	uint32_t n = prod - cons;

	if (n > r->nslots)
		return corrupt(r);
	return (int)n;
}

int
frame_ring_free_slots(struct frame_ring *r)
{
	int n;

	if (r->broken)
		return FRAME_RING_CORRUPT;
	n = filled(r, r->mine, load_acquire(&r->ctl->cons));
	return n < 0 ? n : (int)r->nslots - n;
}

int
frame_ring_reserve(struct frame_ring *r, uint8_t **data)
{
	int n = frame_ring_free_slots(r);

	if (n < 0)
		return n;
	if (n == 0)
		return FRAME_RING_FULL;
	r->held = true;
	*data = slot(r, r->mine)->data;
	return 0;
}

int
frame_ring_commit(struct frame_ring *r, uint32_t len)
{
	return frame_ring_commit_flags(r, len, 0);
}

int
frame_ring_commit_flags(struct frame_ring *r, uint32_t len, uint32_t flags)
{
	if (r->broken)
		return FRAME_RING_CORRUPT;
	if (!r->held)
		return FRAME_RING_FULL;	/* nothing reserved: no slot is known free */
	if (len > FRAME_DATA_MAX)
		return FRAME_RING_TOO_BIG;
	__atomic_store_n(&slot(r, r->mine)->len, len, __ATOMIC_RELAXED);
	__atomic_store_n(&slot(r, r->mine)->flags, flags, __ATOMIC_RELAXED);
	r->held = false;
	r->mine++;
	store_release(&r->ctl->prod, r->mine);
	return 0;
}

int
frame_ring_put(struct frame_ring *r, const void *frame, uint32_t len)
{
	return frame_ring_put_flags(r, frame, len, 0);
}

int
frame_ring_put_flags(struct frame_ring *r, const void *frame, uint32_t len, uint32_t flags)
{
	uint8_t *data;
	int err;

	if (len > FRAME_DATA_MAX)
		return FRAME_RING_TOO_BIG;
	err = frame_ring_reserve(r, &data);
	if (err < 0)
		return err;
	memcpy(data, frame, len);
	return frame_ring_commit_flags(r, len, flags);
}

/*
 * Both kick tests: after our index moved (the caller stored it with a
 * release), a full fence, then the other side's wants_kick. Exchanging it to
 * 0 makes one kick per sleep, whichever of several calls sees it first.
 */
static bool
kick_needed(uint32_t *wants_kick)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(wants_kick, __ATOMIC_RELAXED) == 0)
		return false;
	return __atomic_exchange_n(wants_kick, 0, __ATOMIC_SEQ_CST) != 0;
}

bool
frame_ring_kick_consumer(struct frame_ring *r)
{
	return !r->broken && kick_needed(&r->ctl->cons_wants_kick);
}

bool
frame_ring_kick_producer(struct frame_ring *r)
{
	return !r->broken && kick_needed(&r->ctl->prod_wants_kick);
}

/*
 * Before sleeping: ask for a kick, then look once more. True: sleep, a kick
 * will come when the other side moves. False: there is something to do now
 * (or the ring is broken), so do not sleep; the request is withdrawn.
 */
static bool
may_sleep(struct frame_ring *r, uint32_t *wants_kick, bool (*ready)(struct frame_ring *))
{
	if (r->broken)
		return false;
	__atomic_store_n(wants_kick, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!ready(r))
		return true;
	__atomic_store_n(wants_kick, 0, __ATOMIC_RELAXED);
	return false;
}

static bool
has_space(struct frame_ring *r)
{
	return frame_ring_free_slots(r) != 0;	/* a CORRUPT counts: the caller must look */
}

static bool
has_frames(struct frame_ring *r)
{
	return filled(r, load_acquire(&r->ctl->prod), r->mine) != 0;
}

bool
frame_ring_wait_for_space(struct frame_ring *r)
{
	return may_sleep(r, &r->ctl->prod_wants_kick, has_space);
}

bool
frame_ring_wait_for_frames(struct frame_ring *r)
{
	return may_sleep(r, &r->ctl->cons_wants_kick, has_frames);
}

int
frame_ring_peek(struct frame_ring *r, const uint8_t **data)
{
	uint32_t len;
	int n;

	if (r->broken)
		return FRAME_RING_CORRUPT;
	n = filled(r, load_acquire(&r->ctl->prod), r->mine);
	if (n < 0)
		return n;
	if (n == 0)
		return FRAME_RING_EMPTY;
	/* Read once: the producer may change it under us; we use this copy only. */
	len = __atomic_load_n(&slot(r, r->mine)->len, __ATOMIC_RELAXED);
	if (len > FRAME_DATA_MAX)
		return corrupt(r);
	r->held = true;
	*data = slot(r, r->mine)->data;
	return (int)len;
}

/* Any value may be there (the producer is not trusted): the caller reads each bit as a claim only. */
uint32_t
frame_ring_peeked_flags(struct frame_ring *r)
{
	if (r->broken || !r->held)
		return 0;
	return __atomic_load_n(&slot(r, r->mine)->flags, __ATOMIC_RELAXED);
}

void
frame_ring_consume(struct frame_ring *r)
{
	if (r->broken || !r->held)
		return;
	r->held = false;
	r->mine++;
	store_release(&r->ctl->cons, r->mine);
}

/* A frame longer than size is taken off the ring and dropped: FRAME_RING_TOO_BIG. */
int
frame_ring_get(struct frame_ring *r, void *buf, uint32_t size)
{
	const uint8_t *data;
	int len = frame_ring_peek(r, &data);

	if (len < 0)
		return len;
	if ((uint32_t)len > size) {
		frame_ring_consume(r);
		return FRAME_RING_TOO_BIG;
	}
	memcpy(buf, data, (size_t)len);
	frame_ring_consume(r);
	return len;
}
