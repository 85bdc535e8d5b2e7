/*
 * The images' pager (imagepager.h): each laid-out image of exec.c is a memory
 * object this server serves, so that an exec maps the runs of pages an image
 * never writes (shared, read-only: exec.c) instead of copying them into the
 * task: 2 MiB for busybox, of which `true` touches a few dozen pages. The
 * kernel keeps the pages it was given in the object, and a task of the
 * pager's that never runs (holder) keeps a mapping of each object, so the
 * object and its pages stay while no process runs the image, as Linux's page
 * cache keeps a file's. (Mapped in the server's own map, such a mapping made
 * every system call it serves 256 instructions dearer: getpid_unix 3,602 ->
 * 3,858; why is the kernel's to say.)
 *
 * A thread of its own serves the kernel's requests, never under unix_lock:
 * the serving thread's copies from a process's memory (umem.c) may fault on
 * such a page while it holds the lock, and wait for this thread's answer.
 * The table is the pager thread's and exec's, under its own lock.
 *
 * A request is believed only if the kernel sent it (the sender trailer's
 * task id 0): any task that got an object's send right could otherwise ask
 * for an image's pages or end an object. Others are refused with
 * KERN_NO_ACCESS (the loop frees what they carried) and counted
 * (imagepager_refused).
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/msg.h>
#include "imagepager.h"
#include "memory_object_client.h"
#include "memory_object_control_client.h"
#include "memory_object_server.h"

#define ME mach_task_self()
#define PAGE 4096u
#define OBJECTS_MAX 16	/* exec.c keeps 8 layouts; retired ones live until the kernel lets go */

static struct object {
	mach_port_t port;	/* [L] the object (its receive right; MACH_PORT_NULL: a free slot) */
	vm_address_t buf;	/* [L] the layout's bytes, [I] while the slot is used */
	uint32_t size;		/* [I] */
	vm_address_t mine;	/* [L] holder's mapping of it, 0 once retired */
} objects[OBJECTS_MAX];
static struct cthread_mutex lock = CTHREAD_MUTEX_INITIALIZER;	/* [L] */
static mach_port_t pagers = MACH_PORT_NULL;			/* [I] the port set the thread serves */
static mach_port_t holder = MACH_PORT_NULL;			/* [I] the task that keeps the objects mapped */
static unsigned refused;					/* [L] requests not from the kernel */

/* Whether the request being served came from the kernel; counts those that did not. */
static bool
from_kernel(void)
{
	uint32_t id;

	if (msg_request_sender(&id) && id == 0)
		return true;
	cthread_mutex_lock(&lock);
	refused++;
	cthread_mutex_unlock(&lock);
	return false;
}

/* Caller holds lock. */
static struct object *
find_locked(mach_port_t port)
{
	for (int i = 0; i < OBJECTS_MAX; i++)
		if (objects[i].port == port && MACH_PORT_VALID(port))
			return &objects[i];
	return NULL;
}

/* Every message carries a send right to the object's control port: none is kept (requests carry it again). */
static kern_return_t
drop(mach_port_t control)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_init(mach_port_t mo, mach_port_t control, vm_size_t page_size)
{
	if (!from_kernel())
		return KERN_NO_ACCESS;
	return drop(control);
}

/* The layout's bytes (zeroes past its end); no mapping may write them (exec.c maps at most readable). */
kern_return_t
memory_object_do_memory_object_data_request(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					    vm_size_t length, vm_prot_t access)
{
	struct object *o;

	if (!from_kernel())
		return KERN_NO_ACCESS;
	cthread_mutex_lock(&lock);
	o = find_locked(mo);
	if (o && offset < o->size) {
		if (length > o->size - offset)
			length = o->size - offset;
		memory_object_data_supply(control, offset, (uint8_t *)o->buf + offset, (mach_msg_type_number_t)length,
					  VM_PROT_NONE, FALSE, MACH_PORT_NULL);
	} else {
		memory_object_data_unavailable(control, offset, length);
	}
	cthread_mutex_unlock(&lock);
	return drop(control);
}

/* Nothing is ever dirty in the object (nobody can write it): what comes back is dropped. */
kern_return_t
memory_object_do_memory_object_data_return(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   uint8_t *data, mach_msg_type_number_t count, boolean_t dirty,
					   boolean_t kernel_copy)
{
	if (!from_kernel())
		return KERN_NO_ACCESS;
	vm_deallocate(ME, (vm_address_t)data, count);
	return drop(control);
}

kern_return_t
memory_object_do_memory_object_data_unlock(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   vm_size_t length, vm_prot_t access)
{
	if (!from_kernel())
		return KERN_NO_ACCESS;
	return drop(control);
}

kern_return_t
memory_object_do_memory_object_lock_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
					      vm_size_t length)
{
	if (!from_kernel())
		return KERN_NO_ACCESS;
	return drop(control);
}

kern_return_t
memory_object_do_memory_object_supply_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
						vm_size_t length, kern_return_t result, vm_offset_t error_offset)
{
	if (!from_kernel())
		return KERN_NO_ACCESS;
	return drop(control);
}

/* The last mapping went: a retired object's bytes and port go now. */
kern_return_t
memory_object_do_memory_object_terminate(mach_port_t mo, mach_port_t control)
{
	struct object *o;

	if (!from_kernel())
		return KERN_NO_ACCESS;
	drop(control);
	cthread_mutex_lock(&lock);
	o = find_locked(mo);
	if (o && !o->mine) {
		vm_deallocate(ME, o->buf, o->size);
		mach_port_destroy(ME, o->port);
		*o = (struct object){ MACH_PORT_NULL, 0, 0, 0 };
	}
	cthread_mutex_unlock(&lock);
	return KERN_SUCCESS;
}

static const msg_demux_t demux[] = { memory_object_server };
static struct msg_server pager = {
	.demuxes = demux,
	.ndemuxes = 1,
	.max_request = MEMORY_OBJECT_REQUEST_MAX_SIZE,
	.max_reply = MEMORY_OBJECT_REPLY_MAX_SIZE,
	.nthreads = 1,
	.sender_ids = true,	/* requests believed only from the kernel */
};

static void *
pager_loop(void *arg)
{
	(void)arg;
	pager.port = pagers;
	msg_server_run(&pager);
	return NULL;
}

int
imagepager_start(void)
{
	cthread_t th;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &pagers) != KERN_SUCCESS ||
	    task_create(ME, FALSE, &holder) != KERN_SUCCESS || cthread_fork(&th, pager_loop, NULL) != KERN_SUCCESS)
		return -1;
	cthread_detach(th);
	return 0;
}

mach_port_t
imagepager_create(vm_address_t buf, uint32_t size)
{
	struct object *o = NULL;
	mach_port_t p = MACH_PORT_NULL;
	vm_address_t mine = 0;

	cthread_mutex_lock(&lock);
	for (int i = 0; i < OBJECTS_MAX && !o; i++)
		if (!MACH_PORT_VALID(objects[i].port))
			o = &objects[i];
	if (!o || mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS) {
		cthread_mutex_unlock(&lock);
		return MACH_PORT_NULL;
	}
	*o = (struct object){ p, buf, size, 0 };
	cthread_mutex_unlock(&lock);
	/* the lock is not held while the kernel sends memory_object_init to the thread */
	if (mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_move_member(ME, p, pagers) != KERN_SUCCESS ||
	    vm_map(holder, &mine, size, 0, TRUE, p, 0, FALSE, VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE) !=
		    KERN_SUCCESS) {
		cthread_mutex_lock(&lock);
		mach_port_destroy(ME, p);
		*o = (struct object){ MACH_PORT_NULL, 0, 0, 0 };
		cthread_mutex_unlock(&lock);
		return MACH_PORT_NULL;
	}
	cthread_mutex_lock(&lock);
	o->mine = mine;
	cthread_mutex_unlock(&lock);
	return p;
}

void
imagepager_retire(mach_port_t object)
{
	struct object *o;
	vm_address_t mine = 0;
	uint32_t size = 0;

	cthread_mutex_lock(&lock);
	if ((o = find_locked(object))) {
		mine = o->mine;
		size = o->size;
		o->mine = 0;	/* terminate frees it: when the last process running it is gone */
	}
	cthread_mutex_unlock(&lock);
	if (mine)
		vm_deallocate(holder, mine, size);
}

int
imagepager_objects(void)
{
	int n = 0;

	cthread_mutex_lock(&lock);
	for (int i = 0; i < OBJECTS_MAX; i++)
		n += MACH_PORT_VALID(objects[i].port);
	cthread_mutex_unlock(&lock);
	return n;
}

unsigned
imagepager_refused(void)
{
	unsigned n;

	cthread_mutex_lock(&lock);
	n = refused;
	cthread_mutex_unlock(&lock);
	return n;
}

/*
 * The unix suite's check of the above (the word `pagertest`): a page's
 * object, a data_request and a terminate for it sent from this task as any
 * holder of its send right could; both must be refused, and nothing may
 * come to the control port the forgery named. Then the object is retired.
 */
void
imagepager_forgery_test(void)
{
	vm_address_t buf = 0;
	mach_port_t obj = MACH_PORT_NULL, ctl = MACH_PORT_NULL;
	unsigned before = imagepager_refused();
	struct {
		mach_msg_header_t h;
		uint8_t body[PAGE + 256];
	} in;
	bool quiet = false;

	if (vm_allocate(ME, &buf, PAGE, TRUE) != KERN_SUCCESS ||
	    !MACH_PORT_VALID(obj = imagepager_create(buf, PAGE)) ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &ctl) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, ctl, ctl, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    memory_object_data_request(obj, ctl, 0, PAGE, VM_PROT_READ) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, ctl, ctl, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    memory_object_terminate(obj, ctl) != KERN_SUCCESS) {
		printf("unix: pagertest: could not send the forgeries\n");
	} else {
		quiet = mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, ctl, 200, MACH_PORT_NULL) ==
			MACH_RCV_TIMED_OUT;
		printf("unix: pagertest: %u of 2 forged requests refused, %s\n", imagepager_refused() - before,
		       quiet ? "nothing supplied" : "a reply came to the forger");
	}
	if (MACH_PORT_VALID(ctl))
		mach_port_destroy(ME, ctl);
	if (MACH_PORT_VALID(obj))
		imagepager_retire(obj);
	else if (buf)
		vm_deallocate(ME, buf, PAGE);
}
