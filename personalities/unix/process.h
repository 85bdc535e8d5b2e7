/*
 * A Unix process as the server keeps it: the Mach task that runs it, its one
 * thread, and the syscall port that identifies it (the kernel sends every
 * `int 0x80` of the task there, so the port a request came on is the caller).
 *   [I] set before the process first runs   [L] proc_lock
 *   [S] only the thread serving the process's current system call (a process
 *       has one thread, which waits in the kernel while its call is served)
 */
#ifndef UNIX_PROCESS_H
#define UNIX_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include <manifold/cthread.h>

#define PROC_MAX	64
#define LNX_NSIG	64

struct lnx_sigaction_rec {		/* rt_sigaction's struct, as recorded */
	uint32_t handler, flags, restorer;
	uint32_t mask[2];
};

struct process {
	bool used;			/* [L] */
	uint32_t pid, ppid;		/* [I] */
	char name[32];			/* [I] the module it runs */
	mach_port_t task;		/* [I] send right to its task port (dead-name request on it) */
	mach_port_t thread;		/* [I] send right to its thread's port */
	mach_port_t port;		/* [I] receive right: its syscall port, in the server's port set */
	uint32_t brk_start;		/* [I] page-aligned end of the image: brk never goes below */
	uint32_t brk;			/* [S] what brk last answered */
	uint32_t brk_mapped;		/* [S] end of the pages allocated for the heap (page-aligned) */
	uint32_t tid_address;		/* [S] set_tid_address's pointer, recorded */
	uint32_t sigmask[2];		/* [S] rt_sigprocmask's mask (no delivery yet) */
	struct lnx_sigaction_rec sigactions[LNX_NSIG];	/* [S] rt_sigaction, recorded */
	bool wrote_newline;		/* [S] its last console byte was '\n' (the runner's framing) */
	bool exiting;			/* [L] exit_group is ending its task: its death is no fault */
	bool done;			/* [L] exited or killed; status is final */
	int status;			/* [L] wait status: exit code << 8, or the signal number */
};

extern struct cthread_mutex proc_lock;

/* A new process with its syscall port in the server's port set; NULL when the table is full. */
struct process *process_alloc(const char *name);
/* The process whose syscall port is port, or NULL. */
struct process *process_of_port(mach_port_t port);
/* Ends p with a wait status: its task goes, whoever waits for it wakes. */
void process_exit(struct process *p, int status);
/* The task port died (a fault killed it): p ends as if by SIGSEGV. */
void process_task_died(mach_port_t task);
/* Waits until p is done; its wait status. */
int process_wait(struct process *p);
/* Gives back p's ports and its slot; p must be done. */
void process_free(struct process *p);

/* The server's port set (main.c): syscall ports and the notification port. */
extern mach_port_t server_port_set;
extern mach_port_t server_notify_port;

#endif
