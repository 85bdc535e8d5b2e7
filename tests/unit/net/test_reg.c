/*
 * Host tests of gns's registration table (servers/gns/reg.c): who holds
 * which UDP port, TCP port and EtherType, and the named errors of a
 * conflict, under AddressSanitizer and UBSan.
 */
#include <manifold/socket_codes.h>
#include "reg.h"
#include "unit.h"

static int holder_a, holder_b;

UNIT_TEST(reg_refuses_a_number_held_by_another)
{
	struct reg *a, *b;

	EXPECT_EQ(reg_claim(GNS_PROTO_UDP, 5000, &holder_a, &a), 0);
	EXPECT(reg_find(GNS_PROTO_UDP, 5000) == a);
	EXPECT(a->holder == &holder_a);
	EXPECT_EQ(reg_claim(GNS_PROTO_UDP, 5000, &holder_b, &b), SOCK_EADDRINUSE);
	/* one number, three protocols: three registrations */
	EXPECT_EQ(reg_claim(GNS_PROTO_TCP, 5000, &holder_b, &b), 0);
	EXPECT(reg_find(GNS_PROTO_ETHER, 5000) == NULL);
	EXPECT_EQ(reg_count(), 2);
	reg_release(a);
	reg_release(b);
	EXPECT_EQ(reg_count(), 0);
	EXPECT_EQ(reg_claim(GNS_PROTO_UDP, 5000, &holder_b, &b), 0);	/* free again */
	EXPECT(b->holder == &holder_b);
	reg_release(b);
}

UNIT_TEST(reg_checks_each_protocols_numbers)
{
	struct reg *r = NULL;

	EXPECT_EQ(reg_check(GNS_PROTO_UDP, 0), SOCK_EINVAL);
	EXPECT_EQ(reg_check(GNS_PROTO_TCP, 65536), SOCK_EINVAL);
	EXPECT_EQ(reg_check(GNS_PROTO_TCP, 65535), 0);
	EXPECT_EQ(reg_check(GNS_PROTO_ETHER, 0x05ff), SOCK_EINVAL);	/* an 802.3 length */
	EXPECT_EQ(reg_check(GNS_PROTO_ETHER, 0x0800), 0);
	EXPECT_EQ(reg_check(0, 80), SOCK_EPROTONOSUPPORT);
	EXPECT_EQ(reg_check(4, 80), SOCK_EPROTONOSUPPORT);
	EXPECT_EQ(reg_claim(4, 80, &holder_a, &r), SOCK_EPROTONOSUPPORT);
	EXPECT(r == NULL);						/* written only on success */
	EXPECT_EQ(reg_count(), 0);
}

UNIT_TEST(reg_table_full_is_enobufs_and_recovers)
{
	static struct reg *held[REG_MAX];
	struct reg *r = NULL;

	for (int i = 0; i < REG_MAX; i++)
		EXPECT_EQ(reg_claim(GNS_PROTO_UDP, 1000 + (uint32_t)i, &holder_a, &held[i]), 0);
	EXPECT_EQ(reg_claim(GNS_PROTO_UDP, 9999, &holder_a, &r), SOCK_ENOBUFS);
	EXPECT_EQ(reg_claim(GNS_PROTO_UDP, 1000, &holder_a, &r), SOCK_EADDRINUSE);	/* the conflict first */
	reg_release(held[7]);
	EXPECT_EQ(reg_claim(GNS_PROTO_UDP, 9999, &holder_b, &r), 0);
	EXPECT(r == held[7]);						/* the freed slot */
	EXPECT(reg_find(GNS_PROTO_UDP, 1007) == NULL);
	for (int i = 0; i < REG_MAX; i++)
		reg_release(held[i]);
	EXPECT_EQ(reg_count(), 0);
}
