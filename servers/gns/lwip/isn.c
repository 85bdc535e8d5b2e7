/*
 * TCP initial sequence numbers as RFC 6528 describes them: ISN = M + F, M a
 * clock ticking every 4 microseconds and F a keyed pseudo-random function
 * (SipHash here) of the connection's addresses and ports. Each connection
 * between the same two endpoints still gets a growing sequence space, as
 * RFC 793 wants, while an off-path attacker who does not know the key
 * cannot guess the number of any connection but his own. lwIP calls
 * isn_tcp through LWIP_HOOK_TCP_ISN (lwipopts.h).
 */
#include <string.h>
#include "lwip/ip_addr.h"
#include "lwip_hooks.h"
#include "port.h"
#include "random.h"
#include "siphash.h"

static uint8_t key[SIPHASH_KEY_SIZE];
static int keyed;

u32_t
isn_tcp(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip, u16_t remote_port)
{
	uint8_t tuple[12];
	uint32_t a = ip4_addr_get_u32(ip_2_ip4(local_ip)), b = ip4_addr_get_u32(ip_2_ip4(remote_ip));

	if (!keyed) {
		random_bytes(key, sizeof key);
		keyed = 1;
	}
	memcpy(tuple, &a, 4);
	memcpy(tuple + 4, &b, 4);
	memcpy(tuple + 8, &local_port, 2);
	memcpy(tuple + 10, &remote_port, 2);
	return (u32_t)(port_now_us() / 4) + (u32_t)siphash(key, tuple, sizeof tuple);
}
