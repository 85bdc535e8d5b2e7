/*
 * The DHCP lease (lease.h): on the console, and kept with retries.
 *
 * lwIP's DHCP client says nothing when it binds, renews or loses its lease
 * (the netif's status callback fires only when the address changes, so never
 * on a renewal), and an operator or a test wants each: `gns: DHCP: bound ...`
 * and `... renewed`. Called from the tick, which runs after every message
 * and every lwIP timer, so a renewal's RENEWING state (from the request until
 * the server's ACK, a message later) is always seen before BOUND again.
 *
 * lwIP also counts a lease in whole minutes (DHCP_COARSE_TIMER_SECS, not an
 * option) from a timer that is not aligned with the ACK, and sends one
 * renewal REQUEST per coarse tick, none if less than a minute is left: with
 * a lease under 270 s its end comes at the same tick as the rebind, so one
 * lost REQUEST or ACK lost the address. So gns keeps the lease's times
 * itself, in milliseconds from the ACK (RFC 2131 4.4.5): at T1 it renews
 * (dhcp_renew: a REQUEST to the server) and, unanswered, again after half
 * the time left to T2, at least RETRY_MIN_MS apart; from T2 it rebinds (a
 * broadcast REQUEST to any server) the same way until T0; at T0 the lease is
 * lost and lwIP starts again (DISCOVER). lwIP's own coarse timers are turned
 * off for it by zeroing their counters in its struct dhcp after each ACK;
 * lwIP offers no call to rebind, so a rebind is its coarse timer run with the
 * rebind counter about to expire (t0_timeout being 0, nothing else counts).
 */
#include <stdbool.h>
#include <stdio.h>
#include "lwip/dhcp.h"
#include "lwip/prot/dhcp.h"
#include "lwip/ip4_addr.h"
#include "lwip/sys.h"
#include "lease.h"

#define RETRY_MIN_MS 4000	/* RFC 2131 says 60 s; a lease of minutes needs several tries */
#define FOREVER 0xffffffffUL	/* an infinite lease: lwIP's timers are left alone */

static uint8_t last_state = DHCP_STATE_OFF;	/* the loop thread's (NO_SYS) */
static ip4_addr_t last_addr;
static bool kept;				/* we keep the lease's times, not lwIP */
static uint32_t acked_ms, t1_ms, t2_ms, t0_ms, next_ms;
static unsigned tries;

static bool
renewing(uint8_t state)
{
	return state == DHCP_STATE_RENEWING || state == DHCP_STATE_REBINDING;
}

/* An ACK bound the lease (again): its times from now, lwIP's coarse counters off. */
static void
take_over(struct dhcp *d, uint32_t now)
{
	kept = d->offered_t0_lease != FOREVER && d->offered_t1_renew != FOREVER && d->offered_t2_rebind != FOREVER &&
	       d->offered_t0_lease < FOREVER / 1000;
	if (!kept)
		return;
	d->t0_timeout = 0;
	d->t1_renew_time = 0;
	d->t2_rebind_time = 0;
	acked_ms = now;
	t0_ms = d->offered_t0_lease * 1000;
	t2_ms = d->offered_t2_rebind * 1000 < t0_ms ? d->offered_t2_rebind * 1000 : t0_ms;
	t1_ms = d->offered_t1_renew * 1000 < t2_ms ? d->offered_t1_renew * 1000 : t2_ms;
	next_ms = t1_ms;
	tries = 0;
}

/* Half of what is left until limit, at least RETRY_MIN_MS, never past it: when to try next. */
static uint32_t
backoff(uint32_t at, uint32_t limit)
{
	uint32_t wait = (limit - at) / 2;

	if (wait < RETRY_MIN_MS)
		wait = RETRY_MIN_MS;
	return at + wait < limit ? at + wait : limit;
}

/* The lease's next step, if due (times in ms since the ACK). */
static void
keep(struct netif *netif, struct dhcp *d, uint32_t now)
{
	uint32_t at = now - acked_ms;
	char addr[16];

	if (!kept || at < next_ms)
		return;
	ip4addr_ntoa_r(netif_ip4_addr(netif), addr, sizeof addr);
	if (at >= t0_ms) {
		kept = false;
		dhcp_release_and_stop(netif);	/* the state's change prints "lost" */
		dhcp_start(netif);
	} else if (at >= t2_ms) {
		printf("gns: DHCP: rebinding %s, REQUEST %u (broadcast), %u s left\n", addr, ++tries,
		       (unsigned)((t0_ms - at) / 1000));
		d->t2_rebind_time = 1;
		dhcp_coarse_tmr();	/* dhcp_t2_timeout: a broadcast REQUEST, REBINDING */
		next_ms = backoff(at, t0_ms);
	} else {
		printf("gns: DHCP: renewing %s, REQUEST %u, %u s to rebinding\n", addr, ++tries,
		       (unsigned)((t2_ms - at) / 1000));
		dhcp_renew(netif);
		next_ms = backoff(at, t2_ms);
	}
}

void
lease_poll(struct netif *netif)
{
	struct dhcp *d = netif ? netif_dhcp_data(netif) : NULL;
	uint8_t state = d ? d->state : DHCP_STATE_OFF;
	uint32_t now = sys_now();
	char addr[16], mask[16], server[16];

	if (state == last_state) {
		if (d)
			keep(netif, d, now);
		return;
	}
	if (state == DHCP_STATE_BOUND) {
		ip4addr_ntoa_r(netif_ip4_addr(netif), addr, sizeof addr);
		if (renewing(last_state) && ip4_addr_cmp(&last_addr, netif_ip4_addr(netif))) {
			printf("gns: DHCP: lease of %s renewed, %u s\n", addr, (unsigned)d->offered_t0_lease);
		} else {
			ip4addr_ntoa_r(netif_ip4_netmask(netif), mask, sizeof mask);
			ip4addr_ntoa_r(ip_2_ip4(&d->server_ip_addr), server, sizeof server);
			printf("gns: DHCP: bound %s netmask %s, lease %u s, from %s\n", addr, mask,
			       (unsigned)d->offered_t0_lease, server);
		}
		ip4_addr_copy(last_addr, *netif_ip4_addr(netif));
		take_over(d, now);
	} else if ((last_state == DHCP_STATE_BOUND || renewing(last_state)) && !renewing(state)) {
		ip4addr_ntoa_r(&last_addr, addr, sizeof addr);
		printf("gns: DHCP: lease of %s lost\n", addr);
		kept = false;
	}
	last_state = state;
}
