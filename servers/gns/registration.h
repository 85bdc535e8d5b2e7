/*
 * Registrations as ports (registration.c): gns_register's answer, a port of
 * gns's whose send right the client holds; the number it holds is freed when
 * the last send right goes. Through an EtherType registration the client
 * receives the frames of its type and sends its own (gns_frame_recv,
 * gns_frame_send).
 */
#ifndef GNS_REGISTRATION_H
#define GNS_REGISTRATION_H

#include <stdbool.h>
#include <mach/mach.h>
#include "client.h"
#include "reg.h"

#define REGISTRATION_FRAMES 32	/* frames held for an EtherType registration; more are dropped */

/* gns_register answers on service only; frames of unknown types come to us from now on. */
void registration_init(mach_port_t service);

/* The registration served on port (its proto and number), or NULL. */
struct reg *registration_find(mach_port_t port);

/* No-senders on port: if it is a registration's, frees it and says true. */
bool registration_no_senders(mach_port_t port);

/* How many requests of c's are held on its registrations. */
int registration_held_by(struct client *c);

/* How many gns_register registrations are held. */
int registration_count(void);

/* netstat's records of the registrations, from out[at] on, at most max; returns how many there are. */
int registration_netstat(uint32_t *out, int at, int max);

#endif
