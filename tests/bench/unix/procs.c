/*
 * Processes through Manifold's Unix personality, issue 16's three figures
 * beside Linux's (shared/NOTES.md: fork+exit+wait 191,144, fork+exec(busybox
 * true)+wait 825,993, a pipe round trip between two processes 16,804). A
 * static i386 glibc program, run by personalities/unix with busybox beside it
 * as a start=no module; not a `make bench` row yet (tools/bench/README.md
 * would need a baseline for it), run by hand as personalities/unix/README.md
 * says, under -icount shift=0.
 *
 *   bench-procs [ITERATIONS]
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "measure.h"

static int
fork_exit_wait(void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(0);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int
fork_exec_wait(void *arg)
{
	static char *const argv[] = { "true", NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(127);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int to_child[2], to_parent[2];

static int
pipe_rr(void *arg)
{
	char c = 'x';

	return write(to_child[1], &c, 1) == 1 && read(to_parent[0], &c, 1) == 1 ? 0 : -1;
}

/* The partner of pipe_rr: every byte back, until end of file. */
static int
bench_pipe(unsigned iters)
{
	pid_t pid;
	int r, status;
	char c;

	if (pipe(to_child) != 0 || pipe(to_parent) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	r = bench_loop("pipe_rr_unix", "insns", iters, pipe_rr, NULL);
	close(to_child[1]);
	waitpid(pid, &status, 0);
	return r;
}

int
main(int argc, char **argv)
{
	unsigned iters = bench_iters(argc, argv, 200);
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bad |= bench_pipe(iters) < 0;
	bad |= bench_loop("fork_exit_wait", "insns", iters, fork_exit_wait, NULL) < 0;
	bad |= bench_loop_warm("fork_exec_wait", "insns", 10, 0, iters, fork_exec_wait, NULL) < 0;
	return bad;
}
