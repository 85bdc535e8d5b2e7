/*
 * libmsg's message helpers for servers and their clients: a request/reply
 * call with a timeout (msg_rpc) and a server loop over a table of msgc
 * demultiplexers (msg_serve). See libmsg/README.md for a whole server.
 */
#ifndef MANIFOLD_MSG_H
#define MANIFOLD_MSG_H

#include <stdbool.h>
#include <mach/mach.h>

/*
 * Sends the request in buf (send_size bytes) to dest with a send-once reply
 * right on the calling thread's reply port (the one msgc's stubs use, so
 * threads never see each other's replies), and waits up to timeout_ms (0: for
 * ever) for the reply, received into buf (buf_size bytes). Returns mach_msg's
 * code; after a receive error such as MACH_RCV_TIMED_OUT that reply port is
 * destroyed (the next call makes a fresh one), so a late reply is dropped.
 */
mach_msg_return_t msg_rpc(mach_port_t dest, mach_msg_header_t *buf, mach_msg_size_t send_size,
			  mach_msg_size_t buf_size, mach_msg_timeout_t timeout_ms);

/* A msgc demultiplexer: NAME_server from NAME_server.h. */
typedef bool (*msg_demux_t)(mach_msg_header_t *in, mach_msg_header_t *out);
/* Called for a message no demux claims (a notification, say); may be NULL. */
typedef void (*msg_other_t)(mach_msg_header_t *in);

/*
 * Serves requests arriving on port (a port or a port set) for ever: each goes
 * to the first demux that knows its id; the reply is sent unless the request
 * was a simpleroutine or the handler said MIG_NO_REPLY; a refused request's
 * rights are released. Returns only if receiving fails.
 */
mach_msg_return_t msg_serve(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other,
			    mach_msg_size_t max_request, mach_msg_size_t max_reply);

/*
 * msg_serve by a pool: the calling thread and nthreads - 1 new cthreads all
 * receive on port, each with its own buffers and reply port, so nthreads
 * requests can be served at once (one may block, say in a call to another
 * server, while others go on). Handlers then run concurrently and must lock
 * what they share (<manifold/cthread.h>). demuxes must outlive the pool
 * (make it static). If threads cannot be made, serves with those it has.
 * Returns when the calling thread's receive fails; the others keep serving.
 */
mach_msg_return_t msg_serve_threads(mach_port_t port, const msg_demux_t *demuxes, int n, msg_other_t other,
				    mach_msg_size_t max_request, mach_msg_size_t max_reply, int nthreads);

#endif
