/*
 * pci: the PCI configuration space's server (pci.defs). It checks in as
 * /servers/pci; the bootstrap grants it I/O ports 0xCF8-0xCFF at that moment
 * (servers/bootstrap/devices.c), and nothing else. It enumerates once
 * (scan.c), then answers from that table; reads go to the hardware
 * (config.c). Writes are for drivers: a request must carry the device master
 * port, which the server recognises by its own right to it (the same port
 * has the same name in one space), asked of the bootstrap as a driver.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include "pci.h"
#include "pci_server.h"

static mach_port_t device = MACH_PORT_NULL;	/* [I] our right to the device port, if the bootstrap gave one */

kern_return_t
pci_do_pci_list(mach_port_t server, uint32_t *count, uint32_t *devices, mach_msg_type_number_t *devicesCnt)
{
	memcpy(devices, pci_functions, pci_nfunctions * sizeof pci_functions[0]);
	*devicesCnt = pci_nfunctions * PCI_INFO_WORDS;
	*count = pci_nfunctions;
	return KERN_SUCCESS;
}

kern_return_t
pci_do_pci_find(mach_port_t server, uint32_t vendor, uint32_t dev, uint32_t index, uint32_t *info,
		mach_msg_type_number_t *infoCnt)
{
	for (uint32_t i = 0; i < pci_nfunctions; i++) {
		if (pci_functions[i][PCI_INFO_ID] != (dev << 16 | vendor) || index-- > 0)
			continue;
		memcpy(info, pci_functions[i], sizeof pci_functions[i]);
		*infoCnt = PCI_INFO_WORDS;
		return KERN_SUCCESS;
	}
	return KERN_INVALID_NAME;
}

kern_return_t
pci_do_pci_config_read(mach_port_t server, uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset,
		       uint32_t width, uint32_t *value)
{
	if (!pci_config_valid(bus, slot, func, offset, width))
		return KERN_INVALID_ARGUMENT;
	*value = pci_config_get(bus, slot, func, offset, width);
	return KERN_SUCCESS;
}

kern_return_t
pci_do_pci_config_write(mach_port_t server, mach_port_t dev, uint32_t bus, uint32_t slot, uint32_t func,
			uint32_t offset, uint32_t width, uint32_t value)
{
	if (!MACH_PORT_VALID(device) || dev != device)
		return KERN_NO_ACCESS;	/* on failure the loop releases the right we were given */
	if (!pci_config_valid(bus, slot, func, offset, width))
		return KERN_INVALID_ARGUMENT;
	pci_config_put(bus, slot, func, offset, width, value);
	mach_port_deallocate(mach_task_self(), dev);	/* the uref the request brought */
	return KERN_SUCCESS;
}

static const msg_demux_t demuxes[] = { pci_server };
static struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.max_request = PCI_REQUEST_MAX_SIZE,
	.max_reply = PCI_REPLY_MAX_SIZE,
	.nthreads = 1,
	.dead_name = claim_dead_name,
};

int
main(int argc, char **argv)
{
	mach_port_t service, notify = MACH_PORT_NULL, set = MACH_PORT_NULL;
	kern_return_t kr;

	/* the checkin is also when the bootstrap grants us the configuration ports */
	service = msg_service_checkin("/servers/pci");
	if (!MACH_PORT_VALID(service)) {
		printf("pci: no service port (or no I/O ports) from the bootstrap\n");
		return 1;
	}
	/* claimants' deaths come to notify (claim.c) */
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &notify) != KERN_SUCCESS ||
	    mach_port_move_member(mach_task_self(), service, set) != KERN_SUCCESS ||
	    mach_port_move_member(mach_task_self(), notify, set) != KERN_SUCCESS) {
		printf("pci: no ports\n");
		return 1;
	}
	server.port = set;
	server.notify_port = notify;
	pci_scan();
	if ((kr = msg_device_port(&device)) != KERN_SUCCESS)
		printf("pci: no device port (%s): pci_config_write refused\n", kern_return_name(kr));
	claim_init(device, notify);
	printf("pci: %u functions; serving /servers/pci\n", pci_nfunctions);
	msg_server_run(&server);
	return 1;
}
