/*
 * The ping service (ping.c, ping.defs): echo requests from gns's own lwIP.
 * Runs in gns's loop thread (NO_SYS): its handler defers the reply, the tick
 * sends the requests, lwIP's raw callback counts the replies.
 */
#ifndef GNS_PING_H
#define GNS_PING_H

#include <stdbool.h>
#include <stdint.h>
#include <manifold/msg.h>

/* Makes the service port, adds it to set and registers /servers/gns/ping; false on failure. */
bool ping_init(struct msg_server *s, mach_port_t set);

/* Sends what is due; returns the milliseconds until it wants to run again (0: nothing pending). */
uint32_t ping_tick(void);

#endif
