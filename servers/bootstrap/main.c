/*
 * The bootstrap task: the first user task, started by the kernel from the
 * first boot module. It starts every other boot module in order, with the
 * command line the loader gave it, and reports what it started. This is the
 * minimal bootstrap; handing out the name server's port and restarting servers
 * come with libmsg and IPC.
 */
#include <stdio.h>
#include <string.h>
#include <manifold/error.h>
#include <manifold/trap.h>

#define MAX_LISTED 32

int
main(int argc, char **argv)
{
	uint32_t count = 0, started = 0, failed = 0;
	char names[MAX_LISTED * 34] = "";
	uint64_t t0, t1;

	trap_clock_uptime(&t0);
	if (trap_boot_module_count(&count) != KERN_SUCCESS) {
		printf("bootstrap: cannot read the boot modules\n");
		return 1;
	}
	for (uint32_t i = 1; i < count; i++) {
		char line[256], name[32], *w, *slash;
		uint32_t bytes, id;
		kern_return_t kr;

		kr = trap_boot_module_info(i, line, sizeof line, &bytes);
		if (kr != KERN_SUCCESS) {
			printf("bootstrap: module %u: no information (%s)\n", i, kern_return_name(kr));
			failed++;
			continue;
		}
		kr = trap_boot_module_start(i, &id);
		if (kr != KERN_SUCCESS) {
			printf("bootstrap: module %u (%s, %u bytes) not started: %s\n", i, line, bytes,
			       kern_return_name(kr));
			failed++;
			continue;
		}
		/* the task's name: the file name without its directory */
		w = strtok(line, " ");
		slash = w ? strrchr(w, '/') : NULL;
		snprintf(name, sizeof name, "%s", slash ? slash + 1 : w ? w : "?");
		if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".elf") == 0)
			name[strlen(name) - 4] = 0;
		printf("bootstrap: started task %u (%s) from module %u\n", id, name, i);
		if (started < MAX_LISTED) {
			if (started)
				strcat(names, ", ");
			strcat(names, name);
		}
		started++;
	}
	trap_clock_uptime(&t1);
	printf("bootstrap: started %u task%s in %u ms (%u module%s failed)%s%s\n", started,
	       started == 1 ? "" : "s", (unsigned)((t1 - t0) / 1000000), failed, failed == 1 ? "" : "s",
	       started ? ": " : "", names);
	printf("bootstrap: system up %u ms after boot\n", (unsigned)(t1 / 1000000));
	return 0;
}
