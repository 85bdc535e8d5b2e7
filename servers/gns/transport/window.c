/*
 * The sliding bitmap of window.h, kept as a ring: number n's bit is at
 * n % WINDOW_SIZE, so moving base clears the bits of the numbers that fall
 * out (they become the ones entering at the far end) and moves nothing.
 * Before, every move shifted the whole map, four 64-bit words on i386, and
 * each datagram moved both windows by one: some 300 instructions a datagram.
 */
#include "window.h"

#include <string.h>

#define POS_MASK (WINDOW_SIZE - 1)	/* WINDOW_SIZE is a power of two */

static bool
bit(const struct window *w, uint32_t pos)
{
	return (w->bits[pos / 64] >> (pos % 64)) & 1;
}

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
	return bit(w, (uint32_t)n & POS_MASK);
}

void
window_mark(struct window *w, uint64_t n)
{
	uint32_t pos = (uint32_t)n & POS_MASK;

	w->bits[pos / 64] |= (uint64_t)1 << (pos % 64);
}

/* Moves base up by `by`: the numbers passed are forgotten, their places free for new ones. */
static void
shift(struct window *w, uint64_t by)
{
	if (by >= WINDOW_SIZE) {
		memset(w->bits, 0, sizeof w->bits);
		w->base += by;
		return;
	}
	uint32_t pos = (uint32_t)w->base & POS_MASK, left = (uint32_t)by;

	w->base += by;
	while (left) {
		uint32_t off = pos % 64, n = 64 - off < left ? 64 - off : left;
		uint64_t span = n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1) << off;
		w->bits[pos / 64] &= ~span;
		left -= n;
		pos = (pos + n) & POS_MASK;
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
	uint32_t pos = (uint32_t)w->base & POS_MASK, run = 0;

	/* whole runs of set bits a word at a time: the first clear bit ends it */
	while (run < WINDOW_SIZE) {
		uint32_t off = pos % 64;
		uint64_t clear = ~w->bits[pos / 64] >> off;
		if (clear) {
			run += (uint32_t)__builtin_ctzll(clear);
			break;
		}
		run += 64 - off;
		pos = (pos + 64 - off) & POS_MASK;
	}
	if (run > WINDOW_SIZE)
		run = WINDOW_SIZE;
	if (run)
		shift(w, run);
}

uint64_t
window_sack(const struct window *w)
{
	/* Bits 1..64 of the map from base: base itself is never seen after window_advance. */
	uint32_t pos = ((uint32_t)w->base + 1) & POS_MASK, off = pos % 64;
	uint64_t lo = w->bits[pos / 64] >> off;

	if (off)
		lo |= w->bits[(pos / 64 + 1) % WINDOW_WORDS] << (64 - off);
	return lo;
}
