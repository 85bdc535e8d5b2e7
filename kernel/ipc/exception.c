/*
 * Exceptions as messages. A faulting user thread sends
 * exception_raise_state_identity (kernel/include/abi/mach/exc.defs, in msgc's
 * layout) to its thread's exception port, else its task's, and waits on a
 * reply port only the kernel holds. A KERN_SUCCESS reply gives the thread new
 * registers and it goes on; an error reply, a malformed one, or the handler's
 * death (the send-once right comes back as a send-once notification) means the
 * thread's task dies, as it does with no handler at all.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/notify.h>
#include <kern/task.h>
#include <kern/thread_state.h>
#include <mach/notify.h>
#include <mach/task_special_ports.h>
#include "exc_types.h"

#define HDR ((uint32_t)sizeof(mach_msg_header_t))

/* The request, as msgc lays out exception_raise_state_identity. */
struct exc_request {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t thread, task;
	int32_t exception;
	uint32_t code_count;
	integer_t code[2];
	int32_t flavor;
	uint32_t state_count;
	i386_thread_state_t state;
};

struct exc_reply {
	mach_msg_header_t head;
	kern_return_t ret;
	uint32_t state_count;
	i386_thread_state_t state;
};

static void
carry_send_locked(struct port *p, mach_msg_port_descriptor_t *d)
{
	p->refs++;
	p->srights++;
	d->name = (mach_port_name_t)(uintptr_t)p;
	d->disposition = MACH_MSG_TYPE_PORT_SEND;
	d->type = MACH_MSG_PORT_DESCRIPTOR;
}

/* Applies the reply if it says so; returns whether the thread may go on. */
static bool
take_reply_locked(struct thread *th, struct kmsg *k)
{
	const struct exc_reply *r = (const struct exc_reply *)k->msg;

	if (k->msg->msgh_id != EXCEPTION_RAISE_STATE_IDENTITY_ID + 100 ||
	    (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) || k->size < HDR + 4 || r->ret != KERN_SUCCESS)
		return false;
	if (k->size != sizeof *r || r->state_count != i386_THREAD_STATE_COUNT)
		return false;
	thread_state_set(th, &r->state);
	return true;
}

bool
exception_raise(struct thread *th, int exception, integer_t code0, integer_t code1)
{
	struct task *task = th->task;
	struct exc_request *q;
	struct port *ep, *reply;
	struct kmsg *k;
	bool ok = false;
	uint32_t f;

	reply = port_create();
	k = kzalloc(sizeof *k + sizeof *q);
	if (!reply || !k) {
		kfree(k);
		if (reply) {
			f = spin_lock_irqsave(&sched_lock);
			reply->refs = 1;
			reply->active = false;
			port_unref_locked(reply);
			spin_unlock_irqrestore(&sched_lock, f);
		}
		return false;
	}
	f = spin_lock_irqsave(&sched_lock);
	reply->refs = 1;	/* the kernel's: it alone receives here */
	ep = th->exc_port ? th->exc_port : task->special[task_special_slot(TASK_EXCEPTION_PORT)];
	if (!ep || !ep->active || ep->kotype != KOBJ_NONE || !th->self || !task->self) {
		kfree(k);
		goto out;
	}
	q = (struct exc_request *)k->msg;
	k->size = sizeof *q;
	ep->refs++;
	ep->srights++;
	k->remote = ep;
	k->remote_type = MACH_MSG_TYPE_PORT_SEND;
	reply->refs++;
	reply->sorights++;
	k->local = reply;
	k->local_type = MACH_MSG_TYPE_PORT_SEND_ONCE;
	q->head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE) |
			    MACH_MSGH_BITS_COMPLEX;
	q->head.msgh_size = sizeof *q;
	q->head.msgh_id = EXCEPTION_RAISE_STATE_IDENTITY_ID;
	q->body.msgh_descriptor_count = 2;
	carry_send_locked(th->self, &q->thread);
	carry_send_locked(task->self, &q->task);
	q->exception = exception;
	q->code_count = 2;
	q->code[0] = code0;
	q->code[1] = code1;
	q->flavor = i386_THREAD_STATE;
	q->state_count = i386_THREAD_STATE_COUNT;
	thread_state_get(th, &q->state);
	ipc_enqueue_locked(ep, k);	/* kernel messages ignore the queue limit */

	while (list_empty(&reply->messages) && !th->ipc_handoff && !th->kill_pending)
		waitq_wait_locked(&reply->receivers, 0);
	k = NULL;
	if (th->ipc_handoff) {		/* the reply was handed straight to us */
		k = th->ipc_handoff;
		th->ipc_handoff = NULL;
		port_unref_locked(th->ipc_handoff_port);
		th->ipc_handoff_port = NULL;
	} else if (!list_empty(&reply->messages)) {
		k = list_entry(list_pop_front(&reply->messages), struct kmsg, link);
		reply->msgcount--;
	}
	if (k) {
		/* receiving uses up the send-once right the reply came on */
		reply->sorights--;
		port_unref_locked(reply);
		k->remote = NULL;
		ok = k->msg->msgh_id != MACH_NOTIFY_SEND_ONCE && take_reply_locked(th, k);
		kmsg_destroy_locked(k);
	}
out:
	port_destroy_locked(reply);
	port_unref_locked(reply);
	spin_unlock_irqrestore(&sched_lock, f);
	return ok;
}
