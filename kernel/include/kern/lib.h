/*
 * The kernel's small C library: strings, formatting, console output, panic.
 * Implemented in kernel/kern/{string,format,console,panic}.c.
 */
#ifndef KERN_LIB_H
#define KERN_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ROUND_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#define unlikely(x)	__builtin_expect(!!(x), 0)

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memchr(const void *p, int c, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/*
 * The kernel is built -ffreestanding, which makes every memcpy and memset a
 * call, even of one word. One of a small size known when compiled is a
 * builtin, which gcc writes inline as a few moves; anything longer or of a
 * size known only when it runs goes to string.c's, whose rep movsl and rep
 * stosl gcc's own expansion of a page would not beat.
 */
#define MEM_INLINE_MAX 64
#define memcpy(d, s, n)                                                                                    \
	(__builtin_constant_p(n) && (n) <= MEM_INLINE_MAX ? __builtin_memcpy(d, s, n) : (memcpy)(d, s, n))
#define memset(d, c, n)                                                                                    \
	(__builtin_constant_p(n) && (n) <= MEM_INLINE_MAX ? __builtin_memset(d, c, n) : (memset)(d, c, n))
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
size_t strlcpy(char *dst, const char *src, size_t size);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t n);

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define assert(c)							\
	do {								\
		if (unlikely(!(c)))					\
			panic("assertion failed: %s at %s:%d", #c,	\
			      __FILE__, __LINE__);			\
	} while (0)

/*
 * A `_locked` function's condition: its caller holds lock l (kern/spinlock.h).
 * One CPU runs, so held at all is held by the caller; with more CPUs the owner
 * will be recorded in the lock and checked here.
 */
#define assert_held(l) assert(spin_held(l))

#endif
