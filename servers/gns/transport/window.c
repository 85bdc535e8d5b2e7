/*
 * The sliding bitmap of window.h. Shifts are by whole numbers of bits over
 * a few words; a shift of the full size or more clears the map.
 */
#include "window.h"

#include <string.h>

void
window_init(struct window *w, uint64_t first)
{
	w->base = first;
	memset(w->bits, 0, sizeof w->bits);
}

bool
window_seen(const struct window *w, uint64_t n)
{
	if (n < w->base)
		return true;
	if (n - w->base >= WINDOW_SIZE)
		return false;
	uint64_t i = n - w->base;
	return (w->bits[i / 64] >> (i % 64)) & 1;
}

void
window_mark(struct window *w, uint64_t n)
{
	uint64_t i = n - w->base;

	w->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Drops the first `by` bits of the map, moving base up by as much. */
static void
shift(struct window *w, uint64_t by)
{
	w->base += by;
	if (by >= WINDOW_SIZE) {
		memset(w->bits, 0, sizeof w->bits);
		return;
	}
	unsigned words = by / 64, bits = by % 64;
	for (unsigned i = 0; i < WINDOW_WORDS; i++) {
		uint64_t lo = i + words < WINDOW_WORDS ? w->bits[i + words] : 0;
		uint64_t hi = i + words + 1 < WINDOW_WORDS ? w->bits[i + words + 1] : 0;
		w->bits[i] = bits ? lo >> bits | hi << (64 - bits) : lo;
	}
}

void
window_slide(struct window *w, uint64_t n)
{
	if (n >= w->base && n - w->base >= WINDOW_SIZE)
		shift(w, n - w->base - WINDOW_SIZE + 1);
}

void
window_advance(struct window *w)
{
	uint64_t run = 0;

	while (run < WINDOW_SIZE && ((w->bits[run / 64] >> (run % 64)) & 1))
		run++;
	if (run)
		shift(w, run);
}

uint64_t
window_sack(const struct window *w)
{
	/* Bits 1..64 of the map: base itself is never seen after window_advance. */
	return w->bits[0] >> 1 | w->bits[1] << 63;
}
