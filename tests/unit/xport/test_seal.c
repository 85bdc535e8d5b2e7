/*
 * The cryptography as the transport uses it: BearSSL's ChaCha20-Poly1305
 * against RFC 8439's AEAD example (section 2.8.2), both sides deriving the
 * same keys with tx and rx crossed, a sealed datagram refusing any change, and
 * the AEAD seal.c picks (aead.c's SSE2 code where the CPU has it) sealing
 * exactly as BearSSL's portable code, at every length and on random cases.
 */
#include <bearssl.h>
#include <string.h>

#include "kat.h"
#include "seal.h"
#include "unit.h"
#include "wire.h"

#define H 37 /* a header's bytes: the associated data (a DATA's compact header is about so long) */

UNIT_TEST(seal_chacha20_poly1305_matches_rfc_8439)
{
	EXPECT(kat_chacha20_poly1305());
}

UNIT_TEST(aead_sse2_gives_bearssls_bytes_and_tags_on_20000_cases)
{
	EXPECT_EQ(kat_aead_sse2_differs(20000), 0);
}

UNIT_TEST(seal_gives_the_bytes_of_the_portable_chacha20_at_every_length)
{
	uint8_t key[32], d[WIRE_OVERHEAD_MAX + 300], want[sizeof d], iv[12] = {0};

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(7 * i + 1);
	for (size_t len = 0; len <= 300; len += 37) {
		for (size_t i = 0; i < sizeof d; i++)
			d[i] = (uint8_t)(i * 13 + len);
		memcpy(want, d, sizeof d);
		seal_datagram(key, 0x0102030405060708ull, false, d, H, len);
		for (int i = 0; i < 8; i++)
			iv[4 + i] = (uint8_t)(i + 1);	/* the packet number, big-endian */
		br_poly1305_ctmul_run(key, iv, want + H, len, want, H, want + H + len, br_chacha20_ct_run, 1);
		EXPECT(memcmp(d, want, H + len + WIRE_TAG_SIZE) == 0);
	}
}

UNIT_TEST(seal_both_sides_derive_crossed_keys_and_one_session_id)
{
	uint8_t cluster[32], ni[32], nr[32];
	struct seal_keys a, b, c;

	memset(cluster, 1, 32);
	memset(ni, 2, 32);
	memset(nr, 3, 32);
	seal_derive(cluster, 5, 9, ni, nr, true, &a);
	seal_derive(cluster, 5, 9, ni, nr, false, &b);
	EXPECT(memcmp(a.tx, b.rx, 32) == 0);
	EXPECT(memcmp(a.rx, b.tx, 32) == 0);
	EXPECT(memcmp(a.tx, a.rx, 32) != 0);
	EXPECT_EQ(a.session, b.session);
	nr[0] ^= 1; /* another nonce: other keys */
	seal_derive(cluster, 5, 9, ni, nr, true, &c);
	EXPECT(memcmp(a.tx, c.tx, 32) != 0);
	EXPECT(a.session != c.session);
}

UNIT_TEST(seal_open_refuses_any_changed_byte_in_both_modes)
{
	uint8_t key[32], d[H + 40 + WIRE_TAG_SIZE], copy[sizeof d], scratch[40];

	memset(key, 9, sizeof key);
	for (int auth_only = 0; auth_only < 2; auth_only++) {
		for (size_t i = 0; i < sizeof d; i++)
			d[i] = (uint8_t)i;
		seal_datagram(key, 42, auth_only, d, H, 40);
		EXPECT((d[H] == (uint8_t)H) == auth_only); /* clear only when auth-only */
		const uint8_t *p = seal_open(key, 42, auth_only, d, H, 40, scratch);
		EXPECT(p != NULL);
		EXPECT(p && p[1] == (uint8_t)(H + 1));
		EXPECT(seal_open(key, 43, auth_only, d, H, 40, scratch) == NULL); /* another nonce */
		for (size_t i = 0; i < sizeof d; i++) {
			memcpy(copy, d, sizeof d);
			copy[i] ^= 0x20;
			EXPECT(seal_open(key, 42, auth_only, copy, H, 40, scratch) == NULL);
		}
	}
}
