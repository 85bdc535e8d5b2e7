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

#define NIC_REOPEN_WAIT_MS 1000	/* a driver that registered itself is back in ns by then */

/*
 * Looks up the driver c->nic (waiting at most wait_ms), opens a session
 * whose kicks come to events and link changes to link (receive rights of
 * ours), maps its region and adds the netif with c's address, link up
 * until the driver's first frame_event_link (sent as the session opens). The session's death is a dead-name
 * notification on notify_port (nic_dead_name). False, with a console line,
 * when there is no driver or it refuses.
 */
bool nic_open(const struct gns_config *c, mach_port_t events, mach_port_t link, mach_port_t notify_port,
	      uint32_t wait_ms);

/* A dead name from the notification port: if it is the session, the netif goes and a reopen is due. */
void nic_dead_name(mach_port_name_t name);

/* After a session died: opens a new one (the driver restarted); tried again each tick until it works. */
bool nic_retry(void);

/* Takes every frame the driver has put in the RX ring, then asks for a kick. */
void nic_service(void);

/* frame_event_link: the driver's word on the link. */
void nic_set_link(bool up);

/* The netif, once added (NULL before): lease.c reads its DHCP state. */
struct netif *nic_netif(void);

/* ifconfig's words (GNS_IF_*, <manifold/socket_codes.h>); false while there is no NIC yet. */
bool nic_info(uint32_t *w);

#endif
