/*
 * The kernel's lock order, as ranks: a lock is taken only while every spin
 * lock the CPU holds ranks lower (kern/lockcheck.c checks it when booted with
 * `lockcheck`). Locks of one rank are taken in address order. The sleeping
 * map lock (task->map_lock, kern/mutex.h) comes before all of them: a mutex
 * is taken with no spin lock held. kernel/README.md says why each is where it is.
 */
#ifndef KERN_LOCK_ORDER_H
#define KERN_LOCK_ORDER_H

#define LOCK_RANK_TASKS		10	/* the task list */
#define LOCK_RANK_TASK		20	/* one task's fields */
#define LOCK_RANK_SPACE		25	/* one task's names: a space before the ports it names */
#define LOCK_RANK_ITK		27	/* a task's special ports and its threads' (task->itk_lock) */
#define LOCK_RANK_PORT		30	/* one port: its queue, counts, requests (two: address order) */
#define LOCK_RANK_PSET		31	/* one port set: its members */
#define LOCK_RANK_TRANSIT	32	/* every port's in_transit_to: the chains of rights in transit */
#define LOCK_RANK_INPUT		35	/* console input: its readers wait under it */
#define LOCK_RANK_IRQ		36	/* device interrupt lines: wakes the irq thread under it */
#define LOCK_RANK_DMAHOLD	37	/* DMA pages held after their region went: wakes its thread under it */
#define LOCK_RANK_ALARM		38	/* the clocks' alarms (kern/clock_alarm.c): reads the clocks under it */
#define LOCK_RANK_SCHED		40	/* run queues, thread states, wait queues */
#define LOCK_RANK_IOPB		45	/* drivers' I/O bitmaps: loaded on a switch, under sched_lock */
#define LOCK_RANK_VM_OBJECT	50	/* memory objects */
#define LOCK_RANK_PMAP		60	/* one pmap's page tables (the kernel's too) */
#define LOCK_RANK_DEVMAP	65	/* the kernel's window for device memory */
#define LOCK_RANK_IPC_DEFER	68	/* IPC's deferred work and the messages of dead ports: a leaf (nothing
					 * is taken under it), so a right moved while the fast path holds the
					 * receiver's pmap may still record a notification */
#define LOCK_RANK_KMEM		70	/* the kernel heap */
#define LOCK_RANK_PAGE		80	/* the page pool */
#define LOCK_RANK_WALLTIME	84	/* the time of day: reads the clock under it */
#define LOCK_RANK_CLOCK		85	/* the tick count, read from under anything */
#define LOCK_RANK_CONSOLE	90	/* kprintf, from under anything */
#define LOCK_RANK_TEST		100	/* the in-kernel tests' own locks */

#endif
