/* What the console server writes, and its memory of it (output.c). */
#ifndef CONSOLE_OUTPUT_H
#define CONSOLE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#define RECENT_SIZE 4096	/* bytes remembered for console_recent (with the NUL) */

/* Writes n bytes to the serial console as one piece. */
void output_emit(const char *text, size_t n);
/* The same with no CR put before each LF (console_write_raw). */
void output_emit_raw(const char *text, size_t n);
/* The last RECENT_SIZE - 1 bytes written, NUL-terminated, into out (RECENT_SIZE bytes). */
void output_recent(char *out);

#endif
