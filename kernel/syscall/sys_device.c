/*
 * Device traps: what a driver does so often that a kernel RPC on the device
 * port costs too much. Granting stays with device.defs (kernel/dev/device_rpc.c);
 * a trap here only uses what was granted to the calling task.
 */
#include <kern/device.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/task.h>

/* device_intr_ack(irq): unmasks a line the calling task attached (kernel/dev/irq.c). */
kern_return_t
sys_device_intr_ack(const struct trap_args *args)
{
	return device_irq_ack_self(curtask(), args->a[0]);
}
