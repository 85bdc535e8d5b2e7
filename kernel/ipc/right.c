/*
 * Rights: moving them between a space and a message (copyin with a disposition,
 * copyout into the receiver's space), and the user-visible deallocate and
 * destroy. right_check_locked() decides whether a copyin can succeed without
 * changing anything, so mach_msg can check a whole message before it commits.
 * All with the space's lock held (ipc_space_lock); the _locked functions that
 * take a port want its lock held too, the others take it themselves.
 *
 * Counting: an entry holds one reference on its port whatever rights it has;
 * a right in a message holds one. p->srights counts send rights (an entry with
 * any number of send urefs is one), p->sorights send-once rights.
 *
 * What the space keeps beside the entries, kept exact here and in port_rpc.c:
 * an entry is in the space's reverse hash exactly while it holds a send right
 * (space_rhash_insert_locked when it gets one, _remove before it loses it);
 * e->dnrequest says whether a dead-name request waits on the name while it
 * holds a send or send-once right; and s->version changes with every change
 * of a name's rights that the space makes, which mach_port_names watches (a
 * port's death, which its names learn lazily here, is not one).
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>

/*
 * An entry whose send or send-once right names a dead port becomes a dead name
 * with the right's user references (a send-once right's one), plus the one the
 * dead-name notification brought when the name had a request: the port's death
 * sent it (notify.c), and the name counts it now, when its space looks, as Mach
 * does (the port's death never touches a space: its lock comes first). A count
 * already at UREFS_MAX stays there.
 */
void
entry_turn_dead_locked(struct ipc_space *s, struct ipc_entry *e)
{
	struct port *p = e->object;

	assert_held(&s->lock);
	if (e->dnrequest && e->urefs < UREFS_MAX)
		e->urefs++;

	if (e->type & T_SEND)
		space_rhash_remove_locked(s, e);
	port_lock(p);
	if (e->type & T_SEND)
		p->srights--;
	if (e->type & T_SO)
		p->sorights--;
	port_unlock(p);
	e->type = T_DEAD;
	e->object = NULL;
	e->dnrequest = false;	/* the port's death took the request (notify.c) */
	port_unref(p);		/* (not a change of s->version: the port died before) */
}

/* What mach_port_type says of an entry: its rights, and DNREQUEST while a dead-name request waits on it. */
mach_port_type_t
right_type_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry *e)
{
	mach_port_type_t type = e->type;

	if ((type & (T_SEND | T_SO)) && e->dnrequest)
		type |= MACH_PORT_TYPE_DNREQUEST;
	return type;
}

/*
 * The send or send-once right under name leaves it, and a dead-name request
 * on it goes (p locked). Only a name with a request looks through the port's requests
 * (every space's), so that a port many tasks watch costs its holders nothing.
 */
static void
name_deleted(struct ipc_space *s, mach_port_name_t name, struct ipc_entry *e, struct port *p)
{
	if (e->dnrequest)
		notify_name_deleted_locked(s, name, p);
	e->dnrequest = false;
	s->version++;
}

/*
 * The entry under which s holds a send or receive right to p (send-once
 * rights never merge), or NULL: the port names its receiver, the reverse hash
 * the holder of a send right. Like a lookup, it finds nothing in an inactive space.
 */
struct ipc_entry *
right_find_port_locked(struct ipc_space *s, struct port *p)
{
	assert_held(&s->lock);
	if (!s->active)
		return NULL;
	if (p->receiver == s)
		return space_lookup_locked(s, p->receiver_name);
	return space_rhash_lookup_locked(s, p);
}

/* The entry goes if it holds nothing now; its port (if any) locked (its last reference goes at port_unlock). */
static void
drop_entry_if_empty(struct ipc_space *s, mach_port_name_t name, struct ipc_entry *e)
{
	if (e->type & (T_SEND | T_RECV | T_SO | T_SET | T_DEAD))
		return;
	if (e->object)
		port_unref_locked(e->object);
	space_free_entry_locked(s, name);
}

kern_return_t
right_check_locked(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp, struct port **out)
{
	struct ipc_entry *e;

	return right_check_entry_locked(s, name, disp, out, &e);
}

/*
 * Takes the right out of s (right_check_locked said it can) and returns it, with
 * a reference, as the right a message carries: PORT_SEND, PORT_SEND_ONCE or
 * PORT_RECEIVE. p locked.
 */
void
right_copyin_locked(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp, struct port *p,
		    mach_msg_type_name_t *carried)
{
	right_copyin_entry_locked(s, name, space_lookup_locked(s, name), disp, p, carried);
}

void
right_copyin_entry_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry *e, mach_msg_type_name_t disp,
			  struct port *p, mach_msg_type_name_t *carried)
{
	assert_held(&s->lock);
	assert_held(&p->lock);
	port_ref(p);
	switch (disp) {
	case MACH_MSG_TYPE_MAKE_SEND:
		p->srights++;
		p->mscount++;
		*carried = MACH_MSG_TYPE_PORT_SEND;
		return;
	case MACH_MSG_TYPE_COPY_SEND:
		p->srights++;
		*carried = MACH_MSG_TYPE_PORT_SEND;
		return;
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		p->sorights++;
		*carried = MACH_MSG_TYPE_PORT_SEND_ONCE;
		return;
	case MACH_MSG_TYPE_MOVE_SEND:
		*carried = MACH_MSG_TYPE_PORT_SEND;
		if (--e->urefs == 0) {	/* the entry's send right itself leaves */
			space_rhash_remove_locked(s, e);
			e->type &= ~T_SEND;
			name_deleted(s, name, e, p);
		} else {		/* the entry keeps one; a second travels */
			p->srights++;
		}
		break;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		*carried = MACH_MSG_TYPE_PORT_SEND_ONCE;
		e->type &= ~T_SO;
		e->urefs = 0;
		name_deleted(s, name, e, p);
		break;
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		*carried = MACH_MSG_TYPE_PORT_RECEIVE;
		e->type &= ~T_RECV;
		s->version++;
		p->receiver = NULL;
		p->receiver_name = 0;
		if (p->pset)
			pset_remove_locked(p);
		break;
	}
	drop_entry_if_empty(s, name, e);
}

void
right_copyin(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp, struct port *p,
	     mach_msg_type_name_t *carried)
{
	port_lock(p);
	right_copyin_locked(s, name, disp, p, carried);
	port_unlock(p);
}

/* Gives the carried right (and its reference) to s; *name is where it landed. p locked. */
kern_return_t
right_copyout_locked(struct ipc_space *s, struct port *p, mach_msg_type_name_t carried, mach_port_name_t *name)
{
	struct ipc_entry *e = NULL;
	mach_port_name_t n;
	kern_return_t kr;

	assert_held(&s->lock);
	assert_held(&p->lock);
	if (carried != MACH_MSG_TYPE_PORT_RECEIVE && !p->active) {
		right_destroy_carried_locked(p, carried);
		*name = MACH_PORT_DEAD;
		return KERN_SUCCESS;
	}
	if (carried != MACH_MSG_TYPE_PORT_SEND_ONCE)
		e = right_find_port_locked(s, p);
	if (e) {
		n = e->name;
		if (carried == MACH_MSG_TYPE_PORT_SEND) {
			if (e->type & T_SEND) {
				if (e->urefs < UREFS_MAX)
					e->urefs++;
				p->srights--;	/* two send rights merge into one */
			} else {
				e->type |= T_SEND;
				e->urefs = 1;
				space_rhash_insert_locked(s, e);
				s->version++;
			}
		} else {
			e->type |= T_RECV;
			p->receiver = s;
			p->receiver_name = n;
			s->version++;
		}
		port_unref_locked(p);	/* the entry already holds one */
		*name = n;
		return KERN_SUCCESS;
	}
	kr = space_alloc_name_locked(s, &n, &e);
	if (kr != KERN_SUCCESS) {
		right_destroy_carried_locked(p, carried);
		*name = MACH_PORT_NULL;
		return kr;
	}
	e->object = p;
	if (carried == MACH_MSG_TYPE_PORT_SEND) {
		e->type = T_SEND;
		e->urefs = 1;
		space_rhash_insert_locked(s, e);
	} else if (carried == MACH_MSG_TYPE_PORT_SEND_ONCE) {
		e->type = T_SO;
		e->urefs = 1;
	} else {
		e->type = T_RECV;
		p->receiver = s;
		p->receiver_name = n;
	}
	*name = n;
	return KERN_SUCCESS;
}

kern_return_t
right_copyout(struct ipc_space *s, struct port *p, mach_msg_type_name_t carried, mach_port_name_t *name)
{
	kern_return_t kr;

	port_lock(p);
	kr = right_copyout_locked(s, p, carried, name);
	port_unlock(p);
	return kr;
}

/* A right in a message that will never be received. Consumes its reference. p locked. */
void
right_destroy_carried_locked(struct port *p, mach_msg_type_name_t carried)
{
	assert_held(&p->lock);
	switch (carried) {
	case MACH_MSG_TYPE_PORT_SEND:
		port_release_send_locked(p);
		port_unref_locked(p);
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		port_release_sendonce(p);
		break;
	case MACH_MSG_TYPE_PORT_RECEIVE:
		port_destroy_locked(p);
		port_unref_locked(p);
		break;
	default:
		port_unref_locked(p);
	}
}

/* The same, p not locked (a send-once right needs no lock at all). */
void
right_destroy_carried(struct port *p, mach_msg_type_name_t carried)
{
	if (carried == MACH_MSG_TYPE_PORT_SEND_ONCE) {
		port_release_sendonce(p);
		return;
	}
	port_lock(p);
	right_destroy_carried_locked(p, carried);
	port_unlock(p);
}

/* mach_port_deallocate: one user reference of a send, send-once or dead-name right. */
kern_return_t
right_deallocate_locked(struct ipc_space *s, mach_port_name_t name)
{
	struct ipc_entry *e = space_lookup_locked(s, name);
	struct port *p;

	assert_held(&s->lock);
	if (!e)
		return KERN_INVALID_NAME;
	entry_lazy_dead_locked(s, e);
	p = e->object;
	if (e->type & T_DEAD) {
		if (--e->urefs == 0)
			space_free_entry_locked(s, name);
		return KERN_SUCCESS;
	}
	if (e->type & T_SO) {
		e->type &= ~T_SO;
		e->urefs = 0;
		e->object = NULL;
		port_lock(p);
		name_deleted(s, name, e, p);
		port_unlock(p);
		port_release_sendonce(p);	/* consumes the entry's reference */
		space_free_entry_locked(s, name);
		return KERN_SUCCESS;
	}
	if (!(e->type & T_SEND))
		return KERN_INVALID_RIGHT;
	if (--e->urefs == 0) {
		space_rhash_remove_locked(s, e);
		e->type &= ~T_SEND;
		port_lock(p);
		name_deleted(s, name, e, p);
		port_release_send_locked(p);
		drop_entry_if_empty(s, name, e);
		port_unlock(p);
	}
	return KERN_SUCCESS;
}

/* mach_port_destroy: every right under the name goes. */
kern_return_t
right_destroy_locked(struct ipc_space *s, mach_port_name_t name)
{
	struct ipc_entry *e = space_lookup_locked(s, name);
	struct port *p;

	assert_held(&s->lock);
	if (!e)
		return KERN_INVALID_NAME;
	entry_lazy_dead_locked(s, e);
	if (e->type & T_SET) {
		struct pset *ps = e->object;
		space_free_entry_locked(s, name);
		pset_destroy(ps);
		pset_unref(ps);
		return KERN_SUCCESS;
	}
	if (e->type & T_DEAD) {
		space_free_entry_locked(s, name);
		return KERN_SUCCESS;
	}
	p = e->object;
	if (e->type & T_SEND)
		space_rhash_remove_locked(s, e);
	port_lock(p);
	if (e->dnrequest && (e->type & (T_SEND | T_SO)))
		notify_name_deleted_locked(s, name, p);
	if (e->type & T_SEND)
		port_release_send_locked(p);
	if (e->type & T_SO) {
		port_ref(p);		/* release_sendonce consumes one */
		port_release_sendonce(p);
	}
	if (e->type & T_RECV)
		port_destroy_locked(p);
	e->type = 0;
	space_free_entry_locked(s, name);
	port_unref_locked(p);		/* the entry's */
	port_unlock(p);
	return KERN_SUCCESS;
}
