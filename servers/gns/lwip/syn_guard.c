/*
 * LWIP_HOOK_TCP_INPACKET_PCB: a SYN flood takes no more than its share of
 * lwIP's TCP records. lwIP's listen backlog (TCP_LISTEN_BACKLOG) counts a
 * listener's half-open connections (SYN_RCVD, waiting for the peer's ACK)
 * and drops a SYN beyond it; left at that, a flood of SYNs from addresses
 * that never answer fills the backlog for the 20 s lwIP keeps a half-open
 * connection, and no real client gets in. So before lwIP sees a SYN for a
 * listener whose backlog is full, the oldest half-open connection of that
 * listener goes (tcp_abort: a RST to its peer), and the new SYN takes its
 * place: a real client's handshake completes unless SYN_GUARD's backlog of
 * newer SYNs arrives within its round trip. Across all listeners at most
 * SYN_RCVD_MAX are half-open, the oldest going first again, so that the
 * TCP records (MEMP_NUM_TCP_PCB) keep room for every socket gns serves.
 *
 * lwIP warns against changing pcb lists from this hook. For a listener it
 * runs where no list is being walked (tcp_input found no active pcb and
 * calls tcp_listen_input next, whose tcp_alloc aborts pcbs the same way
 * when the pool is empty), which is the only case acted on here.
 */
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lwip_hooks.h"

uint32_t syn_guard_evicted;	/* half-open connections dropped for newer SYNs (gns_stats) */

/* The listener's (any listener's, if l is NULL) oldest half-open connection, and how many there are. */
static struct tcp_pcb *
oldest_half_open(const struct tcp_pcb_listen *l, int *count)
{
	struct tcp_pcb *oldest = NULL;

	*count = 0;
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
		if (p->state != SYN_RCVD || (l && p->listener != l))
			continue;
		(*count)++;
		if (!oldest || (u32_t)(tcp_ticks - p->tmr) >= (u32_t)(tcp_ticks - oldest->tmr))
			oldest = p;
	}
	return oldest;
}

err_t
syn_guard(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len, u8_t *opt2, struct pbuf *p)
{
	struct tcp_pcb_listen *l;
	struct tcp_pcb *victim;
	int n;

	LWIP_UNUSED_ARG(optlen);
	LWIP_UNUSED_ARG(opt1len);
	LWIP_UNUSED_ARG(opt2);
	LWIP_UNUSED_ARG(p);
	if (pcb->state != LISTEN || (TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return ERR_OK;
	l = (struct tcp_pcb_listen *)pcb;
	if (l->accepts_pending >= l->backlog && (victim = oldest_half_open(l, &n)) != NULL) {
		tcp_abort(victim);
		syn_guard_evicted++;
	}
	if ((victim = oldest_half_open(NULL, &n)) != NULL && n >= SYN_RCVD_MAX) {
		tcp_abort(victim);
		syn_guard_evicted++;
	}
	return ERR_OK;
}
