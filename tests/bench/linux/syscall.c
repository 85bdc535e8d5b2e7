/*
 * The cost of entering and leaving the Linux kernel: getppid, which does almost
 * nothing inside and which glibc does not cache. The reference for Manifold's
 * null_syscall row (a native trap round trip).
 *
 *   bench-syscall [ITERATIONS]
 */
#include <stdio.h>
#include <unistd.h>
#include "measure.h"

static int
getppid_op(void *arg)
{
	return getppid() < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	unsigned iters = bench_iters(argc, argv, 10000);

	setvbuf(stdout, NULL, _IOLBF, 0);
	return bench_loop("null_syscall", "insns", iters, getppid_op, NULL) < 0;
}
