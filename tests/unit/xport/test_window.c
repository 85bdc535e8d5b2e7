/* The sliding windows: replay (slide) and acknowledgement (advance), and the SACK bits. */
#include "unit.h"
#include "window.h"

UNIT_TEST(window_slide_forgets_what_falls_behind_as_seen)
{
	struct window w;

	window_init(&w, 1);
	EXPECT(!window_seen(&w, 1));
	window_mark(&w, 1);
	EXPECT(window_seen(&w, 1));
	EXPECT(!window_seen(&w, 2));
	window_slide(&w, 1000);
	window_mark(&w, 1000);
	EXPECT_EQ(w.base, 1000 - WINDOW_SIZE + 1);
	EXPECT(window_seen(&w, 1000));
	EXPECT(window_seen(&w, 5));   /* below the window: too old, counted as seen */
	EXPECT(!window_seen(&w, 999));
	window_mark(&w, 999);
	window_slide(&w, 1070); /* a partial shift keeps the bits that stay */
	EXPECT(window_seen(&w, 999));
	EXPECT(window_seen(&w, 1000));
	EXPECT(!window_seen(&w, 1001));
	EXPECT(!window_seen(&w, 1070));
}

UNIT_TEST(window_advance_moves_over_contiguous_numbers_only)
{
	struct window w;

	window_init(&w, 1);
	window_mark(&w, 2);
	window_mark(&w, 3);
	window_mark(&w, 65);
	window_advance(&w);
	EXPECT_EQ(w.base, 1); /* 1 is missing */
	EXPECT_EQ(window_sack(&w), 0x3 | (uint64_t)1 << 63); /* 2, 3 and 65 = base + 1 + 63 */
	window_mark(&w, 1);
	window_advance(&w);
	EXPECT_EQ(w.base, 4);
	EXPECT(window_seen(&w, 65));
	EXPECT(!window_seen(&w, 64));
	for (uint64_t n = 4; n < 4 + WINDOW_SIZE; n++)
		window_mark(&w, n);
	window_advance(&w);
	EXPECT_EQ(w.base, 4 + WINDOW_SIZE);
	EXPECT_EQ(window_sack(&w), 0);
}

/* A long random run against the plain definition (a number is seen when below base or marked). */
UNIT_TEST(window_agrees_with_its_definition_over_a_long_random_run)
{
	enum { SPAN = 20000 };
	static bool marked[SPAN + 2 * WINDOW_SIZE];
	struct window w;
	uint64_t base = 1;
	uint32_t r = 12345;

	window_init(&w, 1);
	while (base < SPAN) {
		r = r * 1103515245u + 12345u;
		uint32_t op = r >> 16 & 7, k = r >> 20 & 511;
		if (op <= 3) { /* mark, mostly near base, as acknowledgements are */
			uint64_t n = base + (op == 0 ? k % WINDOW_SIZE : k % 4);
			window_mark(&w, n);
			marked[n] = true;
		} else if (op <= 5) {
			uint64_t n = base + k % (WINDOW_SIZE + 300);
			window_slide(&w, n);
			if (n >= base + WINDOW_SIZE)
				base = n - WINDOW_SIZE + 1;
		} else {
			window_advance(&w);
			uint64_t run = 0;
			while (run < WINDOW_SIZE && marked[base + run])
				run++;
			base += run;
		}
		if (w.base != base) {
			EXPECT_EQ(w.base, base);
			return;
		}
		uint64_t sack = 0;
		for (int i = 0; i < 64; i++)
			sack |= (uint64_t)marked[base + 1 + i] << i;
		EXPECT_EQ(window_sack(&w), sack);
		for (uint64_t n = base > 3 ? base - 3 : 0; n < base + WINDOW_SIZE + 3; n++) {
			bool want = n < base || (n < base + WINDOW_SIZE && marked[n]);
			if (window_seen(&w, n) != want) {
				EXPECT_EQ(window_seen(&w, n), want);
				return;
			}
		}
	}
}
