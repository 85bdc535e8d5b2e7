/*
 * What msgc's generated stubs need from the runtime (libmsg/include/msgc_runtime.h):
 * a reply port to wait on, and destroying a message nobody will use.
 */
#include <mach/mach.h>
#include <msgc_runtime.h>
#include "cthread_block.h"

/*
 * Each cthread has its own reply port, made on first use, so that two threads'
 * calls never take each other's replies; cthread_join destroys it. Threads
 * made with raw thread_create share main()'s (and must not call at once).
 */
static mach_port_t *
reply_port_slot(void)
{
	struct cthread *t = cthread_current();

	return t ? &t->reply_port : cthread_foreign_reply_port;
}

mach_port_t
mig_get_reply_port(void)
{
	mach_port_t *slot = reply_port_slot();

	if (*slot == MACH_PORT_NULL)
		*slot = mach_reply_port();
	return *slot;
}

/* A late reply could still arrive on the old port: use a fresh one next time. */
void
mig_dealloc_reply_port(mach_port_t port)
{
	mach_port_t *slot = reply_port_slot();

	if (port == *slot && port != MACH_PORT_NULL) {
		*slot = MACH_PORT_NULL;	/* first: the destroy is an RPC that needs a reply port */
		mach_port_destroy(mach_task_self(), port);
	}
}

/* Gives up one right of a received message, as it was carried. */
static void
release_right(mach_port_t self, mach_port_t name, mach_msg_type_name_t disposition)
{
	if (!MACH_PORT_VALID(name))
		return;
	if (disposition == MACH_MSG_TYPE_PORT_RECEIVE)
		mach_port_mod_refs(self, name, MACH_PORT_RIGHT_RECEIVE, -1);
	else
		mach_port_deallocate(self, name);	/* a send or send-once right */
}

/*
 * Releases everything a received message carries, as Mach's mach_msg_destroy
 * does: its reply right, the rights of its port descriptors and port arrays,
 * and the memory of its out-of-line regions and port arrays. The message must
 * be one the kernel delivered (its descriptors are then well formed).
 */
void
mach_msg_destroy(mach_msg_header_t *msg)
{
	mach_port_t self = mach_task_self();

	if (MACH_PORT_VALID(msg->msgh_remote_port))
		mach_port_deallocate(self, msg->msgh_remote_port);
	if (!(msg->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return;
	mach_msg_body_t *body = (mach_msg_body_t *)(msg + 1);
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);
	for (mach_msg_size_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
		switch (d->type.type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			release_right(self, d->port.name, d->port.disposition);
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
		case MACH_MSG_OOL_VOLATILE_DESCRIPTOR:
			if (d->out_of_line.address && d->out_of_line.size)
				vm_deallocate(self, d->out_of_line.address, d->out_of_line.size);
			break;
		case MACH_MSG_OOL_PORTS_DESCRIPTOR:
			if (!d->ool_ports.address || !d->ool_ports.count)
				break;
			for (mach_msg_size_t j = 0; j < d->ool_ports.count; j++)
				release_right(self, ((mach_port_t *)d->ool_ports.address)[j], d->ool_ports.disposition);
			vm_deallocate(self, d->ool_ports.address, d->ool_ports.count * sizeof(mach_port_t));
			break;
		}
	}
}
