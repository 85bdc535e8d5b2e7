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

/*
 * A tick asks the time some six times (lwIP's timers and their next one, the
 * DHCP watch, the ping service), all of one held reading (port.h): the
 * 64-bit division is done once per reading, not once per question.
 */
u32_t
sys_now(void)
{
	static uint64_t last_us = UINT64_MAX;
	static u32_t last_ms;
	uint64_t us = port_now_us();

	if (us != last_us) {
		last_us = us;
		last_ms = (u32_t)(us / 1000);
	}
	return last_ms;
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
