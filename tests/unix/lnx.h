/*
 * What the unix suite's own Linux programs share: raw `int 0x80` system
 * calls and a few helpers, with no libc, so that the same static i386 binary
 * runs under Manifold's Unix server and on the host (tests/unix/run.py).
 */
#ifndef TESTS_UNIX_LNX_H
#define TESTS_UNIX_LNX_H

static inline long
lnx_call(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;

	/* ebp cannot be named as an operand while it is the frame pointer: swap it in and out */
	__asm__ volatile("push %%ebp\n\t"
			 "mov %7, %%ebp\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), "m"(f)
			 : "memory", "cc");
	return r;
}

static inline long
lnx_write(const char *s, unsigned long n)
{
	return lnx_call(4, 1, (long)s, (long)n, 0, 0, 0);
}

static inline unsigned long
lnx_strlen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static inline void
lnx_puts(const char *s)
{
	lnx_write(s, lnx_strlen(s));
}

static inline void __attribute__((noreturn))
lnx_exit(int code)
{
	for (;;)
		lnx_call(252, code, 0, 0, 0, 0, 0);
}

#endif
