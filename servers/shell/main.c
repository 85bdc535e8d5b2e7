/*
 * shell: a small native shell on the console, for `make run`. It reads a line
 * through the console server (stdin), splits it at blanks and runs the
 * command of that name from commands.c; anything else gets a clear error.
 * Started with run=COMMAND words on its module line it runs each of them
 * instead and exits (a test's way to see a command's output); '+' in
 * such a word stands for a blank (run=udpsend+10.77.0.9+7+hi).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include "commands.h"

#define MAX_ARGS 8

static void
run_line(char *line)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;

	for (char *w = strtok(line, " \t\n"); w; w = strtok(NULL, " \t\n")) {
		if (argc == MAX_ARGS) {
			printf("shell: too many arguments (at most %d)\n", MAX_ARGS - 1);
			return;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	if (argc == 0)
		return;
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[0]) == 0) {
			c->run(argc, argv);
			return;
		}
	}
	printf("shell: unknown command '%s' (try help)\n", argv[0]);
}

int
main(int argc, char **argv)
{
	static char line[256];
	mach_port_t ns;

	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS) {
		printf("shell: no name server\n");
		return 1;
	}
	commands_init(ns);
	for (int i = 1, ran = 0; i < argc; i++) {
		if (strncmp(argv[i], "run=", 4) == 0) {
			snprintf(line, sizeof line, "%s", argv[i] + 4);
			/* a module's words split at blanks (and QEMU's -initrd at commas): '+' joins a command's */
			for (char *c = line; *c; c++)
				if (*c == '+')
					*c = ' ';
			run_line(line);
			ran = 1;
		}
		if (ran && i == argc - 1)
			return 0;
	}
	printf("Manifold shell: type help for the commands\n");
	for (;;) {
		printf("manifold> ");
		fflush(stdout);
		if (!fgets(line, sizeof line, stdin)) {
			clearerr(stdin);
			continue;
		}
		run_line(line);
	}
}
