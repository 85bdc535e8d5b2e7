/*
 * LWIP_CHKSUM: the Internet checksum (RFC 1071) of a buffer, as lwIP wants
 * it: the ones' complement sum of its 16-bit words in host order, folded to
 * 16 bits and not inverted. lwIP's own (its algorithm 2) adds two bytes a
 * turn, 4 to 5 instructions (about 2.2 a byte); TCP sums every byte once
 * on the sender and once on the receiver, so that was about 2,200 of the
 * 10,000 to 12,000 instructions per 1,000 bytes tcp_bulk_remote counted on
 * each side.
 * This one adds 32-bit words into a 64-bit sum, eight a turn: the carries
 * pile up in the upper half and are folded in at the end (RFC 1071's
 * "deferred carries"), about 1.1 instructions a byte on i386 (35 a turn of
 * 32 bytes in gns.elf).
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

uint16_t
gns_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t sum = 0;

	for (; len >= 32; p += 32, len -= 32)
		sum += (uint64_t)word(p) + word(p + 4) + word(p + 8) + word(p + 12) + word(p + 16) + word(p + 20) +
		       word(p + 24) + word(p + 28);
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
