/*
 * A Linux program for the unix suite, run only under Manifold: int 0x80 with
 * garbage in every register, thousands of times, for the Unix server to
 * answer without dying. The call numbers that would end the process or wait
 * for input (exit, exit_group, read, readv) or take its own memory away
 * (munmap, mprotect, mmap and mmap2 with MAP_FIXED over its code, brk below
 * its image is refused by the server anyway) are skipped: the case is about
 * the server, and the program must live to say it is done. With the
 * argument "crash" it then writes to address 0, and the server must report a
 * process killed by a fault and go on.
 */
#include "lnx.h"

static unsigned long seed = 0x12345678;

static unsigned long
next(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static int
skipped(unsigned long nr)
{
	return nr == 1 || nr == 3 || nr == 90 || nr == 91 || nr == 125 || nr == 145 || nr == 192 || nr == 252;
}

void __attribute__((noreturn, used))
start_c(unsigned long *sp)
{
	unsigned long argc = sp[0];
	const char *arg1 = argc > 1 ? (const char *)sp[2] : "";
	long n = 0;

	for (int i = 0; i < 3000; i++) {
		unsigned long nr = next() % 520;

		if (i % 7 == 0)
			nr = next();	/* anything at all */
		if (skipped(nr))
			continue;
		lnx_call((long)nr, (long)next(), (long)next(), (long)next(), (long)next(), (long)next(), (long)next());
		n++;
	}
	lnx_puts("garbage: 3000 calls with garbage registers, still here\n");
	if (arg1[0] == 'c')
		*(volatile int *)0 = 1;
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
