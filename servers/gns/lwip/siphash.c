/*
 * SipHash-2-4, written from the paper's description: four 64-bit words of
 * state started from the key and four constants, two mixing rounds per
 * 8-byte little-endian message word, the length in the last word's top byte,
 * four rounds to finish. tests/unit/net checks it against the paper's vector.
 */
#include "siphash.h"

struct sip {
	uint64_t v0, v1, v2, v3;
};

static uint64_t
rotl(uint64_t x, int n)
{
	return (x << n) | (x >> (64 - n));
}

static void
round_(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13) ^ s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16) ^ s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21) ^ s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17) ^ s->v2;
	s->v2 = rotl(s->v2, 32);
}

/* Little-endian, whatever the machine, so that a key gives the same values everywhere. */
static uint64_t
load_le(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

static void
absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	round_(s);
	round_(s);
	s->v0 ^= m;
}

uint64_t
siphash(const uint8_t key[SIPHASH_KEY_SIZE], const void *msg, size_t len)
{
	const uint8_t *p = msg;
	uint64_t k0 = load_le(key, 8), k1 = load_le(key + 8, 8);
	struct sip s = {
		k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
		k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull,
	};
	size_t left = len;

	for (; left >= 8; p += 8, left -= 8)
		absorb(&s, load_le(p, 8));
	absorb(&s, load_le(p, left) | (uint64_t)(len & 0xff) << 56);
	s.v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		round_(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
