/*
 * The rows between two threads of one task: exception_rt (a fault caught by
 * an exception server that fixes the thread's registers and lets it go on) and
 * thread_switch (a yield to the other thread and back). Their Linux pairs are
 * in tests/bench/linux/task.c: a SIGSEGV handler that fixes the registers and
 * returns, and sched_yield between two threads.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include "exc_server.h"
#include "measure.h"
#include "rows.h"

#define ME mach_task_self()
#define EXC_STOP_ID 7100	/* not exc.defs' id: ends the exception server */

/*
 * exception_rt. The faulting load is the same instruction as on Linux: a
 * load through ecx, which holds an unmapped address (0x10); the handler points
 * ecx at good_word and the load runs again.
 */
#define BAD_ADDRESS 0x10u
#define GOOD_VALUE 0x600DF00Du

static volatile uint32_t good_word = GOOD_VALUE;
static volatile int exc_failed;
/* For the breakdown after the timed loop: what giving back the message's two
 * rights costs the handler (two mach_port_deallocate calls: libmsg's, the trap). */
static volatile int exc_breakdown;
static uint64_t exc_dealloc_ticks;

kern_return_t
exc_do_exception_raise_state_identity(mach_port_t exception_port, mach_port_t thread, mach_port_t task,
				       int32_t exception, const integer_t *code, mach_msg_type_number_t codeCnt,
				       int32_t *flavor, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
				       natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	i386_thread_state_t st;
	uint64_t t0 = exc_breakdown ? bench_rdtsc() : 0;

	/* the message's rights, as any exception server must give them back */
	mach_port_deallocate(ME, thread);
	mach_port_deallocate(ME, task);
	if (exc_breakdown)
		exc_dealloc_ticks += bench_rdtsc() - t0;
	if (exception != EXC_BAD_ACCESS || codeCnt < 2 || (uint32_t)code[1] != BAD_ADDRESS ||
	    *flavor != i386_THREAD_STATE || old_stateCnt != i386_THREAD_STATE_COUNT) {
		exc_failed = 1;
		return KERN_FAILURE;	/* the task dies: loud enough */
	}
	memcpy(&st, old_state, sizeof st);
	st.ecx = (natural_t)(uintptr_t)&good_word;
	memcpy(new_state, &st, sizeof st);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	return KERN_SUCCESS;
}

/* The other two behaviors are never set here: their requests mean something went wrong. */
kern_return_t
exc_do_exception_raise(mach_port_t exception_port, mach_port_t thread, mach_port_t task, int32_t exception,
		       const integer_t *code, mach_msg_type_number_t codeCnt)
{
	(void)exception_port, (void)thread, (void)task, (void)exception, (void)code, (void)codeCnt;
	exc_failed = 1;
	return KERN_FAILURE;
}

kern_return_t
exc_do_exception_raise_state(mach_port_t exception_port, int32_t exception, const integer_t *code,
			     mach_msg_type_number_t codeCnt, int32_t *flavor, const natural_t *old_state,
			     mach_msg_type_number_t old_stateCnt, natural_t *new_state,
			     mach_msg_type_number_t *new_stateCnt)
{
	(void)exception_port, (void)exception, (void)code, (void)codeCnt, (void)flavor;
	(void)old_state, (void)old_stateCnt, (void)new_state, (void)new_stateCnt;
	exc_failed = 1;
	return KERN_FAILURE;
}

/* The exception server: a Mach server loop on port (each reply sent and the
 * next request received in one mach_msg) until EXC_STOP_ID. */
static void *
exc_serve(void *arg)
{
	static union {
		mach_msg_header_t h;
		uint8_t room[EXC_REQUEST_MAX_SIZE + 64];
	} a, b;
	mach_port_t port = (mach_port_t)(uintptr_t)arg;
	mach_msg_header_t *in = &a.h, *out = &b.h, *t;
	mach_msg_return_t mr;

	mr = mach_msg(in, MACH_RCV_MSG, 0, sizeof a, port, 0, 0);
	while (mr == MACH_MSG_SUCCESS && in->msgh_id != EXC_STOP_ID) {
		if (!exc_server(in, out)) {
			exc_failed = 1;
			break;
		}
		t = in, in = out, out = t;	/* the reply goes out of `in`, the request comes into it */
		mr = mach_msg(in, MACH_SEND_MSG | MACH_RCV_MSG, in->msgh_size, sizeof a, port, 0, 0);
	}
	return NULL;
}

static int
exception_op(void *arg)
{
	uint32_t v, addr = BAD_ADDRESS;

	/* ecx is an output too: the handler changes it */
	__asm__ volatile("movl (%%ecx), %%eax" : "=a"(v), "+c"(addr) : : "memory");
	return v == GOOD_VALUE && addr == (uintptr_t)&good_word ? 0 : -1;
}

/* Where an exception round trip's instructions go, over 1000 untimed ones. */
static void
exception_breakdown(void)
{
	const unsigned n = 1000;
	uint64_t t0, t1;

	exc_breakdown = 1;
	exc_dealloc_ticks = 0;
	t0 = bench_rdtsc();
	for (unsigned i = 0; i < n; i++)
		exception_op(NULL);
	t1 = bench_rdtsc();
	exc_breakdown = 0;
	printf("INFO exception_rt breakdown per exception: %llu in all, %llu of them in the handler's two "
	       "mach_port_deallocate calls (the thread and task rights the message carries)\n",
	       (t1 - t0) / n, exc_dealloc_ticks / n);
}

int
bench_exception_rt(unsigned iters)
{
	mach_port_t port, self = mach_thread_self();
	mach_msg_header_t stop = { 0 };
	cthread_t server;
	int r = -1;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    cthread_fork(&server, exc_serve, (void *)(uintptr_t)port) != KERN_SUCCESS) {
		printf("FAIL exception_rt: cannot start the exception server\n");
		return -1;
	}
	/* our thread's port, so that only this thread's faults go there */
	if (thread_set_special_port(self, THREAD_EXCEPTION_PORT, port) == KERN_SUCCESS) {
		r = bench_loop("exception_rt", "insns", iters, exception_op, NULL);
		if (r == 0)
			exception_breakdown();
		thread_set_special_port(self, THREAD_EXCEPTION_PORT, MACH_PORT_NULL);
	}
	stop.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	stop.msgh_size = sizeof stop;
	stop.msgh_remote_port = port;
	stop.msgh_id = EXC_STOP_ID;
	mach_msg(&stop, MACH_SEND_MSG, sizeof stop, 0, 0, 0, 0);
	cthread_join(server);
	mach_port_destroy(ME, port);
	mach_port_deallocate(ME, self);
	if (exc_failed) {
		printf("FAIL exception_rt: the exception server saw something else than our fault\n");
		r = -1;
	}
	return r;
}

/*
 * thread_switch: one operation yields until the other thread has run (its
 * count moved) and yielded back, so it is at least two thread_switch traps and
 * two context switches, whatever the scheduler does with a yield.
 */
static volatile uint32_t partner_turns;
static volatile int partner_stop;

static void *
partner(void *arg)
{
	while (!partner_stop) {
		partner_turns++;
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
	}
	return NULL;
}

static int
switch_op(void *arg)
{
	uint32_t seen = partner_turns;

	do
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_NONE, 0);
	while (partner_turns == seen);
	return 0;
}

int
bench_thread_switch(unsigned iters)
{
	cthread_t other;
	int r;

	partner_stop = 0;
	if (cthread_fork(&other, partner, NULL) != KERN_SUCCESS) {
		printf("FAIL thread_switch: cannot start the second thread\n");
		return -1;
	}
	r = bench_loop("thread_switch", "insns", iters, switch_op, NULL);
	partner_stop = 1;
	cthread_join(other);
	return r;
}
