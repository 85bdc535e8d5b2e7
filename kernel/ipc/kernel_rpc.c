/*
 * Requests the kernel sends on a user thread's behalf and waits for: an
 * exception (exception.c), a personality's system call (syscall_port.c). The
 * answer comes on a reply port only the kernel receives, one per thread, kept
 * from one request to the next (th->kreply); the thread waits on it until the
 * answer comes, the send-once right comes back unused, or the thread is told
 * to end.
 */
#include <kern/ipc.h>
#include <kern/sched.h>
#include <mach/notify.h>

struct kmsg *
ipc_kernel_reply_wait_locked(struct thread *th, struct port *reply)
{
	struct kmsg *k = NULL;

	while (list_empty(&reply->messages) && !th->ipc_handoff && !th->kill_pending)
		ipc_wait_locked(&reply->receivers, 0);
	if (th->ipc_handoff) {		/* the reply was handed straight to us */
		k = th->ipc_handoff;
		th->ipc_handoff = NULL;
		port_unref_locked(th->ipc_handoff_port);
		th->ipc_handoff_port = NULL;
	} else if (!list_empty(&reply->messages)) {
		k = ipc_dequeue_locked(reply);
	}
	if (!k)
		return NULL;
	/* receiving uses up the send-once right the reply came on */
	reply->sorights--;
	port_unref_locked(reply);
	k->remote = NULL;
	if (k->msg->msgh_id == MACH_NOTIFY_SEND_ONCE) {	/* the right died unused: no answer */
		kmsg_destroy_locked(k);
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
	f = spin_lock_irqsave(&ipc_lock);
	th->kreply = NULL;
	if (p) {		/* a request that ended with the thread's end left it unclean: not reused */
		port_destroy_locked(p);
		port_unref_locked(p);
	}
	ipc_unlock(f);
	p = port_create();
	if (!p)
		return NULL;
	f = spin_lock_irqsave(&ipc_lock);
	p->refs = 1;		/* the kernel's: it alone receives here */
	th->kreply = p;
	ipc_unlock(f);
	return p;
}
