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
