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
 * right on a fresh reply port, and waits up to timeout_ms (0: for ever) for
 * the reply, received into buf (buf_size bytes). Returns mach_msg's code;
 * on MACH_RCV_TIMED_OUT the reply port is gone, so a late reply is dropped.
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

#endif
