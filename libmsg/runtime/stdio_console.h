/* The console behind fds 0, 1 and 2 (stdio_console.c). Both return -errno on failure. */
#ifndef STDIO_CONSOLE_H
#define STDIO_CONSOLE_H

#include <stddef.h>

#define CONSOLE_WRITE_CHUNK 2048	/* console.defs' console_text_t */

int stdio_console_write(const char *buf, size_t len);
/* At most one line; waits for it. */
int stdio_console_read(char *buf, size_t len);

#endif
