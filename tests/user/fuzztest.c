/*
 * Kernel fuzzing at scale (make check-fuzz-long: 10,000,000 calls; make check:
 * a bounded share). Forks of this task, two threads each, send random and
 * mangled messages to their own ports and random kernel RPCs (valid ids of
 * every kernel interface and ids past their ends, random bodies) to their own
 * task, their own threads and the host. A fork that hurts itself (unmaps its
 * code, terminates its thread or itself, faults) is replaced by a new one;
 * nothing a fork does may hurt the kernel. At the end every fork is ended and
 * every page, port and heap byte must be back.
 *
 * The forks cannot use libmsg's stubs (they cache the parent's names), so they
 * speak to the kernel with mach_msg and the traps alone. Each thread counts its
 * calls in a page the forks share with this task (VM_INHERIT_SHARE).
 *
 * Usage (boot module command line): fuzztest CALLS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "suite.h"

#define ME mach_task_self()
#define PAGE 4096u
#define FORKS 3
#define THREADS 2			/* per fork */
#define WORKERS (FORKS * THREADS)

struct board {
	volatile uint32_t calls[WORKERS];	/* each worker's count */
	volatile uint32_t seed[WORKERS];	/* what it starts from */
};
static struct board *board;

static uint32_t
wrnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static mach_port_t
trap_name(uint32_t trap)
{
	mach_port_t n = MACH_PORT_NULL;

	trap_raw(trap, (uint32_t)&n, 0, 0, 0, 0);
	return n;
}

/*
 * One worker thread in a fork: never returns. Its stack is its own; what it
 * touches besides is the board and its own static buffers (by slot).
 */
static uint32_t wbuf[WORKERS][128];

static void
worker(void)
{
	uint32_t slot, s;
	mach_port_t self, thread, host, ports[4];
	uint32_t *buf;

	/* which slot: the stack says (slot's 64 KiB at 0x40000000 + slot * 64 KiB, see start_worker) */
	__asm__ volatile("mov %%esp, %0" : "=r"(slot));
	slot = (slot >> 16) & 0xFF;
	if (slot >= WORKERS)
		for (;;)
			;
	s = board->seed[slot] | 1;
	buf = wbuf[slot];
	self = trap_name(TRAP_mach_task_self);
	thread = trap_name(TRAP_mach_thread_self);
	host = trap_name(TRAP_mach_host_self);
	for (int i = 0; i < 4; i++)
		ports[i] = trap_name(TRAP_mach_reply_port);
	for (;;) {
		mach_msg_header_t *h = (mach_msg_header_t *)buf;
		uint32_t r = wrnd(&s), words = wrnd(&s) % 24;
		mach_port_t names[] = { ports[0], ports[1], ports[2], ports[3], wrnd(&s), MACH_PORT_NULL,
					MACH_PORT_DEAD, self };

		for (uint32_t j = 0; j < 32; j++)
			buf[j] = wrnd(&s) % 4 ? wrnd(&s) % 48 : wrnd(&s);
		if (r % 2) {
			/* a kernel RPC: task, thread, host, exc, mach_port, vm_map, ids past each end too */
			static const int base[6] = { 3400, 3600, 200, 2400, 3200, 3800 };
			mach_port_t targets[3] = { self, thread, host };
			h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
				       (wrnd(&s) % 4 ? 0 : MACH_MSGH_BITS_COMPLEX);
			h->msgh_remote_port = targets[wrnd(&s) % 3];
			h->msgh_local_port = ports[0];
			h->msgh_id = base[wrnd(&s) % 6] + (int)(wrnd(&s) % 24);
			if (h->msgh_id == 3400)
				h->msgh_id = 3402;	/* a new task would outlive its fork: not ours to end */
			if (mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof *h + words * 4, 0, 0, 0, 0) ==
			    MACH_MSG_SUCCESS)
				mach_msg(h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof wbuf[0], ports[0], 0, 0);
		} else {
			/* a message, close to a real one or not, to one of our ports; or a receive */
			h->msgh_bits = MACH_MSGH_BITS(15 + wrnd(&s) % 8, wrnd(&s) % 4 ? 0 : 15 + wrnd(&s) % 8) |
				       (wrnd(&s) % 3 ? 0 : MACH_MSGH_BITS_COMPLEX);
			h->msgh_remote_port = names[wrnd(&s) % 8];
			h->msgh_local_port = wrnd(&s) % 2 ? MACH_PORT_NULL : names[wrnd(&s) % 8];
			if (wrnd(&s) % 2)
				mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, wrnd(&s) % 2 ? words * 4 + 24 : wrnd(&s), 0,
					 0, 0, 0);
			else
				mach_msg(h, MACH_RCV_MSG | MACH_RCV_TIMEOUT | (wrnd(&s) & MACH_RCV_LARGE), 0,
					 wrnd(&s) % 2 ? sizeof wbuf[0] : wrnd(&s) % 512, names[wrnd(&s) % 4], 0, 0);
		}
		board->calls[slot]++;
	}
}

static mach_port_t forks[FORKS];
static uint32_t generation;

/* A worker thread in task at slot; its stack is the slot's 64 KiB at 0x40000000 + slot * 64 KiB. */
static kern_return_t
start_worker(mach_port_t task, uint32_t slot)
{
	vm_address_t stack = 0x40000000u | (slot << 16);
	mach_port_t th;
	kern_return_t kr = vm_allocate(task, &stack, 0x10000, 0);

	if (kr == KERN_SUCCESS)
		kr = thread_at(task, (vm_address_t)worker, stack + 0x10000 - 64, &th);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = thread_resume(th);
	mach_port_deallocate(ME, th);
	return kr;
}

/* A new fork at f with its THREADS workers. */
static void
start_fork(int f)
{
	if (task_create(ME, 1, &forks[f]) != KERN_SUCCESS) {
		forks[f] = MACH_PORT_NULL;
		return;
	}
	for (int t = 0; t < THREADS; t++) {
		board->seed[f * THREADS + t] = rnd() ^ ++generation;
		start_worker(forks[f], (uint32_t)(f * THREADS + t));
	}
}

static uint32_t
total_calls(void)
{
	uint32_t n = 0;

	for (int i = 0; i < WORKERS; i++)
		n += board->calls[i];
	return n;
}

int
main(int argc, char **argv)
{
	uint32_t want = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 100000, restarts = 0, last[FORKS] = { 0 };
	struct manifold_kernel_stats before, after;
	vm_address_t page = 0;
	uint64_t t0 = 0, t1 = 0;
	int ok;

	printf("fuzz: %u calls from %d forks of %d threads\n", (unsigned)want, FORKS, THREADS);
	suite_seed(0xF022);
	vm_allocate(ME, &page, PAGE, 1);
	vm_inherit(ME, page, PAGE, VM_INHERIT_SHARE);
	board = (struct board *)page;
	memset(board, 0, sizeof *board);
	{	/* the shared page becomes an internal memory object at the first fork, for good */
		mach_port_t first = MACH_PORT_NULL;
		task_create(ME, 1, &first);
		end_task_and_wait(first);
	}
	before = stats();
	trap_clock_uptime(&t0);
	for (int f = 0; f < FORKS; f++)
		start_fork(f);
	while (total_calls() < want) {
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 100);
		for (int f = 0; f < FORKS; f++) {
			mach_port_type_t type = 0;
			uint32_t now = board->calls[f * THREADS] + board->calls[f * THREADS + 1];
			mach_port_type(ME, forks[f], &type);
			/* dead (it faulted or ended itself), or stuck (no thread left, or blocked for good) */
			if (!forks[f] || type == MACH_PORT_TYPE_DEAD_NAME || now == last[f]) {
				if (forks[f])
					end_task_and_wait(forks[f]);
				start_fork(f);
				restarts++;
			}
			last[f] = board->calls[f * THREADS] + board->calls[f * THREADS + 1];
		}
	}
	trap_clock_uptime(&t1);
	for (int f = 0; f < FORKS; f++)
		if (forks[f])
			end_task_and_wait(forks[f]);
	for (int i = 0; i < 200; i++) {
		after = stats();
		if (after.live_ports == before.live_ports && after.heap_bytes == before.heap_bytes &&
		    after.free_pages + after.heap_pages == before.free_pages + before.heap_pages)
			break;
		thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 10);
	}
	printf("fuzz: %u calls in %u ms, %u forks replaced\n", (unsigned)total_calls(),
	       (unsigned)((t1 - t0) / 1000000), (unsigned)restarts);
	printf("fuzz: ports %u -> %u, free pages (with the heap's) %u -> %u, heap bytes %u -> %u\n",
	       (unsigned)before.live_ports, (unsigned)after.live_ports,
	       (unsigned)(before.free_pages + before.heap_pages), (unsigned)(after.free_pages + after.heap_pages),
	       (unsigned)before.heap_bytes, (unsigned)after.heap_bytes);
	ok = after.live_ports == before.live_ports && after.heap_bytes == before.heap_bytes &&
	     after.free_pages + after.heap_pages == before.free_pages + before.heap_pages && total_calls() >= want;
	printf("%s 1 - random_messages_and_kernel_rpcs_from_several_tasks_leak_nothing\n", ok ? "ok" : "not ok");
	printf("fuzz: %d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
	trap_debug_exit(ok ? 0x10 : 0x11);
	return 0;
}
