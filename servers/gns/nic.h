/*
 * gns's NICs (nic.c): a frame session with a driver found in ns, mapped,
 * and added to lwIP as a frame_netif. One NIC for now.
 */
#ifndef GNS_NIC_H
#define GNS_NIC_H

#include <stdbool.h>
#include <mach/mach.h>
#include "config.h"
#include "frame_netif.h"

#define NIC_RX_SLOTS 256
#define NIC_TX_SLOTS 256

/*
 * Looks up the driver c->nic (waiting at most wait_ms), opens a session
 * whose events come to events (a receive right of ours), maps its region
 * and adds the netif with c's address. False, with a console line, when
 * there is no driver or it refuses.
 */
bool nic_open(const struct gns_config *c, mach_port_t events, uint32_t wait_ms);

/* Takes every frame the driver has put in the RX ring, then asks for a kick. */
void nic_service(void);

/* frame_event_link: the driver's word on the link. */
void nic_set_link(bool up);

#endif
