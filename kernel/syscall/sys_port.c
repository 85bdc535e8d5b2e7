/*
 * The mach_port_* calls on a task's name space. Each names its target task by
 * a send right to the task port. Every check comes first; out-parameters are
 * checked writable before anything changes and written only on success.
 */
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include <mach/notify.h>

/*
 * Resolves the task argument and checks the out-parameter (len1 bytes at out1,
 * when len1 is not 0); *tp holds a reference.
 */
static kern_return_t
begin(const struct trap_args *args, struct task **tp, uintptr_t out1, size_t len1)
{
	struct task *caller = curtask();

	*tp = ipc_task_from_name(caller, args->a[0]);
	if (!*tp)
		return KERN_INVALID_TASK;
	if (len1 && copyout_check(caller, out1, len1) != KERN_SUCCESS) {
		task_unref(*tp);
		return KERN_INVALID_ADDRESS;
	}
	if (!task_alive(*tp)) {	/* a hint: the space refuses names itself once the task is dead */
		task_unref(*tp);
		return KERN_INVALID_TASK;
	}
	return KERN_SUCCESS;
}

static struct ipc_entry *
lookup(struct task *t, mach_port_name_t name)
{
	struct ipc_entry *e = space_lookup_locked(t->space, name);

	if (e)
		entry_lazy_dead_locked(e);
	return e;
}

/* Makes a new right of kind `right` under a fresh name (or `given`, if not 0). */
static kern_return_t
allocate(struct task *t, mach_port_right_t right, mach_port_name_t given, mach_port_name_t *name)
{
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
	f = spin_lock_irqsave(&sched_lock);
	if (given) {
		kr = space_alloc_given_name_locked(t->space, given, &e);
		*name = given;
	} else {
		kr = space_alloc_name_locked(t->space, name, &e);
	}
	if (kr == KERN_SUCCESS) {
		if (p) {
			e->type = T_RECV;
			e->object = p;
			p->refs = 1;
			p->receiver = t->space;
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
		p->refs = 1;
		p->active = false;
		port_unref_locked(p);
	} else if (ps) {
		kfree(ps);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return kr;
}

/* mach_port_allocate(task, right, *name) */
kern_return_t
sys_mach_port_allocate(const struct trap_args *args)
{
	struct task *t;
	mach_port_name_t name;
	kern_return_t kr = begin(args, &t, args->a[2], sizeof name);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = allocate(t, args->a[1], 0, &name);
	if (kr == KERN_SUCCESS)
		copyout(curtask(), &name, args->a[2], sizeof name);
	task_unref(t);
	return kr;
}

/* mach_port_allocate_name(task, right, name) */
kern_return_t
sys_mach_port_allocate_name(const struct trap_args *args)
{
	struct task *t;
	mach_port_name_t name;
	kern_return_t kr = begin(args, &t, 0, 0);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = MACH_PORT_VALID(args->a[2]) ? allocate(t, args->a[1], args->a[2], &name) : KERN_INVALID_VALUE;
	task_unref(t);
	return kr;
}

/* Runs op on the target task with sched_lock held (for calls with no out-parameters). */
static kern_return_t
with_task_locked(const struct trap_args *args, kern_return_t (*op)(struct task *, const struct trap_args *))
{
	struct task *t;
	kern_return_t kr = begin(args, &t, 0, 0);
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	f = spin_lock_irqsave(&sched_lock);
	kr = op(t, args);
	spin_unlock_irqrestore(&sched_lock, f);
	task_unref(t);
	return kr;
}

static kern_return_t
deallocate_locked(struct task *t, const struct trap_args *args)
{
	return right_deallocate_locked(t->space, args->a[1]);
}

static kern_return_t
destroy_locked(struct task *t, const struct trap_args *args)
{
	return right_destroy_locked(t->space, args->a[1]);
}

/* mach_port_deallocate(task, name) */
kern_return_t
sys_mach_port_deallocate(const struct trap_args *args)
{
	return with_task_locked(args, deallocate_locked);
}

/* mach_port_destroy(task, name) */
kern_return_t
sys_mach_port_destroy(const struct trap_args *args)
{
	return with_task_locked(args, destroy_locked);
}

static kern_return_t
mod_refs_locked(struct task *t, const struct trap_args *args)
{
	mach_port_name_t name = args->a[1];
	mach_port_right_t right = args->a[2];
	int32_t delta = (int32_t)args->a[3];
	struct ipc_entry *e = lookup(t, name);
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
			return right_deallocate_locked(t->space, name);
		}
		e->urefs = (mach_port_urefs_t)n;
		return KERN_SUCCESS;
	default:		/* receive, send-once, port set: one reference, which -1 destroys */
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		if (right == MACH_PORT_RIGHT_RECEIVE && (e->type & T_SEND)) {
			struct port *p = e->object;
			e->type &= ~T_RECV;
			port_destroy_locked(p);	/* the send right left under the name turns dead */
			entry_lazy_dead_locked(e);
			return KERN_SUCCESS;
		}
		if (right == MACH_PORT_RIGHT_SEND_ONCE)
			return right_deallocate_locked(t->space, name);
		return right_destroy_locked(t->space, name);
	}
}

/* mach_port_mod_refs(task, name, right, delta) */
kern_return_t
sys_mach_port_mod_refs(const struct trap_args *args)
{
	return with_task_locked(args, mod_refs_locked);
}

/* Puts a carried right (with its reference) into s under exactly `name`. */
static kern_return_t
place_right_locked(struct ipc_space *s, mach_port_name_t name, struct port *p, mach_msg_type_name_t carried)
{
	struct ipc_entry *e = space_lookup_locked(s, name);
	mach_port_name_t other;

	if (e) {
		entry_lazy_dead_locked(e);
		if (e->object != p || carried == MACH_MSG_TYPE_PORT_SEND_ONCE)
			return KERN_NAME_EXISTS;
		if (carried == MACH_MSG_TYPE_PORT_SEND) {
			if (e->type & T_SEND) {
				if (e->urefs >= UREFS_MAX)
					return KERN_UREFS_OVERFLOW;
				e->urefs++;
				p->srights--;
			} else {
				e->type |= T_SEND;
				e->urefs = 1;
			}
		} else {
			if (e->type & T_RECV)
				return KERN_RIGHT_EXISTS;
			e->type |= T_RECV;
			p->receiver = s;
			p->receiver_name = name;
		}
		p->refs--;	/* the entry already holds one */
		return KERN_SUCCESS;
	}
	if (carried != MACH_MSG_TYPE_PORT_SEND_ONCE && space_find_port_locked(s, p, &other))
		return KERN_RIGHT_EXISTS;
	if (space_alloc_given_name_locked(s, name, &e) != KERN_SUCCESS)
		return KERN_NAME_EXISTS;
	e->object = p;
	e->urefs = carried == MACH_MSG_TYPE_PORT_RECEIVE ? 0 : 1;
	e->type = carried == MACH_MSG_TYPE_PORT_SEND ? T_SEND : carried == MACH_MSG_TYPE_PORT_SEND_ONCE ? T_SO : T_RECV;
	if (carried == MACH_MSG_TYPE_PORT_RECEIVE) {
		p->receiver = s;
		p->receiver_name = name;
	}
	return KERN_SUCCESS;
}

/* Would place_right_locked succeed? (No change.) */
static kern_return_t
check_place_locked(struct ipc_space *s, mach_port_name_t name, struct port *p, mach_msg_type_name_t disp)
{
	struct ipc_entry *e = space_lookup_locked(s, name);
	mach_port_name_t other;
	bool so = disp == MACH_MSG_TYPE_MAKE_SEND_ONCE || disp == MACH_MSG_TYPE_MOVE_SEND_ONCE;
	bool recv = disp == MACH_MSG_TYPE_MOVE_RECEIVE;

	if (!MACH_PORT_VALID(name))
		return KERN_INVALID_VALUE;
	if (e) {
		entry_lazy_dead_locked(e);
		if (e->object != p || so)
			return KERN_NAME_EXISTS;
		if (recv && (e->type & T_RECV))
			return KERN_RIGHT_EXISTS;
		if (!recv && (e->type & T_SEND) && e->urefs >= UREFS_MAX)
			return KERN_UREFS_OVERFLOW;
		return KERN_SUCCESS;
	}
	if (!so && space_find_port_locked(s, p, &other))
		return KERN_RIGHT_EXISTS;
	return KERN_SUCCESS;
}

/* mach_port_insert_right(task, name, poly, polyPoly): a right of the caller's goes into task under name. */
kern_return_t
sys_mach_port_insert_right(const struct trap_args *args)
{
	struct task *t, *caller = curtask();
	mach_port_name_t name = args->a[1], poly = args->a[2];
	mach_msg_type_name_t disp = args->a[3], carried;
	struct port *p;
	kern_return_t kr = begin(args, &t, 0, 0);
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	f = spin_lock_irqsave(&sched_lock);
	kr = right_check_locked(caller->space, poly, disp, &p);
	if (kr == KERN_INVALID_CAPABILITY || kr == KERN_INVALID_NAME)
		kr = KERN_INVALID_CAPABILITY;
	if (kr == KERN_SUCCESS)
		kr = check_place_locked(t->space, name, p, disp);
	/* moving a right to the same name in the same space changes nothing */
	if (kr == KERN_SUCCESS && t == caller && name == poly &&
	    (disp == MACH_MSG_TYPE_MOVE_RECEIVE || disp == MACH_MSG_TYPE_MOVE_SEND_ONCE))
		kr = KERN_RIGHT_EXISTS;
	if (kr == KERN_SUCCESS) {
		right_copyin_locked(caller->space, poly, disp, p, &carried);
		kr = place_right_locked(t->space, name, p, carried);
		if (kr != KERN_SUCCESS)	/* a move emptied the entry we checked against */
			right_destroy_carried_locked(p, carried);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	task_unref(t);
	return kr;
}

/* mach_port_extract_right(task, name, msgt_name, *poly, *polyPoly): the reverse. */
kern_return_t
sys_mach_port_extract_right(const struct trap_args *args)
{
	struct task *t, *caller = curtask();
	mach_msg_type_name_t disp = args->a[2], carried;
	mach_port_name_t out = MACH_PORT_NULL;
	struct port *p;
	kern_return_t kr = begin(args, &t, args->a[3], sizeof out);
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	if (copyout_check(caller, args->a[4], sizeof carried) != KERN_SUCCESS) {
		task_unref(t);
		return KERN_INVALID_ADDRESS;
	}
	f = spin_lock_irqsave(&sched_lock);
	kr = right_check_locked(t->space, args->a[1], disp, &p);
	if (kr == KERN_INVALID_CAPABILITY)
		kr = KERN_INVALID_RIGHT;
	if (kr == KERN_SUCCESS) {
		right_copyin_locked(t->space, args->a[1], disp, p, &carried);
		kr = right_copyout_locked(caller->space, p, carried, &out);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	if (kr == KERN_SUCCESS) {
		copyout(caller, &out, args->a[3], sizeof out);
		copyout(caller, &carried, args->a[4], sizeof carried);
	}
	task_unref(t);
	return kr;
}

/* mach_port_names(task, names[], types[], max, *count): count is every name, even past max. */
kern_return_t
sys_mach_port_names(const struct trap_args *args)
{
	struct task *t, *caller = curtask();
	uint32_t max = args->a[3], n;
	mach_port_name_t *names;
	mach_port_type_t *types;
	kern_return_t kr;
	uint32_t f;

	if (max > 65536)
		return KERN_INVALID_VALUE;
	kr = begin(args, &t, args->a[4], sizeof n);
	if (kr != KERN_SUCCESS)
		return kr;
	if (copyout_check(caller, args->a[1], max * 4) != KERN_SUCCESS ||
	    copyout_check(caller, args->a[2], max * 4) != KERN_SUCCESS) {
		task_unref(t);
		return KERN_INVALID_ADDRESS;
	}
	names = kmalloc(max * 4 + 4);
	types = kmalloc(max * 4 + 4);
	if (!names || !types) {
		kfree(names);
		kfree(types);
		task_unref(t);
		return KERN_RESOURCE_SHORTAGE;
	}
	f = spin_lock_irqsave(&sched_lock);
	n = space_names_locked(t->space, names, types, max);
	spin_unlock_irqrestore(&sched_lock, f);
	copyout(caller, names, args->a[1], MIN(n, max) * 4);
	copyout(caller, types, args->a[2], MIN(n, max) * 4);
	copyout(caller, &n, args->a[4], sizeof n);
	kfree(names);
	kfree(types);
	task_unref(t);
	return KERN_SUCCESS;
}

/* mach_port_type(task, name, *type) */
kern_return_t
sys_mach_port_type(const struct trap_args *args)
{
	struct task *t;
	mach_port_type_t type = 0;
	kern_return_t kr = begin(args, &t, args->a[2], sizeof type);
	struct ipc_entry *e;
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	f = spin_lock_irqsave(&sched_lock);
	e = lookup(t, args->a[1]);
	if (e)
		type = e->type;
	spin_unlock_irqrestore(&sched_lock, f);
	kr = e ? KERN_SUCCESS : KERN_INVALID_NAME;
	if (kr == KERN_SUCCESS)
		copyout(curtask(), &type, args->a[2], sizeof type);
	task_unref(t);
	return kr;
}

/* mach_port_get_refs(task, name, right, *refs) */
kern_return_t
sys_mach_port_get_refs(const struct trap_args *args)
{
	struct task *t;
	mach_port_urefs_t refs = 0;
	mach_port_right_t right = args->a[2];
	kern_return_t kr = begin(args, &t, args->a[3], sizeof refs);
	struct ipc_entry *e;
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	if (right >= MACH_PORT_RIGHT_NUMBER) {
		task_unref(t);
		return KERN_INVALID_VALUE;
	}
	f = spin_lock_irqsave(&sched_lock);
	e = lookup(t, args->a[1]);
	if (!e)
		kr = KERN_INVALID_NAME;
	else if (!(e->type & MACH_PORT_TYPE(right)))
		refs = 0;
	else if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_DEAD_NAME)
		refs = e->urefs;
	else
		refs = 1;
	spin_unlock_irqrestore(&sched_lock, f);
	if (kr == KERN_SUCCESS)
		copyout(curtask(), &refs, args->a[3], sizeof refs);
	task_unref(t);
	return kr;
}

/* mach_port_rename(task, old, new) */
kern_return_t
sys_mach_port_rename(const struct trap_args *args)
{
	struct task *t;
	mach_port_name_t old = args->a[1], new = args->a[2];
	struct ipc_entry *e, *n;
	kern_return_t kr = begin(args, &t, 0, 0);
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	if (!MACH_PORT_VALID(new)) {
		task_unref(t);
		return KERN_INVALID_VALUE;
	}
	f = spin_lock_irqsave(&sched_lock);
	e = lookup(t, old);
	if (!e) {
		kr = KERN_INVALID_NAME;
	} else if (space_lookup_locked(t->space, new)) {
		kr = KERN_NAME_EXISTS;
	} else {
		struct ipc_entry saved = *e;
		kr = space_alloc_given_name_locked(t->space, new, &n);
		if (kr == KERN_SUCCESS) {
			e = space_lookup_locked(t->space, old);	/* the table may have grown */
			n->type = saved.type;
			n->urefs = saved.urefs;
			n->object = saved.object;
			space_free_entry_locked(t->space, old);
			if ((n->type & T_RECV))
				((struct port *)n->object)->receiver_name = new;
		}
	}
	spin_unlock_irqrestore(&sched_lock, f);
	task_unref(t);
	return kr;
}

/* mach_port_move_member(task, member, after): into a port set, or out of any with MACH_PORT_NULL. */
kern_return_t
sys_mach_port_move_member(const struct trap_args *args)
{
	struct task *t;
	struct ipc_entry *m, *s = NULL;
	kern_return_t kr = begin(args, &t, 0, 0);
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	f = spin_lock_irqsave(&sched_lock);
	m = lookup(t, args->a[1]);
	if (args->a[2] != MACH_PORT_NULL)
		s = lookup(t, args->a[2]);
	if (!m || (args->a[2] != MACH_PORT_NULL && !s)) {
		kr = KERN_INVALID_NAME;
	} else if (!(m->type & T_RECV) || (s && !(s->type & T_SET))) {
		kr = KERN_INVALID_RIGHT;
	} else {
		struct port *p = m->object;
		struct pset *ps = s ? s->object : NULL;
		if (!ps && !p->pset) {
			kr = KERN_NOT_IN_SET;
		} else {
			if (p->pset)
				list_remove(&p->pset_link);
			p->pset = ps;
			if (ps) {
				list_push_back(&ps->members, &p->pset_link);
				if (!list_empty(&p->messages))
					waitq_wake_one_locked(&ps->receivers);
			}
			/* receivers waiting on the port itself must now look at the set */
			waitq_wake_all_locked(&p->receivers);
		}
	}
	spin_unlock_irqrestore(&sched_lock, f);
	task_unref(t);
	return kr;
}

/* mach_port_set_qlimit(task, name, qlimit) (Mach: mach_port_set_attributes' queue limit) */
kern_return_t
sys_mach_port_set_qlimit(const struct trap_args *args)
{
	struct task *t;
	struct ipc_entry *e;
	kern_return_t kr = begin(args, &t, 0, 0);
	uint32_t f;

	if (kr != KERN_SUCCESS)
		return kr;
	if (args->a[2] > MACH_PORT_QLIMIT_MAX) {
		task_unref(t);
		return KERN_INVALID_VALUE;
	}
	f = spin_lock_irqsave(&sched_lock);
	e = lookup(t, args->a[1]);
	if (!e) {
		kr = KERN_INVALID_NAME;
	} else if (!(e->type & T_RECV)) {
		kr = KERN_INVALID_RIGHT;
	} else {
		struct port *p = e->object;
		p->qlimit = args->a[2];
		waitq_wake_all_locked(&p->senders);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	task_unref(t);
	return kr;
}

/*
 * mach_port_request_notification(task, name, msgid, sync, &args): registers a
 * dead-name or no-senders request; the previous request's right comes back
 * (MACH_PORT_NULL when there was none).
 */
kern_return_t
sys_mach_port_request_notification(const struct trap_args *args)
{
	struct task *t, *caller = curtask();
	struct manifold_notify_args na;
	mach_port_name_t name = args->a[1], prev_name = MACH_PORT_NULL;
	mach_msg_id_t id = (mach_msg_id_t)args->a[2];
	struct port *notify = NULL, *prev = NULL;
	mach_msg_type_name_t carried;
	struct ipc_entry *e;
	kern_return_t kr;
	uint32_t f;

	if (copyin(caller, args->a[4], &na, sizeof na) != KERN_SUCCESS)
		return KERN_INVALID_ADDRESS;
	kr = begin(args, &t, na.previous, na.previous ? sizeof prev_name : 0);
	if (kr != KERN_SUCCESS)
		return kr;
	if (id != MACH_NOTIFY_DEAD_NAME && id != MACH_NOTIFY_NO_SENDERS) {
		task_unref(t);
		return KERN_INVALID_VALUE;
	}
	if (na.notify_poly != MACH_MSG_TYPE_MAKE_SEND_ONCE && na.notify_poly != MACH_MSG_TYPE_MOVE_SEND_ONCE &&
	    !(na.notify == MACH_PORT_NULL)) {
		task_unref(t);
		return KERN_INVALID_VALUE;
	}
	f = spin_lock_irqsave(&sched_lock);
	e = lookup(t, name);
	if (!e) {
		kr = KERN_INVALID_NAME;
		goto out;
	}
	if (na.notify != MACH_PORT_NULL) {
		kr = right_check_locked(caller->space, na.notify, na.notify_poly, &notify);
		if (kr != KERN_SUCCESS) {
			kr = KERN_INVALID_CAPABILITY;
			goto out;
		}
	}
	if (id == MACH_NOTIFY_NO_SENDERS) {
		struct port *p = e->object;
		if (!(e->type & T_RECV)) {
			kr = KERN_INVALID_RIGHT;
			goto out;
		}
		if (notify)
			right_copyin_locked(caller->space, na.notify, na.notify_poly, notify, &carried);
		prev = p->nsrequest;
		p->nsrequest = notify;
		/* no senders already (and none made since `sync`): say so at once */
		if (notify && p->srights == 0 && p->mscount >= args->a[3])
			notify_no_senders_locked(p);
	} else {
		struct port *p = e->object;
		struct list *l;
		if (!(e->type & (T_SEND | T_SO | T_DEAD))) {
			kr = KERN_INVALID_RIGHT;
			goto out;
		}
		if (notify)
			right_copyin_locked(caller->space, na.notify, na.notify_poly, notify, &carried);
		if (e->type & T_DEAD) {	/* already dead: tell at once (when sync asks) */
			if (notify && args->a[3]) {
				ipc_kernel_send_once_locked(notify, MACH_NOTIFY_DEAD_NAME, &name, sizeof name);
			} else if (notify) {
				prev = notify;	/* refused: the right comes back */
			}
			goto done;
		}
		list_for_each(l, &p->dnrequests) {
			struct dnrequest *d = list_entry(l, struct dnrequest, link);
			if (d->space == t->space && d->name == name) {
				prev = d->notify;
				if (notify) {
					d->notify = notify;
				} else {
					list_remove(&d->link);
					kfree(d);
				}
				goto done;
			}
		}
		if (notify) {
			struct dnrequest *d = kzalloc(sizeof *d);
			if (!d) {
				right_destroy_carried_locked(notify, MACH_MSG_TYPE_PORT_SEND_ONCE);
				kr = KERN_RESOURCE_SHORTAGE;
				goto out;
			}
			d->space = t->space;
			d->name = name;
			d->notify = notify;
			list_push_back(&p->dnrequests, &d->link);
		}
	}
done:
	if (prev)
		right_copyout_locked(caller->space, prev, MACH_MSG_TYPE_PORT_SEND_ONCE, &prev_name);
	kr = KERN_SUCCESS;
out:
	spin_unlock_irqrestore(&sched_lock, f);
	if (kr == KERN_SUCCESS && na.previous)
		copyout(caller, &prev_name, na.previous, sizeof prev_name);
	task_unref(t);
	return kr;
}
