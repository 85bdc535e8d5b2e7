/*
 * gns's service (service.c): /servers/gns, where clients ask for sockets and
 * registrations (gns.defs), and the port set that gns's loop receives on:
 * the NIC's events port, the service port, every socket's and every
 * registration's port. main.c's loop needs only what is declared here.
 */
#ifndef GNS_SERVICE_H
#define GNS_SERVICE_H

#include <mach/mach.h>
#include <manifold/msg.h>
#include "frame_event_server.h"
#include "gns_server.h"
#include "socket_server.h"

#define SERVICE_MAX2(a, b) ((a) > (b) ? (a) : (b))
/* The largest request and reply of the three interfaces gns's loop serves. */
#define SERVICE_REQUEST_MAX \
	SERVICE_MAX2(FRAME_EVENT_REQUEST_MAX_SIZE, SERVICE_MAX2(GNS_REQUEST_MAX_SIZE, SOCKET_REQUEST_MAX_SIZE))
#define SERVICE_REPLY_MAX \
	SERVICE_MAX2(FRAME_EVENT_REPLY_MAX_SIZE, SERVICE_MAX2(GNS_REPLY_MAX_SIZE, SOCKET_REPLY_MAX_SIZE))

/*
 * Makes the port set with events in it, takes the service port (from the
 * bootstrap, else a port of our own registered in ns) and sets s's
 * no-senders callback. Returns the set for s->port; events alone when the
 * kernel refuses a set (gns then serves only its NIC).
 */
mach_port_t service_start(struct msg_server *s, mach_port_t events);

/* From the loop's tick: lwIP's loopback queue (packets to our own addresses). */
void service_poll(void);

#endif
