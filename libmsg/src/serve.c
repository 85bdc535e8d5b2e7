/*
 * msg_serve, msg_serve_threads and msg_rpc (see <manifold/msg.h>): the loop
 * every server needs, with the rules msgc's generated demultiplexers expect
 * of it, run by one thread or by a pool of cthreads.
 */
#include <stdlib.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
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

static bool
is_error_reply(const mach_msg_header_t *out)
{
	return !(out->msgh_bits & MACH_MSGH_BITS_COMPLEX) && out->msgh_size == sizeof(mig_reply_error_t) &&
	       ((const mig_reply_error_t *)out)->RetCode != KERN_SUCCESS;
}

/* What every thread of a pool serves, with buffers of its own. */
struct serve_args {
	mach_port_t port;
	const msg_demux_t *demuxes;
	int n;
	msg_other_t other;
	mach_msg_size_t max_request, max_reply;
};

static mach_msg_return_t
serve_loop(const struct serve_args *a)
{
	mach_msg_size_t in_size = a->max_request + (mach_msg_size_t)sizeof(mach_msg_max_trailer_t);
	mach_msg_header_t *in = malloc(in_size), *out = malloc(a->max_reply);
	const msg_demux_t *demuxes = a->demuxes;
	mach_port_t port = a->port;
	msg_other_t other = a->other;
	int n = a->n;

	if (!in || !out) {
		free(in);
		free(out);
		return MACH_RCV_TOO_LARGE;
	}
	for (;;) {
		mach_msg_return_t mr = mach_msg(in, MACH_RCV_MSG, 0, in_size, port, 0, 0);
		bool claimed = false;

		if (mr == MACH_RCV_TOO_LARGE)
			continue;	/* destroyed by the kernel: too big to be one of ours */
		if (mr != MACH_MSG_SUCCESS) {
			free(in);
			free(out);
			return mr;
		}
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

static void *
pool_thread(void *arg)
{
	return (void *)(uintptr_t)serve_loop(arg);
}

/*
 * The other nthreads - 1 threads are never joined, and a (shared, read-only)
 * is never freed: the pool serves until a receive fails, and the caller's
 * return from here is normally followed by the task's exit, which ends them.
 */
mach_msg_return_t
msg_serve_threads(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other,
		  mach_msg_size_t max_request, mach_msg_size_t max_reply, int nthreads)
{
	struct serve_args *a = malloc(sizeof *a);

	if (!a)
		return MACH_RCV_TOO_LARGE;
	*a = (struct serve_args){ port, demuxes, n, other, max_request, max_reply };
	for (int i = 1; i < nthreads; i++) {
		cthread_t t;
		if (cthread_fork(&t, pool_thread, a) != KERN_SUCCESS)
			break;	/* serve with the threads we have */
	}
	return serve_loop(a);
}

mach_msg_return_t
msg_serve(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other, mach_msg_size_t max_request,
	  mach_msg_size_t max_reply)
{
	struct serve_args a = { port, demuxes, n, other, max_request, max_reply };

	return serve_loop(&a);
}
