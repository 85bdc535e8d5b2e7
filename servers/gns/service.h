/*
 * gns's service (service.c): /servers/gns, where clients ask for sockets and
 * registrations (gns.defs). Its port, every socket's and every registration's
 * join the port set gns's loop receives on (main.c). main.c needs only what is
 * declared here.
 */
#ifndef GNS_SERVICE_H
#define GNS_SERVICE_H

#include <stdbool.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include "frame_event_server.h"
#include "gns_server.h"
#include "socket_server.h"
#include "xipc_server.h"

#define SERVICE_MAX2(a, b) ((a) > (b) ? (a) : (b))
/* The largest request and reply of the interfaces gns's loop serves. */
#define SERVICE_REQUEST_MAX \
	SERVICE_MAX2(SERVICE_MAX2(FRAME_EVENT_REQUEST_MAX_SIZE, XIPC_REQUEST_MAX_SIZE), \
		     SERVICE_MAX2(GNS_REQUEST_MAX_SIZE, SOCKET_REQUEST_MAX_SIZE))
#define SERVICE_REPLY_MAX \
	SERVICE_MAX2(SERVICE_MAX2(FRAME_EVENT_REPLY_MAX_SIZE, XIPC_REPLY_MAX_SIZE), \
		     SERVICE_MAX2(GNS_REPLY_MAX_SIZE, SOCKET_REPLY_MAX_SIZE))

/*
 * Takes the service port (from the bootstrap, else a port of our own
 * registered in ns) into set, the port set gns's loop receives on (main.c:
 * with the NIC's events, notifications and ping), and sets s's no-senders
 * callback; sockets and registrations join the set as they are made.
 */
void service_start(struct msg_server *s, mach_port_t set);

/* /servers/gns's port (xipc.defs's handlers check that they were asked of it). */
mach_port_t service_port(void);

/* From the loop's tick: lwIP's loopback queue (packets to our own addresses); true if it held any. */
bool service_poll(void);

#endif
