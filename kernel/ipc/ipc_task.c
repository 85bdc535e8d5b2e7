/*
 * A task's IPC state: its name space and the port that stands for it (the
 * "task port"). A task starts with a send right to its own port; when it dies
 * its rights are destroyed, so receive rights die (senders see dead names) and
 * its send rights stop counting (no-senders notifications fire). The space
 * itself, inactive and empty, stays until the task's last reference goes: a
 * call that took the task before it died may still look at it. Its special
 * ports: bootstrap (inherited from its creator), syscall, and host, which
 * only the first task and those it chooses hold: the privileged host port.
 * Its exception ports are a table of their own (exc_ports.c).
 */
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <kern/page.h>
#include <kern/task.h>
#include <mach/task_special_ports.h>
#include "layout.h"

bool
task_may_use_reserve(struct task *t)
{
	struct port *host;

	if (!t || t == kernel_task)
		return true;
	host = __atomic_load_n(&t->special[task_special_slot(TASK_HOST_PORT)], __ATOMIC_RELAXED);
	return host && host == host_priv_port;
}

/*
 * The pages a space's table and reverse hash are made of: one each, found in
 * O(1). Made for a task's request, they stop at the page reserve, as user pages
 * do (privileged or not: the reserve is the kernel's, for the notifications and
 * replies it must still be able to send).
 */
void *
space_page_alloc(void)
{
	struct thread *me = curthread();	/* none yet while the kernel task is made */
	paddr_t pa = page_alloc(!me || me->task == kernel_task ? PAGE_KERNEL : PAGE_USER);

	return pa ? P2V(pa) : NULL;
}

void
space_page_free(void *page)
{
	page_free(V2P(page));
}

kern_return_t
ipc_task_init(struct task *t)
{
	t->space = space_create(t);
	if (!t->space)
		return KERN_RESOURCE_SHORTAGE;
	ipc_space_set_limit(t->space, t->limits[TASK_LIMIT_NAMES]);
	t->self = kobject_port_create(KOBJ_TASK, t);
	if (!t->self) {
		space_destroy(t->space);
		t->space = NULL;
		return KERN_RESOURCE_SHORTAGE;
	}
	/* the space starts empty, as Mach's: mach_task_self makes the task's name for itself */
	return KERN_SUCCESS;
}

/*
 * Destroys every right s holds, special ports aside, CLEAR_STEP at a time:
 * s's lock is dropped between steps (f: the caller's flags; it
 * gets them back held), so that a large space does not keep interrupts off while it
 * goes. The space is inactive from the first step on, but inside each step,
 * where right_destroy_locked must find the names: no call can make or find a
 * name meanwhile, and the walk goes on from where it was. A call that looked
 * the task up before it died may have put a name in the space since (by a
 * name of its choosing: mach_port_allocate_name, mach_port_insert_right), so
 * the last sweep runs over an inactive space too.
 */
#define CLEAR_STEP	64	/* per hold: a table slot looked at costs 1 (kern/ipc_space.h), */
#define CLEAR_NAME	16	/* and a name destroyed this */

static uint32_t
space_clear_locked(struct ipc_space *s, uint32_t f)
{
	struct space_walk w = SPACE_WALK_START;
	struct ipc_entry *e;
	mach_port_name_t name;
	uint32_t budget;

	for (;;) {
		budget = CLEAR_STEP;
		s->active = true;	/* for right_destroy_locked, until the step ends */
		while (space_walk_next_locked(s, &w, &budget, &name, &e)) {
			if ((e->type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_SEND_ONCE)) && e->object) {
				struct port *p = e->object;
				port_lock(p);
				notify_space_gone_locked(s, p);
				port_unlock(p);
			}
			right_destroy_locked(s, name);
			budget -= MIN(budget, CLEAR_NAME);
		}
		s->active = false;	/* names can no longer be made or found */
		if (w.done)
			return f;
		ipc_space_unlock(s, f);
		f = ipc_space_lock(s);
	}
}

/* The task is dead: every right it held goes, and its port dies. */
void
ipc_task_terminate(struct task *t)
{
	struct port *special[TASK_SPECIAL_PORTS], *exc[EXC_TYPES_COUNT], *sself, *self;
	uint32_t f = ipc_space_lock(t->space);

	spin_lock_irqoff(&t->itk_lock);
	for (int i = 0; i < TASK_SPECIAL_PORTS; i++) {
		special[i] = t->special[i];
		t->special[i] = NULL;
	}
	exc_ports_set_locked(t->exc_actions, EXC_MASK_ALL, NULL, 0, 0, exc);
	sself = t->sself;
	t->sself = NULL;
	spin_unlock_irqoff(&t->itk_lock);
	exc_ports_release(exc, EXC_TYPES_COUNT);
	for (int i = 0; i < TASK_SPECIAL_PORTS; i++)
		if (special[i])
			right_destroy_carried(special[i], MACH_MSG_TYPE_PORT_SEND);
	if (sself)
		right_destroy_carried(sself, MACH_MSG_TYPE_PORT_SEND);
	f = space_clear_locked(t->space, f);
	spin_lock_irqoff(&t->itk_lock);
	self = t->self;
	t->self = NULL;
	spin_unlock_irqoff(&t->itk_lock);
	if (self)
		kobject_port_destroy(self);
	ipc_space_unlock(t->space, f);
}

/* The task's last reference went: what calls made since its death goes, then the space. */
void
ipc_task_destroy(struct task *t)
{
	uint32_t f = ipc_space_lock(t->space);

	f = space_clear_locked(t->space, f);
	ipc_space_unlock(t->space, f);
	space_destroy(t->space);
	t->space = NULL;
}

struct task *
ipc_task_from_name(struct task *caller, mach_port_name_t name)
{
	struct ipc_entry *e;
	struct port *p;
	struct task *t = NULL;
	uint32_t f = ipc_space_lock(caller->space);

	e = space_lookup_locked(caller->space, name);
	if (e && (e->type & MACH_PORT_TYPE_SEND)) {
		p = e->object;
		port_lock(p);
		if (p->active && p->kotype == KOBJ_TASK && p->kobject) {
			t = p->kobject;
			task_ref(t);
		}
		port_unlock(p);
	}
	ipc_space_unlock(caller->space, f);
	return t;
}

/*
 * Whether name is a send right to the privileged host port in caller's space:
 * what the privileged traps (boot modules, console_read, task_list) ask.
 */
bool
ipc_holds_host_priv(struct task *caller, mach_port_name_t name)
{
	struct ipc_entry *e;
	bool held;
	uint32_t f = ipc_space_lock(caller->space);

	e = space_lookup_locked(caller->space, name);
	held = e && (e->type & MACH_PORT_TYPE_SEND) && e->object == host_priv_port;
	ipc_space_unlock(caller->space, f);
	return held;
}

/* Gives t a send right to p as its special port `which`; the one it had goes. */
void
ipc_task_set_special(struct task *t, int which, struct port *p)
{
	uint32_t f = ipc_begin();
	int i = task_special_slot(which);
	struct port *old;

	spin_lock_irqoff(&t->itk_lock);
	port_copy_send(p);
	old = t->special[i];
	t->special[i] = p;
	spin_unlock_irqoff(&t->itk_lock);
	if (old)
		right_destroy_carried(old, MACH_MSG_TYPE_PORT_SEND);
	ipc_end(f);
}

/*
 * A send right (one more) to the port in one of t's slots (t's itk_lock taken
 * here), or NULL when the slot is empty.
 */
struct port *
ipc_task_copy_special(struct task *t, struct port **slot)
{
	struct port *p;

	spin_lock_irqoff(&t->itk_lock);
	p = *slot;
	if (p)
		port_copy_send(p);
	spin_unlock_irqoff(&t->itk_lock);
	return p;
}

/*
 * A new task starts with its creator's bootstrap port and exception ports,
 * each type's with its behavior and flavor, as Mach's task_create gives them
 * (xnu's and OSF MK's ipc_task_init; GNU Mach's one exception port): never its
 * host or syscall port. The child is new, so its table is empty.
 */
void
ipc_task_inherit(struct task *child, struct task *parent)
{
	uint32_t f = ipc_begin();
	int b = task_special_slot(TASK_BOOTSTRAP_PORT);
	struct exc_action exc[EXC_TYPES_COUNT];
	struct port *old[EXC_TYPES_COUNT], *p;	/* old[0]: a bootstrap right not taken */

	spin_lock_irqoff(&parent->itk_lock);
	p = parent->special[b];
	if (p)
		port_copy_send(p);
	exc_ports_copy_locked(parent->exc_actions, exc);
	spin_unlock_irqoff(&parent->itk_lock);
	spin_lock_irqoff(&child->itk_lock);
	old[0] = p;
	if (!child->special[b]) {
		child->special[b] = p;
		old[0] = NULL;
	}
	for (int i = 1; i < EXC_TYPES_COUNT; i++) {
		old[i] = child->exc_actions[i].port;
		child->exc_actions[i] = exc[i];
	}
	spin_unlock_irqoff(&child->itk_lock);
	exc_ports_release(old, EXC_TYPES_COUNT);
	ipc_end(f);
}
