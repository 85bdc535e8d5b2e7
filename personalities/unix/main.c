/*
 * The Unix server: runs static i386 Linux programs as processes, each a Mach
 * task whose `int 0x80` comes here as syscall_raise (syscall.defs) on the
 * process's own syscall port. personalities/README.md walks through it.
 *
 * Its shape is every server's: a port set (every process's syscall port, the
 * notification port and the wake port) served by libmsg's msg_server_run
 * through msgc's syscall demux, with a dead-name callback for processes
 * whose task died and `other` for the wake port's messages (a typed line,
 * ^C). One thread serves every call, under unix_lock; calls that must wait
 * are held by the loop, not by a thread. Beside the loop, the runner thread
 * starts the programs its command line names (runner.c), one after another,
 * and the tty's reader thread waits for typed lines (tty.c).
 */
#include <stdio.h>
#include <string.h>
#include <mach/thread_status.h>
#include <manifold/msg.h>
#include <msgc_runtime.h>
#include "console_types.h"
#include "linux.h"
#include "fsfile.h"
#include "imagepager.h"
#include "sock.h"
#include "process.h"
#include "runner.h"
#include "signal.h"
#include "syscall.h"
#include "syscall_server.h"
#include "syscall_data_server.h"
#include "tty.h"
#include "umem.h"
#include <manifold/syscall_inputs.h>

#define ME mach_task_self()

mach_port_t server_port_set;
mach_port_t server_notify_port;
static mach_port_t server_wake_port;
static struct msg_server server;
uint32_t server_replays;

/* Whether a held call ends when a signal comes (vfork's wait for its child does not). */
static bool
interruptible(uint32_t nr)
{
	return nr != LNX_vfork && nr != LNX_clone;
}

/*
 * Whether a call a signal ended begins again after the handler when it asked
 * so (SA_RESTART), as on Linux. A read of the console waiting for a line
 * also begins again after a SIGCHLD (or SIGWINCH, SIGURG) handler: busybox's
 * sh reads our tty with a plain fgets when ECHO is off (stty -echo), which
 * takes EINTR for the end of its input, and a job's end at its prompt would
 * end the shell; on Linux its line editing reads the tty and retries.
 */
static bool
restartable(uint32_t nr)
{
	return nr == LNX_read || nr == LNX_readv || nr == LNX_write || nr == LNX_writev || nr == LNX_wait4 ||
	       nr == LNX_waitpid || nr == LNX_ioctl;
}

/*
 * A thread state copied whole, twice a call: `rep movsl` costs about 20
 * instructions here, newlib's memcpy 44 and a structure assignment some 70.
 */
static inline void
state_copy(i386_thread_state_t *to, const void *from)
{
	uint32_t n = sizeof *to / 4;

	__asm__ volatile("rep movsl" : "+D"(to), "+S"(from), "+c"(n) : : "memory");
}

/*
 * One system call. The port is the caller; a request on a port we no longer
 * know (a process that just ended) is refused, which ends that task: it is
 * being ended anyway. A call that must wait (SYS_DEFER: wait4, a read of an
 * empty pipe, nanosleep) is held by the loop (msg_defer_on, on the key its
 * handler named in p->wait_key) and served again, from the start, when
 * something changed in what it waits for (server_retry_on, _process); its
 * handler keeps in the process whatever it must not do twice. A signal
 * ends a held call (-EINTR, or the call again after the handler), and the
 * first pending one is delivered as the call answers.
 */
static inline __attribute__((always_inline)) kern_return_t
serve(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt, natural_t *new_state,
      mach_msg_type_number_t *new_stateCnt)
{
	struct process *p;
	/* the answer's registers, written where the stub sends them from (held: it sends nothing) */
	i386_thread_state_t *st = (i386_thread_state_t *)new_state;
	bool done;

	if (old_stateCnt != i386_THREAD_STATE_COUNT || *new_stateCnt < i386_THREAD_STATE_COUNT)
		return KERN_INVALID_ARGUMENT;
	state_copy(st, old_state);
	cthread_mutex_lock(&unix_lock);
	if (!(p = process_of_port(port))) {
		cthread_mutex_unlock(&unix_lock);
		return KERN_INVALID_ARGUMENT;
	}
	p->regs = st;
	p->defer_ms = 0;
	p->wait_key = NULL;
	if (!p->held) {	/* a new call, not a held one served again */
		p->io_done = 0;
		p->sigwait_set = 0;
		p->call_nr = st->eax;
		p->dispatched = false;
		p->tty_wait = false;
	} else {
		server_replays++;
		if (p->polling)
			poll_forget(p);	/* it says again what it waits for, if it still waits */
	}
	p->held = false;
	p->replay = p->dispatched;
	p->pipe_wait = NULL;	/* a read that still waits says so again */
	/* a stopped process's call waits for SIGCONT, before its handler has seen it */
	done = false;
	if (p->answered) {	/* a pipe's other end answered it meanwhile (pipe.c): no handler again */
		p->answered = false;
		st->eax = (uint32_t)p->answer;
		done = true;
	} else if (!p->stopped) {
		p->dispatched = true;
		done = syscall_dispatch(p, st);
	} else {
		p->wait_key = p;	/* held for its SIGCONT */
	}
	if (!done && p->state == PROC_LIVE) {
		if (!p->stopped && signal_interrupts(p) && interruptible(p->call_nr)) {
			if (p->io_done) {
				st->eax = p->io_done;	/* what moved before the signal came */
			} else if (restartable(p->call_nr) && (signal_restarts(p) || (p->tty_wait && signal_is_notice(p)))) {
				st->eax = p->call_nr;	/* int 0x80 again once the handler returns */
				st->eip -= 2;
			} else {
				st->eax = (uint32_t)-LNX_EINTR;
			}
		} else if (msg_defer_on(p->defer_ms, p->wait_key)) {
			p->held = true;
			p->held_key = p->wait_key;
			p->regs = NULL;
			cthread_mutex_unlock(&unix_lock);
			return MIG_NO_REPLY;
		} else {
			st->eax = (uint32_t)-LNX_EAGAIN;	/* MSG_DEFERRED_MAX held: more than processes can be */
		}
	}
	if (p->state == PROC_LIVE)
		signal_deliver(p);
	p->regs = NULL;
	cthread_mutex_unlock(&unix_lock);
	*new_stateCnt = i386_THREAD_STATE_COUNT;
	return KERN_SUCCESS;
}

kern_return_t
syscall_do_syscall_raise(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
			 natural_t *new_state, mach_msg_type_number_t *new_stateCnt)
{
	return serve(port, old_state, old_stateCnt, new_state, new_stateCnt);
}

/*
 * The calls the syscall inputs name (inputs, below) come with their path:
 * served as any call, with umem_given saying where those bytes are (a held
 * one brings them again as it is served again). A stat's struct goes in the
 * answer (umem_write_answer), for the kernel to write as the caller resumes;
 * other answers carry no bytes. None of them reads or writes a pipe,
 * so server_answer_held, which answers syscall_raise's layout, never meets
 * one of these.
 */
kern_return_t
syscall_data_do_syscall_raise_data(mach_port_t port, const natural_t *old_state, mach_msg_type_number_t old_stateCnt,
				   natural_t in_addr, const char *in_data, mach_msg_type_number_t in_dataCnt,
				   natural_t *new_state, mach_msg_type_number_t *new_stateCnt, natural_t *out_addr,
				   natural_t *out_fault, char *out_data, mach_msg_type_number_t *out_dataCnt)
{
	kern_return_t kr;

	*out_addr = 0;
	*out_fault = 0;
	*out_dataCnt = 0;
	umem_given = (struct umem_given){ port, in_addr, in_dataCnt, in_data };
	umem_answer = (struct umem_answer){ port, out_data, out_addr, out_fault, out_dataCnt };
	kr = serve(port, old_state, old_stateCnt, new_state, new_stateCnt);
	umem_given.len = 0;
	umem_answer.port = MACH_PORT_NULL;
	return kr;
}

/*
 * Answers p's held call now, with eax, from inside another process's call
 * (a pipe's write put its bytes straight into p's held read, or a read made
 * room for p's held write and took the rest of it: pipe.c). The
 * request is taken from the loop's held ones and answered here, alone and
 * at once, as syscall_do_syscall_raise would have answered it served again
 * (its signals delivered), so nothing serves it again: its client is
 * ready before the caller's own answer goes (with the loop's next receive,
 * and the kernel then runs the caller first, as held_replies_first orders a
 * replayed answer). False, and nothing done, when the loop holds no call
 * of p's. unix_lock held.
 */
bool
server_answer_held(struct process *p, int32_t eax)
{
	union {
		mach_msg_header_t h;
		uint8_t buf[SYSCALL_REPLY_MAX_SIZE];
	} out;
	struct msgc_reader r;
	struct msgc_writer w;
	const natural_t *old;
	mach_msg_type_number_t n;
	i386_thread_state_t *st;
	mach_msg_header_t *in;

	if (!p->held || !(in = msg_deferred_take(&server, p->port)))
		return false;
	p->held = false;
	p->held_key = NULL;
	/* the demux checked the request as it came: it is syscall_raise's, with a whole state */
	msgc_begin_read(&r, in, 0);
	old = msgc_get_array(&r, sizeof *old, i386_THREAD_STATE_COUNT, &n);
	/* msgc_put_array's layout, the count and then the words, the registers written in place */
	msgc_prepare_reply(in, &out.h);
	msgc_begin_reply_ok(&w, &out.h, 0);
	msgc_put_u32(&w, i386_THREAD_STATE_COUNT);
	st = (i386_thread_state_t *)(w.base + w.at);
	state_copy(st, old);
	w.at += sizeof *st;
	msgc_end_reply_ok(&w, &out.h);
	st->eax = (uint32_t)eax;
	p->regs = st;
	signal_deliver(p);
	p->regs = NULL;
	/* a send-once right never waits for room; a client that died meanwhile: its right goes */
	if (mach_msg(&out.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, out.h.msgh_size, 0, MACH_PORT_NULL, 0,
		     MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		mach_msg_destroy(&out.h);
	msg_deferred_free(&server, in);
	return true;
}

void
server_wake(mach_msg_id_t id)
{
	mach_msg_header_t m = { 0 };

	m.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.msgh_size = sizeof m;
	m.msgh_remote_port = server_wake_port;
	m.msgh_id = id;
	/* a full queue already holds a wake: this one is not needed */
	mach_msg(&m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

void
server_retry_held(void)
{
	msg_retry_deferred(&server);
}

void
server_retry_on(const void *key)
{
	msg_retry_key(&server, key);
	poll_wake(key);
}

void
server_retry_process(struct process *p)
{
	if (p && p->state == PROC_LIVE && p->held)
		msg_retry_key(&server, p->held_key);	/* NULL: all */
}

void
server_cancel_held(struct process *p)
{
	poll_forget(p);
	msg_deferred_cancel(&server, p->port);
}

static void
task_died(mach_port_name_t name)
{
	cthread_mutex_lock(&unix_lock);
	process_task_died(name);
	cthread_mutex_unlock(&unix_lock);
}

/*
 * gns's socket_notify messages and the MACH_NOTIFY_SEND_ONCE of a right it
 * dropped unsent (libmsg hands those on a port not the notify port here):
 * sock.c's; the wake port's: the tty's reader says bytes were typed (the
 * discipline takes them, held reads go again), or the sockets' ticker (a gns without socket_notify) asks for another try, or the console says ^C was typed (SIGINT to the foreground
 * group), or the alarm thread says a timer ran out (SIGALRM). Anything
 * else is dropped.
 */
static void
other(mach_msg_header_t *in)
{
	cthread_mutex_lock(&unix_lock);	/* every branch's: the held calls, the discipline's buffer, the polls' list */
	if (MACH_PORT_VALID(sock_notify_port) && in->msgh_local_port == sock_notify_port) {
		sock_notice(in);
	} else if (in->msgh_local_port == server_wake_port && in->msgh_id == UNIX_WAKE_ID) {
		tty_wake();
	} else if (in->msgh_local_port == server_wake_port && in->msgh_id == UNIX_TICK_ID) {
		sock_ticks++;
		server_retry_on(&sock_key);
	} else if (in->msgh_local_port == server_wake_port && in->msgh_id == UNIX_ALARM_ID) {
		alarm_fire();
	} else if (in->msgh_local_port == server_wake_port && in->msgh_id == CONSOLE_INTERRUPTS_ID &&
		   in->msgh_size == sizeof(mach_msg_header_t)) {
		tty_interrupt();
	}
	cthread_mutex_unlock(&unix_lock);
	mach_msg_destroy(in);
}

static const msg_demux_t demuxes[] = { syscall_server, syscall_data_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 2,
	.max_request = SYSCALL_DATA_REQUEST_MAX_SIZE,	/* the larger of the two */
	.max_reply = SYSCALL_DATA_REPLY_MAX_SIZE,
	.nthreads = 1,	/* calls that wait are held (msg_defer), not waited for in a thread */
	/*
	 * No tick here. A held call's answer (a read a write woke) goes at once
	 * and the new call's (the write's) with the next receive: two traps for
	 * the three messages, and the writer runs first, so that its next read
	 * is held before the reader writes back (pipe.c's hand-over).
	 */
	.reply_after_tick = true,
	.held_replies_first = true,
	.dead_name = task_died,
	.other = other,
};

/*
 * The calls whose path the kernel brings in the request (syscall_raise_data,
 * <manifold/syscall_inputs.h>) unless `noinputs` is on the module line: up to
 * SYSCALL_DATA_MAX (256) bytes with its NUL, which saves the copy of it
 * (umem_read_str); and fstat64, which brings nothing, so that its struct, as
 * the stat calls', goes back in the answer (umem_write_answer). Set on the
 * server's own task, which every process's task inherits. A longer path, or
 * one not readable, is read as before. A call the table does not name costs
 * the kernel a bit's test (README.md's Cost).
 */
#define PATH_IN(nr, reg) SYSCALL_INPUT(nr, reg, SYSCALL_LEN_STRING, SYSCALL_DATA_MAX)
static const natural_t inputs[] = {
	PATH_IN(LNX_statx, SYSCALL_REG_ECX),   PATH_IN(LNX_stat64, SYSCALL_REG_EBX),
	PATH_IN(LNX_lstat64, SYSCALL_REG_EBX), PATH_IN(LNX_fstatat64, SYSCALL_REG_ECX),
	PATH_IN(LNX_open, SYSCALL_REG_EBX),    PATH_IN(LNX_openat, SYSCALL_REG_ECX),
	PATH_IN(LNX_execve, SYSCALL_REG_EBX),  PATH_IN(LNX_access, SYSCALL_REG_EBX),
	PATH_IN(LNX_readlink, SYSCALL_REG_EBX),
	SYSCALL_INPUT(LNX_fstat64, SYSCALL_REG_ECX, SYSCALL_LEN_FIXED, 0),
};

int
main(int argc, char **argv)
{
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &server_port_set) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &server_notify_port) != KERN_SUCCESS ||
	    mach_port_move_member(ME, server_notify_port, server_port_set) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &server_wake_port) != KERN_SUCCESS ||
	    mach_port_move_member(ME, server_wake_port, server_port_set) != KERN_SUCCESS) {
		printf("unix: no ports for the server; giving up\n");
		return 1;
	}
	/* the paths in the requests unless `noinputs` (the unix suite's first boot: the copies' way) */
	bool want_inputs = true;

	clock_start();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "noinputs") == 0)
			want_inputs = false;
		if (strcmp(argv[i], "trace") == 0)
			syscall_trace = true;
		if (strcmp(argv[i], "net") == 0)
			sock_start(server_port_set);
		if (strcmp(argv[i], "fs") == 0 && fsfile_attach() != 0)
			printf("unix: no file server in ns: files are the view of boot modules only\n");
	}
	if (!want_inputs)
		printf("unix: no syscall inputs (noinputs): every path is copied\n");
	else if (task_set_syscall_inputs(ME, (natural_t *)inputs, sizeof inputs / sizeof inputs[0]) != KERN_SUCCESS)
		printf("unix: no syscall inputs: every path is copied\n");
	else
		printf("unix: syscall inputs: the paths of %u calls come in their requests\n",
		       (unsigned)(sizeof inputs / sizeof inputs[0]));
	server.port = server_port_set;
	server.notify_port = server_notify_port;
	printf("unix: serving Linux i386 system calls\n");
	if (imagepager_start() != 0)
		printf("unix: cannot start the images' pager: exec copies images\n");
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "pagertest") == 0)
			imagepager_forgery_test();
	if (alarm_start() != 0)
		printf("unix: cannot start the alarm thread: alarm and setitimer never fire\n");
	if (tty_start(server_wake_port) != 0)
		printf("unix: cannot start the console reader\n");
	if (runner_start(argc, argv) != 0)
		printf("unix: cannot start the runner\n");
	msg_server_run(&server);
	printf("unix: the server loop ended\n");
	return 1;
}
