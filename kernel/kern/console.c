/*
 * The kernel console: serializes output from every thread onto COM1 and the
 * screen. A whole console_write() appears as one piece, so lines from different
 * tasks never interleave mid-line.
 *
 * A thread that may sleep holds console_mutex for the whole write and the
 * spin lock (interrupts off) for CONSOLE_CHUNK bytes, or a line, at a time: a task's 64 KiB
 * write would otherwise keep interrupts off for seconds on a real serial line.
 * Where sleeping is impossible (under a spin lock, in an interrupt, the idle
 * thread, early boot) the write holds the spin lock throughout; such a line
 * may land between two chunks of a thread's write.
 */
#include <kern/console.h>
#include <kern/lib.h>
#include <kern/lock_order.h>
#include <kern/mutex.h>
#include <kern/spinlock.h>
#include "multiboot.h"
#include "uart.h"
#include "vgatext.h"
#include "fbcon.h"

#define CAPTURE_SIZE 16384


#define CONSOLE_CHUNK 64

static struct spinlock console_lock = SPINLOCK_INIT("console", LOCK_RANK_CONSOLE);
static struct kmutex console_mutex = KMUTEX_INIT(console_mutex, "console");
static bool have_vga, have_fb;		/* [I] after console_init_screen */
static char capture[CAPTURE_SIZE];	/* [console_lock] */
static size_t capture_len;		/* [console_lock] */
static bool capturing;			/* [console_lock] */

void
console_init_early(void)
{
	uart_init();
}

void
console_init_screen(const struct multiboot_info *mbi)
{
	if (mbi && (mbi->flags & MB_INFO_FRAMEBUFFER) && mbi->framebuffer_type != MB_FB_TYPE_EGA_TEXT) {
		if (mbi->framebuffer_addr_high == 0) {
			fbcon_init(mbi->framebuffer_addr, mbi->framebuffer_pitch, mbi->framebuffer_width,
				   mbi->framebuffer_height, mbi->framebuffer_bpp);
			have_fb = true;
		}
		return;
	}
	vgatext_init();
	have_vga = true;
}

/* raw: the bytes go to the serial line as they are (a tty's own output processing was done) */
static void
putc_locked(char c, bool raw)
{
	if (c == '\n' && !raw)
		uart_putc('\r');
	uart_putc(c);
	if (have_vga)
		vgatext_putc(c);
	if (have_fb)
		fbcon_putc(c);
	if (capturing && capture_len < CAPTURE_SIZE - 1)
		capture[capture_len++] = c;
}

/* At most CONSOLE_CHUNK bytes of s, up to and with a newline, under the spin lock: how many went. */
static size_t
write_chunk(const char *s, size_t n, bool raw)
{
	uint32_t f = spin_lock_irqsave(&console_lock);
	size_t k = 0;

	while (k < n && k < CONSOLE_CHUNK) {
		char c = s[k++];

		putc_locked(c, raw);
		if (c == '\n')
			break;
	}
	spin_unlock_irqrestore(&console_lock, f);
	return k;
}

/* s to the console as one piece among the threads' writes; raw: no CR put before LF */
static void
console_put(const char *s, size_t n, bool raw)
{
	uint32_t f;

	if (!sched_can_block()) {	/* an interrupt, a spin lock held, the idle thread, early boot */
		f = spin_lock_irqsave(&console_lock);
		while (n--)
			putc_locked(*s++, raw);
		spin_unlock_irqrestore(&console_lock, f);
		return;
	}
	kmutex_lock(&console_mutex);	/* the whole write, one piece among the threads' */
	while (n) {
		size_t k = write_chunk(s, n, raw);

		s += k;
		n -= k;
	}
	kmutex_unlock(&console_mutex);
}

void
console_write(const char *s, size_t n)
{
	console_put(s, n, false);
}

void
console_write_raw(const char *s, size_t n)
{
	console_put(s, n, true);
}

int
kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof buf - 1));
	return n;
}

void
console_capture_start(void)
{
	uint32_t f = spin_lock_irqsave(&console_lock);

	capture_len = 0;
	capture[0] = 0;
	capturing = true;
	spin_unlock_irqrestore(&console_lock, f);
}

void
console_capture_stop(void)
{
	uint32_t f = spin_lock_irqsave(&console_lock);

	capturing = false;
	spin_unlock_irqrestore(&console_lock, f);
}

bool
console_captured(const char *text)
{
	uint32_t f = spin_lock_irqsave(&console_lock);
	bool found;

	capture[capture_len] = 0;
	found = strstr(capture, text) != NULL;
	spin_unlock_irqrestore(&console_lock, f);
	return found;
}
