/*
 * Exceptions as messages. A faulting user thread sends
 * exception_raise_state_identity (exc.defs; msgc builds the request and
 * decodes the reply, build/gen/kernel/exc_kuser.c) to its thread's exception
 * port, else its task's, and waits on a reply port only the kernel holds. A
 * KERN_SUCCESS reply gives the thread new registers and it goes on; an error
 * reply, a malformed one, or the handler's death (the send-once right comes
 * back as a send-once notification, which is not the reply's id) means the
 * thread's task dies, as it does with no handler at all. A handler that never
 * answers (it destroyed the reply right, or its port died with the message
 * queued), or the thread's own termination meanwhile, ends only that thread.
 */
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/thread_state.h>
#include <mach/task_special_ports.h>
#include "exc_kuser.h"

/* Applies the reply if it says so; returns whether the thread may go on. */
static bool
take_reply(struct thread *th, struct kmsg *k)
{
	i386_thread_state_t state;
	mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;	/* room for no more */

	if (kreply_exception_raise_state_identity(k, (natural_t *)&state, &count) != KERN_SUCCESS ||
	    count != i386_THREAD_STATE_COUNT)
		return false;
	thread_state_set(th, &state);
	return true;
}

enum exception_outcome
exception_raise(struct thread *th, int exception, integer_t code0, integer_t code1)
{
	struct task *task = th->task;
	const integer_t code[2] = { code0, code1 };
	i386_thread_state_t state;
	struct port *ep, *tself, *kself, *reply;
	struct kmsg_room room;	/* the request, then the answer */
	struct kmsg *k = &room.k;
	enum exception_outcome outcome = EXCEPTION_UNHANDLED;
	uint32_t f;

	reply = ipc_kernel_reply_port(th);
	if (!reply)
		return EXCEPTION_UNHANDLED;
	f = ipc_begin();
	/* the rights the message will hold, taken while the task's ports are as they are */
	spin_lock_irqoff(&task->itk_lock);
	ep = th->exc_port ? th->exc_port : task->special[task_special_slot(TASK_EXCEPTION_PORT)];
	tself = th->self;
	kself = task->self;
	if (!ep || !__atomic_load_n(&ep->active, __ATOMIC_RELAXED) || ep->kotype != KOBJ_NONE || !tself || !kself) {
		spin_unlock_irqoff(&task->itk_lock);
		goto out;
	}
	port_copy_send(ep);
	port_copy_send(tself);
	port_copy_send(kself);
	spin_unlock_irqoff(&task->itk_lock);
	thread_state_get(th, &state);
	if (kreq_exception_raise_state_identity(&k, ep, MACH_MSG_TYPE_PORT_SEND, reply, MACH_MSG_TYPE_PORT_SEND_ONCE,
						tself, kself, exception, code, 2,
						i386_THREAD_STATE, (const natural_t *)&state,
						i386_THREAD_STATE_COUNT) != KERN_SUCCESS) {
		right_destroy_carried(ep, MACH_MSG_TYPE_PORT_SEND);	/* no memory for it: as with no handler */
		right_destroy_carried(tself, MACH_MSG_TYPE_PORT_SEND);
		right_destroy_carried(kself, MACH_MSG_TYPE_PORT_SEND);
		goto out;
	}
	port_lock(reply);
	port_ref(reply);
	reply->sorights++;
	port_unlock(reply);
	ipc_kernel_request_send(ep, k, &room);	/* copied to the heap only to be queued */

	k = ipc_kernel_reply_wait(th, reply, &room);
	outcome = EXCEPTION_NO_ANSWER;	/* unless a reply says otherwise */
	if (k) {
		outcome = take_reply(th, k) ? EXCEPTION_HANDLED : EXCEPTION_UNHANDLED;
		ipc_kernel_reply_done(k, &room);
	}
out:
	ipc_end(f);
	return outcome;
}
