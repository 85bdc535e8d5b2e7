/*
 * Interrupts as messages (device.defs' device_intr_*, device_intr.defs). The
 * handler runs with interrupts off, but never inside a spin lock's hold (each
 * keeps interrupts off). It masks the line and, when the driver already waits
 * in its receive, puts the message (msgc -K's kreq_device_intr) straight into
 * its buffer by the IPC fast path, which needs only spin locks and never
 * faults. Otherwise it marks the line pending and wakes the irq thread, a
 * kernel thread that sends each pending line's message to the port its
 * driver attached, as pager_msg.c sends a pager's, with the port's lock and
 * nothing else held (a kmsg of the heap, queued). The line stays masked until
 * the driver acks, so a line sends one message per ack, and a driver that
 * never acks gets no more. A line the kernel uses itself (the timer, the
 * cascade, COM1) is never given out.
 *
 * Locks: device_lock (a mutex) for owner and port, taken by attach, ack,
 * detach, a task's finish and the irq thread around its sends, so that a
 * port is not let go while a message is built for it; irq_lock, taken by the
 * handler, for what it touches and for the 8259's mask.
 */
#include <kern/arch.h>
#include <kern/device.h>
#include <kern/ipc.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/sched.h>
#include <kern/task.h>
#include "device_intr_kuser.h"
#include "pic.h"

struct irq_line {
	struct task *owner;	/* [device_lock] the driver; NULL: free (finish clears it) */
	struct port *port;	/* [device_lock] a send right the kernel holds */
	bool attached;		/* [irq_lock] the handler's view of owner */
	bool pending;		/* [irq_lock] interrupted, message not sent yet */
	uint32_t count;		/* [irq_lock] interrupts since it was attached */
};

static struct irq_line lines[DEVICE_NIRQ];
static struct spinlock irq_lock = SPINLOCK_INIT("irq", LOCK_RANK_IRQ);
static struct waitq irq_wq;		/* [sched_lock] the irq thread waits for a pending line */
static bool any_pending;		/* [irq_lock] */

/*
 * The lines the kernel drives itself (arch/i386: pit.c, the cascade, uart.c),
 * and IRQ 8 while the HPET keeps time (timer.c): its legacy route, the only one
 * a machine without an I/O APIC has, takes IRQ 8 from the RTC along with IRQ 0
 * from the 8254, so a driver of the RTC would wait for interrupts that never
 * come. It is refused instead (boot with hpet=off to drive the RTC).
 */
static bool
kernel_line(int irq)
{
	return irq == 0 || irq == 2 || irq == 4 || (irq == 8 && arch_timer_tickless());
}

/*
 * The message straight from the handler, when the driver already waits in
 * its receive: the fast path's delivery of a kernel request into its buffer
 * (ipc_fastpath_kernel_request), which takes spin locks only and faults
 * nothing in, so it may run here: the interrupted code holds no spin lock,
 * since every one keeps interrupts off. It spares each interrupt the irq
 * thread's two switches, its pass over the lines and a kmsg of the heap.
 * False, with nothing sent, leaves the message to the irq thread. p holds a
 * reference of the caller's.
 */
static struct kmsg_room intr_room;	/* the handler's own: it runs with interrupts off and never nests */

static bool
send_intr_now(struct port *p, int irq, uint32_t count)
{
	struct kmsg *k = &intr_room.k;

	port_lock(p);
	if (!p->active || p->kotype != KOBJ_NONE) {
		port_unlock(p);
		return false;
	}
	port_copy_send_locked(p);	/* the right the message carries */
	port_unlock(p);
	if (kreq_device_intr(&k, p, MACH_MSG_TYPE_PORT_SEND, (uint32_t)irq, count) == KERN_SUCCESS &&
	    ipc_fastpath_kernel_request(p, k, false, NULL))
		return true;
	right_destroy_carried(p, MACH_MSG_TYPE_PORT_SEND);	/* not the last: the line holds one */
	return false;
}

/* The line's message is for the irq thread to send. irq_lock held. */
static void
mark_pending_locked(struct irq_line *l)
{
	l->pending = true;
	any_pending = true;
	spin_lock_irqoff(&sched_lock);
	waitq_wake_all_locked(&irq_wq);
	spin_unlock_irqoff(&sched_lock);
}

void
device_irq_interrupt(int irq)
{
	struct irq_line *l = &lines[irq];
	struct port *now = NULL;
	uint32_t count = 0;

	spin_lock_irqoff(&irq_lock);
	pic_mask(irq);		/* a spurious or stray one stays masked too: nobody has the line */
	if (l->attached) {
		l->count++;
		if (l->pending || !ipc_fastpath_enabled) {	/* after the one the thread has yet to send */
			mark_pending_locked(l);
		} else {	/* attached: the line's port and its right are there until release clears it */
			now = l->port;
			count = l->count;
			port_ref(now);
		}
	}
	spin_unlock_irqoff(&irq_lock);
	if (!now)
		return;
	if (!send_intr_now(now, irq, count)) {
		spin_lock_irqoff(&irq_lock);
		if (l->attached)
			mark_pending_locked(l);
		spin_unlock_irqoff(&irq_lock);
	}
	port_unref(now);	/* never the last here: the line's right holds one until release_locked */
}

/* Sends line irq's message. False: no memory for it now. device_lock held. */
static bool
send_intr(struct irq_line *l, int irq, uint32_t count)
{
	uint32_t f = ipc_begin();
	struct port *p = l->port;
	struct kmsg *k = NULL;
	bool sent = true;

	/*
	 * A queue already full holds messages the driver has not read, which say
	 * the line interrupted: one more says nothing new (its count comes with
	 * the next), and the kernel's messages ignore the queue limit, so a
	 * driver that acks without reading (virtio_blk polls its used ring) would
	 * otherwise make the kernel hold one for every interrupt. Not sent, then,
	 * and the line stays masked until the driver's next ack.
	 */
	port_lock(p);
	if (p->active && p->kotype == KOBJ_NONE && p->msgcount < p->qlimit) {
		if (kreq_device_intr(&k, p, MACH_MSG_TYPE_PORT_SEND, (uint32_t)irq, count) == KERN_SUCCESS) {
			port_copy_send_locked(p);	/* the right the message holds */
			ipc_enqueue_locked(p, k);
		} else {
			sent = false;
		}
	}
	port_unlock(p);
	ipc_end(f);
	return sent;
}

/*
 * The irq thread: sends what the handler marked. A message that cannot be
 * built for want of memory stays pending and is tried again a tick later.
 */
static void
irq_thread(void *arg)
{
	for (;;) {
		bool retry = false;
		uint32_t f;

		kmutex_lock(&device_lock);
		f = spin_lock_irqsave(&irq_lock);
		any_pending = false;
		spin_unlock_irqrestore(&irq_lock, f);
		for (int irq = 0; irq < DEVICE_NIRQ; irq++) {
			struct irq_line *l = &lines[irq];
			bool pending;
			uint32_t count;

			f = spin_lock_irqsave(&irq_lock);
			pending = l->pending;
			count = l->count;
			l->pending = false;
			spin_unlock_irqrestore(&irq_lock, f);
			if (!pending || !l->owner || send_intr(l, irq, count))
				continue;
			f = spin_lock_irqsave(&irq_lock);
			l->pending = any_pending = retry = true;
			spin_unlock_irqrestore(&irq_lock, f);
		}
		kmutex_unlock(&device_lock);
		f = spin_lock_irqsave(&irq_lock);
		if (!any_pending || retry)
			waitq_wait_under(&irq_wq, retry ? 1 : 0, &irq_lock);
		spin_unlock_irqrestore(&irq_lock, f);
	}
}

void
device_irq_init(void)
{
	waitq_init(&irq_wq);
	if (!thread_create_kernel("irq", irq_thread, NULL, PRIO_KERNEL))
		panic("cannot start the irq thread");
}

kern_return_t
device_irq_attach(struct task *t, int irq, struct port *port)
{
	struct irq_line *l = &lines[irq];
	kern_return_t kr = KERN_SUCCESS;
	uint32_t f;

	if (kernel_line(irq))
		return KERN_NO_ACCESS;
	kmutex_lock(&device_lock);
	if (t->device_done)
		kr = KERN_INVALID_TASK;
	else if (l->owner)
		kr = KERN_RIGHT_EXISTS;
	if (kr == KERN_SUCCESS) {
		l->owner = t;
		l->port = port;
		f = spin_lock_irqsave(&irq_lock);
		l->attached = true;
		l->pending = false;
		l->count = 0;
		pic_unmask(irq);
		spin_unlock_irqrestore(&irq_lock, f);
	}
	kmutex_unlock(&device_lock);
	return kr;
}

kern_return_t
device_irq_ack(struct task *t, int irq)
{
	struct irq_line *l = &lines[irq];
	kern_return_t kr = KERN_INVALID_ARGUMENT;

	kmutex_lock(&device_lock);
	if (l->owner == t && !t->device_done) {
		uint32_t f = spin_lock_irqsave(&irq_lock);
		pic_unmask(irq);
		spin_unlock_irqrestore(&irq_lock, f);
		kr = KERN_SUCCESS;
	}
	kmutex_unlock(&device_lock);
	return kr;
}

/*
 * The device_intr_ack trap's half: the same unmask as device_irq_ack, for the
 * calling task alone and without device_lock, so that a driver's ack costs a
 * trap and not a kernel RPC (about 4,200 instructions through mach_msg). Under
 * irq_lock, attached says the owner is set and stays so: attach writes owner
 * before it sets attached, release clears attached before owner, both under
 * irq_lock. A task being finished may still unmask here between its
 * device_done and the release; the release masks the line again.
 */
kern_return_t
device_irq_ack_self(struct task *t, uint32_t irq)
{
	kern_return_t kr = KERN_NO_ACCESS;
	uint32_t f;

	if (irq >= DEVICE_NIRQ)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock_irqsave(&irq_lock);
	if (lines[irq].attached && lines[irq].owner == t) {
		pic_unmask((int)irq);
		kr = KERN_SUCCESS;
	}
	spin_unlock_irqrestore(&irq_lock, f);
	return kr;
}

/* Masks the line and lets its port go. device_lock held. */
static void
release_locked(struct irq_line *l, int irq)
{
	uint32_t f = spin_lock_irqsave(&irq_lock);

	pic_mask(irq);
	l->attached = false;
	l->pending = false;
	spin_unlock_irqrestore(&irq_lock, f);
	f = ipc_begin();
	right_destroy_carried(l->port, MACH_MSG_TYPE_PORT_SEND);
	ipc_end(f);
	l->owner = NULL;
	l->port = NULL;
}

kern_return_t
device_irq_detach(struct task *t, int irq)
{
	kern_return_t kr = KERN_INVALID_ARGUMENT;

	kmutex_lock(&device_lock);
	if (lines[irq].owner == t) {
		release_locked(&lines[irq], irq);
		kr = KERN_SUCCESS;
	}
	kmutex_unlock(&device_lock);
	return kr;
}

void
device_irq_release_task_locked(struct task *t)
{
	for (int irq = 0; irq < DEVICE_NIRQ; irq++)
		if (lines[irq].owner == t)
			release_locked(&lines[irq], irq);
}
