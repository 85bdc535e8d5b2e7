/*
 * gns's growing slot tables (servers/gns/table.c): chunks of zeroed slots up
 * to a limit, slots that never move while the table grows.
 */
#include <string.h>

#include "table.h"
#include "unit.h"

struct thing {
	unsigned id;
	char name[20];
};

UNIT_TEST(table_grows_a_chunk_at_a_time_to_its_limit_and_its_slots_stay_put)
{
	struct table t = TABLE_INIT(struct thing, 3 * TABLE_CHUNK + 1);	/* rounded up: four chunks */
	struct thing *first;

	EXPECT_EQ(t.cap, 0);
	EXPECT(table_grow(&t));
	EXPECT_EQ(t.cap, TABLE_CHUNK);
	first = table_at(&t, 0);
	first->id = 7;
	strcpy(first->name, "first");
	for (int i = 1; i < 4; i++)
		EXPECT(table_grow(&t));
	EXPECT(!table_grow(&t));	/* the limit */
	EXPECT_EQ(t.cap, 4 * TABLE_CHUNK);
	EXPECT(table_at(&t, 0) == first);	/* did not move */
	EXPECT_EQ(first->id, 7);
	for (int i = 1; i < t.cap; i++) {
		struct thing *s = table_at(&t, i);
		EXPECT_EQ(s->id, 0);	/* zeroed */
		EXPECT(s != first);
		s->id = (unsigned)i;
	}
	for (int i = 1; i < t.cap; i++)
		EXPECT_EQ(((struct thing *)table_at(&t, i))->id, (unsigned)i);
	table_free(&t);
	EXPECT_EQ(t.cap, 0);
}

UNIT_TEST(table_of_the_largest_size_stops_at_its_chunk_count)
{
	struct table t = TABLE_INIT(char, 1 << 30);
	int n = 0;

	while (table_grow(&t))
		n++;
	EXPECT_EQ(n, TABLE_CHUNKS_MAX);
	EXPECT_EQ(t.cap, TABLE_CHUNKS_MAX * TABLE_CHUNK);
	table_free(&t);
}
