/*
 * msg_serve and msg_rpc (see <manifold/msg.h>): the loop every server needs,
 * with the rules msgc's generated demultiplexers expect of it.
 */
#include <stdlib.h>
#include <mach/mach.h>
#include <manifold/msg.h>

mach_msg_return_t
msg_rpc(mach_port_t dest, mach_msg_header_t *buf, mach_msg_size_t send_size, mach_msg_size_t buf_size,
	mach_msg_timeout_t timeout_ms)
{
	mach_port_t reply = mach_reply_port();
	mach_msg_return_t mr;

	if (reply == MACH_PORT_NULL)
		return MACH_SEND_NO_BUFFER;
	buf->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			 (buf->msgh_bits & MACH_MSGH_BITS_COMPLEX);
	buf->msgh_remote_port = dest;
	buf->msgh_local_port = reply;
	mr = mach_msg(buf, MACH_SEND_MSG | MACH_RCV_MSG | (timeout_ms ? MACH_RCV_TIMEOUT : 0), send_size, buf_size,
		      reply, timeout_ms, 0);
	mach_port_destroy(mach_task_self(), reply);
	return mr;
}

static bool
is_error_reply(const mach_msg_header_t *out)
{
	return !(out->msgh_bits & MACH_MSGH_BITS_COMPLEX) && out->msgh_size == sizeof(mig_reply_error_t) &&
	       ((const mig_reply_error_t *)out)->RetCode != KERN_SUCCESS;
}

mach_msg_return_t
msg_serve(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other, mach_msg_size_t max_request,
	  mach_msg_size_t max_reply)
{
	mach_msg_size_t in_size = max_request + (mach_msg_size_t)sizeof(mach_msg_max_trailer_t);
	mach_msg_header_t *in = malloc(in_size), *out = malloc(max_reply);

	if (!in || !out)
		return MACH_RCV_TOO_LARGE;
	for (;;) {
		mach_msg_return_t mr = mach_msg(in, MACH_RCV_MSG, 0, in_size, port, 0, 0);
		bool claimed = false;

		if (mr == MACH_RCV_TOO_LARGE)
			continue;	/* destroyed by the kernel: too big to be one of ours */
		if (mr != MACH_MSG_SUCCESS)
			return mr;
		for (int i = 0; i < n && !claimed; i++)
			claimed = demuxes[i](in, out);
		if (!claimed && other) {
			other(in);
			continue;
		}
		/* an unknown id leaves an error reply in out too (MIG_BAD_ID) */
		if (is_error_reply(out)) {
			if (((mig_reply_error_t *)out)->RetCode == MIG_NO_REPLY)
				continue;
			in->msgh_remote_port = MACH_PORT_NULL;	/* the reply right went to out */
			mach_msg_destroy(in);
		}
		if (out->msgh_remote_port != MACH_PORT_NULL)
			mach_msg(out, MACH_SEND_MSG | MACH_SEND_TIMEOUT, out->msgh_size, 0, 0, 0, 0);
	}
}
