/*
 * task_threads: the one task RPC whose reply carries an out-of-line array of
 * ports, which msgc does not generate; written here in msgc's layout (request:
 * a bare header; reply: header, body, one out-of-line ports descriptor).
 */
#include <mach/mach.h>
#include <msgc_runtime.h>

#define TASK_THREADS_ID (TASK_BASE_ID + 2)

kern_return_t
task_threads(task_t task, thread_act_array_t *list, mach_msg_type_number_t *count)
{
	union {
		mach_msg_header_t h;
		mig_reply_error_t err;
		struct {
			mach_msg_header_t h;
			mach_msg_body_t body;
			mach_msg_ool_ports_descriptor_t threads;
			mach_msg_trailer_t trailer;
		} ok;
	} m;
	mach_port_t reply = mig_get_reply_port();
	mach_msg_return_t mr;

	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = task;
	m.h.msgh_local_port = reply;
	m.h.msgh_reserved = 0;
	m.h.msgh_id = TASK_THREADS_ID;
	mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m.h, sizeof m, reply, 0, 0);
	if (mr != MACH_MSG_SUCCESS) {
		if (mr != MACH_SEND_INVALID_DEST)
			mig_dealloc_reply_port(reply);
		return mr;
	}
	if (m.h.msgh_id != TASK_THREADS_ID + 100) {
		mach_msg_destroy(&m.h);
		return MIG_REPLY_MISMATCH;
	}
	if (!(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return m.h.msgh_size == sizeof m.err && m.err.RetCode != KERN_SUCCESS ? m.err.RetCode : MIG_TYPE_ERROR;
	if (m.ok.body.msgh_descriptor_count != 1 || m.ok.threads.type != MACH_MSG_OOL_PORTS_DESCRIPTOR ||
	    m.ok.threads.disposition != MACH_MSG_TYPE_PORT_SEND) {
		mach_msg_destroy(&m.h);
		return MIG_TYPE_ERROR;
	}
	*list = (thread_act_array_t)(uintptr_t)m.ok.threads.address;
	*count = m.ok.threads.count;
	return KERN_SUCCESS;
}
