/*
 * LWIP_CHKSUM: the Internet checksum (RFC 1071) of a buffer, as lwIP wants
 * it: the ones' complement sum of its 16-bit words in host order, folded to
 * 16 bits and not inverted. lwIP's own (its algorithm 2) adds two bytes a
 * turn, 4 to 5 instructions (about 2.2 a byte); TCP sums every byte once
 * on the sender and once on the receiver, so that was about 2,200 of the
 * 10,000 to 12,000 instructions per 1,000 bytes tcp_bulk_remote counted on
 * each side.
 * This one adds 32-bit words, eight a turn: in C into a 64-bit sum, whose
 * carries pile up in the upper half and are folded in at the end (RFC 1071's
 * "deferred carries"), about 1.1 instructions a byte on i386 (35 a turn of
 * 32 bytes); in the guest as one add-with-carry chain, about 0.34 (below),
 * which took tcp_bulk_remote's gns from 6,167 to 5,204 instructions per
 * 1,000 bytes on the sender and from 5,062 to 4,168 on the receiver.
 *
 * Little-endian only (i386 and the host tests' x86-64): a word's low half
 * is then the 16-bit word that comes first in memory, so the sum of 32-bit
 * words folded is the sum of 16-bit words. Loads go through __builtin_memcpy
 * (gns is built -ffreestanding, where memcpy is a call), plain unaligned loads.
 */
#include <stdint.h>
#include "lwip/opt.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "gns_chksum sums 32-bit words as little-endian pairs of 16-bit words"
#endif

static inline uint32_t
word(const uint8_t *p)
{
	uint32_t w;

	__builtin_memcpy(&w, p, sizeof w);
	return w;
}

#if defined(__i386__)
/*
 * In the guest, the 32-byte turns as one chain of add-with-carry: each carry
 * out of bit 31 goes into the next add (2^32 is 1 in the ones' complement
 * sum, so that is RFC 1071's end-around carry), and lea and dec leave the
 * carry flag alone, so it runs on across turns; the last one is kept in the
 * upper half. 11 instructions a turn of 32 bytes, about 0.34 a byte (the C
 * loop below: 35). The host tests run the C loop; the i386 one is checked
 * against it by the guest suites' traffic (every TCP segment both ways).
 */
static uint64_t
sum_turns(const uint8_t *p, uint32_t turns)
{
	uint32_t lo = 0, hi = 0;

	__asm__("clc\n"
		"1:\tadcl 0(%[p]), %[lo]\n\t"
		"adcl 4(%[p]), %[lo]\n\t"
		"adcl 8(%[p]), %[lo]\n\t"
		"adcl 12(%[p]), %[lo]\n\t"
		"adcl 16(%[p]), %[lo]\n\t"
		"adcl 20(%[p]), %[lo]\n\t"
		"adcl 24(%[p]), %[lo]\n\t"
		"adcl 28(%[p]), %[lo]\n\t"
		"leal 32(%[p]), %[p]\n\t"
		"decl %[n]\n\t"
		"jnz 1b\n\t"
		"adcl $0, %[hi]"
		: [lo] "+r"(lo), [hi] "+r"(hi), [p] "+r"(p), [n] "+r"(turns)
		:
		: "cc", "memory");
	return (uint64_t)hi << 32 | lo;
}
#else
static uint64_t
sum_turns(const uint8_t *p, uint32_t turns)
{
	uint64_t sum = 0;

	for (; turns > 0; p += 32, turns--)
		sum += (uint64_t)word(p) + word(p + 4) + word(p + 8) + word(p + 12) + word(p + 16) + word(p + 20) +
		       word(p + 24) + word(p + 28);
	return sum;
}
#endif

uint16_t
gns_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t sum = 0;

	if (len >= 32) {
		sum = sum_turns(p, (uint32_t)len / 32);
		p += len & ~31;
		len &= 31;
	}
	for (; len >= 4; p += 4, len -= 4)
		sum += word(p);
	if (len >= 2) {
		uint16_t h;
		__builtin_memcpy(&h, p, sizeof h);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len > 0)
		sum += *p;	/* the last odd byte is the first (low, in host order) half of a word */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}
