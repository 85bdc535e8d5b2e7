/*
 * The descriptor rings (e1000.h): legacy descriptors, one BUF_SIZE buffer
 * each, in DMA memory. The NIC owns the receive descriptors from RDH up to
 * RDT (exclusive) and those we gave it to transmit from TDH up to TDT; DD
 * in a descriptor's status is its word that it is done with one. Tails are
 * written once per batch, after the descriptors they publish.
 */
#include <string.h>
#include "e1000.h"

/* The descriptors and buffers are ordinary cached memory the NIC reads and writes. */
#define dma_barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

void
e1000_rings_init(struct e1000 *e)
{
	for (uint32_t i = 0; i < RX_DESCS; i++) {
		e->rx[i].addr = e->dma_phys + 2 * 4096u + i * BUF_SIZE;
		e->rx[i].status = 0;
	}
	for (uint32_t i = 0; i < TX_DESCS; i++) {
		e->tx[i].addr = e->dma_phys + 2 * 4096u + (RX_DESCS + i) * BUF_SIZE;
		e->tx[i].cmd = 0;
		e->tx[i].status = TXS_DD;	/* free */
	}
	e->rx_next = 0;
	e->rx_returned = 0;
	e->rx_partial = false;
	e->tx_tail = e->tx_clean = 0;
}

int
e1000_rx_peek(struct e1000 *e, const uint8_t **data)
{
	volatile struct rx_desc *d = &e->rx[e->rx_next];
	uint8_t status = d->status;
	uint32_t len;

	if (!(status & RXS_DD))
		return 0;
	dma_barrier();	/* the rest of the descriptor, and the buffer, after DD */
	len = d->length;
	/*
	 * BSIZE is 2048 and long frames are off (RCTL.LPE), so a frame should be
	 * one descriptor; the pieces of a longer one are dropped up to its EOP.
	 */
	if (e->rx_partial || !(status & RXS_EOP)) {
		e->rx_partial = !(status & RXS_EOP);
		return -1;
	}
	if ((d->errors & RXE_FRAME) || len < ETH_MIN || len > ETH_MAX)
		return -1;
	*data = e->rx_buf + e->rx_next * BUF_SIZE;
	return (int)len;
}

void
e1000_rx_release(struct e1000 *e)
{
	e->rx[e->rx_next].status = 0;
	e->rx_next = (e->rx_next + 1) % RX_DESCS;
	e->rx_returned++;
}

void
e1000_rx_flush(struct e1000 *e)
{
	if (e->rx_returned == 0)
		return;
	dma_barrier();
	/* The descriptor before rx_next is the last one given back: the tail's hole moves there. */
	e1000_write_reg(e, REG_RDT, (e->rx_next + RX_DESCS - 1) % RX_DESCS);
	e->rx_returned = 0;
}

uint32_t
e1000_tx_space(struct e1000 *e)
{
	while (e->tx_clean != e->tx_tail && (e->tx[e->tx_clean].status & TXS_DD))
		e->tx_clean = (e->tx_clean + 1) % TX_DESCS;
	/* One descriptor stays empty: head == tail means the ring is empty, never full. */
	return TX_DESCS - 1 - (e->tx_tail - e->tx_clean + TX_DESCS) % TX_DESCS;
}

void
e1000_tx_put(struct e1000 *e, const uint8_t *frame, uint32_t len)
{
	volatile struct tx_desc *d = &e->tx[e->tx_tail];

	memcpy(e->tx_buf + e->tx_tail * BUF_SIZE, frame, len);
	d->length = (uint16_t)len;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = TXC_EOP | TXC_IFCS | TXC_RS;
	e->tx_tail = (e->tx_tail + 1) % TX_DESCS;
	e->tx_frames++;
}

void
e1000_tx_flush(struct e1000 *e)
{
	dma_barrier();
	e1000_write_reg(e, REG_TDT, e->tx_tail);
}
