/*
 * The device master port and a driver's end: the port is a kernel object
 * (KOBJ_DEVICE) whose requests kobject.c hands to the generated decoder of
 * device.defs (device_rpc.c has the handlers). Nothing is kept per driver
 * here but what the task struct, the map and irq.c hold; a finished task gives
 * it all back in device_task_finish, before its map goes (which takes its
 * device and DMA regions with it).
 */
#include <kern/device.h>
#include <kern/vm_map.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/task.h>

struct port *device_port;
struct kmutex device_lock = KMUTEX_INIT(device_lock, "device");

void
device_init(void)
{
	device_port = kobject_port_create(KOBJ_DEVICE, (void *)1);
	if (!device_port)
		panic("no memory for the device port");
	device_irq_init();
	vm_dma_hold_init();
}

void
device_task_finish(struct task *t)
{
	kmutex_lock(&device_lock);
	t->device_done = true;
	device_irq_release_task_locked(t);
	if (t->iobitmap)
		arch_io_release(t);
	kmutex_unlock(&device_lock);
}
