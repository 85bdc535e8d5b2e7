/*
 * What the pci server (servers/pci, pci.defs) says about a PCI function: a
 * record of PCI_INFO_WORDS words, in pci_list's array and pci_find's answer.
 * The words are the function's own configuration registers, and each BAR's
 * size as the server measured it at boot.
 */
#ifndef MANIFOLD_PCI_H
#define MANIFOLD_PCI_H

enum pci_info_word {
	PCI_INFO_LOCATION,	/* bus << 16 | device << 8 | function */
	PCI_INFO_ID,		/* device id << 16 | vendor id (register 0x00) */
	PCI_INFO_CLASS,		/* class << 24 | subclass << 16 | prog-if << 8 | revision (0x08) */
	PCI_INFO_HEADER,	/* header type (0x0E) | interrupt line << 8 | interrupt pin << 16 */
	PCI_INFO_BAR0,		/* the six BARs as read (0x10-0x24); a bridge has two */
	PCI_INFO_SIZE0 = PCI_INFO_BAR0 + 6,	/* each BAR's size in bytes; 0: none, or a 64-bit BAR's upper half */
	PCI_INFO_WORDS = PCI_INFO_SIZE0 + 6,
};

#define PCI_MAX_FUNCTIONS 64	/* what pci_list gives at most */

#define PCI_BUS(loc)	((loc) >> 16 & 0xFF)
#define PCI_SLOT(loc)	((loc) >> 8 & 0x1F)
#define PCI_FUNC(loc)	((loc) & 0x7)
#define PCI_BAR_IS_IO(bar)	((bar) & 1)
#define PCI_BAR_ADDRESS(bar)	(PCI_BAR_IS_IO(bar) ? (bar) & ~3u : (bar) & ~15u)

#endif
