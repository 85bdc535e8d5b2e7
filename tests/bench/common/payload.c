/*
 * The payload of the data-carrying rows (see payload.h). Out of line and not
 * inlined, so that both programs run the same instructions for the same work:
 * each is compiled with its own system's flags, and the loops below come out
 * the same for both (check with objdump when changing them); only the calls
 * differ, by a few instructions (Manifold keeps a frame pointer).
 */
#include "payload.h"

__attribute__((noinline)) void
payload_fill(uint32_t *p, size_t words)
{
	for (size_t i = 0; i < words; i++)
		p[i] = (uint32_t)i * 0x9E3779B9u + 0x1234567u;
}

/* Eight words a turn: about 1.4 instructions a word rather than 4, so that
 * the loop does not hide what getting the data there cost. */
__attribute__((noinline)) uint32_t
payload_sum(const uint32_t *p, size_t words)
{
	const uint32_t *end8 = p + (words & ~(size_t)7), *end = p + words;
	uint32_t s = 0;

	for (; p < end8; p += 8)
		s += p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7];
	for (; p < end; p++)
		s += *p;
	return s;
}

__attribute__((noinline)) void
payload_write_pages(uint32_t *p, size_t bytes, uint32_t v)
{
	for (size_t off = 0; off < bytes; off += PAYLOAD_PAGE)
		*(volatile uint32_t *)((char *)p + off) = v;
}
