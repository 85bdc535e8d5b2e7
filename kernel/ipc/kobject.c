/*
 * Ports that stand for kernel objects (tasks, threads, the host). The kernel
 * holds their receive right; a message sent to one is served at once, in the
 * sender's context, and the answer goes to the reply port. The task, thread
 * and host RPCs of the IPC issue plug in here; until they do, every request
 * gets a MIG_BAD_ID error reply, so a client learns the routine is missing
 * instead of waiting for ever.
 */
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <mach/mig_errors.h>

struct port *
kobject_port_create(enum kobject_type type, void *object)
{
	struct port *p = port_create();

	if (!p)
		return NULL;
	p->kotype = type;
	p->kobject = object;
	p->refs = 1;		/* the kernel's: it holds the receive right */
	return p;
}

/* The object is gone: the port dies, so send rights to it become dead names. */
void
kobject_port_destroy_locked(struct port *p)
{
	p->kobject = NULL;
	port_destroy_locked(p);
	port_unref_locked(p);
}

/* Answers a request with a bare error reply (mig_reply_error_t). */
static void
reply_error_locked(struct kmsg *req, kern_return_t code)
{
	mig_reply_error_t *r;
	struct kmsg *k;

	if (!req->local)
		return;
	k = kzalloc(sizeof *k + sizeof *r);
	if (!k) {
		right_destroy_carried_locked(req->local, req->local_type);
		req->local = NULL;
		return;
	}
	r = (mig_reply_error_t *)k->msg;
	k->size = sizeof *r;
	k->remote = req->local;
	k->remote_type = req->local_type;
	req->local = NULL;
	r->Head.msgh_bits = MACH_MSGH_BITS(k->remote_type, 0);
	r->Head.msgh_size = sizeof *r;
	r->Head.msgh_id = req->msg->msgh_id + 100;
	r->RetCode = code;
	ipc_deliver_locked(k->remote, k);
}

void
kobject_server_locked(struct port *dest, struct kmsg *k)
{
	reply_error_locked(k, dest->kobject ? MIG_BAD_ID : MIG_SERVER_DIED);
	kmsg_destroy_locked(k);
}
