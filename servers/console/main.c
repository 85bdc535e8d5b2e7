/*
 * console: the serial console's server (console.defs). Tasks write through
 * sessions, which keep their lines whole; typed input goes through the line
 * discipline and is handed out a line per console_read. A second thread
 * (reader.c) turns the kernel's serial input, which only a holder of the
 * privileged host port may read, into messages on input_port. The loop is
 * libmsg's, on one port set: input → the line discipline; no-senders → the
 * session is over; console_read with no line yet → a deferred reply, served
 * again when a line is finished and once more when its time is up; the timer
 * writes out partial lines CONSOLE_FLUSH_MS old. Its service port is the
 * bootstrap's to keep, so clients' rights to it outlive a restart; sessions
 * do not (libmsg's stdio opens a new one).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "console_server.h"
#include "line.h"
#include "output.h"
#include "reader.h"
#include "session.h"

#define ME mach_task_self()

/* This server writes with the kernel's trap, never through itself (libmsg/runtime/stdio_console.c). */
int stdio_uses_kernel_console = 1;

static mach_port_t input_port, set;
static mach_port_t intr_port = MACH_PORT_NULL;	/* who hears of ^C (console_interrupts) */
static mach_port_t raw_port = MACH_PORT_NULL;	/* whose tty takes raw bytes (console_raw) */
static struct msg_server server;

static uint64_t
now_ms(void)
{
	uint64_t t = 0;

	trap_clock_uptime(&t);
	return t / 1000000;
}

kern_return_t
console_do_console_open(mach_port_t server, mach_port_t *session)
{
	struct session *s = session_create(set);

	if (!s)
		return KERN_RESOURCE_SHORTAGE;
	*session = s->port;	/* the reply makes the client's send right */
	return KERN_SUCCESS;
}

kern_return_t
console_do_console_write(mach_port_t server, const char *text, mach_msg_type_number_t textCnt)
{
	struct session *s = session_find(server);

	if (s)
		session_write(s, text, textCnt, now_ms());
	else
		output_emit(text, textCnt);
	return KERN_SUCCESS;
}

kern_return_t
console_do_console_write_raw(mach_port_t server, const char *text, mach_msg_type_number_t textCnt)
{
	struct session *s = session_find(server);

	if (s)
		session_flush(s);	/* in the order written */
	output_emit_raw(text, textCnt);
	return KERN_SUCCESS;
}

kern_return_t
console_do_console_read(mach_port_t server, uint32_t max, uint32_t timeout_ms, char *line,
			mach_msg_type_number_t *lineCnt)
{
	struct session *s = session_find(server);
	uint32_t n;

	if (s)
		session_flush(s);	/* a prompt shows before its answer is typed */
	if (max == 0)
		return KERN_INVALID_ARGUMENT;
	if (max > *lineCnt)
		max = *lineCnt;
	if (line_take(line, max, &n)) {
		*lineCnt = n;
		return KERN_SUCCESS;
	}
	if (msg_deferred_expired())
		return KERN_OPERATION_TIMED_OUT;
	if (!msg_defer(timeout_ms))	/* held back until a line is finished */
		return KERN_RESOURCE_SHORTAGE;
	return MIG_NO_REPLY;
}

/* A personality's port kept in *slot (console_interrupts, console_raw), the one before it let go. */
static void
keep_port(mach_port_t *slot, mach_port_t port)
{
	if (MACH_PORT_VALID(*slot))
		mach_port_deallocate(ME, *slot);
	*slot = port;
}

kern_return_t
console_do_console_interrupts(mach_port_t server, mach_port_t port)
{
	(void)server;
	keep_port(&intr_port, port);
	return KERN_SUCCESS;
}

bool
line_interrupted(void)
{
	mach_msg_header_t m;

	if (!MACH_PORT_VALID(intr_port))
		return false;
	memset(&m, 0, sizeof m);
	m.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.msgh_size = sizeof m;
	m.msgh_remote_port = intr_port;
	m.msgh_id = CONSOLE_INTERRUPTS_ID;
	/* never wait on a listener: a full queue already says ^C */
	if (mach_msg(&m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL) ==
	    MACH_SEND_INVALID_DEST) {
		mach_port_deallocate(ME, intr_port);	/* it died: ^C is the empty line again */
		intr_port = MACH_PORT_NULL;
		return false;
	}
	return true;
}

kern_return_t
console_do_console_raw(mach_port_t server, mach_port_t port)
{
	(void)server;
	keep_port(&raw_port, port);
	line_raw(MACH_PORT_VALID(port));
	return KERN_SUCCESS;
}

/* Raw mode lasts while its owner lives: once its port is a dead name, lines are edited here again. */
static void
raw_owner_check(void)
{
	mach_port_type_t type = 0;

	if (!MACH_PORT_VALID(raw_port) || mach_port_type(ME, raw_port, &type) != KERN_SUCCESS ||
	    !(type & MACH_PORT_TYPE_DEAD_NAME))
		return;
	keep_port(&raw_port, MACH_PORT_NULL);
	line_raw(false);
}

kern_return_t
console_do_console_recent(mach_port_t server, char *text)
{
	output_recent(text);
	return KERN_SUCCESS;
}

/* Typed bytes from the reader thread; anything else no demux claims goes. */
static void
input(mach_msg_header_t *in)
{
	const struct input_msg *m = (const struct input_msg *)in;

	if (in->msgh_local_port != input_port || in->msgh_id != INPUT_MSG_ID || in->msgh_size != sizeof *m ||
	    (in->msgh_bits & MACH_MSGH_BITS_COMPLEX)) {
		mach_msg_destroy(in);
		return;
	}
	raw_owner_check();
	for (uint32_t i = 0; i < m->count && i < INPUT_CHUNK; i++)
		line_input(m->bytes[i]);
	if (line_ready())
		msg_retry_deferred(&server);
}

/* A session's last send right went: its held reads have nobody to answer to. */
static void
session_over(mach_port_t port)
{
	struct session *s = session_find(port);

	if (s) {
		msg_deferred_cancel(&server, port);
		session_destroy(s);
	}
}

/* Partial lines held CONSOLE_FLUSH_MS go out. */
static uint32_t
flush_tick(void)
{
	return session_flush_old(now_ms());
}

static const msg_demux_t demuxes[] = { console_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.max_request = CONSOLE_REQUEST_MAX_SIZE > sizeof(struct input_msg) ? CONSOLE_REQUEST_MAX_SIZE
									    : sizeof(struct input_msg),
	.max_reply = CONSOLE_REPLY_MAX_SIZE,
	.no_senders = session_over,
	.other = input,
	.tick = flush_tick,
};

int
main(int argc, char **argv)
{
	mach_port_t service, host_priv;
	kern_return_t kr;

	/* the port outlives us: the bootstrap keeps it, and registers /servers/console */
	service = msg_service_checkin("/servers/console");
	if (!MACH_PORT_VALID(service) ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &input_port) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, input_port, input_port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, service, set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, input_port, set) != KERN_SUCCESS) {
		printf("console: cannot make its ports\n");
		return 1;
	}
	mach_port_set_qlimit(ME, service, MACH_PORT_QLIMIT_MAX);
	mach_port_set_qlimit(ME, input_port, MACH_PORT_QLIMIT_MAX);
	/* typed input needs the privileged host port: the bootstrap gives it to us alone */
	if (task_get_special_port(ME, TASK_HOST_PORT, &host_priv) != KERN_SUCCESS) {
		printf("console: no privileged host port, so no typed input\n");
	} else if ((kr = reader_start(input_port, host_priv)) != KERN_SUCCESS) {
		printf("console: cannot start its input thread (%d)\n", kr);
		return 1;
	}
	server.port = set;
	printf("console: serving /servers/console\n");
	msg_server_run(&server);
	return 1;
}
