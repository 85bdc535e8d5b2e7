/*
 * Tasks: an address space (pmap, until the VM issue adds maps) and the threads
 * that run in it. A task dies as a whole: its threads stop at their next return
 * to user mode (or when woken from a wait), the reaper frees their stacks, and
 * the last one out frees the address space and wakes those waiting for it.
 */
#ifndef KERN_TASK_H
#define KERN_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/list.h>
#include <kern/sched.h>
#include <kern/spinlock.h>

struct pmap;

enum task_state { TASK_ALIVE, TASK_DYING, TASK_DEAD };

/* How a task ended. */
enum task_end { TASK_EXITED, TASK_FAULTED, TASK_KILLED };

/*
 * [I] set at creation   [L] task->lock   [S] sched_lock   [G] tasks_lock   [A] atomic
 * [M] map_lock (taken after sched_lock, before pmap, kmem and page locks)
 */
struct task {
	struct spinlock lock;
	uint32_t id;			/* [I] */
	char name[32];			/* [I] */
	struct pmap *pmap;		/* [I] */
	enum task_state state;		/* [L] */
	enum task_end end;		/* [L] valid once DYING */
	int exit_status;		/* [L] exit code, or the fault's trap number */
	struct list threads;		/* [L] */
	int nthreads;			/* [L] */
	bool finishing;			/* [L] task_finish has started: only once */
	uint32_t user_brk;		/* [L] end of the loaded image */
	uint32_t user_entry;		/* [I] the program's entry point */
	struct list map;		/* [M] struct vm_region, by address (kern/vm_map.h) */
	struct spinlock map_lock;	/* [M] */
	uint32_t object_regions;	/* [M] regions mapping a memory object: 0 spares the checks */
	struct ipc_space *space;	/* [I] its port names (kern/ipc.h); NULL once dead */
	struct port *self;		/* [S] the task port, NULL once dead */
	uint32_t self_name;		/* [I] its first name for its own task port */
#define TASK_SPECIAL_PORTS 3
	struct port *special[TASK_SPECIAL_PORTS];	/* [S] send rights: bootstrap, exception, host */
	struct waitq death;		/* [S] woken when the task is DEAD */
	uint32_t suspend_count;		/* [S] task_suspend minus task_resume */
	struct list all_link;		/* [G] */
	uint32_t refs;			/* [A] */
};

extern struct task *kernel_task;

void task_init(void);
int task_create(const char *name, struct task **out);
void task_ref(struct task *t);
void task_unref(struct task *t);
void task_add_thread(struct task *task, struct thread *t);
struct thread *task_start_thread(struct task *task, uint32_t eip, uint32_t esp);
struct thread *task_create_suspended_thread(struct task *task);
uint32_t task_resident_pages(struct task *t);
/* Fills up to max summaries (ps's view, oldest task first); returns how many tasks there are. */
struct manifold_task_summary;
uint32_t task_summaries(struct manifold_task_summary *out, uint32_t max);
void task_terminate(struct task *task, enum task_end end, int status);
/* Waits until the task is DEAD; timeout 0 waits forever. Returns 0, or -1 on timeout. */
int task_wait(struct task *task, uint64_t timeout_ticks);
struct task *curtask(void);
void task_start_reaper(void);
/* On the way back to user mode: exits if told to, waits while suspended. */
void task_check_kill(void);
/* Ends a task that has no threads (one made by task_create): frees it now. */
void task_finish_threadless(struct task *t);
int task_count(void);
struct task *task_find(uint32_t id);
void task_print_all(void);

#endif
