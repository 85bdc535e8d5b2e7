/*
 * Enumeration, once at start: every bus, every device, function 0 and, when
 * its header type says multi-function, functions 1-7; a vendor id of 0xFFFF
 * means nothing answers there. Each BAR's size is measured the usual way:
 * with the function's decoding off, write all ones, read back what sticks,
 * restore. A 64-bit memory BAR's upper half is left as it is (size 0).
 */
#include <string.h>
#include "pci.h"

#define REG_ID		0x00
#define REG_COMMAND	0x04
#define REG_CLASS	0x08
#define REG_HEADER	0x0C	/* the dword with the header type in its third byte */
#define REG_BAR0	0x10
#define REG_INTERRUPT	0x3C	/* line, then pin */
#define COMMAND_DECODE	0x3	/* I/O and memory space */

uint32_t pci_functions[PCI_MAX_FUNCTIONS][PCI_INFO_WORDS];
uint32_t pci_nfunctions;

static uint32_t
bar_size(uint32_t bus, uint32_t slot, uint32_t func, uint32_t reg, uint32_t bar)
{
	uint32_t mask;

	pci_config_put(bus, slot, func, reg, 4, 0xFFFFFFFFu);
	mask = pci_config_get(bus, slot, func, reg, 4);
	pci_config_put(bus, slot, func, reg, 4, bar);
	mask = PCI_BAR_IS_IO(bar) ? (mask & ~3u) | 0xFFFF0000u : mask & ~15u;
	return mask ? ~mask + 1 : 0;
}

static void
add_function(uint32_t bus, uint32_t slot, uint32_t func)
{
	uint32_t *w = pci_functions[pci_nfunctions++];
	uint32_t header = pci_config_get(bus, slot, func, REG_HEADER, 4) >> 16 & 0x7F;
	uint32_t nbars = header == 0 ? 6 : header == 1 ? 2 : 0;
	uint32_t command = pci_config_get(bus, slot, func, REG_COMMAND, 2);

	memset(w, 0, PCI_INFO_WORDS * sizeof *w);
	w[PCI_INFO_LOCATION] = bus << 16 | slot << 8 | func;
	w[PCI_INFO_ID] = pci_config_get(bus, slot, func, REG_ID, 4);
	w[PCI_INFO_CLASS] = pci_config_get(bus, slot, func, REG_CLASS, 4);
	w[PCI_INFO_HEADER] = header | (pci_config_get(bus, slot, func, REG_INTERRUPT, 2) << 8);
	pci_config_put(bus, slot, func, REG_COMMAND, 2, command & ~COMMAND_DECODE);
	for (uint32_t i = 0; i < nbars; i++) {
		uint32_t reg = REG_BAR0 + 4 * i, bar = pci_config_get(bus, slot, func, reg, 4);
		w[PCI_INFO_BAR0 + i] = bar;
		w[PCI_INFO_SIZE0 + i] = bar_size(bus, slot, func, reg, bar);	/* 0: no BAR there */
		if (!PCI_BAR_IS_IO(bar) && (bar & 6) == 4 && i + 1 < nbars) {	/* 64-bit: the next is its upper half */
			i++;
			w[PCI_INFO_BAR0 + i] = pci_config_get(bus, slot, func, reg + 4, 4);
		}
	}
	pci_config_put(bus, slot, func, REG_COMMAND, 2, command);
}

void
pci_scan(void)
{
	for (uint32_t bus = 0; bus < 256; bus++) {
		for (uint32_t slot = 0; slot < 32; slot++) {
			uint32_t nfuncs = 1;
			for (uint32_t func = 0; func < nfuncs && pci_nfunctions < PCI_MAX_FUNCTIONS; func++) {
				if ((pci_config_get(bus, slot, func, REG_ID, 4) & 0xFFFF) == 0xFFFF)
					continue;
				if (func == 0 && (pci_config_get(bus, slot, 0, REG_HEADER, 4) >> 16 & 0x80))
					nfuncs = 8;
				add_function(bus, slot, func);
			}
		}
	}
}
