/*
 * gns's clients (client.c): the tasks that own sockets and registrations,
 * each known by its task port (gns.defs's owner), with what it holds, so
 * that one task cannot take every slot, buffer or held call gns has
 * (<manifold/socket_codes.h>: GNS_CLIENT_*). Only gns's loop thread calls it.
 */
#ifndef GNS_CLIENT_H
#define GNS_CLIENT_H

#include <stdint.h>
#include <mach/mach.h>

#define CLIENT_MAX 32	/* tasks with something at gns at once */

struct client {
	mach_port_t task;	/* a send right to its task port; NULL: a free slot */
	uint32_t task_id;	/* the kernel's id (TASK_ID_INFO), what netstat shows */
	int sockets;		/* open, accepted ones not yet taken included */
	int registrations;
};

/*
 * The client whose task port is owner, found or added (a new one takes a
 * send reference of its own). The request's right stays the caller's, as
 * msgc's rule has it: released by the loop when the handler fails, by the
 * handler when it succeeds (client_done). SOCK_EINVAL when owner is not a
 * task port (asked of the kernel without waiting: a fake never holds gns
 * up), SOCK_ENOBUFS when CLIENT_MAX tasks hold things already.
 */
int client_get(mach_port_t owner, struct client **out);

/* A handler that succeeded lets go of the request's owner right. */
void client_done(mach_port_t owner);

/* After a client_get that charged nothing: forgets the client if it holds nothing. */
void client_put(struct client *c);

/* Charges one socket or registration: SOCK_EDQUOT over the quota, else 0. */
int client_charge_socket(struct client *c);
int client_charge_registration(struct client *c);

/* Gives one back; the client is forgotten (its right dropped) when it holds nothing. */
void client_release_socket(struct client *c);
void client_release_registration(struct client *c);

/* How many clients hold something (gns_stats). */
int client_count(void);

#endif
