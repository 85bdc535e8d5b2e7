/* The kernel's vsnprintf (kernel/kern/format.c) against what C says it must print. */
#include <stdint.h>
#include <string.h>
#include <kern/lib.h>
#include "unit.h"

static const char *
fmt(const char *f, ...)
{
	static char buf[128];
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	return buf;
}

UNIT_TEST(format_integers_in_each_base)
{
	EXPECT_STR(fmt("%d %i %u", -42, 7, 4000000000u), "-42 7 4000000000");
	EXPECT_STR(fmt("%x %X %o", 0xbeefu, 0xbeefu, 8u), "beef BEEF 10");
	EXPECT_STR(fmt("%d", (int)0x80000000), "-2147483648");
}

UNIT_TEST(format_widths_padding_and_alignment)
{
	EXPECT_STR(fmt("[%5d]", 42), "[   42]");
	EXPECT_STR(fmt("[%-5d]", 42), "[42   ]");
	EXPECT_STR(fmt("[%05d]", -42), "[-0042]");
	EXPECT_STR(fmt("[%08x]", 0xabcu), "[00000abc]");
	EXPECT_STR(fmt("[%*d]", 4, 1), "[   1]");
}

UNIT_TEST(format_strings_chars_and_precision)
{
	EXPECT_STR(fmt("%s|%c|%%", "abc", 'z'), "abc|z|%");
	EXPECT_STR(fmt("%.2s", "abcdef"), "ab");
	EXPECT_STR(fmt("%.*s", 3, "abcdef"), "abc");
	EXPECT_STR(fmt("%s", (char *)NULL), "(null)");
	EXPECT_STR(fmt("[%-4s]", "a"), "[a   ]");
}

UNIT_TEST(format_long_and_64_bit_values)
{
	EXPECT_STR(fmt("%llu", 18446744073709551615ull), "18446744073709551615");
	EXPECT_STR(fmt("%lld", -9000000000ll), "-9000000000");
	EXPECT_STR(fmt("%llx", 0x123456789abcull), "123456789abc");
	EXPECT_STR(fmt("%zu", (size_t)12), "12");
	EXPECT_STR(fmt("%lu", 99ul), "99");
}

UNIT_TEST(format_pointer_and_unknown_conversion)
{
	EXPECT_STR(fmt("%p", (void *)0x1000), "0x1000");
	EXPECT_STR(fmt("%#x %#010x %#X", 0x1fu, 0xc0100000u, 0xabu), "0x1f 0xc0100000 0XAB");
	EXPECT_STR(fmt("%#010x", 0x12u), "0x00000012");
	EXPECT_STR(fmt("%q"), "%q");
}

UNIT_TEST(format_truncates_and_reports_full_length)
{
	char buf[8];

	EXPECT_EQ(snprintf(buf, sizeof buf, "%s", "0123456789"), 10);
	EXPECT_STR(buf, "0123456");
	EXPECT_EQ(snprintf(buf, 1, "abc"), 3);
	EXPECT_STR(buf, "");
	EXPECT_EQ(snprintf(NULL, 0, "%d", 12345), 5);
}
