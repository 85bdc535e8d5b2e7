/*
 * The rest of what lwIP asks of a NO_SYS port: the millisecond clock its
 * timers run on, and where its diagnostics and failed assertions go (the
 * console, through printf; an assertion ends the task, whose restart policy
 * decides what follows).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "lwip/sys.h"
#include "port.h"

u32_t
sys_now(void)
{
	return (u32_t)(port_now_us() / 1000);
}

void
port_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void
port_assert_failed(const char *what, const char *file, int line)
{
	printf("lwip: assertion \"%s\" failed at %s:%d\n", what, file, line);
	abort();
}
