/*
 * Host tests of gns's pieces that need no stack: SipHash (servers/gns/lwip/)
 * against the published test vector, and the command line (config.c).
 */
#include <stdint.h>
#include <string.h>
#include "config.h"
#include "siphash.h"
#include "unit.h"

uint16_t gns_chksum(const void *data, int len);

/* RFC 1071's definition, two bytes at a time: what gns_chksum must equal. */
static uint16_t
reference_sum(const uint8_t *p, int len)
{
	uint32_t sum = 0;

	for (int i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] | p[i + 1] << 8);
	if (len & 1)
		sum += p[len - 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* lwip/chksum.c: every length to 1,600 at every offset 0..7, random bytes, all-ones (carries), zeros. */
UNIT_TEST(chksum_equals_rfc1071_at_every_length_and_offset)
{
	static uint8_t buf[1600 + 8];
	uint32_t x = 12345;

	for (int fill = 0; fill < 3; fill++) {
		for (size_t i = 0; i < sizeof buf; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = fill == 0 ? (uint8_t)(x >> 16) : fill == 1 ? 0xff : 0;
		}
		for (int off = 0; off < 8; off++)
			for (int len = 0; len <= 1600; len++)
				EXPECT_EQ(gns_chksum(buf + off, len), reference_sum(buf + off, len));
	}
	EXPECT_EQ(gns_chksum(buf, 0), 0);
}

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
