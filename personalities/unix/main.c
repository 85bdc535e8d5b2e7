/*
 * The Unix server: runs static i386 Linux programs as processes, each a Mach
 * task whose `int 0x80` comes here as syscall_raise (syscall.defs) on the
 * process's own syscall port. personalities/README.md walks through it.
 *
 * Its shape is every server's: a port set (every process's syscall port and
 * the notification port) served by libmsg's msg_server_run through msgc's
 * syscall demux, with a dead-name callback for processes whose task died.
 * One thread serves every call, under unix_lock; calls that must wait are
 * held by the loop, not by a thread. Beside the loop, the runner thread
 * starts the programs its command line names (runner.c), one after another.
 */
#include <stdio.h>
#include <string.h>
#include <mach/thread_status.h>
#include <manifold/msg.h>
#include "process.h"
#include "runner.h"
#include "syscall.h"
#include "syscall_server.h"
#include "linux.h"

#define ME mach_task_self()

mach_port_t server_port_set;
mach_port_t server_notify_port;
static struct msg_server server;

/*
 * One system call. The port is the caller; a request on a port we no longer
 * know (a process that just ended) is refused, which ends that task: it is
 * being ended anyway. A call that must wait (SYS_DEFER: wait4, a read of an
 * empty pipe, nanosleep) is held by the loop (msg_defer) and served again,
 * from the start, whenever server_retry_held says something changed; its
 * handler keeps in the process whatever it must not do twice.
 */
kern_return_t
syscall_do_syscall_raise(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
			 natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	struct process *p;
	i386_thread_state_t st;

	if (old_stateCnt != i386_THREAD_STATE_COUNT || *new_stateCnt < i386_THREAD_STATE_COUNT)
		return KERN_INVALID_ARGUMENT;
	memcpy(&st, old_state, sizeof st);
	cthread_mutex_lock(&unix_lock);
	if (!(p = process_of_port(port))) {
		cthread_mutex_unlock(&unix_lock);
		return KERN_INVALID_ARGUMENT;
	}
	p->regs = &st;
	p->defer_ms = 0;
	if (!syscall_dispatch(p, &st)) {
		p->regs = NULL;
		if (msg_defer(p->defer_ms)) {
			cthread_mutex_unlock(&unix_lock);
			return MIG_NO_REPLY;
		}
		st.eax = (uint32_t)-LNX_EAGAIN;	/* MSG_DEFERRED_MAX held: more than processes can be */
	}
	p->regs = NULL;
	cthread_mutex_unlock(&unix_lock);
	memcpy(new_state, &st, sizeof st);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	return KERN_SUCCESS;
}

void
server_retry_held(void)
{
	msg_retry_deferred(&server);
}

void
server_cancel_held(struct process *p)
{
	msg_deferred_cancel(&server, p->port);
}

static void
task_died(mach_port_name_t name)
{
	cthread_mutex_lock(&unix_lock);
	process_task_died(name);
	cthread_mutex_unlock(&unix_lock);
}

static const msg_demux_t demuxes[] = { syscall_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.max_request = SYSCALL_REQUEST_MAX_SIZE,
	.max_reply = SYSCALL_REPLY_MAX_SIZE,
	.nthreads = 1,	/* calls that wait are held (msg_defer), not waited for in a thread */
	.dead_name = task_died,
};

int
main(int argc, char **argv)
{
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &server_port_set) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &server_notify_port) != KERN_SUCCESS ||
	    mach_port_move_member(ME, server_notify_port, server_port_set) != KERN_SUCCESS) {
		printf("unix: no ports for the server; giving up\n");
		return 1;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "trace") == 0)
			syscall_trace = true;
	server.port = server_port_set;
	server.notify_port = server_notify_port;
	printf("unix: serving Linux i386 system calls\n");
	if (runner_start(argc, argv) != 0)
		printf("unix: cannot start the runner\n");
	msg_server_run(&server);
	printf("unix: the server loop ended\n");
	return 1;
}
