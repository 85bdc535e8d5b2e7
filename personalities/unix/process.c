/*
 * The process table: slots, pids, the syscall port of each process, and the
 * end of a process, whether it asked (exit_group), was killed, or its task
 * died of a fault (a dead-name notification on its task port). An ended
 * process is a zombie until its parent reaps it (wait4, sys_wait.c); its
 * children go to init, the server, which reaps whatever it is given.
 *
 * The table grows: a slot is allocated when no free one is left, up to
 * PROC_MAX (then fork answers EAGAIN), and is never given back, so a
 * struct process stays where it is while its slot is reused. The syscall
 * port finds its process through a hash (every call asks: process_of_port).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <manifold/trap.h>
#include "fd.h"
#include "linux.h"
#include "pgrp.h"
#include "pipe.h"
#include "process.h"
#include "ptimer.h"
#include "signal.h"

#define ME mach_task_self()
#define PID_MAX 32768
#define PORT_HASH 256	/* buckets of the port hash: a power of two */

struct cthread_mutex unix_lock;
struct cthread_cond proc_changed;
static struct process **procs;		/* [U] the slots: nprocs of them, room for cap */
static uint32_t nprocs, cap;		/* [U] */
static struct process *by_port[PORT_HASH];	/* [U] live processes by syscall port, chained by port_next */
static uint32_t last_pid = INIT_PID;	/* [U] */

static struct process **
port_bucket(mach_port_t port)
{
	return &by_port[(port ^ port >> 8) & (PORT_HASH - 1)];
}

/* p's port leaves the hash (it ends, or never ran). Caller holds unix_lock. */
static void
port_unhash(struct process *p)
{
	for (struct process **q = port_bucket(p->port); *q; q = &(*q)->port_next)
		if (*q == p) {
			*q = p->port_next;
			break;
		}
	p->port_next = NULL;
}

/* The next pid nobody has, as Linux hands them out: upwards, wrapping past PID_MAX. Caller holds unix_lock. */
static uint32_t
next_pid(void)
{
	for (;;) {
		last_pid = last_pid + 1 >= PID_MAX ? INIT_PID + 1 : last_pid + 1;
		if (!process_of_pid(last_pid))
			return last_pid;
	}
}

/* A free slot: a reused one, else a new one; NULL at PROC_MAX or with no memory. Caller holds unix_lock. */
static struct process *
slot_alloc(void)
{
	struct process *p;

	for (uint32_t i = 0; i < nprocs; i++)
		if (procs[i]->state == PROC_FREE)
			return procs[i];
	if (nprocs == PROC_MAX)
		return NULL;
	if (nprocs == cap) {
		uint32_t more = cap ? cap * 2 : 64;
		struct process **a = realloc(procs, (more > PROC_MAX ? PROC_MAX : more) * sizeof *a);

		if (!a)
			return NULL;
		procs = a;
		cap = more > PROC_MAX ? PROC_MAX : more;
	}
	if (!(p = calloc(1, sizeof *p)))
		return NULL;
	procs[nprocs++] = p;
	return p;
}

/* Caller holds unix_lock. */
struct process *
process_alloc(const char *name, uint32_t ppid)
{
	struct process *p = slot_alloc();
	mach_port_t port;
	uint64_t now_ns = 0;

	if (!p)
		return NULL;
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS)
		return NULL;
	if (mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_move_member(ME, port, server_port_set) != KERN_SUCCESS) {
		mach_port_destroy(ME, port);
		return NULL;
	}
	memset(p, 0, sizeof *p);
	p->state = PROC_LIVE;
	p->pid = next_pid();
	p->ppid = ppid;
	p->pgid = p->sid = p->pid;	/* the caller copies its parent's when it has one */
	p->port = port;
	trap_clock_uptime(&now_ns);
	p->start_ticks = now_ns / 10000000;
	p->port_next = *port_bucket(port);
	*port_bucket(port) = p;
	strcpy(p->cwd, "/");
	p->umask = 022;		/* Linux's first umask; a fork copies its parent's over it */
	process_set_name(p, name);
	return p;
}

uint32_t
process_last_pid(void)
{
	return last_pid;
}

void
process_set_name(struct process *p, const char *path)
{
	const char *slash = strrchr(path, '/');

	snprintf(p->name, sizeof p->name, "%s", slash && slash[1] ? slash + 1 : path);
}

struct process *
process_of_port(mach_port_t port)
{
	for (struct process *p = *port_bucket(port); p; p = p->port_next)
		if (p->port == port)
			return p;
	return NULL;
}

struct process *
process_of_pid(uint32_t pid)
{
	for (uint32_t i = 0; i < nprocs; i++)
		if (procs[i]->state != PROC_FREE && procs[i]->pid == pid)
			return procs[i];
	return NULL;
}

void
process_each(void (*fn)(struct process *, void *), void *arg)
{
	for (uint32_t i = 0; i < nprocs; i++)
		if (procs[i]->state != PROC_FREE)
			fn(procs[i], arg);
}

/* Init's children are reaped as soon as they end, but for those the runner waits for. */
static void
init_reaps(struct process *p)
{
	if (p->state == PROC_ZOMBIE && p->ppid == INIT_PID && !p->runner_reaps)
		process_reap(p);
}

static void
orphan(struct process *c, void *dead)
{
	if (c->ppid == ((struct process *)dead)->pid) {
		c->ppid = INIT_PID;
		init_reaps(c);
	}
}

/*
 * The task goes first (task_terminate returns once it is gone; the thread
 * waiting for our reply goes with it), then our rights to it: a dead-name
 * notification already queued keeps the name from being reused until the
 * loop has seen it, and exiting says it is no fault.
 */
void
process_exit(struct process *p, int status)
{
	struct pgrp_exit groups;

	if (p->state != PROC_LIVE)
		return;
	pgrp_exit_begin(p, &groups);
	p->exiting = true;
	server_cancel_held(p);
	pipe_forget(p);
	p->cpu_us = cputime_us(p);	/* while its thread is there to ask */
	task_terminate(p->task);
	mach_port_deallocate(ME, p->task);
	mach_port_deallocate(ME, p->thread);
	port_unhash(p);
	mach_port_destroy(ME, p->port);	/* a call still queued there dies with it */
	p->task = p->thread = p->port = MACH_PORT_NULL;
	fd_table_free(p);	/* pipe ends close: readers see end of file, writers EPIPE */
	ptimer_drop(p);
	p->state = PROC_ZOMBIE;
	p->status = status;
	p->sigpending = 0;
	sigqueue_flush(p, 0);
	if (p->stopped) {
		p->stopped = false;
	}
	process_vfork_done(p);
	process_each(orphan, p);
	pgrp_exit_end(&groups);	/* before the parent hears: Linux's order */
	struct process *parent = process_of_pid(p->ppid);
	if (parent && parent->state == PROC_LIVE)
		signal_child_ended(parent, p);
	init_reaps(p);
	cthread_cond_broadcast(&proc_changed);
	server_retry_process(parent);	/* in wait4 */
}

void
process_discard(struct process *p)
{
	p->exiting = true;
	if (MACH_PORT_VALID(p->task)) {
		task_terminate(p->task);
		mach_port_deallocate(ME, p->task);
	}
	if (MACH_PORT_VALID(p->thread))
		mach_port_deallocate(ME, p->thread);
	port_unhash(p);
	mach_port_destroy(ME, p->port);
	fd_table_free(p);
	p->state = PROC_FREE;
}

/* A vfork caller waits for its child to exec or end: either lets it go. */
void
process_vfork_done(struct process *c)
{
	if (c->vfork_parent) {
		server_retry_process(process_of_pid(c->vfork_parent));
		c->vfork_parent = 0;
	}
}

void
process_task_died(mach_port_t task)
{
	for (uint32_t i = 0; i < nprocs; i++)
		if (procs[i]->state == PROC_LIVE && procs[i]->task == task && !procs[i]->exiting) {
			printf("unix: pid %u (%s) died: its task was killed (a fault); status SIGSEGV\n", procs[i]->pid,
			       procs[i]->name);
			process_exit(procs[i], LNX_SIGSEGV);
		}
}

void
process_reap(struct process *p)
{
	p->state = PROC_FREE;
	cthread_cond_broadcast(&proc_changed);
}
