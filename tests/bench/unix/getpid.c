/*
 * getpid_unix: a Linux system call through Manifold's Unix personality. This
 * static i386 glibc program runs under personalities/unix (tools/bench/run.sh
 * boots it there); each getpid is `int 0x80`, syscall_raise to the server,
 * the server's answer and the thread resumed. Set beside Linux's null_syscall
 * (getppid, tests/bench/linux/syscall.c): the same loop on a kernel that
 * serves the call itself. The raw system call, so that no libc caches it.
 *
 *   bench-getpid [ITERATIONS]
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "measure.h"

static int
getpid_op(void *arg)
{
	return syscall(SYS_getpid) < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	unsigned iters = bench_iters(argc, argv, 10000);

	setvbuf(stdout, NULL, _IOLBF, 0);
	return bench_loop("getpid_unix", "insns", iters, getpid_op, NULL) < 0;
}
