/*
 * Linux virtual-memory benchmarks, the reference for Manifold's fork_16m and
 * page_fault_zero rows: fork of a process with 16 MiB touched (the child writes
 * one page and exits, the parent waits), and the first write to a zero-fill page.
 * Both regions are kept to 4 KiB pages (MADV_NOHUGEPAGE): Linux turns on
 * transparent huge pages when the guest has 512 MiB or more, and then a "page"
 * fault would zero 4 MiB at once and most touches would not fault at all.
 *
 *   bench-vm [ITERATIONS]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "measure.h"

#define PAGE 4096u
#define FORK_REGION (16u << 20)
#define FORK_ALIGN (4u << 20)

static int
fork_op(void *arg)
{
	char *region = arg;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		region[FORK_REGION / 2] = 1; /* one copy-on-write fault */
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return 0;
}

static int
bench_fork(unsigned iters)
{
	char *map, *region;
	int r;

	/*
	 * Aligned to 4 MiB, the span of one page-table page, so that the region
	 * always needs exactly four of them: where it fell by chance, fork's cost
	 * moved by ~2,000 instructions from one boot to the next.
	 */
	region =
	    mmap(NULL, FORK_REGION + FORK_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		printf("FAIL fork_16m: cannot map 16 MiB\n");
		return -1;
	}
	map = region;
	region = (char *)(((uintptr_t)region + FORK_ALIGN - 1) & ~(uintptr_t)(FORK_ALIGN - 1));
	if (region != map)
		munmap(map, (size_t)(region - map));
	munmap(region + FORK_REGION, (size_t)(map + FORK_ALIGN - region));
	madvise(region, FORK_REGION, MADV_NOHUGEPAGE);
	memset(region, 1, FORK_REGION);
	r = bench_loop("fork_16m", "insns", iters, fork_op, region);
	munmap(region, FORK_REGION);
	return r;
}

/* Each call writes to the next untouched page of one large anonymous mapping. */
struct fresh_pages {
	char *next;
};

static int
fault_op(void *arg)
{
	struct fresh_pages *f = arg;

	*(volatile char *)f->next = 1;
	f->next += PAGE;
	return 0;
}

static int
bench_fault(unsigned iters)
{
	size_t len = (size_t)(iters + BENCH_WARMUP) * PAGE;
	struct fresh_pages f;
	int r;

	f.next = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f.next == MAP_FAILED) {
		printf("FAIL page_fault_zero: cannot map %zu bytes\n", len);
		return -1;
	}
	madvise(f.next, len, MADV_NOHUGEPAGE);
	/* a warm-up bounded in iterations only: each call uses up a page */
	r = bench_loop_warm("page_fault_zero", "insns", BENCH_WARMUP, 0, iters, fault_op, &f);
	munmap(f.next - len, len);
	return r;
}

int
main(int argc, char **argv)
{
	unsigned iters = bench_iters(argc, argv, 10000);
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bad |= bench_fault(iters);
	bad |= bench_fork(iters);
	return bad ? 1 : 0;
}
