/*
 * Exceptions as messages. A faulting user thread sends its exception to the
 * port set for that type on the thread, else on its task (exc_ports.c's
 * tables), as the behavior set with the port says: exception_raise,
 * exception_raise_state or exception_raise_state_identity (exc.defs; msgc
 * builds the request and decodes the reply, build/gen/kernel/exc_kuser.c).
 * It waits on a reply port only the kernel holds. A KERN_SUCCESS reply gives
 * the thread new registers (the state behaviors) and it goes on; an error
 * reply, a malformed one, no port for the type, or a dead one sends the
 * exception on to the task's port, and after that the task dies. A handler
 * that took the message and never answers (it destroyed the reply right, or
 * its port died with the message queued: the send-once notification comes
 * back instead), or the thread's own termination meanwhile, ends only that
 * thread.
 */
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/thread_state.h>
#include <mach/task_special_ports.h>
#include "exc_kuser.h"

/* One exception, the request's rights and the thread's registers as its handler gets them. */
struct raise {
	struct thread *th;
	int exception;
	integer_t code[2];
	struct exc_action act;		/* the port, with a send right the request takes */
	struct port *tself, *kself;	/* send rights, for the behaviors that carry them */
	natural_t state[32];		/* in act.flavor */
	mach_msg_type_number_t count;
};

/* The thread's registers in flavor (exc_ports_check's flavors). */
static mach_msg_type_number_t
state_get(struct thread *th, thread_state_flavor_t flavor, natural_t *state)
{
	uint32_t f;

	if (flavor == i386_THREAD_STATE) {
		thread_state_get(th, (i386_thread_state_t *)state);
		return i386_THREAD_STATE_COUNT;
	}
	f = spin_lock_irqsave(&sched_lock);
	thread_tls_get(th, (i386_tls_state_t *)state);
	spin_unlock_irqrestore(&sched_lock, f);
	return i386_TLS_STATE_COUNT;
}

/* Sets what the handler answered; false for another flavor, a count not the flavor's or a bad TLS segment. */
static bool
state_set(struct thread *th, thread_state_flavor_t flavor, const natural_t *state, mach_msg_type_number_t count)
{
	i386_tls_state_t tls;
	uint32_t f;

	if (flavor == i386_THREAD_STATE) {	/* in place: a copy costs some 80 instructions */
		if (count != i386_THREAD_STATE_COUNT)
			return false;
		thread_state_set(th, (const i386_thread_state_t *)state);
		return true;
	}
	if (flavor != i386_TLS_STATE || count != i386_TLS_STATE_COUNT)
		return false;
	memcpy(&tls, state, sizeof tls);
	if (thread_tls_check(&tls) != KERN_SUCCESS)
		return false;
	f = spin_lock_irqsave(&sched_lock);
	thread_tls_set(th, &tls);
	spin_unlock_irqrestore(&sched_lock, f);
	return true;
}

/* Builds the request for r's behavior in room; false without memory (nothing taken). */
static bool
build(struct raise *r, struct port *reply, struct kmsg **k)
{
	const mach_msg_type_name_t S = MACH_MSG_TYPE_PORT_SEND, SO = MACH_MSG_TYPE_PORT_SEND_ONCE;

	switch (r->act.behavior) {
	case EXCEPTION_DEFAULT:
		return kreq_exception_raise(k, r->act.port, S, reply, SO, r->tself, r->kself, r->exception,
					    r->code, 2) == KERN_SUCCESS;
	case EXCEPTION_STATE:
		return kreq_exception_raise_state(k, r->act.port, S, reply, SO, r->exception, r->code, 2,
						  r->act.flavor, r->state, r->count) == KERN_SUCCESS;
	default:
		return kreq_exception_raise_state_identity(k, r->act.port, S, reply, SO, r->tself, r->kself,
							   r->exception, r->code, 2, r->act.flavor, r->state,
							   r->count) == KERN_SUCCESS;
	}
}

/*
 * Applies the reply if it says so; returns whether the thread may go on. The
 * answer's flavor is the handler's choice (exc.defs' inout flavor, as in
 * Mach): state_set takes what thread_set_state would and refuses the rest.
 */
static bool
take_reply(struct raise *r, struct kmsg *k)
{
	mach_msg_type_number_t count = ARRAY_SIZE(r->state);
	int32_t flavor;

	/* r->state is the request's, sent already: the answer may overwrite it */
	switch (r->act.behavior) {
	case EXCEPTION_DEFAULT:
		return kreply_exception_raise(k) == KERN_SUCCESS;
	case EXCEPTION_STATE:
		if (kreply_exception_raise_state(k, &flavor, r->state, &count) != KERN_SUCCESS)
			return false;
		break;
	default:
		if (kreply_exception_raise_state_identity(k, &flavor, r->state, &count) != KERN_SUCCESS)
			return false;
	}
	return state_set(r->th, flavor, r->state, count);
}

/*
 * Sends r to the port in tab for its type, if any, and waits for the answer.
 * EXCEPTION_UNHANDLED: no port, a dead one, no memory, or an answer that is
 * not KERN_SUCCESS, for the caller to try the next table.
 */
static enum exception_outcome
raise_to(struct raise *r, struct exc_action *tab)
{
	struct thread *th = r->th;
	struct task *task = th->task;
	struct port *reply, *carried[3];
	struct kmsg_room room;	/* the request, then the answer */
	struct kmsg *k = &room.k;
	enum exception_outcome outcome = EXCEPTION_UNHANDLED;
	bool identity;
	uint32_t f;

	reply = ipc_kernel_reply_port(th);
	if (!reply)
		return EXCEPTION_UNHANDLED;
	f = ipc_begin();
	/* the rights the message will hold, taken while the task's ports are as they are */
	spin_lock_irqoff(&task->itk_lock);
	if (!exc_ports_take_locked(tab, r->exception, &r->act)) {
		spin_unlock_irqoff(&task->itk_lock);
		goto out;
	}
	identity = r->act.behavior != EXCEPTION_STATE;
	r->tself = th->self;
	r->kself = task->self;
	if (!__atomic_load_n(&r->act.port->active, __ATOMIC_RELAXED) || r->act.port->kotype != KOBJ_NONE ||
	    (identity && (!r->tself || !r->kself))) {
		spin_unlock_irqoff(&task->itk_lock);
		exc_ports_release(&r->act.port, 1);
		goto out;
	}
	if (identity) {
		port_copy_send(r->tself);
		port_copy_send(r->kself);
	}
	spin_unlock_irqoff(&task->itk_lock);
	if (r->act.behavior != EXCEPTION_DEFAULT)
		r->count = state_get(th, r->act.flavor, r->state);
	if (!build(r, reply, &k)) {
		carried[0] = r->act.port;	/* no memory for it: as with no handler */
		carried[1] = identity ? r->tself : NULL;
		carried[2] = identity ? r->kself : NULL;
		exc_ports_release(carried, 3);
		goto out;
	}
	port_lock(reply);
	port_ref(reply);
	reply->sorights++;
	port_unlock(reply);
	ipc_kernel_request_send(r->act.port, k, &room);	/* copied to the heap only to be queued */

	k = ipc_kernel_reply_wait(th, reply, &room);
	outcome = EXCEPTION_NO_ANSWER;	/* unless a reply says otherwise */
	if (k) {
		outcome = take_reply(r, k) ? EXCEPTION_HANDLED : EXCEPTION_UNHANDLED;
		ipc_kernel_reply_done(k, &room);
	}
out:
	ipc_end(f);
	return outcome;
}

enum exception_outcome
exception_raise(struct thread *th, int exception, integer_t code0, integer_t code1)
{
	struct raise r;	/* not zeroed: its 32 words of state are written before they are read */
	enum exception_outcome outcome;

	r.th = th;
	r.exception = exception;
	r.code[0] = code0;
	r.code[1] = code1;
	r.count = 0;
	outcome = raise_to(&r, th->exc_actions);

	if (outcome == EXCEPTION_UNHANDLED)
		outcome = raise_to(&r, th->task->exc_actions);
	return outcome;
}
