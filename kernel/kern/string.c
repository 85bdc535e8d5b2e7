/*
 * The string and memory functions the kernel (and gcc's generated code) needs.
 * Plain loops, except memcpy and memset, which move message bodies and zero pages
 * (and memmove downwards, which is memcpy).
 */
#include <kern/lib.h>

#undef memcpy	/* the functions themselves, not lib.h's builtins */
#undef memset

/*
 * Words first, then the last 0-3 bytes. Message bodies are copied twice per
 * send (into the kernel and out), and rep movsl moves four bytes per step.
 */
void *
memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n >> 2, bytes = n & 3;

	__asm__ volatile("rep movsl\n\tmov %3, %%ecx\n\trep movsb"
			 : "+D"(d), "+S"(src), "+c"(words)
			 : "r"(bytes)
			 : "memory");
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s || d >= s + n) {
		/* memcpy moves upwards, a word then a byte at a time: safe when the
		 * destination starts below the source (the screen's scroll) */
		return memcpy(dst, src, n);
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *
memchr(const void *p, int c, size_t n)
{
	const unsigned char *s = p;

	for (; n; s++, n--)
		if (*s == (unsigned char)c)
			return (void *)s;
	return NULL;
}

/* Words when it can: zeroing fresh pages is the common case. */
void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;
	uint32_t word = (uint8_t)c * 0x01010101u;
	size_t words = n >> 2, bytes = n & 3;

	__asm__ volatile("rep stosl\n\tmov %3, %%ecx\n\trep stosb"
			 : "+D"(d), "+c"(words)
			 : "a"(word), "r"(bytes)
			 : "memory");
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *
strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return (char *)hay;
	return n == 0 ? (char *)hay : NULL;
}
