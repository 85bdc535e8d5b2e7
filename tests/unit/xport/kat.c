/*
 * RFC 8439's ChaCha20-Poly1305 example (section 2.8.2): the first ciphertext
 * byte and the tag, by BearSSL and by aead.c. Run on the host and in the
 * guest, so that both builds (x86-64 and i386) are seen to compute the same.
 */
#include "kat.h"
#include "aead.h"

#include <bearssl.h>
#include <stdint.h>
#include <string.h>

bool
kat_chacha20_poly1305(void)
{
	static const char text[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
				   "for the future, sunscreen would be it.";
	static const uint8_t iv[12] = {7, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47};
	static const uint8_t aad[12] = {0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7};
	static const uint8_t want[16] = {0x1a, 0xe1, 0x0b, 0x59, 0x4f, 0x09, 0xe2, 0x6a,
					 0x7e, 0x90, 0x2e, 0xcb, 0xd0, 0x60, 0x06, 0x91};
	static const br_poly1305_run runs[2] = {br_poly1305_ctmul_run, aead_sse2_run};
	uint8_t key[32], buf[sizeof text], tag[16];
	bool ok = true;

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	for (int r = 0; r < 2; r++) {
		memcpy(buf, text, sizeof text - 1);
		runs[r](key, iv, buf, sizeof text - 1, aad, sizeof aad, tag, br_chacha20_ct_run, 1);
		ok = ok && buf[0] == 0xd3 && memcmp(tag, want, sizeof want) == 0;
		runs[r](key, iv, buf, sizeof text - 1, aad, sizeof aad, tag, br_chacha20_ct_run, 0);
		ok = ok && memcmp(buf, text, sizeof text - 1) == 0 && memcmp(tag, want, sizeof want) == 0;
	}
	return ok;
}

/* xorshift32: the same cases on every run and both builds */
static uint32_t
next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

int
kat_aead_sse2_differs(int n)
{
	static uint8_t a[1500], b[1500], c[1500], ct[1500];
	uint8_t key[32], iv[12], aad[120], ta[16], tb[16], tc[16];
	uint32_t x = 0x9e3779b9;
	int differ = 0;

	for (int it = 0; it < n; it++) {
		size_t aad_len = next(&x) % sizeof aad, len = it < 300 ? (size_t)it : next(&x) % sizeof a;
		/* all-ones inputs: the accumulator's limbs at their largest, the sum near 2^130 - 5 */
		uint8_t fill = it % 5 == 0 ? 0xff : 0;
		for (size_t i = 0; i < sizeof key; i++)
			key[i] = fill ? fill : (uint8_t)next(&x);
		for (size_t i = 0; i < sizeof iv; i++)
			iv[i] = (uint8_t)next(&x);
		for (size_t i = 0; i < aad_len; i++)
			aad[i] = fill ? fill : (uint8_t)next(&x);
		for (size_t i = 0; i < len; i++)
			a[i] = b[i] = fill ? fill : (uint8_t)next(&x);
		int encrypt = it & 1;
		memcpy(ct, a, len);
		br_poly1305_ctmul_run(key, iv, a, len, aad, aad_len, ta, br_chacha20_ct_run, encrypt);
		aead_sse2_run(key, iv, b, len, aad, aad_len, tb, NULL, encrypt);
		differ += memcmp(a, b, len) != 0 || memcmp(ta, tb, sizeof ta) != 0;
		if (!encrypt) { /* the open out of place: the same clear bytes and tag, the input untouched */
			uint8_t before[sizeof ct];
			memcpy(before, ct, len);
			aead_sse2_open(key, iv, ct, c, len, aad, aad_len, tc);
			differ += memcmp(a, c, len) != 0 || memcmp(ta, tc, sizeof ta) != 0 || memcmp(ct, before, len) != 0;
		}
	}
	return differ;
}
