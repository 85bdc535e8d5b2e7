/*
 * Runs every registered host unit test (in name order, so output is stable).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

static struct unit_test *tests;
static bool failed;
static char why[512];

void
unit_register(struct unit_test *t)
{
	struct unit_test **p = &tests;

	while (*p && strcmp((*p)->name, t->name) < 0)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

void
unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (failed)
		return;
	failed = true;
	n = snprintf(why, sizeof why, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof why - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Kernel code under test may call these. */
void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

int
main(int argc, char **argv)
{
	const char *suite = argc > 1 ? argv[1] : "unit";
	int n = 0, pass = 0, fail = 0;

	for (struct unit_test *t = tests; t; t = t->next) {
		failed = false;
		t->fn();
		n++;
		if (failed) {
			printf("not ok %d - %s: %s\n", n, t->name, why);
			fail++;
		} else {
			printf("ok %d - %s\n", n, t->name);
			pass++;
		}
	}
	printf("%s: %d passed, %d failed\n", suite, pass, fail);
	return fail != 0;
}
