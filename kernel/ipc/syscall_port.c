/*
 * Personality system calls: `int 0x80` in a task with a TASK_SYSCALL_PORT
 * becomes syscall_raise (syscall.defs; msgc builds the request and decodes the
 * reply, build/gen/kernel/syscall_kuser.c), sent on the thread's behalf with a
 * reply port only the kernel receives, as an exception is (exception.c). A
 * KERN_SUCCESS answer gives the thread its new registers; an error answer or a
 * malformed one ends the task, as an unhandled exception would; the server's
 * death (the reply right comes back as a send-once notification) or the
 * thread's own termination meanwhile ends only the thread.
 *
 * The registers travel as data and the request carries no right but the reply
 * right, so a call costs two messages and nothing to deallocate: the server
 * knows its caller by the port (one per process). The reply port is the
 * thread's, kept from one call to the next (ipc_kernel_reply_port).
 *
 * A task whose syscall inputs are set (syscall_inputs.c) sends
 * syscall_raise_data instead (syscall_data.defs): with the bytes its table
 * names for the call, copied before any IPC lock is taken, and an answer
 * whose bytes are written into the caller's memory after they are all let go
 * (a page may have to be brought in), before the new registers take effect.
 */
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/thread_state.h>
#include <mach/task_special_ports.h>
#include <kern/syscall_inputs.h>
#include "syscall_data_kuser.h"
#include "syscall_kuser.h"

_Static_assert(SYSCALL_DATA_REQUEST_MAX_SIZE <= KMSG_ROOM_BYTES && SYSCALL_DATA_REPLY_MAX_SIZE <= KMSG_ROOM_BYTES,
	       "a call's request and answer are built in, and answered into, the room on the caller's stack");

/* The answer's registers (and, with data, its bytes for the caller's memory), taken out of k. */
struct syscall_answer {
	i386_thread_state_t state;
	natural_t out_addr, out_fault;
	char out_data[SYSCALL_DATA_MAX];
	mach_msg_type_number_t out_len;
};

static inline __attribute__((always_inline)) bool
take_answer(struct kmsg *k, bool with_data, struct syscall_answer *a)
{
	mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;

	a->out_len = 0;
	if (!with_data)
		return kreply_syscall_raise(k, (natural_t *)&a->state, &count) == KERN_SUCCESS &&
		       count == i386_THREAD_STATE_COUNT;
	a->out_len = SYSCALL_DATA_MAX;
	return kreply_syscall_raise_data(k, (natural_t *)&a->state, &count, &a->out_addr, &a->out_fault,
					 a->out_data, &a->out_len) == KERN_SUCCESS &&
	       count == i386_THREAD_STATE_COUNT;
}

/*
 * The request sent and its answer taken: written once, made twice (with_data
 * a constant in each), so that a task without syscall inputs pays nothing for them.
 */
static inline __attribute__((always_inline)) enum exception_outcome
raise_and_wait(struct thread *th, struct port *reply, struct syscall_answer *a, bool with_data,
	       uint32_t in_addr, const uint8_t *in_data, uint32_t in_len)
{
	struct task *task = th->task;
	struct port **slot = &task->special[task_special_slot(TASK_SYSCALL_PORT)];
	enum exception_outcome outcome = EXCEPTION_NO_ANSWER;
	struct kmsg_room room;	/* the request, then the answer */
	struct kmsg *k = &room.k;
	struct port *sp;
	kern_return_t kr;
	uint32_t f = ipc_begin();

	/* a call without inputs straight into the server waiting for it, if one is */
	if (!with_data && ipc_kernel_special_request_send(task, slot, reply, SYSCALL_RAISE_ID,
							  (const natural_t *)&a->state, i386_THREAD_STATE_COUNT))
		goto wait;
	/* again: it may have gone */
	sp = ipc_task_copy_special(task, slot);
	if (!sp)
		goto out;
	if (sp->kotype != KOBJ_NONE || !__atomic_load_n(&sp->active, __ATOMIC_RELAXED))
		kr = KERN_INVALID_RIGHT;
	else if (with_data)
		kr = kreq_syscall_raise_data(&k, sp, MACH_MSG_TYPE_PORT_SEND, reply, MACH_MSG_TYPE_PORT_SEND_ONCE,
					     (const natural_t *)&a->state, i386_THREAD_STATE_COUNT, in_addr,
					     (const char *)in_data, in_len);
	else
		kr = kreq_syscall_raise(&k, sp, MACH_MSG_TYPE_PORT_SEND, reply, MACH_MSG_TYPE_PORT_SEND_ONCE,
					(const natural_t *)&a->state, i386_THREAD_STATE_COUNT);
	if (kr != KERN_SUCCESS) {
		right_destroy_carried(sp, MACH_MSG_TYPE_PORT_SEND);
		goto out;
	}
	port_lock(reply);
	port_ref(reply);
	reply->sorights++;
	port_unlock(reply);
	ipc_kernel_request_send(sp, k, &room);
wait:
	k = ipc_kernel_reply_wait(th, reply, &room);
	if (k) {
		outcome = take_answer(k, with_data, a) ? EXCEPTION_HANDLED : EXCEPTION_UNHANDLED;
		ipc_kernel_reply_done(k, &room);
	}
out:
	ipc_end(f);
	if (outcome == EXCEPTION_HANDLED) {
		/* the answer's bytes, in our own space now that a fault may wait for its page */
		if (with_data && a->out_len && !syscall_outputs_apply(a->out_addr, a->out_data, a->out_len))
			a->state.eax = a->out_fault;
		thread_state_set(th, &a->state);
	}
	return outcome;
}

enum exception_outcome
syscall_port_raise(struct thread *th, bool *had_port)
{
	struct task *task = th->task;
	struct syscall_answer a;
	uint8_t in_data[SYSCALL_DATA_MAX];
	uint32_t in_addr, in_len;
	struct port *reply;

	*had_port = __atomic_load_n(&task->special[task_special_slot(TASK_SYSCALL_PORT)], __ATOMIC_RELAXED) != NULL;
	if (!*had_port)
		return EXCEPTION_UNHANDLED;
	reply = ipc_kernel_reply_port(th);
	if (!reply)
		return EXCEPTION_NO_ANSWER;	/* out of memory: the thread ends, not its task */
	thread_state_get(th, &a.state);
	/* before any IPC lock: the buffer's pages may have to be brought in */
	if (syscall_inputs_may_name(task, a.state.eax) &&
	    syscall_inputs_gather(task, &a.state, &in_addr, in_data, &in_len))
		return raise_and_wait(th, reply, &a, true, in_addr, in_data, in_len);
	return raise_and_wait(th, reply, &a, false, 0, NULL, 0);
}
