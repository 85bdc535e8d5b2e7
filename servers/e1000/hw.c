/*
 * The NIC itself (e1000.h): found through the pci server, reset, its MAC
 * read, its rings programmed, its link read. Register facts are the 8254x
 * manual's (regs.h). BAR0 is mapped uncached (device_map), so each access
 * below reaches the NIC in program order.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/driver.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/pci.h>
#include "pci_client.h"
#include "e1000.h"

#define ME mach_task_self()
#define PAGE 4096u
#define RESET_POLLS 100		/* of 1 ms: the reset is done long before */
#define EERD_POLLS 10000	/* a word takes microseconds; the EEPROM may be absent */

static inline uint32_t
rd(struct e1000 *e, uint32_t reg)
{
	return *(volatile uint32_t *)(e->regs + reg);
}

static inline void
wr(struct e1000 *e, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + reg) = v;
}

static bool
find(struct e1000 *e, mach_port_t pci, uint32_t *info)
{
	static const uint16_t ids[] = { E1000_DEV_82540EM, E1000_DEV_82545EM };

	return driver_pci_find(pci, E1000_VENDOR, ids, 2, info, &e->device_id) == KERN_SUCCESS;
}

bool
e1000_attach(struct e1000 *e, mach_port_t pci, mach_port_t device)
{
	uint32_t info[PCI_INFO_WORDS], addr = 0, loc;
	kern_return_t kr;

	if (!find(e, pci, info)) {
		printf("e1000: no 82540EM or 82545EM on the PCI bus\n");
		return false;
	}
	loc = e->location = info[PCI_INFO_LOCATION];
	e->irq = info[PCI_INFO_HEADER] >> 8 & 0xFF;
	if (PCI_BAR_IS_IO(info[PCI_INFO_BAR0]) || info[PCI_INFO_SIZE0] == 0 || e->irq == 0 || e->irq > 15) {
		printf("e1000: %02x:%02x.%x: no memory BAR0 or no interrupt line\n", PCI_BUS(loc), PCI_SLOT(loc),
		       PCI_FUNC(loc));
		return false;
	}
	kr = driver_pci_enable(pci, device, loc, PCI_COMMAND_MEMORY);
	if (kr == KERN_SUCCESS)
		kr = device_map(device, ME, PCI_BAR_ADDRESS(info[PCI_INFO_BAR0]), info[PCI_INFO_SIZE0], &addr);
	if (kr != KERN_SUCCESS) {
		printf("e1000: cannot reach the NIC: %s\n", mach_error_string(kr));
		return false;
	}
	e->regs = (volatile uint8_t *)addr;
	e->regs_size = info[PCI_INFO_SIZE0];
	return true;
}

bool
e1000_claim(struct e1000 *e, mach_port_t pci, mach_port_t device)
{
	uint32_t loc = e->location;
	kern_return_t kr = pci_claim(pci, device, ME, PCI_BUS(loc), PCI_SLOT(loc), PCI_FUNC(loc));

	if (kr != KERN_SUCCESS)
		printf("e1000: the pci server refused bus mastering: %s\n", mach_error_string(kr));
	return kr == KERN_SUCCESS;
}

/*
 * The NIC may still be writing into a dead instance's buffers: stop it first.
 * Receive and transmit off, interrupts masked, then the global reset, after
 * which every register is at its power-on value.
 */
void
e1000_reset(struct e1000 *e)
{
	wr(e, REG_IMC, INT_ALL);
	wr(e, REG_RCTL, 0);
	wr(e, REG_TCTL, 0);
	wr(e, REG_CTRL, rd(e, REG_CTRL) | CTRL_RST);
	for (int i = 0; i < RESET_POLLS && (rd(e, REG_CTRL) & CTRL_RST); i++)
		msg_sleep_ms(1);
	wr(e, REG_IMC, INT_ALL);
	(void)rd(e, REG_ICR);
}

static bool
eeprom_read(struct e1000 *e, uint32_t word, uint16_t *v)
{
	wr(e, REG_EERD, EERD_ADDR(word) | EERD_START);
	for (int i = 0; i < EERD_POLLS; i++) {
		uint32_t r = rd(e, REG_EERD);

		if (r & EERD_DONE) {
			*v = (uint16_t)EERD_DATA(r);
			return true;
		}
	}
	return false;
}

void
e1000_read_mac(struct e1000 *e)
{
	uint16_t w[EEPROM_MAC_WORDS];
	uint32_t lo, hi;
	int i;

	for (i = 0; i < EEPROM_MAC_WORDS && eeprom_read(e, (uint32_t)i, &w[i]); i++)
		;
	if (i == EEPROM_MAC_WORDS) {
		for (i = 0; i < EEPROM_MAC_WORDS; i++) {
			e->mac[2 * i] = (uint8_t)w[i];
			e->mac[2 * i + 1] = (uint8_t)(w[i] >> 8);
		}
		return;
	}
	/* No EEPROM: the address the firmware (or the NIC's reset) left in RAL0/RAH0. */
	lo = rd(e, REG_RAL0);
	hi = rd(e, REG_RAH0);
	for (i = 0; i < 4; i++)
		e->mac[i] = (uint8_t)(lo >> (8 * i));
	e->mac[4] = (uint8_t)hi;
	e->mac[5] = (uint8_t)(hi >> 8);
}

bool
e1000_dma_allocate(struct e1000 *e, mach_port_t device)
{
	uint32_t size = 2 * PAGE + (RX_DESCS + TX_DESCS) * BUF_SIZE, addr = 0, phys = 0;
	kern_return_t kr = device_dma_allocate(device, ME, size, 0, &addr, &phys);

	if (kr != KERN_SUCCESS) {
		printf("e1000: no DMA memory (%u KiB): %s\n", size / 1024, mach_error_string(kr));
		return false;
	}
	e->dma_phys = phys;
	e->rx = (volatile struct rx_desc *)addr;
	e->tx = (volatile struct tx_desc *)(addr + PAGE);
	e->rx_buf = (uint8_t *)(addr + 2 * PAGE);
	e->tx_buf = e->rx_buf + RX_DESCS * BUF_SIZE;
	return true;
}

void
e1000_start(struct e1000 *e)
{
	uint32_t ctrl = rd(e, REG_CTRL);

	/* Link up with the speed the PHY negotiated; no PHY or link reset held. */
	ctrl &= ~(CTRL_LRST | CTRL_PHY_RST | CTRL_ILOS | CTRL_VME);
	wr(e, REG_CTRL, ctrl | CTRL_SLU | CTRL_ASDE);
	/* Our address in RAL0/RAH0 (as we read it), and no multicast. */
	wr(e, REG_RAL0, (uint32_t)e->mac[0] | (uint32_t)e->mac[1] << 8 | (uint32_t)e->mac[2] << 16 |
				(uint32_t)e->mac[3] << 24);
	wr(e, REG_RAH0, (uint32_t)e->mac[4] | (uint32_t)e->mac[5] << 8 | RAH_AV);
	for (uint32_t i = 0; i < 128; i++)
		wr(e, REG_MTA + 4 * i, 0);
	e1000_rings_init(e);
	/* Receive: all but one descriptor are the NIC's (head 0, tail at the last). */
	wr(e, REG_RDBAL, e->dma_phys);
	wr(e, REG_RDBAH, 0);
	wr(e, REG_RDLEN, RX_DESCS * sizeof(struct rx_desc));
	wr(e, REG_RDH, 0);
	wr(e, REG_RDT, RX_DESCS - 1);
	wr(e, REG_RDTR, 0);
	/* the NIC checks IPv4, TCP and UDP checksums and says so per frame (QEMU's does not) */
	wr(e, REG_RXCSUM, RXCSUM_IPOFL | RXCSUM_TUOFL);
	wr(e, REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_BSIZE_2048 | RCTL_SECRC);
	/* Transmit: empty (head = tail). */
	wr(e, REG_TDBAL, e->dma_phys + PAGE);
	wr(e, REG_TDBAH, 0);
	wr(e, REG_TDLEN, TX_DESCS * sizeof(struct tx_desc));
	wr(e, REG_TDH, 0);
	wr(e, REG_TDT, 0);
	wr(e, REG_TIPG, TIPG_COPPER);
	wr(e, REG_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT(0x0F) | TCTL_COLD(0x40) | TCTL_RTLC);
	(void)rd(e, REG_ICR);
	/* TXDW only while the transmit descriptors are full (e1000_tx_wake): pump_tx reclaims them as it goes. */
	e->tx_irq = false;
	wr(e, REG_IMC, INT_TXDW);
	wr(e, REG_IMS, INT_RXT0 | INT_RXDMT0 | INT_RXO | INT_LSC);
}

void
e1000_tx_wake(struct e1000 *e, bool on)
{
	if (on == e->tx_irq)
		return;
	e->tx_irq = on;
	wr(e, on ? REG_IMS : REG_IMC, INT_TXDW);
}

uint32_t
e1000_causes(struct e1000 *e)
{
	return rd(e, REG_ICR);
}

bool
e1000_link(struct e1000 *e, uint32_t *speed_mbps)
{
	static const uint32_t speeds[4] = { 10, 100, 1000, 1000 };
	uint32_t s = rd(e, REG_STATUS);

	*speed_mbps = (s & STATUS_LU) ? speeds[STATUS_SPEED(s)] : 0;
	return (s & STATUS_LU) != 0;
}

/* desc.c moves the tails; it reaches the registers through these. */
void
e1000_write_reg(struct e1000 *e, uint32_t reg, uint32_t v)
{
	wr(e, reg, v);
}
