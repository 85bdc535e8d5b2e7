/*
 * A Linux program for the unix suite, run only under Manifold: int 0x80 with
 * garbage in every register, thousands of times, for the Unix server to
 * answer without dying. Skipped are the calls that would end the process or
 * wait for input or a signal (exit, exit_group, read, readv, pause,
 * sigsuspend, rt_sigsuspend, poll, select and their twins), take its own
 * memory away (munmap, mprotect, mmap and mmap2 with MAP_FIXED over its
 * code; brk below its image is refused by the server anyway) or its
 * registers (sigreturn, rt_sigreturn restore what the stack holds) or set
 * the time of day (stime, settimeofday, clock_settime and its 64-bit twin,
 * adjtimex, clock_adjtime and its 64-bit twin: the boot's later runs compare
 * the time with the host's). fork,
 * vfork and clone are made with the rest: a child they make exits at once
 * (clone's garbage stack may kill it first, a fault the server reports). With
 * the argument "crash" it then writes to address 0, and the server must
 * report a process killed by a fault and go on. A number as the argument is
 * how many calls to make (3,000 without one).
 */
#include "lnx.h"
#include "util.h"

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
	static const unsigned short skip[] = { 1, 3, 25, 29, 72, 79, 90, 91, 119, 124, 125, 142, 145, 168, 173, 179,
					       192, 252, 264, 308, 309, 343, 404, 405, 413, 414 };

	for (unsigned i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (nr == skip[i])
			return 1;
	return 0;
}

void __attribute__((noreturn, used))
start_c(unsigned long *sp)
{
	unsigned long argc = sp[0];
	const char *arg1 = argc > 1 ? (const char *)sp[2] : "";
	long n = 0, calls = 3000;

	if (arg1[0] >= '0' && arg1[0] <= '9')
		for (calls = 0; *arg1 >= '0' && *arg1 <= '9'; arg1++)
			calls = calls * 10 + (*arg1 - '0');
	for (long i = 0; i < calls; i++) {
		unsigned long nr = next() % 520;

		if (i % 7 == 0)
			nr = next();	/* anything at all */
		if (skipped(nr))
			continue;
		long r = lnx_call((long)nr, (long)next(), (long)next(), (long)next(), (long)next(), (long)next(),
				  (long)next());
		if (r == 0 && (nr == 2 || nr == 120 || nr == 190))
			lnx_exit(0);	/* a child of fork, vfork or clone */
		n++;
	}
	lnx_puts("garbage: ");
	put_num(calls);
	lnx_puts(" calls with garbage registers, still here\n");
	if (arg1[0] == 'c')
		*(volatile int *)0 = 1;
	lnx_exit(0);
}

__asm__(".globl _start\n_start:\n\tpush %esp\n\tcall start_c\n");
