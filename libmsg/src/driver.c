/*
 * Driver tasks' common start-up steps (<manifold/driver.h>).
 */
#include <stdio.h>
#include <mach/mach.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/pci.h>
#include <manifold/trap.h>
#include "ns_client.h"
#include "pci_client.h"

#define ME mach_task_self()
#define PCI_COMMAND 0x04
#define ATTACH_TRIES 50		/* of 20 ms */

kern_return_t
driver_pci(mach_port_t *pci)
{
	mach_port_t ns = MACH_PORT_NULL;
	kern_return_t kr = task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns);

	if (kr != KERN_SUCCESS)
		return kr;
	kr = ns_wait(ns, "/servers/pci", 5000, pci);
	mach_port_deallocate(ME, ns);
	return kr;
}

bool
driver_open(const char *who, mach_port_t *device, mach_port_t *pci)
{
	kern_return_t kr;

	if ((kr = msg_device_port(device)) != KERN_SUCCESS) {
		printf("%s: no device port (%s): is `driver` on my module line?\n", who, kern_return_name(kr));
		return false;
	}
	if (driver_pci(pci) != KERN_SUCCESS) {
		printf("%s: no pci server (/servers/pci)\n", who);
		return false;
	}
	return true;
}

kern_return_t
driver_pci_find(mach_port_t pci, uint16_t vendor, const uint16_t *ids, unsigned n, uint32_t *info,
		uint16_t *which)
{
	for (unsigned i = 0; i < n; i++) {
		mach_msg_type_number_t words = PCI_INFO_WORDS;

		if (pci_find(pci, vendor, ids[i], 0, info, &words) == KERN_SUCCESS && words == PCI_INFO_WORDS) {
			*which = ids[i];
			return KERN_SUCCESS;
		}
	}
	return KERN_INVALID_NAME;
}

kern_return_t
driver_pci_enable(mach_port_t pci, mach_port_t device, uint32_t loc, uint32_t bits)
{
	uint32_t command = 0;
	kern_return_t kr = pci_config_read(pci, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), PCI_COMMAND, 2, &command);

	if (kr == KERN_SUCCESS)
		kr = pci_config_write(pci, device, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), PCI_COMMAND, 2,
				      command | bits);
	return kr;
}

kern_return_t
driver_irq_attach(mach_port_t device, uint32_t irq, mach_port_t *port)
{
	mach_port_t p = MACH_PORT_NULL;
	kern_return_t kr = KERN_FAILURE;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	for (int i = 0; i < ATTACH_TRIES; i++) {
		kr = device_intr_attach(device, ME, irq, p);
		if (kr != KERN_RIGHT_EXISTS)
			break;
		msg_sleep_ms(20);
	}
	mach_port_deallocate(ME, p);	/* the kernel holds its own send right */
	if (kr != KERN_SUCCESS) {
		mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1);
		return kr;
	}
	*port = p;
	return KERN_SUCCESS;
}

kern_return_t
driver_irq_ack(uint32_t irq)
{
	return trap_device_intr_ack(irq);
}

bool
driver_irq_wait(mach_port_t port, uint32_t ms)
{
	union {
		mach_msg_header_t h;
		uint8_t bytes[128];
	} m;

	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, port, ms, MACH_PORT_NULL) !=
	    MACH_MSG_SUCCESS)
		return false;
	mach_msg_destroy(&m.h);		/* device_intr: only the kernel holds a right to port */
	return true;
}

bool
driver_check_in(const char *path, mach_port_t *service)
{
	mach_port_t ns = MACH_PORT_NULL, reg = MACH_PORT_NULL, p = msg_service_checkin(path);

	if (MACH_PORT_VALID(p)) {
		*service = p;
		return true;
	}
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return false;
	if (ns_register(ns, path, p, &reg) != KERN_SUCCESS)
		return false;
	*service = p;
	return true;
}
