/*
 * MD5 as RFC 1321 specifies it: 64-byte blocks, four rounds of sixteen steps,
 * the length in bits after the padding. The step constants are the integer
 * parts of |sin(i + 1)| * 2^32 (the RFC's definition), computed once.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "md5.h"

static uint32_t sines[64];
static const uint8_t shifts[4][4] = { { 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 } };

static uint32_t
rotl(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static void
md5_block(struct md5 *m, const uint8_t *p)
{
	uint32_t w[16], a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
		       (uint32_t)p[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g;

		switch (i / 16) {
		case 0: f = (b & c) | (~b & d); g = i; break;
		case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16; break;
		case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
		default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
		}
		f += a + sines[i] + w[g];
		a = d;
		d = c;
		c = b;
		b += rotl(f, shifts[i / 16][i % 4]);
	}
	m->h[0] += a;
	m->h[1] += b;
	m->h[2] += c;
	m->h[3] += d;
}

void
md5_init(struct md5 *m)
{
	if (!sines[0])
		for (int i = 0; i < 64; i++)
			sines[i] = (uint32_t)floor(fabs(sin((double)(i + 1))) * 4294967296.0);
	m->h[0] = 0x67452301;
	m->h[1] = 0xefcdab89;
	m->h[2] = 0x98badcfe;
	m->h[3] = 0x10325476;
	m->len = 0;
}

void
md5_update(struct md5 *m, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t have = (size_t)(m->len % 64);

	m->len += len;
	if (have) {
		size_t take = len < 64 - have ? len : 64 - have;
		memcpy(m->block + have, p, take);
		p += take;
		len -= take;
		if (have + take < 64)
			return;
		md5_block(m, m->block);
	}
	for (; len >= 64; p += 64, len -= 64)
		md5_block(m, p);
	memcpy(m->block, p, len);
}

void
md5_hex(struct md5 *m, char hex[33])
{
	uint64_t bits = m->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = 64 - (size_t)((m->len + 8) % 64);	/* 1 to 64 bytes, then the length */

	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (8 * i));
	md5_update(m, pad, padlen + 8);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned)(m->h[i / 4] >> (8 * (i % 4)) & 0xff));
}
