/*
 * Threads and the scheduler: preemptive, strict priority (0 is the most urgent,
 * as in Mach), round robin within a priority, a quantum of QUANTUM_TICKS.
 *
 * One lock, sched_lock, protects every run queue, every thread's scheduling
 * state and every wait queue, and nothing else. It is taken with interrupts
 * off, last of the spin locks but vm_object_lock, pmap, kmem and page locks
 * (a waiter's object lock, such as a port's, comes before it:
 * waitq_wait_dropping_locked).
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/exc_ports.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <mach/message.h>
#include "arch_thread.h"

#define NPRIO		32
#define PRIO_KERNEL	4	/* kernel service threads (reaper, tests) */
#define PRIO_USER	16	/* default for user threads */
#define PRIO_IDLE	NPRIO	/* below everything: only the idle thread */
#define QUANTUM_TICKS	5

struct task;
struct trapframe;
struct port;
struct kmsg;

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

/* Why a blocked thread woke up. */
enum wake_reason { WAKE_SIGNALED, WAKE_TIMEOUT, WAKE_ABORTED };

struct waitq {
	struct list threads;	/* [sched_lock] */
};

/*
 * A thread.   [I] set at creation   [S] sched_lock   [K] its task's itk_lock (kern/task.h)
 *             [T] task->lock   [O] only the thread itself (and thread_free, once it is gone)
 *             [W] written by the thread itself before it waits on a port or set
 *                 (under that object's lock), read by a sender that finds it waiting
 *                 there (under sched_lock, which the wait holds until it sleeps)
 */
/*
 * A body this short goes from the sender's memory into its receiver's thread,
 * and the receiver copies it out with the header (ipc/fastpath.c): two plain
 * copies, where one across address spaces walks both page tables.
 */
#define THREAD_RCV_BODY_MAX 256

struct thread {
	uint32_t ksp;			/* [S] saved stack pointer while switched out */
	void *kstack;			/* [I] KSTACK_SIZE bytes */
	struct task *task;		/* [I] the kernel task for kernel threads */
	uint32_t id;			/* [I] */
	char name[24];			/* [I] */
	int priority;			/* [S] */
	enum thread_state state;	/* [S] */
	struct list run_link;		/* [S] run queue or wait queue */
	struct list sleep_link;		/* [S] timed sleepers */
	uint64_t wake_tick;		/* [S] 0: no timeout */
	enum wake_reason wake_reason;	/* [S] */
	struct waitq *waiting_on;	/* [S] */
	int quantum;			/* [S] ticks left */
	uint64_t ticks_used;		/* [S] CPU time, in ticks */
	bool kill_pending;		/* [S] exit at the next return to user mode */
	bool uninterruptible;		/* [S] blocked where no abort may end the wait (a mutex) */
	struct list task_link;		/* [T] */
	struct list all_link;		/* [S] every thread, for ps and tests */
	struct trapframe *user_tf;	/* [I] user threads: the frame on the kernel stack */
	void (*entry)(void *);		/* [I] kernel threads */
	void *arg;			/* [I] */
	struct arch_thread arch;	/* [O] saved machine state (FPU) */
	struct port *self;		/* [K] the thread port (kern/ipc.h), NULL once gone */
	struct exc_action exc_actions[EXC_TYPES_COUNT];	/* [K] its exception ports, per type (kern/exc_ports.h) */
	struct port *sself;		/* [K] send right: THREAD_KERNEL_PORT as set, what
					 * mach_thread_self gives; NULL: the thread port */
	uint32_t suspend_count;		/* [S] thread_suspend minus thread_resume */
	struct kmsg *ipc_handoff;	/* [S] a message handed straight to this waiting receiver */
	struct port *ipc_handoff_port;	/* [S] the port it was sent to (a reference) */
	struct port *kreply;		/* [O] the reply port of the requests the kernel sends on
					 * its behalf (exceptions, int 0x80), which only the kernel
					 * receives: made at the first, kept for the next */
	uintptr_t rcv_buf;		/* [W] while blocked in mach_msg receive: its buffer, */
	uint32_t rcv_size, rcv_option;	/* [W] size and options, for the fast path (fastpath.c), */
	uint32_t rcv_probed;		/* [W] and how many bytes of the buffer it found writable */
	bool rcv_done;			/* [S] the fast path delivered into rcv_buf */
	bool rcv_head_pending;		/* [S] ...all but rcv_head, which the receiver writes there */
	struct {			/* [S] a message's header as its receiver sees it, and the */
		mach_msg_header_t h;	/* trailer that goes after its body (at h.msgh_size) */
		mach_msg_security_trailer_t t;
	} rcv_head;
	uint32_t rcv_body_len;		/* [S] with rcv_head: a short body the sender left in rcv_body
					 * (0: the body is in the buffer already, or there is none) */
	uint8_t rcv_body[THREAD_RCV_BODY_MAX];
	struct kmsg *kreply_room;	/* [W] while waiting in ipc_kernel_reply_wait: where the fast
					 * path may put the answer, */
	uint32_t kreply_room_size;	/* [W] and how many bytes of message fit there */
	int rcv_result;			/* [S] and the receive's result */
	struct waitq resume;		/* [S] where it waits while suspended */
	struct thread *successor;	/* [S] woken by this thread's send, ready but on no run
					 * queue: it runs when this one next gives up the CPU */
	struct thread *kreq_handed;	/* [O] given this thread's request by the fast path and not
					 * woken yet: run as this one waits for the answer
					 * (ipc_kernel_request_send, then ipc_kernel_reply_wait) */
	bool slice_donated;		/* [S] quantum is what its waker had left: kept when it runs */
	bool ipc_receives_next;		/* [O] in the slow send of a mach_msg that receives next: */
	struct {			/* [O] that receive, for a kernel object's answer */
		uintptr_t buf;
		uint32_t size, option, name;
		bool done;		/* [O] the answer is in buf, the receive done (fastpath.c) */
	} rcv_next;
};

extern struct spinlock sched_lock;

void sched_init(void);
/* The running thread (sched.c; per CPU once there are several). Inline: every trap asks, often more than once. */
extern struct thread *sched_current;
static inline struct thread *curthread(void) { return sched_current; }
/* Interrupts on, and a thread that may sleep (not the idle thread, nor boot before the scheduler). */
bool sched_can_block(void);
struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg, int prio);
__attribute__((noreturn)) void thread_exit(void);
void sched_yield(void);
void sched_tick(void);
/* Whether a trap's end should give the processor up (the quantum ran out, or someone more urgent woke). */
extern bool sched_resched_wanted;
static inline bool sched_need_resched(void) { return sched_resched_wanted; }
void sched_preempt(void);
__attribute__((noreturn)) void sched_idle_loop(void);
void thread_sleep_ticks(uint64_t ticks);

/* Caller holds sched_lock; it is held again on return. timeout 0 waits forever. */
enum wake_reason waitq_wait_locked(struct waitq *wq, uint64_t timeout_ticks);
/*
 * The same, for a caller that took `outer` (an object's lock: a port's) before
 * sched_lock and checked under it that it must wait: outer is let go once
 * sched_lock makes the wait certain to see any wake-up, and is not held on
 * return (sched_lock is). Interrupts stay off until the caller restores them.
 */
enum wake_reason waitq_wait_dropping_locked(struct waitq *wq, uint64_t timeout_ticks, struct spinlock *outer);
/*
 * The whole wait for a caller that holds only outer (interrupts off): takes
 * sched_lock, waits as above, and returns holding outer again, sched_lock
 * not; what outer guards must be looked at again.
 */
static inline enum wake_reason
waitq_wait_under(struct waitq *wq, uint64_t timeout_ticks, struct spinlock *outer)
{
	enum wake_reason why;

	spin_lock_irqoff(&sched_lock);
	why = waitq_wait_dropping_locked(wq, timeout_ticks, outer);
	spin_unlock_irqoff(&sched_lock);
	spin_lock_irqoff(outer);
	return why;
}
void waitq_init(struct waitq *wq);
void waitq_wait_uninterruptible_locked(struct waitq *wq);
/* Caller holds sched_lock. Returns how many threads woke. */
int waitq_wake_all_locked(struct waitq *wq);
bool waitq_wake_one_locked(struct waitq *wq);
/* The longest waiter, left waiting; NULL if none. */
struct thread *waitq_first_locked(struct waitq *wq);
void thread_wake_locked(struct thread *t);
/*
 * Wakes a blocked thread to run as soon as the current one blocks, with no
 * trip through the run queue, on what is left of the current one's time
 * slice: what a message's sender does for its receiver. As if it were first
 * in its run queue: a more urgent ready thread still runs first, and once the
 * shared slice is over it waits behind the threads of its priority.
 * sched_successor_flush queues it for a caller that goes back to user mode
 * without blocking.
 */
void thread_wake_successor_locked(struct thread *t);
void sched_successor_flush(void);
/* Waits on wq, outer let go, with r (blocked, its message given) run in our place at once. */
enum wake_reason sched_handoff_wait_locked(struct waitq *wq, struct spinlock *outer, struct thread *r);
static inline bool sched_successor_pending(void) { return sched_current->successor != NULL; }
void thread_make_ready_locked(struct thread *t);
void thread_abort_wait_locked(struct thread *t);

/* For the reaper (task.c). Caller holds sched_lock. */
/* A dead thread whose stack can now be freed, off every list; NULL if there is none. */
struct thread *sched_take_dead_locked(void);
/* Blocks until sched_wake_reaper_locked, or a thread's exit, says there is work. sched_lock held, as on return. */
void sched_reaper_wait_locked(void);
void sched_wake_reaper_locked(void);
struct thread *thread_alloc(struct task *task, const char *name, int prio);
void thread_free(struct thread *t);

#endif
