/*
 * Device access for driver tasks (kernel/dev/, device.defs): I/O ports through
 * the TSS's I/O bitmap, interrupts as messages, device memory and DMA memory
 * mapped into the driver. Everything is granted through the device master
 * port, which the kernel gives only to the privileged host port's holders
 * (host_get_device_port), and all of it goes with the task that holds it.
 *
 * device_lock, a mutex, serializes every grant and a task's finish (so
 * nothing is granted to a task whose resources went). Lock order:
 * device_lock -> map_lock -> a port's lock -> irq_lock -> sched_lock -> iopb_lock.
 */
#ifndef KERN_DEVICE_H
#define KERN_DEVICE_H

#include <stdint.h>
#include <kern/mutex.h>
#include <mach/kern_return.h>

struct port;
struct task;

#define DEVICE_DMA_MAX	(4u << 20)	/* DMA memory one task may hold, in bytes */
#define DEVICE_NIRQ	16		/* the two 8259s' lines */

extern struct port *device_port;	/* [I] the device master port */
extern struct kmutex device_lock;

void device_init(void);
/* The task is finished: its interrupts are masked and detached, its ports taken back. No lock held. */
void device_task_finish(struct task *t);

/* irq.c */
void device_irq_init(void);
/* From trap(), interrupts off: line irq interrupted. It is masked; the message goes later. */
void device_irq_interrupt(int irq);
kern_return_t device_irq_attach(struct task *t, int irq, struct port *port);
kern_return_t device_irq_ack(struct task *t, int irq);
/* The trap's ack: t's own line only (KERN_NO_ACCESS), irq < DEVICE_NIRQ (KERN_INVALID_ARGUMENT). No lock held. */
kern_return_t device_irq_ack_self(struct task *t, uint32_t irq);
kern_return_t device_irq_detach(struct task *t, int irq);
/* Every line t holds. device_lock held. */
void device_irq_release_task_locked(struct task *t);

/* arch/i386/iopb.c. device_lock held. */
kern_return_t arch_io_grant(struct task *t, uint32_t base, uint32_t count);
void arch_io_release(struct task *t);

#endif
