/*
 * Host tests of gns's pieces that need no stack: SipHash (servers/gns/lwip/)
 * against the published test vector, and the command line (config.c).
 */
#include <stdint.h>
#include <string.h>
#include "config.h"
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

static bool
parse(struct gns_config *c, const char *w1, const char *w2)
{
	char *argv[] = { "gns", (char *)w1, (char *)w2, NULL };

	return config_parse(c, w2 ? 3 : (w1 ? 2 : 1), argv);
}

/* gns's command line (servers/gns/config.c): node=N is 10.77.0.N/16. */
UNIT_TEST(gns_config_gives_node_n_its_address)
{
	struct gns_config c;

	EXPECT(parse(&c, "node=3", NULL));
	EXPECT_EQ(c.ip, 0x0a4d0003);
	EXPECT_EQ(c.mask, 0xffff0000u);
	EXPECT(!c.dhcp);
	EXPECT_STR(c.nic, GNS_NIC_DEFAULT);
	EXPECT(parse(&c, "node=254", "nic=/servers/nic1"));
	EXPECT_EQ(c.ip, 0x0a4d00fe);
	EXPECT_STR(c.nic, "/servers/nic1");
	EXPECT(parse(&c, "ip=dhcp", "restart=always"));
	EXPECT(c.dhcp);
	EXPECT_EQ(c.ip, 0);
	EXPECT(parse(&c, NULL, NULL));
	EXPECT_EQ(c.ip, 0);
	/* N outside 1..254, not a number, or a word gns does not know */
	EXPECT(!parse(&c, "node=0", NULL));
	EXPECT(!parse(&c, "node=255", NULL));
	EXPECT(!parse(&c, "node=3x", NULL));
	EXPECT(!parse(&c, "node=", NULL));
	EXPECT(!parse(&c, "nic=relative", NULL));
	EXPECT(!parse(&c, "ip=static", NULL));
}
