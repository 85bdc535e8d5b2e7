/*
 * The console server's only way out: the kernel console trap, one call per
 * piece, which the kernel writes without interruption. Everything written is
 * also kept in a ring, so that console_recent can show a test what went out.
 */
#include <string.h>
#include <manifold/trap.h>
#include "output.h"

static char recent[RECENT_SIZE - 1];
static uint32_t recent_end;	/* free-running count of bytes ever written */

static void
remember(const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (text[i] != '\0')	/* console_recent is a C string */
			recent[recent_end++ % sizeof recent] = text[i];
	}
}

void
output_emit(const char *text, size_t n)
{
	if (n == 0)
		return;
	trap_console_write(text, n);
	remember(text, n);
}

void
output_emit_raw(const char *text, size_t n)
{
	if (n == 0)
		return;
	trap_console_write_raw(text, n);
	remember(text, n);
}

void
output_recent(char *out)
{
	uint32_t n = recent_end < sizeof recent ? recent_end : sizeof recent;
	uint32_t start = recent_end - n;

	for (uint32_t i = 0; i < n; i++)
		out[i] = recent[(start + i) % sizeof recent];
	out[n] = '\0';
}
