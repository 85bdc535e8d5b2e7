/*
 * The ipc suite's cases of the syscall port (kernel/ipc/syscall_port.c):
 * `int 0x80` in a task with a TASK_SYSCALL_PORT arrives there as
 * syscall_raise, and the reply's registers are the ones the thread goes on
 * with. Included by ipctest.c after its helpers (start_thread, new_port,
 * wait_dead_name); the server side is msgc's syscall_server.
 */
#ifndef SYSCALL_PORT_CASES_H
#define SYSCALL_PORT_CASES_H

#include "syscall_data_server.h"
#include "syscall_server.h"

static volatile uint32_t sc_result[3], sc_done;	/* what the calling thread saw: eax, ebx, edx */
static volatile uint32_t sc_seen_eax, sc_seen_ebx, sc_seen_ecx;	/* what the server saw */

/* A made-up personality: eax is the call number, the answer eax = 1000 * number + ebx, edx marked. */
kern_return_t
syscall_do_syscall_raise(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
			 natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	i386_thread_state_t st;

	(void)port;
	if (old_stateCnt != i386_THREAD_STATE_COUNT || *new_stateCnt < i386_THREAD_STATE_COUNT)
		return KERN_INVALID_ARGUMENT;
	memcpy(&st, old_state, sizeof st);
	sc_seen_eax = st.eax;
	sc_seen_ebx = st.ebx;
	sc_seen_ecx = st.ecx;
	st.eax = 1000 * st.eax + st.ebx;
	st.edx = 0xBEEF;
	memcpy(new_state, &st, sizeof st);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	return KERN_SUCCESS;
}

static uint32_t
int80(uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t *edx)
{
	__asm__ volatile("int $0x80" : "+a"(eax), "+b"(ebx), "+c"(ecx), "=d"(*edx) : : "memory", "cc");
	sc_result[1] = ebx;
	return eax;
}

static void
worker_int80(void)
{
	uint32_t edx;

	sc_result[0] = int80(7, 5, 0x1234, &edx);
	sc_result[2] = edx;
	sc_done = 0xD0E;
	thread_terminate(mach_thread_self());
	for (;;)
		;
}

static volatile uint32_t sc_plain;	/* requests served as syscall_raise (the other kind: syscall_data_cases.h) */

/* One request on port: answered by its skeleton (answer true), or its reply right destroyed. */
static mach_msg_return_t
serve_one_syscall(mach_port_t port, bool answer)
{
	static union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in, out;
	mach_msg_return_t mr = mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, port, 5000, 0);

	if (mr != MACH_MSG_SUCCESS)
		return mr;
	if (!answer)
		return mach_port_deallocate(ME, in.h.msgh_remote_port);
	if (in.h.msgh_id == 4800)
		sc_plain++;
	if (!syscall_server(&in.h, &out.h) && !syscall_data_server(&in.h, &out.h))
		return MIG_BAD_ID;
	return mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0, 0, 0, 0);
}

static void
syscall_port_carries_the_registers_both_ways(void)
{
	mach_port_t sp = new_port(), got = MACH_PORT_NULL, th;

	mach_port_insert_right(ME, sp, sp, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, sp), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_SYSCALL_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, sp);	/* our send right, under the receive right's name */
	mach_port_deallocate(ME, got);
	sc_done = 0;
	th = start_thread(worker_int80);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(serve_one_syscall(sp, true), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(sc_done, 0xD0E);	/* it went on after the int */
	CHECK_EQ(sc_seen_eax, 7);
	CHECK_EQ(sc_seen_ebx, 5);
	CHECK_EQ(sc_seen_ecx, 0x1234);
	CHECK_EQ(sc_result[0], 7005);
	CHECK_EQ(sc_result[1], 5);
	CHECK_EQ(sc_result[2], 0xBEEF);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_SYSCALL_PORT, &got), KERN_SUCCESS);
	CHECK_EQ(got, MACH_PORT_NULL);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, sp);
}

/* A server that destroys the reply right: the caller's thread ends, the task goes on. */
static void
syscall_port_unanswered_call_ends_only_the_thread(void)
{
	mach_port_t sp = new_port(), th;

	mach_port_insert_right(ME, sp, sp, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, sp), KERN_SUCCESS);
	sc_done = 0;
	th = start_thread(worker_int80);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(serve_one_syscall(sp, false), KERN_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(sc_done, 0);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, sp);
}

/*
 * An answer the fast path carries straight into the waiting thread's room
 * (kernel_rpc.c) is read as the slow path's would be: one that says
 * "send-once right destroyed" is no answer, and only the thread ends; a good
 * one after it is taken as usual.
 */
static void
syscall_port_answer_by_the_fast_path_is_checked_like_any(void)
{
	mach_port_t sp = new_port(), th;
	static union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in;
	struct manifold_kernel_stats before, after;

	mach_port_insert_right(ME, sp, sp, MACH_MSG_TYPE_MAKE_SEND);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, sp), KERN_SUCCESS);
	sc_done = 0;
	th = start_thread(worker_int80);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, sp, 5000, 0), MACH_MSG_SUCCESS);
	for (int i = 0; i < 10; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);	/* it waits for the answer */
	in.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	in.h.msgh_size = sizeof in.h;
	in.h.msgh_local_port = MACH_PORT_NULL;
	in.h.msgh_id = MACH_NOTIFY_SEND_ONCE;
	before = stats();
	CHECK_EQ(mach_msg(&in.h, MACH_SEND_MSG, sizeof in.h, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	after = stats();
	if (before.fastpath_enabled)
		CHECK_EQ(after.fastpath_hits - before.fastpath_hits, 1);
	CHECK(wait_dead_name(th));
	CHECK_EQ(sc_done, 0);	/* it never went on */
	mach_port_destroy(ME, th);
	sc_done = 0;
	th = start_thread(worker_int80);
	CHECK(MACH_PORT_VALID(th));
	CHECK_EQ(serve_one_syscall(sp, true), MACH_MSG_SUCCESS);
	CHECK(wait_dead_name(th));
	CHECK_EQ(sc_done, 0xD0E);
	CHECK_EQ(sc_result[0], 7005);
	CHECK_EQ(task_set_special_port(ME, TASK_SYSCALL_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	mach_port_destroy(ME, th);
	mach_port_destroy(ME, sp);
}

/* Requests to the syscall port are the kernel's: a task's own message of that id is just a message. */
static void
syscall_port_malformed_request_is_refused_by_the_server(void)
{
	mach_port_t sp = new_port();
	union {
		mach_msg_header_t h;
		uint8_t b[512];
	} in, out;

	mach_port_insert_right(ME, sp, sp, MACH_MSG_TYPE_MAKE_SEND);
	memset(&in, 0, sizeof in);
	in.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	in.h.msgh_size = sizeof in.h;	/* no state at all */
	in.h.msgh_remote_port = sp;
	in.h.msgh_id = 4800;
	CHECK_EQ(mach_msg(&in.h, MACH_SEND_MSG, sizeof in.h, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	CHECK_EQ(mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, sp, 1000, 0), MACH_MSG_SUCCESS);
	CHECK(syscall_server(&in.h, &out.h));	/* answered (with an error), not dropped */
	CHECK_EQ(((mig_reply_error_t *)&out.h)->RetCode, MIG_BAD_ARGUMENTS);
	mach_port_destroy(ME, sp);
}

#endif
