/*
 * The timing loop, the median and the output format shared by the Linux and
 * Manifold benchmark programs (see measure.h). Plain C with stdio and qsort,
 * so it builds against glibc (Linux) and newlib (Manifold) alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "measure.h"

static int overhead_known;
static uint32_t overhead;

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* noipa: the compiler must not clone the loop for a known op and inline it,
 * or the empty op would not measure the same call path as the real ones. */
static __attribute__((noipa)) int
timed_loop(uint32_t *samples, unsigned warmup, uint64_t warmup_ticks, unsigned iters, bench_op op, void *arg)
{
	uint64_t start = bench_rdtsc();

	for (unsigned i = 0; i < warmup || bench_rdtsc() - start < warmup_ticks; i++)
		if (op(arg) < 0)
			return -1;
	for (unsigned i = 0; i < iters; i++) {
		uint64_t t0, t1;

		t0 = bench_rdtsc();
		if (op(arg) < 0)
			return -1;
		t1 = bench_rdtsc();
		samples[i] = (uint32_t)(t1 - t0);
	}
	return 0;
}

static __attribute__((noipa)) int
empty_op(void *arg)
{
	return 0;
}

static uint32_t
median(uint32_t *samples, unsigned n)
{
	qsort(samples, n, sizeof *samples, cmp_u32);
	return samples[n / 2];
}

uint32_t
bench_overhead(void)
{
	enum { N = 1000 };
	static uint32_t samples[N];

	if (!overhead_known) {
		timed_loop(samples, BENCH_WARMUP, 0, N, empty_op, NULL);
		overhead = median(samples, N);
		overhead_known = 1;
	}
	return overhead;
}

int
bench_report(const char *name, const char *unit, uint32_t *samples, unsigned n)
{
	uint32_t ovh = bench_overhead(), med, lo, p90, hi;
	uint64_t sum = 0;

	if (n == 0) {
		printf("FAIL %s: no samples\n", name);
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		sum += samples[i];
	med = median(samples, n);
	lo = samples[0];
	p90 = samples[(uint64_t)n * 9 / 10];
	hi = samples[n - 1];
	med = med > ovh ? med - ovh : 0;
	printf("BENCH %s %lu %s\n", name, (unsigned long)med, unit);
	printf("INFO %s n=%u min=%lu p90=%lu max=%lu mean=%lu overhead=%lu\n", name, n, (unsigned long)lo,
	       (unsigned long)p90, (unsigned long)hi, (unsigned long)(sum / n), (unsigned long)ovh);
	fflush(stdout);
	return 0;
}

int
bench_loop(const char *name, const char *unit, unsigned iters, bench_op op, void *arg)
{
	return bench_loop_warm(name, unit, BENCH_WARMUP, BENCH_WARMUP_TICKS, iters, op, arg);
}

int
bench_loop_warm(const char *name, const char *unit, unsigned warmup, uint64_t warmup_ticks, unsigned iters,
                bench_op op, void *arg)
{
	uint32_t *samples = malloc(iters * sizeof *samples);
	int r;

	bench_overhead();
	if (samples == NULL) {
		printf("FAIL %s: no memory for %u samples\n", name, iters);
		return -1;
	}
	if (timed_loop(samples, warmup, warmup_ticks, iters, op, arg) < 0) {
		printf("FAIL %s: the operation failed\n", name);
		free(samples);
		return -1;
	}
	r = bench_report(name, unit, samples, iters);
	free(samples);
	return r;
}

unsigned
bench_iters(int argc, char **argv, unsigned dflt)
{
	if (argc > 1 && atoi(argv[1]) > 0)
		return (unsigned)atoi(argv[1]);
	return dflt;
}
