/*
 * A Linux program for the unix suite: system calls no Linux i386 kernel has
 * (500, in the table's range; 100000, past it) answer -ENOSYS (-38), asked
 * twice each; the Unix server must say so on the console once per number.
 * Prints one line and exits 0 if every answer was -38, 1 otherwise.
 */
#include "lnx.h"

void __attribute__((noreturn))
_start(void)
{
	int ok = 1;

	for (int i = 0; i < 2; i++) {
		ok &= lnx_call(500, 1, 2, 3, 4, 5, 6) == -38;
		ok &= lnx_call(100000, 0, 0, 0, 0, 0, 0) == -38;
	}
	lnx_puts(ok ? "enosys: every unknown call answered -ENOSYS\n" : "enosys: a wrong answer\n");
	lnx_exit(ok ? 0 : 1);
}
