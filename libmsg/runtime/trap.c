/*
 * User-side stubs for the native traps (<manifold/traps.h>): number in eax,
 * arguments in ebx, ecx, edx, esi, edi, result in eax; by sysenter when the
 * kernel takes it (libmsg_trap_init asks once, before main), else int $0x30.
 * The hot ones of one argument or none are in trap1.S.
 */
#include <mach/mach.h>
#include <manifold/trap.h>

int libmsg_sysenter;	/* traps come by sysenter: set once, before any thread but the first */

/* trap1.S's stubs take these numbers */
_Static_assert(TRAP_thread_yield == 3 && TRAP_clock_uptime == 4 && TRAP_task_self_id == 8 &&
	       TRAP_device_intr_ack == 13, "trap1.S hard-codes the trap numbers");

static kern_return_t
trap_int(uint32_t number, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	kern_return_t r;

	__asm__ volatile("int $0x30"
			 : "=a"(r)
			 : "a"(number), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4)
			 : "memory");
	return r;
}

/* Called by crt0 before anything else: the kernel says whether sysenter works. */
void
libmsg_trap_init(void)
{
	libmsg_sysenter = trap_int(TRAP_fast_entry, 0, 0, 0, 0, 0) == KERN_SUCCESS;
}

kern_return_t
trap_raw(uint32_t number, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	kern_return_t r;

	if (!libmsg_sysenter)
		return trap_int(number, a0, a1, a2, a3, a4);
	/* a1 and a2 on the stack, the stack pointer in ecx, where to go on in edx */
	__asm__ volatile("pushl %%edx\n\t"
			 "pushl %%ecx\n\t"
			 "movl %%esp, %%ecx\n\t"
			 "movl $1f, %%edx\n\t"
			 "sysenter\n"
			 "1:\taddl $8, %%esp"
			 : "=a"(r), "+c"(a1), "+d"(a2)
			 : "0"(number), "b"(a0), "S"(a3), "D"(a4)
			 : "memory", "cc");
	return r;
}

kern_return_t
trap_console_write(const char *buf, size_t len)
{
	return trap_raw(TRAP_console_write, (uint32_t)buf, len, 0, 0, 0);
}

kern_return_t
trap_console_write_raw(const char *buf, size_t len)
{
	return trap_raw(TRAP_console_write_raw, (uint32_t)buf, len, 0, 0, 0);
}

void
trap_task_exit(int status)
{
	for (;;)
		trap_raw(TRAP_task_exit, (uint32_t)status, 0, 0, 0, 0);
}

kern_return_t
trap_boot_module_count(mach_port_t host_priv, uint32_t *count)
{
	return trap_raw(TRAP_boot_module_count, host_priv, (uint32_t)count, 0, 0, 0);
}

kern_return_t
trap_boot_module_info(mach_port_t host_priv, uint32_t index, char *cmdline, size_t size, uint32_t *bytes)
{
	return trap_raw(TRAP_boot_module_info, host_priv, index, (uint32_t)cmdline, size, (uint32_t)bytes);
}

kern_return_t
trap_boot_module_read(mach_port_t host_priv, uint32_t index, uint32_t offset, void *buf, size_t len)
{
	return trap_raw(TRAP_boot_module_read, host_priv, index, offset, (uint32_t)buf, len);
}

kern_return_t
trap_boot_module_start_port(mach_port_t host_priv, uint32_t index, mach_port_t host_port, uint32_t *task_id,
			    mach_port_t *task_port)
{
	return trap_raw(TRAP_boot_module_start, host_priv, index, host_port, (uint32_t)task_id,
			(uint32_t)task_port);
}

kern_return_t
trap_boot_module_start(uint32_t index, uint32_t *task_id)
{
	mach_port_t host_priv = MACH_PORT_NULL;
	kern_return_t kr;

	task_get_special_port(mach_task_self(), TASK_HOST_PORT, &host_priv);
	kr = trap_boot_module_start_port(host_priv, index, MACH_PORT_NULL, task_id, NULL);
	if (MACH_PORT_VALID(host_priv))
		mach_port_deallocate(mach_task_self(), host_priv);
	return kr;
}

kern_return_t
trap_task_list(mach_port_t host_priv, struct manifold_task_summary *buf, uint32_t max, uint32_t *count)
{
	return trap_raw(TRAP_task_list, host_priv, (uint32_t)buf, max, (uint32_t)count, 0);
}

kern_return_t
trap_debug_exit(int code)
{
	return trap_raw(TRAP_debug_exit, (uint32_t)code, 0, 0, 0, 0);
}

kern_return_t
trap_console_read(mach_port_t host_priv, char *buf, size_t len, uint32_t timeout_ms, uint32_t *count)
{
	return trap_raw(TRAP_console_read, host_priv, (uint32_t)buf, len, timeout_ms, (uint32_t)count);
}


kern_return_t
trap_vm_copy_to(mach_port_t target_task, vm_address_t address, vm_size_t size, mach_port_t dest_task,
		vm_address_t dest_address)
{
	return trap_raw(TRAP_vm_copy_to, target_task, address, size, dest_task, dest_address);
}

/* The trap for this kernel's task ports; the RPC for any other port, which answers as Mach would. */
kern_return_t
vm_copy_to_quick(mach_port_t target_task, vm_address_t address, vm_size_t size, mach_port_t dest_task,
		 vm_address_t dest_address)
{
	kern_return_t kr = trap_vm_copy_to(target_task, address, size, dest_task, dest_address);

	if (kr == TRAP_BY_RPC)
		kr = vm_copy_to(target_task, address, size, dest_task, dest_address);
	return kr;
}

kern_return_t
trap_mach_port_allocate(mach_port_t task, mach_port_right_t right, mach_port_name_t *name)
{
	return trap_raw(TRAP_mach_port_allocate, task, right, (uint32_t)name, 0, 0);
}

kern_return_t
trap_mach_port_deallocate(mach_port_t task, mach_port_name_t name)
{
	return trap_raw(TRAP_mach_port_deallocate, task, name, 0, 0, 0);
}

kern_return_t
trap_mach_port_destroy(mach_port_t task, mach_port_name_t name)
{
	return trap_raw(TRAP_mach_port_destroy, task, name, 0, 0, 0);
}

kern_return_t
trap_mach_port_mod_refs(mach_port_t task, mach_port_name_t name, mach_port_right_t right, mach_port_delta_t delta)
{
	return trap_raw(TRAP_mach_port_mod_refs, task, name, right, (uint32_t)delta, 0);
}

/* The trap for this kernel's task ports; the RPC for any other port, which answers as Mach would. */
kern_return_t
mach_port_allocate(mach_port_t task, mach_port_right_t right, mach_port_name_t *name)
{
	kern_return_t kr = trap_mach_port_allocate(task, right, name);

	return kr == TRAP_BY_RPC ? mach_port_allocate_rpc(task, right, name) : kr;
}

kern_return_t
mach_port_deallocate(mach_port_t task, mach_port_name_t name)
{
	kern_return_t kr = trap_mach_port_deallocate(task, name);

	return kr == TRAP_BY_RPC ? mach_port_deallocate_rpc(task, name) : kr;
}

kern_return_t
mach_port_destroy(mach_port_t task, mach_port_name_t name)
{
	kern_return_t kr = trap_mach_port_destroy(task, name);

	return kr == TRAP_BY_RPC ? mach_port_destroy_rpc(task, name) : kr;
}

kern_return_t
mach_port_mod_refs(mach_port_t task, mach_port_name_t name, mach_port_right_t right, mach_port_delta_t delta)
{
	kern_return_t kr = trap_mach_port_mod_refs(task, name, right, delta);

	return kr == TRAP_BY_RPC ? mach_port_mod_refs_rpc(task, name, right, delta) : kr;
}
