/*
 * Processes, issue 16's rows of `make bench`: pipe_rr_unix (a byte there
 * and back between two processes), stat_unix (stat of /bin/true: a path in,
 * a struct stat out), fork_exit_wait (fork, the child _exits, waitpid) and
 * fork_exec_wait (the child execs /bin/true, which is
 * Debian's busybox-static on both systems). One static i386 glibc program,
 * the same binary on both: tools/bench/run.sh runs it under personalities/unix
 * (busybox a start=no module beside it) and in the Linux guest's initramfs
 * (busybox as /bin/true); tests/bench/README.md [8].
 *
 *   bench-procs [ITERATIONS]
 *
 * fork_exec_wait takes a tenth of ITERATIONS (at least 5): an exec costs
 * millions of instructions, and its median repeats under -icount long before
 * 10,000 (tests/bench/README.md [8]).
 */
#include <stdio.h>
#include <sys/stat.h>
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

/* A path looked up and its attributes copied out: what ls and find do for each name. */
static int
stat_path(void *arg)
{
	struct stat st;

	return stat("/bin/true", &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
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
	bad |= bench_loop("stat_unix", "insns", iters, stat_path, NULL) < 0;
	bad |= bench_loop("fork_exit_wait", "insns", iters, fork_exit_wait, NULL) < 0;
	bad |= bench_loop_warm("fork_exec_wait", "insns", 10, 0, iters / 10 < 5 ? 5 : iters / 10, fork_exec_wait,
	                       NULL) < 0;
	return bad;
}
