/*
 * User stubs for the Mach IPC traps (<mach/mach.h>).
 */
#include <mach/mach.h>
#include <manifold/trap.h>

_Static_assert(TRAP_mach_msg == 10, "mach_msg.S hard-codes the trap number");

#define T(n, a, b, c, d, e) trap_raw(TRAP_##n, (uint32_t)(a), (uint32_t)(b), (uint32_t)(c), (uint32_t)(d), (uint32_t)(e))

mach_port_t
mach_reply_port(void)
{
	mach_port_t name;

	return T(mach_reply_port, &name, 0, 0, 0, 0) == KERN_SUCCESS ? name : MACH_PORT_NULL;
}

mach_port_t
mach_task_self(void)
{
	static mach_port_t self;	/* one reference, taken once */

	if (self == MACH_PORT_NULL && T(mach_task_self, &self, 0, 0, 0, 0) != KERN_SUCCESS)
		self = MACH_PORT_NULL;
	return self;
}

kern_return_t
mach_port_allocate(ipc_space_t task, mach_port_right_t right, mach_port_name_t *name)
{
	return T(mach_port_allocate, task, right, name, 0, 0);
}

kern_return_t
mach_port_allocate_name(ipc_space_t task, mach_port_right_t right, mach_port_name_t name)
{
	return T(mach_port_allocate_name, task, right, name, 0, 0);
}

kern_return_t
mach_port_deallocate(ipc_space_t task, mach_port_name_t name)
{
	return T(mach_port_deallocate, task, name, 0, 0, 0);
}

kern_return_t
mach_port_destroy(ipc_space_t task, mach_port_name_t name)
{
	return T(mach_port_destroy, task, name, 0, 0, 0);
}

kern_return_t
mach_port_mod_refs(ipc_space_t task, mach_port_name_t name, mach_port_right_t right, mach_port_delta_t delta)
{
	return T(mach_port_mod_refs, task, name, right, delta, 0);
}

kern_return_t
mach_port_insert_right(ipc_space_t task, mach_port_name_t name, mach_port_t poly, mach_msg_type_name_t polyPoly)
{
	return T(mach_port_insert_right, task, name, poly, polyPoly, 0);
}

kern_return_t
mach_port_extract_right(ipc_space_t task, mach_port_name_t name, mach_msg_type_name_t msgt_name, mach_port_t *poly,
			mach_msg_type_name_t *polyPoly)
{
	return T(mach_port_extract_right, task, name, msgt_name, poly, polyPoly);
}

kern_return_t
mach_port_names(ipc_space_t task, mach_port_name_t *names, mach_port_type_t *types, mach_msg_type_number_t max,
		mach_msg_type_number_t *count)
{
	return T(mach_port_names, task, names, types, max, count);
}

kern_return_t
mach_port_type(ipc_space_t task, mach_port_name_t name, mach_port_type_t *ptype)
{
	return T(mach_port_type, task, name, ptype, 0, 0);
}

kern_return_t
mach_port_get_refs(ipc_space_t task, mach_port_name_t name, mach_port_right_t right, mach_port_urefs_t *refs)
{
	return T(mach_port_get_refs, task, name, right, refs, 0);
}

kern_return_t
mach_port_rename(ipc_space_t task, mach_port_name_t old_name, mach_port_name_t new_name)
{
	return T(mach_port_rename, task, old_name, new_name, 0, 0);
}

kern_return_t
mach_port_move_member(ipc_space_t task, mach_port_name_t member, mach_port_name_t after)
{
	return T(mach_port_move_member, task, member, after, 0, 0);
}

kern_return_t
mach_port_set_qlimit(ipc_space_t task, mach_port_name_t name, mach_port_msgcount_t qlimit)
{
	return T(mach_port_set_qlimit, task, name, qlimit, 0, 0);
}

kern_return_t
mach_port_request_notification(ipc_space_t task, mach_port_name_t name, mach_msg_id_t variant,
			       mach_port_mscount_t sync, mach_port_t notify, mach_msg_type_name_t notifyPoly,
			       mach_port_t *previous)
{
	struct manifold_notify_args a = { notify, notifyPoly, (uint32_t)previous };

	return T(mach_port_request_notification, task, name, variant, sync, &a);
}

mach_port_t
mach_thread_self(void)
{
	mach_port_t name;

	return T(mach_thread_self, &name, 0, 0, 0, 0) == KERN_SUCCESS ? name : MACH_PORT_NULL;
}

mach_port_t
mach_host_self(void)
{
	mach_port_t name;

	return T(mach_host_self, &name, 0, 0, 0, 0) == KERN_SUCCESS ? name : MACH_PORT_NULL;
}

kern_return_t
thread_switch(mach_port_t thread, int option, mach_msg_timeout_t time)
{
	return T(thread_switch, thread, option, time, 0, 0);
}

kern_return_t
vm_allocate(task_t task, vm_address_t *address, vm_size_t size, boolean_t anywhere)
{
	return T(vm_allocate, task, address, size, anywhere, 0);
}

kern_return_t
vm_deallocate(task_t task, vm_address_t address, vm_size_t size)
{
	return T(vm_deallocate, task, address, size, 0, 0);
}

kern_return_t
vm_protect(task_t task, vm_address_t address, vm_size_t size, boolean_t set_maximum, vm_prot_t new_protection)
{
	return T(vm_protect, task, address, size, set_maximum, new_protection);
}

kern_return_t
vm_inherit(task_t task, vm_address_t address, vm_size_t size, vm_inherit_t new_inheritance)
{
	return T(vm_inherit, task, address, size, new_inheritance, 0);
}

kern_return_t
vm_region(task_t task, vm_address_t *address, vm_size_t *size, vm_prot_t *protection, vm_prot_t *max_protection,
	  vm_inherit_t *inheritance, boolean_t *shared)
{
	struct vm_region_info info = { .address = *address };
	kern_return_t kr = T(vm_region, task, &info, 0, 0, 0);

	if (kr != KERN_SUCCESS)
		return kr;
	*address = info.address;
	*size = info.size;
	*protection = info.protection;
	*max_protection = info.max_protection;
	*inheritance = info.inheritance;
	*shared = info.shared;
	return KERN_SUCCESS;
}

kern_return_t
vm_read(task_t task, vm_address_t address, vm_size_t size, vm_address_t *data, mach_msg_type_number_t *count)
{
	return T(vm_read, task, address, size, data, count);
}

kern_return_t
vm_write(task_t task, vm_address_t address, vm_address_t data, mach_msg_type_number_t count)
{
	return T(vm_write, task, address, data, count, 0);
}

kern_return_t
vm_copy(task_t task, vm_address_t source, vm_size_t size, vm_address_t dest)
{
	return T(vm_copy, task, source, size, dest, 0);
}
