/*
 * Mach IPC inside the kernel: ports, port sets, per-task name spaces of rights,
 * and queued messages. The user interface (traps) is kernel/syscall/sys_ipc.c
 * and sys_port.c; the OSF Mach 3.0 types come from <mach/...>.
 *
 * Locking: a space's entries by the space's lock ([S], kern/ipc_space.h);
 * ports, sets and queued messages by ipc_lock ([P] below), for now one lock
 * for all of them, taken after a space's; sched_lock protects scheduling only (run
 * queues, thread states, wait queues), and is taken inside ipc_lock: a thread
 * that must wait checks under ipc_lock, joins the wait queue under sched_lock
 * too, and lets ipc_lock go only then (ipc_wait_locked), so no wake-up is lost.
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

struct task;
struct thread;

enum kobject_type { KOBJ_NONE, KOBJ_TASK, KOBJ_THREAD, KOBJ_HOST, KOBJ_PAGER_CONTROL, KOBJ_HOST_PRIV, KOBJ_DEVICE };

/*
 * Work an IPC operation leaves for after it is done with the objects it
 * locked (defer.c): what one object's change does to another object. Today
 * all of it runs before ipc_lock goes (ipc_unlock); with a lock per object,
 * it is what lets a port's death or a right's release tell other ports
 * without holding two port locks, or a space's lock under a port's.
 */
enum ipc_deferred_kind {
	IPC_DEFER_NONE,		/* not on the list */
	IPC_DEFER_SEND,		/* a kernel message (a notification) for k->remote */
	IPC_DEFER_DEAD_NAME,	/* a dead-name request that fired: its notification */
	IPC_DEFER_FORGET,	/* send-once rights to a port the kernel drops unused and unsent */
};
struct ipc_deferred {
	struct list link;		/* [P] on the deferred list (defer.c) */
	uint32_t kind;			/* [P] enum ipc_deferred_kind */
};

/*
 * A port: a message queue with at most one receive right.   [P] ipc_lock
 * (its wait queues' lists are sched_lock's, as every wait queue's)
 */
struct port {
	uint32_t refs;			/* [P] entries naming it + rights in transit + kernel holds */
	bool active;			/* [P] false once the receive right is destroyed */
	struct ipc_space *receiver;	/* [P] space holding the receive right; NULL in transit */
	struct port *in_transit_to;	/* [P] while the receive right is in a message queued on
					 * that port (msg.c), else NULL: the way up a chain of
					 * rights in transit, walked to find rings */
	mach_port_name_t receiver_name;	/* [P] its name there */
	struct list messages;		/* [P] struct kmsg, FIFO */
	uint32_t msgcount, qlimit;	/* [P] */
	uint32_t seqno;			/* [P] of the next message received */
	uint32_t srights;		/* [P] send rights in existence (spaces and messages) */
	uint32_t sorights;		/* [P] send-once rights in existence */
	uint32_t mscount;		/* [P] make-send count */
	struct waitq receivers;		/* [P] threads in mach_msg receive on this port */
	struct waitq senders;		/* [P] threads waiting for room in the queue */
	struct pset *pset;		/* [P] the set it belongs to, if any */
	struct list pset_link;		/* [P] */
	struct port *nsrequest;		/* [P] send-once right for no-senders, or NULL */
	struct port *pdrequest;		/* [P] send-once right for port-destroyed, or NULL */
	struct list dnrequests;		/* [P] struct dnrequest: dead-name requests */
	bool pager;			/* [P] a memory object's pager: its death wakes the object's faults */
	enum kobject_type kotype;	/* [I] kernel object this port stands for */
	void *kobject;			/* [P] cleared when the object dies */
	struct ipc_deferred forget;	/* [P] on the deferred list while forgets > 0 */
	uint32_t forgets;		/* [P] send-once rights to drop there (their refs included) */
};

/* A port set: receiving from it receives from any member. */
struct pset {
	uint32_t refs;			/* [P] */
	bool active;			/* [P] */
	struct list members;		/* [P] struct port via pset_link */
	struct waitq receivers;		/* [P] */
};

/* A message in the kernel: the user's bytes, with port names replaced by ports. */
struct kmsg {
	union {
		struct list link;		/* [P] port->messages */
		struct ipc_deferred deferred;	/* [P] or the deferred list, as a notification */
	};
	mach_msg_size_t size;		/* bytes of msg (header, body, inline data) */
	struct port *remote;		/* right carried for the destination */
	mach_msg_type_name_t remote_type;	/* PORT_SEND or PORT_SEND_ONCE */
	struct port *local;		/* reply right, or NULL */
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

extern struct spinlock ipc_lock;

/* defer.c */
struct dnrequest;
extern bool ipc_deferred_pending;	/* [P] work is on the deferred list */
/* k, a kernel message holding a send-once right to k->remote, goes to it later (or is destroyed). */
void ipc_defer_send_locked(struct kmsg *k);
/* d fired because its port died: its notification goes. */
void ipc_defer_dead_name_locked(struct dnrequest *d);
/* A send-once right to p (and its reference) the kernel drops without a notification. */
void ipc_defer_forget_locked(struct port *p);
/* Does the deferred work, until none is left (what it does may defer more). */
void ipc_deferred_run_locked(void);

/*
 * Lets ipc_lock go, after the work the holder deferred: every release of
 * ipc_lock but the waits' (ipc_wait_locked runs the work before it waits).
 */
static inline void
ipc_unlock(uint32_t f)
{
	if (ipc_deferred_pending)
		ipc_deferred_run_locked();
	spin_unlock_irqrestore(&ipc_lock, f);
}

/*
 * A space's lock, then ipc_lock: what a path that looks at names takes. The
 * space comes first (its entries name ports); two spaces are taken in
 * address order, or the second by a try (the fast path's receiver).
 */
static inline uint32_t
ipc_space_lock(struct ipc_space *s)
{
	uint32_t f = spin_lock_irqsave(&s->lock);

	spin_lock_irqoff(&ipc_lock);
	return f;
}

/* Lets both go, after the deferred work (which needs ipc_lock only). */
static inline void
ipc_space_unlock(struct ipc_space *s, uint32_t f)
{
	if (ipc_deferred_pending)
		ipc_deferred_run_locked();
	spin_unlock_irqoff(&ipc_lock);
	spin_unlock_irqrestore(&s->lock, f);
}

/*
 * ipc_wait_locked for a caller that holds s's lock too: s is let go before the
 * wait and both are taken again, in order, after it; what either guards must
 * be looked at again.
 */
enum wake_reason ipc_wait_space_locked(struct ipc_space *s, struct waitq *wq, uint64_t timeout_ticks);

/*
 * Waits on one of IPC's wait queues (a port's receivers or senders, a set's):
 * the caller holds ipc_lock, as on return; in between it is let go, so what
 * the caller looked at must be looked at again. timeout 0 waits forever.
 */
enum wake_reason ipc_wait_locked(struct waitq *wq, uint64_t timeout_ticks);

/* Wake-ups on IPC's wait queues, from under ipc_lock (sched_lock is taken inside). */
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

/*
 * Both locks, in their order, for the few places that look at IPC state and
 * scheduling state together (a thread behind its port, a task's threads and
 * their ports). Nothing under them may wake or wait on an IPC queue (which
 * takes sched_lock itself): no port may die, no message be queued.
 */
static inline uint32_t
ipc_sched_lock(void)
{
	uint32_t f = spin_lock_irqsave(&ipc_lock);

	spin_lock_irqoff(&sched_lock);
	return f;
}

static inline void
ipc_sched_unlock(uint32_t f)
{
	spin_unlock_irqoff(&sched_lock);
	ipc_unlock(f);
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
struct port *port_create(void);
void port_ref_locked(struct port *p);
void port_unref_locked(struct port *p);
void port_destroy_locked(struct port *p);
void port_release_send_locked(struct port *p);
/* One more send right (and reference) to p, for the kernel to hold or hand out. */
void port_copy_send_locked(struct port *p);
void port_release_sendonce_locked(struct port *p);	/* also consumes the reference */
struct pset *pset_create(void);
void pset_destroy_locked(struct pset *ps);
void pset_unref_locked(struct pset *ps);
uint32_t ipc_live_ports(void);
/* Messages of dead ports wait for the reaper (port.c): whether some do, and the reaper's work. */
bool ipc_dying_kmsgs_locked(void);
void ipc_reap_dying_kmsgs(void);
/* k is destroyed with them, after the caller's work: it was never queued, or is off its queue. */
void ipc_defer_destroy_locked(struct kmsg *k);
/* A batch of them destroyed now (the deferred work's last step); the reaper gets the rest. */
void ipc_destroy_dying_kmsgs_locked(void);
/* A message's rights, under ipc_lock; then its copies and itself, with no lock held (msg.c). */
void kmsg_release_rights_locked(struct kmsg *k);
void kmsg_free_unlocked(struct kmsg *k);

/* right.c: turning names into rights and back */
kern_return_t right_check_locked(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp,
				 struct port **out);
void right_copyin_locked(struct ipc_space *s, mach_port_name_t name, mach_msg_type_name_t disp,
			 struct port *p, mach_msg_type_name_t *carried);
kern_return_t right_copyout_locked(struct ipc_space *s, struct port *p, mach_msg_type_name_t carried,
				   mach_port_name_t *name);
void right_destroy_carried_locked(struct port *p, mach_msg_type_name_t carried);
struct ipc_entry *right_find_port_locked(struct ipc_space *s, struct port *p);
void entry_turn_dead_locked(struct ipc_space *s, struct ipc_entry *e);
mach_port_type_t right_type_locked(struct ipc_space *s, mach_port_name_t name, struct ipc_entry *e);
kern_return_t right_deallocate_locked(struct ipc_space *s, mach_port_name_t name);
kern_return_t right_destroy_locked(struct ipc_space *s, mach_port_name_t name);

/*
 * A send or send-once right whose port died becomes a dead name when its
 * entry is next looked at (right.c). Inline: every right a message names
 * passes here, and its port is almost always alive.
 */
static inline void
entry_lazy_dead_locked(struct ipc_space *s, struct ipc_entry *e)
{
	if ((e->type & (T_SEND | T_SO)) && !((struct port *)e->object)->active)
		entry_turn_dead_locked(s, e);
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
mach_msg_return_t ipc_receive(uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t rcv_size,
			      mach_port_name_t name, mach_msg_timeout_t timeout);
void kmsg_destroy_locked(struct kmsg *k);
/* The same, taking ipc_lock itself, and freeing the copies with it dropped. */
void kmsg_destroy(struct kmsg *k);
void kmsg_clean_locked(struct kmsg *k);
void ipc_enqueue_locked(struct port *p, struct kmsg *k);
/* Takes the oldest message off p's queue, or NULL. */
struct kmsg *ipc_dequeue_locked(struct port *p);
/*
 * Rights in transit: the port at the top of the chain above p (following
 * in_transit_to), which holds its receive right in a space or in no queue;
 * NULL when the chain goes on past IPC_TRANSIT_DEPTH_MAX ports, which the
 * walk (with interrupts off) does not follow.
 */
#define IPC_TRANSIT_DEPTH_MAX 256
struct port *ipc_transit_top_locked(struct port *p);
void ipc_deliver_locked(struct port *dest, struct kmsg *k);

/* fastpath.c */
extern bool ipc_fastpath_enabled;
extern uint32_t ipc_fastpath_hits;
void ipc_fastpath_init(void);

/* kobject.c: messages sent to kernel objects (task, thread, host ports) */
extern struct port *host_port;
extern struct port *host_priv_port;	/* the privileged host port: see ipc_holds_host_priv */
/*
 * Whether t is the kernel or a task whose TASK_HOST_PORT is the privileged
 * host port (bootstrap and the servers it trusts): its messages, threads and
 * tasks may take pages down to the page reserve, where everyone else's stop at
 * twice the reserve. Nothing a task asks for goes into the reserve itself.
 */
bool task_may_use_reserve(struct task *t);
void kobject_init(void);
void kobject_server(struct kmsg *k);
struct port *kobject_port_create(enum kobject_type type, void *object);
void kobject_port_destroy_locked(struct port *p);

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
 * kernel_rpc.c. A request the kernel sent on th's behalf with a send-once
 * right to reply (which only the kernel receives): its answer, or NULL when
 * the reply right was destroyed unused (the one who should answer went away)
 * or th is told to end first. ipc_lock held; let go while th waits.
 */
struct kmsg *ipc_kernel_reply_wait_locked(struct thread *th, struct port *reply);
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
/* Whether name is a send right to the privileged host port in caller's space. */
bool ipc_holds_host_priv(struct task *caller, mach_port_name_t name);
/* Gives t a send right to p as its special port `which` (a TASK_*_PORT with a slot). */
void ipc_task_set_special(struct task *t, int which, struct port *p);
/* Index into task->special for a TASK_*_PORT number, or -1. */
int task_special_slot(int which);
void ipc_task_inherit(struct task *child, struct task *parent);

#endif
