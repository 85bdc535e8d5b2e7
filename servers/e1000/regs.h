/*
 * The registers and descriptors of the Intel 8254x family that this driver
 * uses, from Intel's "PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual" (82540EM, 82545EM: chapters 3 and 13). Offsets
 * are bytes into BAR0's memory space; every register is 32 bits wide.
 */
#ifndef E1000_REGS_H
#define E1000_REGS_H

#include <stdint.h>

#define E1000_VENDOR		0x8086
#define E1000_DEV_82540EM	0x100E	/* QEMU's default -device e1000 */
#define E1000_DEV_82545EM	0x100F	/* QEMU's e1000-82545em */

#define REG_CTRL	0x0000	/* device control */
#define REG_STATUS	0x0008
#define REG_EERD	0x0014	/* EEPROM read */
#define REG_ICR		0x00C0	/* interrupt cause read: reading clears it */
#define REG_IMS		0x00D0	/* interrupt mask set */
#define REG_IMC		0x00D8	/* interrupt mask clear */
#define REG_RCTL	0x0100
#define REG_TCTL	0x0400
#define REG_TIPG	0x0410
#define REG_RDBAL	0x2800
#define REG_RDBAH	0x2804
#define REG_RDLEN	0x2808
#define REG_RDH		0x2810
#define REG_RDT		0x2818
#define REG_RDTR	0x2820	/* receive delay timer */
#define REG_TDBAL	0x3800
#define REG_TDBAH	0x3804
#define REG_TDLEN	0x3808
#define REG_TDH		0x3810
#define REG_TDT		0x3818
#define REG_RXCSUM	0x5000	/* receive checksum control */
#define REG_MTA		0x5200	/* multicast table: 128 words */
#define REG_RAL0	0x5400	/* receive address 0, low 4 bytes of the MAC */
#define REG_RAH0	0x5404	/* its high 2 bytes, and Address Valid */

#define CTRL_FD		(1u << 0)	/* full duplex */
#define CTRL_LRST	(1u << 3)	/* link reset */
#define CTRL_ASDE	(1u << 5)	/* auto-speed detection */
#define CTRL_SLU	(1u << 6)	/* set link up */
#define CTRL_ILOS	(1u << 7)	/* invert loss-of-signal */
#define CTRL_RST	(1u << 26)	/* device reset; self-clearing */
#define CTRL_VME	(1u << 30)	/* VLAN mode */
#define CTRL_PHY_RST	(1u << 31)

#define STATUS_FD	(1u << 0)
#define STATUS_LU	(1u << 1)	/* link up */
#define STATUS_SPEED(s)	((s) >> 6 & 3)	/* 0: 10, 1: 100, 2 or 3: 1000 Mb/s */

/* EERD on the 82540/82545 (the 82541/82547 place DONE and ADDR elsewhere). */
#define EERD_START	(1u << 0)
#define EERD_DONE	(1u << 4)
#define EERD_ADDR(a)	((uint32_t)(a) << 8)
#define EERD_DATA(v)	((v) >> 16)

/* Interrupt causes: the same bits in ICR, IMS and IMC. */
#define INT_TXDW	(1u << 0)	/* a transmit descriptor was written back */
#define INT_LSC		(1u << 2)	/* link status change */
#define INT_RXDMT0	(1u << 4)	/* free receive descriptors below the threshold */
#define INT_RXO		(1u << 6)	/* receiver overrun: descriptors ran out */
#define INT_RXT0	(1u << 7)	/* receive timer: frames are in memory */
#define INT_ALL		0xFFFFFFFFu

#define RCTL_EN		(1u << 1)
#define RCTL_BAM	(1u << 15)	/* accept broadcast */
#define RCTL_BSIZE_2048	(0u << 16)	/* with BSEX clear */
#define RCTL_SECRC	(1u << 26)	/* strip the CRC: frames come without it */

#define TCTL_EN		(1u << 1)
#define TCTL_PSP	(1u << 3)	/* pad short frames to 64 bytes */
#define TCTL_CT(n)	((uint32_t)(n) << 4)	/* collision threshold: 0x0F */
#define TCTL_COLD(n)	((uint32_t)(n) << 12)	/* collision distance: 0x40 full duplex */
#define TCTL_RTLC	(1u << 24)	/* retransmit on late collision */

/* Inter-packet gap for copper: IPGT 10, IPGR1 8, IPGR2 6. */
#define TIPG_COPPER	(10u | 8u << 10 | 6u << 20)

#define RAH_AV		(1u << 31)	/* address valid */

#define RXCSUM_IPOFL	(1u << 8)	/* the NIC checks IPv4 header checksums */
#define RXCSUM_TUOFL	(1u << 9)	/* ...and TCP and UDP checksums */

/*
 * Legacy descriptors (16 bytes each; a ring is a multiple of 128 bytes,
 * 16-byte aligned). The NIC owns the receive descriptors from head up to
 * tail (exclusive) and writes status back; DD says it is done with one.
 */
struct rx_desc {
	uint64_t addr;		/* the buffer's physical address */
	uint16_t length;	/* bytes the NIC wrote */
	uint16_t checksum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

#define RXS_DD		(1u << 0)
#define RXS_EOP		(1u << 1)	/* the frame's last descriptor */
#define RXS_IXSM	(1u << 2)	/* ignore the checksum bits: the NIC did not check (QEMU's never does) */
#define RXS_TCPCS	(1u << 5)	/* the TCP or UDP checksum was checked */
#define RXS_IPCS	(1u << 6)	/* the IPv4 header checksum was checked */
/* Frame errors: CRC, symbol, sequence, carrier extension, RX data. */
#define RXE_FRAME	(1u << 0 | 1u << 1 | 1u << 2 | 1u << 4 | 1u << 7)
#define RXE_TCPE	(1u << 5)	/* the TCP or UDP checksum was wrong */
#define RXE_IPE		(1u << 6)	/* the IPv4 header checksum was wrong */

struct tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

#define TXC_EOP		(1u << 0)
#define TXC_IFCS	(1u << 1)	/* the NIC appends the CRC */
#define TXC_RS		(1u << 3)	/* report status: DD is written back */
#define TXC_DEXT	(1u << 5)	/* an extended descriptor: context or data (below) */
#define TXS_DD		(1u << 0)

/*
 * Checksum offload (the manual's TCP/IP context and data descriptors, same
 * 16 bytes): a context descriptor says where the IPv4 header's and the TCP
 * header's checksums go (start, offset of the field, end; both inclusive);
 * the NIC keeps it for the data descriptors that follow, each of which asks
 * for either insertion in its POPTS. The NIC sums from start to end with the
 * field's own contents (for TCP, the pseudo-header's sum) and stores the
 * complement. Both kinds set DEXT; a data descriptor's DTYP is 1, a
 * context's 0; RS on the context too, so DD comes back for every descriptor
 * and reclaiming them in order still works.
 */
struct tx_ctx_desc {
	uint8_t ipcss, ipcso;
	uint16_t ipcse;
	uint8_t tucss, tucso;
	uint16_t tucse;
	uint32_t paylen_cmd;	/* PAYLEN (20 bits, TSO only), DTYP 0, TUCMD in the top byte */
	uint8_t status;
	uint8_t hdrlen;
	uint16_t mss;
};

#define TXCTX_TUCMD_TCP	(1u << 24)	/* the L4 protocol is TCP */
#define TXCTX_TUCMD_IP	(1u << 25)	/* IPv4 */
#define TXCTX_TUCMD_RS	(1u << 27)
#define TXCTX_TUCMD_DEXT (1u << 29)
/* A data descriptor in tx_desc's bytes: DTYP 1 where the legacy CSO is, POPTS where CSS is. */
#define TXD_DTYP_DATA	0x10u
#define TXD_POPTS_IXSM	(1u << 0)	/* insert the IP checksum */
#define TXD_POPTS_TXSM	(1u << 1)	/* insert the TCP/UDP checksum */

#define EEPROM_MAC_WORDS 3	/* words 0-2: the MAC, low byte first */

#endif
