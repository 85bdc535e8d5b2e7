/*
 * Ports that stand for kernel objects: tasks, threads and the host. The kernel
 * holds their receive rights. A request sent to one is served right after the
 * send, in the sender's thread, without sched_lock (kobject_server), and the
 * answer goes to the reply port. Requests and replies have the layout msgc gives
 * task.defs, thread.defs and host.defs (see tools/msgc/README.md), so libmsg's
 * generated stubs talk to this file. A malformed request gets MIG_BAD_ARGUMENTS,
 * an unknown id MIG_BAD_ID; neither changes anything.
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
#include "task_types.h"
#include "thread_types.h"
#include "host_types.h"
#include "mach_port_kserver.h"
#include "vm_map_kserver.h"

#define HDR	((uint32_t)sizeof(mach_msg_header_t))
#define MAX_OUT	32

struct port *host_port;		/* [I] */
struct port *host_priv_port;	/* [I] */

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

void
kobject_init(void)
{
	host_port = kobject_port_create(KOBJ_HOST, (void *)1);
	host_priv_port = kobject_port_create(KOBJ_HOST_PRIV, (void *)1);
	if (!host_port || !host_priv_port)
		panic("no memory for the host ports");
}

/* What a handler gives back: a status, inline words, and at most one port right. */
struct reply {
	kern_return_t code;
	uint32_t words[MAX_OUT + 1];
	uint32_t nwords;
	struct port *port;		/* with a reference and a send right (PORT_SEND) */
	bool null_port;			/* the routine returns a port, MACH_PORT_NULL this time */
	struct task *gone_task;		/* thread_terminate: the thread's task (a reference) */
	uint32_t gone_thread;		/* and its number: the reply waits until the thread is gone */
};

/* Sends the reply (or an error reply) to the request's reply right. Takes sched_lock. */
static void
send_reply(struct kmsg *req, struct reply *r)
{
	bool complex = r->code == KERN_SUCCESS && (r->port || r->null_port);
	uint32_t size = HDR + (complex ? 4 + (uint32_t)sizeof(mach_msg_port_descriptor_t) : 4) + r->nwords * 4;
	struct kmsg *k;
	uint32_t f;

	if (r->code == MIG_NO_REPLY)
		return;
	if (r->code != KERN_SUCCESS)
		size = sizeof(mig_reply_error_t);
	f = spin_lock_irqsave(&sched_lock);
	if (!req->local || req->local->kotype != KOBJ_NONE || !(k = kzalloc(sizeof *k + size))) {
		if (r->port)
			right_destroy_carried_locked(r->port, MACH_MSG_TYPE_PORT_SEND);
		spin_unlock_irqrestore(&sched_lock, f);
		return;
	}
	k->size = size;
	k->remote = req->local;
	k->remote_type = req->local_type;
	req->local = NULL;
	k->msg->msgh_bits = MACH_MSGH_BITS(k->remote_type, 0) | (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	k->msg->msgh_size = size;
	k->msg->msgh_id = req->msg->msgh_id + 100;
	if (complex) {
		uint32_t *w = (uint32_t *)(k->msg + 1);
		mach_msg_port_descriptor_t *d = (mach_msg_port_descriptor_t *)(w + 1);
		w[0] = 1;
		d->name = (mach_port_name_t)(uintptr_t)r->port;
		d->disposition = MACH_MSG_TYPE_PORT_SEND;
		d->type = MACH_MSG_PORT_DESCRIPTOR;
		memcpy(d + 1, r->words, r->nwords * 4);
	} else {
		uint32_t *w = (uint32_t *)(k->msg + 1);
		w[0] = (uint32_t)r->code;
		if (r->code == KERN_SUCCESS)
			memcpy(w + 1, r->words, r->nwords * 4);
		else if (r->port)
			right_destroy_carried_locked(r->port, MACH_MSG_TYPE_PORT_SEND);
	}
	ipc_deliver_locked(k->remote, k);
	spin_unlock_irqrestore(&sched_lock, f);
}

/* The inline words of a simple request, checked to be exactly n. */
static const uint32_t *
simple_args(struct kmsg *k, uint32_t n)
{
	if ((k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) || k->size != HDR + n * 4)
		return NULL;
	return (const uint32_t *)(k->msg + 1);
}

/*
 * The request `header | body | one port descriptor | n words`: takes the port
 * right out of the message (NULL for MACH_PORT_NULL or a dead name) and points
 * *words at the words. On a bad layout returns NULL with *words = NULL.
 * Caller holds sched_lock.
 */
static struct port *
port_and_words(struct kmsg *k, uint32_t n, const uint32_t **words)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	mach_msg_port_descriptor_t *d = (mach_msg_port_descriptor_t *)(body + 1);
	struct port *p;

	*words = NULL;
	if (!(k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) || k->size != HDR + 4 + sizeof *d + n * 4 ||
	    body->msgh_descriptor_count != 1 || d->type != MACH_MSG_PORT_DESCRIPTOR ||
	    (d->name && d->name != MACH_PORT_DEAD && d->disposition != MACH_MSG_TYPE_PORT_SEND))
		return NULL;
	*words = (const uint32_t *)(d + 1);
	p = (d->name == MACH_PORT_NULL || d->name == MACH_PORT_DEAD) ? NULL : (struct port *)(uintptr_t)d->name;
	d->name = MACH_PORT_NULL;	/* the caller keeps the right the message carried */
	return p;
}

/* port_and_words for one word: *word = ~0 on a bad layout. */
static struct port *
one_port_arg(struct kmsg *k, uint32_t *word)
{
	const uint32_t *w;
	struct port *p = port_and_words(k, 1, &w);

	*word = w ? w[0] : ~0u;
	return p;
}

/* A send right to p for a reply: one more send right and reference. Caller holds sched_lock. */
static struct port *
send_right_locked(struct port *p)
{
	p->refs++;
	p->srights++;
	return p;
}

static void
out_words(struct reply *r, const void *data, uint32_t count)
{
	r->words[0] = count;
	memcpy(&r->words[1], data, count * 4);
	r->nwords = count + 1;
}

static void
time_of(uint64_t ticks, time_value_t *tv)
{
	tv->seconds = (integer_t)(ticks / HZ);
	tv->microseconds = (integer_t)(ticks % HZ * (1000000 / HZ));
}

/* task_threads has no msgc stub (msgc has no port arrays): its id is the skip in task.defs. */
#define TASK_THREADS_ID (TASK_BASE_ID + 2)

/*
 * Replies to task_threads with an out-of-line array of send rights to the
 * task's thread ports (the layout a MIG-style stub expects: header, body, one
 * out-of-line ports descriptor). Returns false if there is no memory.
 */
static bool
reply_threads(struct task *t, struct kmsg *req)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_ool_ports_descriptor_t threads;
	} *m;
	struct port **a;
	struct kmsg *k;
	struct list *l;
	uint32_t n = 0, cap, f;

	f = spin_lock_irqsave(&sched_lock);
	list_for_each(l, &t->threads)
		n++;
	spin_unlock_irqrestore(&sched_lock, f);
	cap = n + 4;	/* room for threads created while we allocate */
	a = kzalloc(cap * sizeof *a);
	k = kzalloc(sizeof *k + sizeof *m);
	if (!a || !k) {
		kfree(a);
		kfree(k);
		return false;
	}
	f = spin_lock_irqsave(&sched_lock);
	n = 0;
	list_for_each(l, &t->threads) {
		struct thread *th = list_entry(l, struct thread, task_link);
		if (th->self && n < cap)
			a[n++] = send_right_locked(th->self);
	}
	if (n == 0) {		/* no threads: an empty array, no memory */
		kfree(a);
		a = NULL;
	}
	if (!req->local || req->local->kotype != KOBJ_NONE) {
		for (uint32_t j = 0; j < n; j++)
			right_destroy_carried_locked(a[j], MACH_MSG_TYPE_PORT_SEND);
		spin_unlock_irqrestore(&sched_lock, f);
		kfree(a);
		kfree(k);
		return true;
	}
	m = (void *)k->msg;
	k->size = sizeof *m;
	k->remote = req->local;
	k->remote_type = req->local_type;
	req->local = NULL;
	m->h.msgh_bits = MACH_MSGH_BITS(k->remote_type, 0) | MACH_MSGH_BITS_COMPLEX;
	m->h.msgh_size = sizeof *m;
	m->h.msgh_id = TASK_THREADS_ID + 100;
	m->body.msgh_descriptor_count = 1;
	m->threads.address = (vm_address_t)(uintptr_t)a;
	m->threads.count = n;
	m->threads.copy = MACH_MSG_PHYSICAL_COPY;
	m->threads.disposition = MACH_MSG_TYPE_PORT_SEND;
	m->threads.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	k->kcopies = a ? 1 : 0;
	ipc_deliver_locked(k->remote, k);
	spin_unlock_irqrestore(&sched_lock, f);
	return true;
}

static void
serve_task(struct task *t, struct kmsg *k, struct reply *r)
{
	const uint32_t *a;
	uint32_t f;

	switch (k->msg->msgh_id) {
	case TASK_CREATE_ID: {
		struct task *child;
		if (!(a = simple_args(k, 1)))
			goto bad;
		if (task_create(t->name, &child) < 0) {
			r->code = KERN_RESOURCE_SHORTAGE;
			return;
		}
		if (a[0] && vm_map_fork(t, child) != KERN_SUCCESS) {	/* fork's memory */
			task_terminate(child, TASK_KILLED, 0);
			task_unref(child);
			r->code = KERN_RESOURCE_SHORTAGE;
			return;
		}
		ipc_task_inherit(child, t);
		f = spin_lock_irqsave(&sched_lock);
		r->port = send_right_locked(child->self);
		spin_unlock_irqrestore(&sched_lock, f);
		task_unref(child);	/* it lives until task_terminate, as a Mach task does */
		return;
	}
	case TASK_THREADS_ID:
		if (!simple_args(k, 0))
			goto bad;
		if (reply_threads(t, k))
			r->code = MIG_NO_REPLY;	/* answered already */
		else
			r->code = KERN_RESOURCE_SHORTAGE;
		return;
	case TASK_TERMINATE_ID:
		if (!simple_args(k, 0))
			goto bad;
		task_terminate(t, TASK_KILLED, 0);
		if (t != curtask())	/* a task ending itself is gone on the way out */
			task_wait(t, 0);
		return;
	case TASK_INFO_ID: {
		task_basic_info_data_t info;
		uint64_t ticks = 0;
		struct list *l;
		if (!(a = simple_args(k, 1)))
			goto bad;
		if (a[0] != TASK_BASIC_INFO) {
			r->code = KERN_INVALID_ARGUMENT;
			return;
		}
		memset(&info, 0, sizeof info);
		f = spin_lock_irqsave(&sched_lock);
		list_for_each(l, &t->threads)
			ticks += list_entry(l, struct thread, task_link)->ticks_used;
		info.suspend_count = (integer_t)t->suspend_count;
		spin_unlock_irqrestore(&sched_lock, f);
		info.base_priority = PRIO_USER;
		info.resident_size = task_resident_pages(t) * 4096;
		info.virtual_size = vm_map_size(t);
		time_of(ticks, &info.user_time);
		out_words(r, &info, TASK_BASIC_INFO_COUNT);
		return;
	}
	case TASK_SUSPEND_ID:
	case TASK_RESUME_ID: {
		struct list *l;
		if (!simple_args(k, 0))
			goto bad;
		f = spin_lock_irqsave(&sched_lock);
		if (k->msg->msgh_id == TASK_SUSPEND_ID) {
			t->suspend_count++;
		} else if (t->suspend_count == 0) {
			r->code = KERN_FAILURE;
		} else if (--t->suspend_count == 0) {
			list_for_each(l, &t->threads)
				waitq_wake_all_locked(&list_entry(l, struct thread, task_link)->resume);
		}
		spin_unlock_irqrestore(&sched_lock, f);
		return;
	}
	case TASK_GET_SPECIAL_PORT_ID: {
		struct port *p = NULL;
		if (!(a = simple_args(k, 1)))
			goto bad;
		f = spin_lock_irqsave(&sched_lock);
		if (a[0] == TASK_KERNEL_PORT)
			p = t->self;
		else if (task_special_slot((int)a[0]) >= 0)
			p = t->special[task_special_slot((int)a[0])];
		else
			r->code = KERN_INVALID_ARGUMENT;
		if (!t->self && r->code == KERN_SUCCESS)
			r->code = KERN_FAILURE;	/* the task is dead, as in Mach */
		if (p && r->code == KERN_SUCCESS)
			r->port = send_right_locked(p);
		r->null_port = !p;		/* never set: MACH_PORT_NULL */
		spin_unlock_irqrestore(&sched_lock, f);
		return;
	}
	case TASK_SET_SPECIAL_PORT_ID: {
		struct port *p, *old;
		uint32_t which;
		int i;
		f = spin_lock_irqsave(&sched_lock);
		p = one_port_arg(k, &which);
		i = task_special_slot((int)which);
		if (i < 0 || !t->self) {	/* no slot, or the task is dead: its rights are gone */
			if (p)
				right_destroy_carried_locked(p, MACH_MSG_TYPE_PORT_SEND);
			r->code = which == ~0u ? MIG_BAD_ARGUMENTS : i < 0 ? KERN_INVALID_ARGUMENT : KERN_FAILURE;
		} else {
			old = t->special[i];
			t->special[i] = p;
			if (old)
				right_destroy_carried_locked(old, MACH_MSG_TYPE_PORT_SEND);
		}
		spin_unlock_irqrestore(&sched_lock, f);
		return;
	}
	case THREAD_CREATE_ID:
		if (!simple_args(k, 0))
			goto bad;
		r->code = task_create_suspended_thread(t, &r->port);	/* refused once t is dying */
		return;
	default:
		r->code = MIG_BAD_ID;
		return;
	}
bad:
	r->code = MIG_BAD_ARGUMENTS;
}

/* Thread requests: all quick, all with sched_lock held (which keeps the thread alive). */
static void
serve_thread_locked(struct thread *th, struct kmsg *k, struct reply *r)
{
	const uint32_t *a;

	switch (k->msg->msgh_id) {
	case THREAD_TERMINATE_ID:
		if (!simple_args(k, 0))
			goto bad;
		thread_terminate_locked(th);
		if (th != curthread()) {	/* the reply waits until it is gone (kobject_server) */
			r->gone_task = th->task;
			r->gone_thread = th->id;
			task_ref(th->task);
		}
		return;
	case THREAD_SUSPEND_ID:
		if (!simple_args(k, 0))
			goto bad;
		th->suspend_count++;
		return;
	case THREAD_RESUME_ID:
		if (!simple_args(k, 0))
			goto bad;
		if (th->suspend_count == 0)
			r->code = KERN_FAILURE;
		else if (--th->suspend_count == 0)
			waitq_wake_all_locked(&th->resume);
		return;
	case THREAD_ABORT_ID:
		if (!simple_args(k, 0))
			goto bad;
		thread_abort_wait_locked(th);
		return;
	case THREAD_GET_STATE_ID: {
		i386_thread_state_t st;
		if (!(a = simple_args(k, 1)))
			goto bad;
		if (a[0] != i386_THREAD_STATE || !th->user_tf) {
			r->code = KERN_INVALID_ARGUMENT;
			return;
		}
		thread_state_get(th, &st);
		out_words(r, &st, i386_THREAD_STATE_COUNT);
		return;
	}
	case THREAD_SET_STATE_ID: {
		const uint32_t *w = (const uint32_t *)(k->msg + 1);
		if ((k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) || k->size < HDR + 8 || w[1] > MAX_OUT ||
		    k->size != HDR + 8 + w[1] * 4)
			goto bad;
		if (w[0] != i386_THREAD_STATE || w[1] != i386_THREAD_STATE_COUNT || !th->user_tf) {
			r->code = KERN_INVALID_ARGUMENT;
			return;
		}
		thread_state_set(th, (const i386_thread_state_t *)(w + 2));
		return;
	}
	case THREAD_GET_SPECIAL_PORT_ID: {
		struct port *p = NULL;
		if (!(a = simple_args(k, 1)))
			goto bad;
		if (a[0] == THREAD_KERNEL_PORT)
			p = th->self;
		else if (a[0] == THREAD_EXCEPTION_PORT)
			p = th->exc_port;
		else
			r->code = KERN_INVALID_ARGUMENT;
		if (p)
			r->port = send_right_locked(p);
		r->null_port = !p;		/* never set: MACH_PORT_NULL */
		return;
	}
	case THREAD_SET_SPECIAL_PORT_ID: {
		struct port *p, *old;
		uint32_t which;
		if (!(p = one_port_arg(k, &which)) && which == ~0u)
			goto bad;
		if (which != THREAD_EXCEPTION_PORT) {
			if (p)
				right_destroy_carried_locked(p, MACH_MSG_TYPE_PORT_SEND);
			r->code = KERN_INVALID_ARGUMENT;
			return;
		}
		old = th->exc_port;
		th->exc_port = p;
		if (old)
			right_destroy_carried_locked(old, MACH_MSG_TYPE_PORT_SEND);
		return;
	}
	case THREAD_INFO_ID: {
		thread_basic_info_data_t info;
		if (!(a = simple_args(k, 1)))
			goto bad;
		if (a[0] != THREAD_BASIC_INFO) {
			r->code = KERN_INVALID_ARGUMENT;
			return;
		}
		memset(&info, 0, sizeof info);
		time_of(th->ticks_used, &info.user_time);
		info.suspend_count = (integer_t)th->suspend_count;
		info.run_state = th->state == THREAD_DEAD ? TH_STATE_HALTED
			       : th->suspend_count || th->task->suspend_count ? TH_STATE_STOPPED
			       : th->state == THREAD_BLOCKED ? TH_STATE_WAITING : TH_STATE_RUNNING;
		out_words(r, &info, THREAD_BASIC_INFO_COUNT);
		return;
	}
	default:
		r->code = MIG_BAD_ID;
		return;
	}
bad:
	r->code = MIG_BAD_ARGUMENTS;
}

static void
serve_host(struct kmsg *k, struct reply *r)
{
	const uint32_t *a;
	host_basic_info_data_t info;

	if (k->msg->msgh_id != HOST_INFO_ID) {
		r->code = MIG_BAD_ID;
		return;
	}
	if (!(a = simple_args(k, 1))) {
		r->code = MIG_BAD_ARGUMENTS;
		return;
	}
	if (a[0] != HOST_BASIC_INFO) {
		r->code = KERN_INVALID_ARGUMENT;
		return;
	}
	memset(&info, 0, sizeof info);
	info.max_cpus = info.avail_cpus = 1;
	info.memory_size = page_total_count() * 4096u;
	info.cpu_type = CPU_TYPE_I386;
	out_words(r, &info, HOST_BASIC_INFO_COUNT);
}

/*
 * Sends a generated decoder's reply (out, on the stack) to the request's reply
 * right, in a kmsg of its own size. Without a reply right, or without memory,
 * the reply's rights and copies are destroyed. Takes sched_lock.
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
	k = kmalloc(sizeof *k + out->size);
	f = spin_lock_irqsave(&sched_lock);
	if (!k || !req->local || req->local->kotype != KOBJ_NONE) {
		kmsg_clean_locked(out);
		spin_unlock_irqrestore(&sched_lock, f);
		kfree(k);
		return;
	}
	memcpy(k, out, sizeof *k + out->size);
	k->remote = req->local;
	k->remote_type = req->local_type;
	req->local = NULL;
	k->msg->msgh_bits = (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(k->remote_type, 0);
	ipc_deliver_locked(k->remote, k);
	spin_unlock_irqrestore(&sched_lock, f);
}

/*
 * The task-port interfaces that msgc generates the kernel side of
 * (mach_port.defs, vm_map.defs): serves the request if its id is one of
 * theirs, and then consumes k and t's reference.
 */
static bool
generated_task_request(struct task *t, struct kmsg *k)
{
	union {
		struct kmsg k;
		uint8_t bytes[sizeof(struct kmsg) + KOBJECT_REPLY_MAX];
	} out;
	mach_msg_id_t id = k->msg->msgh_id;
	uint32_t f;

	_Static_assert(MACH_PORT_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "mach_port replies fit");
	memset(&out.k, 0, sizeof out.k);
	_Static_assert(VM_MAP_REPLY_MAX_SIZE <= KOBJECT_REPLY_MAX, "vm_map replies fit");
	if (id >= MACH_PORT_BASE_ID && id < MACH_PORT_BASE_ID + 100)
		mach_port_kserver(t, k, &out.k);
	else if (id >= VM_MAP_BASE_ID && id < VM_MAP_BASE_ID + 100)
		vm_map_kserver(t, k, &out.k);
	else
		return false;
	task_unref(t);
	send_kreply(k, &out.k);
	f = spin_lock_irqsave(&sched_lock);
	kmsg_destroy_locked(k);
	spin_unlock_irqrestore(&sched_lock, f);
	return true;
}

/*
 * Serves a request that was sent to a kernel object's port. Called without
 * sched_lock; consumes k.
 */
void
kobject_server(struct kmsg *k)
{
	struct port *dest = k->remote;
	struct reply r = { .code = KERN_SUCCESS };
	struct task *t = NULL;
	uint32_t f;

	if (dest->kotype == KOBJ_PAGER_CONTROL) {	/* one-way requests: no reply */
		vm_object_control_request(k);
		f = spin_lock_irqsave(&sched_lock);
		kmsg_destroy_locked(k);
		spin_unlock_irqrestore(&sched_lock, f);
		return;
	}
	f = spin_lock_irqsave(&sched_lock);
	if (!dest->kobject) {
		r.code = MIG_SERVER_DIED;	/* the object died after the send */
	} else if (dest->kotype == KOBJ_THREAD) {
		serve_thread_locked(dest->kobject, k, &r);
	} else if (dest->kotype == KOBJ_TASK) {
		t = dest->kobject;
		task_ref(t);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	if (t) {
		if (generated_task_request(t, k))
			return;
		serve_task(t, k, &r);
		task_unref(t);
	} else if (dest->kotype == KOBJ_HOST || dest->kotype == KOBJ_HOST_PRIV) {
		serve_host(k, &r);
	}
	if (r.gone_task) {	/* thread_terminate returns once the thread is gone, as in Mach */
		thread_wait_gone(r.gone_task, r.gone_thread);
		task_unref(r.gone_task);
	}
	send_reply(k, &r);
	f = spin_lock_irqsave(&sched_lock);
	kmsg_destroy_locked(k);
	spin_unlock_irqrestore(&sched_lock, f);
}
