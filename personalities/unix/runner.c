/*
 * The runner thread (runner.h): what the server's command line says to run,
 * each command a process of init's (the server's), waited for by the runner
 * rather than reaped by init. Images come from boot modules (image.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/error.h>
#include <manifold/trap.h>
#include "exec.h"
#include "fd.h"
#include "image.h"
#include "imagepager.h"
#include "linux.h"
#include "process.h"
#include "runner.h"
#include "sock.h"
#include "syscall.h"

#define ME mach_task_self()
#define LINE_MAX_ 256

static char *const env[] = { "PATH=/bin:/usr/bin", "HOME=/", "TERM=vt100", "LANG=C" };

/*
 * How many port names the server holds, less the images' objects (a cache
 * that fills as new programs run, at most 16: imagepager.c): what the runs
 * must give back. -1 if it cannot say.
 */
static int
port_names(void)
{
	mach_port_name_t *names;
	natural_t *types;
	mach_msg_type_number_t n = 0, tn = 0;

	if (mach_port_names(ME, &names, &n, &types, &tn) != KERN_SUCCESS)
		return -1;
	vm_deallocate(ME, (vm_address_t)names, n * sizeof *names);
	vm_deallocate(ME, (vm_address_t)types, tn * sizeof *types);
	return (int)n - imagepager_objects();
}

struct count {
	int live, zombies;
};

static void
count_one(struct process *p, void *arg)
{
	struct count *c = arg;

	if (p->state == PROC_LIVE)
		c->live++;
	else
		c->zombies++;
}

static char **cmd_argv;	/* the server's own command line */
static int cmd_argc;

struct run_scan {
	uint32_t run;
	bool alive;
};

static void
run_member(struct process *p, void *arg)
{
	struct run_scan *s = arg;

	if (p->run == s->run && p->state == PROC_LIVE)
		s->alive = true;
}

/* Whether a process run k started (or one of its descendants) still lives. Caller holds unix_lock. */
static bool
run_alive(uint32_t k)
{
	struct run_scan s = { k, false };

	process_each(run_member, &s);
	return s.alive;
}

/* The kernel's count of context switches, every task's (0 if it does not say). */
static uint32_t
switches(void)
{
	struct manifold_kernel_stats ks;

	return trap_raw(TRAP_kernel_stats, (uint32_t)&ks, 0, 0, 0, 0) == KERN_SUCCESS ? ks.switches : 0;
}

/*
 * Runs one command: words separated by blanks. The run is over when its
 * process and every process descended from it have ended, as a pipe a shell
 * reads gives its end of file only then.
 */
static void
run_one(int k, char *line)
{
	char *argv[EXEC_ARGS_MAX + 1], *save = NULL;
	struct exec_why why = { "" };
	struct process *p;
	const struct image *im;
	kern_return_t kr;
	int argc = 0, r, status;
	uint32_t replays_before, notices_before, ticks_before, switches_before;

	for (char *w = strtok_r(line, " \t", &save); w && argc < EXEC_ARGS_MAX; w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	if (argc == 0)
		return;
	argv[argc] = NULL;
	cthread_mutex_lock(&unix_lock);
	replays_before = server_replays;
	notices_before = sock_notices;
	ticks_before = sock_ticks;
	switches_before = switches();
	printf("unix: run %d:", k);
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	if (argv[0][0] == '/') {
		/* a path: fs's file (or the view's) */
		int err;

		if (!(im = exec_lookup(argv[0], NULL, &err))) {
			printf("unix: run %d: refused: %s: error %d\n", k, argv[0], -err);
			goto out;
		}
	} else if (!(im = image_module(argv[0], &kr))) {
		printf("unix: run %d: refused: no module %s (%s)\n", k, argv[0], kern_return_name(kr));
		goto out;
	}
	if (!(p = process_alloc(argv[0], INIT_PID))) {
		printf("unix: run %d: refused: the process table is full\n", k);
		goto out;
	}
	/* as if init had started it: init's group and session, so that it may make its own */
	p->pgid = p->sid = INIT_PID;
	p->run = (uint32_t)k;
	p->runner_reaps = true;
	r = fd_table_console(p);
	if (r != 0)
		snprintf(why.text, sizeof why.text, "no memory for its descriptors");
	if (r == 0)
		r = exec_start(p, im, argv, argc, env, (int)(sizeof env / sizeof env[0]), &why);
	if (r != 0) {
		printf("unix: %s: %s\n", argv[0], why.text);
		printf("unix: run %d: refused: %s\n", k, why.text);
		process_discard(p);
		goto out;
	}
	while (p->state != PROC_ZOMBIE || run_alive((uint32_t)k))
		cthread_cond_wait(&proc_changed, &unix_lock);
	status = p->status;
	process_reap(p);
	if (!console_at_line_start)
		printf("\n");	/* the framing line must start a line; the test knows it was added */
	if (status & 0x7F)
		printf("unix: run %d: signal %d%s\n", k, status & 0x7F, console_at_line_start ? "" : " (no final newline)");
	else
		printf("unix: run %d: exit %d%s\n", k, (status >> 8) & 0xFF,
		       console_at_line_start ? "" : " (no final newline)");
	console_at_line_start = true;
	/* for the suite: what a run leaves must not pile up (the first contention on a lock makes its port) */
	printf("unix: %d port names after run %d\n", port_names(), k);
	/* for the suite: a held call goes again only when what it waits for changed */
	printf("unix: %u held calls served again in run %d\n", server_replays - replays_before, k);
	/* gns's readiness messages, the fallback ticker's tries, and the system's switches (README's Cost) */
	printf("unix: %u socket notices, %u socket ticks, %u context switches in run %d\n",
	       sock_notices - notices_before, sock_ticks - ticks_before, switches() - switches_before, k);
out:
	cthread_mutex_unlock(&unix_lock);
}

static void *
runner(void *arg)
{
	char line[LINE_MAX_];
	int k = 0;

	(void)arg;
	for (int i = 1; i < cmd_argc; i++) {
		if (strncmp(cmd_argv[i], "run=", 4) == 0) {
			snprintf(line, sizeof line, "%s", cmd_argv[i] + 4);
			for (char *c = line; *c; c++)
				if (*c == '+')
					*c = ' ';
			run_one(++k, line);
		} else if (strncmp(cmd_argv[i], "script=", 7) == 0) {
			kern_return_t kr;
			const struct image *s;
			size_t at = 0;

			cthread_mutex_lock(&unix_lock);
			s = image_module(cmd_argv[i] + 7, &kr);
			cthread_mutex_unlock(&unix_lock);

			if (!s) {
				printf("unix: no script %s (%s)\n", cmd_argv[i] + 7, kern_return_name(kr));
				continue;
			}
			while (at < s->size) {
				size_t n = 0;

				while (at < s->size && s->data[at] != '\n') {
					if (n < sizeof line - 1)
						line[n++] = (char)s->data[at];
					at++;
				}
				at++;
				line[n] = '\0';
				if (n && line[0] != '#')
					run_one(++k, line);
			}
		}
	}
	/* what the runs left behind, for the suite: no process */
	struct count c = { 0, 0 };
	cthread_mutex_lock(&unix_lock);
	process_each(count_one, &c);
	cthread_mutex_unlock(&unix_lock);
	printf("unix: after the runs: %d live processes, %d zombies\n", c.live, c.zombies);
	printf("unix: all %d runs done\n", k);
	return NULL;
}

int
runner_start(int argc, char **argv)
{
	cthread_t t;

	cmd_argc = argc;
	cmd_argv = argv;
	if (cthread_fork(&t, runner, NULL) != KERN_SUCCESS)
		return -1;
	cthread_detach(t);
	return 0;
}
