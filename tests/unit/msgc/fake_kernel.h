/*
 * An in-process stand-in for the kernel's mach_msg, for host tests of generated code.
 * A send is checked as the kernel would check it (sizes, header bits, dispositions,
 * complex bit, descriptor count and kinds); the request is then "delivered" to a
 * demultiplexer, the server loop's rules are applied to its reply, and the reply is
 * checked and delivered back. Ports keep their names (one name space); out-of-line
 * memory is copied into fresh regions (ool_table.h).
 */
#ifndef MSGC_FAKE_KERNEL_H
#define MSGC_FAKE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/message.h>

#define FAKE_SERVER_PORT 0x2000u
#define FAKE_REPLY_PORT  0x3000u
#define FAKE_MSG_MAX     65536u

typedef bool (*fake_demux_fn)(mach_msg_header_t *in, mach_msg_header_t *out);
/* Lets a test corrupt a server's reply before the kernel checks and delivers it. */
typedef void (*fake_mutator_fn)(mach_msg_header_t *reply);

struct fake_kernel {
	fake_demux_fn demux;
	fake_mutator_fn mutate_reply;
	const char *seed_dir;		/* if set, requests are written there, not served */
	int seeds_written;
	int requests;			/* messages that passed the send checks */
	int replies;
	mach_msg_return_t server_reply_error;	/* kernel rejected a server's reply */
	int reply_ports_given, reply_ports_dropped;
	int rights_destroyed;
	bool server_hangs;		/* requests are taken but never answered */
	int server_deaths;		/* the next requests are taken by a server that dies:
					 * the kernel's send-once notification comes back */
	mach_msg_option_t last_option;	/* what the last call asked mach_msg to do */
	mach_msg_timeout_t last_timeout;
	uint32_t last_request_size;
	uint8_t last_request[FAKE_MSG_MAX];	/* as the server received it */
};

extern struct fake_kernel fake;

void fake_kernel_reset(fake_demux_fn demux);
/* The send-side checks alone, for tests: MACH_MSG_SUCCESS or the kernel's error. */
mach_msg_return_t fake_check_send(const mach_msg_header_t *m, uint32_t size);

#endif
