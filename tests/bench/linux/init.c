/*
 * /init of the Linux reference system's initramfs (made by tools/bench/linux.sh):
 * runs each benchmark program in turn with the iteration count from the kernel
 * command line (`bench_iters=N`, which the kernel hands to init as an environment
 * variable), prints `BENCH done`, and leaves QEMU through isa-debug-exit (0x10 when
 * every program succeeded, 0x11 otherwise), or by powering off if that fails.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const programs[] = {
    "/bin/bench-syscall",
    "/bin/bench-task",
    "/bin/bench-ipc",
    "/bin/bench-vm",
    "/bin/bench-procs",	/* the Unix personality's program, the same binary (tests/bench/unix/procs.c) */
};

static int
run(const char *path, char *iters)
{
	char *argv[] = {(char *)path, iters, NULL};
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(path, argv);
		printf("FAIL %s: cannot run it\n", path);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("FAIL %s: exit status 0x%x\n", path, status);
		return -1;
	}
	return 0;
}

int
main(void)
{
	char *iters = getenv("bench_iters");
	struct utsname u;
	int bad = 0;

	/* the kernel gives init /dev/console as fds 0-2 only if it could open it */
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (uname(&u) == 0)
		printf("INFO system %s %s %s\n", u.sysname, u.release, u.machine);
	if (iters == NULL)
		iters = "10000";
	for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
		if (run(programs[i], iters) < 0)
			bad = 1;
	printf("BENCH done\n");
	fflush(stdout);
	if (ioperm(0xf4, 4, 1) == 0)
		outb(bad ? 0x11 : 0x10, 0xf4);
	reboot(RB_POWER_OFF);
	return 0;
}
