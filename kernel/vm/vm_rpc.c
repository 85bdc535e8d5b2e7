/*
 * The vm calls on a task's address space (vm_map.defs): the handlers that the
 * generated decoder (build/gen/kernel/vm_map_kserver.c) calls for a request
 * that reached a task port, in the sender's thread. The mechanism is map.c,
 * copyio.c and object.c; results travel in the reply. A dying task answers
 * KERN_INVALID_TASK (task_alive is a hint: the map refuses a dead task's calls
 * itself, under its lock).
 * vm_read, vm_write and vm_copy ask the map before they copy, as Mach does: a
 * page outside every region is KERN_INVALID_ADDRESS, one whose region's
 * protection refuses the access KERN_PROTECTION_FAILURE, touched or not
 * (copyio sees only page tables, where both are a page that is not there).
 */
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include <kern/vm_object.h>
#include "layout.h"
#include "vm_map_kserver.h"


kern_return_t
kdo_vm_allocate(struct task *t, vm_address_t *address, vm_size_t size, boolean_t anywhere)
{
	uint32_t addr = *address;
	kern_return_t kr;

	if (!task_alive(t))
		return KERN_INVALID_TASK;
	if (size == 0) {	/* nothing to allocate: success, at address 0, as in Mach */
		*address = 0;
		return KERN_SUCCESS;
	}
	kr = vm_map_allocate(t, &addr, size, anywhere != 0);
	if (kr == KERN_SUCCESS)
		*address = addr;
	return kr;
}

/*
 * A range wholly outside user space, or one whose end wraps around, holds
 * nothing to remove: success, as Mach's clipping to the map gives. One that
 * starts in user space and runs past it is refused (kernel/README.md).
 */
kern_return_t
kdo_vm_deallocate(struct task *t, vm_address_t address, vm_size_t size)
{
	if (!task_alive(t))
		return KERN_INVALID_TASK;
	if (!(address & (PAGE_SIZE - 1)) && (address >= USER_TOP || address + ROUND_UP(size, PAGE_SIZE) < address))
		return KERN_SUCCESS;
	return vm_map_deallocate(t, address, size);
}

kern_return_t
kdo_vm_protect(struct task *t, vm_address_t address, vm_size_t size, boolean_t set_maximum, vm_prot_t prot)
{
	return task_alive(t) ? vm_map_protect(t, address, size, set_maximum != 0, prot) : KERN_INVALID_TASK;
}

kern_return_t
kdo_vm_inherit(struct task *t, vm_address_t address, vm_size_t size, vm_inherit_t inheritance)
{
	return task_alive(t) ? vm_map_inherit(t, address, size, inheritance) : KERN_INVALID_TASK;
}

kern_return_t
kdo_vm_region(struct task *t, vm_address_t *address, vm_size_t *size, vm_prot_t *protection,
	      vm_prot_t *max_protection, vm_inherit_t *inheritance, boolean_t *is_shared, struct port **object_name,
	      vm_offset_t *offset)
{
	struct vm_region_info info;
	kern_return_t kr;

	if (!task_alive(t))
		return KERN_INVALID_TASK;
	kr = vm_map_region(t, *address, &info);
	if (kr != KERN_SUCCESS)
		return kr;
	*address = info.address;
	*size = info.size;
	*protection = info.protection;
	*max_protection = info.max_protection;
	*inheritance = info.inheritance;
	*is_shared = info.shared;
	*object_name = NULL;	/* no memory-object name ports */
	*offset = 0;
	return KERN_SUCCESS;
}

/*
 * vm_read: the task's bytes copied into fresh pages, which the reply hands to
 * the caller copy-on-write (a virtual copy of the pages; the bytes are copied
 * once, here). The source is checked whole before any page is taken.
 */
kern_return_t
kdo_vm_read(struct task *t, vm_address_t address, vm_size_t size, struct kern_ool *data,
	    mach_msg_type_number_t *dataCnt)
{
	struct vcopy *vc;
	kern_return_t kr;

	if (!task_alive(t))
		return KERN_INVALID_TASK;
	if (address & (PAGE_SIZE - 1))
		return KERN_INVALID_ARGUMENT;
	if (size > IPC_OOL_MAX)
		return KERN_RESOURCE_SHORTAGE;
	kr = vm_map_check_access(t, address, size, false);
	if (kr != KERN_SUCCESS)
		return kr;
	if (size == 0) {
		*data = (struct kern_ool){ NULL, false, 0 };
		*dataCnt = 0;
		return KERN_SUCCESS;
	}
	kr = vcopy_copyin(t, address, size, &vc);
	if (kr != KERN_SUCCESS)
		return kr;
	*data = (struct kern_ool){ vc, true, size };
	*dataCnt = size;
	return KERN_SUCCESS;
}

/* vm_write: the request's copy of the data (kernel bytes, or pages) into the task. */
kern_return_t
kdo_vm_write(struct task *t, vm_address_t address, const struct kern_ool *data, mach_msg_type_number_t dataCnt)
{
	kern_return_t kr;

	if (!task_alive(t))
		return KERN_INVALID_TASK;
	if (address & (PAGE_SIZE - 1))
		return KERN_INVALID_ARGUMENT;
	kr = vm_map_check_access(t, address, dataCnt, true);
	if (kr != KERN_SUCCESS)
		return kr;
	if (!data->virt)
		return dataCnt ? copyout(t, data->copy, address, dataCnt) : KERN_SUCCESS;
	/* every page's check first, so a failure writes nothing */
	kr = copyout_check(t, address, dataCnt);
	if (kr != KERN_SUCCESS)
		return kr;
	for (uint32_t j = 0; j * PAGE_SIZE < dataCnt && kr == KERN_SUCCESS; j++) {
		const struct vcopy *vc = data->copy;
		kr = copyout(t, P2V(vc->page[j]), address + j * PAGE_SIZE, MIN(dataCnt - j * PAGE_SIZE, PAGE_SIZE));
	}
	return kr;
}

/*
 * vm_copy_to's work, for the RPC below and for the trap of the same name
 * (syscall/sys_vm.c): copy_user_to_user between two tasks, both ranges
 * checked against the maps, then against the page tables, before a byte moves.
 */
kern_return_t
vm_copy_between(struct task *t, vm_address_t address, vm_size_t size, struct task *d, vm_address_t dest_address)
{
	kern_return_t kr;

	if (!task_alive(t) || !task_alive(d))
		kr = KERN_INVALID_TASK;
	else if (size > IPC_OOL_MAX)
		kr = KERN_RESOURCE_SHORTAGE;
	else if ((kr = vm_map_check_access(t, address, size, false)) == KERN_SUCCESS &&
		 (kr = vm_map_check_access(d, dest_address, size, true)) == KERN_SUCCESS && size)
		kr = copy_user_to_user(t, address, d, dest_address, size);
	return kr;
}

/* vm_copy_to: dest_task is the request's send right, ours to release on success. */
kern_return_t
kdo_vm_copy_to(struct task *t, vm_address_t address, vm_size_t size, struct port *dest_task,
	       vm_address_t dest_address)
{
	struct task *d = task_of_port(dest_task);

	if (!d)
		return KERN_INVALID_ARGUMENT;
	return task_of_port_done(d, dest_task, vm_copy_between(t, address, size, d, dest_address));
}

kern_return_t
kdo_vm_copy(struct task *t, vm_address_t source, vm_size_t size, vm_address_t dest)
{
	kern_return_t kr;

	if (!task_alive(t))
		return KERN_INVALID_TASK;
	if ((source | dest) & (PAGE_SIZE - 1))
		return KERN_INVALID_ARGUMENT;
	kr = vm_map_check_access(t, source, size, false);
	if (kr == KERN_SUCCESS)
		kr = vm_map_check_access(t, dest, size, true);
	if (kr == KERN_SUCCESS)
		kr = copy_user_to_user(t, source, t, dest, size);
	return kr;
}

/*
 * vm_map: memory_object is the pager's send right from the request (the
 * handler keeps it on success: the object holds it); MACH_PORT_NULL maps
 * zero-fill memory.
 */
kern_return_t
kdo_vm_map(struct task *t, vm_address_t *address, vm_size_t size, vm_address_t mask, boolean_t anywhere,
	   struct port *memory_object, vm_offset_t offset, boolean_t copy, vm_prot_t cur_protection,
	   vm_prot_t max_protection, vm_inherit_t inheritance)
{
	struct vm_object *obj = NULL;
	uint32_t addr = *address;
	kern_return_t kr;

	if (memory_object && memory_object->kotype != KOBJ_NONE)
		return KERN_INVALID_ARGUMENT;	/* the kernel pages nothing for itself */
	if (!task_alive(t))
		return KERN_INVALID_ARGUMENT;
	if (memory_object) {
		/* The object takes a send right of its own, whatever happens next: the
		 * request keeps the one it carried until this call succeeds. */
		uint32_t f = ipc_begin();
		port_copy_send(memory_object);
		ipc_end(f);
		obj = vm_object_for_pager(memory_object);
		if (!obj)
			return KERN_RESOURCE_SHORTAGE;
	}
	kr = vm_map_object(t, &addr, size, mask, anywhere != 0, obj, offset, copy != 0, cur_protection,
			   max_protection, inheritance);
	if (obj)
		vm_object_unref(obj);	/* the region holds its own reference */
	if (kr != KERN_SUCCESS)
		return kr;
	if (memory_object) {	/* succeeded: the request's right is ours to release */
		uint32_t f = ipc_begin();
		right_destroy_carried(memory_object, MACH_MSG_TYPE_PORT_SEND);
		ipc_end(f);
	}
	*address = addr;
	return KERN_SUCCESS;
}
