/*
 * Names across the cluster, ns's side (remote.c; issue 14): a lookup of a
 * name under /cluster/ that is not registered here asks gns (xipc_resolve),
 * which asks the other nodes, from a thread of its own so that ns's loop
 * keeps serving; the request waits (msg_defer) until the answer is in.
 */
#ifndef NS_REMOTE_H
#define NS_REMOTE_H

#include <stdbool.h>
#include <mach/mach.h>
#include <manifold/msg.h>

#define REMOTE_PREFIX "/cluster/"
#define REMOTE_MAX 8		/* names being asked for at once */
#define REMOTE_WAIT_MS 3000	/* a lookup waits this long for gns's answer */

/* server: ns's loop (to wake it); wake: a port of its set a message wakes it on. */
void remote_init(struct msg_server *server, mach_port_t wake);

bool remote_name(const char *name);

/*
 * From ns_lookup's handler after a miss: KERN_SUCCESS with *port (a send
 * right now the caller's, to cache), KERN_INVALID_NAME (no node holds it,
 * or gns cannot be asked), or MIG_NO_REPLY (the request waits). gns is our
 * send right to /servers/gns, or MACH_PORT_NULL.
 */
kern_return_t remote_lookup(const char *name, mach_port_t gns, mach_port_t *port);

#endif
