/*
 * The kernel console: every line goes to COM1, and to the screen when there is
 * one (VGA text or a linear framebuffer). Tests can capture what is printed.
 */
#ifndef KERN_CONSOLE_H
#define KERN_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct multiboot_info;

void console_init_early(void);
void console_init_screen(const struct multiboot_info *mbi);
void console_write(const char *s, size_t n);
/* The same, but no CR is put before each LF on the serial line: a tty that processes its own output (OPOST). */
void console_write_raw(const char *s, size_t n);

/* Test support: remember everything printed from now on (last 16 KiB). */
void console_capture_start(void);
void console_capture_stop(void);
bool console_captured(const char *text);

#endif
