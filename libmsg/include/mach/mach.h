/*
 * The Mach calls of OSF Mach 3.0 that user programs make, with the manual's
 * names, argument order and error codes. (Each is a native trap today; see
 * kernel/include/abi/manifold/traps.h.)
 */
#ifndef MACH_MACH_H
#define MACH_MACH_H

#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/notify.h>
#include <mach/port.h>
#include <mach/mig_errors.h>
#include <mach/task_special_ports.h>
#include <mach/thread_status.h>
#include <mach/vm_types.h>

typedef mach_port_t task_t;
typedef mach_port_t ipc_space_t;
typedef mach_port_t *thread_act_array_t;

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option, mach_msg_size_t send_size,
			   mach_msg_size_t rcv_size, mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
			   mach_port_name_t notify);
mach_port_t mach_reply_port(void);
/* Releases the rights in a received message's header and port descriptors. */
void mach_msg_destroy(mach_msg_header_t *msg);
mach_port_t mach_task_self(void);

kern_return_t mach_port_allocate(ipc_space_t task, mach_port_right_t right, mach_port_name_t *name);
kern_return_t mach_port_allocate_name(ipc_space_t task, mach_port_right_t right, mach_port_name_t name);
kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name);
kern_return_t mach_port_destroy(ipc_space_t task, mach_port_name_t name);
kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name, mach_port_right_t right,
				 mach_port_delta_t delta);
kern_return_t mach_port_insert_right(ipc_space_t task, mach_port_name_t name, mach_port_t poly,
				     mach_msg_type_name_t polyPoly);
kern_return_t mach_port_extract_right(ipc_space_t task, mach_port_name_t name, mach_msg_type_name_t msgt_name,
				      mach_port_t *poly, mach_msg_type_name_t *polyPoly);
/* Fills at most max names and types; *count is how many names there are. */
kern_return_t mach_port_names(ipc_space_t task, mach_port_name_t *names, mach_port_type_t *types,
			      mach_msg_type_number_t max, mach_msg_type_number_t *count);
kern_return_t mach_port_type(ipc_space_t task, mach_port_name_t name, mach_port_type_t *ptype);
kern_return_t mach_port_get_refs(ipc_space_t task, mach_port_name_t name, mach_port_right_t right,
				 mach_port_urefs_t *refs);
kern_return_t mach_port_rename(ipc_space_t task, mach_port_name_t old_name, mach_port_name_t new_name);
kern_return_t mach_port_move_member(ipc_space_t task, mach_port_name_t member, mach_port_name_t after);
kern_return_t mach_port_set_qlimit(ipc_space_t task, mach_port_name_t name, mach_port_msgcount_t qlimit);
kern_return_t mach_port_request_notification(ipc_space_t task, mach_port_name_t name, mach_msg_id_t variant,
					     mach_port_mscount_t sync, mach_port_t notify,
					     mach_msg_type_name_t notifyPoly, mach_port_t *previous);

/* The task's threads, as send rights in memory the caller then vm_deallocates. */
kern_return_t task_threads(task_t task, thread_act_array_t *list, mach_msg_type_number_t *count);

kern_return_t vm_allocate(task_t task, vm_address_t *address, vm_size_t size, boolean_t anywhere);
kern_return_t vm_deallocate(task_t task, vm_address_t address, vm_size_t size);
kern_return_t vm_protect(task_t task, vm_address_t address, vm_size_t size, boolean_t set_maximum,
			 vm_prot_t new_protection);
kern_return_t vm_inherit(task_t task, vm_address_t address, vm_size_t size, vm_inherit_t new_inheritance);
/* The first region at or above *address (OSF's out-parameters, less the object name and offset). */
kern_return_t vm_region(task_t task, vm_address_t *address, vm_size_t *size, vm_prot_t *protection,
			vm_prot_t *max_protection, vm_inherit_t *inheritance, boolean_t *shared);
/* A copy of another task's memory, in fresh memory of the caller (*data, *count bytes). */
kern_return_t vm_read(task_t task, vm_address_t address, vm_size_t size, vm_address_t *data,
		      mach_msg_type_number_t *count);
kern_return_t vm_write(task_t task, vm_address_t address, vm_address_t data, mach_msg_type_number_t count);
kern_return_t vm_copy(task_t task, vm_address_t source, vm_size_t size, vm_address_t dest);

/* A new send right to the calling thread's port / to the host port, each call. */
mach_port_t mach_thread_self(void);
mach_port_t mach_host_self(void);
kern_return_t thread_switch(mach_port_t thread, int option, mach_msg_timeout_t time);

/* The kernel's RPC interfaces: stubs msgc generates from task.defs, thread.defs, host.defs. */
#include "task_client.h"
#include "thread_client.h"
#include "host_client.h"

#endif
