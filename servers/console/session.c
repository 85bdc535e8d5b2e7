/*
 * Sessions: each client task writes through a port of its own, so the server
 * knows whose bytes it holds. Bytes are kept until their line is complete and
 * then go out as one piece, which is what keeps two tasks' lines apart.
 */
#include <string.h>
#include "output.h"
#include "session.h"

static struct session sessions[MAX_SESSIONS];

struct session *
session_create(mach_port_t set)
{
	mach_port_t self = mach_task_self(), prev;

	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct session *s = &sessions[i];
		if (s->port != MACH_PORT_NULL)
			continue;
		if (mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &s->port) != KERN_SUCCESS)
			return NULL;
		/* no-senders comes to the session port itself: the client is gone */
		if (mach_port_request_notification(self, s->port, MACH_NOTIFY_NO_SENDERS, 1, s->port,
						   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS ||
		    mach_port_move_member(self, s->port, set) != KERN_SUCCESS) {
			mach_port_destroy(self, s->port);
			s->port = MACH_PORT_NULL;
			return NULL;
		}
		s->len = 0;
		return s;
	}
	return NULL;
}

struct session *
session_find(mach_port_t port)
{
	for (int i = 0; i < MAX_SESSIONS; i++) {
		if (sessions[i].port == port && port != MACH_PORT_NULL)
			return &sessions[i];
	}
	return NULL;
}

void
session_flush(struct session *s)
{
	output_emit(s->buf, s->len);
	s->len = 0;
}

void
session_destroy(struct session *s)
{
	session_flush(s);
	mach_port_destroy(mach_task_self(), s->port);
	s->port = MACH_PORT_NULL;
}

void
session_write(struct session *s, const char *text, uint32_t n, uint64_t now_ms)
{
	while (n > 0) {
		const char *nl = memchr(text, '\n', n);
		uint32_t take = nl ? (uint32_t)(nl - text) + 1 : n;

		if (take > CONSOLE_LINE_MAX - s->len)
			take = CONSOLE_LINE_MAX - s->len;
		if (s->len == 0)
			s->held_since_ms = now_ms;
		memcpy(s->buf + s->len, text, take);
		s->len += take;
		text += take;
		n -= take;
		if (s->buf[s->len - 1] == '\n' || s->len == CONSOLE_LINE_MAX)
			session_flush(s);
	}
}

uint32_t
session_flush_old(uint64_t now_ms)
{
	uint32_t next = 0;

	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct session *s = &sessions[i];
		uint64_t due = s->held_since_ms + CONSOLE_FLUSH_MS;
		if (s->port == MACH_PORT_NULL || s->len == 0)
			continue;
		if (now_ms >= due) {
			session_flush(s);
			continue;
		}
		if (next == 0 || due - now_ms < next)
			next = (uint32_t)(due - now_ms);
	}
	return next;
}
