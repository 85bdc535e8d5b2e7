/*
 * The runner thread (runner.h): until the Unix server has fork and exec for a
 * shell to use, its command line says what to run. Images come from boot
 * modules the bootstrap left alone (start=no), through bootstrap_module_read,
 * each read once and kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/error.h>
#include "bootstrap_client.h"
#include "exec.h"
#include "linux.h"
#include "ns_client.h"
#include "process.h"
#include "runner.h"

#define ME mach_task_self()
#define IMAGES_MAX 8
#define LINE_MAX_ 256

static char *const env[] = { "PATH=/bin:/usr/bin", "HOME=/", "TERM=vt100", "LANG=C" };

static struct image {
	char name[32];
	uint8_t *data;
	mach_msg_type_number_t size;
} images[IMAGES_MAX];	/* [runner] */
static int nimages;

static char **cmd_argv;	/* the server's own command line */
static int cmd_argc;
static mach_port_t bootstrap = MACH_PORT_NULL;

static kern_return_t
find_bootstrap(void)
{
	mach_port_t ns;

	if (MACH_PORT_VALID(bootstrap))
		return KERN_SUCCESS;
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return KERN_INVALID_NAME;
	return ns_wait(ns, "/servers/bootstrap", 5000, &bootstrap);
}

static struct image *
image_get(const char *name, kern_return_t *kr)
{
	struct image *im;

	for (int i = 0; i < nimages; i++)
		if (strcmp(images[i].name, name) == 0)
			return &images[i];
	if (nimages == IMAGES_MAX) {
		*kr = KERN_RESOURCE_SHORTAGE;
		return NULL;
	}
	if ((*kr = find_bootstrap()) != KERN_SUCCESS)
		return NULL;
	im = &images[nimages];
	snprintf(im->name, sizeof im->name, "%s", name);
	*kr = bootstrap_module_read(bootstrap, name, &im->data, &im->size);
	if (*kr != KERN_SUCCESS)
		return NULL;
	nimages++;
	return im;
}

/* Runs one command: words separated by blanks. */
static void
run_one(int k, char *line)
{
	char *argv[EXEC_ARGS_MAX + 1], *save = NULL;
	struct exec_why why = { "" };
	struct process *p;
	struct image *im;
	kern_return_t kr;
	int argc = 0, r, status;

	for (char *w = strtok_r(line, " \t", &save); w && argc < EXEC_ARGS_MAX; w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	if (argc == 0)
		return;
	argv[argc] = NULL;
	printf("unix: run %d:", k);
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	if (!(im = image_get(argv[0], &kr))) {
		printf("unix: run %d: refused: no module %s (%s)\n", k, argv[0], kern_return_name(kr));
		return;
	}
	if (!(p = process_alloc(argv[0]))) {
		printf("unix: run %d: refused: the process table is full\n", k);
		return;
	}
	r = exec_start(p, im->data, im->size, argv, argc, env, (int)(sizeof env / sizeof env[0]), &why);
	if (r != 0) {
		printf("unix: %s: %s\n", argv[0], why.text);
		printf("unix: run %d: refused: %s\n", k, why.text);
		process_free(p);
		return;
	}
	status = process_wait(p);
	if (!p->wrote_newline)
		printf("\n");	/* the framing line must start a line; the test knows it was added */
	if (status & 0x7F)
		printf("unix: run %d: signal %d%s\n", k, status & 0x7F, p->wrote_newline ? "" : " (no final newline)");
	else
		printf("unix: run %d: exit %d%s\n", k, (status >> 8) & 0xFF, p->wrote_newline ? "" : " (no final newline)");
	process_free(p);
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
			struct image *s = image_get(cmd_argv[i] + 7, &kr);
			size_t at = 0;

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
