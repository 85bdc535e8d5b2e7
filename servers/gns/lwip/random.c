/*
 * The port's random numbers (lwIP's LWIP_RAND: ephemeral ports, DHCP
 * transaction ids; isn.c's key): SipHash of a counter under a key taken once
 * from port_entropy. As good as that seed and no better: see port.h and
 * servers/gns/README.md for where the seed comes from on each platform.
 */
#include <string.h>
#include "port.h"
#include "siphash.h"

static uint8_t key[SIPHASH_KEY_SIZE];
static uint64_t counter;
static int seeded;

static void
seed(void)
{
	port_entropy(key, sizeof key);
	seeded = 1;
}

uint64_t
random_u64(void)
{
	if (!seeded)
		seed();
	counter++;
	return siphash(key, &counter, sizeof counter);
}

uint32_t
random_u32(void)
{
	return (uint32_t)random_u64();
}

void
random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		uint64_t r = random_u64();
		size_t k = n < sizeof r ? n : sizeof r;

		memcpy(p, &r, k);
		p += k;
		n -= k;
	}
}
