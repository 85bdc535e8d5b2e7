/*
 * Mach IPC inside the kernel: ports, port sets, per-task name spaces of rights,
 * and queued messages. The user interface (traps) is kernel/syscall/sys_ipc.c
 * and sys_port.c; the OSF Mach 3.0 types come from <mach/...>.
 *
 * Locking: one lock per object (kernel/README.md, "Locks"):
 *   [S] a space's lock (kern/ipc_space.h): its entries
 *   [p] the port's own lock: its queue, counts, requests, state
 *   [s] the set's own lock: its members
 *   [T] ipc_transit_lock: every port's in_transit_to (the chains of rights in transit)
 *   [D] ipc_defer_lock: the deferred work and the messages of dead ports
 *   [A] atomic
 * The order (kern/lock_order.h): space, then port (two ports in address order,
 * only a send's destination and reply), then set, then transit, then
 * sched_lock; ipc_defer_lock is a leaf, taken under any of them (and under
 * the receiver's pmap lock in the fast path), with nothing taken under it. A thread that must wait checks under the object's lock, joins
 * the wait queue under sched_lock too, and lets the object go only then
 * (ipc_wait_locked), so no wake-up is lost.
 *
 * What one object's change does to another (a notification, a right dropped,
 * a dead port's messages) is deferred work (defer.c): recorded under the
 * object's lock, done by ipc_end with no IPC lock held, each record taking the
 * locks it needs. Every IPC operation is bracketed by ipc_begin/ipc_end
 * (interrupts off, the deferred work at the end), or by ipc_space_lock/
 * ipc_space_unlock, which do the same around a space's lock.
 */
#ifndef KERN_IPC_H
#define KERN_IPC_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/ipc_space.h>
#include <kern/list.h>
#include <kern/page.h>
#include <kern/sched.h>
#include <mach/message.h>
#include <mach/port.h>
#include <mach/task_special_ports.h>

struct task;
struct thread;

enum kobject_type { KOBJ_NONE, KOBJ_TASK, KOBJ_THREAD, KOBJ_HOST, KOBJ_PAGER_CONTROL, KOBJ_HOST_PRIV, KOBJ_DEVICE,
		   KOBJ_CLOCK_CTRL };

/*
 * Work an IPC operation leaves for after it is done with the objects it
 * locked (defer.c): what one object's change does to another object. It is
 * what lets a port's death or a right's release tell other ports without
 * holding two port locks, or a space's lock under a port's: ipc_end does it
 * with no IPC lock held.
 */
enum ipc_deferred_kind {
	IPC_DEFER_NONE,		/* not on the list */
	IPC_DEFER_SEND,		/* a kernel message (a notification) for k->remote */
	IPC_DEFER_DEAD_NAME,	/* a dead-name request that fired: its notification */
	IPC_DEFER_FORGET,	/* send-once rights to a port the kernel drops unused and unsent */
};
struct ipc_deferred {
	struct list link;		/* [D] on the deferred list (defer.c) */
	uint32_t kind;			/* [D] enum ipc_deferred_kind */
};

/*
 * A port: a message queue with at most one receive right.   [p] its lock
 * (its wait queues' lists are sched_lock's, as every wait queue's)
 */
struct port {
	struct spinlock lock;
	uint32_t refs;			/* [A] entries naming it + rights in transit + kernel holds */
	bool active;			/* [p] false once the receive right is destroyed (read
					 * without the lock as a hint: it only ever turns false) */
	struct ipc_space *receiver;	/* [p] space holding the receive right; NULL in transit;
					 * written under that space's lock too, so either lock reads it */
	struct port *in_transit_to;	/* [T] while the receive right is in a message queued on
					 * that port (msg.c), else NULL: the way up a chain of
					 * rights in transit, walked to find rings */
	mach_port_name_t receiver_name;	/* [p] its name there (and [S] of the receiver, as receiver) */
	struct list messages;		/* [p] struct kmsg, FIFO */
	uint32_t msgcount, qlimit;	/* [p] */
	uint32_t seqno;			/* [p] of the next message received */
	uint32_t srights;		/* [p] send rights in existence (spaces and messages) */
	uint32_t sorights;		/* [p] send-once rights in existence */
	uint32_t mscount;		/* [p] make-send count */
	struct waitq receivers;		/* [p] threads in mach_msg receive on this port */
	struct waitq senders;		/* [p] threads waiting for room in the queue */
	struct pset *pset;		/* [p] the set it belongs to, if any (written with the set's lock too) */
	struct list pset_link;		/* [s] on the set's members */
	struct port *nsrequest;		/* [p] send-once right for no-senders, or NULL */
	struct port *pdrequest;		/* [p] send-once right for port-destroyed, or NULL */
	struct list dnrequests;		/* [p] struct dnrequest: dead-name requests */
	bool pager;			/* [p] a memory object's pager: its death wakes the object's faults */
	enum kobject_type kotype;	/* [I] kernel object this port stands for */
	void *kobject;			/* [p] cleared when the object dies */
	struct ipc_deferred forget;	/* [D] on the deferred list while forgets > 0 */
	uint32_t forgets;		/* [D] send-once rights to drop there (their refs included) */
};

/* A port set: receiving from it receives from any member. */
struct pset {
	struct spinlock lock;
	uint32_t refs;			/* [A] */
	bool active;			/* [s] */
	struct list members;		/* [s] struct port via pset_link */
	struct waitq receivers;		/* [s] */
};

/* A message in the kernel: the user's bytes, with port names replaced by ports. */
struct kmsg {
	union {
		struct list link;		/* [p] port->messages, or [D] the dead ports' */
		struct ipc_deferred deferred;	/* [D] or the deferred list, as a notification */
	};
	mach_msg_size_t size;		/* bytes of msg (header, body, inline data) */
	struct port *remote;		/* right carried for the destination */
	mach_msg_type_name_t remote_type;	/* PORT_SEND or PORT_SEND_ONCE */
	struct port *local;		/* reply right, or NULL (with local_type set: a dead one, MACH_PORT_DEAD) */
	mach_msg_type_name_t local_type;
	uint32_t kcopies;		/* bit i: descriptor i holds a kernel copy (i < 32) */
	uint32_t kvirt;			/* bit i: ...a virtual one, a struct vcopy */
	struct ledger *payer;		/* the sender's TASK_LIMIT_KMEM ledger, with a reference, while
					 * queued; NULL: the kernel's message, charged to nobody */
	uint32_t charge;		/* bytes charged to payer */
	uint32_t sender;		/* the sending task's id, for a sender trailer; 0: the kernel */
	mach_msg_header_t msg[];	/* size bytes; port fields hold struct port *, and
					 * out-of-line descriptors the kernel copy's address */
};

extern struct spinlock ipc_transit_lock;
extern struct spinlock ipc_defer_lock;

/* Interrupts off for an IPC operation; the flags to give ipc_end. */
static inline uint32_t
ipc_begin(void)
{
	return irq_save_off();
}

/* defer.c */
struct dnrequest;
extern bool ipc_deferred_pending;	/* [D] work is on the deferred list (read without it as a hint) */
/* k, a kernel message holding a send-once right to k->remote, goes to it later (or is destroyed). */
void ipc_defer_send(struct kmsg *k);
/* d fired because its port died: its notification goes. */
void ipc_defer_dead_name(struct dnrequest *d);
/* A send-once right to p (and its reference) the kernel drops without a notification. */
void ipc_defer_forget(struct port *p);
/* Does the deferred work, until none is left (what it does may defer more). No IPC lock held. */
void ipc_deferred_run(void);

/*
 * The end of an IPC operation: the work it deferred, with no IPC lock held
 * (interrupts still off, so on one CPU it is done before anyone else looks),
 * then interrupts as they were.
 */
static inline void
ipc_end(uint32_t f)
{
	if (ipc_deferred_pending)
		ipc_deferred_run();
	irq_restore(f);
}

/* A port's lock, interrupts already off (inside ipc_begin or a space's lock). */
static inline void
port_lock(struct port *p)
{
	spin_lock_irqoff(&p->lock);
}

/* port.c: a port whose last reference went, freed (its lock not held). */
void port_free(struct port *p);

/* Lets p go; frees p when its last reference went while it was held. */
static inline void
port_unlock(struct port *p)
{
	bool gone = __atomic_load_n(&p->refs, __ATOMIC_ACQUIRE) == 0;

	spin_unlock_irqoff(&p->lock);
	if (__builtin_expect(gone, 0))	/* nobody else can reach it: no reference is left */
		port_free(p);
}

/* Two ports' locks, in address order (a send's destination and reply); b may be a or NULL. */
static inline void
port_lock_two(struct port *a, struct port *b)
{
	if (!b || b == a) {
		port_lock(a);
	} else if (a < b) {
		port_lock(a);
		port_lock(b);
	} else {
		port_lock(b);
		port_lock(a);
	}
}

static inline void
port_unlock_two(struct port *a, struct port *b)
{
	if (b && b != a)
		port_unlock(b);
	port_unlock(a);
}

/*
 * A space's lock, inside ipc_begin: what a path that looks at names takes.
 * Two spaces are taken in address order, or the second by a try (the fast
 * path's receiver).
 */
static inline uint32_t
ipc_space_lock(struct ipc_space *s)
{
	uint32_t f = ipc_begin();

	spin_lock_irqoff(&s->lock);
	return f;
}

/* Lets the space go, then ipc_end: the deferred work runs with no IPC lock held. */
static inline void
ipc_space_unlock(struct ipc_space *s, uint32_t f)
{
	spin_unlock_irqoff(&s->lock);
	ipc_end(f);
}

/*
 * Waits on one of IPC's wait queues (a port's receivers or senders, a set's):
 * the caller holds `lock`, the queue's object's, and nothing else of IPC's,
 * and the caller's deferred work is done (ipc_deferred_run before it took the
 * lock). On return lock is held again; in between it is let go, so what the
 * caller looked at must be looked at again, and the object must be one the
 * caller holds a reference on. timeout 0 waits forever.
 */
enum wake_reason ipc_wait_locked(struct waitq *wq, uint64_t timeout_ticks, struct spinlock *lock);

/* Wake-ups on IPC's wait queues, from under their object's lock (sched_lock is taken inside). */
static inline bool
ipc_wake_one_locked(struct waitq *wq)
{
	bool woke;

	spin_lock_irqoff(&sched_lock);
	woke = waitq_wake_one_locked(wq);
	spin_unlock_irqoff(&sched_lock);
	return woke;
}

static inline void
ipc_wake_all_locked(struct waitq *wq)
{
	spin_lock_irqoff(&sched_lock);
	waitq_wake_all_locked(wq);
	spin_unlock_irqoff(&sched_lock);
}

/* A port's lock and sched_lock, for a port that stands for a thread (its kobject) or a pager. */
static inline uint32_t
port_sched_lock(struct port *p)
{
	uint32_t f = ipc_begin();

	port_lock(p);
	spin_lock_irqoff(&sched_lock);
	return f;
}

static inline void
port_sched_unlock(struct port *p, uint32_t f)
{
	spin_unlock_irqoff(&sched_lock);
	port_unlock(p);
	ipc_end(f);
}

/* Short names for the entry type bits, used throughout kernel/ipc. */
#define T_SEND	MACH_PORT_TYPE_SEND
#define T_RECV	MACH_PORT_TYPE_RECEIVE
#define T_SO	MACH_PORT_TYPE_SEND_ONCE
#define T_SET	MACH_PORT_TYPE_PORT_SET
#define T_DEAD	MACH_PORT_TYPE_DEAD_NAME
#define UREFS_MAX 0xFFFF	/* user references of one right under one name */

#define IPC_MSG_MAX	(64 * 1024 + 1024)	/* largest inline message */
#define IPC_OOL_MAX	(4 * 1024 * 1024)	/* largest out-of-line region, until VM copies */

/* port.c */
/* A new port, with one reference: its creator's. */
struct port *port_create(void);
static inline void
port_ref(struct port *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
}
void port_destroy_locked(struct port *p);
/* A receive right the kernel holds (with its reference) goes: the port dies. p not locked. */
void port_destroy_held(struct port *p);
/* port_unref's last reference: the port is destroyed (if alive) and freed. */
void port_last_unref(struct port *p);
/* One reference goes; the last destroys the port (if alive) and frees it. p's lock not held. */
static inline void
port_unref(struct port *p)
{
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
		port_last_unref(p);
}
/* The same with p's lock held: the memory goes when port_unlock lets it go. */
static inline void
port_unref_locked(struct port *p)
{
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0 && p->active)
		port_destroy_locked(p);	/* no receive right anywhere and nobody names it */
}
void port_release_send_locked(struct port *p);
/* One more send right (and reference) to p, for the kernel to hold or hand out; p locked, or not. */
void port_copy_send_locked(struct port *p);
void port_copy_send(struct port *p);
/* A send-once right to p destroyed unused (a notification carries it); consumes its reference. No lock needed. */
void port_release_sendonce(struct port *p);
struct pset *pset_create(void);
/* p (locked) leaves its set, or joins ps (in none before). */
void pset_remove_locked(struct port *p);
void pset_add_locked(struct port *p, struct pset *ps);
/* The set dies: its members leave it, its receivers wake. No IPC lock held but a space's. */
void pset_destroy(struct pset *ps);
void pset_unref(struct pset *ps);
uint32_t ipc_live_ports(void);
/* Messages of dead ports wait for the reaper (port.c): whether some do, and the reaper's work. */
bool ipc_dying_kmsgs(void);
void ipc_reap_dying_kmsgs(void);
/* k is destroyed with them, after the caller's work: it was never queued, or is off its queue. */
void ipc_defer_destroy(struct kmsg *k);
/* A batch of them destroyed now (the deferred work's last step); the reaper gets the rest. */
void ipc_destroy_dying_kmsgs(void);
/* A message's rights, each port locked in turn (none held by the caller); then its copies and itself. */
void kmsg_release_rights(struct kmsg *k);
void kmsg_free_unlocked(struct kmsg *k);
/* The kernel copies of a message's out-of-line regions and port arrays (its rights gone). */
void kmsg_free_copies(struct kmsg *k);

/*
 * right.c: turning names into rights and back. `_locked`: the space's lock
 * held, and the lock of the port the right names where the function takes a
 * port; the versions without the suffix take that port's lock themselves.
 */
kern_return_t right_check_locked(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp,
				 struct port **out);
void right_copyin_locked(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp,
			 struct port *p, mach_msg_type_name_t *carried);
/*
 * The same two, for a caller that keeps the entry the check found until the
 * copy-in (nothing between them may free it: the header's two rights under
 * two names, where one's copy-in cannot touch the other's entry).
 */
static inline kern_return_t right_check_entry_locked(struct ipc_space *s, mach_port_name_t name,
						    mach_msg_type_name_t disp, struct port **out,
						    struct ipc_entry **entry);
void right_copyin_entry_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry *e,
			       mach_msg_type_name_t disp, struct port *p, mach_msg_type_name_t *carried);
void right_copyin(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp,
		  struct port *p, mach_msg_type_name_t *carried);
kern_return_t right_copyout_locked(struct ipc_space *s, struct port *p, mach_msg_type_name_t carried,
				   mach_port_name_t *name);
kern_return_t right_copyout(struct ipc_space *s, struct port *p, mach_msg_type_name_t carried,
			    mach_port_name_t *name);
/* A carried right that will never be received goes, with its reference: p locked, or not. */
void right_destroy_carried_locked(struct port *p, mach_msg_type_name_t carried);
void right_destroy_carried(struct port *p, mach_msg_type_name_t carried);
struct ipc_entry *right_find_port_locked(struct ipc_space *s, struct port *p);
/* The space's lock held, not the port's: this takes it. */
void entry_turn_dead_locked(struct ipc_space *s, struct ipc_entry *e);
mach_port_type_t right_type_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry *e);
kern_return_t right_deallocate_locked(struct ipc_space *s, mach_port_name_t name);
kern_return_t right_destroy_locked(struct ipc_space *s, mach_port_name_t name);

/*
 * A send or send-once right whose port died becomes a dead name when its
 * entry is next looked at (right.c). Inline: every right a message names
 * passes here, and its port is almost always alive. The space's lock held,
 * no port's.
 */
static inline void
entry_lazy_dead_locked(struct ipc_space *s, struct ipc_entry *e)
{
	if ((e->type & (T_SEND | T_SO)) && !__atomic_load_n(&((struct port *)e->object)->active, __ATOMIC_RELAXED))
		entry_turn_dead_locked(s, e);
}

/*
 * right_copyout_locked, with its case of a send-once right (and its
 * reference) to a live port inline: named in the first free slot of s's
 * table when that is the quick one (space_alloc_quick_locked). For the fast
 * path, where every request names its reply right so. p locked.
 */
static inline kern_return_t
right_copyout_inline_locked(struct ipc_space *s, struct port *p, mach_msg_type_name_t carried, mach_port_name_t *name)
{
	struct ipc_entry *e;

	if (carried != MACH_MSG_TYPE_PORT_SEND_ONCE || !p->active || !(e = space_alloc_quick_locked(s)))
		return right_copyout_locked(s, p, carried, name);
	e->object = p;
	e->type = T_SO;
	e->urefs = 1;
	*name = e->name;
	return KERN_SUCCESS;
}

/*
 * right_copyin_entry_locked's case of MOVE_SEND_ONCE from a table slot with
 * no dead-name request (an answer on its reply right): the entry's
 * reference goes with the right, the slot is free again. False, with
 * nothing changed, when the general function must do it. e's port locked.
 */
static inline bool
right_copyin_sendonce_quick_locked(struct ipc_space *s, struct ipc_entry *e)
{
	if (e->type != T_SO || e->dnrequest || !space_entry_in_table(s, e))
		return false;
	space_free_slot_locked(s, e);
	return true;
}

/*
 * Whether name holds the right disp needs (right_check_locked, keeping the
 * entry found). Inline: every message's header passes here twice.
 */
static inline kern_return_t
right_check_entry_locked(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp, struct port **out,
			 struct ipc_entry **entry)
{
	struct ipc_entry *e = space_lookup_locked(s, name);
	uint32_t need;

	if (!e)
		return KERN_INVALID_NAME;
	entry_lazy_dead_locked(s, e);
	if (e->type & T_DEAD)
		return KERN_INVALID_CAPABILITY;	/* callers turn this into "dead" */
	switch (disp) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		need = T_RECV;
		break;
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MOVE_SEND:
		need = T_SEND;
		break;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		need = T_SO;
		break;
	default:
		return KERN_INVALID_VALUE;
	}
	if (!(e->type & need))
		return KERN_INVALID_RIGHT;
	*out = e->object;
	*entry = e;
	return KERN_SUCCESS;
}

/*
 * A virtual copy of a page-aligned out-of-line region, as a kmsg holds it (its
 * kvirt bit set): the pages, each held by reference and copy-on-write in the
 * sender. A last, partial page is a copy, with the rest of it zeroed, so
 * nothing past the region travels. A page taken out is set to 0.
 */
struct vcopy {
	uint32_t npages;
	paddr_t page[];
};

/* msg.c */
/* Drops the pages from `from` on (the ones not handed to a receiver yet) and vc. */
void vcopy_free(struct vcopy *vc, uint32_t from);
/* n fresh pages, not zeroed, for a copy the kernel fills; NULL without memory. */
struct vcopy *vcopy_alloc(uint32_t n);
/* size bytes of t's memory at addr in fresh pages. KERN_RESOURCE_SHORTAGE, or copyin's error. */
kern_return_t vcopy_copyin(struct task *t, uint32_t addr, uint32_t size, struct vcopy **out);
mach_msg_return_t ipc_send(uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t size,
			   mach_msg_timeout_t timeout);
mach_msg_return_t ipc_send_receive(uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t send_size,
				   mach_msg_size_t rcv_size, mach_port_name_t rcv_name, mach_msg_timeout_t timeout);
mach_msg_return_t ipc_receive(uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t rcv_size,
			      mach_port_name_t name, mach_msg_timeout_t timeout);
/*
 * Destroys a message nobody will receive, with every right it carries (each
 * port locked in turn: the caller holds none of their locks) and its copies.
 */
void kmsg_destroy(struct kmsg *k);
/* p locked: k joins its queue (or goes to a waiting receiver). */
void ipc_enqueue_locked(struct port *p, struct kmsg *k);
/* Takes the oldest message off p's queue (p locked), or NULL. */
struct kmsg *ipc_dequeue_locked(struct port *p);
/*
 * Rights in transit: the port at the top of the chain above p (following
 * in_transit_to), which holds its receive right in a space or in no queue;
 * NULL when the chain goes on past IPC_TRANSIT_DEPTH_MAX ports, which the
 * walk (with interrupts off) does not follow.
 */
#define IPC_TRANSIT_DEPTH_MAX 256
struct port *ipc_transit_top_locked(struct port *p);	/* ipc_transit_lock held */
/* A kernel message to dest (its queue, or destroyed for a kernel object); dest not locked. */
void ipc_deliver(struct port *dest, struct kmsg *k);

/* fastpath.c */
extern bool ipc_fastpath_enabled;
extern uint32_t ipc_fastpath_hits;
void ipc_fastpath_init(void);

/* kobject.c: messages sent to kernel objects (task, thread, host ports) */
extern struct port *host_port;
extern struct port *host_priv_port;	/* the privileged host port: see ipc_holds_host_priv */
extern struct port *calendar_ctrl_port;	/* the calendar clock's control port (clock_priv.defs) */
/*
 * Whether t is the kernel or a task whose TASK_HOST_PORT is the privileged
 * host port (bootstrap and the servers it trusts): its messages, threads and
 * tasks may take pages down to the page reserve, where everyone else's stop at
 * twice the reserve. Nothing a task asks for goes into the reserve itself.
 */
bool task_may_use_reserve(struct task *t);
void kobject_init(void);
void kobject_server(struct kmsg *k);
/* The same for a request in a room on the caller's stack (fastpath.c): its rights go, its memory stays. */
struct kmsg_room;
void kobject_server_room(struct kmsg_room *room);
struct port *kobject_port_create(enum kobject_type type, void *object);
/* The object is gone: its port dies, and the kernel's reference goes. p not locked. */
void kobject_port_destroy(struct port *p);

/* exception.c: true when a handler fixed the thread and it may go on */
/*
 * What became of an exception: a handler fixed the thread (it goes on); there
 * was no handler, or it answered with an error (the task dies, as in Mach);
 * or a handler took the message and no answer ever came: the handler or its
 * port died, or the thread is being terminated meanwhile (only the thread ends).
 */
enum exception_outcome { EXCEPTION_HANDLED, EXCEPTION_UNHANDLED, EXCEPTION_NO_ANSWER };
enum exception_outcome exception_raise(struct thread *th, int exception, integer_t code0, integer_t code1);
/*
 * A kmsg on the caller's stack with KMSG_ROOM_BYTES of message: a request the
 * kernel sends and waits for is built there (msgc_kmsg_in), which costs no
 * allocation when the fast path copies it straight into a waiting server
 * (ipc_kernel_request_send copies it to the heap only to queue it); then the
 * same room takes the answer. The answer is either a queued kmsg or, put
 * there by the fast path (a simple message, no reply right, as the sender
 * wrote it), room->k, which ipc_kernel_reply_done leaves alone.
 */
#define KMSG_ROOM_BYTES 384	/* syscall_data.defs' largest message, with a struct statx (syscall_port.c) */
struct kmsg_room {
	bool borrowed;	/* k->remote holds a reference only, not a send right (kobject_request_locked) */
	struct kmsg k;
	uint8_t bytes[KMSG_ROOM_BYTES];
};
/*
 * kernel_rpc.c. A request the kernel sends on th's behalf (k, holding its
 * rights; in room, or room NULL for a kmsg of the heap), with a send-once
 * right to reply (which only the kernel receives); then its answer, or NULL when the reply right was destroyed unused (the one
 * who should answer went away) or th is told to end first. No IPC lock held
 * (interrupts off: ipc_begin).
 */
void ipc_kernel_request_send(struct port *dest, struct kmsg *k, struct kmsg_room *room);
/*
 * The same, by the fast path alone, for a request whose body is one counted
 * array of words (syscall_raise's registers) to the send right in t's
 * special slot, with a send-once right to reply: false, with nothing sent,
 * when the slot is empty or no receiver waits there to take it; the caller
 * then builds a kmsg for ipc_kernel_request_send.
 */
bool ipc_kernel_special_request_send(struct task *t, struct port **slot, struct port *reply, mach_msg_id_t id,
				     const natural_t *words, mach_msg_type_number_t count);
/*
 * fastpath.c: k into the buffer of a receiver waiting on dest, if it can; true: k's rights went, its
 * memory stays. The receiver runs next if successor (its caller waits next); spin locks only, no fault.
 * With handoff, the receiver is not woken but left in *handoff, for the caller to run as it waits
 * (ipc_fastpath_handoff_wait_locked) or to wake (ipc_fastpath_wake_handed), interrupts off until then.
 */
bool ipc_fastpath_kernel_request(struct port *dest, struct kmsg *k, bool successor, struct thread **handoff);
/* fastpath.c: the same for ipc_kernel_special_request_send, dest's right held by the caller's lock. */
bool ipc_fastpath_kernel_array_request(struct port *dest, struct port *reply, mach_msg_id_t id, const natural_t *words,
				       mach_msg_type_number_t count, struct thread **handoff);
void ipc_fastpath_wake_handed(struct thread *r);
/* Waits on wq (lock held, let go while waiting, held again after) with r run in our place at once. */
enum wake_reason ipc_fastpath_handoff_wait_locked(struct waitq *wq, struct spinlock *lock, struct thread *r);
struct kmsg *ipc_kernel_reply_wait(struct thread *th, struct port *reply, struct kmsg_room *room);
void ipc_kernel_reply_done(struct kmsg *k, struct kmsg_room *room);
/*
 * th's kernel reply port (th->kreply), for th itself to use: made when th has
 * none or the one it has is not as a finished request leaves it (an empty
 * queue, no send-once right out); NULL without memory. No lock held.
 */
struct port *ipc_kernel_reply_port(struct thread *th);

/*
 * syscall_port.c: `int 0x80` from a task with a TASK_SYSCALL_PORT. Sends
 * syscall_raise there and waits: EXCEPTION_HANDLED when the answer set the
 * thread's registers; EXCEPTION_UNHANDLED for an error answer or a malformed
 * one (the task dies); EXCEPTION_NO_ANSWER when the server went away or the
 * thread is being ended. *had_port: whether the task had such a port at all.
 */
enum exception_outcome syscall_port_raise(struct thread *th, bool *had_port);

/* ipc_task.c: a task's IPC state */
kern_return_t ipc_task_init(struct task *t);
/* The task is finished: its rights go, its space turns inactive, its port dies. */
void ipc_task_terminate(struct task *t);
/* Its last reference went: the space is freed. */
void ipc_task_destroy(struct task *t);
/* The task behind a send right to a task port in the caller's space, with a reference. */
struct task *ipc_task_from_name(struct task *caller, mach_port_name_t name);
/* The task behind a task port a request carried, with a reference; NULL for any other port (kernel/dev/device_rpc.c). */
struct task *task_of_port(struct port *p);
/* Its end: the task's reference goes, and on success the port's carried send right (the request's, now the call's). */
kern_return_t task_of_port_done(struct task *t, struct port *task_port, kern_return_t kr);
/* Whether name is a send right to the privileged host port in caller's space. */
bool ipc_holds_host_priv(struct task *caller, mach_port_name_t name);
/* Gives t a send right to p as its special port `which` (a TASK_*_PORT with a slot). */
void ipc_task_set_special(struct task *t, int which, struct port *p);
/* A new send right to what t's slot (one of its special ports', or its threads') holds, or NULL. t->itk_lock taken here. */
struct port *ipc_task_copy_special(struct task *t, struct port **slot);
/*
 * Index into task->special for a TASK_*_PORT number, or -1. Inline: a
 * personality's every system call looks its port up by a constant.
 */
static inline int
task_special_slot(int which)
{
	switch (which) {
	case TASK_BOOTSTRAP_PORT: return 0;
	case TASK_HOST_PORT: return 1;
	case TASK_SYSCALL_PORT: return 2;
	default: return -1;
	}
}
void ipc_task_inherit(struct task *child, struct task *parent);

#endif
