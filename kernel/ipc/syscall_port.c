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
 */
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>
#include <kern/thread_state.h>
#include <mach/task_special_ports.h>
#include "syscall_kuser.h"

enum exception_outcome
syscall_port_raise(struct thread *th, bool *had_port)
{
	struct task *task = th->task;
	i386_thread_state_t state;
	mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;
	enum exception_outcome outcome = EXCEPTION_NO_ANSWER;
	struct port *sp, *reply;
	struct kmsg_room room;	/* the request, then the answer */
	struct kmsg *k = &room.k;
	uint32_t f;

	*had_port = __atomic_load_n(&task->special[task_special_slot(TASK_SYSCALL_PORT)], __ATOMIC_RELAXED) != NULL;
	if (!*had_port)
		return EXCEPTION_UNHANDLED;
	reply = ipc_kernel_reply_port(th);
	if (!reply)
		return EXCEPTION_NO_ANSWER;	/* out of memory: the thread ends, not its task */
	thread_state_get(th, &state);
	f = ipc_begin();
	/* again: it may have gone */
	sp = ipc_task_copy_special(task, &task->special[task_special_slot(TASK_SYSCALL_PORT)]);
	if (!sp)
		goto out;
	if (sp->kotype != KOBJ_NONE || !__atomic_load_n(&sp->active, __ATOMIC_RELAXED) ||
	    kreq_syscall_raise(&k, sp, MACH_MSG_TYPE_PORT_SEND, reply, MACH_MSG_TYPE_PORT_SEND_ONCE,
			       (const natural_t *)&state, i386_THREAD_STATE_COUNT) != KERN_SUCCESS) {
		right_destroy_carried(sp, MACH_MSG_TYPE_PORT_SEND);
		goto out;
	}
	port_lock(reply);
	port_ref(reply);
	reply->sorights++;
	port_unlock(reply);
	ipc_kernel_request_send(sp, k, &room);

	k = ipc_kernel_reply_wait(th, reply, &room);
	if (k) {
		if (kreply_syscall_raise(k, (natural_t *)&state, &count) == KERN_SUCCESS &&
		    count == i386_THREAD_STATE_COUNT) {
			thread_state_set(th, &state);
			outcome = EXCEPTION_HANDLED;
		} else {
			outcome = EXCEPTION_UNHANDLED;
		}
		ipc_kernel_reply_done(k, &room);
	}
out:
	ipc_end(f);
	return outcome;
}
