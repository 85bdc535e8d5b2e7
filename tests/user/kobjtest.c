/*
 * kobjtest: the `kobject` suite, run in the guest as the first task. The task
 * and thread RPCs (kernel/ipc/kobject.c) and the lives of the objects behind
 * them (kernel/sched/task.c): a terminated task goes away with all it held,
 * terminating is synchronous, calls racing a termination get named errors and
 * never touch freed memory, and task_threads, the special ports and task_info
 * answer as Mach does. After each case every page, port and heap byte must be
 * back. A new case is a function and one line in `tests` at the end.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <mach/memory_object.h>
#include <manifold/cthread.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include <msgc_runtime.h>
#include "memory_object_server.h"
#include "memory_object_control_client.h"
#include "suite.h"
#include "kobj_calls.h"
#include "kobj_limits.h"

#define ME mach_task_self()
#define PAGE 4096u

static mach_port_type_t
type_of(mach_port_t name)
{
	mach_port_type_t t = 0;

	return mach_port_type(ME, name, &t) == KERN_SUCCESS ? t : 0;
}

static void
yield(void)
{
	thread_switch(MACH_PORT_NULL, 0, 0);
}

/* How many tasks task_list (ps) shows. */
static uint32_t
task_count(void)
{
	uint32_t n = 0;

	static mach_port_t host_priv;	/* we are the first task: the kernel gave it to us */

	if (!host_priv)
		task_get_special_port(ME, TASK_HOST_PORT, &host_priv);
	trap_task_list(host_priv, NULL, 0, &n);
	return n;
}

static uint32_t
uptime_ms(void)
{
	return (uint32_t)(kc_uptime_ns() / 1000000);	/* kobj_calls.h's */
}

/* Code for threads the cases start with thread_create: they never return. */
static void __attribute__((noreturn))
spin_forever(void)
{
	for (;;)
		__asm__ volatile("pause");
}

static void __attribute__((noreturn))
trap_forever(void)
{
	for (;;)
		trap_thread_yield();
}

/*
 * A running thread of task (ours, or a child that has our memory) at fn, on a
 * fresh page of task's memory: its name in *th, the page's address in *stack.
 */
static kern_return_t
start_thread(mach_port_t task, void (*fn)(void), mach_port_t *th, vm_address_t *stack)
{
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	kern_return_t kr;

	*stack = 0;
	if ((kr = vm_allocate(task, stack, PAGE, 1)) != KERN_SUCCESS)
		return kr;
	if ((kr = thread_create(task, th)) != KERN_SUCCESS)
		return kr;
	if ((kr = thread_get_state(*th, i386_THREAD_STATE, (natural_t *)&st, &n)) != KERN_SUCCESS)
		return kr;
	st.eip = (natural_t)(uintptr_t)fn;
	st.esp = (natural_t)(*stack + PAGE - 16);
	st.ebp = 0;
	if ((kr = thread_set_state(*th, i386_THREAD_STATE, (natural_t *)&st, n)) != KERN_SUCCESS)
		return kr;
	return thread_resume(*th);
}

/* Whether task_threads(task) lists the thread named th (each right it gave is released). */
static bool
lists_thread(mach_port_t task, mach_port_t th, kern_return_t *kr)
{
	thread_act_array_t list = NULL;
	mach_msg_type_number_t n = 0;
	bool found = false;

	*kr = task_threads(task, &list, &n);
	if (*kr != KERN_SUCCESS)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		found |= list[i] == th;
		mach_port_deallocate(ME, list[i]);
	}
	vm_deallocate(ME, (vm_address_t)list, n * sizeof *list);
	return found;
}

static void
terminated_tasks_leave_the_task_list_and_give_back_their_memory(void)
{
	uint32_t tasks = task_count();
	struct manifold_kernel_stats s0 = stats(), s;

	for (int i = 0; i < 60; i++) {
		mach_port_t child, th = MACH_PORT_NULL;
		vm_address_t a = 0;
		CHECK_EQ(task_create(ME, i % 2, &child), KERN_SUCCESS);	/* half of them fork our memory */
		CHECK_EQ(task_count(), tasks + 1);
		if (i % 3 == 0)
			CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);	/* suspended */
		if (i % 4 == 0) {
			CHECK_EQ(vm_allocate(child, &a, 4 * PAGE, 1), KERN_SUCCESS);
			CHECK_EQ(vm_write(child, a + PAGE, (vm_address_t)&i, sizeof i), KERN_SUCCESS);
		}
		CHECK_EQ(task_terminate(child), KERN_SUCCESS);
		CHECK_EQ(task_count(), tasks);
		CHECK_EQ(mach_port_deallocate(ME, child), KERN_SUCCESS);
		if (th)
			CHECK_EQ(mach_port_deallocate(ME, th), KERN_SUCCESS);
	}
	s = stats();
	CHECK_EQ(s.heap_bytes - s0.heap_bytes, 0);
	CHECK_EQ(s.free_pages + s.heap_pages - (s0.free_pages + s0.heap_pages), 0);
	CHECK_EQ(s.live_ports - s0.live_ports, 0);
}

/* A child with our memory and two running threads: one in user mode, one in and out of the kernel. */
static void
task_terminate_returns_once_the_task_is_gone(void)
{
	uint32_t tasks = task_count(), pages = free_pages_with_heap();
	mach_port_t child, th1, th2;
	vm_address_t s1, s2;

	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(start_thread(child, spin_forever, &th1, &s1), KERN_SUCCESS);
	CHECK_EQ(start_thread(child, trap_forever, &th2, &s2), KERN_SUCCESS);
	for (int i = 0; i < 5; i++)
		yield();		/* both have run */
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	/* no waiting: by the time it returns, the task, its threads and its memory are gone */
	CHECK_EQ(type_of(child), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(type_of(th1), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(type_of(th2), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(task_count(), tasks);
	CHECK_EQ(free_pages_with_heap(), pages);
	CHECK_EQ(task_terminate(child), MACH_SEND_INVALID_DEST);
	mach_port_deallocate(ME, child);
	mach_port_deallocate(ME, th1);
	mach_port_deallocate(ME, th2);
}

static void
thread_terminate_returns_once_the_thread_is_gone(void)
{
	mach_port_t th, child, cth, stays;
	vm_address_t stack;
	kern_return_t kr;

	/* a thread of ours, running */
	CHECK_EQ(start_thread(ME, spin_forever, &th, &stack), KERN_SUCCESS);
	for (int i = 0; i < 3; i++)
		yield();
	CHECK(lists_thread(ME, th, &kr));
	CHECK_EQ(thread_terminate(th), KERN_SUCCESS);
	CHECK(!lists_thread(ME, th, &kr));	/* at once */
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(type_of(th), MACH_PORT_TYPE_DEAD_NAME);
	mach_port_deallocate(ME, th);
	vm_deallocate(ME, stack, PAGE);

	/*
	 * In a child: one in and out of the kernel, one never started, and one
	 * more that stays (a task whose last thread goes dies with it).
	 */
	CHECK_EQ(task_create(ME, 1, &child), KERN_SUCCESS);
	CHECK_EQ(start_thread(child, trap_forever, &th, &stack), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &cth), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &stays), KERN_SUCCESS);
	yield();
	CHECK_EQ(thread_terminate(th), KERN_SUCCESS);
	CHECK(!lists_thread(child, th, &kr));
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(thread_terminate(cth), KERN_SUCCESS);
	CHECK(!lists_thread(child, cth, &kr));
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK(lists_thread(child, stays, &kr));
	CHECK_EQ(type_of(th), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(type_of(cth), MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(thread_terminate(cth), MACH_SEND_INVALID_DEST);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	mach_port_deallocate(ME, th);
	mach_port_deallocate(ME, cth);
	mach_port_deallocate(ME, stays);
	mach_port_deallocate(ME, child);
}

static void
task_threads_of_a_task_without_threads_is_an_empty_array(void)
{
	thread_act_array_t list = (thread_act_array_t)1;
	mach_msg_type_number_t n = 99;
	mach_port_t child, th;
	kern_return_t kr;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(task_threads(child, &list, &n), KERN_SUCCESS);
	CHECK_EQ(n, 0);
	vm_deallocate(ME, (vm_address_t)list, 0);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);
	CHECK(lists_thread(child, th, &kr));
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	mach_port_deallocate(ME, th);
	mach_port_deallocate(ME, child);
}

static void
unset_special_ports_are_null_and_success(void)
{
	mach_port_t child, th, exc, p;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(thread_create(child, &th), KERN_SUCCESS);
	p = 0x1234;
	CHECK_EQ(task_get_special_port(child, TASK_EXCEPTION_PORT, &p), KERN_SUCCESS);
	CHECK_EQ(p, MACH_PORT_NULL);
	p = 0x1234;
	CHECK_EQ(thread_get_special_port(th, THREAD_EXCEPTION_PORT, &p), KERN_SUCCESS);
	CHECK_EQ(p, MACH_PORT_NULL);
	CHECK_EQ(task_get_special_port(child, 77, &p), KERN_INVALID_ARGUMENT);
	CHECK_EQ(thread_get_special_port(th, 77, &p), KERN_INVALID_ARGUMENT);

	/* once set, the same calls give the port back */
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &exc), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, exc, exc, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(task_set_special_port(child, TASK_EXCEPTION_PORT, exc), KERN_SUCCESS);
	CHECK_EQ(thread_set_special_port(th, THREAD_EXCEPTION_PORT, exc), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(child, TASK_EXCEPTION_PORT, &p), KERN_SUCCESS);
	CHECK_EQ(p, exc);
	mach_port_deallocate(ME, p);
	CHECK_EQ(thread_get_special_port(th, THREAD_EXCEPTION_PORT, &p), KERN_SUCCESS);
	CHECK_EQ(p, exc);
	mach_port_deallocate(ME, p);
	/* and setting MACH_PORT_NULL unsets it */
	CHECK_EQ(task_set_special_port(child, TASK_EXCEPTION_PORT, MACH_PORT_NULL), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(child, TASK_EXCEPTION_PORT, &p), KERN_SUCCESS);
	CHECK_EQ(p, MACH_PORT_NULL);

	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(child, TASK_EXCEPTION_PORT, &p), MACH_SEND_INVALID_DEST);
	mach_port_deallocate(ME, th);
	mach_port_deallocate(ME, child);
	mach_port_destroy(ME, exc);
}

/* The sum of the sizes vm_region reports for task. */
static vm_size_t
map_size(mach_port_t task)
{
	vm_address_t addr = 0, size;
	vm_size_t total = 0;
	vm_prot_t p, m;
	vm_inherit_t in;
	boolean_t sh;

	mach_port_t object_name;
	vm_offset_t offset;

	while (vm_region(task, &addr, &size, &p, &m, &in, &sh, &object_name, &offset) == KERN_SUCCESS) {
		total += size;
		addr += size;
	}
	return total;
}

static void
task_info_virtual_size_is_the_size_of_the_map(void)
{
	task_basic_info_data_t ti;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;
	mach_port_t child;
	vm_address_t a = 0;
	uint32_t one = 1;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(task_info(child, TASK_BASIC_INFO, (integer_t *)&ti, &n), KERN_SUCCESS);
	CHECK_EQ(ti.virtual_size, 0);
	CHECK_EQ(ti.resident_size, 0);
	CHECK_EQ(vm_allocate(child, &a, 16 * PAGE, 1), KERN_SUCCESS);
	CHECK_EQ(vm_write(child, a + 3 * PAGE, (vm_address_t)&one, sizeof one), KERN_SUCCESS);
	n = TASK_BASIC_INFO_COUNT;
	CHECK_EQ(task_info(child, TASK_BASIC_INFO, (integer_t *)&ti, &n), KERN_SUCCESS);
	CHECK_EQ(ti.virtual_size, 16 * PAGE);	/* allocated, touched or not */
	CHECK_EQ(ti.resident_size, PAGE);	/* the one page written */
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	mach_port_deallocate(ME, child);

	n = TASK_BASIC_INFO_COUNT;
	CHECK_EQ(task_info(ME, TASK_BASIC_INFO, (integer_t *)&ti, &n), KERN_SUCCESS);
	CHECK_EQ(ti.virtual_size, map_size(ME));
	CHECK(ti.resident_size < ti.virtual_size);
}

/*
 * A pager whose data_request answers only once `release` is set: a thread
 * touching its memory waits in the kernel, in the middle of a call, for as
 * long as a case wants.
 */
static struct {
	mach_port_t port;
	volatile int requests, terminates, release;
} pager;

kern_return_t
memory_object_do_memory_object_init(mach_port_t mo, mach_port_t control, vm_size_t page_size)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_request(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					    vm_size_t length, vm_prot_t access)
{
	static uint8_t page[PAGE];

	pager.requests++;
	while (!pager.release)
		yield();
	memset(page, 0x5A, sizeof page);
	memory_object_data_supply(control, offset, page, sizeof page, VM_PROT_NONE, false, MACH_PORT_NULL);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_unlock(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   vm_size_t length, vm_prot_t access)
{
	memory_object_lock_request(control, offset, length, MEMORY_OBJECT_RETURN_NONE, false, VM_PROT_NONE,
				   MACH_PORT_NULL);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_lock_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
					      vm_size_t length)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_supply_completed(mach_port_t reply_to, mach_port_t control, vm_offset_t offset,
						vm_size_t length, kern_return_t result, vm_offset_t error_offset)
{
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_data_return(mach_port_t mo, mach_port_t control, vm_offset_t offset,
					   uint8_t *data, mach_msg_type_number_t count, boolean_t dirty,
					   boolean_t kernel_copy)
{
	vm_deallocate(ME, (vm_address_t)data, count);
	mach_port_deallocate(ME, control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_do_memory_object_terminate(mach_port_t mo, mach_port_t control)
{
	mach_port_deallocate(ME, control);
	pager.terminates++;
	return KERN_SUCCESS;
}

static void *
pager_loop(void *arg)
{
	static const msg_demux_t demux[] = { memory_object_server };

	msg_serve(pager.port, demux, 1, NULL, MEMORY_OBJECT_REQUEST_MAX_SIZE, MEMORY_OBJECT_REPLY_MAX_SIZE);
	return NULL;	/* the port was destroyed */
}

static bool
wait_for(volatile int *counter, int value)
{
	for (int i = 0; i < 20000 && *counter < value; i++)
		yield();
	return *counter >= value;
}

/* What a thread blocked in a call on the child does: its arguments and its result. */
static struct {
	mach_port_t child;
	vm_address_t where;		/* in the child: memory our pager serves */
	volatile kern_return_t result;
	volatile int done;
} blocked;

/* vm_read of the child's pager-backed page: the kernel waits for the pager inside the call. */
static void *
read_from_paged_child(void *arg)
{
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;

	blocked.result = vm_read(blocked.child, blocked.where, PAGE, &data, &n);
	if (blocked.result == KERN_SUCCESS)
		vm_deallocate(ME, data, n);
	blocked.done = 1;
	return NULL;
}

/* vm_write into the child's pager-backed page: the same wait, the other way. */
static void *
write_into_paged_child(void *arg)
{
	static uint8_t bytes[64];

	blocked.result = vm_write(blocked.child, blocked.where, (vm_offset_t)bytes, sizeof bytes);
	blocked.done = 1;
	return NULL;
}

/*
 * The calls are RPCs on the child's port: the kernel serves them holding the
 * child, and here waits for our pager in the middle of one, on a page of the
 * child's that the pager has not supplied. The child is terminated meanwhile.
 * The call must end with success or a named error, never with the kernel
 * touching what the child left behind.
 */
static void
a_call_waiting_in_the_kernel_outlives_the_termination_of_its_target(void)
{
	static void *(*const calls[])(void *) = { read_from_paged_child, write_into_paged_child };
	cthread_t pth, w;

	memset(&pager, 0, sizeof pager);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &pager.port), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, pager.port, pager.port, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&pth, pager_loop, NULL), KERN_SUCCESS);
	for (int i = 0; i < 2; i++) {
		kern_return_t r;
		memset(&blocked, 0, sizeof blocked);
		pager.release = 0;
		CHECK_EQ(task_create(ME, 0, &blocked.child), KERN_SUCCESS);
		CHECK_EQ(vm_map(blocked.child, &blocked.where, PAGE, 0, true, pager.port, i * PAGE, false,
				VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_NONE), KERN_SUCCESS);
		CHECK_EQ(cthread_fork(&w, calls[i], NULL), KERN_SUCCESS);
		CHECK(wait_for(&pager.requests, i + 1));	/* it waits for the pager, inside the call */
		CHECK_EQ(blocked.done, 0);
		CHECK_EQ(task_terminate(blocked.child), KERN_SUCCESS);
		CHECK_EQ(type_of(blocked.child), MACH_PORT_TYPE_DEAD_NAME);
		pager.release = 1;
		cthread_join(w);
		r = blocked.result;
		CHECK(r == KERN_SUCCESS || r == KERN_INVALID_TASK || r == KERN_INVALID_ADDRESS ||
		      r == KERN_MEMORY_ERROR || r == KERN_MEMORY_FAILURE);
		mach_port_deallocate(ME, blocked.child);
	}
	CHECK(wait_for(&pager.terminates, 1));
	mach_port_destroy(ME, pager.port);
	cthread_join(pth);
}

/*
 * Four threads make mach_port_*, vm_* and task RPC calls on a child while the
 * main thread terminates it, round after round. In most rounds the workers
 * yield after each call, so calls land just before and just after the
 * termination; in every SPIN_EVERY-th round they never yield, so the timer
 * preempts them and the child dies while their calls are inside the kernel.
 */
#define RACE_ROUNDS	1000
#define RACE_WORKERS	4
#define SPIN_EVERY	20
#define RACE_NAMES	8
#define RACE_REGIONS	4
#define RACE_THREADS	2

static struct {
	volatile uint32_t round;	/* the round being played; its child: */
	volatile mach_port_t child;
	volatile uint32_t dead;		/* the last round whose child was terminated */
	volatile uint32_t spin;		/* the workers do not yield (until the termination starts) */
	volatile uint32_t stop;
	volatile uint32_t seen[RACE_WORKERS], done[RACE_WORKERS], in_call[RACE_WORKERS];
	volatile uint32_t calls, in_flight;
	volatile int bad_op;		/* the first call with an unexpected answer, and its answer */
	volatile kern_return_t bad_kr;
} race;

/* What one worker made in the current round's child (and the rights of ours that go with it). */
struct made {
	mach_port_name_t names[RACE_NAMES];
	uint32_t nnames, given;
	vm_address_t regions[RACE_REGIONS];
	uint32_t nregions;
	mach_port_t threads[RACE_THREADS];
	uint32_t nthreads;
	uint32_t w, rng;	/* the worker; its random numbers */
};

static uint32_t
made_rnd(struct made *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 17;
	m->rng ^= m->rng << 5;
	return m->rng;
}

/*
 * Records op's answer unless it is success, one of the named errors a call on
 * a dying or dead task gives, or one of the (at most two) others the call may
 * give while the task lives.
 */
static void
expect(int op, kern_return_t kr, kern_return_t also, kern_return_t or_else)
{
	switch (kr) {
	case KERN_SUCCESS:
	case KERN_INVALID_TASK:		/* the port is dead, or the task dying */
	case MACH_SEND_INVALID_DEST:	/* an RPC to the dead port */
	case MIG_SERVER_DIED:		/* the port died between send and service */
	case KERN_INVALID_NAME:		/* the dead task holds no names */
	case KERN_INVALID_ADDRESS:	/* nor memory */
		return;
	default:
		if (kr == also || kr == or_else)
			return;
		if (!race.bad_op) {
			race.bad_kr = kr;
			race.bad_op = op + 1;
		}
	}
}

#define NONE KERN_SUCCESS	/* for expect: no other answer */

static void
one_call(struct made *m, mach_port_t child, mach_port_t mine)
{
	uint32_t op = made_rnd(m) % 16, i = made_rnd(m);
	mach_port_name_t name, *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n, tn;
	vm_address_t a = 0, data;
	kern_return_t kr;
	uint32_t word = i;

	switch (op) {
	case 0:		/* a receive right, kept to use below */
		if (m->nnames == RACE_NAMES)
			break;
		kr = mach_port_allocate(child, MACH_PORT_RIGHT_RECEIVE, &name);
		if (kr == KERN_SUCCESS)
			m->names[m->nnames++] = name;
		expect(op, kr, NONE, NONE);
		break;
	case 1:		/* and one given back */
		if (m->nnames == 0)
			break;
		i %= m->nnames;
		name = m->names[i];
		m->names[i] = m->names[--m->nnames];
		kr = i & 1 ? mach_port_destroy(child, name) : mach_port_mod_refs(child, name, MACH_PORT_RIGHT_RECEIVE, -1);
		expect(op, kr, NONE, NONE);
		break;
	case 2:
		kr = mach_port_names(child, &names, &n, &types, &tn);
		expect(op, kr, NONE, NONE);
		if (kr == KERN_SUCCESS) {
			vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
			vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
		}
		break;
	case 3:		/* a name of our choosing (mach_port_allocate may have taken it: KERN_NAME_EXISTS) */
		if (m->given >= 16)
			break;
		name = ((128 + m->w * 32 + m->given++) << 8) | 1;
		kr = mach_port_allocate_name(child, i & 1 ? MACH_PORT_RIGHT_RECEIVE : MACH_PORT_RIGHT_DEAD_NAME, name);
		expect(op, kr, KERN_NAME_EXISTS, NONE);
		break;
	case 4:		/* a send right of ours; the second one is refused, the child has it already */
		if (m->given >= 16)
			break;
		name = ((128 + m->w * 32 + m->given++) << 8) | 1;
		kr = mach_port_insert_right(child, name, mine, MACH_MSG_TYPE_MAKE_SEND);
		expect(op, kr, KERN_RIGHT_EXISTS, KERN_NAME_EXISTS);
		break;
	case 5:		/* a send right to one of its ports, for us */
		if (m->nnames == 0)
			break;
		{
			mach_port_t out = MACH_PORT_NULL;
			mach_msg_type_name_t t;
			kr = mach_port_extract_right(child, m->names[i % m->nnames], MACH_MSG_TYPE_MAKE_SEND, &out, &t);
			expect(op, kr, KERN_INVALID_RIGHT, NONE);	/* the name is dead */
			if (kr == KERN_SUCCESS)
				mach_port_deallocate(ME, out);
		}
		break;
	case 6:
		if (m->nnames) {
			mach_port_type_t type;
			expect(op, mach_port_type(child, m->names[i % m->nnames], &type), NONE, NONE);
		}
		break;
	case 7:
		if (m->nregions == RACE_REGIONS)
			break;
		kr = vm_allocate(child, &a, (1 + i % 4) * PAGE, 1);
		if (kr == KERN_SUCCESS)
			m->regions[m->nregions++] = a;
		expect(op, kr, NONE, NONE);
		break;
	case 8:
		if (m->nregions)
			expect(op, vm_write(child, m->regions[i % m->nregions], (vm_address_t)&word, sizeof word),
			       KERN_PROTECTION_FAILURE, NONE);	/* vm_protect made it read-only */
		break;
	case 9:
		if (m->nregions == 0)
			break;
		kr = vm_read(child, m->regions[i % m->nregions], PAGE, &data, &n);
		expect(op, kr, NONE, NONE);
		if (kr == KERN_SUCCESS)
			vm_deallocate(ME, data, n);
		break;
	case 10:
		if (m->nregions == 0)
			break;
		i %= m->nregions;
		a = m->regions[i];
		m->regions[i] = m->regions[--m->nregions];
		expect(op, vm_deallocate(child, a, 4 * PAGE), NONE, NONE);
		break;
	case 11:
		if (m->nregions)
			expect(op, vm_protect(child, m->regions[i % m->nregions], PAGE, 0, VM_PROT_READ), NONE, NONE);
		break;
	case 12: {
		task_basic_info_data_t ti;
		n = TASK_BASIC_INFO_COUNT;
		expect(op, task_info(child, TASK_BASIC_INFO, (integer_t *)&ti, &n), NONE, NONE);
		break;
	}
	case 13: {
		thread_act_array_t list;
		kr = task_threads(child, &list, &n);
		expect(op, kr, NONE, NONE);
		if (kr == KERN_SUCCESS) {
			for (uint32_t j = 0; j < n; j++)
				mach_port_deallocate(ME, list[j]);
			vm_deallocate(ME, (vm_address_t)list, n * sizeof *list);
		}
		break;
	}
	case 14:	/* the exception port: set to ours, read back (a dead task has none: KERN_FAILURE) */
		if (i & 1) {
			expect(op, task_set_special_port(child, TASK_EXCEPTION_PORT, mine), KERN_FAILURE, NONE);
		} else {
			name = MACH_PORT_NULL;
			kr = task_get_special_port(child, TASK_EXCEPTION_PORT, &name);
			expect(op, kr, KERN_FAILURE, NONE);
			if (kr == KERN_SUCCESS && MACH_PORT_VALID(name))
				mach_port_deallocate(ME, name);
		}
		break;
	case 15:	/* a suspended thread, which dies with the child */
		if (m->nthreads == RACE_THREADS)
			break;
		kr = thread_create(child, &m->threads[m->nthreads]);
		expect(op, kr, KERN_INVALID_ARGUMENT, NONE);	/* the task is dying */
		if (kr == KERN_SUCCESS)
			m->nthreads++;
		break;
	}
}

static void *
race_worker(void *arg)
{
	uint32_t w = (uint32_t)(uintptr_t)arg, r = 0;
	mach_port_t mine = MACH_PORT_NULL, child;
	struct made m;

	memset(&m, 0, sizeof m);
	m.w = w;
	m.rng = 0x9E3779B9u * (w + 1);
	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &mine);
	mach_port_insert_right(ME, mine, mine, MACH_MSG_TYPE_MAKE_SEND);
	for (;;) {
		while (race.round == r && !race.stop)
			yield();
		if (race.stop)
			break;
		r = race.round;
		child = race.child;
		m.nnames = m.given = m.nregions = 0;
		race.seen[w] = r;
		while (race.dead != r) {
			race.in_call[w] = 1;
			one_call(&m, child, mine);
			race.in_call[w] = 0;
			race.calls++;
			if (!race.spin)
				yield();
		}
		for (uint32_t j = 0; j < m.nthreads; j++)	/* dead names by now */
			mach_port_deallocate(ME, m.threads[j]);
		m.nthreads = 0;
		race.done[w] = r;
	}
	mach_port_destroy(ME, mine);
	return NULL;
}

static bool
all_reached(volatile uint32_t *marks, uint32_t r)
{
	for (int w = 0; w < RACE_WORKERS; w++)
		if (marks[w] != r)
			return false;
	return true;
}

/* The answer race_round gives when a terminated child's port is still alive. */
#define STILL_ALIVE ((kern_return_t)-1)

/*
 * One round: a child (with memory, with a running thread, or bare) for the
 * workers, terminated once they all use it. Returns the first unexpected
 * answer to the main thread's own calls, or KERN_SUCCESS.
 */
static kern_return_t
race_round(uint32_t r)
{
	mach_port_t child, th = MACH_PORT_NULL;
	vm_address_t a = 0, stack;
	kern_return_t kr;

	if ((kr = task_create(ME, r % 3 == 0, &child)) != KERN_SUCCESS)
		return kr;
	if (r % 2)
		kr = vm_allocate(child, &a, 2 * PAGE, 1);
	if (kr == KERN_SUCCESS && r % 3 == 0)	/* the child dies through its threads */
		kr = start_thread(child, trap_forever, &th, &stack);
	if (kr != KERN_SUCCESS) {
		task_terminate(child);
		mach_port_deallocate(ME, child);
		return kr;
	}
	race.spin = r % SPIN_EVERY == 0;
	race.child = child;
	race.round = r;
	while (!all_reached(race.seen, r))
		yield();
	for (uint32_t k = race.spin ? 0 : rnd() % 4; k > 0; k--)
		yield();
	for (int w = 0; w < RACE_WORKERS; w++)
		race.in_flight += race.in_call[w];
	race.spin = 0;		/* once their calls end, the child's threads must get to run and die */
	kr = task_terminate(child);
	race.dead = r;
	while (!all_reached(race.done, r))
		yield();
	if (kr == KERN_SUCCESS && type_of(child) != MACH_PORT_TYPE_DEAD_NAME)
		kr = STILL_ALIVE;
	mach_port_deallocate(ME, child);
	if (th)
		mach_port_deallocate(ME, th);
	return kr;
}

static void
calls_racing_task_terminate_get_named_errors_and_leak_nothing(void)
{
	struct manifold_kernel_stats s0 = stats(), s;
	uint32_t tasks = task_count(), t0 = uptime_ms(), r;
	cthread_t workers[RACE_WORKERS];
	kern_return_t kr = KERN_SUCCESS;

	memset((void *)&race, 0, sizeof race);
	for (int w = 0; w < RACE_WORKERS; w++)
		CHECK_EQ(cthread_fork(&workers[w], race_worker, (void *)(uintptr_t)w), KERN_SUCCESS);
	for (r = 1; r <= RACE_ROUNDS && kr == KERN_SUCCESS && !race.bad_op; r++)
		kr = race_round(r);
	race.stop = 1;
	for (int w = 0; w < RACE_WORKERS; w++)
		cthread_join(workers[w]);
	printf("# race: %u rounds, %u calls, %u workers caught inside a call by the termination, %u ms\n", r - 1,
	       race.calls, race.in_flight, uptime_ms() - t0);
	if (race.bad_op)
		printf("# race: call %d answered %#x\n", race.bad_op - 1, race.bad_kr);
	CHECK_EQ(kr, KERN_SUCCESS);
	CHECK_EQ(race.bad_op, 0);
	CHECK_EQ(race.bad_kr, KERN_SUCCESS);
	CHECK(race.in_flight > 0);
	CHECK_EQ(task_count(), tasks);
	s = stats();
	CHECK_EQ(s.free_pages + s.heap_pages - (s0.free_pages + s0.heap_pages), 0);
	CHECK_EQ(s.live_ports - s0.live_ports, 0);
	CHECK_EQ(s.heap_bytes - s0.heap_bytes, 0);
}

/*
 * The traps that make a right and write its name (mach_reply_port,
 * mach_thread_self, mach_host_self) check the out-parameter first, yet a
 * sibling thread can take the page away before the write: then the right is
 * taken back and the call fails. A sibling flips the page between writable and
 * read-only without yielding while we call; whatever each call answers, no
 * right may be lost or left behind. (Most refusals come from the check; the
 * window after it is hit only when the timer preempts a call inside it.)
 */
static volatile int flipping;
static vm_address_t flip_page;

static void *
flip_protection(void *arg)
{
	(void)arg;
	while (flipping) {
		vm_protect(ME, flip_page, PAGE, 0, VM_PROT_READ);
		if (rnd() & 1)
			thread_switch(MACH_PORT_NULL, 0, 0);
		vm_protect(ME, flip_page, PAGE, 0, VM_PROT_READ | VM_PROT_WRITE);
		if (rnd() & 1)
			thread_switch(MACH_PORT_NULL, 0, 0);
	}
	return NULL;
}

static void
out_parameters_a_sibling_takes_away_lose_nothing(void)
{
	static const uint32_t traps[] = { TRAP_mach_reply_port, TRAP_mach_thread_self, TRAP_mach_host_self };
	uint32_t names = port_name_count(), live = stats().live_ports, refused = 0;
	cthread_t flipper;

	CHECK_EQ(vm_allocate(ME, &flip_page, PAGE, 1), KERN_SUCCESS);
	flipping = 1;
	CHECK_EQ(cthread_fork(&flipper, flip_protection, NULL), KERN_SUCCESS);
	for (int i = 0; i < 3000; i++) {
		volatile mach_port_t *out = (volatile mach_port_t *)flip_page;
		uint32_t trap = traps[i % 3];
		kern_return_t kr;
		if (i % 2)
			thread_switch(MACH_PORT_NULL, 0, 0);	/* let the sibling flip */
		kr = trap_raw(trap, (uint32_t)flip_page, 0, 0, 0, 0);
		if (kr != KERN_SUCCESS) {
			CHECK(kr == KERN_PROTECTION_FAILURE || kr == KERN_INVALID_ADDRESS);
			refused++;
			continue;
		}
		CHECK(MACH_PORT_VALID(*out));
		if (trap == TRAP_mach_reply_port)
			mach_port_destroy(ME, *out);
		else
			mach_port_deallocate(ME, *out);
	}
	flipping = 0;
	cthread_join(flipper);
	printf("# %u of 3000 calls found the page read-only\n", refused);
	CHECK_EQ(port_name_count(), names);
	CHECK_EQ(stats().live_ports, live);
	CHECK_EQ(vm_deallocate(ME, flip_page, PAGE), KERN_SUCCESS);
}

/*
 * Issue 12: a child gets threads until the kernel has no memory for another
 * (each is a heap block and a kernel stack from the heap); once the child is
 * terminated, the page pool is back where it was, but for the empty pages the
 * heap keeps for reuse (16) and a few its layout may still hold (the end
 * block's page, a header page where a block now starts). Before the heap gave
 * pages back, the pool stayed some 15,000 pages short.
 */
static void
memory_a_task_made_the_kernel_hold_goes_back_to_the_pool(void)
{
	enum { CHILDREN = 8 };
	uint32_t free0 = stats().free_pages, n = 0, least;
	mach_port_t child[CHILDREN], th;
	kern_return_t kr = KERN_SUCCESS;

	/* each child to its thread limit (TASK_LIMIT_THREADS), thousands in all, each a kernel stack */
	for (int c = 0; c < CHILDREN; c++) {
		CHECK_EQ(task_create(ME, 0, &child[c]), KERN_SUCCESS);
		while (n < 100000 && (kr = thread_create(child[c], &th)) == KERN_SUCCESS) {
			mach_port_deallocate(ME, th);	/* the thread stays, suspended */
			n++;
		}
		CHECK_EQ(kr, KERN_RESOURCE_SHORTAGE);
	}
	least = stats().free_pages;
	printf("# %u threads in %d tasks; %u pages free then\n", n, CHILDREN, least);
	CHECK(n > 1000);
	CHECK(least + 4000 < free0);	/* two pages a thread, the kernel stack */
	for (int c = 0; c < CHILDREN; c++) {
		CHECK_EQ(task_terminate(child[c]), KERN_SUCCESS);
		CHECK_EQ(mach_port_deallocate(ME, child[c]), KERN_SUCCESS);
	}
	printf("# %u pages free before, %u after\n", free0, stats().free_pages);
	CHECK(stats().free_pages + 16 + 4 >= free0);
}

/* A sleeper thread's clock, how long it asks, and what its clock_sleep answered. */
struct clock_sleeper {
	mach_port_t clock;
	mach_timespec_t span;
	volatile kern_return_t result;
	volatile int done;
};

static void *
clock_sleeper_run(void *arg)
{
	struct clock_sleeper *s = arg;
	mach_timespec_t woke;

	s->result = clock_sleep(s->clock, TIME_RELATIVE, s->span, &woke);
	s->done = 1;
	return NULL;
}

/*
 * A sleep on the calendar clock ends with KERN_ABORTED when the calendar
 * clock is set (its deadline was a time of day), as Mach's; a sleep on the
 * system clock sleeps on through the set.
 */
static void
a_sleep_on_the_calendar_clock_ends_when_the_clock_is_set(void)
{
	mach_port_t host = mach_host_self(), host_priv = MACH_PORT_NULL, ctrl = MACH_PORT_NULL;
	struct clock_sleeper cal = { .span = { 60, 0 } }, sys = { .span = { 0, 400000000 } };
	cthread_t a, b;
	mach_timespec_t now;
	uint32_t t0;

	CHECK_EQ(task_get_special_port(ME, TASK_HOST_PORT, &host_priv), KERN_SUCCESS);
	CHECK_EQ(host_get_clock_control(host_priv, CALENDAR_CLOCK, &ctrl), KERN_SUCCESS);
	CHECK_EQ(host_get_clock_service(host, CALENDAR_CLOCK, &cal.clock), KERN_SUCCESS);
	CHECK_EQ(host_get_clock_service(host, SYSTEM_CLOCK, &sys.clock), KERN_SUCCESS);
	t0 = uptime_ms();
	CHECK_EQ(cthread_fork(&a, clock_sleeper_run, &cal), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&b, clock_sleeper_run, &sys), KERN_SUCCESS);
	msg_sleep_ms(100);
	CHECK_EQ(cal.done, 0);
	CHECK_EQ(sys.done, 0);
	CHECK_EQ(clock_get_time(ctrl, &now), KERN_SUCCESS);
	CHECK_EQ(clock_set_time(ctrl, now), KERN_SUCCESS);	/* where it is: only the sleepers notice */
	cthread_join(a);
	CHECK_EQ(cal.result, KERN_ABORTED);
	CHECK(uptime_ms() - t0 < 5000);
	cthread_join(b);
	CHECK_EQ(sys.result, KERN_SUCCESS);
	CHECK(uptime_ms() - t0 >= 400);
	mach_port_deallocate(ME, cal.clock);
	mach_port_deallocate(ME, sys.clock);
	mach_port_deallocate(ME, ctrl);
	mach_port_deallocate(ME, host);
	mach_port_deallocate(ME, host_priv);
}

/* ---- the port-name traps (kernel/syscall/sys_port.c) beside the RPCs they stand for ---- */

/* refs of right on name in task, or -1 when the name is gone */
static int
refs_of(mach_port_t task, mach_port_name_t name, mach_port_right_t right)
{
	mach_port_urefs_t n = 0;

	return mach_port_get_refs(task, name, right, &n) == KERN_SUCCESS ? (int)n : -1;
}

/* name's type in task (0: none) */
static mach_port_type_t
type_in(mach_port_t task, mach_port_name_t name)
{
	mach_port_type_t t = 0;

	return mach_port_type(task, name, &t) == KERN_SUCCESS ? t : 0;
}

/*
 * In task, a send right with three user references to a port of ours (*mine,
 * whose receive right is ours: in our own space the same name holds both),
 * and a dead name with two.
 */
static void
make_names(mach_port_t task, mach_port_name_t *mine, mach_port_name_t *send, mach_port_name_t *dead)
{
	CHECK_EQ(mach_port_allocate_rpc(ME, MACH_PORT_RIGHT_RECEIVE, mine), KERN_SUCCESS);
	*send = *mine;
	CHECK_EQ(mach_port_insert_right(task, *send, *mine, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs_rpc(task, *send, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate_rpc(task, MACH_PORT_RIGHT_DEAD_NAME, dead), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs_rpc(task, *dead, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
}

/*
 * The same calls, once by trap and once by RPC, on two sets of names made
 * alike, in our own space and in a child's: every answer the same, and the
 * names left the same (types and references), bad cases included.
 */
static void
port_traps_answer_as_the_rpcs_do(void)
{
	mach_port_t child = MACH_PORT_NULL;

	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	for (int where = 0; where < 2; where++) {
		mach_port_t task = where ? child : ME;
		mach_port_name_t mine[2], s[2], d[2], n[2];
		kern_return_t first[16];	/* the traps' answers */
		int calls[2];

		make_names(task, &mine[0], &s[0], &d[0]);
		make_names(task, &mine[1], &s[1], &d[1]);
		for (int by = 0; by < 2; by++) {
			kern_return_t (*dealloc)(mach_port_t, mach_port_name_t) =
				by ? mach_port_deallocate_rpc : trap_mach_port_deallocate;
			kern_return_t (*mod)(mach_port_t, mach_port_name_t, mach_port_right_t, mach_port_delta_t) =
				by ? mach_port_mod_refs_rpc : trap_mach_port_mod_refs;
			kern_return_t (*destroy)(mach_port_t, mach_port_name_t) =
				by ? mach_port_destroy_rpc : trap_mach_port_destroy;
			kern_return_t (*alloc)(mach_port_t, mach_port_right_t, mach_port_name_t *) =
				by ? mach_port_allocate_rpc : trap_mach_port_allocate;
			kern_return_t got[16];
			int i = 0;

			got[i++] = dealloc(task, s[by]);				/* 3 -> 2 */
			got[i++] = dealloc(task, d[by]);				/* 2 -> 1 */
			got[i++] = dealloc(task, 0x7777);				/* no such name */
			got[i++] = dealloc(task, MACH_PORT_NULL);
			got[i++] = mod(task, s[by], MACH_PORT_RIGHT_SEND, -3);	/* more than it has */
			got[i++] = mod(task, s[by], MACH_PORT_RIGHT_RECEIVE, 2);	/* 0 or 1 (ours), none (the child's) */
			got[i++] = mod(task, s[by], MACH_PORT_RIGHT_NUMBER, 1);	/* no such right */
			got[i++] = mod(task, d[by], MACH_PORT_RIGHT_SEND, -1);	/* a dead name has no send right */
			got[i++] = mod(task, s[by], MACH_PORT_RIGHT_SEND, 1);	/* 2 -> 3 */
			got[i++] = alloc(task, MACH_PORT_RIGHT_NUMBER, &n[by]);	/* no such right */
			got[i++] = alloc(task, MACH_PORT_RIGHT_PORT_SET, &n[by]);
			got[i++] = destroy(task, n[by]);				/* the set */
			got[i++] = destroy(task, n[by]);				/* now no name */
			got[i++] = destroy(task, d[by]);				/* the dead name, whatever its refs */
			got[i++] = mod(task, s[by], MACH_PORT_RIGHT_RECEIVE, -1);	/* ours: the send right turns dead */
			calls[by] = i;
			for (int k = 0; k < i; k++) {
				if (by == 0)
					first[k] = got[k];
				else if (got[k] != first[k])
					printf("# %s, call %d: trap %d, rpc %d\n", where ? "child" : "ours", k, first[k],
					       got[k]);
				if (by)
					CHECK_EQ(got[k], first[k]);
			}
		}
		CHECK_EQ(calls[0], calls[1]);
		/* the names ended alike, and as Mach leaves them */
		for (int by = 0; by < 2; by++) {
			CHECK_EQ(type_in(task, s[by]), where ? MACH_PORT_TYPE_SEND : MACH_PORT_TYPE_DEAD_NAME);
			CHECK_EQ(refs_of(task, s[by], where ? MACH_PORT_RIGHT_SEND : MACH_PORT_RIGHT_DEAD_NAME), 3);
			CHECK_EQ(type_in(task, d[by]), 0);
			CHECK_EQ(type_in(task, n[by]), 0);
			if (where)
				CHECK_EQ(mach_port_destroy_rpc(ME, mine[by]), KERN_SUCCESS);
			CHECK_EQ(mach_port_destroy_rpc(task, s[by]), KERN_SUCCESS);
		}
	}
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(ME, child), KERN_SUCCESS);
}

/*
 * What is not a send right to a task port of ours is left to the RPC, with
 * nothing changed: a plain port's send right, a receive right, a dead name,
 * no name, null, a terminated task's port. libmsg's calls then answer as the
 * RPC alone does.
 */
static void
port_traps_leave_other_ports_to_the_rpc(void)
{
	mach_port_t port = MACH_PORT_NULL, rcv = MACH_PORT_NULL, dead = MACH_PORT_NULL, child = MACH_PORT_NULL;
	mach_port_name_t n = 0x5555;
	mach_port_t names[] = { 0, 0, 0, 0x7777, MACH_PORT_NULL, 0 };

	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &port), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, port, port, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &rcv), KERN_SUCCESS);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &dead), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, dead, dead, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(mach_port_mod_refs(ME, dead, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);	/* a dead name now */
	CHECK_EQ(task_create(ME, 0, &child), KERN_SUCCESS);
	CHECK_EQ(task_terminate(child), KERN_SUCCESS);
	names[0] = port;
	names[1] = rcv;
	names[2] = dead;
	names[5] = child;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		CHECK_EQ(trap_mach_port_allocate(names[i], MACH_PORT_RIGHT_RECEIVE, &n), TRAP_BY_RPC);
		CHECK_EQ(n, 0x5555);
		CHECK_EQ(trap_mach_port_deallocate(names[i], port), TRAP_BY_RPC);
		CHECK_EQ(trap_mach_port_destroy(names[i], port), TRAP_BY_RPC);
		CHECK_EQ(trap_mach_port_mod_refs(names[i], port, MACH_PORT_RIGHT_SEND, -1), TRAP_BY_RPC);
	}
	CHECK_EQ(refs_of(ME, port, MACH_PORT_RIGHT_SEND), 1);
	CHECK_EQ(refs_of(ME, port, MACH_PORT_RIGHT_RECEIVE), 1);
	/* the RPC behind them: a dead name, no name, null and a dead task's port are no destination */
	for (unsigned i = 2; i < sizeof names / sizeof names[0]; i++) {
		CHECK_EQ(mach_port_deallocate(names[i], port), mach_port_deallocate_rpc(names[i], port));
		CHECK(mach_port_deallocate(names[i], port) != KERN_SUCCESS);
		CHECK_EQ(mach_port_mod_refs(names[i], port, MACH_PORT_RIGHT_SEND, -1),
			 mach_port_mod_refs_rpc(names[i], port, MACH_PORT_RIGHT_SEND, -1));
	}
	CHECK_EQ(refs_of(ME, port, MACH_PORT_RIGHT_SEND), 1);
	/* a name that cannot be written: no right made, and the call says why */
	{
		mach_msg_type_number_t nb = 0, na = 0;
		mach_port_name_array_t list = NULL;
		mach_port_type_array_t types = NULL;

		CHECK_EQ(mach_port_names(ME, &list, &nb, &types, &nb), KERN_SUCCESS);
		vm_deallocate(ME, (vm_address_t)list, nb * sizeof *list);
		vm_deallocate(ME, (vm_address_t)types, nb * sizeof *types);
		CHECK_EQ(trap_mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, (mach_port_name_t *)0x10),
			 KERN_INVALID_ADDRESS);
		CHECK_EQ(trap_mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, (mach_port_name_t *)0xC0000000),
			 KERN_INVALID_ADDRESS);
		CHECK_EQ(mach_port_names(ME, &list, &na, &types, &na), KERN_SUCCESS);
		vm_deallocate(ME, (vm_address_t)list, na * sizeof *list);
		vm_deallocate(ME, (vm_address_t)types, na * sizeof *types);
		CHECK_EQ(na, nb);
	}
	mach_port_destroy(ME, port);
	mach_port_destroy(ME, rcv);
	mach_port_destroy(ME, dead);
	mach_port_deallocate(ME, child);
}

static const struct test tests[] = {
#define T(f) { #f, f }
#define T_ROW(f) { #f, f },
	T(terminated_tasks_leave_the_task_list_and_give_back_their_memory),
	T(a_sleep_on_the_calendar_clock_ends_when_the_clock_is_set),
	T(task_terminate_returns_once_the_task_is_gone),
	T(thread_terminate_returns_once_the_thread_is_gone),
	T(task_threads_of_a_task_without_threads_is_an_empty_array),
	T(unset_special_ports_are_null_and_success),
	T(task_info_virtual_size_is_the_size_of_the_map),
	T(a_call_waiting_in_the_kernel_outlives_the_termination_of_its_target),
	T(calls_racing_task_terminate_get_named_errors_and_leak_nothing),
	T(out_parameters_a_sibling_takes_away_lose_nothing),
	T(memory_a_task_made_the_kernel_hold_goes_back_to_the_pool),
	T(port_traps_answer_as_the_rpcs_do),
	T(port_traps_leave_other_ports_to_the_rpc),
	/* every call of every kernel interface, on our own task port and a child's */
	KOBJ_CALL_CASES(T_ROW)
	/* each limit of a task (manifold/task_limits.h) */
	KOBJ_LIMIT_CASES(T_ROW)
	/* KOBJ_CALL_CASES_FAILING: Mach's behaviour where the kernel still differs (kernel/README.md) */
};

int
main(void)
{
	static const struct leak_check leaks = { kernel_leaks_before, kernel_leaks_after };
	mach_port_name_t warm[200];
	int fail;

	/*
	 * What a first use makes and keeps is made now, not during a case (heap
	 * bytes are checked): our name table at its working size, and the reply
	 * port of our RPCs.
	 */
	(void)mig_get_reply_port();
	(void)task_count();	/* takes our name for the privileged host port, kept for the run */
	/* the name tree keeps a spare node once a name outside the table has been chosen */
	mach_port_allocate_name(ME, MACH_PORT_RIGHT_DEAD_NAME, 0x7FFFFF00);
	mach_port_deallocate(ME, 0x7FFFFF00);
	for (int i = 0; i < 200; i++)
		mach_port_allocate(ME, MACH_PORT_RIGHT_DEAD_NAME, &warm[i]);
	for (int i = 0; i < 200; i++)
		mach_port_deallocate(ME, warm[i]);
	fail = run_suite("kobject", tests, (int)(sizeof tests / sizeof tests[0]), &leaks);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
