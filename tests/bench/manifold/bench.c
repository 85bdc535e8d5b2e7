/*
 * The Manifold side of `make bench`: prints `BENCH <name> <median> insns` for
 * each row the kernel can run today, `INFO <name> not measured: ...` for the
 * others, then `BENCH done`. The bootstrap task starts it from a boot module;
 * its first argument is the iteration count. tests/bench/rows.tsv pairs each
 * name with its Linux reference (tests/bench/linux/), and the timing loop is the
 * one the Linux programs use (tests/bench/common/measure.c), so both sides count
 * the same way: the median instruction count under QEMU -icount shift=0, less
 * the cost of the timing itself. The RPC rows talk to a second task: this
 * program again, started with "server" from boot module 1.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "benchrpc_client.h"
#include "benchrpc_server.h"
#include "measure.h"
#include "payload.h"
#include "rows.h"

#define ME mach_task_self()
#define HELLO_ID 7000
#define RPC_ID 7001
#define OOL_WRITE_ID 7002	/* out of line, and the server writes a word per page */
#define RPC_MAX 4096

struct ool_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t ool;
};

struct rpc_msg {
	mach_msg_header_t h;
	uint8_t data[RPC_MAX];
	mach_msg_trailer_t trailer;
};

/*
 * The server task (this program started with "server" as boot module 1): sends
 * its service port to the bootstrap port, then answers every request with a
 * reply of the same size, sending each reply and receiving the next request in
 * one mach_msg, as a Mach server loop does.
 */
static int
serve(void)
{
	static struct rpc_msg m;
	mach_port_t boot, service;
	mach_msg_return_t mr;

	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &boot) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS)
		return 1;
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	m.h.msgh_remote_port = boot;
	m.h.msgh_local_port = service;
	m.h.msgh_id = HELLO_ID;
	if (mach_msg(&m.h, MACH_SEND_MSG, sizeof m.h, 0, 0, 0, 0) != MACH_MSG_SUCCESS)
		return 1;
	mr = mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, service, 0, 0);
	while (mr == MACH_MSG_SUCCESS) {
		mach_msg_size_t size = m.h.msgh_size;
		if (m.h.msgh_id == BENCH_NULL_ID) {	/* through msgc's demultiplexer */
			static union {
				mach_msg_header_t h;
				uint8_t room[BENCHRPC_REPLY_MAX_SIZE];
			} out;
			benchrpc_server(&m.h, &out.h);
			memcpy(&m, &out, out.h.msgh_size);
			mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, m.h.msgh_size, sizeof m, service, 0, 0);
			continue;
		}
		if (m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) {
			/* out of line: read every word, maybe write a word per page,
			 * drop the region, reply with the sum */
			struct ool_msg *o = (struct ool_msg *)&m;
			uint32_t *data = (uint32_t *)o->ool.address, s;

			s = payload_sum(data, o->ool.size / 4);
			if (m.h.msgh_id == OOL_WRITE_ID)
				payload_write_pages(data, o->ool.size, s);
			vm_deallocate(ME, o->ool.address, o->ool.size);
			memcpy(m.data, &s, sizeof s);
			size = sizeof m.h + sizeof s;
		} else if (size >= sizeof m.h + 4) {
			/* inline data: read every word, echo it with the sum in word 0 */
			uint32_t *data = (uint32_t *)m.data;

			data[0] = payload_sum(data, (size - sizeof m.h) / 4);
		}
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits), 0);
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id += 100;
		mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, size, sizeof m, service, 0, 0);
	}
	return 1;
}

static mach_port_t server_port, reply_port;

/* Starts the server task (boot module 1) and learns its service port. */
static int
start_server(void)
{
	static struct rpc_msg m;
	mach_port_t boot;
	uint32_t id;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &boot) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, boot, boot, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_set_special_port(ME, TASK_BOOTSTRAP_PORT, boot) != KERN_SUCCESS ||
	    trap_boot_module_start(1, &id) != KERN_SUCCESS)
		return -1;
	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, boot, 10000, 0) != MACH_MSG_SUCCESS ||
	    m.h.msgh_id != HELLO_ID)
		return -1;
	server_port = m.h.msgh_remote_port;
	reply_port = mach_reply_port();
	return 0;
}

/*
 * The inline RPC rows' buffer, request and reply alike. Its data is the
 * payload pattern: the server sums the request, puts the sum in word 0 and
 * echoes the rest; the client checks word 0, sums the reply (so that both
 * receivers read every word, as the Linux programs do) and puts word 0 back.
 */
static struct rpc_msg rpc_buf;

struct rpc_row {
	const char *name;
	uint32_t len;	/* bytes each way, a multiple of 4 */
	uint32_t sum;	/* of the pattern's first len bytes */
};

/* One empty round trip: request and reply wait in one mach_msg. Apart from
 * rpc_op so that null_rpc's figure has nothing but the RPC in it. */
static int
null_rpc_op(void *arg)
{
	struct rpc_msg *m = &rpc_buf;

	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->h.msgh_remote_port = server_port;
	m->h.msgh_local_port = reply_port;
	m->h.msgh_id = RPC_ID;
	if (mach_msg(&m->h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m->h, sizeof *m, reply_port, 0, 0) !=
	    MACH_MSG_SUCCESS)
		return -1;
	return m->h.msgh_id == RPC_ID + 100 && m->h.msgh_size == sizeof m->h ? 0 : -1;
}

/* One round trip with row->len bytes each way, both ends reading them all. */
static int
rpc_op(void *arg)
{
	const struct rpc_row *row = arg;
	struct rpc_msg *m = &rpc_buf;
	uint32_t *data = (uint32_t *)m->data, w0 = data[0], got;

	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->h.msgh_remote_port = server_port;
	m->h.msgh_local_port = reply_port;
	m->h.msgh_id = RPC_ID;
	if (mach_msg(&m->h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m->h + row->len, sizeof *m, reply_port, 0, 0) !=
	    MACH_MSG_SUCCESS)
		return -1;
	if (m->h.msgh_id != RPC_ID + 100 || m->h.msgh_size != sizeof m->h + row->len)
		return -1;
	got = payload_sum(data, row->len / 4);
	if (data[0] != row->sum || got != row->sum - w0 + row->sum) {
		printf("FAIL %s: the server summed 0x%lx, the reply sums to 0x%lx; sent 0x%lx\n", row->name,
		       (unsigned long)data[0], (unsigned long)got, (unsigned long)row->sum);
		return -1;
	}
	data[0] = w0;
	return 0;
}

static int
bench_rpc(const char *name, uint32_t len, unsigned iters)
{
	struct rpc_row row = { name, len, 0 };

	if (!server_port && start_server() < 0)
		return -1;
	payload_fill((uint32_t *)rpc_buf.data, RPC_MAX / 4);
	row.sum = payload_sum((uint32_t *)rpc_buf.data, len / 4);
	return bench_loop(name, "insns", iters, rpc_op, &row);
}

static uint64_t
wide(uint32_t lo, uint32_t hi)
{
	return ((uint64_t)hi << 32) | lo;
}

/*
 * Where a null RPC's instructions go, from the kernel's counters over 1000 RPCs:
 * the send halves of mach_msg (client's request, server's reply), the context
 * switches, and the rest (trap entry and exit, the receive halves, user code).
 */
static void
null_rpc_breakdown(void)
{
	struct manifold_kernel_stats a, b;
	uint64_t t0, t1, sends, switches, n = 1000;

	/* the kernel counts cycles for the loop only: the rows above ran without */
	trap_raw(TRAP_kernel_stats, (uint32_t)&a, KSTATS_TIMING_ON, 0, 0, 0);
	t0 = bench_rdtsc();
	for (unsigned i = 0; i < n; i++)
		null_rpc_op(NULL);
	t1 = bench_rdtsc();
	trap_raw(TRAP_kernel_stats, (uint32_t)&b, KSTATS_TIMING_OFF, 0, 0, 0);
	sends = wide(b.msg_send_cycles_lo, b.msg_send_cycles_hi) - wide(a.msg_send_cycles_lo, a.msg_send_cycles_hi);
	switches = wide(b.switch_cycles_lo, b.switch_cycles_hi) - wide(a.switch_cycles_lo, a.switch_cycles_hi);
	printf("INFO null_rpc breakdown per round trip: %llu in all; %u traps, %llu in the two send halves "
	       "(fast path %u of %u messages), %u context switches costing %llu, %llu for the rest "
	       "(trap entries and exits, receive halves, user code)\n",
	       (t1 - t0) / n, (unsigned)((b.traps - a.traps) / n), sends / n, b.fastpath_hits - a.fastpath_hits,
	       (unsigned)(2 * n), (unsigned)((b.switches - a.switches) / n), switches / n,
	       (t1 - t0 - sends - switches) / n);
}

static int
bench_null_rpc(unsigned iters)
{
	int r;

	if (!server_port && start_server() < 0)
		return -1;
	r = bench_loop("null_rpc", "insns", iters, null_rpc_op, NULL);
	if (r == 0)
		null_rpc_breakdown();
	return r;
}

static int
bench_rpc_64b(unsigned iters)
{
	return bench_rpc("rpc_64b", 64, iters);
}

static int
bench_rpc_4k(unsigned iters)
{
	return bench_rpc("rpc_4k_inline", 4096, iters);
}

/*
 * The out-of-line rows: a request carrying `size` bytes of the payload pattern
 * out of line (a virtual copy); the server reads every word, for the _write
 * rows then writes one word per page (a copy-on-write fault each), drops the
 * region and replies with the sum, which must be what we sent.
 */
struct ool_row {
	const char *name;
	uint32_t size;
	mach_msg_id_t id;	/* RPC_ID, or OOL_WRITE_ID for the _write rows */
	vm_address_t region;	/* the pattern, ours for the whole row */
	uint32_t sum;
};

static int
ool_op(void *arg)
{
	static union {
		struct ool_msg o;
		struct rpc_msg r;
	} m;
	const struct ool_row *row = arg;
	uint32_t got;

	m.o.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) | MACH_MSGH_BITS_COMPLEX;
	m.o.h.msgh_remote_port = server_port;
	m.o.h.msgh_local_port = reply_port;
	m.o.h.msgh_id = row->id;
	m.o.body.msgh_descriptor_count = 1;
	m.o.ool.address = row->region;
	m.o.ool.size = row->size;
	m.o.ool.deallocate = 0;
	m.o.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.o.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	if (mach_msg(&m.o.h, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m.o, sizeof m, reply_port, 0, 0) !=
	    MACH_MSG_SUCCESS)
		return -1;
	if (m.r.h.msgh_id != row->id + 100 || m.r.h.msgh_size != sizeof m.r.h + sizeof got)
		return -1;
	memcpy(&got, m.r.data, sizeof got);
	if (got != row->sum) {
		printf("FAIL %s: the server summed 0x%lx, we sent 0x%lx\n", row->name, (unsigned long)got,
		       (unsigned long)row->sum);
		return -1;
	}
	return 0;
}

static int
bench_ool(const char *name, uint32_t size, mach_msg_id_t id, unsigned iters)
{
	struct ool_row row = { name, size, id, 0, 0 };
	int r;

	if (!server_port && start_server() < 0)
		return -1;
	if (vm_allocate(ME, &row.region, size, 1) != KERN_SUCCESS) {
		printf("FAIL %s: cannot allocate its region\n", name);
		return -1;
	}
	payload_fill((uint32_t *)row.region, size / 4);
	row.sum = payload_sum((uint32_t *)row.region, size / 4);
	r = bench_loop(name, "insns", iters, ool_op, &row);
	vm_deallocate(ME, row.region, size);
	return r;
}

static int
bench_ool_64k(unsigned iters)
{
	return bench_ool("ool_64k", 64 * 1024, RPC_ID, iters);
}

static int
bench_ool_1m(unsigned iters)
{
	return bench_ool("ool_1m", 1024 * 1024, RPC_ID, iters);
}

static int
bench_ool_64k_write(unsigned iters)
{
	return bench_ool("ool_64k_write", 64 * 1024, OOL_WRITE_ID, iters);
}

static int
bench_ool_1m_write(unsigned iters)
{
	return bench_ool("ool_1m_write", 1024 * 1024, OOL_WRITE_ID, iters);
}

/* page_fault_zero: each call writes to the next untouched page of one large region. */
struct fresh_pages {
	vm_address_t next;
};

static int
fault_op(void *arg)
{
	struct fresh_pages *f = arg;

	*(volatile char *)f->next = 1;
	f->next += 4096;
	return 0;
}

static int
bench_page_fault_zero(unsigned iters)
{
	vm_size_t len = (vm_size_t)(iters + BENCH_WARMUP) * 4096;
	struct fresh_pages f = { 0 };
	int r;

	if (vm_allocate(ME, &f.next, len, 1) != KERN_SUCCESS)
		return -1;
	/* a warm-up bounded in iterations only: each call uses up a page */
	r = bench_loop_warm("page_fault_zero", "insns", BENCH_WARMUP, 0, iters, fault_op, &f);
	vm_deallocate(ME, f.next - len, len);
	return r;
}

/*
 * fork_16m: task_create inheriting our memory (16 MiB of it touched), a thread
 * in the child that writes one page of the region and ends, and the parent
 * waiting for the child's end (its task port's dead-name notification).
 */
#define FORK_REGION (16u << 20)
#define FORK_AT 0x80000000u	/* 4 MiB aligned, as the Linux side's region; far from the heap */

static uint32_t fork_stack[256] __attribute__((aligned(16)));

__attribute__((noreturn)) static void
fork_child_write(void)
{
	((volatile char *)FORK_AT)[FORK_REGION / 2] = 1;	/* one copy-on-write fault */
	/* a trap, not an RPC: our copy of the runtime's cached port names (reply
	 * port, task port) are the parent's names, which mean nothing here */
	trap_task_exit(0);
}

__attribute__((noreturn)) static void
fork_child_exit(void)
{
	trap_task_exit(0);
}

struct fork_row {
	mach_port_t notify;	/* receives the child's dead-name notification */
	void (*child)(void);	/* where the child's thread starts */
};

/* Our fork, exit and wait: the child inherits our memory, its one thread runs
 * row->child, and we wait until the kernel has removed the task. */
static int
fork_op(void *arg)
{
	const struct fork_row *row = arg;
	mach_port_t child, th, prev;
	i386_thread_state_t st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	struct rpc_msg m;

	if (task_create(ME, 1, &child) != KERN_SUCCESS)
		return -1;
	if (mach_port_request_notification(ME, child, MACH_NOTIFY_DEAD_NAME, 1, row->notify,
					   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS ||
	    thread_create(child, &th) != KERN_SUCCESS)
		return -1;
	thread_get_state(th, i386_THREAD_STATE, (natural_t *)&st, &n);
	st.eip = (natural_t)(uintptr_t)row->child;
	st.esp = (natural_t)(uintptr_t)&fork_stack[252];
	thread_set_state(th, i386_THREAD_STATE, (natural_t *)&st, n);
	thread_resume(th);
	mach_port_deallocate(ME, th);
	if (mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, row->notify, 0, 0) != MACH_MSG_SUCCESS ||
	    m.h.msgh_id != MACH_NOTIFY_DEAD_NAME)
		return -1;
	mach_port_destroy(ME, child);	/* now a dead name, with the notification's reference too */
	return 0;
}

static int
bench_fork_16m(unsigned iters)
{
	vm_address_t region = FORK_AT;
	struct fork_row row = { MACH_PORT_NULL, fork_child_write };
	int r;

	if (vm_allocate(ME, &region, FORK_REGION, 0) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &row.notify) != KERN_SUCCESS) {
		printf("FAIL fork_16m: cannot set up its region and port\n");
		return -1;
	}
	memset((void *)region, 1, FORK_REGION);
	r = bench_loop("fork_16m", "insns", iters, fork_op, &row);
	mach_port_destroy(ME, row.notify);
	vm_deallocate(ME, region, FORK_REGION);
	return r;
}

/*
 * task_create_terminate: the same fork, exit and wait with nothing touched
 * beyond what this program itself uses (run early, before the RPC and VM rows
 * map their regions): the pair of Linux's fork, _exit and waitpid of a small
 * static program.
 */
static int
bench_task_create_terminate(unsigned iters)
{
	struct fork_row row = { MACH_PORT_NULL, fork_child_exit };
	int r;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &row.notify) != KERN_SUCCESS)
		return -1;
	r = bench_loop("task_create_terminate", "insns", iters, fork_op, &row);
	mach_port_destroy(ME, row.notify);
	return r;
}

kern_return_t
benchrpc_do_bench_null(mach_port_t server)
{
	return KERN_SUCCESS;
}

static int
stub_rpc_op(void *arg)
{
	return bench_null(server_port) == KERN_SUCCESS ? 0 : -1;
}

/* stub_rpc: a null RPC through generated stubs, beside the raw null_rpc. */
static int
bench_stub_rpc(unsigned iters)
{
	if (!server_port && start_server() < 0)
		return -1;
	return bench_loop("stub_rpc", "insns", iters, stub_rpc_op, NULL);
}

static int
port_alloc_dealloc_op(void *arg)
{
	mach_port_t p;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return -1;
	return mach_port_destroy(ME, p) == KERN_SUCCESS ? 0 : -1;
}

static int
bench_port_alloc_dealloc(unsigned iters)
{
	return bench_loop("port_alloc_dealloc", "insns", iters, port_alloc_dealloc_op, NULL);
}

/*
 * The same calls as kernel RPCs on a child task's port (the _rpc names: libmsg's
 * own take the trap for any task port of this kernel): what a call costs when
 * it is a message, as it is for a task on another node or behind an interposer.
 */
static int
port_alloc_rpc_op(void *arg)
{
	mach_port_t child = (mach_port_t)(uintptr_t)arg, p;

	if (mach_port_allocate_rpc(child, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return -1;
	return mach_port_destroy_rpc(child, p) == KERN_SUCCESS ? 0 : -1;
}

static int
bench_port_alloc_rpc(unsigned iters)
{
	mach_port_t child;
	int r;

	if (task_create(ME, 0, &child) != KERN_SUCCESS)
		return -1;
	r = bench_loop("port_alloc_rpc", "insns", iters, port_alloc_rpc_op, (void *)(uintptr_t)child);
	task_terminate(child);
	mach_port_deallocate(ME, child);
	return r;
}

/*
 * 64 bytes of another task's memory into ours: what a personality server does
 * for a system call's buffer (personalities/unix/umem.c), by the RPC and by
 * the trap that stands in for it (vm_copy_to_quick). The child inherits our
 * memory, so copy_src is there too; copy_dst is touched first, in our space.
 */
static uint32_t copy_src[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, copy_dst[16];

static int
copy_to_rpc_op(void *arg)
{
	mach_port_t child = (mach_port_t)(uintptr_t)arg;

	if (vm_copy_to(child, (vm_address_t)copy_src, sizeof copy_src, ME, (vm_address_t)copy_dst) != KERN_SUCCESS)
		return -1;
	return copy_dst[15] == 16 ? 0 : -1;
}

static int
copy_to_trap_op(void *arg)
{
	mach_port_t child = (mach_port_t)(uintptr_t)arg;

	if (vm_copy_to_quick(child, (vm_address_t)copy_src, sizeof copy_src, ME, (vm_address_t)copy_dst) !=
	    KERN_SUCCESS)
		return -1;
	return copy_dst[15] == 16 ? 0 : -1;
}

static int
bench_copy_to(unsigned iters)
{
	mach_port_t child;
	int r;

	if (task_create(ME, 1, &child) != KERN_SUCCESS)
		return -1;
	r = bench_loop("copy_to_rpc", "insns", iters, copy_to_rpc_op, (void *)(uintptr_t)child);
	if (r == 0)
		r = bench_loop("copy_to_trap", "insns", iters, copy_to_trap_op, (void *)(uintptr_t)child);
	task_terminate(child);
	mach_port_deallocate(ME, child);
	return r;
}

/* A native trap that does nothing but check and write one word: the pair of getppid. */
static int
task_self_id_op(void *arg)
{
	uint32_t id;

	return trap_task_self_id(&id) == KERN_SUCCESS ? 0 : -1;
}

static int
bench_null_syscall(unsigned iters)
{
	return bench_loop("null_syscall", "insns", iters, task_self_id_op, NULL);
}

/*
 * The rows, in the order they run (tests/bench/rows.tsv orders the table). A
 * row whose run is NULL waits for the kernel interface named in `needs`;
 * replace the NULL with a function of the same shape as bench_null_syscall
 * when it lands (never print a figure for a row that does not measure what its
 * name says). What each measures, to match its Linux pair:
 *
 *   null_syscall   trap_task_self_id: enter the kernel, write one word, leave.
 *   task_create_terminate  task_create inheriting our memory (nothing but this
 *                  program's own touched), one thread that ends the task at
 *                  once, and the wait for the kernel to remove it (dead name).
 *                  Run before the rows that map regions, so the task is small.
 *   exception_rt   a load from an unmapped address; a second thread of this
 *                  task, our thread's exception port's receiver, gets
 *                  exception_raise_state_identity, sets the address register
 *                  to a mapped word and replies; the load is retried and
 *                  succeeds (manifold/thread.c).
 *   syscall_port_rt  int 0x80 answered by a personality server, a second
 *                  thread of this task on its TASK_SYSCALL_PORT, which sets
 *                  eax (manifold/personality.c); beside Linux's null_syscall.
 *   thread_switch  thread_switch until a second thread of this task has run
 *                  once and yielded back (manifold/thread.c).
 *   null_rpc       one mach_msg RPC (MACH_SEND_MSG|MACH_RCV_MSG, empty request
 *                  and reply) from this task to a server task blocked in
 *                  mach_msg receive; timed in the client, per round trip.
 *   rpc_64b        the same with 64 bytes of inline data each way; the server
 *                  reads every word of the request and the client every word
 *                  of the reply (payload_sum), as on Linux.
 *   rpc_4k_inline  the same with 4 KiB each way.
 *   ool_64k        a request carrying 64 KiB out of line (one descriptor, a
 *                  virtual copy, the sender keeps its region); the server
 *                  reads every word, deallocates the region and replies
 *                  with the sum, which the client checks.
 *   ool_1m         the same with 1 MiB.
 *   ool_64k_write, ool_1m_write  the same, and the server writes one word per
 *                  page after reading (the copy-on-write faults).
 *   port_alloc_dealloc  mach_port_allocate(RECEIVE) then mach_port_destroy on
 *                  our own task port: two RPCs to the kernel (they are not traps).
 *   port_alloc_rpc the same two RPCs on a child task's port (no Linux pair).
 *   copy_to_rpc, copy_to_trap  vm_copy_to of 64 bytes from a child task (which
 *                  inherited our memory) into ours, by the RPC and by the
 *                  trap (vm_copy_to_quick): a personality server's copy of a
 *                  system call's buffer (no Linux pair).
 *   fork_16m       task_create inheriting a 16 MiB region touched beforehand,
 *                  a thread in the child writes one page and the child ends;
 *                  the parent waits for it (a dead-name notification).
 *   page_fault_zero  the first write to each page of a fresh vm_allocate
 *                  region: one zero-fill fault per call (bench_loop_warm with
 *                  no time bound, as tests/bench/linux/vm.c does).
 */
struct row {
	const char *name;
	int (*run)(unsigned iters);
	const char *needs;
};

static const struct row rows[] = {
    {"null_syscall", bench_null_syscall, NULL},
    {"task_create_terminate", bench_task_create_terminate, NULL},
    {"exception_rt", bench_exception_rt, NULL},
    {"syscall_port_rt", bench_syscall_port_rt, NULL},
    {"thread_switch", bench_thread_switch, NULL},
    /* IPC rows (issue 3) */
    {"null_rpc", bench_null_rpc, NULL},
    {"stub_rpc", bench_stub_rpc, NULL},
    {"rpc_64b", bench_rpc_64b, NULL},
    {"rpc_4k_inline", bench_rpc_4k, NULL},
    {"ool_64k", bench_ool_64k, NULL},
    {"port_alloc_dealloc", bench_port_alloc_dealloc, NULL},
    {"port_alloc_rpc", bench_port_alloc_rpc, NULL},
    {"copy_to_rpc", bench_copy_to, NULL},	/* and copy_to_trap */
    /* VM rows (issue 4) */
    {"ool_1m", bench_ool_1m, NULL},
    {"ool_64k_write", bench_ool_64k_write, NULL},
    {"ool_1m_write", bench_ool_1m_write, NULL},
    {"fork_16m", bench_fork_16m, NULL},
    {"page_fault_zero", bench_page_fault_zero, NULL},
};

int
main(int argc, char **argv)
{
	unsigned iters;
	int bad = 0;

	if (argc > 1 && strcmp(argv[1], "server") == 0)
		return serve();
	iters = bench_iters(argc, argv, 10000);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("INFO system Manifold\n");
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (rows[i].run == NULL)
			printf("INFO %s not measured: needs %s\n", rows[i].name, rows[i].needs);
		else if (rows[i].run(iters) < 0)
			bad = 1;
	}
	printf("BENCH done\n");
	fflush(stdout);
	/* Leaves QEMU at once when the kernel allows it (`debug_exit` on its
	 * command line); otherwise the runner stops QEMU on seeing `BENCH done`. */
	trap_debug_exit(bad ? 0x11 : 0x10);
	return bad;
}
