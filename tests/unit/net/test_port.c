/*
 * Host tests of the lwIP port's own pieces (servers/gns/lwip/): SipHash
 * against the published test vector.
 */
#include <stdint.h>
#include "siphash.h"
#include "unit.h"

/* The SipHash paper's appendix: key 00..0f, message 00..0e. */
UNIT_TEST(siphash_matches_the_papers_vector)
{
	uint8_t key[16], msg[15];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	EXPECT_EQ(siphash(key, msg, sizeof msg), 0xa129ca6149be45e5ull);
	EXPECT(siphash(key, msg, 14) != siphash(key, msg, 15));
	key[0] ^= 1;
	EXPECT(siphash(key, msg, sizeof msg) != 0xa129ca6149be45e5ull);
}
