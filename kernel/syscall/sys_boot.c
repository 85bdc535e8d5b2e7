/*
 * Boot-module traps: how the bootstrap task learns what the loader brought and
 * starts it. Privileged: each takes a send right to the privileged host port
 * first, which the kernel gives only to the bootstrap task (KERN_INVALID_HOST
 * for any other name).
 */
#include <kern/boot.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/loader.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include "layout.h"

/* boot_module_count(host_priv, *count) */
kern_return_t
sys_boot_module_count(const struct trap_args *args)
{
	if (!ipc_holds_host_priv(curtask(), args->a[0]))
		return KERN_INVALID_HOST;
	return copyout(curtask(), &boot_module_count, args->a[1], sizeof boot_module_count);
}

/* boot_module_info(host_priv, index, cmdline, size, *bytes) */
kern_return_t
sys_boot_module_info(const struct trap_args *args)
{
	uint32_t index = args->a[1], size = args->a[3];
	uintptr_t ucmd = args->a[2], ubytes = args->a[4];
	char line[BOOT_CMDLINE_MAX];
	struct boot_module *m;
	kern_return_t kr;
	size_t n;

	if (!ipc_holds_host_priv(curtask(), args->a[0]))
		return KERN_INVALID_HOST;
	if (index >= boot_module_count || size == 0 || size > TRAP_CMDLINE_MAX)
		return KERN_INVALID_ARGUMENT;
	m = &boot_modules[index];
	n = strlcpy(line, m->cmdline, MIN(size, sizeof line));
	n = MIN(n, MIN(size, sizeof line) - 1);
	/* check both destinations before writing either */
	kr = copyout_check(curtask(), ubytes, sizeof m->size);
	if (kr == KERN_SUCCESS)
		kr = copyout_check(curtask(), ucmd, n + 1);
	if (kr != KERN_SUCCESS)
		return kr;
	copyout(curtask(), &m->size, ubytes, sizeof m->size);
	copyout(curtask(), line, ucmd, n + 1);
	return KERN_SUCCESS;
}

/* boot_module_read(host_priv, index, offset, buf, len) */
kern_return_t
sys_boot_module_read(const struct trap_args *args)
{
	uint32_t index = args->a[1], offset = args->a[2], len = args->a[4];
	uintptr_t ubuf = args->a[3];
	struct boot_module *m;

	if (!ipc_holds_host_priv(curtask(), args->a[0]))
		return KERN_INVALID_HOST;
	if (index >= boot_module_count)
		return KERN_INVALID_ARGUMENT;
	m = &boot_modules[index];
	if (offset > m->size || len > m->size - offset)
		return KERN_INVALID_ARGUMENT;
	return copyout(curtask(), (const uint8_t *)P2V(m->start) + offset, ubuf, len);
}

/*
 * The port behind host_port, a send right in the caller's space that the new
 * task is to get as its TASK_HOST_PORT, with a reference for the caller;
 * NULL for MACH_PORT_NULL.
 */
static kern_return_t
host_port_to_give(struct task *caller, mach_port_name_t host_port, struct port **out)
{
	struct port *p = NULL;
	kern_return_t kr = KERN_SUCCESS;
	uint32_t f;

	if (host_port == MACH_PORT_NULL) {
		*out = NULL;
		return KERN_SUCCESS;
	}
	f = ipc_space_lock(caller->space);
	kr = right_check_locked(caller->space, host_port, MACH_MSG_TYPE_COPY_SEND, &p);
	if (kr == KERN_SUCCESS)
		port_ref(p);
	ipc_space_unlock(caller->space, f);
	if (kr == KERN_INVALID_CAPABILITY)	/* a dead name */
		kr = KERN_INVALID_RIGHT;
	*out = p;
	return kr;
}

/* boot_module_start(host_priv, index, host_port, *task_id, *task_port) */
kern_return_t
sys_boot_module_start(const struct trap_args *args)
{
	uint32_t index = args->a[1];
	uintptr_t uid = args->a[3], uport = args->a[4];
	struct boot_module *m;
	struct task *t, *caller = curtask();
	struct port *host_port;
	enum elf_error why;
	mach_port_name_t name = MACH_PORT_NULL;
	kern_return_t kr;
	uint32_t f;

	if (!ipc_holds_host_priv(caller, args->a[0]))
		return KERN_INVALID_HOST;
	if (index >= boot_module_count)
		return KERN_INVALID_ARGUMENT;
	/* a task that cannot receive the id would lose it: check before starting */
	kr = copyout_check(caller, uid, sizeof(uint32_t));
	if (kr == KERN_SUCCESS && uport)
		kr = copyout_check(caller, uport, sizeof name);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = host_port_to_give(caller, args->a[2], &host_port);
	if (kr != KERN_SUCCESS)
		return kr;
	m = &boot_modules[index];
	kr = loader_start_task_from(P2V(m->start), m->size, m->cmdline, caller, host_port, &t, &why);
	if (host_port) {
		f = ipc_begin();
		port_unref(host_port);
		ipc_end(f);
	}
	if (kr == KERN_INVALID_OBJECT)
		kprintf("kernel: boot module %u (%s): %s\n", index, m->cmdline, elf_error_string(why));
	if (kr != KERN_SUCCESS)
		return kr;
	if (uport) {	/* a send right to the new task's port, to control it or watch it die */
		struct port *tp;
		f = ipc_space_lock(caller->space);
		tp = ipc_task_copy_special(t, &t->self);
		if (tp)
			right_copyout(caller->space, tp, MACH_MSG_TYPE_PORT_SEND, &name);
		ipc_space_unlock(caller->space, f);
		kr = copyout(caller, &name, uport, sizeof name);
	}
	if (kr == KERN_SUCCESS)
		kr = copyout(caller, &t->id, uid, sizeof t->id);
	if (kr != KERN_SUCCESS) {
		/* checked first, but a sibling took the memory away: the caller cannot know
		 * the task, so it does not go on running unknown */
		if (name) {
			f = ipc_space_lock(caller->space);
			right_deallocate_locked(caller->space, name);
			ipc_space_unlock(caller->space, f);
		}
		task_terminate(t, TASK_KILLED, 0);
		task_wait(t, 0);
		kr = KERN_INVALID_ADDRESS;
	}
	task_unref(t);
	return kr;
}
