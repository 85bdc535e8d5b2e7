/*
 * The fake mach_msg of fake_kernel.h, and the other runtime hooks generated stubs
 * call (mig_get_reply_port, mig_dealloc_reply_port, mach_msg_destroy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <msgc_runtime.h>
#include "fake_kernel.h"
#include "ool_table.h"

struct fake_kernel fake;

void
fake_kernel_reset(fake_demux_fn demux)
{
	memset(&fake, 0, offsetof(struct fake_kernel, last_request));
	fake.demux = demux;
}

mach_port_t
mig_get_reply_port(void)
{
	fake.reply_ports_given++;
	return FAKE_REPLY_PORT;
}

void
mig_dealloc_reply_port(mach_port_t reply_port)
{
	(void)reply_port;
	fake.reply_ports_dropped++;
}

static bool
descriptors_fit(const mach_msg_header_t *m, uint32_t size, uint32_t *count)
{
	mach_msg_body_t body;

	if (!(m->msgh_bits & MACH_MSGH_BITS_COMPLEX)) {
		*count = 0;
		return true;
	}
	if (size < sizeof(*m) + sizeof(body))
		return false;
	memcpy(&body, m + 1, sizeof(body));
	*count = body.msgh_descriptor_count;
	return *count <= (size - sizeof(*m) - sizeof(body)) / sizeof(mach_msg_descriptor_t);
}

static mach_msg_descriptor_t *
descriptor(mach_msg_header_t *m, uint32_t i)
{
	return (mach_msg_descriptor_t *)((uint8_t *)m + sizeof(*m) + sizeof(mach_msg_body_t)) + i;
}

void
mach_msg_destroy(mach_msg_header_t *m)
{
	uint32_t n;

	if (!descriptors_fit(m, m->msgh_size, &n))
		return;
	if (MACH_PORT_VALID(m->msgh_remote_port))
		fake.rights_destroyed++;
	for (uint32_t i = 0; i < n; i++) {
		mach_msg_descriptor_t *d = descriptor(m, i);

		if (d->type.type == MACH_MSG_PORT_DESCRIPTOR)
			fake.rights_destroyed++;
		else if (d->type.type == MACH_MSG_OOL_DESCRIPTOR)
			ool_free(ool_lookup(d->out_of_line.address));
	}
}

static bool
is_send_disposition(uint32_t d)
{
	return d >= MACH_MSG_TYPE_MOVE_SEND && d <= MACH_MSG_TYPE_MAKE_SEND_ONCE;
}

mach_msg_return_t
fake_check_send(const mach_msg_header_t *m, uint32_t size)
{
	uint32_t remote = MACH_MSGH_BITS_REMOTE(m->msgh_bits);
	uint32_t local = MACH_MSGH_BITS_LOCAL(m->msgh_bits);
	uint32_t n;

	if (size < sizeof(*m) || size % 4 != 0)
		return MACH_SEND_MSG_TOO_SMALL;
	if (size > FAKE_MSG_MAX)
		return MACH_SEND_TOO_LARGE;
	if ((m->msgh_bits & ~MACH_MSGH_BITS_USED) != 0 || !is_send_disposition(remote))
		return MACH_SEND_INVALID_HEADER;
	if (!MACH_PORT_VALID(m->msgh_remote_port))
		return MACH_SEND_INVALID_DEST;
	if ((m->msgh_local_port == MACH_PORT_NULL) != (local == 0) ||
	    (local != 0 && !is_send_disposition(local)))
		return MACH_SEND_INVALID_REPLY;
	if (!descriptors_fit(m, size, &n))
		return MACH_SEND_MSG_TOO_SMALL;
	for (uint32_t i = 0; i < n; i++) {
		mach_msg_descriptor_t d = *descriptor((mach_msg_header_t *)m, i);

		switch (d.type.type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			if (!MACH_MSG_TYPE_PORT_ANY(d.port.disposition) || d.port.pad1 || d.port.pad2)
				return MACH_SEND_INVALID_TYPE;
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
			if (d.out_of_line.pad1 || d.out_of_line.copy > MACH_MSG_ALLOCATE)
				return MACH_SEND_INVALID_TYPE;
			if (d.out_of_line.size != 0 && ool_lookup(d.out_of_line.address) == NULL)
				return MACH_SEND_INVALID_MEMORY;
			break;
		default:
			return MACH_SEND_INVALID_TYPE;
		}
	}
	return MACH_MSG_SUCCESS;
}

static uint32_t
received_right(uint32_t disposition)
{
	switch (disposition) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	case 0:
		return 0;
	default:
		return MACH_MSG_TYPE_PORT_SEND;
	}
}

/*
 * Copies a checked message to a receiver's buffer as the kernel delivers it: ports
 * swapped, dispositions turned into received rights, out-of-line memory copied into
 * fresh regions (and released from the sender when it asked), a trailer appended.
 */
static void
deliver(const mach_msg_header_t *m, uint32_t size, mach_msg_header_t *to)
{
	uint32_t n, remote = MACH_MSGH_BITS_REMOTE(m->msgh_bits);
	uint32_t local = MACH_MSGH_BITS_LOCAL(m->msgh_bits);
	mach_msg_trailer_t trailer = { MACH_MSG_TRAILER_FORMAT_0, sizeof(trailer) };

	memcpy(to, m, size);
	to->msgh_size = size;
	to->msgh_remote_port = m->msgh_local_port;
	to->msgh_local_port = m->msgh_remote_port;
	to->msgh_bits = MACH_MSGH_BITS(received_right(local), received_right(remote)) |
	    (m->msgh_bits & MACH_MSGH_BITS_COMPLEX);
	descriptors_fit(m, size, &n);
	for (uint32_t i = 0; i < n; i++) {
		mach_msg_descriptor_t *d = descriptor(to, i);

		if (d->type.type == MACH_MSG_PORT_DESCRIPTOR) {
			d->port.disposition = (uint8_t)received_right(d->port.disposition);
		} else {
			void *from = ool_lookup(d->out_of_line.address);
			void *copy = NULL;

			/* An empty region's address means nothing, as in the kernel. */
			if (d->out_of_line.size != 0) {
				copy = ool_alloc(d->out_of_line.size);
				memcpy(copy, from, d->out_of_line.size);
				if (d->out_of_line.deallocate)
					ool_free(from);
			}
			d->out_of_line.address = copy ? msgc_ool_address(copy) : 0;
			d->out_of_line.deallocate = 0;
		}
	}
	ool_forget_borrowed();
	memcpy((uint8_t *)to + size, &trailer, sizeof(trailer));
}

static bool
is_error_reply(const mach_msg_header_t *m, kern_return_t *ret)
{
	if (m->msgh_bits & MACH_MSGH_BITS_COMPLEX || m->msgh_size < sizeof(mig_reply_error_t))
		return false;
	memcpy(ret, m + 1, sizeof(*ret));
	return *ret != KERN_SUCCESS;
}

static void
write_seed(const mach_msg_header_t *m, uint32_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/request-%d", fake.seed_dir, fake.seeds_written++);
	f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(m, 1, size, f);
		fclose(f);
	}
}

mach_msg_return_t
mach_msg(mach_msg_header_t *msg, mach_msg_option_t option, mach_msg_size_t send_size,
    mach_msg_size_t rcv_size, mach_port_t rcv_name, mach_msg_timeout_t timeout,
    mach_port_t notify)
{
	static union {
		mach_msg_header_t head;
		uint8_t bytes[FAKE_MSG_MAX + MAX_TRAILER_SIZE];
	} in, out;
	mach_msg_return_t mr;
	kern_return_t ret;
	mach_msg_option_t timeouts = option & (MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT);
	bool rpc = (option & ~timeouts) == (MACH_SEND_MSG | MACH_RCV_MSG);

	(void)notify;
	fake.last_option = option;
	fake.last_timeout = timeout;
	if ((option & ~timeouts) != MACH_SEND_MSG && !rpc)
		return MACH_SEND_INVALID_HEADER;	/* the stubs use nothing else */
	if ((timeouts & MACH_RCV_TIMEOUT) && !rpc)
		return MACH_SEND_INVALID_HEADER;
	if (rpc && rcv_name != msg->msgh_local_port)
		return MACH_RCV_INVALID_NAME;
	mr = fake_check_send(msg, send_size);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	fake.requests++;
	if (fake.seed_dir != NULL) {
		write_seed(msg, send_size);
		ool_forget_borrowed();
		return MACH_SEND_INVALID_DEST;
	}
	deliver(msg, send_size, &in.head);
	fake.last_request_size = send_size;
	memcpy(fake.last_request, &in, send_size);
	if (fake.server_hangs) {
		mach_msg_destroy(&in.head);	/* still queued as far as the client knows */
		if (rpc && !(timeouts & MACH_RCV_TIMEOUT))
			abort();		/* the client would wait for ever */
		return rpc ? MACH_RCV_TIMED_OUT : MACH_MSG_SUCCESS;
	}

	if (fake.server_deaths > 0 && rpc) {
		/* the server dies holding the request: its reply right becomes a notification */
		fake.server_deaths--;
		mach_msg_destroy(&in.head);
		memset(&out.head, 0, sizeof(out.head));
		out.head.msgh_bits = MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE);
		out.head.msgh_size = sizeof(out.head);
		out.head.msgh_local_port = msg->msgh_local_port;
		out.head.msgh_id = 0107;	/* MACH_NOTIFY_SEND_ONCE */
		deliver(&out.head, out.head.msgh_size, msg);
		return MACH_MSG_SUCCESS;
	}

	/* The server loop: serve, destroy a failed request, reply unless told not to. */
	fake.demux(&in.head, &out.head);
	if (is_error_reply(&out.head, &ret) && ret != MIG_NO_REPLY)
		mach_msg_destroy(&in.head);
	if (out.head.msgh_remote_port == MACH_PORT_NULL ||
	    (is_error_reply(&out.head, &ret) && ret == MIG_NO_REPLY))
		return rpc ? MACH_RCV_TIMED_OUT : MACH_MSG_SUCCESS;
	if (!rpc)
		return MACH_MSG_SUCCESS;	/* a reply to nobody: the kernel drops it */
	if (fake.mutate_reply != NULL)
		fake.mutate_reply(&out.head);
	mr = fake_check_send(&out.head, out.head.msgh_size);
	if (mr != MACH_MSG_SUCCESS) {
		fake.server_reply_error = mr;
		mach_msg_destroy(&out.head);
		return MACH_RCV_TIMED_OUT;
	}
	if (out.head.msgh_size + sizeof(mach_msg_trailer_t) > rcv_size) {
		mach_msg_destroy(&out.head);
		return MACH_RCV_TOO_LARGE;
	}
	fake.replies++;
	deliver(&out.head, out.head.msgh_size, msg);
	return MACH_MSG_SUCCESS;
}
