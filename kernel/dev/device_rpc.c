/*
 * device.defs' handlers: what a holder of the device master port asks for a
 * task (named by its task port). Each checks its arguments, finds the task,
 * then, under device_lock, refuses a task that is finished (its resources went
 * in device_task_finish and nothing may be granted it after) before it
 * commits. On success a handler owns the request's rights (kern/msgc_kernel.h):
 * the task port's right is let go here, an interrupt's port is irq.c's.
 */
#include <kern/device.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/page.h>
#include <kern/task.h>
#include <kern/vm_map.h>
#include "device_kserver.h"
#include "layout.h"

/* The task behind a task port a request carried, with a reference; NULL for any other port. */
struct task *
task_of_port(struct port *p)
{
	struct task *t = NULL;
	uint32_t f;

	if (!p)
		return NULL;
	f = ipc_begin();
	port_lock(p);
	if (p->active && p->kotype == KOBJ_TASK && p->kobject) {
		t = p->kobject;
		task_ref(t);
	}
	port_unlock(p);
	ipc_end(f);
	return t;
}

/* The end of a call that found t through task_of_port: on success the port's right is ours to let go. */
kern_return_t
task_of_port_done(struct task *t, struct port *task_port, kern_return_t kr)
{
	if (kr == KERN_SUCCESS) {
		uint32_t f = ipc_begin();
		right_destroy_carried(task_port, MACH_MSG_TYPE_PORT_SEND);
		ipc_end(f);
	}
	task_unref(t);
	return kr;
}

kern_return_t
kdo_device_io_port_grant(struct port *device, struct port *task, uint32_t base, uint32_t count)
{
	struct task *t = task_of_port(task);
	kern_return_t kr;

	if (!t)
		return KERN_INVALID_TASK;
	kmutex_lock(&device_lock);
	kr = t->device_done ? KERN_INVALID_TASK : arch_io_grant(t, base, count);
	kmutex_unlock(&device_lock);
	return task_of_port_done(t, task, kr);
}

kern_return_t
kdo_device_intr_attach(struct port *device, struct port *task, uint32_t irq, struct port *port)
{
	struct task *t;
	kern_return_t kr;

	if (irq >= DEVICE_NIRQ || !port)
		return KERN_INVALID_ARGUMENT;
	if (!(t = task_of_port(task)))
		return KERN_INVALID_TASK;
	kr = device_irq_attach(t, (int)irq, port);	/* takes the port's right on success */
	return task_of_port_done(t, task, kr);
}

/* ack and detach: op on a line the task attached. */
static kern_return_t
on_line(struct port *task, uint32_t irq, kern_return_t (*op)(struct task *, int))
{
	struct task *t;

	if (irq >= DEVICE_NIRQ)
		return KERN_INVALID_ARGUMENT;
	if (!(t = task_of_port(task)))
		return KERN_INVALID_TASK;
	return task_of_port_done(t, task, op(t, (int)irq));
}

kern_return_t
kdo_device_intr_ack(struct port *device, struct port *task, uint32_t irq)
{
	return on_line(task, irq, device_irq_ack);
}

kern_return_t
kdo_device_intr_detach(struct port *device, struct port *task, uint32_t irq)
{
	return on_line(task, irq, device_irq_detach);
}

kern_return_t
kdo_device_map(struct port *device, struct port *task, uint32_t phys, uint32_t size, uint32_t *address)
{
	struct task *t;
	kern_return_t kr;
	uint32_t addr;

	if ((phys & (PAGE_SIZE - 1)) || size == 0 || size > UINT32_MAX - (PAGE_SIZE - 1))
		return KERN_INVALID_ARGUMENT;
	size = ROUND_UP(size, PAGE_SIZE);
	if (phys + (size - 1) < phys)
		return KERN_INVALID_ARGUMENT;	/* past 4 GiB */
	if (page_range_has_ram(phys, size))
		return KERN_INVALID_ADDRESS;	/* RAM is the kernel's to give: DMA memory is how */
	if (!(t = task_of_port(task)))
		return KERN_INVALID_TASK;
	kmutex_lock(&device_lock);
	kr = t->device_done ? KERN_INVALID_TASK : vm_map_device(t, &addr, phys, size, VM_DEVICE_MMIO);
	kmutex_unlock(&device_lock);
	if (kr == KERN_SUCCESS)
		*address = addr;
	return task_of_port_done(t, task, kr);
}

kern_return_t
kdo_device_dma_allocate(struct port *device, struct port *task, uint32_t size, uint32_t phys_limit,
			uint32_t *address, uint32_t *phys)
{
	struct task *t;
	kern_return_t kr = KERN_SUCCESS;
	uint32_t addr = 0;
	paddr_t pa = 0;

	if (size == 0)
		return KERN_INVALID_ARGUMENT;
	if (size > DEVICE_DMA_MAX)
		return KERN_RESOURCE_SHORTAGE;
	size = ROUND_UP(size, PAGE_SIZE);
	if (phys_limit && (phys_limit < size || phys_limit - size < page_lowest_allocatable()))
		return KERN_INVALID_ADDRESS;	/* no allocatable RAM could ever be there */
	if (!(t = task_of_port(task)))
		return KERN_INVALID_TASK;
	kmutex_lock(&device_lock);
	if (t->device_done)
		kr = KERN_INVALID_TASK;
	else if (vm_map_device_size(t, VM_DEVICE_DMA) + size > DEVICE_DMA_MAX)
		kr = KERN_RESOURCE_SHORTAGE;
	else if (!(pa = page_alloc_contig(size / PAGE_SIZE, phys_limit)))
		kr = KERN_RESOURCE_SHORTAGE;
	else
		kr = vm_map_device(t, &addr, pa, size, VM_DEVICE_DMA);	/* frees the pages on failure */
	kmutex_unlock(&device_lock);
	if (kr == KERN_SUCCESS) {
		*address = addr;
		*phys = pa;
	}
	return task_of_port_done(t, task, kr);
}
