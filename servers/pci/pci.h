/* The pci server's parts: config.c (mechanism 1) and scan.c (the functions found). */
#ifndef PCI_PARTS_H
#define PCI_PARTS_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include <manifold/pci.h>

/* Whether (bus, slot, func, offset, width) names a register: width 1, 2 or 4, offset aligned and below 256. */
bool pci_config_valid(uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset, uint32_t width);
uint32_t pci_config_get(uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset, uint32_t width);
void pci_config_put(uint32_t bus, uint32_t slot, uint32_t func, uint32_t offset, uint32_t width, uint32_t value);

/* [I] after pci_scan: the functions found, PCI_INFO_WORDS words each. */
extern uint32_t pci_functions[PCI_MAX_FUNCTIONS][PCI_INFO_WORDS];
extern uint32_t pci_nfunctions;
void pci_scan(void);

/* claim.c: pci_claim's table; a claimant's death turns its function's bus mastering off. */
void claim_init(mach_port_t device_port, mach_port_t notify_port);
void claim_dead_name(mach_port_name_t name);

#endif
