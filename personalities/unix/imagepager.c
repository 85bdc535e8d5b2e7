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
 */
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/msg.h>
#include "imagepager.h"
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
	return drop(control);
}

/* The layout's bytes (zeroes past its end); no mapping may write them (exec.c maps at most readable). */
kern_return_t
memory_object_do_memory_object_data_request(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					    vm_size_t length, vm_prot_t access)
{
	struct object *o;

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
	vm_deallocate(ME, (vm_address_t)data, count);
	return drop(control);
}

kern_return_t
memory_object_do_memory_object_data_unlock(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   vm_size_t length, vm_prot_t access)
{
	return drop(control);
}

kern_return_t
memory_object_do_memory_object_lock_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
					      vm_size_t length)
{
	return drop(control);
}

kern_return_t
memory_object_do_memory_object_supply_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
						vm_size_t length, kern_return_t result, vm_offset_t error_offset)
{
	return drop(control);
}

/* The last mapping went: a retired object's bytes and port go now. */
kern_return_t
memory_object_do_memory_object_terminate(mach_port_t mo, mach_port_t control)
{
	struct object *o;

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

static void *
pager_loop(void *arg)
{
	static const msg_demux_t demux[] = { memory_object_server };

	(void)arg;
	msg_serve(pagers, demux, 1, NULL, MEMORY_OBJECT_REQUEST_MAX_SIZE, MEMORY_OBJECT_REPLY_MAX_SIZE);
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
