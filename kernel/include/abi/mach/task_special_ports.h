/*
 * A task's special ports (OSF Mach 3.0 numbering): rights the kernel keeps for a
 * task so that it can find its servers. A new task inherits its creator's
 * bootstrap port.
 */
#ifndef MACH_TASK_SPECIAL_PORTS_H
#define MACH_TASK_SPECIAL_PORTS_H

#define TASK_KERNEL_PORT	1	/* the task's own port */
#define TASK_HOST_PORT		2
#define TASK_EXCEPTION_PORT	3
#define TASK_BOOTSTRAP_PORT	4
#define TASK_SYSCALL_PORT	16	/* Manifold: where `int 0x80` goes (syscall.defs), never inherited */

/* A thread's special ports */
#define THREAD_KERNEL_PORT	1
#define THREAD_EXCEPTION_PORT	3

#endif
