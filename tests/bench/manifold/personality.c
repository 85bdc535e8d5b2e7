/*
 * syscall_port_rt: `int 0x80` from this thread to a personality server that
 * is a second thread of this task (the task's TASK_SYSCALL_PORT; syscall.defs):
 * the kernel sends the registers, the server answers with eax set to the
 * caller's ebx plus one, and the thread goes on. The Linux pair is the native
 * null_syscall (getppid): what a personality's system call costs beside a
 * kernel's own, with the server doing as little as getppid does.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include "syscall_server.h"
#include "measure.h"
#include "rows.h"

#define ME mach_task_self()
#define SYSCALL_STOP_ID 7101	/* not syscall.defs' id: ends the server */

static volatile int sc_failed;

kern_return_t
syscall_do_syscall_raise(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
			 natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	i386_thread_state_t st;

	(void)port;
	if (old_stateCnt != i386_THREAD_STATE_COUNT) {
		sc_failed = 1;
		return KERN_INVALID_ARGUMENT;
	}
	memcpy(&st, old_state, sizeof st);
	st.eax = st.ebx + 1;
	memcpy(new_state, &st, sizeof st);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	return KERN_SUCCESS;
}

/* The server loop: each reply sent and the next request received in one mach_msg. */
static void *
syscall_serve(void *arg)
{
	static union {
		mach_msg_header_t h;
		uint8_t room[512];
	} a, b;
	mach_port_t port = (mach_port_t)(uintptr_t)arg;
	mach_msg_header_t *in = &a.h, *out = &b.h, *t;
	mach_msg_return_t mr;

	mr = mach_msg(in, MACH_RCV_MSG, 0, sizeof a, port, 0, 0);
	while (mr == MACH_MSG_SUCCESS && in->msgh_id != SYSCALL_STOP_ID) {
		if (!syscall_server(in, out)) {
			sc_failed = 1;
			break;
		}
		t = in, in = out, out = t;
		mr = mach_msg(in, MACH_SEND_MSG | MACH_RCV_MSG, in->msgh_size, sizeof a, port, 0, 0);
	}
	return NULL;
}

static int
syscall_port_op(void *arg)
{
	static uint32_t n;
	uint32_t eax = 20, ebx = ++n;	/* Linux's getpid number, for the look of it */

	(void)arg;
	__asm__ volatile("int $0x80" : "+a"(eax), "+b"(ebx) : : "ecx", "edx", "memory", "cc");
	return eax == n + 1 ? 0 : -1;
}

int
bench_syscall_port_rt(unsigned iters)
{
	mach_port_t port;
	mach_msg_header_t stop = { 0 };
	cthread_t server;
	int r = -1;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    cthread_fork(&server, syscall_serve, (void *)(uintptr_t)port) != KERN_SUCCESS) {
		printf("FAIL syscall_port_rt: cannot start the server\n");
		return -1;
	}
	if (task_set_special_port(ME, TASK_SYSCALL_PORT, port) == KERN_SUCCESS) {
		r = bench_loop("syscall_port_rt", "insns", iters, syscall_port_op, NULL);
		task_set_special_port(ME, TASK_SYSCALL_PORT, MACH_PORT_NULL);
	}
	stop.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	stop.msgh_size = sizeof stop;
	stop.msgh_remote_port = port;
	stop.msgh_id = SYSCALL_STOP_ID;
	mach_msg(&stop, MACH_SEND_MSG, sizeof stop, 0, 0, 0, 0);
	cthread_join(server);
	mach_port_destroy(ME, port);
	if (sc_failed) {
		printf("FAIL syscall_port_rt: the server saw a malformed request\n");
		r = -1;
	}
	return r;
}
