/*
 * The frame regions' pager (<manifold/frame_pager.h>): every page starts
 * zero-filled (memory_object_data_unavailable) and the kernel keeps it from
 * then on. The rings are never paged out while mapped: a page sent back
 * anyway is dropped (and counted, for the tests that check none comes).
 */
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/frame_pager.h>
#include <manifold/msg.h>
#include "memory_object_control_client.h"
#include "memory_object_server.h"

#define ME mach_task_self()

volatile uint32_t frame_pager_requests, frame_pager_returns;
static mach_port_t pagers = MACH_PORT_NULL;	/* [I] the port set the thread serves */

kern_return_t
memory_object_do_memory_object_init(mach_port_t mo, mach_port_t control, vm_size_t page_size)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_request(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					    vm_size_t length, vm_prot_t access)
{
	__atomic_add_fetch(&frame_pager_requests, 1, __ATOMIC_RELAXED);
	memory_object_data_unavailable(control, offset, length);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_return(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   uint8_t *data, mach_msg_type_number_t count, boolean_t dirty,
					   boolean_t kernel_copy)
{
	__atomic_add_fetch(&frame_pager_returns, 1, __ATOMIC_RELAXED);
	vm_deallocate(ME, (vm_address_t)data, count);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_unlock(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   vm_size_t length, vm_prot_t access)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_lock_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
					      vm_size_t length)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_supply_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
						vm_size_t length, kern_return_t result, vm_offset_t error_offset)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_terminate(mach_port_t mo, mach_port_t control)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

static void *
pager_loop(void *arg)
{
	static const msg_demux_t demux[] = { memory_object_server };

	msg_serve(pagers, demux, 1, NULL, MEMORY_OBJECT_REQUEST_MAX_SIZE, MEMORY_OBJECT_REPLY_MAX_SIZE);
	return NULL;
}

kern_return_t
frame_pager_start(void)
{
	cthread_t th;
	kern_return_t kr = mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &pagers);

	if (kr != KERN_SUCCESS)
		return kr;
	if ((kr = cthread_fork(&th, pager_loop, NULL)) != KERN_SUCCESS)
		return kr;
	cthread_detach(th);
	return KERN_SUCCESS;
}

kern_return_t
frame_pager_create(mach_port_t *pager)
{
	mach_port_t p = MACH_PORT_NULL;
	kern_return_t kr = mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p);

	if (kr != KERN_SUCCESS)
		return kr;
	if ((kr = mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND)) != KERN_SUCCESS ||
	    (kr = mach_port_move_member(ME, p, pagers)) != KERN_SUCCESS) {
		mach_port_destroy(ME, p);
		return kr;
	}
	*pager = p;
	return KERN_SUCCESS;
}

void
frame_pager_destroy(mach_port_t pager)
{
	mach_port_destroy(ME, pager);
}
