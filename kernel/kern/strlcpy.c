/*
 * strlcpy: bounded string copy. Apart from string.c so the host unit tests can
 * use the kernel's own copy (the host C library has none).
 */
#include <kern/lib.h>

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}
