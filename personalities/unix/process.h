/*
 * A Unix process as the server keeps it: the Mach task that runs it, its one
 * thread, the syscall port that identifies it (the kernel sends every
 * `int 0x80` of the task there, so the port a request came on is the caller),
 * and its place among the others: parent, process group, session.
 *   [U] unix_lock: every field, and the table; the server holds it while it
 *       serves any call (main.c), so a handler sees and changes all of it
 *   [C] only meaningful while the process's current call is served
 */
#ifndef UNIX_PROCESS_H
#define UNIX_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include <mach/thread_status.h>
#include <manifold/cthread.h>

#define PROC_MAX	1024	/* processes live or zombie at once: then fork answers EAGAIN */
#define LNX_NSIG	64
#define POLL_KEYS	8	/* a held poll waits on this many files' keys; more: on any wake */
#define INIT_PID	1	/* the server itself: orphans' parent, and their reaper */

struct lnx_sigaction_rec {		/* rt_sigaction's struct, as recorded */
	uint32_t handler, flags, restorer;
	uint32_t mask[2];
};

struct image;
struct pipe;
struct fdtable;

enum proc_state { PROC_FREE, PROC_LIVE, PROC_ZOMBIE };

struct process {
	enum proc_state state;		/* [U] */
	uint32_t pid, ppid, pgid, sid;	/* [U] */
	uint32_t run;			/* [U] the runner's run it descends from (0: none) */
	bool runner_reaps;		/* [U] the runner waits for it, not init */
	char name[32];			/* [U] argv[0]'s last word, for messages */
	const struct image *exe;	/* [U] what it runs: /proc/self/exe */
	mach_port_t task;		/* [U] send right to its task port (dead-name request on it) */
	mach_port_t thread;		/* [U] send right to its thread's port */
	mach_port_t port;		/* [U] receive right: its syscall port, in the server's port set */
	struct process *port_next;	/* [U] the next in port's bucket of the table's hash (process.c) */
	uint32_t arg_start, arg_end;	/* [U] where exec put the argument strings (/proc/N/cmdline) */
	uint32_t env_start, env_end;	/* [U] ...and the environment's (/proc/N/environ) */
	uint64_t cpu_us;		/* [U] its CPU time, taken as it ended (cputime.c) */
	uint64_t child_cpu_us;		/* [U] its reaped children's, with theirs */
	uint64_t start_ticks;		/* [U] when it was made, in 100 Hz ticks since boot (/proc/N/stat) */
	uint32_t image_lo;		/* [U] the image's lowest page (mprotect: sys_mem.c) */
	uint32_t brk_start;		/* [U] page-aligned end of the image: brk never goes below */
	uint32_t brk;			/* [U] what brk last answered */
	uint32_t brk_mapped;		/* [U] end of the pages allocated for the heap (page-aligned) */
	uint32_t tid_address;		/* [U] set_tid_address's pointer, recorded */
	uint64_t alarm_due_us;		/* [U] ITIMER_REAL runs out then (the clock's time since boot; 0: off) */
	uint64_t alarm_every_us;	/* [U] ...and is set again this much later (0: once) */
	uint32_t ntimers;		/* [U] its POSIX timers (ptimer.c) */
	uint32_t timer_next_id;		/* [U] the id timer_create tries next (0 in a new process) */
	i386_tls_state_t tls;		/* [U] its thread's TLS segment as set_thread_area set it (base 0: none) */
	uint64_t sigmask;		/* [U] blocked signals: bit s - 1 for signal s */
	uint64_t sigpending;		/* [U] posted, not delivered yet */
	struct sigq *sigqueue;		/* [U] real-time signals' instances, oldest first (sigqueue.c) */
	uint32_t nqueued;		/* [U] ...how many */
	struct sig_from {		/* [U] siginfo of a pending signal: who sent it, why */
		uint32_t pid;		/* si_pid (a timer's: si_tid, its id) */
		int32_t code, status;	/* si_code; si_status (a timer's: si_value) */
		uint32_t uid;		/* si_uid (a timer's: si_overrun, set as it is delivered) */
	} sigfrom[LNX_NSIG];
	struct lnx_sigaction_rec sigactions[LNX_NSIG];	/* [U] */
	uint32_t ss_sp, ss_size, ss_flags;	/* [U] sigaltstack's alternate stack (size 0: none) and its flags */
	uint64_t sigwait_set;		/* [U] rt_sigtimedwait's set while its call is held: these wake it, blocked */
	uint64_t suspend_mask;		/* [U] sigsuspend's caller's mask, given back after the handler */
	bool suspended;			/* [U] in sigsuspend: suspend_mask is the mask to give back */
	bool stopped;			/* [U] stopped by a signal (its task suspended) */
	int stop_sig;			/* [U] the signal that stopped it */
	bool stop_report, cont_report;	/* [U] wait4's WUNTRACED and WCONTINUED have news */
	struct fdtable *fds;		/* [U] its descriptors (fd.h) */
	char cwd[1024];			/* [U] its working directory, absolute and plain (PATH_MAX_, fs's limit) */
	uint32_t umask;			/* [U] taken from the modes of files and folders made */
	uint32_t vfork_parent;		/* [U] a vfork child: the pid whose call waits until it execs or ends */
	uint32_t vfork_child;		/* [U] a vfork caller: the child it waits for (0: none) */
	bool execed;			/* [U] it has exec'd since its fork (setpgid's EACCES) */
	bool exiting;			/* [U] the server is ending its task: its death is no fault */
	int status;			/* [U] wait status once a zombie: exit code << 8, or the signal */
	i386_thread_state_t *regs;	/* [C] the registers the call came with and resumes with */
	uint32_t call_nr;		/* [C] the call being served (eax as it came) */
	bool replay;			/* [C] the call was held and its handler is called again */
	bool dispatched;		/* [C] its handler has seen the call (a stopped process's has not) */
	bool held;			/* [U] a call of its is held (msg_defer) */
	uint32_t io_done;		/* [C] bytes a held write has moved so far */
	struct pipe *pipe_wait;		/* [U] its held read waits for this pipe's bytes, or its held write */
					/*     or writev for its room (pipe.c), or NULL */
	uint32_t pipe_buf, pipe_len;	/* [U] ...into (or from) this buffer of its, at most this many */
					/*     (a write's: the whole call's; a writev's buffer is its iovecs) */
	uint16_t pipe_iovn;		/* [U] a write to a pipe: 0 for write(2), else writev's iovec count */
	bool answered;			/* [U] its held call was answered meanwhile (by a pipe's other end, */
	int32_t answer;			/*     pipe.c): the answer, no handler again */
	bool tty_wait;			/* [C] the call is a read of the console waiting for a line */
	uint32_t tty_seen;		/* [C] a raw read's bytes when it was held with VTIME's timer (tty.c) */
	uint32_t defer_ms;		/* [C] a handler that answers SYS_DEFER: the most to wait (0: no limit) */
	const void *wait_key;		/* [C] ...and what it waits for (msg_defer_on's key; NULL: anything) */
	const void *held_key;		/* [U] the key its held call waits on, while held */
	struct process *poll_next;	/* [U] the next process whose poll or select is held (sys_poll.c) */
	bool polling;			/* [U] ...it is on that list, waiting on poll_keys */
	uint8_t npoll_keys;		/* [U] */
	const void *poll_keys[POLL_KEYS];	/* [U] the keys of the files its held poll asked (fd.h's wake_key) */
	struct pipe *pipe_q;		/* [U] the pipe whose queue of held writers it is on (pipe.c), or NULL */
	struct process *pipe_next;	/* [U] ...the next writer on that queue */
};

extern struct cthread_mutex unix_lock;
extern struct cthread_cond proc_changed;	/* a process ended or was reaped (the runner waits) */

/* A new live process with its syscall port in the server's port set; NULL when the table is full. */
struct process *process_alloc(const char *name, uint32_t ppid);
/* The live process whose syscall port is port, or NULL. */
struct process *process_of_port(mach_port_t port);
/* The live or zombie process with this pid, or NULL. */
struct process *process_of_pid(uint32_t pid);
/* Calls fn for every live or zombie process. */
void process_each(void (*fn)(struct process *, void *), void *arg);
/* The pid handed out last (/proc/loadavg's). */
uint32_t process_last_pid(void);
/* Sets p's name from a path: its last word. */
void process_set_name(struct process *p, const char *path);
/*
 * Ends p with a wait status: its task goes, its children go to init, its
 * parent hears of it (a zombie until reaped; init's are reaped at once).
 */
void process_exit(struct process *p, int status);
/* Undoes process_alloc for a child that never ran: its task, if any, and its slot go. */
void process_discard(struct process *p);
/* c exec'd or ended: its vfork parent, if it has one, goes on. */
void process_vfork_done(struct process *c);
/* The task port died (a fault killed it): p ends as if by SIGSEGV. */
void process_task_died(mach_port_t task);
/* Gives back a zombie's ports and its slot. */
void process_reap(struct process *p);
/* CPU time (cputime.c): p's own in microseconds, live or ended; a reaped child's into its parent's. */
uint64_t cputime_us(const struct process *p);
void cputime_reaped(struct process *parent, const struct process *c);
struct lnx_rusage;
void cputime_rusage(uint64_t us, struct lnx_rusage *ru);
/* Of total ticks since boot, those the processor spent halted, idle (the kernel's count of them). */
uint64_t cputime_idle(uint64_t total);

/* The server's port set (main.c): syscall ports and the notification port. */
extern mach_port_t server_port_set;
extern mach_port_t server_notify_port;
/*
 * From a thread of the server's other than the loop's: a message of this id
 * (UNIX_WAKE_ID, UNIX_ALARM_ID) to the loop's wake port, never waiting.
 */
void server_wake(mach_msg_id_t id);
/*
 * Held calls go again (main.c). Each is held on a key naming what it waits
 * for (p->wait_key: the process itself for what only its signals, its
 * children or its deadline end, a pipe, the tty, the sockets; a poll's is
 * its process, and it is woken by its files' keys too: sys_poll.c; NULL:
 * anything, as a poll of more than POLL_KEYS kinds of file): server_retry_on
 * wakes those on one key (and the NULL ones), server_retry_process the one
 * p holds, whatever its key, and server_retry_held every one (for what is
 * rare: fcntl's O_NONBLOCK).
 */
void server_retry_held(void);
void server_retry_on(const void *key);
void server_retry_process(struct process *p);
/*
 * sys_poll.c: the held polls and selects that asked a file of key go again
 * (server_retry_on calls it); p's poll is no longer held (it is served
 * again, or p ended).
 */
void poll_wake(const void *key);
void poll_forget(struct process *p);
/*
 * Answers p's held call now with eax, from another process's call, with no
 * replay of it (a pipe's write that fed p's held read); false when no call
 * of p's is held. main.c.
 */
bool server_answer_held(struct process *p, int32_t eax);
/* Held calls served again since the server started (the runner prints it after each run). */
extern uint32_t server_replays;
/* Drops the call p has held, if any (p ended). */
void server_cancel_held(struct process *p);

#endif
