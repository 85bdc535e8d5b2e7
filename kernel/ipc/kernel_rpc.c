/*
 * Requests the kernel sends on a user thread's behalf and waits for: an
 * exception (exception.c), a personality's system call (syscall_port.c). The
 * answer comes on a reply port only the kernel receives, one per thread, kept
 * from one request to the next (th->kreply); the thread waits on it until the
 * answer comes, the send-once right comes back unused, or the thread is told
 * to end.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/sched.h>
#include <kern/task.h>
#include <mach/notify.h>

/*
 * A request built in the caller's room, to be queued: a copy of the heap
 * holds it from here (the room is the caller's stack). NULL without memory.
 */
static struct kmsg *
request_off_the_stack(struct kmsg *k)
{
	struct kmsg *q = kmalloc(sizeof(struct kmsg) + k->size);

	if (q)
		memcpy(q, k, sizeof(struct kmsg) + k->size);
	return q;
}

/* A request gone, r its receiver if it was handed one (to run as we wait for the answer). */
static void
request_sent(struct thread *r)
{
	if (ipc_deferred_pending) {	/* before the wait: nothing deferred waits for our answer */
		if (r)	/* what runs now must see r woken */
			ipc_fastpath_wake_handed(r);
		r = NULL;
		ipc_deferred_run();
	}
	curthread()->kreq_handed = r;
}

/* Sends k to dest (which k holds a right to); destroyed if dest died. No IPC lock held. */
void
ipc_kernel_request_send(struct port *dest, struct kmsg *k, struct kmsg_room *room)
{
	bool in_room = room && k == &room->k;
	struct thread *r = NULL;	/* the receiver given k, to run as we wait for its answer */
	struct kmsg *q;

	if (ipc_fastpath_kernel_request(dest, k, true, &r)) {
		if (!in_room)
			kmsg_free_unlocked(k);	/* its rights went with it */
	} else if (!in_room) {
		ipc_deliver(dest, k);	/* kernel messages ignore the queue limit */
	} else if ((q = request_off_the_stack(k))) {
		ipc_deliver(dest, q);
	} else {
		/* no memory: as if the one who should answer had gone (the reply
		 * right's death tells the waiter); a request in a room holds rights, no memory */
		kmsg_release_rights(k);
	}
	request_sent(r);
}

bool
ipc_kernel_special_request_send(struct task *t, struct port **slot, struct port *reply, mach_msg_id_t id,
				const natural_t *words, mach_msg_type_number_t count)
{
	struct thread *r = NULL;
	struct port *p;
	bool sent;

	/* the slot's right is the message's until the delivery ends (ipc_fastpath_kernel_array_request) */
	spin_lock_irqoff(&t->itk_lock);
	p = *slot;
	sent = p && ipc_fastpath_kernel_array_request(p, reply, id, words, count, &r);
	spin_unlock_irqoff(&t->itk_lock);
	if (sent)
		request_sent(r);
	return sent;
}

struct kmsg *
ipc_kernel_reply_wait(struct thread *th, struct port *reply, struct kmsg_room *room)
{
	struct kmsg *k = NULL;
	struct port *handed = NULL;
	struct thread *r = th->kreq_handed;	/* our request's receiver, not woken yet */

	th->kreq_handed = NULL;
	port_lock(reply);
	th->kreply_room = &room->k;
	th->kreply_room_size = KMSG_ROOM_BYTES;
	while (list_empty(&reply->messages) && !th->ipc_handoff && !th->rcv_done && !th->kill_pending) {
		if (r)
			ipc_fastpath_handoff_wait_locked(&reply->receivers, &reply->lock, r);
		else
			ipc_wait_locked(&reply->receivers, 0, &reply->lock);
		r = NULL;
	}
	if (r)	/* told to end: we do not wait, our request stands */
		ipc_fastpath_wake_handed(r);
	th->kreply_room = NULL;
	if (th->rcv_done) {		/* in room, by the fast path, which used the send-once right up */
		th->rcv_done = false;
		port_unlock(reply);
		if (room->k.msg->msgh_id == MACH_NOTIFY_SEND_ONCE)	/* said by the one who should answer */
			return NULL;
		return &room->k;
	}
	if (th->ipc_handoff) {		/* the reply was handed straight to us */
		k = th->ipc_handoff;
		handed = th->ipc_handoff_port;
		th->ipc_handoff = NULL;
		th->ipc_handoff_port = NULL;
	} else if (!list_empty(&reply->messages)) {
		k = ipc_dequeue_locked(reply);
	}
	if (k) {
		/* receiving uses up the send-once right the reply came on */
		reply->sorights--;
		port_unref_locked(reply);	/* (th->kreply keeps the kernel's) */
		k->remote = NULL;
	}
	port_unlock(reply);
	if (handed)
		port_unref(handed);
	if (k && k->msg->msgh_id == MACH_NOTIFY_SEND_ONCE) {	/* the right died unused: no answer */
		kmsg_destroy(k);
		return NULL;
	}
	return k;
}

struct port *
ipc_kernel_reply_port(struct thread *th)
{
	struct port *p = th->kreply;
	uint32_t f;

	/*
	 * Without the lock: with no send-once right out nobody can send to p,
	 * and only th (this thread) makes rights to it, so what is read here
	 * cannot change meanwhile.
	 */
	if (p && !p->sorights && list_empty(&p->messages) && !th->ipc_handoff)
		return p;	/* as the last request left it: every request's case but the first */
	th->kreply = NULL;
	if (p) {		/* a request that ended with the thread's end left it unclean: not reused */
		f = ipc_begin();
		port_destroy_held(p);
		ipc_end(f);
	}
	p = port_create();	/* its reference is the kernel's: it alone receives here */
	th->kreply = p;
	return p;
}

void
ipc_kernel_reply_done(struct kmsg *k, struct kmsg_room *room)
{
	if (k != &room->k)
		kmsg_destroy(k);
}
