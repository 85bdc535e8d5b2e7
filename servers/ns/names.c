/*
 * The name table: name -> (send right, registration right), the handlers
 * msgc's demux calls, and lookups waiting for a name to appear.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "names.h"
#include "ns_server.h"

#define ME mach_task_self()
#define MAX_NAMES 256
#define MAX_WAITERS 64
#define NAME_MAX 128

struct entry {
	char name[NAME_MAX];
	mach_port_t port;		/* our send right to what was registered */
	mach_port_t registration;	/* our receive right; its holder may unregister */
};

struct waiter {
	char name[NAME_MAX];
	mach_port_t reply;		/* the client's send-once reply right */
	uint64_t deadline_ms;
};

static struct entry table[MAX_NAMES];
static struct waiter waiters[MAX_WAITERS];
static mach_port_t notify;

static uint64_t
now_ms(void)
{
	uint64_t ns = 0;

	trap_clock_uptime(&ns);
	return ns / 1000000;
}

void
names_init(mach_port_t notify_port)
{
	notify = notify_port;
}

static struct entry *
find(const char *name)
{
	for (int i = 0; i < MAX_NAMES; i++)
		if (table[i].port && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static void
drop(struct entry *e)
{
	mach_port_deallocate(ME, e->port);
	mach_port_destroy(ME, e->registration);
	memset(e, 0, sizeof *e);
}

/* Answers a waiter with a send right to port (msgc's reply layout for ns_wait). */
static void
answer(struct waiter *w, mach_port_t port)
{
	struct {
		mach_msg_header_t h;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
	} r;

	memset(&r, 0, sizeof r);
	r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0) | MACH_MSGH_BITS_COMPLEX;
	r.h.msgh_size = sizeof r;
	r.h.msgh_remote_port = w->reply;
	r.h.msgh_id = NS_WAIT_ID + 100;
	r.body.msgh_descriptor_count = 1;
	r.port.name = port;
	r.port.disposition = MACH_MSG_TYPE_COPY_SEND;
	r.port.type = MACH_MSG_PORT_DESCRIPTOR;
	mach_msg(&r.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof r, 0, 0, 0, 0);
	w->reply = MACH_PORT_NULL;
}

static void
answer_error(struct waiter *w, kern_return_t code)
{
	mig_reply_error_t r;

	memset(&r, 0, sizeof r);
	r.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	r.Head.msgh_size = sizeof r;
	r.Head.msgh_remote_port = w->reply;
	r.Head.msgh_id = NS_WAIT_ID + 100;
	r.RetCode = code;
	mach_msg(&r.Head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof r, 0, 0, 0, 0);
	w->reply = MACH_PORT_NULL;
}

static bool
valid_name(const char *name)
{
	return name[0] == '/' && name[1] != 0;
}

kern_return_t
ns_do_ns_register(mach_port_t server, const char *name, mach_port_t port, mach_port_t *registration)
{
	struct entry *e = NULL;
	mach_port_t prev;

	if (!valid_name(name) || !MACH_PORT_VALID(port))
		return KERN_INVALID_ARGUMENT;
	if (find(name))
		return KERN_NAME_EXISTS;
	for (int i = 0; i < MAX_NAMES && !e; i++)
		if (!table[i].port)
			e = &table[i];
	if (!e || mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &e->registration) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	mach_port_insert_right(ME, e->registration, e->registration, MACH_MSG_TYPE_MAKE_SEND);
	strncpy(e->name, name, NAME_MAX - 1);
	e->port = port;
	/* tell us when the registered port dies (one request per port is enough) */
	mach_port_request_notification(ME, port, MACH_NOTIFY_DEAD_NAME, 1, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE,
				       &prev);
	if (MACH_PORT_VALID(prev))
		mach_port_deallocate(ME, prev);
	for (int i = 0; i < MAX_WAITERS; i++)
		if (waiters[i].reply && strcmp(waiters[i].name, name) == 0)
			answer(&waiters[i], port);
	*registration = e->registration;
	return KERN_SUCCESS;
}

kern_return_t
ns_do_ns_lookup(mach_port_t server, const char *name, mach_port_t *port)
{
	struct entry *e = find(name);

	if (!e)
		return KERN_INVALID_NAME;
	*port = e->port;
	return KERN_SUCCESS;
}

kern_return_t
ns_do_ns_unregister(mach_port_t server, const char *name, mach_port_t registration)
{
	struct entry *e = find(name);

	if (!e)
		return KERN_INVALID_NAME;
	if (registration != e->registration)	/* a right to our own port lands under our name */
		return KERN_NO_ACCESS;
	mach_port_deallocate(ME, registration);	/* the right the request brought */
	drop(e);
	return KERN_SUCCESS;
}

kern_return_t
ns_do_ns_list(mach_port_t server, const char *prefix, char *names)
{
	size_t used = 0, plen = strlen(prefix);

	names[0] = 0;
	for (int i = 0; i < MAX_NAMES; i++) {
		size_t n;
		if (!table[i].port || strncmp(table[i].name, prefix, plen) != 0)
			continue;
		n = strlen(table[i].name);
		if (used + n + 2 > 4000)
			break;
		memcpy(names + used, table[i].name, n);
		used += n;
		names[used++] = '\n';
		names[used] = 0;
	}
	return KERN_SUCCESS;
}

kern_return_t
ns_do_ns_wait(mach_port_t server, const char *name, uint32_t timeout_ms, mach_port_t *port)
{
	return ns_do_ns_lookup(server, name, port);	/* only reached when the name is there */
}

void
names_port_died(mach_port_name_t dead)
{
	for (int i = 0; i < MAX_NAMES; i++)
		if (table[i].port == dead)
			drop(&table[i]);
}

/* The request's layout (ns.defs): header | length word | name bytes | timeout. */
bool
waiters_take(mach_msg_header_t *request)
{
	const uint32_t *w = (const uint32_t *)(request + 1);
	uint32_t len, size = request->msgh_size;
	const char *name = (const char *)(w + 1);
	struct waiter *slot = NULL;

	if ((request->msgh_bits & MACH_MSGH_BITS_COMPLEX) || size < sizeof *request + 8)
		return false;
	len = w[0];
	if (len == 0 || len > NAME_MAX || size != sizeof *request + 4 + ((len + 3) & ~3u) + 4 ||
	    name[len - 1] != 0 || strlen(name) != len - 1 || find(name) ||
	    MACH_MSGH_BITS_REMOTE(request->msgh_bits) != MACH_MSG_TYPE_PORT_SEND_ONCE)
		return false;	/* malformed ones go to the demux, which refuses them */
	for (int i = 0; i < MAX_WAITERS && !slot; i++)
		if (!waiters[i].reply)
			slot = &waiters[i];
	if (!slot)
		return false;	/* no room: the demux answers from the table, KERN_INVALID_NAME */
	strncpy(slot->name, name, NAME_MAX - 1);
	slot->reply = request->msgh_remote_port;
	slot->deadline_ms = now_ms() + *(const uint32_t *)(name + ((len + 3) & ~3u));
	return true;
}

uint32_t
waiters_next_timeout(void)
{
	uint64_t now = now_ms(), next = 0;

	for (int i = 0; i < MAX_WAITERS; i++) {
		if (!waiters[i].reply)
			continue;
		uint64_t left = waiters[i].deadline_ms > now ? waiters[i].deadline_ms - now : 1;
		if (!next || left < next)
			next = left;
	}
	return (uint32_t)next;
}

void
waiters_expire(void)
{
	uint64_t now = now_ms();

	for (int i = 0; i < MAX_WAITERS; i++)
		if (waiters[i].reply && waiters[i].deadline_ms <= now)
			answer_error(&waiters[i], KERN_OPERATION_TIMED_OUT);
}
