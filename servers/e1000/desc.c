/*
 * The descriptor rings (e1000.h): legacy descriptors, one BUF_SIZE buffer
 * each, in DMA memory. The NIC owns the receive descriptors from RDH up to
 * RDT (exclusive) and those we gave it to transmit from TDH up to TDT; DD
 * in a descriptor's status is its word that it is done with one. Tails are
 * written once per batch, after the descriptors they publish. A frame whose
 * client asked for checksums goes as an extended data descriptor, after a
 * context descriptor when its offsets differ from the last one written.
 */
#include <string.h>
#include <manifold/frame_ring.h>
#include "e1000.h"

#define ETH_HEADER 14

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
	e->tx_ctx_valid = false;	/* the NIC was reset: it holds no context */
}

int
e1000_rx_peek(struct e1000 *e, const uint8_t **data, uint32_t *flags)
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
	*flags = 0;
	if (!(status & RXS_IXSM)) {	/* the NIC looked at the checksums (RXCSUM) */
		if (d->errors & (RXE_IPE | RXE_TCPE)) {
			e->rx_csum_bad++;
			return -1;
		}
		*flags = ((status & RXS_IPCS) ? FRAME_RX_IP_OK : 0) | ((status & RXS_TCPCS) ? FRAME_RX_L4_OK : 0);
	}
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

/*
 * The checksum offsets of an IPv4 frame, packed as the context descriptor's
 * first eight bytes (IPCSS, IPCSO, IPCSE; TUCSS, TUCSO, TUCSE when TCP's is
 * asked for), read from our own copy of the frame, which the client cannot
 * change after the check; false for a frame the flags do not fit.
 */
static bool
csum_context(const uint8_t *f, uint32_t len, bool tcp, uint64_t *ctx)
{
	uint32_t ihl, total, l4;

	if (len < ETH_HEADER + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
		return false;
	ihl = (f[14] & 0x0fu) * 4;
	total = (uint32_t)f[16] << 8 | f[17];
	if (ihl < 20 || total < ihl || ETH_HEADER + total > len)
		return false;
	/* IP: the header's bytes, its checksum field at 10 */
	*ctx = ETH_HEADER | (uint64_t)(ETH_HEADER + 10) << 8 | (uint64_t)(ETH_HEADER + ihl - 1) << 16;
	if (!tcp)
		return true;
	/* TCP: the segment (a fragment has none whole to sum), its checksum field at 16 */
	if (f[23] != 6 || total < ihl + 20 || (f[20] & 0x3f) != 0 || f[21] != 0)
		return false;
	l4 = ETH_HEADER + ihl;
	*ctx |= (uint64_t)l4 << 32 | (uint64_t)(l4 + 16) << 40 | (uint64_t)(ETH_HEADER + total - 1) << 48;
	return true;
}

/* A context descriptor for ctx at the tail, unless the NIC holds that one already. */
static void
put_context(struct e1000 *e, uint64_t ctx, bool tcp)
{
	volatile struct tx_ctx_desc *c = (volatile struct tx_ctx_desc *)&e->tx[e->tx_tail];

	if (e->tx_ctx_valid && e->tx_ctx == ctx && e->tx_ctx_tcp == tcp)
		return;
	c->ipcss = (uint8_t)ctx;
	c->ipcso = (uint8_t)(ctx >> 8);
	c->ipcse = (uint16_t)(ctx >> 16);
	c->tucss = (uint8_t)(ctx >> 32);
	c->tucso = (uint8_t)(ctx >> 40);
	c->tucse = (uint16_t)(ctx >> 48);
	c->hdrlen = 0;
	c->mss = 0;
	c->status = 0;
	c->paylen_cmd = TXCTX_TUCMD_DEXT | TXCTX_TUCMD_RS | TXCTX_TUCMD_IP | (tcp ? TXCTX_TUCMD_TCP : 0);
	e->tx_tail = (e->tx_tail + 1) % TX_DESCS;
	e->tx_ctx = ctx;
	e->tx_ctx_tcp = tcp;
	e->tx_ctx_valid = true;
	e->tx_contexts++;
}

bool
e1000_tx_put(struct e1000 *e, const uint8_t *frame, uint32_t len, uint32_t flags)
{
	volatile struct tx_desc *d;
	bool ip = flags & FRAME_TX_CSUM_IP, tcp = flags & FRAME_TX_CSUM_TCP;
	uint64_t ctx = 0;

	if ((ip || tcp) && !csum_context(frame, len, tcp, &ctx)) {
		e->tx_dropped++;
		return false;
	}
	if (ip || tcp)
		put_context(e, ctx, tcp);
	d = &e->tx[e->tx_tail];
	memcpy(e->tx_buf + e->tx_tail * BUF_SIZE, frame, len);
	/* a context descriptor may have had this slot before: its bytes overlay the address */
	d->addr = e->dma_phys + 2 * 4096u + (RX_DESCS + e->tx_tail) * BUF_SIZE;
	d->length = (uint16_t)len;
	d->special = 0;
	d->status = 0;
	if (ip || tcp) {
		d->cso = TXD_DTYP_DATA;
		d->css = (ip ? TXD_POPTS_IXSM : 0) | (tcp ? TXD_POPTS_TXSM : 0);
		d->cmd = TXC_EOP | TXC_IFCS | TXC_RS | TXC_DEXT;
	} else {
		d->cso = 0;
		d->css = 0;
		d->cmd = TXC_EOP | TXC_IFCS | TXC_RS;
	}
	e->tx_tail = (e->tx_tail + 1) % TX_DESCS;
	e->tx_frames++;
	return true;
}

void
e1000_tx_flush(struct e1000 *e)
{
	dma_barrier();
	e1000_write_reg(e, REG_TDT, e->tx_tail);
}
