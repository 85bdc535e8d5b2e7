/*
 * ChaCha20-Poly1305 (RFC 8439, sections 2.3, 2.5 and 2.8) with SSE2, written
 * for what the transport seals: a header of 20 to 84 bytes and a payload of tens of
 * bytes (a null RPC's request carries 47, its reply 31), where BearSSL's code on
 * i386 spends ~185 instructions a Poly1305 block (its scalar 26-bit limbs,
 * 25 multiplications one at a time) and a third of its ChaCha20 XORing the
 * partial blocks a byte at a time (this folder's README.md has the counts).
 * Here:
 *
 * - Poly1305 runs two blocks at once, one in each 64-bit lane of an SSE
 *   register (pmuludq makes two 32x32->64 products): the blocks m1..mn are
 *   split between the lanes, odd and even, and each lane is evaluated by
 *   Horner's rule in r^2; a last multiplication by (r^2, r) and the lanes'
 *   sum give m1 r^n + ... + mn r, the polynomial of the specification. An
 *   odd count gets a zero block first, which changes nothing. On a long
 *   input a lane takes two of its steps at once, h r^4 + x r^2, with one
 *   carry for both products (poly_mul2).
 * - ChaCha20 keeps a block's state as four rows of four words, one register
 *   each, the diagonal rounds by rotating the rows' words; XOR is 16 bytes at
 *   a time, a tail of fewer through 8 and 4-byte steps.
 *
 * Constant time as BearSSL's: no branch or address depends on the key or the
 * data, only on lengths.
 */
#include "aead.h"

#include <emmintrin.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SSE2 __attribute__((target("sse2")))

/* --- ChaCha20 --------------------------------------------------------------- */

#define ROTL(x, n) _mm_or_si128(_mm_slli_epi32((x), (n)), _mm_srli_epi32((x), 32 - (n)))
/* A rotation by 16 swaps each word's halves: two shuffles instead of three operations. */
#define ROTL16(x) _mm_shufflehi_epi16(_mm_shufflelo_epi16((x), 0xb1), 0xb1)

/* The quarter round on all four columns (or, rows rotated, diagonals) at once. */
#define QUARTERS(a, b, c, d)                                                                                     \
	do {                                                                                                     \
		a = _mm_add_epi32(a, b);                                                                         \
		d = ROTL16(_mm_xor_si128(d, a));                                                                 \
		c = _mm_add_epi32(c, d);                                                                         \
		b = ROTL(_mm_xor_si128(b, c), 12);                                                               \
		a = _mm_add_epi32(a, b);                                                                         \
		d = ROTL(_mm_xor_si128(d, a), 8);                                                                \
		c = _mm_add_epi32(c, d);                                                                         \
		b = ROTL(_mm_xor_si128(b, c), 7);                                                                \
	} while (0)

struct chacha {
	__m128i k0, k1;	/* the key's two halves: rows 1 and 2 */
	__m128i nonce;	/* row 3 with a zero counter */
};

/* One block of keystream for `counter`, as four rows of 16 bytes. */
SSE2 static inline void
chacha_block(const struct chacha *st, uint32_t counter, __m128i out[4])
{
	const __m128i sigma = _mm_set_epi32(0x6b206574, 0x79622d32, 0x3320646e, 0x61707865);
	__m128i d0 = _mm_add_epi32(st->nonce, _mm_cvtsi32_si128((int)counter));
	__m128i a = sigma, b = st->k0, c = st->k1, d = d0;

#pragma GCC unroll 10
	for (int i = 0; i < 10; i++) {
		QUARTERS(a, b, c, d);
		/* lane i of row b, c, d takes word i+1, i+2, i+3: the diagonals line up */
		b = _mm_shuffle_epi32(b, 0x39);
		c = _mm_shuffle_epi32(c, 0x4e);
		d = _mm_shuffle_epi32(d, 0x93);
		QUARTERS(a, b, c, d);
		b = _mm_shuffle_epi32(b, 0x93);
		c = _mm_shuffle_epi32(c, 0x4e);
		d = _mm_shuffle_epi32(d, 0x39);
	}
	out[0] = _mm_add_epi32(a, sigma);
	out[1] = _mm_add_epi32(b, st->k0);
	out[2] = _mm_add_epi32(c, st->k1);
	out[3] = _mm_add_epi32(d, d0);
}

/* Writes at out len bytes at in XORed with the keystream from block 1 on (in may be out). */
SSE2 static void
chacha_xor(const struct chacha *st, const uint8_t *in, uint8_t *out, size_t len)
{
	__m128i ks[4];

	for (uint32_t counter = 1; len > 0; counter++) {
		chacha_block(st, counter, ks);
		if (len >= 64) { /* a whole block: no test a row (a bulk fragment's 21 of 22) */
#pragma GCC unroll 4
			for (int i = 0; i < 4; i++)
				_mm_storeu_si128((__m128i *)out + i,
						 _mm_xor_si128(_mm_loadu_si128((const __m128i *)in + i), ks[i]));
			in += 64;
			out += 64;
			len -= 64;
			continue;
		}
		int i = 0;
		for (; i < 4 && len >= 16; i++, in += 16, out += 16, len -= 16)
			_mm_storeu_si128((__m128i *)out, _mm_xor_si128(_mm_loadu_si128((const __m128i *)in), ks[i]));
		if (i < 4 && len > 0) { /* the last, partial part: 8, 4, then single bytes */
			__m128i k = ks[i];
			if (len >= 8) {
				_mm_storel_epi64((__m128i *)out, _mm_xor_si128(_mm_loadl_epi64((const __m128i *)in), k));
				k = _mm_srli_si128(k, 8);
				in += 8;
				out += 8;
				len -= 8;
			}
			uint32_t w = (uint32_t)_mm_cvtsi128_si32(k), hi = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(k, 4));
			if (len >= 4) {
				uint32_t x;
				__builtin_memcpy(&x, in, 4);
				x ^= w;
				__builtin_memcpy(out, &x, 4);
				w = hi;
				in += 4;
				out += 4;
				len -= 4;
			}
			for (; len > 0; len--, w >>= 8)
				*out++ = *in++ ^ (uint8_t)w;
		}
	}
}

/* --- Poly1305 --------------------------------------------------------------- */

/*
 * A 130-bit number in five 26-bit limbs, limb k in register k; lane 0 (the
 * low dword of the low quadword) holds one number, lane 1 another.
 */
typedef __m128i limbs[5];

#define MASK26 0x3ffffff

/*
 * The __builtin_ copies are inlined as loads and stores: -ffreestanding (the
 * guest) would call newlib's memcpy for each four bytes.
 */
static inline uint32_t
le32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4); /* x86: little-endian, unaligned loads allowed */
	return v;
}

/*
 * The products' sums d carried into h: every limb below 2^26 but limb 1,
 * just above; the part at 2^130 and above folded down (2^130 = 5 mod p).
 * Each sum must be below 2^60.
 */
SSE2 static inline void
poly_carry(limbs h, __m128i d[5])
{
	const __m128i m26 = _mm_set_epi32(0, MASK26, 0, MASK26);
	__m128i c;

#pragma GCC unroll 4
	for (int j = 0; j < 4; j++) {
		c = _mm_srli_epi64(d[j], 26);
		d[j] = _mm_and_si128(d[j], m26);
		d[j + 1] = _mm_add_epi64(d[j + 1], c);
	}
	c = _mm_srli_epi64(d[4], 26);
	h[4] = _mm_and_si128(d[4], m26);
	d[0] = _mm_add_epi64(d[0], _mm_add_epi64(c, _mm_slli_epi64(c, 2)));
	c = _mm_srli_epi64(d[0], 26);
	h[0] = _mm_and_si128(d[0], m26);
	h[1] = _mm_add_epi64(d[1], c);
	h[2] = d[2];
	h[3] = d[3];
}

/*
 * h = h * r mod 2^130 - 5, up to a partial carry (poly_carry). s holds 5 r
 * (limbs 1 to 4): a product's part at 2^130 and above is folded down.
 */
SSE2 static inline void
poly_mul(limbs h, const limbs r, const limbs s)
{
	__m128i d[5], x, t;

	/*
	 * Row by row: h[i] times every limb of r (or 5 r), added into the five
	 * sums. Five sums, h[i] and a product are seven registers of eight; the
	 * empty asm keeps each row after the last, so that the compiler does
	 * not compute all 25 products first and spill them (i386 has 8 XMM
	 * registers).
	 */
	x = h[0];
#pragma GCC unroll 5
	for (int j = 0; j < 5; j++)
		d[j] = _mm_mul_epu32(x, r[j]);
#pragma GCC unroll 4
	for (int i = 1; i < 5; i++) {
		x = h[i];
		__asm__("" : "+x"(x) : "x"(d[0]), "x"(d[1]), "x"(d[2]), "x"(d[3]), "x"(d[4]));
#pragma GCC unroll 5
		for (int j = 0; j < 5; j++) {
			t = _mm_mul_epu32(x, i <= j ? r[j - i] : s[j - i + 5]);
			d[j] = _mm_add_epi64(d[j], t);
		}
	}
	/* limbs below 2^28 times 5 r below 2^29: each sum below 2^60 */
	poly_carry(h, d);
}

/*
 * h = h * r + x * q, one carry for both products (s and t: 5 r and 5 q): two
 * of a lane's Horner steps, h r^4 + x r^2, where poly_mul twice carried twice.
 */
SSE2 static inline void
poly_mul2(limbs h, const limbs r, const limbs s, const limbs x, const limbs q, const limbs t)
{
	__m128i d[5], v, p;

	/* row by row, as poly_mul: h's five rows by r, then x's by q */
	v = h[0];
#pragma GCC unroll 5
	for (int j = 0; j < 5; j++)
		d[j] = _mm_mul_epu32(v, r[j]);
#pragma GCC unroll 9
	for (int i = 1; i < 10; i++) {
		int k = i % 5;
		const __m128i *a = i < 5 ? r : q, *b = i < 5 ? s : t;
		v = i < 5 ? h[k] : x[k];
		__asm__("" : "+x"(v) : "x"(d[0]), "x"(d[1]), "x"(d[2]), "x"(d[3]), "x"(d[4]));
#pragma GCC unroll 5
		for (int j = 0; j < 5; j++) {
			p = _mm_mul_epu32(v, k <= j ? a[j - k] : b[j - k + 5]);
			d[j] = _mm_add_epi64(d[j], p);
		}
	}
	/* h's limbs below 2^28, x's below 2^26, 5 r and 5 q below 2^29: each sum of ten below 2^60 */
	poly_carry(h, d);
}

/* Two 16-byte blocks as limbs, lane 0 from a, lane 1 from b, each with its 2^128. */
SSE2 static inline void
poly_load(limbs m, const uint8_t *a, const uint8_t *b)
{
	const __m128i m26 = _mm_set_epi32(0, MASK26, 0, MASK26);
	__m128i x = _mm_loadu_si128((const __m128i *)a), y = _mm_loadu_si128((const __m128i *)b);
	__m128i lo = _mm_unpacklo_epi64(x, y), hi = _mm_unpackhi_epi64(x, y); /* bits 0-63, 64-127 */

	m[0] = _mm_and_si128(lo, m26);
	m[1] = _mm_and_si128(_mm_srli_epi64(lo, 26), m26);
	m[2] = _mm_and_si128(_mm_or_si128(_mm_srli_epi64(lo, 52), _mm_slli_epi64(hi, 12)), m26);
	m[3] = _mm_and_si128(_mm_srli_epi64(hi, 14), m26);
	m[4] = _mm_or_si128(_mm_srli_epi64(hi, 40), _mm_set_epi32(0, 1 << 24, 0, 1 << 24));
}

/*
 * The MAC's state: the two lanes' sums, (r^2, r^2), and a block waiting for
 * its pair. The first pair is taken as it is; each later one is added to the
 * sums times r^2 (Horner's rule in each lane).
 */
struct mac {
	limbs h, r2, s2;
	const uint8_t *pending;
	bool started, zero_first;
};

static const uint8_t zero_block[16];

SSE2 static inline void
mac_block(struct mac *m, const uint8_t *p)
{
	limbs x;

	if (!m->pending) {
		m->pending = p;
		return;
	}
	poly_load(x, m->pending, p);
	if (!m->started && m->zero_first) /* the zero block is zero: without the 2^128 a block gets */
		x[4] = _mm_sub_epi64(x[4], _mm_cvtsi32_si128(1 << 24));
	m->pending = NULL;
	if (m->started) {
		poly_mul(m->h, m->r2, m->s2);
#pragma GCC unroll 5
		for (int k = 0; k < 5; k++)
			m->h[k] = _mm_add_epi64(m->h[k], x[k]);
	} else {
#pragma GCC unroll 5
		for (int k = 0; k < 5; k++)
			m->h[k] = x[k];
	}
	m->started = true;
}

/*
 * The last len (1 to 15) bytes at p, zero-padded to a block in tmp: 8, 4, 2
 * and 1 bytes at a time, where a copy of len bytes is a byte loop (rep movsb).
 */
SSE2 static inline const uint8_t *
tail_block(const uint8_t *p, size_t len, uint8_t tmp[16])
{
	uint8_t *t = tmp;

	_mm_storeu_si128((__m128i *)tmp, _mm_setzero_si128());
	if (len & 8) {
		__builtin_memcpy(t, p, 8);
		t += 8;
		p += 8;
	}
	if (len & 4) {
		__builtin_memcpy(t, p, 4);
		t += 4;
		p += 4;
	}
	if (len & 2) {
		__builtin_memcpy(t, p, 2);
		t += 2;
		p += 2;
	}
	if (len & 1)
		*t = *p;
	return tmp;
}

/* Below this many bytes r^4's multiplication costs more than the carries it saves. */
#define QUADS_MIN 512

/* One part of the MAC's input, zero-padded to 16 bytes in tmp (kept until the MAC is done). */
SSE2 static void
mac_part(struct mac *m, const uint8_t *p, size_t len, uint8_t tmp[16])
{
	/*
	 * Whole pairs straight from the input once the sums have started and no
	 * block waits: a bulk fragment's 86 blocks, without mac_block's pairing
	 * and its tests a block. The sums stay in locals for the loop.
	 */
	for (; len >= 16 && (!m->started || m->pending); p += 16, len -= 16)
		mac_block(m, p);
	if (len >= 64) { /* (one pair goes as well through mac_block as through the copies) */
		limbs h, x;
#pragma GCC unroll 5
		for (int k = 0; k < 5; k++)
			h[k] = m->h[k];
		if (len >= QUADS_MIN) { /* two pairs a step: r^4 once, then one carry per four blocks */
			limbs r4, s4, y;
#pragma GCC unroll 5
			for (int k = 0; k < 5; k++)
				r4[k] = m->r2[k];
			poly_mul(r4, m->r2, m->s2);
#pragma GCC unroll 5
			for (int k = 0; k < 5; k++)
				s4[k] = _mm_add_epi32(r4[k], _mm_slli_epi32(r4[k], 2));
			for (; len >= 64; p += 64, len -= 64) {
				poly_load(x, p, p + 16);
				poly_load(y, p + 32, p + 48);
				poly_mul2(h, r4, s4, x, m->r2, m->s2);
#pragma GCC unroll 5
				for (int k = 0; k < 5; k++)
					h[k] = _mm_add_epi64(h[k], y[k]);
			}
		}
		for (; len >= 32; p += 32, len -= 32) {
			poly_load(x, p, p + 16);
			poly_mul(h, m->r2, m->s2);
#pragma GCC unroll 5
			for (int k = 0; k < 5; k++)
				h[k] = _mm_add_epi64(h[k], x[k]);
		}
#pragma GCC unroll 5
		for (int k = 0; k < 5; k++)
			m->h[k] = h[k];
	}
	for (; len >= 16; p += 16, len -= 16)
		mac_block(m, p);
	if (len > 0)
		mac_block(m, tail_block(p, len, tmp));
}

/* A MAC of at most this many blocks (a null RPC's: 6) goes through poly_short. */
#define SHORT_BLOCKS 16

/*
 * The lanes' sums of a short MAC's blocks (header, payload, the lengths'
 * block; a zero block first for an odd count), for poly1305's last
 * multiplication: the blocks are listed first, straight from the input but
 * for the tails, then taken a pair at a time with the sums in locals, where
 * mac_part pairs them one by one through the MAC's state (a null RPC's
 * seal or open about 60 instructions less).
 */
SSE2 static void
poly_short(limbs h, const limbs r2, const limbs s2, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
	   size_t len, const uint8_t *foot, uint8_t ta[16], uint8_t tb[16])
{
	const uint8_t *blk[SHORT_BLOCKS + 1];
	limbs x, hh;
	int n = 0;

	for (; aad_len >= 16; aad += 16, aad_len -= 16)
		blk[n++] = aad;
	if (aad_len)
		blk[n++] = tail_block(aad, aad_len, ta);
	for (; len >= 16; ct += 16, len -= 16)
		blk[n++] = ct;
	if (len)
		blk[n++] = tail_block(ct, len, tb);
	blk[n++] = foot;
	/* an odd count: a zero block first, without the 2^128 every block gets (it is zero) */
	int k = n & 1;
	poly_load(hh, k ? zero_block : blk[0], blk[1 - k]);
	if (k)
		hh[4] = _mm_sub_epi64(hh[4], _mm_cvtsi32_si128(1 << 24));
	for (k = 2 - k; k < n; k += 2) {
		poly_mul(hh, r2, s2);
		poly_load(x, blk[k], blk[k + 1]);
#pragma GCC unroll 5
		for (int i = 0; i < 5; i++)
			hh[i] = _mm_add_epi64(hh[i], x[i]);
	}
#pragma GCC unroll 5
	for (int i = 0; i < 5; i++)
		h[i] = hh[i];
}

SSE2 static void
poly1305(const uint8_t pkey[32], const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t len,
	 uint8_t tag[16])
{
	uint8_t ta[16], tb[16];
	uint64_t foot[2] = {aad_len, len}; /* little-endian, as the specification's lengths */
	limbs r, s, r21, s21;
	struct mac m;

	/* r, clamped (section 2.5), in limbs; (r, r) squared gives (r^2, r^2) */
	uint32_t t0 = le32(pkey) & 0x0fffffff, t1 = le32(pkey + 4) & 0x0ffffffc;
	uint32_t t2 = le32(pkey + 8) & 0x0ffffffc, t3 = le32(pkey + 12) & 0x0ffffffc;
	uint32_t rl[5] = {t0 & MASK26, (t0 >> 26 | t1 << 6) & MASK26, (t1 >> 20 | t2 << 12) & MASK26,
			  (t2 >> 14 | t3 << 18) & MASK26, t3 >> 8};
#pragma GCC unroll 5
	for (int k = 0; k < 5; k++) {
		r[k] = _mm_set_epi32(0, (int)rl[k], 0, (int)rl[k]);
		s[k] = _mm_set_epi32(0, (int)(5 * rl[k]), 0, (int)(5 * rl[k]));
		m.r2[k] = r[k];
	}
	poly_mul(m.r2, r, s);
#pragma GCC unroll 5
	for (int k = 0; k < 5; k++) {
		m.s2[k] = _mm_add_epi32(m.r2[k], _mm_slli_epi32(m.r2[k], 2));
		r21[k] = _mm_unpacklo_epi64(m.r2[k], r[k]); /* r^2 in lane 0, r in lane 1 */
		s21[k] = _mm_unpacklo_epi64(m.s2[k], s[k]);
	}

	/* Lane 0 takes the odd blocks, lane 1 the even; an odd count starts with a zero block */
	size_t n = (aad_len + 15) / 16 + (len + 15) / 16 + 1;
	if (n <= SHORT_BLOCKS) {
		poly_short(m.h, m.r2, m.s2, aad, aad_len, ct, len, (const uint8_t *)foot, ta, tb);
	} else {
		m.zero_first = n & 1;
		m.pending = m.zero_first ? zero_block : NULL;
		m.started = false;
		mac_part(&m, aad, aad_len, ta);
		mac_part(&m, ct, len, tb);
		mac_part(&m, (const uint8_t *)foot, 16, NULL);
	}
	poly_mul(m.h, r21, s21);

	/* The lanes' sum, carried fully (twice round: every limb below 2^26), then below p */
	uint32_t hl[5], g[5], c;
#pragma GCC unroll 5
	for (int k = 0; k < 5; k++)
		hl[k] = (uint32_t)_mm_cvtsi128_si32(_mm_add_epi64(m.h[k], _mm_srli_si128(m.h[k], 8)));
#pragma GCC unroll 2
	for (int pass = 0; pass < 2; pass++) {
		c = 0;
#pragma GCC unroll 5
		for (int k = 0; k < 5; k++) {
			hl[k] += c;
			c = hl[k] >> 26;
			hl[k] &= MASK26;
		}
		hl[0] += 5 * c;
	}
	c = 5; /* g = h + 5 - 2^130, taken when not negative: h >= p */
#pragma GCC unroll 5
	for (int k = 0; k < 5; k++) {
		g[k] = hl[k] + c;
		c = g[k] >> 26;
		g[k] &= MASK26;
	}
	uint32_t take = 0u - c;
#pragma GCC unroll 5
	for (int k = 0; k < 5; k++)
		hl[k] = (hl[k] & ~take) | (g[k] & take);

	/* 128 bits of it plus s, mod 2^128 */
	uint32_t w[4] = {hl[0] | hl[1] << 26, hl[1] >> 6 | hl[2] << 20, hl[2] >> 12 | hl[3] << 14,
			 hl[3] >> 18 | hl[4] << 8};
	uint64_t acc = 0;
#pragma GCC unroll 4
	for (int k = 0; k < 4; k++) {
		acc += (uint64_t)w[k] + le32(pkey + 16 + 4 * k);
		uint32_t out = (uint32_t)acc;
		__builtin_memcpy(tag + 4 * k, &out, 4);
		acc >>= 32;
	}
}

/* --- The construction (section 2.8) ----------------------------------------- */

/* in to out (in may be out); the tag is over the ciphertext: out's when encrypting, in's when not. */
SSE2 static inline void
run(const void *key, const void *iv, const uint8_t *in, uint8_t *out, size_t len, const void *aad,
    size_t aad_len, void *tag, int encrypt)
{
	const uint8_t *n = iv;
	struct chacha st = {
		_mm_loadu_si128((const __m128i *)key),
		_mm_loadu_si128((const __m128i *)((const uint8_t *)key + 16)),
		_mm_set_epi32((int)le32(n + 8), (int)le32(n + 4), (int)le32(n), 0),
	};
	__m128i ks[4];
	uint8_t pkey[32];

	chacha_block(&st, 0, ks); /* the one-time key: the first 32 bytes of block 0 */
	_mm_storeu_si128((__m128i *)pkey, ks[0]);
	_mm_storeu_si128((__m128i *)(pkey + 16), ks[1]);
	if (encrypt)
		chacha_xor(&st, in, out, len);
	poly1305(pkey, aad, aad_len, encrypt ? out : in, len, tag);
	if (!encrypt)
		chacha_xor(&st, in, out, len);
}

/* force_align_arg_pointer: a Manifold thread's stack is not known to be 16-byte aligned. */
SSE2 __attribute__((force_align_arg_pointer)) void
aead_sse2_run(const void *key, const void *iv, void *data, size_t len, const void *aad, size_t aad_len,
	      void *tag, br_chacha20_run unused, int encrypt)
{
	(void)unused;
	run(key, iv, data, data, len, aad, aad_len, tag, encrypt);
}

SSE2 __attribute__((force_align_arg_pointer)) void
aead_sse2_open(const void *key, const void *iv, const void *ct, void *out, size_t len, const void *aad,
	       size_t aad_len, void *tag)
{
	run(key, iv, ct, out, len, aad, aad_len, tag, 0);
}
