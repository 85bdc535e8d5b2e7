/*
 * The native traps from user space (the list and their errors are in
 * <manifold/traps.h>, shared with the kernel). Out-parameters are written only
 * when the call returns KERN_SUCCESS.
 */
#ifndef MANIFOLD_TRAP_H
#define MANIFOLD_TRAP_H

#include <stddef.h>
#include <stdint.h>
#include <mach/kern_return.h>
#include <mach/port.h>
#include <mach/vm_types.h>
#include <manifold/traps.h>

kern_return_t trap_console_write(const char *buf, size_t len);
kern_return_t trap_console_write_raw(const char *buf, size_t len);
__attribute__((noreturn)) void trap_task_exit(int status);
kern_return_t trap_thread_yield(void);
kern_return_t trap_clock_uptime(uint64_t *ns);
kern_return_t trap_task_self_id(uint32_t *id);
kern_return_t trap_debug_exit(int code);
/* Unmasks an interrupt line the calling task attached (drivers: driver_irq_ack). */
kern_return_t trap_device_intr_ack(uint32_t irq);

/*
 * The privileged traps take a send right to the privileged host port first
 * (KERN_INVALID_HOST if host_priv is not one). A task that was given it finds
 * it as its TASK_HOST_PORT special port: the kernel gives it to the first
 * task, and boot_module_start to a new task when asked (see <manifold/traps.h>).
 */
kern_return_t trap_boot_module_count(mach_port_t host_priv, uint32_t *count);
kern_return_t trap_boot_module_info(mach_port_t host_priv, uint32_t index, char *cmdline, size_t size,
				    uint32_t *bytes);
/* len bytes of module index's image from offset into buf (the caller's pages must be there). */
kern_return_t trap_boot_module_read(mach_port_t host_priv, uint32_t index, uint32_t offset, void *buf, size_t len);
/*
 * Starts module index; the new task's TASK_HOST_PORT is a copy of the send
 * right host_port names (MACH_PORT_NULL: none). task_port may be NULL;
 * otherwise it receives a send right to the new task's port.
 */
kern_return_t trap_boot_module_start_port(mach_port_t host_priv, uint32_t index, mach_port_t host_port,
					  uint32_t *task_id, mach_port_t *task_port);
/*
 * The same with the caller's own TASK_HOST_PORT as host_priv, nothing given
 * to the new task and no port back: for test programs that are the first task.
 */
kern_return_t trap_boot_module_start(uint32_t index, uint32_t *task_id);
/* Summaries of up to max tasks (ps); *count: how many there are. */
kern_return_t trap_task_list(mach_port_t host_priv, struct manifold_task_summary *buf, uint32_t max,
			     uint32_t *count);
/* Serial input (the console server's): up to len bytes, waiting up to timeout_ms. */
kern_return_t trap_console_read(mach_port_t host_priv, char *buf, size_t len, uint32_t timeout_ms,
				uint32_t *count);

/*
 * vm_map.defs' vm_copy_to by a trap, when both names are send rights to this
 * kernel's task ports; TRAP_BY_RPC, with nothing done, for any other name.
 * vm_copy_to_quick tries it and otherwise sends the RPC: the same answer as
 * vm_copy_to's in every case, some 4,000 instructions fewer for a short copy.
 */
kern_return_t trap_vm_copy_to(mach_port_t target_task, vm_address_t address, vm_size_t size,
			      mach_port_t dest_task, vm_address_t dest_address);
kern_return_t vm_copy_to_quick(mach_port_t target_task, vm_address_t address, vm_size_t size,
			       mach_port_t dest_task, vm_address_t dest_address);

/*
 * mach_port.defs' allocate, deallocate, destroy and mod_refs by traps, when
 * task is a send right to this kernel's task port; TRAP_BY_RPC, with nothing
 * done, for any other name. mach_port_allocate, _deallocate, _destroy and
 * _mod_refs (<mach/mach.h>) are libmsg's: the trap, then the RPC if it
 * declines, some 800 instructions fewer a call than the RPC alone. The RPCs
 * alone are the _rpc names (msgc's stubs, renamed by libmsg/rules.mk).
 */
kern_return_t trap_mach_port_allocate(mach_port_t task, mach_port_right_t right, mach_port_name_t *name);
kern_return_t trap_mach_port_deallocate(mach_port_t task, mach_port_name_t name);
kern_return_t trap_mach_port_destroy(mach_port_t task, mach_port_name_t name);
kern_return_t trap_mach_port_mod_refs(mach_port_t task, mach_port_name_t name, mach_port_right_t right,
				      mach_port_delta_t delta);
kern_return_t mach_port_allocate_rpc(mach_port_t task, mach_port_right_t right, mach_port_name_t *name);
kern_return_t mach_port_deallocate_rpc(mach_port_t task, mach_port_name_t name);
kern_return_t mach_port_destroy_rpc(mach_port_t task, mach_port_name_t name);
kern_return_t mach_port_mod_refs_rpc(mach_port_t task, mach_port_name_t name, mach_port_right_t right,
				     mach_port_delta_t delta);

/* Any trap by number, for tests that must reach the kernel with bad arguments. */
kern_return_t trap_raw(uint32_t number, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4);

#endif
