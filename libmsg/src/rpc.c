/*
 * msg_rpc (see <manifold/msg.h>): one request and its reply on the calling
 * thread's reply port, with a timeout.
 */
#include <mach/mach.h>
#include <manifold/msg.h>
#include <msgc_runtime.h>

mach_msg_return_t
msg_rpc(mach_port_t dest, mach_msg_header_t *buf, mach_msg_size_t send_size, mach_msg_size_t buf_size,
	mach_msg_timeout_t timeout_ms)
{
	mach_port_t reply = mig_get_reply_port();	/* the calling thread's own */
	mach_msg_return_t mr;

	if (reply == MACH_PORT_NULL)
		return MACH_SEND_NO_BUFFER;
	buf->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			 (buf->msgh_bits & MACH_MSGH_BITS_COMPLEX);
	buf->msgh_remote_port = dest;
	buf->msgh_local_port = reply;
	mr = mach_msg(buf, MACH_SEND_MSG | MACH_RCV_MSG | (timeout_ms ? MACH_RCV_TIMEOUT : 0), send_size, buf_size,
		      reply, timeout_ms, 0);
	/* after a timeout the reply may still come: it must not meet the next call */
	if (MACH_MSG_RCV_ERROR(mr))
		mig_dealloc_reply_port(reply);
	return mr;
}
