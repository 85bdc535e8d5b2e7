/*
 * libFuzzer target: random requests into the demultiplexer generated from kinds.defs.
 * Each input is delivered as the kernel would deliver it (msgh_size set to the bytes
 * received, out-of-line descriptors pointing at real memory of their declared size);
 * whatever the bytes, the demux must stay inside the message, answer with a reply no
 * larger than KINDS_REPLY_MAX_SIZE, and never call a handler on a rejected request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <msgc_runtime.h>
#include "kinds_handlers.h"
#include "ool_table.h"

#define MAX_INPUT (KINDS_REQUEST_MAX_SIZE + 64)
#define MAX_OOL_BYTES 65536u

/* The handlers (kinds_handlers.c) ool_alloc and ool_free like real servers. */

static void
deliver_memory(mach_msg_header_t *m)
{
	mach_msg_body_t body;
	uint32_t n;

	if (!(m->msgh_bits & MACH_MSGH_BITS_COMPLEX) || m->msgh_size < 28)
		return;
	memcpy(&body, m + 1, sizeof(body));
	n = body.msgh_descriptor_count;
	if (n > (m->msgh_size - 28) / 12)
		n = (m->msgh_size - 28) / 12;
	for (uint32_t i = 0; i < n; i++) {
		mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)((uint8_t *)m + 28) + i;

		if (d->type.type == MACH_MSG_PORT_DESCRIPTOR) {
			/* Seeds carry what a sender writes; a receiver sees the right it got. */
			uint8_t *disp = &d->port.disposition;

			if (*disp == MACH_MSG_TYPE_COPY_SEND || *disp == MACH_MSG_TYPE_MAKE_SEND)
				*disp = MACH_MSG_TYPE_PORT_SEND;
			else if (*disp == MACH_MSG_TYPE_MAKE_SEND_ONCE)
				*disp = MACH_MSG_TYPE_PORT_SEND_ONCE;
			continue;
		}
		if (d->type.type != MACH_MSG_OOL_DESCRIPTOR)
			continue;
		if (d->out_of_line.size > MAX_OOL_BYTES)
			d->out_of_line.size = MAX_OOL_BYTES;	/* the kernel would map it all */
		if (d->out_of_line.size != 0) {
			void *p = ool_alloc(d->out_of_line.size);

			memset(p, 0xa5, d->out_of_line.size);
			d->out_of_line.address = msgc_ool_address(p);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union {
		mach_msg_header_t head;
		uint8_t bytes[MAX_INPUT];
	} in;
	static union {
		mach_msg_header_t head;
		uint8_t bytes[KINDS_REPLY_MAX_SIZE];
	} out;
	kern_return_t ret = KERN_SUCCESS;
	bool known;

	size &= ~(size_t)3;	/* the kernel only carries whole words */
	if (size < sizeof(mach_msg_header_t) || size > sizeof(in.bytes))
		return 0;
	memcpy(in.bytes, data, size);
	in.head.msgh_size = (mach_msg_size_t)size;
	deliver_memory(&in.head);
	memset(&kinds_state, 0, sizeof(kinds_state));
	kinds_state.fail_with = in.head.msgh_reserved == 1 ? KERN_FAILURE : KERN_SUCCESS;

	known = kinds_server(&in.head, &out.head);
	if (out.head.msgh_size > sizeof(out.bytes) || out.head.msgh_id != (mach_msg_id_t)((uint32_t)in.head.msgh_id + 100))
		abort();
	if (!(out.head.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		memcpy(&ret, out.bytes + sizeof(mach_msg_header_t), sizeof(ret));
	if (!known && (ret != MIG_BAD_ID || kinds_state.calls != 0))
		abort();
	if ((ret == MIG_BAD_ARGUMENTS || ret == MIG_BAD_ID) && kinds_state.calls != 0)
		abort();
	ool_free_all();
	return 0;
}
