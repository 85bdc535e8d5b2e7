/*
 * The e1000 driver's view of its NIC (hw.c: finding, resetting and starting
 * it; desc.c: the descriptor rings). Everything here is touched by the
 * driver's loop thread alone (main.c); the pager thread (session.c) never
 * looks at it.
 */
#ifndef E1000_H
#define E1000_H

#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include "regs.h"

#define RX_DESCS	256	/* receive descriptors: a power of two, 4 KiB */
#define TX_DESCS	128	/* transmit descriptors: 2 KiB */
#define BUF_SIZE	2048	/* per descriptor: RCTL.BSIZE; a frame without CRC fits */
#define ETH_MIN		14	/* a header: anything shorter is not a frame */
#define ETH_MAX		1518	/* 1514 and a VLAN tag: the longest frame we send or take */

/*
 * One NIC. [I] set by e1000_attach/e1000_start; the rest is the loop's.
 * The DMA region holds, in order: the RX ring, the TX ring (each on its own
 * page), the RX buffers, the TX buffers.
 */
struct e1000 {
	volatile uint8_t *regs;		/* [I] BAR0, uncached */
	uint32_t regs_size;		/* [I] */
	uint32_t location;		/* [I] bus << 16 | slot << 8 | function */
	uint16_t device_id;		/* [I] E1000_DEV_* */
	uint32_t irq;			/* [I] the function's interrupt line */
	uint8_t mac[6];			/* [I] from the EEPROM, else RAL0/RAH0 */
	volatile struct rx_desc *rx;	/* [I] DMA */
	volatile struct tx_desc *tx;	/* [I] DMA */
	uint8_t *rx_buf, *tx_buf;	/* [I] DMA, BUF_SIZE per descriptor */
	uint32_t dma_phys;		/* [I] the region's physical address */
	uint32_t rx_next;		/* the next receive descriptor the NIC may have filled */
	uint32_t rx_returned;		/* descriptors given back since RDT was last written */
	bool rx_partial;		/* dropping the pieces of a frame longer than a buffer */
	uint32_t tx_tail;		/* the next free transmit descriptor (TDT as written) */
	uint32_t tx_clean;		/* the oldest one the NIC may still hold */
	bool tx_irq;			/* TXDW is on: frames wait for a descriptor the NIC holds */
	uint64_t tx_ctx;		/* the checksum context the NIC holds (desc.c), if tx_ctx_valid */
	bool tx_ctx_tcp, tx_ctx_valid;
	/* counters: no reader yet (the shell's netstat, to come) */
	uint32_t rx_frames, rx_dropped, tx_frames, tx_dropped;
	uint32_t rx_csum_bad;		/* frames the NIC found a wrong checksum in (dropped) */
	uint32_t tx_contexts;		/* checksum context descriptors written */
};

extern struct e1000 nic;	/* the one this task drives (main.c) */

/* hw.c */
/*
 * Finds an 82540EM or 82545EM through the pci server, turns on its memory
 * space and maps BAR0 uncached. false, with a console line, when there is
 * none or a step fails.
 */
bool e1000_attach(struct e1000 *e, mach_port_t pci, mach_port_t device);
/*
 * Bus mastering on, through the pci server's pci_claim, which turns it off
 * again when this task dies: only after e1000_reset.
 */
bool e1000_claim(struct e1000 *e, mach_port_t pci, mach_port_t device);
/* Stops receiving, transmitting and interrupts, and resets the NIC: no DMA after this. */
void e1000_reset(struct e1000 *e);
/* The MAC from the EEPROM (EERD), or from RAL0/RAH0 when the EEPROM does not answer. */
void e1000_read_mac(struct e1000 *e);
/* DMA memory for the rings and buffers; false when the kernel has none. */
bool e1000_dma_allocate(struct e1000 *e, mach_port_t device);
/* Programs the rings, the address filter and the interrupt mask, and enables RX and TX. */
void e1000_start(struct e1000 *e);
/* Reads (so clears) the interrupt causes. */
uint32_t e1000_causes(struct e1000 *e);
/* Link up, and its speed in Mb/s (0 when down). */
bool e1000_link(struct e1000 *e, uint32_t *speed_mbps);
void e1000_write_reg(struct e1000 *e, uint32_t reg, uint32_t v);
/*
 * TXDW on or off. A sent frame's descriptor is reclaimed by the next
 * e1000_tx_space, so the driver asks for the interrupt only when every
 * descriptor is the NIC's and frames wait: one interrupt (a message and a
 * kernel ack) fewer per frame sent.
 */
void e1000_tx_wake(struct e1000 *e, bool on);

/* desc.c */
void e1000_rings_init(struct e1000 *e);
/*
 * The next received frame: its length, with *data pointing into its DMA
 * buffer and *flags saying which checksums the NIC found right
 * (FRAME_RX_*); 0 when the NIC has filled no more; -1 for a descriptor that
 * holds no frame we take (an error, a wrong checksum, a piece of a longer
 * frame, a runt): the caller gives it back with e1000_rx_release all the same.
 */
int e1000_rx_peek(struct e1000 *e, const uint8_t **data, uint32_t *flags);
/* Gives the peeked descriptor back to the NIC (RDT moves at e1000_rx_flush). */
void e1000_rx_release(struct e1000 *e);
void e1000_rx_flush(struct e1000 *e);
/* Transmit descriptors free after taking back those the NIC is done with. */
uint32_t e1000_tx_space(struct e1000 *e);
/*
 * Queues one frame (ETH_MIN..ETH_MAX bytes; the caller checked) with the
 * checksums its flags ask for (FRAME_TX_CSUM_*), in one descriptor or two
 * (a context first: TX_DESCS_PER_FRAME); sent at e1000_tx_flush. false: the
 * flags do not fit the frame, which is dropped.
 */
#define TX_DESCS_PER_FRAME 2
bool e1000_tx_put(struct e1000 *e, const uint8_t *frame, uint32_t len, uint32_t flags);
void e1000_tx_flush(struct e1000 *e);

#endif
