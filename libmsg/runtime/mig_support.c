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

/* Releases the rights a received message carries (its reply right and port descriptors). */
void
mach_msg_destroy(mach_msg_header_t *msg)
{
	mach_port_t self = mach_task_self();

	if (MACH_PORT_VALID(msg->msgh_remote_port))
		mach_port_deallocate(self, msg->msgh_remote_port);
	if (msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) {
		mach_msg_body_t *body = (mach_msg_body_t *)(msg + 1);
		mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);
		for (mach_msg_size_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
			if (d->type.type != MACH_MSG_PORT_DESCRIPTOR || !MACH_PORT_VALID(d->port.name))
				continue;
			if (d->port.disposition == MACH_MSG_TYPE_PORT_RECEIVE)
				mach_port_mod_refs(self, d->port.name, MACH_PORT_RIGHT_RECEIVE, -1);
			else
				mach_port_deallocate(self, d->port.name);
		}
	}
}
