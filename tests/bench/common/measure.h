/*
 * Timing for the benchmark programs of both systems (tests/bench/linux/ and
 * tests/bench/manifold/ share this file, so both count the same way).
 *
 * Under QEMU's -icount shift=0 the time stamp counter advances by one per guest
 * instruction, so an rdtsc delta is an exact instruction count that repeats from
 * run to run. bench_loop() times each iteration of an operation separately and
 * reports the median, less the median of the same loop around an empty
 * operation, so the figure is the operation's own cost.
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <stdint.h>

/*
 * Untimed warm-up before the timed iterations: at least BENCH_WARMUP iterations
 * (buffers faulted in, caches filled) and at least BENCH_WARMUP_TICKS of rdtsc
 * time. The second bound is for schedulers with a transient phase: Linux's pipe
 * ping-pong between a new process pair runs ~3,000 instructions cheaper for its
 * first ~15 ms of guest time (likely one wakeup fewer per round trip while the
 * pair's scheduler state settles), then costs the same for good.
 */
#define BENCH_WARMUP 100u
#define BENCH_WARMUP_TICKS 50000000u

static inline uint64_t
bench_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* One timed operation; returns 0, or -1 when it failed (the run stops). */
typedef int (*bench_op)(void *arg);

/*
 * Runs op(arg) untimed for the warm-up, then iters times timed, and prints
 * `BENCH <name> <median> <unit>` and an `INFO` line with the spread (raw
 * figures, the overhead not subtracted). Returns 0, or -1 (with a `FAIL` line)
 * when an operation failed or memory ran out.
 */
int bench_loop(const char *name, const char *unit, unsigned iters, bench_op op, void *arg);

/* bench_loop with a warm-up of its own: warmup iterations and at least
 * warmup_ticks of time. For operations that use up something per call. */
int bench_loop_warm(const char *name, const char *unit, unsigned warmup, uint64_t warmup_ticks,
                    unsigned iters, bench_op op, void *arg);

/* Reports a median from samples the caller took itself (the overhead is subtracted). */
int bench_report(const char *name, const char *unit, uint32_t *samples, unsigned n);

/* The median of an empty timed span through bench_loop, in the same units. */
uint32_t bench_overhead(void);

/* The iteration count: argv[1] if given (at least 1), else dflt. */
unsigned bench_iters(int argc, char **argv, unsigned dflt);

#endif
