/*
 * The process table: slots, pids, the syscall port of each process, and the
 * end of a process, whether it asked (exit_group) or its task died of a fault
 * (a dead-name notification on its task port). The runner (main.c) waits here.
 */
#include <stdio.h>
#include <string.h>
#include "process.h"

#define ME mach_task_self()
#define LNX_SIGSEGV 11

struct cthread_mutex proc_lock;
static struct cthread_cond proc_done;	/* a process became done */
static struct process procs[PROC_MAX];	/* [L] */
static uint32_t next_pid = 2;		/* [L] the server is pid 1, as init would be */

struct process *
process_alloc(const char *name)
{
	struct process *p = NULL;
	mach_port_t port;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS)
		return NULL;
	if (mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_move_member(ME, port, server_port_set) != KERN_SUCCESS) {
		mach_port_destroy(ME, port);
		return NULL;
	}
	cthread_mutex_lock(&proc_lock);
	for (int i = 0; i < PROC_MAX; i++) {
		if (!procs[i].used) {
			p = &procs[i];
			memset(p, 0, sizeof *p);
			p->used = true;
			p->pid = next_pid++;
			break;
		}
	}
	cthread_mutex_unlock(&proc_lock);
	if (!p) {
		mach_port_destroy(ME, port);
		return NULL;
	}
	p->ppid = 1;
	p->port = port;
	p->wrote_newline = true;
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}

struct process *
process_of_port(mach_port_t port)
{
	struct process *p = NULL;

	cthread_mutex_lock(&proc_lock);
	for (int i = 0; i < PROC_MAX && !p; i++)
		if (procs[i].used && !procs[i].done && procs[i].port == port)
			p = &procs[i];
	cthread_mutex_unlock(&proc_lock);
	return p;
}

/* Caller holds proc_lock. */
static void
mark_done_locked(struct process *p, int status)
{
	if (p->done)
		return;
	p->done = true;
	p->status = status;
	cthread_cond_broadcast(&proc_done);
}

/*
 * The task goes first, then the process is done: the runner frees the
 * process (and our right to the task) as soon as it is, and a task_terminate
 * after that would name nothing. exiting keeps the dead-name notification,
 * which may come in another pool thread meanwhile, from calling it a fault.
 */
void
process_exit(struct process *p, int status)
{
	cthread_mutex_lock(&proc_lock);
	p->exiting = true;
	cthread_mutex_unlock(&proc_lock);
	/* its thread waits for our reply: the reply will find no one (serve.c drops it) */
	task_terminate(p->task);
	cthread_mutex_lock(&proc_lock);
	mark_done_locked(p, status);
	cthread_mutex_unlock(&proc_lock);
}

/*
 * The dead name stays ours until the loop has handed it here (the
 * notification holds a reference), so no new task can have its name yet.
 */
void
process_task_died(mach_port_t task)
{
	cthread_mutex_lock(&proc_lock);
	for (int i = 0; i < PROC_MAX; i++)
		if (procs[i].used && procs[i].task == task && !procs[i].done && !procs[i].exiting) {
			printf("unix: pid %u (%s) died: its task was killed (a fault); status SIGSEGV\n",
			       procs[i].pid, procs[i].name);
			mark_done_locked(&procs[i], LNX_SIGSEGV);
		}
	cthread_mutex_unlock(&proc_lock);
}

int
process_wait(struct process *p)
{
	int status;

	cthread_mutex_lock(&proc_lock);
	while (!p->done)
		cthread_cond_wait(&proc_done, &proc_lock);
	status = p->status;
	cthread_mutex_unlock(&proc_lock);
	return status;
}

void
process_free(struct process *p)
{
	mach_port_destroy(ME, p->port);	/* a call still queued there dies with it */
	if (MACH_PORT_VALID(p->thread))
		mach_port_deallocate(ME, p->thread);
	if (MACH_PORT_VALID(p->task))
		mach_port_deallocate(ME, p->task);
	cthread_mutex_lock(&proc_lock);
	p->used = false;
	cthread_mutex_unlock(&proc_lock);
}
