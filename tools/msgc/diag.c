/* The first-error record of diag.h. */
#include <stdarg.h>
#include <stdio.h>
#include "diag.h"

void
diag_error(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->failed)
		return;
	d->failed = true;
	n = snprintf(d->text, sizeof(d->text), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(d->text))
		return;
	va_start(ap, fmt);
	vsnprintf(d->text + n, sizeof(d->text) - (size_t)n, fmt, ap);
	va_end(ap);
}
