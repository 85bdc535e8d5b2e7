/*
 * The RPC fast path. When a simple message (no descriptors) is sent to a port
 * whose queue is empty and on which a receiver is already blocked, the message
 * goes from the sender's buffer into the receiver's with no kernel message
 * and no queue: a body of at most THREAD_RCV_BODY_MAX bytes by way of the
 * receiver's thread (the sender copies it there through its own address
 * space, the receiver out through its own, with the header and trailer it
 * writes itself), a longer one straight across; its rights move as the slow
 * path would move them, with the same functions. The receiver is put first in line to run, so a
 * client that now blocks for the reply hands the processor to its server.
 *
 * Anything else (a complex message, a body longer than a page, a kernel
 * object, a full or non-empty queue, no waiting receiver, a receive buffer too
 * small, a header the slow path would reject) returns IPC_FASTPATH_NO and
 * msg.c does the work. All of it runs under the sender's space's lock, the
 * destination's and the reply port's locks (in address order) and the
 * receiver's space's lock (taken by a try, against the order), interrupts off:
 * the page bounds the copy (msg.c copies longer bodies with the locks dropped).
 * The boot option `ipc_fastpath=off` turns it off; the ipc suite runs both ways.
 */
#include <kern/boot.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>
#include "layout.h"
#include "msg_private.h"

#define HDR ((mach_msg_size_t)sizeof(mach_msg_header_t))
#define IPC_FASTPATH_BODY_MAX PAGE_SIZE
#define KREQ_FAST_PORTS 4	/* port descriptors a kernel request may carry on the fast path */

kern_return_t arch_user_copy(void *dst, const void *src, size_t len);	/* usercopy.S */

bool ipc_fastpath_enabled = true;	/* [I] after boot */
uint32_t ipc_fastpath_hits;		/* [A] messages that took it */

void
ipc_fastpath_init(void)
{
	const char *v = boot_option("ipc_fastpath");

	ipc_fastpath_enabled = !(v && strcmp(v, "off") == 0);
}

/*
 * The thread blocked in receive on dest (or on its set) that could take a
 * message now. dest locked: the thread stays blocked there until a sender
 * (who needs dest's lock) or its timeout or an abort wakes it. On one CPU a
 * timeout cannot come between (every lock held keeps interrupts off); with
 * several, the receiver must be claimed here, under sched_lock, before the
 * copy (kernel/README.md, "Locks": what SMP still needs).
 */
static inline __attribute__((always_inline)) struct thread *
waiting_receiver_locked(struct port *dest)
{
	struct thread *r;

	spin_lock_irqoff(&sched_lock);
	r = waitq_first_locked(&dest->receivers);
	if (!r && dest->pset)
		r = waitq_first_locked(&dest->pset->receivers);
	spin_unlock_irqoff(&sched_lock);
	return r && (r->rcv_buf || r->kreply_room) && !r->ipc_handoff && !r->rcv_done ? r : NULL;
}

/*
 * For a request the kernel makes: the thread waiting on dest with a buffer
 * of its own (not a kernel waiter), with its task's space locked by a try
 * (after the ports: against the order, as fast_send's). dest and the reply
 * port locked. NULL, with nothing more locked, when no such thread waits or
 * its space is busy.
 */
static inline __attribute__((always_inline)) struct thread *
kernel_request_receiver_locked(struct port *dest)
{
	struct thread *r;

	if (dest->kotype != KOBJ_NONE || !dest->active || !list_empty(&dest->messages) ||
	    !(r = waiting_receiver_locked(dest)) || !r->rcv_buf || !r->task->space ||
	    !spin_trylock_irqoff(&r->task->space->lock))
		return NULL;
	return r;
}

/*
 * A header copied word by word: as a structure assignment GCC may make it a
 * loop of six turns (some 30 instructions where 12 do).
 */
static inline __attribute__((always_inline)) void
msg_header_copy(mach_msg_header_t *to, const mach_msg_header_t *from)
{
	to->msgh_bits = from->msgh_bits;
	to->msgh_size = from->msgh_size;
	to->msgh_remote_port = from->msgh_remote_port;
	to->msgh_local_port = from->msgh_local_port;
	to->msgh_reserved = from->msgh_reserved;
	to->msgh_id = from->msgh_id;
}

/* r's receive is done, by the fast path: sched_lock held. */
static inline void
receive_done_locked(struct thread *r)
{
	r->rcv_done = true;
	r->rcv_result = MACH_MSG_SUCCESS;
	__atomic_add_fetch(&ipc_fastpath_hits, 1, __ATOMIC_RELAXED);
}

/*
 * r has its message (in its buffer, or the kernel's room): its receive is
 * done; as our successor it runs when we block next (sched.c).
 */
static void
delivered(struct thread *r, bool successor)
{
	spin_lock_irqoff(&sched_lock);
	receive_done_locked(r);
	if (successor)
		thread_wake_successor_locked(r);
	else
		thread_wake_locked(r);
	spin_unlock_irqoff(&sched_lock);
}

/*
 * We wait on wq (lock let go) and r, its message given and not woken yet,
 * runs in our place at once: sched_lock held.
 */
static inline __attribute__((always_inline)) enum wake_reason
handoff_wait_locked(struct waitq *wq, struct spinlock *lock, struct thread *r)
{
	receive_done_locked(r);
	return sched_handoff_wait_locked(wq, lock, r);
}

/*
 * r's message is in place: delivered now, or, where the caller will wait
 * for an answer at once (*handoff not NULL), left to it, to wake r as it
 * switches to it (sched_handoff_wait_locked) or by delivered if it does not
 * wait after all. Nothing else can look at r meanwhile: the caller keeps
 * interrupts off until then, and one CPU runs (kernel/README.md, "Locks").
 */
static inline __attribute__((always_inline)) void
handed(struct thread *r, bool successor, struct thread **handoff)
{
	if (handoff && successor)
		*handoff = r;
	else
		delivered(r, successor);
}

/*
 * The header's right uses[i] (0: the destination, 1: the reply) leaves the
 * sender's space for the message, as the slow path's copy-in takes it; its
 * port locked. The entry the check found is still good unless both names are
 * one, when the first copy-in may have changed it.
 */
static inline __attribute__((always_inline)) void
take_header_right_locked(struct task *t, struct right_use *uses, int i, mach_msg_type_name_t *type)
{
	if (uses[0].name != uses[1].name)
		right_copyin_entry_locked(t->space, uses[i].name, uses[i].entry, uses[i].disp, uses[i].port, type);
	else
		right_copyin_locked(t->space, uses[i].name, uses[i].disp, uses[i].port, type);
}

/*
 * The same for the destination of a message to a waiting thread, where an
 * answer on its reply right (MOVE_SEND_ONCE) is the common case: its name
 * freed inline (a kernel object's requests, which never come so, do not
 * test for it).
 */
static inline __attribute__((always_inline)) void
take_dest_right_locked(struct task *t, struct right_use *uses, mach_msg_type_name_t *type)
{
	if (uses[0].disp == MACH_MSG_TYPE_MOVE_SEND_ONCE && uses[0].name != uses[1].name &&
	    right_copyin_sendonce_quick_locked(t->space, uses[0].entry))
		*type = MACH_MSG_TYPE_PORT_SEND_ONCE;
	else
		take_header_right_locked(t, uses, 0, type);
}

/*
 * An answer to a request the kernel made on a thread's behalf (an exception,
 * a personality's system call), straight into the room the waiting thread
 * gave (ipc_kernel_reply_wait): no kmsg to allocate, queue and free. Only an
 * answer without a reply right; dest, uses[1].port (none) and t's space
 * locked, interrupts off. False, with nothing changed, when the slow path must
 * carry it; true, with r to wake (handed) by the caller.
 */
static bool
answer_kernel_waiter_locked(struct task *t, uintptr_t umsg, mach_msg_size_t size, struct right_use *uses,
			    struct port *dest, struct thread *r)
{
	struct kmsg *k = r->kreply_room;
	mach_msg_type_name_t dest_type = 0;

	if (uses[1].port || size > r->kreply_room_size || !ipc_queue_has_room_locked(dest, uses[0].disp) ||
	    !ipc_send_would_charge(t, size))
		return false;
	/* our own memory (a page not there fails the copy: no fault is waited for with interrupts off) */
	if (arch_user_copy(k->msg, (const void *)umsg, size) != KERN_SUCCESS)
		return false;
	take_dest_right_locked(t, uses, &dest_type);
	use_dest_right_locked(dest, dest_type);
	k->size = size;
	k->remote = NULL;
	k->remote_type = dest_type;
	k->local = NULL;
	k->local_type = 0;
	k->kcopies = k->kvirt = 0;
	k->payer = NULL;
	k->charge = 0;
	k->sender = t->id;
	k->msg->msgh_bits = MACH_MSGH_BITS(0, dest_type);
	k->msg->msgh_size = size;
	k->msg->msgh_remote_port = MACH_PORT_NULL;
	k->msg->msgh_local_port = MACH_PORT_NULL;
	return true;
}

/*
 * A request to a kernel object, built in room from the header already read
 * and the body (the rights checked, their entries in uses): the rights
 * committed as the slow path commits them, and nothing charged (the request
 * is served at once). t's space locked (f to unlock it), interrupts off; let
 * go either way: IPC_FASTPATH_KOBJECT when room->k is the caller's to serve
 * (kobject_server_room), IPC_FASTPATH_NO with nothing changed. Apart from
 * fast_send, whose own path it would slow.
 */
static __attribute__((noinline)) mach_msg_return_t
kobject_request_locked(struct task *t, uintptr_t umsg, mach_msg_size_t size, const mach_msg_header_t *h,
		       struct right_use *uses, struct kmsg_room *room, uint32_t f)
{
	struct kmsg *k = &room->k;
	struct port *dest = uses[0].port;
	mach_msg_type_name_t dest_type = 0, reply_type = 0;

	/* a pager's control port takes its one-way requests apart: the slow path's */
	if (dest->kotype == KOBJ_PAGER_CONTROL || size > KMSG_ROOM_BYTES) {
		ipc_space_unlock(t->space, f);
		return IPC_FASTPATH_NO;
	}
	port_lock_two(dest, uses[1].port);
	/* a page not there fails the copy (no fault is waited for with interrupts off): the slow path's then */
	if (!ipc_queue_has_room_locked(dest, uses[0].disp) ||
	    (size > HDR && arch_user_copy(k->msg + 1, (const void *)(umsg + HDR), size - HDR) != KERN_SUCCESS)) {
		port_unlock_two(dest, uses[1].port);
		ipc_space_unlock(t->space, f);
		return IPC_FASTPATH_NO;
	}
	k->msg[0] = *h;
	k->msg->msgh_size = size;
	/* A copied send right is borrowed, as fast_send leaves one alone: the request holds a
	 * reference while it is served, and the send count it would raise and lower is nobody's
	 * to see (only a port's receiver asks it for no-senders, and this one's is the kernel). */
	room->borrowed = uses[0].disp == MACH_MSG_TYPE_COPY_SEND && !dest->nsrequest;
	if (room->borrowed) {
		port_ref(dest);
		dest_type = MACH_MSG_TYPE_PORT_SEND;
	} else {
		take_header_right_locked(t, uses, 0, &dest_type);
	}
	if (uses[1].port)
		take_header_right_locked(t, uses, 1, &reply_type);
	k->size = size;
	k->remote = dest;
	k->remote_type = dest_type;
	k->local = uses[1].port;
	k->local_type = reply_type;
	k->kcopies = k->kvirt = 0;
	k->payer = NULL;
	k->charge = 0;
	k->sender = t->id;
	port_unlock_two(dest, uses[1].port);
	ipc_space_unlock(t->space, f);
	return IPC_FASTPATH_KOBJECT;
}

/*
 * The send. On success t's space is still locked (*flags for its unlock), so
 * that a receive that follows can look its name up under the same hold. A
 * request to a kernel object that fits room (when there is one) is built
 * there for the caller to serve: IPC_FASTPATH_KOBJECT, nothing locked.
 */
static inline __attribute__((always_inline)) mach_msg_return_t
fast_send(struct task *t, uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t size, uint32_t *flags,
	  struct kmsg_room *room, struct thread **handoff)
{
	struct right_use uses[2];
	mach_msg_header_t h;
	mach_msg_type_name_t rdisp, ldisp, dest_type = 0, reply_type = 0;
	mach_port_name_t reply_name = MACH_PORT_NULL;
	struct thread *r;
	struct ipc_space *rs = NULL;	/* the receiver's, locked */
	struct port *dest;
	mach_msg_size_t tsize;
	bool short_body;
	uint32_t f;

	/* the copy is made with interrupts off: at most a page of body, whatever the sender chose */
	if (!ipc_fastpath_enabled || size < HDR || size > HDR + IPC_FASTPATH_BODY_MAX || (size & 3))
		return IPC_FASTPATH_NO;
	/* t is the current task (a trap's): its memory through the MMU, as copyin would read it */
	if (umsg > USER_TOP - HDR || arch_user_copy(&h, (const void *)umsg, HDR) != KERN_SUCCESS)
		return IPC_FASTPATH_NO;
	rdisp = MACH_MSGH_BITS_REMOTE(h.msgh_bits);
	ldisp = MACH_MSGH_BITS_LOCAL(h.msgh_bits);
	if ((h.msgh_bits & ~MACH_MSGH_BITS_PORTS_MASK) || !ipc_is_send_disposition(rdisp) ||
	    (ldisp && !ipc_is_send_disposition(ldisp)) || (!ldisp && h.msgh_local_port != MACH_PORT_NULL) ||
	    !MACH_PORT_VALID(h.msgh_remote_port) || (ldisp && h.msgh_local_port == MACH_PORT_DEAD))
		return IPC_FASTPATH_NO;
	uses[0].name = h.msgh_remote_port;
	uses[0].disp = rdisp;
	uses[1].name = ldisp ? h.msgh_local_port : MACH_PORT_NULL;
	uses[1].disp = ldisp;

	f = ipc_space_lock(t->space);
	if ((uses[0].name == uses[1].name ? ipc_check_rights_locked(t->space, uses, 2)
					  : ipc_check_header_rights_locked(t->space, uses)) != MACH_MSG_SUCCESS)
		goto no_space;
	dest = uses[0].port;
	if (dest->kotype != KOBJ_NONE) {
		if (room)
			return kobject_request_locked(t, umsg, size, &h, uses, room, f);
		goto no_space;
	}
	port_lock_two(dest, uses[1].port);
	if (!dest->active || !list_empty(&dest->messages) || !(r = waiting_receiver_locked(dest)))
		goto no;
	if (r->kreply_room) {
		if (!answer_kernel_waiter_locked(t, umsg, size, uses, dest, r))
			goto no;
		handed(r, option & MACH_RCV_MSG, handoff);
		port_unlock_two(dest, uses[1].port);
		*flags = f;
		return MACH_MSG_SUCCESS;
	}
	if (!(rs = r->task->space))
		goto no;
	/* the receiver's space after ours and the ports: a try, which cannot deadlock (the slow path waits instead) */
	if (rs != t->space && !spin_trylock_irqoff(&rs->lock)) {
		rs = NULL;
		goto no;
	}
	if (!rs->active)
		goto no;
	/* what would stop the slow path stops this one (the equivalence test holds them to it):
	 * no room in the queue, or a sender that could not be charged for a queued message */
	if (!ipc_queue_has_room_locked(dest, rdisp) || !ipc_send_would_charge(t, size))
		goto no;
	tsize = ipc_trailer_size((mach_msg_option_t)r->rcv_option);
	if (size + tsize > r->rcv_size)
		goto no;	/* the slow path reports MACH_RCV_TOO_LARGE to the receiver */
	/* the header and trailer go where the receiver found room it could write as it began to wait:
	 * written by the receiver itself, in its own space (ipc_fastpath_received) */
	if (size + tsize > r->rcv_probed)
		goto no;
	/* The body: a short one into the receiver's thread, through our own address space, for the
	 * receiver to copy out with its header (no walk of either page table); a longer one straight
	 * across. Written before the commit, but read only once rcv_head_pending says so. */
	short_body = size - HDR <= THREAD_RCV_BODY_MAX;
	if (short_body) {
		if (size > HDR && arch_user_copy(r->rcv_body, (const void *)(umsg + HDR), size - HDR) != KERN_SUCCESS)
			goto no;
	} else if (copy_user_to_user(t, umsg + HDR, r->task, r->rcv_buf + HDR, size - HDR) != KERN_SUCCESS) {
		goto no;
	}

	/* Commit, exactly as the slow path's send and receive would. A copied
	 * send right that the delivery uses up changes nothing (a reference and
	 * a send right counted, then both let go, never the last: the sender's
	 * entry keeps its own), so an RPC's call leaves its destination alone. */
	if (rdisp == MACH_MSG_TYPE_COPY_SEND)
		dest_type = MACH_MSG_TYPE_PORT_SEND;
	else
		take_dest_right_locked(t, uses, &dest_type);
	if (uses[1].port) {
		if (uses[1].disp == MACH_MSG_TYPE_MAKE_SEND_ONCE) {
			/* an RPC's reply right: right_copyin_entry_locked's case for it, without the call */
			port_ref(uses[1].port);
			uses[1].port->sorights++;
			reply_type = MACH_MSG_TYPE_PORT_SEND_ONCE;
		} else {
			take_header_right_locked(t, uses, 1, &reply_type);
		}
		right_copyout_inline_locked(rs, uses[1].port, reply_type, &reply_name);
	}
	r->rcv_head.h.msgh_bits = MACH_MSGH_BITS(uses[1].port ? reply_type : 0, dest_type);
	r->rcv_head.h.msgh_size = size;
	r->rcv_head.h.msgh_remote_port = reply_name;
	r->rcv_head.h.msgh_local_port = dest->receiver_name;
	r->rcv_head.h.msgh_reserved = h.msgh_reserved;
	r->rcv_head.h.msgh_id = h.msgh_id;
	r->rcv_head.t.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
	r->rcv_head.t.msgh_trailer_size = tsize;
	r->rcv_head.t.msgh_seqno = dest->seqno++;
	r->rcv_head.t.msgh_sender.val[0] = t->id;
	r->rcv_head.t.msgh_sender.val[1] = 0;
	r->rcv_body_len = short_body ? size - HDR : 0;
	r->rcv_head_pending = true;
	if (rdisp != MACH_MSG_TYPE_COPY_SEND)
		use_dest_right_locked(dest, dest_type);	/* (the receiver's entry holds dest: not its last reference) */
	handed(r, true, handoff);	/* runs when we block: in the receive just after, most often */
	if (rs != t->space)
		spin_unlock_irqoff(&rs->lock);
	port_unlock_two(dest, uses[1].port);
	*flags = f;
	return MACH_MSG_SUCCESS;
no:
	if (rs && rs != t->space)
		spin_unlock_irqoff(&rs->lock);
	port_unlock_two(dest, uses[1].port);
no_space:
	ipc_space_unlock(t->space, f);
	return IPC_FASTPATH_NO;
}

mach_msg_return_t
ipc_fastpath_send(struct task *t, uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t size)
{
	uint32_t f;
	mach_msg_return_t mr = fast_send(t, umsg, option, size, &f, NULL, NULL);

	if (mr == MACH_MSG_SUCCESS)
		ipc_space_unlock(t->space, f);
	return mr;
}

/*
 * A receive fast_send completed (its rights and seqno are ours, and a long
 * body) but for the header, a short body and the trailer, written here by the
 * receiver, in its own space, with no lock held. The buffer was found writable when the wait began; if this
 * thread's task unmapped it since, the message is lost as ipc_receive's is
 * when its copy fails after the same check.
 */
static inline __attribute__((always_inline)) mach_msg_return_t
fastpath_received(struct thread *me, uintptr_t buf)
{
	mach_msg_size_t size = me->rcv_head.h.msgh_size, tsize = me->rcv_head.t.msgh_trailer_size;
	uint32_t body = me->rcv_body_len;
	kern_return_t kr;

	_Static_assert(offsetof(struct thread, rcv_head.t) == offsetof(struct thread, rcv_head.h) + HDR,
		       "the trailer follows the header");
	me->rcv_head_pending = false;
	/* within what was found writable (and lies below USER_TOP): a fault fails the copy */
	if (size == HDR) {	/* a header alone (every reply of a null RPC): with its trailer in one copy */
		kr = arch_user_copy((void *)buf, &me->rcv_head, HDR + tsize);
	} else if ((kr = arch_user_copy((void *)buf, &me->rcv_head.h, HDR)) == KERN_SUCCESS) {
		if (body)	/* a short body the sender left here */
			kr = arch_user_copy((void *)(buf + HDR), me->rcv_body, body);
		if (kr == KERN_SUCCESS)
			kr = arch_user_copy((void *)(buf + size), &me->rcv_head.t, tsize);
	}
	return kr == KERN_SUCCESS ? MACH_MSG_SUCCESS : MACH_RCV_INVALID_DATA;
}

/*
 * A send by the fast path and then, when it is the plain kind, the receive:
 * on a port of ours (not in a set) or a set, no timeout, nothing queued
 * yet. The caller waits there as ipc_receive would, without letting its
 * space go in between, and the thread the send woke runs in its place
 * (thread_wake_successor_locked). Woken by the fast path's delivery into its
 * buffer, it is done; woken for anything else (a message the slow path handed
 * to it, or queued, the port's end) it leaves the receive to ipc_receive,
 * which takes a handed message first and otherwise looks from the start.
 */
static inline __attribute__((always_inline)) mach_msg_return_t
fastpath_rpc(struct task *t, uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t size,
		 mach_msg_size_t rcv_size, mach_port_name_t rcv_name, struct kmsg_room *room)
{
	struct ipc_space *s = t->space;
	struct thread *me = curthread(), *r = NULL;	/* r: the receiver our send woke, to switch to */
	struct ipc_entry *e;
	struct port *p = NULL;
	struct pset *ps = NULL;
	struct spinlock *lock;
	struct waitq *wq;
	enum wake_reason why;
	mach_msg_return_t mr;
	uint32_t f = 0, probed = 0;	/* (f: set by fast_send when it succeeds) */
	bool head, may_wait = !(option & MACH_RCV_TIMEOUT) && rcv_size >= HDR && umsg < USER_TOP &&
			      rcv_size <= USER_TOP - umsg;

	/* what the fast path may write when we wait, found before any lock is taken (writing may fault,
	 * and wait for a pager where the buffer is a mapped memory object's) */
	if (may_wait)
		probed = copyout_probe(umsg, MIN(rcv_size, IPC_FASTPATH_RCV_MAX));
	mr = fast_send(t, umsg, option, size, &f, room, &r);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	/* the send's deferred work (a notification) goes before we wait, at ipc_end */
	if (!may_wait || ipc_deferred_pending)
		goto sent;
	e = space_lookup_locked(s, rcv_name);
	if (!e)
		goto sent;
	if (e->type & T_SET) {	/* a server's set: no member may have a message */
		ps = e->object;
		spin_lock_irqoff(&ps->lock);
		if (ipc_pset_first_ready_locked(ps)) {
			spin_unlock_irqoff(&ps->lock);
			goto sent;
		}
		lock = &ps->lock;
		wq = &ps->receivers;
		__atomic_add_fetch(&ps->refs, 1, __ATOMIC_RELAXED);	/* it stays while we wait */
	} else {
		if (!(e->type & T_RECV))
			goto sent;
		p = e->object;
		if (__atomic_load_n(&p->pset, __ATOMIC_RELAXED))
			goto sent;
		port_lock(p);
		if (!list_empty(&p->messages)) {
			port_unlock(p);
			goto sent;
		}
		lock = &p->lock;
		wq = &p->receivers;
		port_ref(p);	/* the port stays while we wait: our name for it may go meanwhile */
	}
	me->rcv_buf = umsg;
	me->rcv_size = rcv_size;
	me->rcv_option = (uint32_t)option;
	me->rcv_probed = probed;
	spin_unlock_irqoff(&s->lock);
	spin_lock_irqoff(&sched_lock);
	why = r ? handoff_wait_locked(wq, lock, r) : waitq_wait_dropping_locked(wq, 0, lock);
	me->rcv_buf = 0;
	mr = me->rcv_done ? me->rcv_result : why == WAKE_ABORTED ? MACH_RCV_INTERRUPTED : IPC_FASTPATH_SENT;
	head = me->rcv_done && me->rcv_head_pending;
	me->rcv_done = false;
	spin_unlock_irqoff(&sched_lock);
	if (ps)
		pset_unref(ps);
	else
		port_unref(p);
	ipc_end(f);
	return head ? fastpath_received(me, umsg) : mr;
sent:
	if (r)
		delivered(r, true);
	ipc_space_unlock(s, f);
	return IPC_FASTPATH_SENT;
}

/* The same for ipc_receive (msg.c), where fastpath_rpc has it inline. */
mach_msg_return_t
ipc_fastpath_received(struct thread *me, uintptr_t buf)
{
	return fastpath_received(me, buf);
}

/*
 * mach_msg with both halves: by fastpath_rpc when it can, which may do
 * the receive too; the rest as two calls.
 */
mach_msg_return_t
ipc_send_receive(uintptr_t umsg, mach_msg_option_t option, mach_msg_size_t send_size, mach_msg_size_t rcv_size,
		 mach_port_name_t rcv_name, mach_msg_timeout_t timeout)
{
	struct task *t = curtask();
	struct kmsg_room room;	/* a kernel object's request, if that is what this is */
	mach_msg_return_t mr = fastpath_rpc(t, umsg, option, send_size, rcv_size, rcv_name, &room);

	if (mr == IPC_FASTPATH_NO || mr == IPC_FASTPATH_KOBJECT) {
		struct thread *me = curthread();

		me->ipc_receives_next = true;
		me->rcv_next.buf = umsg;
		me->rcv_next.size = rcv_size;
		me->rcv_next.option = (uint32_t)option;
		me->rcv_next.name = rcv_name;
		if (mr == IPC_FASTPATH_KOBJECT) {	/* sent: served here, as ipc_send_slow would */
			kobject_server_room(&room);
			mr = MACH_MSG_SUCCESS;
		} else {
			mr = ipc_send_slow(t, umsg, option, send_size, timeout);
		}
		me->ipc_receives_next = false;
		if (me->rcv_next.done) {	/* a kernel object answered into our buffer */
			me->rcv_next.done = false;
			return mr;
		}
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	} else if (mr != IPC_FASTPATH_SENT) {
		return mr;
	}
	return ipc_receive(umsg, option, rcv_size, rcv_name, timeout);
}

/*
 * A kernel object's answer (kobject.c's send_kreply) to the thread that
 * asked, straight into the buffer of the receive its mach_msg does next, when
 * that receive is on the reply port itself, nothing is queued there and no
 * other thread waits: no kmsg to allocate, queue, take and free. A simple
 * answer only. The bytes go first, with no lock held (the buffer may fault),
 * then the receive is committed under the locks if what the header said is
 * still so. False, with nothing committed, leaves the answer to ipc_deliver
 * and the receive to ipc_receive, which writes the buffer anew.
 */
bool
ipc_fastpath_kernel_answer(struct kmsg *req, struct kmsg *out)
{
	struct thread *me = curthread();
	struct task *t = curtask();
	struct ipc_space *s = t->space;
	struct port *p = req->local;
	struct {
		mach_msg_header_t h;
		mach_msg_security_trailer_t t;
	} ht;
	uintptr_t buf = me->rcv_next.buf;
	mach_msg_size_t size = out->size, tsize;
	struct ipc_entry *e;
	bool others;
	uint32_t f;

	if (!ipc_fastpath_enabled || !me->ipc_receives_next || !p || (out->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return false;
	tsize = ipc_trailer_size((mach_msg_option_t)me->rcv_next.option);
	if (size < HDR || size + tsize > me->rcv_next.size)
		return false;	/* ipc_receive's MACH_RCV_TOO_LARGE, or MACH_RCV_LARGE's leaving it queued */
	/* what the header says, read unlocked: looked at again, locked, before it counts */
	ht.h.msgh_bits = MACH_MSGH_BITS(0, req->local_type);
	ht.h.msgh_size = size;
	ht.h.msgh_remote_port = MACH_PORT_NULL;
	ht.h.msgh_local_port = __atomic_load_n(&p->receiver_name, __ATOMIC_RELAXED);
	ht.h.msgh_reserved = out->msg->msgh_reserved;
	ht.h.msgh_id = out->msg->msgh_id;
	ht.t = (mach_msg_security_trailer_t){ MACH_MSG_TRAILER_FORMAT_0, tsize,
					      __atomic_load_n(&p->seqno, __ATOMIC_RELAXED), { { 0, 0 } } };
	/* our own memory, through the MMU (a fault brings a page in); a copy that fails leaves the
	 * buffer to ipc_receive, which checks it before it writes, and reports a bad one */
	if (buf >= USER_TOP || size + tsize > USER_TOP - buf ||
	    arch_user_copy((void *)(buf + HDR), out->msg + 1, size - HDR) != KERN_SUCCESS ||
	    arch_user_copy((void *)buf, &ht.h, HDR) != KERN_SUCCESS ||
	    arch_user_copy((void *)(buf + size), &ht.t, tsize) != KERN_SUCCESS)
		return false;
	f = ipc_space_lock(s);
	e = space_lookup_locked(s, me->rcv_next.name);
	if (!e || !(e->type & T_RECV) || e->object != p)	/* a set, another port, or none */
		goto no_space;
	port_lock(p);
	spin_lock_irqoff(&sched_lock);
	others = waitq_first_locked(&p->receivers) != NULL;
	spin_unlock_irqoff(&sched_lock);
	if (others || !p->active || p->pset || !list_empty(&p->messages) || me->ipc_handoff ||
	    p->seqno != ht.t.msgh_seqno || p->receiver_name != ht.h.msgh_local_port)
		goto no;
	/* received: the reply right used, as a queued message's is */
	p->seqno++;
	use_dest_right_locked(p, req->local_type);
	req->local = NULL;
	port_unlock(p);
	me->rcv_next.done = true;
	ipc_space_unlock(s, f);
	__atomic_add_fetch(&ipc_fastpath_hits, 1, __ATOMIC_RELAXED);
	return true;
no:
	port_unlock(p);
no_space:
	ipc_space_unlock(s, f);
	return false;
}

void
ipc_fastpath_wake_handed(struct thread *r)
{
	delivered(r, true);
}

enum wake_reason
ipc_fastpath_handoff_wait_locked(struct waitq *wq, struct spinlock *lock, struct thread *r)
{
	enum wake_reason why;

	spin_lock_irqoff(&sched_lock);
	why = handoff_wait_locked(wq, lock, r);
	spin_unlock_irqoff(&sched_lock);
	spin_lock_irqoff(lock);
	return why;
}

/*
 * A request the kernel sends on a thread's behalf (an exception, a
 * personality's system call: kernel_rpc.c), straight to a receiver already
 * waiting on dest, as fast_send delivers a task's (a short one by way of the
 * receiver's thread, which writes it out itself; a longer one pinned): its
 * header's rights to the receiver, the thread to run once the caller waits
 * for the answer. A simple message, or one whose descriptors are a few ports
 * (an exception's thread and task); false, with nothing changed, when it
 * must be queued. On true the rights have left k (its header now the
 * receiver's), whose memory the caller frees (kmsg_free_unlocked). No IPC
 * lock held, interrupts off. The receiver runs next when successor is set (a
 * caller about to wait for the answer); otherwise it is woken as any thread.
 * Only spin locks are taken and nothing is faulted in, so an interrupt's
 * handler may call it too (dev/irq.c).
 */
bool
ipc_fastpath_kernel_request(struct port *dest, struct kmsg *k, bool successor, struct thread **handoff)
{
	struct port *reply = k->local, *locked[KREQ_FAST_PORTS];
	mach_port_name_t reply_name = MACH_PORT_NULL;
	mach_msg_port_descriptor_t *d = NULL;
	mach_msg_security_trailer_t *tr;
	struct ipc_space *rs = NULL;
	struct user_pin pin;
	struct thread *r;
	mach_msg_size_t tsize;
	uint32_t nd = 0, nlocked = 0;
	bool in_thread;

	if (!ipc_fastpath_enabled || k->remote != dest || k->size > HDR + IPC_FASTPATH_BODY_MAX)
		return false;
	if (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) {	/* port descriptors only (an exception's) */
		mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);

		nd = body->msgh_descriptor_count;
		d = (mach_msg_port_descriptor_t *)(body + 1);
		if (nd > KREQ_FAST_PORTS || k->kcopies)
			return false;
		for (uint32_t i = 0; i < nd; i++)
			if (d[i].type != MACH_MSG_PORT_DESCRIPTOR)
				return false;
	}
	port_lock_two(dest, reply);
	if (!(r = kernel_request_receiver_locked(dest)))
		goto no;
	rs = r->task->space;
	/* the descriptors' ports too, each once, by a try: against the order, after the space */
	for (uint32_t i = 0; i < nd; i++) {
		struct port *p = (struct port *)(uintptr_t)d[i].name;
		bool held = !p || d[i].name == MACH_PORT_DEAD || p == dest || p == reply;

		for (uint32_t j = 0; j < nlocked && !held; j++)
			held = locked[j] == p;
		if (held)
			continue;
		if (!spin_trylock_irqoff(&p->lock))
			goto no;
		locked[nlocked++] = p;
	}
	tsize = ipc_trailer_size((mach_msg_option_t)r->rcv_option);
	if (!rs->active || k->size + tsize > r->rcv_size)
		goto no;
	/* a short message for the receiver to write itself, in its own space, with its trailer (where
	 * it found room as it began to wait); a longer one into its buffer, pinned meanwhile */
	in_thread = k->size - HDR <= THREAD_RCV_BODY_MAX && k->size + tsize <= r->rcv_probed;
	if (!in_thread && !copyout_pin(r->task, r->rcv_buf, k->size + tsize, &pin))
		goto no;
	/* the rights to the receiver, in the order ipc_receive's copyout_rights gives them */
	if (reply)
		right_copyout_inline_locked(rs, reply, k->local_type, &reply_name);
	for (uint32_t i = 0; i < nd; i++) {
		struct port *p = (struct port *)(uintptr_t)d[i].name;
		mach_port_name_t name = d[i].name;	/* NULL and DEAD stay as they are */

		if (p && d[i].name != MACH_PORT_DEAD)
			right_copyout_locked(rs, p, d[i].disposition, &name);
		d[i].name = name;
	}
	/* the header as the receiver sees it, in place: k is ours, its rights are leaving it */
	k->msg->msgh_bits = (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) |
			    MACH_MSGH_BITS(reply ? k->local_type : 0, k->remote_type);
	k->msg->msgh_size = k->size;
	k->msg->msgh_remote_port = reply_name;
	k->msg->msgh_local_port = dest->receiver_name;
	tr = &r->rcv_head.t;	/* r waits with nothing pending there: the pinned way copies it from there too */
	tr->msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
	tr->msgh_trailer_size = tsize;
	tr->msgh_seqno = dest->seqno++;
	tr->msgh_sender.val[0] = k->sender;
	tr->msgh_sender.val[1] = 0;
	use_dest_right_locked(dest, k->remote_type);
	k->remote = k->local = NULL;
	if (in_thread) {
		msg_header_copy(&r->rcv_head.h, k->msg);
		r->rcv_body_len = k->size - HDR;
		memcpy(r->rcv_body, k->msg + 1, r->rcv_body_len);
		r->rcv_head_pending = true;
	} else {
		copyout_pinned(&pin, k->msg, r->rcv_buf, k->size);
		copyout_pinned(&pin, tr, r->rcv_buf + k->size, tsize);
		copyout_unpin(&pin);
	}
	handed(r, successor, handoff);
	while (nlocked)
		port_unlock(locked[--nlocked]);
	spin_unlock_irqoff(&rs->lock);
	port_unlock_two(dest, reply);
	return true;
no:
	while (nlocked)
		port_unlock(locked[--nlocked]);
	if (rs)
		spin_unlock_irqoff(&rs->lock);
	port_unlock_two(dest, reply);
	return false;
}

/*
 * A request the kernel makes whose body is one counted array of words (a
 * personality's system call: syscall_raise's registers), written straight
 * into the thread waiting on dest, for it to copy out with its header as a
 * task's short message is: no kmsg built and copied again, no send right
 * copied and let go. The caller holds what keeps dest's send right while
 * this runs (the task's itk_lock, for a special port): the message's right
 * is that one, borrowed, as fast_send borrows a copied one, since the
 * delivery ends before the lock goes. The send-once right to reply is made
 * here, only when the request goes. False, with nothing changed, when the
 * general way must carry it (ipc_kernel_request_send).
 */
__attribute__((flatten)) bool
ipc_fastpath_kernel_array_request(struct port *dest, struct port *reply, mach_msg_id_t id, const natural_t *words,
				  mach_msg_type_number_t count, struct thread **handoff)
{
	mach_msg_size_t body = (mach_msg_size_t)sizeof(natural_t) * (1 + count), size = HDR + body, tsize;
	mach_port_name_t reply_name = MACH_PORT_NULL;
	struct ipc_space *rs = NULL;
	struct thread *r;

	if (!ipc_fastpath_enabled || count > THREAD_RCV_BODY_MAX / sizeof(natural_t) - 1)
		return false;
	port_lock_two(dest, reply);
	if (!(r = kernel_request_receiver_locked(dest)))
		goto no;
	rs = r->task->space;
	tsize = ipc_trailer_size((mach_msg_option_t)r->rcv_option);
	/* where the receiver found room it could write as it began to wait: it writes the message itself */
	if (!rs->active || size + tsize > r->rcv_size || size + tsize > r->rcv_probed)
		goto no;
	port_ref(reply);
	reply->sorights++;
	right_copyout_inline_locked(rs, reply, MACH_MSG_TYPE_PORT_SEND_ONCE, &reply_name);
	r->rcv_head.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND);
	r->rcv_head.h.msgh_size = size;
	r->rcv_head.h.msgh_remote_port = reply_name;
	r->rcv_head.h.msgh_local_port = dest->receiver_name;
	r->rcv_head.h.msgh_reserved = 0;
	r->rcv_head.h.msgh_id = id;
	r->rcv_head.t.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
	r->rcv_head.t.msgh_trailer_size = tsize;
	r->rcv_head.t.msgh_seqno = dest->seqno++;
	r->rcv_head.t.msgh_sender.val[0] = 0;	/* the kernel's, as a kmsg of the kernel says */
	r->rcv_head.t.msgh_sender.val[1] = 0;
	/* msgc's counted array: the count, then the words (tools/msgc/README.md) */
	memcpy(r->rcv_body, &count, sizeof count);
	memcpy(r->rcv_body + sizeof count, words, count * sizeof(natural_t));
	r->rcv_body_len = body;
	r->rcv_head_pending = true;
	handed(r, true, handoff);
	spin_unlock_irqoff(&rs->lock);
	port_unlock_two(dest, reply);
	return true;
no:
	if (rs)
		spin_unlock_irqoff(&rs->lock);
	port_unlock_two(dest, reply);
	return false;
}
