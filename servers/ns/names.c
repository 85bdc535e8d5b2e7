/*
 * The name table: name -> (send right, registration right), and the handlers
 * msgc's demux calls; ns_wait for a missing name is a deferred reply.
 */
#include <string.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include "names.h"
#include "remote.h"
#include "bootstrap_client.h"
#include "ns_server.h"

#define ME mach_task_self()
#define MAX_NAMES 256
#define NAME_MAX 128

struct entry {
	char name[NAME_MAX];
	mach_port_t port;		/* our send right to what was registered */
	mach_port_t registration;	/* our receive right; its holder may unregister */
};

static struct entry table[MAX_NAMES];
static mach_port_t notify;
static void (*registered)(void);

void
names_init(mach_port_t notify_port, void (*name_registered)(void))
{
	notify = notify_port;
	registered = name_registered;
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
	if (MACH_PORT_VALID(e->registration))
		mach_port_destroy(ME, e->registration);
	memset(e, 0, sizeof *e);
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
	registered();	/* ns_wait requests held back may find their name now */
	*registration = e->registration;
	return KERN_SUCCESS;
}

kern_return_t
ns_do_ns_lookup_local(mach_port_t server, const char *name, mach_port_t *port)
{
	struct entry *e = find(name);

	if (!e)
		return KERN_INVALID_NAME;
	*port = e->port;
	return KERN_SUCCESS;
}

/*
 * Keeps the answer for a /cluster/ name from another node as a name of ours
 * (its send right is a proxy of gns's): later lookups find it here, and it
 * goes when the proxy dies (its home node or the port died), like any name.
 * Without room the right is released and the name not kept.
 */
static struct entry *
cache(const char *name, mach_port_t port)
{
	mach_port_t prev;

	for (int i = 0; i < MAX_NAMES; i++) {
		struct entry *e = &table[i];
		if (e->port)
			continue;
		strncpy(e->name, name, NAME_MAX - 1);
		e->port = port;
		e->registration = MACH_PORT_NULL;	/* nobody unregisters it: it goes with its port */
		mach_port_request_notification(ME, port, MACH_NOTIFY_DEAD_NAME, 1, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE,
					       &prev);
		if (MACH_PORT_VALID(prev))
			mach_port_deallocate(ME, prev);
		return e;
	}
	mach_port_deallocate(ME, port);
	return NULL;
}

/*
 * A name registered here; else, for a name under /cluster/, what gns finds
 * on another node (remote.c), the request held meanwhile.
 */
kern_return_t
ns_do_ns_lookup(mach_port_t server, const char *name, mach_port_t *port)
{
	struct entry *e = find(name), *gns;
	mach_port_t remote;
	kern_return_t kr;

	if (e || !remote_name(name))
		return ns_do_ns_lookup_local(server, name, port);
	gns = find("/servers/gns");
	kr = remote_lookup(name, gns ? gns->port : MACH_PORT_NULL, &remote);
	if (kr != KERN_SUCCESS)
		return kr;
	if ((e = find(name)) != NULL) {	/* registered here meanwhile: ours wins */
		mach_port_deallocate(ME, remote);
		*port = e->port;
		return KERN_SUCCESS;
	}
	if ((e = cache(name, remote)) == NULL)
		return KERN_RESOURCE_SHORTAGE;
	*port = e->port;
	return KERN_SUCCESS;
}

kern_return_t
ns_do_ns_unregister(mach_port_t server, const char *name, mach_port_t registration)
{
	struct entry *e = find(name);

	if (!e)
		return KERN_INVALID_NAME;
	if (!MACH_PORT_VALID(e->registration) || registration != e->registration)
		/* a cached name from another node has no registration; a right to our own port lands under our name */
		return KERN_NO_ACCESS;
	mach_port_deallocate(ME, registration);	/* the right the request brought */
	drop(e);
	return KERN_SUCCESS;
}

/* Every name under prefix, one per line, in order (so that a list reads the same after a restart). */
kern_return_t
ns_do_ns_list(mach_port_t server, const char *prefix, char *names)
{
	size_t used = 0, plen = strlen(prefix);
	const char *last = NULL;

	names[0] = 0;
	for (;;) {
		const char *next = NULL;
		size_t n;
		for (int i = 0; i < MAX_NAMES; i++) {
			const char *name = table[i].name;
			if (!table[i].port || strncmp(name, prefix, plen) != 0 || (last && strcmp(name, last) <= 0))
				continue;
			if (!next || strcmp(name, next) < 0)
				next = name;
		}
		if (!next)
			break;
		n = strlen(next);
		if (used + n + 2 > 4000)
			break;
		memcpy(names + used, next, n);
		used += n;
		names[used++] = '\n';
		names[used] = 0;
		last = next;
	}
	return KERN_SUCCESS;
}

/*
 * A name not there yet: the request is held back (msg_defer) and served
 * again after each registration, and once more when its time is up.
 */
kern_return_t
ns_do_ns_wait(mach_port_t server, const char *name, uint32_t timeout_ms, mach_port_t *port)
{
	if (ns_do_ns_lookup_local(server, name, port) == KERN_SUCCESS)
		return KERN_SUCCESS;
	if (timeout_ms == 0 || msg_deferred_expired())
		return KERN_OPERATION_TIMED_OUT;
	if (!msg_defer(timeout_ms))
		return KERN_INVALID_NAME;	/* no room to wait: answered from the table */
	return MIG_NO_REPLY;
}

void
names_preload(mach_port_t boot)
{
	char path[128];
	mach_port_t port, registration;

	for (uint32_t i = 0; i < MAX_NAMES; i++) {
		kern_return_t kr = bootstrap_name(boot, i, path, &port);
		if (kr == KERN_INVALID_NAME)
			continue;	/* a task that just died */
		if (kr != KERN_SUCCESS)
			break;		/* the end, or not the bootstrap (MIG_BAD_ID) */
		if (ns_do_ns_register(MACH_PORT_NULL, path, port, &registration) != KERN_SUCCESS)
			mach_port_deallocate(ME, port);
		/* the registration right stays ours: the bootstrap never unregisters */
	}
}

void
names_port_died(mach_port_name_t dead)
{
	for (int i = 0; i < MAX_NAMES; i++)
		if (table[i].port == dead)
			drop(&table[i]);
}
