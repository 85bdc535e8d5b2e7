/*
 * The console server's only way out: the kernel console traps (console_write;
 * console_write_raw, no CR put before LF, for the routine of that name), one call per
 * piece, which the kernel writes without interruption. Everything written is
 * also kept in a ring, so that console_recent can show a test what went out.
 */
#include <string.h>
#include <manifold/trap.h>
#include "output.h"

static char recent[RECENT_SIZE - 1];
static uint32_t recent_end;	/* free-running count of bytes ever written */

/* One trap call for the piece, and the ring remembers it. */
static void
emit_by(kern_return_t (*trap)(const char *, size_t), const char *text, size_t n)
{
	if (n == 0)
		return;
	trap(text, n);
	for (size_t i = 0; i < n; i++) {
		if (text[i] != '\0')	/* console_recent is a C string */
			recent[recent_end++ % sizeof recent] = text[i];
	}
}

void
output_emit(const char *text, size_t n)
{
	emit_by(trap_console_write, text, n);
}

void
output_emit_raw(const char *text, size_t n)
{
	emit_by(trap_console_write_raw, text, n);
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
