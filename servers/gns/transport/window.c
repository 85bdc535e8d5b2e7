/*
 * The sliding bitmap of window.h, kept as a ring: number n's bit is at
 * n % WINDOW_SIZE, so moving base clears the bits of the numbers that fall
 * out (they become the ones entering at the far end) and moves nothing.
 * Before, every move shifted the whole map, four 64-bit words on i386, and
 * each datagram moved both windows by one: some 300 instructions a datagram.
 * The words are 32 bits: i386 shifts and masks a 64-bit one in several
 * instructions and branches.
 */
#include "window.h"

#include <string.h>

#define POS_MASK (WINDOW_SIZE - 1)	/* WINDOW_SIZE is a power of two */

static bool
bit(const struct window *w, uint32_t pos)
{
	return (w->bits[pos / 32] >> (pos % 32)) & 1;
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

	w->bits[pos / 32] |= 1u << (pos % 32);
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
		uint32_t off = pos % 32, n = 32 - off < left ? 32 - off : left;
		uint32_t span = n == 32 ? ~0u : ((1u << n) - 1) << off;
		w->bits[pos / 32] &= ~span;
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
		uint32_t off = pos % 32;
		uint32_t clear = ~w->bits[pos / 32] >> off;
		if (clear) {
			run += (uint32_t)__builtin_ctz(clear);
			break;
		}
		run += 32 - off;
		pos = (pos + 32 - off) & POS_MASK;
	}
	if (run > WINDOW_SIZE)
		run = WINDOW_SIZE;
	if (run)
		shift(w, run);
}

/* 32 bits of the ring from pos on (any pos: they may wrap round). */
static uint32_t
bits32(const struct window *w, uint32_t pos)
{
	uint32_t off = pos % 32, v = w->bits[pos / 32] >> off;

	if (off)
		v |= w->bits[(pos / 32 + 1) % WINDOW_WORDS] << (32 - off);
	return v;
}

uint64_t
window_sack(const struct window *w)
{
	/* Bits 1..64 of the map from base: base itself is never seen after window_advance. */
	uint32_t pos = ((uint32_t)w->base + 1) & POS_MASK;

	return (uint64_t)bits32(w, (pos + 32) & POS_MASK) << 32 | bits32(w, pos);
}
