/*
 * gns's NIC (nic.h): from a driver's name to an lwIP netif. The session's
 * region is a memory object the driver gives us, mapped shared; frame_netif.c
 * does the rest, and kicks come back through frame_kick.
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"
#include "frame_client.h"
#include "ns_client.h"
#include "nic.h"

#define ME mach_task_self()

static struct frame_netif nic;
static mach_port_t session = MACH_PORT_NULL;

/* A doorbell: a full queue means one is already waiting (frame.defs). */
static void
kick(struct frame_netif *fn)
{
	frame_kick(session);
}

static mach_port_t
find_driver(const char *name, uint32_t wait_ms)
{
	mach_port_t ns = MACH_PORT_NULL, driver = MACH_PORT_NULL;

	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS || !MACH_PORT_VALID(ns))
		return MACH_PORT_NULL;
	if (ns_wait(ns, name, wait_ms, &driver) != KERN_SUCCESS)
		driver = MACH_PORT_NULL;
	mach_port_deallocate(ME, ns);
	return driver;
}

bool
nic_open(const struct gns_config *c, mach_port_t events, uint32_t wait_ms)
{
	mach_port_t driver = find_driver(c->nic, wait_ms), memory = MACH_PORT_NULL;
	vm_address_t region = 0;
	vm_size_t size = 0;
	ip4_addr_t ip, mask, gw;
	kern_return_t kr;

	if (!MACH_PORT_VALID(driver)) {
		printf("gns: no NIC found (%s)\n", c->nic);
		return false;
	}
	kr = frame_open(driver, events, NIC_RX_SLOTS, NIC_TX_SLOTS, &session, &memory, &size, nic.mac);
	mach_port_deallocate(ME, driver);
	if (kr != KERN_SUCCESS) {
		printf("gns: %s refused a session: %s\n", c->nic, mach_error_string(kr));
		return false;
	}
	kr = vm_map(ME, &region, size, 0, TRUE, memory, 0, FALSE, VM_PROT_DEFAULT, VM_PROT_DEFAULT,
		    VM_INHERIT_NONE);
	mach_port_deallocate(ME, memory);
	if (kr != KERN_SUCCESS) {
		printf("gns: cannot map %s's rings: %s\n", c->nic, mach_error_string(kr));
		goto fail;
	}
	nic.kick = kick;
	ip4_addr_set_u32(&ip, lwip_htonl(c->ip));
	ip4_addr_set_u32(&mask, lwip_htonl(c->mask));
	ip4_addr_set_zero(&gw);
	if (frame_netif_add(&nic, (void *)region, size, &ip, &mask, &gw) != ERR_OK) {
		printf("gns: %s's region is not a frame region\n", c->nic);
		vm_deallocate(ME, region, size);
		goto fail;
	}
	netif_set_default(&nic.netif);
	if (c->dhcp)
		dhcp_start(&nic.netif);
	printf("gns: %s is %02x:%02x:%02x:%02x:%02x:%02x, %s\n", c->nic, nic.mac[0], nic.mac[1], nic.mac[2],
	       nic.mac[3], nic.mac[4], nic.mac[5], c->dhcp ? "DHCP" : ip4addr_ntoa(&ip));
	return true;
fail:
	mach_port_deallocate(ME, session);
	session = MACH_PORT_NULL;
	return false;
}

void
nic_service(void)
{
	if (!MACH_PORT_VALID(session))
		return;
	do {
		while (frame_netif_poll(&nic, 64) > 0)
			;
	} while (!frame_netif_may_sleep(&nic));
}

void
nic_set_link(bool up)
{
	if (MACH_PORT_VALID(session))
		frame_netif_set_link(&nic, up);
}
