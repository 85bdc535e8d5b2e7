/*
 * console: the serial console's server (console.defs). Tasks write through
 * sessions, which keep their lines whole; typed input goes through the line
 * discipline and is handed out a line per console_read. A second thread
 * (reader.c) turns the kernel's serial input, which only a holder of the
 * privileged host port may read, into messages, so everything arrives
 * here: receive on one port set → input? edit it → no-senders? the
 * session is over → console_read with no line yet? hold it back → else the
 * demux and the reply. Held-back reads are answered when a line is finished
 * or their time is up; partial lines are written out when CONSOLE_FLUSH_MS pass.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "console_server.h"
#include "line.h"
#include "ns_client.h"
#include "output.h"
#include "reader.h"
#include "session.h"

#define ME mach_task_self()
#define MAX_WAITING_READS 16

/* This server writes with the kernel's trap, never through itself (libmsg/runtime/stdio_console.c). */
int stdio_uses_kernel_console = 1;

union request {
	mach_msg_header_t h;
	uint8_t bytes[CONSOLE_REQUEST_MAX_SIZE + sizeof(mach_msg_max_trailer_t)];
	struct input_msg input;
	mach_no_senders_notification_t no_senders;
};

union reply {
	mach_msg_header_t h;
	mig_reply_error_t err;
	uint8_t bytes[CONSOLE_REPLY_MAX_SIZE];
};

/* console_read requests waiting for a line, oldest first. */
struct waiting_read {
	union request req;
	uint64_t deadline_ms;	/* 0: for ever */
};

static mach_port_t service, input_port, set;
static struct waiting_read waiting[MAX_WAITING_READS];
static int nwaiting;
static uint64_t now;		/* ms since boot, as of the message being handled */
static bool hold_back;		/* console_read found no line and may wait */
static uint32_t hold_timeout_ms;
static bool expiring;		/* replaying a read whose time is up */

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
		session_write(s, text, textCnt, now);
	else
		output_emit(text, textCnt);
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
	if (expiring)
		return KERN_OPERATION_TIMED_OUT;
	if (nwaiting == MAX_WAITING_READS)
		return KERN_RESOURCE_SHORTAGE;
	hold_back = true;	/* the loop keeps the request and answers it later */
	hold_timeout_ms = timeout_ms;
	return MIG_NO_REPLY;
}

kern_return_t
console_do_console_recent(mach_port_t server, char *text)
{
	output_recent(text);
	return KERN_SUCCESS;
}

/* Runs a request through the demux and sends the reply; a refused request's rights go. */
static void
dispatch(union request *in)
{
	static union reply out;

	hold_back = false;
	if (!console_server(&in->h, &out.h)) {	/* an id not ours: answered with MIG_BAD_ID */
		in->h.msgh_remote_port = MACH_PORT_NULL;
		mach_msg_destroy(&in->h);
	} else if (out.err.RetCode == MIG_NO_REPLY && !(out.h.msgh_bits & MACH_MSGH_BITS_COMPLEX)) {
		if (hold_back) {
			struct waiting_read *w = &waiting[nwaiting++];
			memcpy(&w->req, in, in->h.msgh_size);
			w->deadline_ms = hold_timeout_ms ? now + hold_timeout_ms : 0;
		}
		return;
	} else if (!(out.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) && out.err.RetCode != KERN_SUCCESS) {
		in->h.msgh_remote_port = MACH_PORT_NULL;	/* the reply keeps the reply right */
		mach_msg_destroy(&in->h);
	}
	if (out.h.msgh_remote_port != MACH_PORT_NULL)
		mach_msg(&out.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, out.h.msgh_size, 0, MACH_PORT_NULL, 0,
			 MACH_PORT_NULL);
}

/* Takes the oldest waiting read out of the list and answers it (line or timeout). */
static void
answer_waiting(int i, bool timed_out)
{
	static union request req;

	req = waiting[i].req;
	memmove(&waiting[i], &waiting[i + 1], (size_t)(nwaiting - i - 1) * sizeof waiting[0]);
	nwaiting--;
	expiring = timed_out;
	dispatch(&req);
	expiring = false;
}

/* Answers readers while finished lines wait, then those whose time is up. */
static void
serve_waiting(void)
{
	while (nwaiting > 0 && line_ready())
		answer_waiting(0, false);
	for (int i = 0; i < nwaiting; i++) {
		if (waiting[i].deadline_ms && now >= waiting[i].deadline_ms)
			answer_waiting(i--, true);
	}
}

/* How long the loop may sleep: until the next partial line or waiting read is due (0: no limit). */
static uint32_t
next_timeout(void)
{
	uint32_t t = session_flush_old(now);

	for (int i = 0; i < nwaiting; i++) {
		if (waiting[i].deadline_ms) {
			uint32_t left = waiting[i].deadline_ms > now ? (uint32_t)(waiting[i].deadline_ms - now) : 1;
			if (t == 0 || left < t)
				t = left;
		}
	}
	return t;
}

static void
serve_one(union request *in)
{
	struct session *s;

	if (in->h.msgh_local_port == input_port && in->h.msgh_id == INPUT_MSG_ID) {
		for (uint32_t i = 0; i < in->input.count && i < INPUT_CHUNK; i++)
			line_input(in->input.bytes[i]);
	} else if (in->h.msgh_id == MACH_NOTIFY_NO_SENDERS) {
		s = session_find(in->h.msgh_local_port);
		if (s) {
			for (int i = 0; i < nwaiting; i++) {	/* nobody is left to read for it */
				if (waiting[i].req.h.msgh_local_port == s->port) {
					mach_msg_destroy(&waiting[i].req.h);
					memmove(&waiting[i], &waiting[i + 1], (size_t)(nwaiting - i - 1) * sizeof waiting[0]);
					nwaiting--;
					i--;
				}
			}
			session_destroy(s);
		}
	} else if (in->h.msgh_local_port != input_port) {
		dispatch(in);
	}
}

int
main(int argc, char **argv)
{
	static union request in;
	mach_port_t ns, registration, host_priv;
	kern_return_t kr;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, service, service, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
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
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_register(ns, "/servers/console", service, &registration) != KERN_SUCCESS) {
		printf("console: cannot register /servers/console\n");
		return 1;
	}
	printf("console: serving /servers/console\n");
	for (;;) {
		uint32_t wait_ms;
		mach_msg_return_t mr;

		now = now_ms();
		wait_ms = next_timeout();
		mr = mach_msg(&in.h, MACH_RCV_MSG | (wait_ms ? MACH_RCV_TIMEOUT : 0), 0, sizeof in, set, wait_ms,
			      MACH_PORT_NULL);
		now = now_ms();
		if (mr == MACH_MSG_SUCCESS)
			serve_one(&in);
		serve_waiting();
	}
}
