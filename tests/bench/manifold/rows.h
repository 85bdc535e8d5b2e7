/*
 * The rows of the Manifold benchmark program that live outside bench.c, for
 * its table of rows. Each runs `iters` timed iterations through bench_loop and
 * returns 0, or -1 after printing a FAIL line.
 */
#ifndef BENCH_MANIFOLD_ROWS_H
#define BENCH_MANIFOLD_ROWS_H

int bench_exception_rt(unsigned iters);	/* thread.c */
int bench_syscall_port_rt(unsigned iters);	/* personality.c */
int bench_thread_switch(unsigned iters);	/* thread.c */

#endif
