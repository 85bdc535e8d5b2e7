/*
 * What one task may make the kernel hold: the limits task_get_limits and
 * task_set_limits (task.defs) read and write, as an array indexed by these
 * numbers. A task starts with the limits of the task it was created from
 * (task_create's target); a task started from a boot module starts with the
 * defaults below. Anyone holding a task's port may change its limits, but
 * never to more than the caller's own: no task can give itself or another
 * more than it has.
 *
 * Reaching a limit refuses the request that would pass it, with a named
 * error; nothing already made is taken away when a limit is lowered below
 * what is in use.
 */
#ifndef MANIFOLD_TASK_LIMITS_H
#define MANIFOLD_TASK_LIMITS_H

enum {
	TASK_LIMIT_NAMES,	/* port names in its space: KERN_NO_SPACE (and on receive,
				 * MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE or a lost right, as
				 * for a full space) */
	TASK_LIMIT_THREADS,	/* its threads: thread_create gives KERN_RESOURCE_SHORTAGE */
	TASK_LIMIT_TASKS,	/* live tasks created from it: task_create gives KERN_RESOURCE_SHORTAGE */
	TASK_LIMIT_KMEM,	/* bytes of kernel memory its queued messages hold (bodies and
				 * out-of-line data, charged to the sender until received or
				 * destroyed): mach_msg gives MACH_SEND_NO_BUFFER */
	TASK_LIMITS_COUNT
};

#define TASK_LIMIT_NAMES_DEFAULT	32768
#define TASK_LIMIT_THREADS_DEFAULT	256
#define TASK_LIMIT_TASKS_DEFAULT	64
/* The first task's (the bootstrap's), so that it may give a module more: a module line's tasks=N */
#define TASK_LIMIT_TASKS_BOOTSTRAP	4096
#define TASK_LIMIT_KMEM_DEFAULT		(32u * 1024 * 1024)	/* a 16 MiB message and room beside it */

#endif
