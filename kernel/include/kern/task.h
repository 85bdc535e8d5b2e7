/*
 * Tasks: an address space (map and pmap), a port name space and the threads
 * that run in it. A task dies as a whole: task_terminate makes it inactive
 * and tells its threads to stop at their next return to user mode (or when
 * woken from a wait); the reaper frees their stacks, and once none is left it
 * finishes the task: rights, regions and pages go at once, the task port dies
 * and those waiting for the death wake. The struct, the empty space and the
 * page directory stay until the last reference goes; the reaper frees them.
 *
 * References (refs) keep the struct task, its space, map and pmap allocated,
 * never its contents: one for the task's existence (dropped when it is
 * finished), one per thread (dropped when the reaper frees the thread), and
 * one per holder (a call working on the task, the loader's caller, ...). A
 * holder checks `active` (or the space's or map's own flag) under the lock
 * that guards what it then touches: an inactive task refuses new threads,
 * names and regions with a named error.
 */
#ifndef KERN_TASK_H
#define KERN_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/list.h>
#include <kern/mutex.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <manifold/syscall_inputs.h>
#include <manifold/task_limits.h>
#include <mach/kern_return.h>

struct pmap;
struct port;

enum task_state { TASK_ALIVE, TASK_DYING, TASK_DEAD };

/* How a task ended. */
enum task_end { TASK_EXITED, TASK_FAULTED, TASK_KILLED };

/*
 * [I] set at creation   [L] task->lock   [S] sched_lock   [K] task->itk_lock   [G] tasks_lock   [A] atomic
 * [L+S] written holding task->lock and sched_lock, read holding either
 * [M] map_lock, a mutex (kern/mutex.h): never taken under a spin lock, so before
 *     every spin lock
 */
struct task {
	struct spinlock lock;
	uint32_t id;			/* [I] */
	char name[32];			/* [I] */
	struct pmap *pmap;		/* [I] emptied when the task is finished, freed with it */
	bool active;			/* [L+S] false once it is terminated or its last thread is gone */
	enum task_state state;		/* [L+S] */
	enum task_end end;		/* [L+S] valid once DYING */
	int exit_status;		/* [L+S] exit code, or the fault's trap number */
	struct list threads;		/* [L+S] */
	int nthreads;			/* [L+S] */
	bool finishing;			/* [L+S] handed to the reaper to finish: only once */
	uint32_t user_brk;		/* [L] end of the loaded image */
	uint32_t user_entry;		/* [I] the program's entry point */
	struct list map;		/* [M] struct vm_region, by address (kern/vm_map.h) */
	struct kmutex map_lock;		/* [M] a sleeping lock: fork and large unmaps run preemptible */
	bool map_active;		/* [M] false once finished: no region can be added */
	uint32_t object_regions;	/* [M] regions mapping a memory object: 0 spares the checks */
	struct ipc_space *space;	/* [I] its port names (kern/ipc.h), inactive once finished */
	struct spinlock itk_lock;	/* its ports and its threads': after its space's lock, before any port's */
	struct port *self;		/* [K] the task port, NULL once finished */
#define TASK_SPECIAL_PORTS 3
	struct port *special[TASK_SPECIAL_PORTS];	/* [K] send rights: bootstrap, host, syscall
							 * (task_special_slot) */
	struct exc_action exc_actions[EXC_TYPES_COUNT];	/* [K] its exception ports, per type: what
							 * TASK_EXCEPTION_PORT sets (kern/exc_ports.h) */
	struct port *sself;		/* [K] send right: TASK_KERNEL_PORT as set, what mach_task_self
					 * gives (an interposer's port); NULL: the task port */
	struct waitq death;		/* [S] woken when the task is DEAD */
	struct waitq thread_gone;	/* [S] woken each time the reaper has freed one of its threads */
	uint32_t suspend_count;		/* [S] task_suspend minus task_resume */
	struct list reap_link;		/* [S] on the reaper's list of tasks to finish or to free */
	uint32_t limits[TASK_LIMITS_COUNT];	/* [L+S] abi/manifold/task_limits.h; the kernel's: none */
	struct syscall_inputs *sysin;	/* [L] what int 0x80's requests carry (kern/syscall_inputs.h); NULL: none */
	uint32_t sysin_calls[SYSCALL_INPUT_NR_MAX / 32];	/* [L] to write, read without: bit n set when
					 * sysin names call n (syscall_inputs_may_name) */
	struct ledger *kmem;		/* [I] charged for its queued messages; NULL for the kernel */
	uint32_t children;		/* [L] tasks created from it that are not finished */
	struct task *parent;		/* [I] the task it was created from, with a reference; NULL
					 * for the kernel's and boot modules' */
	struct list all_link;		/* [G] */
	uint32_t refs;			/* [A] see above */
	/* Device access (kern/device.h): [D] written under device_lock and iopb_lock, read under either */
	uint8_t *iobitmap;		/* [D] its I/O permission bitmap (arch/i386/iopb.c); NULL: no port */
	uint32_t io_bytes;		/* [D] the bitmap's first bytes, where a port may be allowed */
	bool device_done;		/* [D] finished: nothing more can be granted to it */
};

extern struct task *kernel_task;

void task_init(void);
/* A new task, with two references: its existence's and the caller's. */
int task_create(const char *name, struct task **out);
/* task_create's: a task made from parent, with its limits, counted against its TASK_LIMIT_TASKS. */
kern_return_t task_create_child(struct task *parent, struct task **out);
/* The kernel's own choice of a limit (the bootstrap's TASK_LIMIT_TASKS), above what task_set_limits allows. */
void task_raise_limit(struct task *t, int which, uint32_t value);
/* What t uses of each of its limits. t->lock held. */
void task_usage_locked(struct task *t, uint32_t usage[TASK_LIMITS_COUNT]);
void task_ref(struct task *t);
/* Caller holds no spin lock: the last reference hands the task to the reaper. */
void task_unref(struct task *t);
/* Whether the task is neither terminated nor finished (a snapshot, under task->lock). */
bool task_alive(struct task *t);
/*
 * Adds a new thread (thread_alloc's) to the task and makes it runnable.
 * KERN_INVALID_ARGUMENT: the task is dying; KERN_RESOURCE_SHORTAGE: at its TASK_LIMIT_THREADS.
 */
kern_return_t task_add_thread(struct task *task, struct thread *t);
struct thread *task_start_thread(struct task *task, uint32_t eip, uint32_t esp);
/*
 * A thread for thread_create, suspended once, registers zero until set; a send
 * right to its port in *right. KERN_INVALID_ARGUMENT if the task is dying,
 * KERN_RESOURCE_SHORTAGE at its limit or out of memory.
 */
kern_return_t task_create_suspended_thread(struct task *task, struct port **right);
uint32_t task_resident_pages(struct task *t);
/* Fills up to max summaries (ps's view, oldest task first); returns how many tasks there are. */
struct manifold_task_summary;
uint32_t task_summaries(struct manifold_task_summary *out, uint32_t max);
/* Makes the task inactive and its threads leave; returns at once (see task_wait). */
void task_terminate(struct task *task, enum task_end end, int status);
/*
 * Waits until the task is DEAD; timeout 0 waits forever. Returns 0, or -1 on
 * timeout or when the calling thread is told to exit meanwhile.
 */
int task_wait(struct task *task, uint64_t timeout_ticks);
/* The running thread's task. */
static inline struct task *curtask(void) { return curthread()->task; }
void task_start_reaper(void);
/*
 * On the way back to user mode: exits if told to, waits while suspended.
 * Inline, the look that finds nothing asked, as at nearly every trap's end
 * (without sched_lock: task.c says why that is enough); the rest is
 * task_check_kill_asked's.
 */
void task_check_kill_asked(void);
static inline void
task_check_kill(void)
{
	struct thread *t = curthread();

	if (t->kill_pending || t->suspend_count || t->task->suspend_count)
		task_check_kill_asked();
}
int task_count(void);
struct task *task_find(uint32_t id);

/* thread.c */
/* Tells th to exit (thread_terminate's core). Caller holds sched_lock. */
void thread_terminate_locked(struct thread *th);
/*
 * Waits until the reaper has freed task's thread number id (the caller holds
 * a reference to task), or until the calling thread is told to exit.
 */
void thread_wait_gone(struct task *task, uint32_t id);

#endif
