/*
 * RFC 8439's ChaCha20-Poly1305 example (section 2.8.2): the first ciphertext
 * byte and the tag. Run on the host and in the guest, so that both BearSSL
 * builds (x86-64 and i386) are seen to compute the same.
 */
#include "kat.h"

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
	uint8_t key[32], buf[sizeof text], tag[16];

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	memcpy(buf, text, sizeof text - 1);
	br_poly1305_ctmul_run(key, iv, buf, sizeof text - 1, aad, sizeof aad, tag, br_chacha20_ct_run, 1);
	return buf[0] == 0xd3 && memcmp(tag, want, sizeof want) == 0;
}
