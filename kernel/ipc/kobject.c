/*
 * Ports that stand for kernel objects: tasks, threads, the host (and the
 * privileged host), memory objects' control ports. The kernel holds their
 * receive rights. A request sent to one is served right after the send, in the
 * sender's thread, with no lock held (kobject_server): this file finds the
 * object, hands the request to the decoder msgc generated from the object's
 * interfaces (build/gen/kernel/NAME_kserver.c, kern/msgc_kernel.h) and sends
 * the reply to the reply port. Every format comes from the same .defs as
 * libmsg's stubs. A malformed request gets MIG_BAD_ARGUMENTS, an unknown id
 * MIG_BAD_ID, a request that arrives after its object died MIG_SERVER_DIED;
 * none of them changes anything.
 */
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/thread_state.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include <mach/mig_errors.h>
#include <mach/task_special_ports.h>
#include <mach/thread_status.h>
#include "msg_private.h"
#include "device_kserver.h"
#include "host_kserver.h"
#include "clock_priv_kserver.h"
#include "mach_port_kserver.h"
#include "task_kserver.h"
#include "thread_kserver.h"
#include "vm_map_kserver.h"

struct port *host_port;		/* [I] */
struct port *host_priv_port;	/* [I] */

struct port *
kobject_port_create(enum kobject_type type, void *object)
{
	struct port *p = port_create();

	if (!p)
		return NULL;
	p->kotype = type;
	p->kobject = object;	/* (port_create's reference is the kernel's: it holds the receive right) */
	return p;
}

/* The object is gone: the port dies, so send rights to it become dead names. */
void
kobject_port_destroy(struct port *p)
{
	port_lock(p);
	p->kobject = NULL;
	port_unlock(p);
	port_destroy_held(p);
}

void
kobject_init(void)
{
	host_port = kobject_port_create(KOBJ_HOST, (void *)1);
	host_priv_port = kobject_port_create(KOBJ_HOST_PRIV, (void *)1);
	calendar_ctrl_port = kobject_port_create(KOBJ_CLOCK_CTRL, (void *)1);
	if (!host_port || !host_priv_port || !calendar_ctrl_port)
		panic("no memory for the host and clock ports");
}

/*
 * Sends a generated decoder's reply (out, on the stack) to the request's reply
 * right, in a kmsg of its own size. Without a reply right, or without memory,
 * the reply's rights and copies are destroyed. No lock held.
 */
static void
send_kreply(struct kmsg *req, struct kmsg *out)
{
	kern_return_t ret;
	struct kmsg *k;
	uint32_t f;

	memcpy(&ret, (uint8_t *)out->msg + sizeof(mach_msg_header_t), sizeof ret);
	if (!(out->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) && ret == MIG_NO_REPLY)
		return;
	if (ipc_fastpath_kernel_answer(req, out))
		return;		/* in the asker's buffer: its receive is done */
	k = kmalloc(sizeof *k + out->size);
	f = ipc_begin();
	if (!k || !req->local || req->local->kotype != KOBJ_NONE) {
		kmsg_release_rights(out);
		ipc_end(f);
		kmsg_free_copies(out);	/* (out itself is the caller's, on its stack) */
		kfree(k);
		return;
	}
	memcpy(k, out, sizeof *k + out->size);
	k->remote = req->local;
	k->remote_type = req->local_type;
	req->local = NULL;
	k->msg->msgh_bits = (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(k->remote_type, 0);
	ipc_deliver(k->remote, k);
	ipc_end(f);
}

/* Whether id is one of the interface's that starts at base (a subsystem holds 100 ids). */
static bool
in_subsystem(mach_msg_id_t id, mach_msg_id_t base)
{
	return id >= base && id < base + 100;
}

/*
 * The interfaces of a task port: mach_port.defs, vm_map.defs, task.defs.
 * Caller holds a reference on t.
 */
static void
serve_task(struct task *t, struct kmsg *k, struct kmsg *out)
{
	mach_msg_id_t id = k->msg->msgh_id;

	if (in_subsystem(id, MACH_PORT_BASE_ID))
		mach_port_kserver(t, k, out);
	else if (in_subsystem(id, VM_MAP_BASE_ID))
		vm_map_kserver(t, k, out);
	else
		task_kserver(t, k, out);	/* MIG_BAD_ID for anything else */
}

/*
 * Serves a request that was sent to a kernel object's port (not a pager's
 * control port, whose requests kobject_server takes apart), and answers it.
 * Called with no lock held; k keeps its rights and memory.
 */
static void
kobject_serve(struct kmsg *k)
{
	union {
		struct kmsg k;
		uint8_t bytes[sizeof(struct kmsg) + KOBJECT_REPLY_MAX];
	} out;
	struct port *dest = k->remote;
	struct task *t = NULL;
	bool dead;
	uint32_t f;

	_Static_assert(MACH_PORT_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "mach_port replies fit");
	_Static_assert(VM_MAP_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "vm_map replies fit");
	_Static_assert(TASK_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "task replies fit");
	_Static_assert(THREAD_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "thread replies fit");
	_Static_assert(HOST_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "host replies fit");
	_Static_assert(DEVICE_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "device replies fit");
	_Static_assert(CLOCK_PRIV_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "clock_priv replies fit");
	memset(&out.k, 0, sizeof out.k);
	f = ipc_begin();
	port_lock(dest);
	dead = !dest->kobject;
	if (!dead && dest->kotype == KOBJ_TASK) {
		t = dest->kobject;
		task_ref(t);
	}
	port_unlock(dest);
	ipc_end(f);
	if (dead) {		/* the object died after the send */
		msgc_prepare_reply(k, &out.k);
		msgc_reply_error(&out.k, MIG_SERVER_DIED);
	} else if (t) {
		serve_task(t, k, &out.k);
		task_unref(t);
	} else if (dest->kotype == KOBJ_THREAD) {
		thread_kserver(dest, k, &out.k);	/* the port: thread_rpc.c finds the thread under the lock */
	} else if (dest->kotype == KOBJ_DEVICE) {
		device_kserver(dest, k, &out.k);	/* kernel/dev/device_rpc.c */
	} else if (dest->kotype == KOBJ_CLOCK_CTRL) {
		clock_priv_kserver(dest, k, &out.k);	/* kern/clock_rpc.c: a clock's name or control port */
	} else {
		host_kserver(dest, k, &out.k);		/* the host port and the privileged one */
	}
	send_kreply(k, &out.k);
}

/* Serves a request sent to a kernel object's port. Called with no lock held; consumes k. */
void
kobject_server(struct kmsg *k)
{
	if (k->remote->kotype == KOBJ_PAGER_CONTROL) {	/* one-way requests: no reply */
		vm_object_control_request(k);
		kmsg_destroy(k);	/* a data_supply's pages the object did not take go unlocked */
		return;
	}
	kobject_serve(k);
	kmsg_destroy(k);	/* what is left of the request: its pages go with no lock held */
}

void
kobject_server_room(struct kmsg_room *room)
{
	struct kmsg *k = &room->k;
	uint32_t f;

	kobject_serve(k);
	f = ipc_begin();
	if (room->borrowed) {	/* a reference, not a right: the sender's entry kept its own */
		port_unref(k->remote);
		k->remote = NULL;
	}
	kmsg_release_rights(k);	/* a simple message: nothing else to free */
	ipc_end(f);
}
