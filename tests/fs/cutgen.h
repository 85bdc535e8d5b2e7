/*
 * The power-cut campaign's file contents (tests/fs/powercut.py computes the
 * same): file k of round r, seed s, is cut_len(...) bytes of an xorshift
 * stream seeded from (s, r, k). One definition for the guest and the host's
 * check, so that "intact" means byte for byte.
 */
#ifndef TESTS_FS_CUTGEN_H
#define TESTS_FS_CUTGEN_H

#include <stdint.h>

#define CUT_FILES_PER_ROUND 3
#define CUT_MAX_LEN 40000u

static inline uint32_t
cut_state(uint32_t seed, uint32_t round, uint32_t k)
{
	uint32_t x = seed * 2654435761u ^ round * 40503u ^ (k + 1) * 97u;

	return x ? x : 1;
}

static inline uint32_t
cut_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static inline uint32_t
cut_len(uint32_t seed, uint32_t round, uint32_t k)
{
	uint32_t x = cut_state(seed, round, k);

	return cut_next(&x) % CUT_MAX_LEN + 1;
}

/* The file's bytes into buf (cut_len of them). */
static inline void
cut_fill(uint32_t seed, uint32_t round, uint32_t k, uint8_t *buf)
{
	uint32_t x = cut_state(seed, round, k), n;

	cut_next(&x);	/* the length's */
	n = cut_len(seed, round, k);
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(cut_next(&x) >> 24);
}

#endif
