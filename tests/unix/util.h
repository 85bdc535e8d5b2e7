/*
 * What the unix suite's programs print with and wait by (no libc): numbers
 * and yes/no lines in words that do not depend on pids, and a sleep.
 */
#ifndef TESTS_UNIX_UTIL_H
#define TESTS_UNIX_UTIL_H

#include "lnx.h"

struct lnx_ts {
	long sec, nsec;
};

static inline void
sleep_ms(long ms)
{
	struct lnx_ts t = { ms / 1000, (ms % 1000) * 1000000 };

	lnx_call(162, (long)&t, 0, 0, 0, 0, 0);
}

static inline void
put_num(long v)
{
	char b[16];
	int i = 15;
	int neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		b[--i] = '-';
	lnx_puts(b + i);
}

/* "label value\n" */
static inline void
say(const char *label, long v)
{
	lnx_puts(label);
	lnx_puts(" ");
	put_num(v);
	lnx_puts("\n");
}

static inline void
yes(const char *label, int cond)
{
	lnx_puts(label);
	lnx_puts(cond ? " yes\n" : " no\n");
}

static inline int
streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

#endif
