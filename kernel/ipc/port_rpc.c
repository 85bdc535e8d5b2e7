/*
 * The mach_port_* calls on a task's name space (mach_port.defs): the handlers
 * that the generated decoder (build/gen/kernel/mach_port_kserver.c) calls for a
 * request that reached a task port, in the sender's thread. Each checks
 * everything under the space's lock (and a port's, for its state), then commits; results travel in the reply, so
 * nothing is lost when the caller's buffer is bad (the receive fails instead,
 * as mach_msg does). A dying task answers KERN_INVALID_TASK.
 */
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include "mach_port_kserver.h"
#include <kern/page.h>
#include <kern/task.h>
#include <mach/notify.h>
#include "layout.h"

/* The task's space while the task lives. Caller holds its lock (ipc_space_lock). */
static struct ipc_space *
live_space_locked(struct task *t)
{
	return t->space && t->space->active ? t->space : NULL;
}

static struct ipc_entry *
lookup(struct ipc_space *s, mach_port_name_t name)
{
	struct ipc_entry *e = space_lookup_locked(s, name);

	if (e)
		entry_lazy_dead_locked(s, e);
	return e;
}

/* Makes a new right of kind `right` under a fresh name (or `given`, if not 0). */
static kern_return_t
allocate(struct task *t, mach_port_right_t right, mach_port_name_t given, mach_port_name_t *name)
{
	struct ipc_space *s;
	struct ipc_entry *e;
	struct port *p = NULL;
	struct pset *ps = NULL;
	kern_return_t kr;
	uint32_t f;

	if (right == MACH_PORT_RIGHT_RECEIVE)
		p = port_create();
	else if (right == MACH_PORT_RIGHT_PORT_SET)
		ps = pset_create();
	else if (right != MACH_PORT_RIGHT_DEAD_NAME)
		return KERN_INVALID_VALUE;
	if ((right == MACH_PORT_RIGHT_RECEIVE && !p) || (right == MACH_PORT_RIGHT_PORT_SET && !ps))
		return KERN_RESOURCE_SHORTAGE;
	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	if (!s) {
		kr = KERN_INVALID_TASK;
	} else if (given) {
		kr = space_alloc_given_name_locked(s, given, &e);
		*name = given;
	} else {
		kr = space_alloc_name_locked(s, name, &e);
	}
	if (kr == KERN_SUCCESS) {
		if (p) {		/* (nobody else knows p yet) */
			e->type = T_RECV;
			e->object = p;
			p->receiver = s;
			p->receiver_name = *name;
		} else if (ps) {
			e->type = T_SET;
			e->object = ps;
			ps->refs = 1;
		} else {
			e->type = T_DEAD;
			e->urefs = 1;
		}
	} else if (p) {
		p->active = false;
		port_unref(p);
	} else if (ps) {
		kfree(ps);
	}
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_allocate(struct task *t, mach_port_right_t right, mach_port_name_t *name)
{
	return allocate(t, right, 0, name);
}

kern_return_t
kdo_mach_port_allocate_name(struct task *t, mach_port_right_t right, mach_port_name_t name)
{
	mach_port_name_t given = name;

	return MACH_PORT_VALID(name) ? allocate(t, right, name, &given) : KERN_INVALID_VALUE;
}

/* Runs op on the task's space, its lock held. */
static kern_return_t
with_space(struct task *t, kern_return_t (*op)(struct ipc_space *, mach_port_name_t), mach_port_name_t name)
{
	struct ipc_space *s;
	kern_return_t kr;
	uint32_t f;

	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	kr = s ? op(s, name) : KERN_INVALID_TASK;
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_deallocate(struct task *t, mach_port_name_t name)
{
	return with_space(t, right_deallocate_locked, name);
}

kern_return_t
kdo_mach_port_destroy(struct task *t, mach_port_name_t name)
{
	return with_space(t, right_destroy_locked, name);
}

static kern_return_t
mod_refs_locked(struct ipc_space *s, mach_port_name_t name, mach_port_right_t right, int32_t delta)
{
	struct ipc_entry *e = lookup(s, name);
	mach_port_type_t bit;
	int64_t n;

	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	if (!e)
		return KERN_INVALID_NAME;
	bit = MACH_PORT_TYPE(right);
	if (!(e->type & bit))
		return KERN_INVALID_RIGHT;
	switch (right) {
	case MACH_PORT_RIGHT_SEND:
	case MACH_PORT_RIGHT_DEAD_NAME:
		n = (int64_t)e->urefs + delta;
		if (n < 0)
			return KERN_INVALID_VALUE;
		if (n > UREFS_MAX)
			return KERN_UREFS_OVERFLOW;
		if (n == 0) {	/* the last reference goes like a deallocate */
			e->urefs = 1;
			return right_deallocate_locked(s, name);
		}
		e->urefs = (uint16_t)n;
		return KERN_SUCCESS;
	default:		/* receive, send-once, port set: one reference, which -1 destroys */
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		if (right == MACH_PORT_RIGHT_RECEIVE && (e->type & T_SEND)) {
			struct port *p = e->object;	/* (the entry's reference keeps it) */
			e->type &= ~T_RECV;
			port_lock(p);
			port_destroy_locked(p);	/* the send right left under the name turns dead */
			port_unlock(p);
			entry_lazy_dead_locked(s, e);
			return KERN_SUCCESS;
		}
		if (right == MACH_PORT_RIGHT_SEND_ONCE)
			return right_deallocate_locked(s, name);
		return right_destroy_locked(s, name);
	}
}

kern_return_t
kdo_mach_port_mod_refs(struct task *t, mach_port_name_t name, mach_port_right_t right, mach_port_delta_t delta)
{
	struct ipc_space *s;
	kern_return_t kr;
	uint32_t f;

	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	kr = s ? mod_refs_locked(s, name, right, delta) : KERN_INVALID_TASK;
	ipc_space_unlock(t->space, f);
	return kr;
}

/*
 * Whether a right to p may join the entry e already under the name: only a
 * send or receive right, and only the entry that names p's send or receive
 * right (a name holding only send-once rights to p is another name, as the
 * reverse hash has it).
 */
static bool
joins(struct ipc_entry *e, struct port *p, bool so)
{
	return e->object == p && !so && (e->type & (T_SEND | T_RECV));
}

/*
 * Puts a carried right (with its reference) into s under exactly `name`. The
 * space's lock held, not p's (a dead name found on the way locks its port).
 */
static kern_return_t
place_right_locked(struct ipc_space *s, mach_port_name_t name, struct port *p, mach_msg_type_name_t carried)
{
	struct ipc_entry *e = space_lookup_locked(s, name);
	bool so = carried == MACH_MSG_TYPE_PORT_SEND_ONCE;

	if (e) {
		entry_lazy_dead_locked(s, e);
		if (!joins(e, p, so))
			return KERN_NAME_EXISTS;
		if (carried == MACH_MSG_TYPE_PORT_SEND) {
			if (e->type & T_SEND) {
				if (e->urefs >= UREFS_MAX)
					return KERN_UREFS_OVERFLOW;
				e->urefs++;
				port_lock(p);
				p->srights--;	/* two send rights merge into one */
				port_unlock(p);
			} else {
				e->type |= T_SEND;
				e->urefs = 1;
				space_rhash_insert_locked(s, e);
				s->version++;
			}
		} else {
			if (e->type & T_RECV)
				return KERN_RIGHT_EXISTS;
			e->type |= T_RECV;
			port_lock(p);
			p->receiver = s;
			p->receiver_name = name;
			port_unlock(p);
			s->version++;
		}
		port_unref(p);	/* the entry already holds one: never the last */
		return KERN_SUCCESS;
	}
	if (!so && right_find_port_locked(s, p))
		return KERN_RIGHT_EXISTS;
	if (space_alloc_given_name_locked(s, name, &e) != KERN_SUCCESS)
		return KERN_NAME_EXISTS;
	e->object = p;
	e->urefs = carried == MACH_MSG_TYPE_PORT_RECEIVE ? 0 : 1;
	e->type = carried == MACH_MSG_TYPE_PORT_SEND ? T_SEND : so ? T_SO : T_RECV;
	if (carried == MACH_MSG_TYPE_PORT_SEND)
		space_rhash_insert_locked(s, e);
	if (carried == MACH_MSG_TYPE_PORT_RECEIVE) {
		port_lock(p);
		p->receiver = s;
		p->receiver_name = name;
		port_unlock(p);
	}
	return KERN_SUCCESS;
}

/* Would place_right_locked succeed? (No change.) */
static kern_return_t
check_place_locked(struct ipc_space *s, mach_port_name_t name, struct port *p, mach_msg_type_name_t disp)
{
	struct ipc_entry *e = space_lookup_locked(s, name);
	bool so = disp == MACH_MSG_TYPE_MAKE_SEND_ONCE || disp == MACH_MSG_TYPE_MOVE_SEND_ONCE;
	bool recv = disp == MACH_MSG_TYPE_MOVE_RECEIVE;

	if (e) {
		entry_lazy_dead_locked(s, e);
		if (!joins(e, p, so))
			return KERN_NAME_EXISTS;
		if (recv && (e->type & T_RECV))
			return KERN_RIGHT_EXISTS;
		if (!recv && (e->type & T_SEND) && e->urefs >= UREFS_MAX)
			return KERN_UREFS_OVERFLOW;
		return KERN_SUCCESS;
	}
	if (!so && right_find_port_locked(s, p))
		return KERN_RIGHT_EXISTS;
	return space_check_given_name_locked(s, name);	/* so that placing it cannot fail */
}

/*
 * The right the request carried (poly, of kind carried) goes into the task under
 * name. On failure the request still holds it, and destroys it, as Mach does.
 */
kern_return_t
kdo_mach_port_insert_right(struct task *t, mach_port_name_t name, struct port *p, mach_msg_type_name_t carried)
{
	struct ipc_space *s;
	kern_return_t kr;
	uint32_t f;

	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_VALUE;
	if (!p)
		return KERN_INVALID_CAPABILITY;
	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	kr = s ? check_place_locked(s, name, p, carried) : KERN_INVALID_TASK;
	if (kr == KERN_SUCCESS)
		kr = place_right_locked(s, name, p, carried);
	ipc_space_unlock(t->space, f);
	return kr;
}

/* Takes a right out of the task as msgt_name says; the reply carries it to the caller. */
kern_return_t
kdo_mach_port_extract_right(struct task *t, mach_port_name_t name, mach_msg_type_name_t msgt_name,
			    struct port **poly, mach_msg_type_name_t *polyPoly)
{
	struct ipc_space *s;
	struct port *p;
	kern_return_t kr;
	uint32_t f;

	if (!MACH_MSG_TYPE_PORT_ANY(msgt_name))
		return KERN_INVALID_VALUE;
	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	kr = s ? right_check_locked(s, name, msgt_name, &p) : KERN_INVALID_TASK;
	if (kr == KERN_INVALID_CAPABILITY)
		kr = KERN_INVALID_RIGHT;
	if (kr == KERN_SUCCESS) {
		right_copyin(s, name, msgt_name, p, polyPoly);
		*poly = p;
	}
	ipc_space_unlock(t->space, f);
	return kr;
}

/*
 * mach_port_names walks the space a bounded step at a time (NAMES_STEP, in
 * space_walk_next_locked's units: about a slot each), dropping the space's lock in
 * between, so that a large space never keeps interrupts off for long. The
 * answer is still one moment's: a pass counts only if the space's version is
 * the same at its end as at its start, else it starts again. A port that
 * dies meanwhile is seen dead from the name the walk finds next on, as in
 * Mach, where a port's death does not wait for the spaces that name it and
 * each name learns of it when it is looked at. The words go
 * straight into pages, which the reply carries as a virtual copy: no large
 * kmalloc, no second copy.
 */
#define NAMES_STEP	32
#define DEATH_STEP	8	/* what a name whose port died costs more: the port may go with it */
#define WORDS_PER_PAGE	(PAGE_SIZE / 4)

/* Pages for n words; *vc is replaced when it holds fewer. No lock held. */
static kern_return_t
words_room(struct vcopy **vc, uint32_t n)
{
	uint32_t pages = ROUND_UP(n, WORDS_PER_PAGE) / WORDS_PER_PAGE;

	if (*vc && (*vc)->npages >= pages)
		return KERN_SUCCESS;
	if (*vc)
		vcopy_free(*vc, 0);
	*vc = vcopy_alloc(pages);
	return *vc ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
}

static void
put_word(struct vcopy *vc, uint32_t i, uint32_t word)
{
	((uint32_t *)P2V(vc->page[i / WORDS_PER_PAGE]))[i % WORDS_PER_PAGE] = word;
}

/* The reply's copy of n words: vc cut to the pages they fill, the rest of the last one zeroed. */
static struct kern_ool
words_reply(struct vcopy *vc, uint32_t n)
{
	uint32_t pages = ROUND_UP(n, WORDS_PER_PAGE) / WORDS_PER_PAGE;

	if (n == 0) {
		if (vc)
			vcopy_free(vc, 0);
		return (struct kern_ool){ NULL, false, 0 };
	}
	for (uint32_t j = pages; j < vc->npages; j++)
		page_unref(vc->page[j]);
	vc->npages = pages;
	if (n % WORDS_PER_PAGE)
		memset((uint32_t *)P2V(vc->page[pages - 1]) + n % WORDS_PER_PAGE, 0,
		       (WORDS_PER_PAGE - n % WORDS_PER_PAGE) * 4);
	return (struct kern_ool){ vc, true, n * 4 };
}

/*
 * One pass over the task's space: names and types into vn and vt (room for
 * `room` words each), dropping the space's lock every `step`. KERN_SUCCESS with
 * *count when the space stayed the same throughout; KERN_ABORTED when it
 * changed (*count is then what it holds now, for the next pass's room).
 */
static kern_return_t
names_pass(struct task *t, struct vcopy *vn, struct vcopy *vt, uint32_t room, uint32_t step, uint32_t *count)
{
	struct space_walk w = SPACE_WALK_START;
	uint32_t f = ipc_space_lock(t->space), n = 0, version = 0, budget;
	struct ipc_space *s = live_space_locked(t);
	kern_return_t kr = s ? KERN_SUCCESS : KERN_INVALID_TASK;
	struct ipc_entry *e;
	mach_port_name_t name;

	if (s) {
		version = s->version;
		if (s->count > room)
			kr = KERN_ABORTED;
	}
	while (kr == KERN_SUCCESS && !w.done) {
		budget = step;
		while (kr == KERN_SUCCESS && space_walk_next_locked(s, &w, &budget, &name, &e)) {
			if (n == room) {
				kr = KERN_ABORTED;
				break;
			}
			if ((e->type & (T_SEND | T_SO)) &&
			    !__atomic_load_n(&((struct port *)e->object)->active, __ATOMIC_RELAXED)) {
				entry_turn_dead_locked(s, e);
				budget -= MIN(budget, DEATH_STEP);
			}
			put_word(vn, n, name);
			put_word(vt, n, right_type_locked(s, name, e));
			n++;
		}
		if (kr == KERN_SUCCESS && s->version != version)
			kr = KERN_ABORTED;
		if (kr == KERN_SUCCESS && !w.done) {	/* a moment with interrupts on, then on from w */
			ipc_space_unlock(t->space, f);
			f = ipc_space_lock(t->space);
			s = live_space_locked(t);
			if (!s)
				kr = KERN_INVALID_TASK;
			else if (s->version != version)
				kr = KERN_ABORTED;
		}
	}
	*count = kr == KERN_ABORTED ? s->count : n;
	ipc_space_unlock(t->space, f);
	return kr;
}

/*
 * A space that changes under every pass (other threads of the task busy with
 * rights) gets its answer from a pass that keeps the lock, after NAMES_TRIES.
 */
#define NAMES_TRIES 8

kern_return_t
kdo_mach_port_names(struct task *t, struct kern_ool *names, mach_msg_type_number_t *namesCnt,
		    struct kern_ool *types, mach_msg_type_number_t *typesCnt)
{
	struct vcopy *vn = NULL, *vt = NULL;
	uint32_t room = 0, count = 0, f;
	kern_return_t kr;

	f = ipc_space_lock(t->space);
	if (live_space_locked(t))
		count = t->space->count;
	ipc_space_unlock(t->space, f);
	for (int tries = 0;; tries++) {
		if (count > room) {	/* a little more, for names that come meanwhile */
			room = count + count / 8 + 16;
			kr = words_room(&vn, room);
			if (kr == KERN_SUCCESS)
				kr = words_room(&vt, room);
			if (kr != KERN_SUCCESS)
				goto fail;
		}
		kr = names_pass(t, vn, vt, room, tries < NAMES_TRIES ? NAMES_STEP : UINT32_MAX, &count);
		if (kr != KERN_ABORTED)
			break;
	}
	if (kr != KERN_SUCCESS)
		goto fail;
	*names = words_reply(vn, count);
	*types = words_reply(vt, count);
	*namesCnt = *typesCnt = count;
	return KERN_SUCCESS;
fail:
	if (vn)
		vcopy_free(vn, 0);
	if (vt)
		vcopy_free(vt, 0);
	return kr;
}

kern_return_t
kdo_mach_port_type(struct task *t, mach_port_name_t name, mach_port_type_t *ptype)
{
	struct ipc_space *s;
	struct ipc_entry *e = NULL;
	kern_return_t kr = KERN_SUCCESS;
	uint32_t f;

	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	if (!s)
		kr = KERN_INVALID_TASK;
	else if (!(e = lookup(s, name)))
		kr = KERN_INVALID_NAME;
	else
		*ptype = right_type_locked(s, name, e);
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_get_refs(struct task *t, mach_port_name_t name, mach_port_right_t right, mach_port_urefs_t *refs)
{
	struct ipc_space *s;
	struct ipc_entry *e;
	kern_return_t kr = KERN_SUCCESS;
	uint32_t f;

	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	if (!s)
		kr = KERN_INVALID_TASK;
	else if (!(e = lookup(s, name)))
		kr = KERN_INVALID_NAME;
	else if (!(e->type & MACH_PORT_TYPE(right)))
		*refs = 0;
	else if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_DEAD_NAME)
		*refs = e->urefs;
	else
		*refs = 1;
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_rename(struct task *t, mach_port_name_t old, mach_port_name_t new)
{
	struct ipc_space *s;
	struct ipc_entry *e, *n;
	kern_return_t kr;
	uint32_t f;

	if (!MACH_PORT_VALID(new))
		return KERN_INVALID_VALUE;
	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	if (!s) {
		kr = KERN_INVALID_TASK;
	} else if (!(e = lookup(s, old))) {
		kr = KERN_INVALID_NAME;
	} else if (space_lookup_locked(s, new)) {
		kr = KERN_NAME_EXISTS;
	} else {
		struct ipc_entry saved = *e;
		kr = space_alloc_given_name_locked(s, new, &n);
		if (kr == KERN_SUCCESS) {
			space_free_entry_locked(s, old);	/* out of the reverse hash too */
			n->type = saved.type;
			n->urefs = saved.urefs;
			n->object = saved.object;
			n->dnrequest = saved.dnrequest;
			if (n->type & T_SEND)
				space_rhash_insert_locked(s, n);
			if (n->type & (T_RECV | T_SEND | T_SO)) {
				struct port *p = n->object;
				port_lock(p);
				if (n->type & T_RECV)
					p->receiver_name = new;
				if ((n->type & (T_SEND | T_SO)) && n->dnrequest)	/* its request follows it */
					notify_name_renamed_locked(s, old, new, p);
				port_unlock(p);
			}
		}
	}
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_move_member(struct task *t, mach_port_name_t member, mach_port_name_t after)
{
	struct ipc_space *sp;
	struct ipc_entry *m = NULL, *s = NULL;
	kern_return_t kr = KERN_SUCCESS;
	uint32_t f;

	f = ipc_space_lock(t->space);
	sp = live_space_locked(t);
	if (sp) {
		m = lookup(sp, member);
		if (after != MACH_PORT_NULL)
			s = lookup(sp, after);
	}
	if (!sp) {
		kr = KERN_INVALID_TASK;
	} else if (!m || (after != MACH_PORT_NULL && !s)) {
		kr = KERN_INVALID_NAME;
	} else if (!(m->type & T_RECV) || (s && !(s->type & T_SET))) {
		kr = KERN_INVALID_RIGHT;
	} else {
		struct port *p = m->object;
		struct pset *ps = s ? s->object : NULL;
		port_lock(p);
		if (!ps && !p->pset) {
			kr = KERN_NOT_IN_SET;
		} else {
			if (p->pset)
				pset_remove_locked(p);
			if (ps)
				pset_add_locked(p, ps);	/* a message waiting wakes the set's receivers */
			/* receivers waiting on the port itself must now look at the set */
			ipc_wake_all_locked(&p->receivers);
		}
		port_unlock(p);
	}
	ipc_space_unlock(t->space, f);
	return kr;
}

/*
 * The receive right under name, for the attribute calls. The space's lock
 * held; the caller locks the port (alive while the space holds its receive right).
 */
static kern_return_t
receive_right_locked(struct task *t, mach_port_name_t name, struct port **p)
{
	struct ipc_space *s = live_space_locked(t);
	struct ipc_entry *e;

	if (!s)
		return KERN_INVALID_TASK;
	if (!(e = lookup(s, name)))
		return KERN_INVALID_NAME;
	if (!(e->type & T_RECV))
		return KERN_INVALID_RIGHT;
	*p = e->object;
	return KERN_SUCCESS;
}

kern_return_t
kdo_mach_port_set_qlimit(struct task *t, mach_port_name_t name, mach_port_msgcount_t qlimit)
{
	struct port *p;
	kern_return_t kr;
	uint32_t f;

	if (qlimit > MACH_PORT_QLIMIT_MAX)
		return KERN_INVALID_VALUE;
	f = ipc_space_lock(t->space);
	kr = receive_right_locked(t, name, &p);
	if (kr == KERN_SUCCESS) {
		port_lock(p);
		p->qlimit = qlimit;
		ipc_wake_all_locked(&p->senders);
		port_unlock(p);
	}
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_set_mscount(struct task *t, mach_port_name_t name, mach_port_mscount_t mscount)
{
	struct port *p;
	kern_return_t kr;
	uint32_t f;

	f = ipc_space_lock(t->space);
	kr = receive_right_locked(t, name, &p);
	if (kr == KERN_SUCCESS) {
		port_lock(p);
		p->mscount = mscount;
		port_unlock(p);
	}
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_get_attributes(struct task *t, mach_port_name_t name, mach_port_flavor_t flavor,
			     integer_t *info, mach_msg_type_number_t *infoCnt)
{
	struct port *p;
	kern_return_t kr;
	uint32_t f;

	if (flavor != MACH_PORT_LIMITS_INFO && flavor != MACH_PORT_RECEIVE_STATUS)
		return KERN_INVALID_ARGUMENT;
	f = ipc_space_lock(t->space);
	kr = receive_right_locked(t, name, &p);
	if (kr == KERN_SUCCESS)
		port_lock(p);
	if (kr == KERN_SUCCESS && flavor == MACH_PORT_LIMITS_INFO) {
		mach_port_limits_t l = { p->qlimit };
		memcpy(info, &l, sizeof l);
		*infoCnt = MACH_PORT_LIMITS_INFO_COUNT;
	} else if (kr == KERN_SUCCESS) {
		mach_port_status_t st = {
			.mps_pset = p->pset ? 1 : 0,	/* no set names here: whether it is in one */
			.mps_seqno = p->seqno, .mps_mscount = p->mscount, .mps_qlimit = p->qlimit,
			.mps_msgcount = p->msgcount, .mps_sorights = p->sorights, .mps_srights = p->srights > 0,
			.mps_pdrequest = p->pdrequest != NULL, .mps_nsrequest = p->nsrequest != NULL,
		};
		memcpy(info, &st, sizeof st);
		*infoCnt = MACH_PORT_RECEIVE_STATUS_COUNT;
	}
	if (kr == KERN_SUCCESS)
		port_unlock(p);
	ipc_space_unlock(t->space, f);
	return kr;
}

kern_return_t
kdo_mach_port_set_attributes(struct task *t, mach_port_name_t name, mach_port_flavor_t flavor,
			     const integer_t *info, mach_msg_type_number_t infoCnt)
{
	mach_port_limits_t l;

	if (flavor != MACH_PORT_LIMITS_INFO)
		return KERN_INVALID_ARGUMENT;
	if (infoCnt < MACH_PORT_LIMITS_INFO_COUNT)
		return KERN_FAILURE;
	memcpy(&l, info, sizeof l);
	return kdo_mach_port_set_qlimit(t, name, l.mpl_qlimit);
}

/*
 * Registers a dead-name or no-senders request with notify (a send-once right
 * the request carried); the previous request's right comes back in the reply
 * (NULL when there was none).
 */
kern_return_t
kdo_mach_port_request_notification(struct task *t, mach_port_name_t name, mach_msg_id_t id,
				   mach_port_mscount_t sync, struct port *notify, mach_msg_type_name_t notifyPoly,
				   struct port **previous)
{
	struct port *prev = NULL;
	struct ipc_space *s;
	struct ipc_entry *e;
	kern_return_t kr;
	uint32_t f;

	if (id != MACH_NOTIFY_DEAD_NAME && id != MACH_NOTIFY_NO_SENDERS && id != MACH_NOTIFY_PORT_DESTROYED)
		return KERN_INVALID_VALUE;
	if (notify && notifyPoly != MACH_MSG_TYPE_PORT_SEND_ONCE)
		return KERN_INVALID_CAPABILITY;
	f = ipc_space_lock(t->space);
	s = live_space_locked(t);
	if (!s) {
		kr = KERN_INVALID_TASK;
		goto out;
	}
again:
	e = lookup(s, name);
	if (!e) {
		kr = KERN_INVALID_NAME;
		goto out;
	}
	if (id == MACH_NOTIFY_PORT_DESTROYED) {	/* the receive right comes to notify instead of dying */
		struct port *p = e->object;
		if (!(e->type & T_RECV)) {
			kr = KERN_INVALID_RIGHT;
			goto out;
		}
		port_lock(p);
		prev = p->pdrequest;
		p->pdrequest = notify;
		port_unlock(p);
	} else if (id == MACH_NOTIFY_NO_SENDERS) {
		struct port *p = e->object;
		if (!(e->type & T_RECV)) {
			kr = KERN_INVALID_RIGHT;
			goto out;
		}
		port_lock(p);
		prev = p->nsrequest;
		p->nsrequest = notify;
		/* no senders already (and none made since `sync`): say so at once */
		if (notify && p->srights == 0 && p->mscount >= sync)
			notify_no_senders_locked(p);
		port_unlock(p);
	} else {
		struct port *p = e->object;
		struct list *l;
		if (!(e->type & (T_SEND | T_SO | T_DEAD))) {
			kr = KERN_INVALID_RIGHT;
			goto out;
		}
		/* already dead: Mach tells at once when sync asks, with a reference for the name */
		if ((e->type & T_DEAD) && (!notify || !sync)) {
			kr = KERN_INVALID_ARGUMENT;
			goto out;
		}
		if ((e->type & T_DEAD) && e->urefs >= UREFS_MAX) {
			kr = KERN_UREFS_OVERFLOW;
			goto out;
		}
		if (e->type & T_DEAD) {
			e->urefs++;
			notify_dead_name(notify, name);
			goto done;
		}
		port_lock(p);
		if (!p->active) {	/* died since the look-up (another CPU): the name is dead now */
			port_unlock(p);
			goto again;
		}
		/* the port's list holds every space's requests: look there only when the name has one */
		if (e->dnrequest) {
			list_for_each(l, &p->dnrequests) {
				struct dnrequest *d = list_entry(l, struct dnrequest, link);
				if (d->space == s && d->name == name) {
					prev = d->notify;
					if (notify) {
						d->notify = notify;
					} else {
						list_remove(&d->link);
						kfree(d);
						e->dnrequest = false;
						s->version++;
					}
					port_unlock(p);
					goto done;
				}
			}
			panic("ipc: name %x has lost its dead-name request", name);
		}
		if (notify) {
			struct dnrequest *d = kzalloc(sizeof *d);
			if (!d) {
				port_unlock(p);
				kr = KERN_RESOURCE_SHORTAGE;
				goto out;
			}
			d->space = s;
			d->name = name;
			d->notify = notify;
			list_push_back(&p->dnrequests, &d->link);
			e->dnrequest = true;
			s->version++;
		}
		port_unlock(p);
	}
done:
	*previous = prev;
	kr = KERN_SUCCESS;
out:
	ipc_space_unlock(t->space, f);
	return kr;
}
