/*
 * Claims (pci.defs' pci_claim): which task drives which function, so that a
 * dead driver's device stops mastering the bus. The kernel frees a dead
 * driver's DMA memory at once, but a NIC with its receive ring set up keeps
 * writing frames there until someone stops it; the next instance resets it,
 * but only after the bootstrap has started it. The server holds each
 * claimant's task port with a dead-name request on it; at the notification
 * it clears the function's Bus Master Enable. A claim whose task is already
 * a dead name (its notification not served yet) is replaced by a new one.
 */
#include <mach/mach.h>
#include "pci.h"
#include "pci_server.h"

#define ME mach_task_self()
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4

struct claim {
	uint32_t location;	/* bus << 16 | slot << 8 | function */
	mach_port_t task;	/* send right (a dead name once it died); MACH_PORT_NULL: free */
};

static struct claim claims[PCI_MAX_FUNCTIONS];	/* [L] the server's one thread */
static mach_port_t device = MACH_PORT_NULL;	/* [I] */
static mach_port_t notify = MACH_PORT_NULL;	/* [I] */

void
claim_init(mach_port_t device_port, mach_port_t notify_port)
{
	device = device_port;
	notify = notify_port;
}

static bool
found(uint32_t loc)
{
	for (uint32_t i = 0; i < pci_nfunctions; i++)
		if (pci_functions[i][PCI_INFO_LOCATION] == loc)
			return true;
	return false;
}

static bool
dead(mach_port_t name)
{
	mach_port_type_t type = 0;

	return mach_port_type(ME, name, &type) != KERN_SUCCESS || (type & MACH_PORT_TYPE_DEAD_NAME);
}

static void
master(uint32_t loc, bool on)
{
	uint32_t cmd = pci_config_get(PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), PCI_COMMAND, 2);

	cmd = on ? cmd | PCI_COMMAND_MASTER : cmd & ~PCI_COMMAND_MASTER;
	pci_config_put(PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc), PCI_COMMAND, 2, cmd);
}

static void
release(struct claim *c)
{
	mach_port_deallocate(ME, c->task);
	c->task = MACH_PORT_NULL;
}

kern_return_t
pci_do_pci_claim(mach_port_t server, mach_port_t dev, mach_port_t task, uint32_t bus, uint32_t slot,
		 uint32_t func)
{
	uint32_t loc = bus << 16 | slot << 8 | func;
	struct claim *c = NULL, *free_slot = NULL;
	mach_port_t prev = MACH_PORT_NULL;

	if (!MACH_PORT_VALID(device) || dev != device)
		return KERN_NO_ACCESS;	/* on failure the loop releases the rights we were given */
	if (bus > 255 || slot > 31 || func > 7 || !found(loc) || !MACH_PORT_VALID(task) || dead(task))
		return KERN_INVALID_ARGUMENT;
	for (int i = 0; i < PCI_MAX_FUNCTIONS; i++) {
		if (MACH_PORT_VALID(claims[i].task) && claims[i].location == loc)
			c = &claims[i];
		else if (!MACH_PORT_VALID(claims[i].task) && !free_slot)
			free_slot = &claims[i];
	}
	if (c && c->task != task) {
		if (!dead(c->task))
			return KERN_RIGHT_EXISTS;
		release(c);	/* its notification, still on its way, will find nothing */
	}
	if (!c)
		c = free_slot;
	if (!c)
		return KERN_RESOURCE_SHORTAGE;
	if (c->task == task) {
		mach_port_deallocate(ME, task);	/* claimed again: one reference kept */
	} else {
		if (mach_port_request_notification(ME, task, MACH_NOTIFY_DEAD_NAME, 1, notify,
						   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) != KERN_SUCCESS)
			return KERN_INVALID_ARGUMENT;
		if (MACH_PORT_VALID(prev))
			mach_port_deallocate(ME, prev);
		c->location = loc;
		c->task = task;
	}
	master(loc, true);
	mach_port_deallocate(ME, dev);	/* the uref the request brought */
	return KERN_SUCCESS;
}

void
claim_dead_name(mach_port_name_t name)
{
	for (int i = 0; i < PCI_MAX_FUNCTIONS; i++) {
		if (claims[i].task != name || !MACH_PORT_VALID(name))
			continue;
		master(claims[i].location, false);
		release(&claims[i]);
	}
}
