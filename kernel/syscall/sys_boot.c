/*
 * Boot-module traps: how the bootstrap task learns what the loader brought and
 * starts it. Once the name server and IPC exist, the bootstrap keeps using these
 * to start the first servers.
 */
#include <kern/boot.h>
#include <kern/copyio.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/loader.h>
#include <kern/syscall.h>
#include <kern/task.h>
#include "layout.h"

kern_return_t
sys_boot_module_count(const struct trap_args *args)
{
	return copyout(curtask(), &boot_module_count, args->a[0], sizeof boot_module_count);
}

kern_return_t
sys_boot_module_info(const struct trap_args *args)
{
	uint32_t index = args->a[0], size = args->a[2];
	uintptr_t ucmd = args->a[1], ubytes = args->a[3];
	char line[BOOT_CMDLINE_MAX];
	struct boot_module *m;
	kern_return_t kr;
	size_t n;

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

kern_return_t
sys_boot_module_start(const struct trap_args *args)
{
	uint32_t index = args->a[0];
	uintptr_t uid = args->a[1], uport = args->a[2];
	struct boot_module *m;
	struct task *t, *caller = curtask();
	enum elf_error why;
	mach_port_name_t name = MACH_PORT_NULL;
	kern_return_t kr;
	uint32_t f;

	if (index >= boot_module_count)
		return KERN_INVALID_ARGUMENT;
	/* a task that cannot receive the id would lose it: check before starting */
	kr = copyout_check(caller, uid, sizeof(uint32_t));
	if (kr == KERN_SUCCESS && uport)
		kr = copyout_check(caller, uport, sizeof name);
	if (kr != KERN_SUCCESS)
		return kr;
	m = &boot_modules[index];
	kr = loader_start_task_from(P2V(m->start), m->size, m->cmdline, caller, &t, &why);
	if (kr == KERN_INVALID_OBJECT)
		kprintf("kernel: boot module %u (%s): %s\n", index, m->cmdline, elf_error_string(why));
	if (kr != KERN_SUCCESS)
		return kr;
	if (uport) {	/* a send right to the new task's port, to control it or watch it die */
		f = spin_lock_irqsave(&sched_lock);
		if (t->self) {
			t->self->refs++;
			t->self->srights++;
			right_copyout_locked(caller->space, t->self, MACH_MSG_TYPE_PORT_SEND, &name);
		}
		spin_unlock_irqrestore(&sched_lock, f);
		copyout(caller, &name, uport, sizeof name);
	}
	copyout(caller, &t->id, uid, sizeof t->id);
	task_unref(t);
	return KERN_SUCCESS;
}
