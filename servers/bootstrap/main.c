/*
 * The bootstrap task: the first user task, started by the kernel from the
 * first boot module. It starts every other boot module in order, with the
 * command line the loader gave it, and reports what it started. This is the
 * minimal bootstrap: when a module named ns has started, the tasks after it get
 * the name server as their bootstrap port. Restarting servers comes later.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/trap.h>

#define NS_HELLO_ID 5099	/* what ns sends its bootstrap port when it is up (servers/ns) */

static mach_port_t hello_port;

/*
 * Every task started from now on inherits our bootstrap port. First it is a
 * port of ours, on which a name server says hello; then it is the name server.
 */
static void
setup_bootstrap_port(void)
{
	mach_port_t self = mach_task_self();

	if (mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &hello_port) != KERN_SUCCESS ||
	    mach_port_insert_right(self, hello_port, hello_port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    task_set_special_port(self, TASK_BOOTSTRAP_PORT, hello_port) != KERN_SUCCESS)
		printf("bootstrap: cannot set up the bootstrap port\n");
}

/* The name server just started: wait for its hello and hand it to the tasks after it. */
static void
adopt_name_server(void)
{
	struct {
		mach_msg_header_t h;
		mach_msg_trailer_t t;
	} m;

	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, hello_port, 5000, 0) != MACH_MSG_SUCCESS ||
	    m.h.msgh_id != NS_HELLO_ID || !MACH_PORT_VALID(m.h.msgh_remote_port)) {
		printf("bootstrap: the name server did not say hello\n");
		return;
	}
	task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, m.h.msgh_remote_port);
	printf("bootstrap: name server is up; later tasks find it through their bootstrap port\n");
}

#define MAX_LISTED 32

int
main(int argc, char **argv)
{
	uint32_t count = 0, started = 0, failed = 0;
	char names[MAX_LISTED * 34] = "";
	uint64_t t0, t1;

	trap_clock_uptime(&t0);
	setup_bootstrap_port();
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
		if (strstr(line, " start=no")) {	/* started by another task, later */
			printf("bootstrap: module %u (%s) left for another task to start\n", i, line);
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
		if (strcmp(name, "ns") == 0)
			adopt_name_server();
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
