/*
 * What every driver task does at start the same way (src/driver.c): find the
 * pci server and its device, turn on the function's decoding, take its
 * interrupt line as messages, check in its service port, sleep. The e1000,
 * virtio_blk and ata drivers use them.
 */
#ifndef MANIFOLD_DRIVER_H
#define MANIFOLD_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>

/*
 * A driver's first step: the device master port from the bootstrap and a send
 * right to /servers/pci. false, with a console line naming who and what is
 * missing, when either cannot be had.
 */
bool driver_open(const char *who, mach_port_t *device, mach_port_t *pci);

/* A send right to /servers/pci, waiting up to 5 s for it. */
kern_return_t driver_pci(mach_port_t *pci);

/*
 * The first function with vendor and one of the n device ids, in that order
 * of preference: its PCI_INFO_WORDS words into info, and which id matched.
 * KERN_INVALID_NAME when there is none.
 */
kern_return_t driver_pci_find(mach_port_t pci, uint16_t vendor, const uint16_t *ids, unsigned n, uint32_t *info,
			      uint16_t *which);

/* Sets bits (PCI_COMMAND_IO, PCI_COMMAND_MEMORY) in the function's command register. */
kern_return_t driver_pci_enable(mach_port_t pci, mach_port_t device, uint32_t location, uint32_t bits);
#define PCI_COMMAND_IO		0x1
#define PCI_COMMAND_MEMORY	0x2

/*
 * Interrupt line irq as device_intr messages to *port, a new receive right of
 * ours (the kernel keeps the only send right). A dead instance's line is
 * still on its way back when its successor starts: KERN_RIGHT_EXISTS is
 * tried again for up to a second.
 */
kern_return_t driver_irq_attach(mach_port_t device, uint32_t irq, mach_port_t *port);

/*
 * One interrupt message on port (driver_irq_attach's) within ms: true when
 * one came (it is consumed). The line stays masked until the caller has
 * quieted its device and called driver_irq_ack.
 */
bool driver_irq_wait(mach_port_t port, uint32_t ms);

/*
 * The line unmasked again, once the device is quiet: the device_intr_ack trap
 * (a few hundred instructions) rather than device.defs' kernel RPC of the same
 * name (about 4,200). KERN_NO_ACCESS: the line is not this task's.
 */
kern_return_t driver_irq_ack(uint32_t irq);

/*
 * The driver's service port: the one the bootstrap keeps across restarts
 * (msg_service_checkin), registered as path; in a test boot without such a
 * bootstrap, a port of our own registered in ns. false when neither works.
 */
bool driver_check_in(const char *path, mach_port_t *service);

#endif
