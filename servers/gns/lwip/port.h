/*
 * What the lwIP port needs from the machine it runs on, with one
 * implementation in the guest (guest.c, Manifold's traps) and one on the
 * host (tests/unit/net/host_port.c, for the unit tests). Everything else of
 * the port (sys.c, random.c, isn.c, siphash.c) is shared.
 */
#ifndef GNS_PORT_H
#define GNS_PORT_H

#include <stddef.h>
#include <stdint.h>

/* Microseconds since some fixed moment (boot, in the guest); never goes back. */
uint64_t port_now_us(void);

/*
 * Guest only (guest.c): between port_clock_hold(true) and (false),
 * port_now_us answers the time read when the hold began. gns's tick asks the
 * time five times (lwIP's timers and their next one, the ping service, the
 * cluster), each a trap; the tick takes microseconds, so one reading serves.
 */
#include <stdbool.h>
void port_clock_hold(bool on);
/* The same, held at a reading the caller already has (msg_server's tick_now_us). */
void port_clock_hold_at(uint64_t us);

/*
 * Fills buf with n bytes as unpredictable as the platform can make them: the
 * seed of random.c's generator, asked for once.
 */
void port_entropy(void *buf, size_t n);

#endif
