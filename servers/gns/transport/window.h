/*
 * A sliding window of sequence numbers seen: every number below `base` counts
 * as seen, and a bitmap remembers the WINDOW_SIZE numbers from base on.
 * Used twice per session and direction: packet numbers against replay
 * (window_slide: a number ahead moves the window), and data sequence numbers
 * for acknowledgement (window_advance: base moves over what is contiguous).
 */
#ifndef XPORT_WINDOW_H
#define XPORT_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define WINDOW_SIZE  256
#define WINDOW_WORDS (WINDOW_SIZE / 32)	/* 32-bit words: i386 shifts a 64-bit one in several steps */

struct window {
	uint64_t base;               /* every number < base is seen */
	uint32_t bits[WINDOW_WORDS]; /* a ring: number n's bit is bit n % WINDOW_SIZE */
};

void window_init(struct window *w, uint64_t first);
/* n seen? Numbers below base are; numbers past the bitmap are not. */
bool window_seen(const struct window *w, uint64_t n);
/* Records n, which must lie in [base, base + WINDOW_SIZE). */
void window_mark(struct window *w, uint64_t n);
/* Moves base up until n fits in the bitmap (what falls out counts as seen). */
void window_slide(struct window *w, uint64_t n);
/* Moves base over the run of seen numbers at its start. */
void window_advance(struct window *w);
/* Bit i set when base + 1 + i is seen, i < 64 (the header's selective acknowledgement). */
uint64_t window_sack(const struct window *w);

#endif
