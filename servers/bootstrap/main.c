/*
 * The bootstrap task: the first user task, started by the kernel from the
 * first boot module with the privileged host port as its TASK_HOST_PORT. It
 * starts every other boot module in order, with the command line the loader
 * gave it, and reports what it started; only the servers in
 * host_priv_holders get the privileged host port from it. When a module
 * named ns has started, the tasks after it get the name server as their
 * bootstrap port, and each started task's port is registered as /tasks/<name>.
 * A module named console is waited for until it has registered, so the tasks
 * after it find it for their stdio.
 * Then it serves bootstrap.defs (registered as /servers/bootstrap: starting
 * the modules left for others to start, and the task list for ps) and
 * watches: a task whose module line says restart=always is started again
 * when it dies, at most RESTART_LIMIT times a minute.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "bootstrap_server.h"
#include "ns_client.h"

#define NS_HELLO_ID 5099	/* what ns sends its bootstrap port when it is up (servers/ns) */
#define MAX_MODULES 32
#define RESTART_LIMIT 5		/* restarts of one module within a minute */

struct module {
	uint32_t index;
	char name[32];
	mach_port_t task;	/* send right to its task port, a dead name once it died */
	int restart;		/* restart=always */
	int public_task;	/* task=public: registered as /tasks/<name> even if privileged */
	uint64_t restarts_ms[RESTART_LIMIT];
	int nrestarts;
};

/* Our own output goes straight to the kernel: we restart the console server (libmsg/runtime/stdio_console.c). */
int stdio_uses_kernel_console = 1;

/*
 * The modules that get the privileged host port (as their TASK_HOST_PORT)
 * when started: the console server, for the console_read trap. Nobody else
 * holds it; ps asks us (bootstrap_task_list).
 */
static const char *const host_priv_holders[] = { "console" };

static struct module modules[MAX_MODULES];
static int nmodules;
static mach_port_t host_priv, hello_port, notify_port, service, set, ns = MACH_PORT_NULL;

static uint64_t
now_ms(void)
{
	uint64_t t = 0;

	trap_clock_uptime(&t);
	return t / 1000000;
}

/*
 * Every task started inherits our bootstrap port. Until the name server is up
 * there is none, except for the name server itself, which gets a port of ours
 * to say hello on (start); after that it is the name server. Requests
 * (service) and dead-name notifications (notify_port) arrive on one set.
 */
static void
setup_ports(void)
{
	mach_port_t self = mach_task_self();

	if (mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &hello_port) != KERN_SUCCESS ||
	    mach_port_insert_right(self, hello_port, hello_port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &notify_port) != KERN_SUCCESS ||
	    mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS ||
	    mach_port_insert_right(self, service, service, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_allocate(self, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_move_member(self, notify_port, set) != KERN_SUCCESS ||
	    mach_port_move_member(self, service, set) != KERN_SUCCESS)
		printf("bootstrap: cannot set up its ports\n");
}

/* The module's name: its file name without directory and .elf. */
static void
module_name(const char *line, char *name, size_t size)
{
	const char *w = line, *slash;
	size_t n = strcspn(line, " ");

	for (slash = w; slash < line + n; slash++)
		if (*slash == '/')
			w = slash + 1;
	n -= (size_t)(w - line);
	if (n > 4 && strncmp(w + n - 4, ".elf", 4) == 0)
		n -= 4;
	snprintf(name, size, "%.*s", (int)n, n ? w : "?");
}

/* The name server just started: wait for its hello and hand it to the tasks after it. */
static void
adopt_name_server(void)
{
	struct {
		mach_msg_header_t h;
		mach_msg_trailer_t t;
	} m;
	mach_port_t registration;

	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, hello_port, 5000, 0) != MACH_MSG_SUCCESS ||
	    m.h.msgh_id != NS_HELLO_ID || !MACH_PORT_VALID(m.h.msgh_remote_port)) {
		printf("bootstrap: the name server did not say hello\n");
		task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL);
		return;
	}
	ns = m.h.msgh_remote_port;
	task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, ns);
	printf("bootstrap: name server is up; later tasks find it through their bootstrap port\n");
	if (ns_register(ns, "/servers/bootstrap", service, &registration) != KERN_SUCCESS)
		printf("bootstrap: cannot register /servers/bootstrap\n");
}

static bool
holds_host_priv(const char *name)
{
	for (size_t i = 0; i < sizeof host_priv_holders / sizeof host_priv_holders[0]; i++)
		if (strcmp(name, host_priv_holders[i]) == 0)
			return true;
	return false;
}

/*
 * Registers the task's port as /tasks/<name> (retrying while a dead one's name
 * lingers). Not a privileged server's: a task port is total control of the
 * task, its host_priv right included, and any task can look names up.
 */
static void
register_task(struct module *m)
{
	char path[48];
	mach_port_t registration;

	if (!MACH_PORT_VALID(ns) || (holds_host_priv(m->name) && !m->public_task))
		return;
	snprintf(path, sizeof path, "/tasks/%s", m->name);
	for (int i = 0; i < 50; i++) {
		if (ns_register(ns, path, m->task, &registration) != KERN_NAME_EXISTS)
			return;
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
}

/* The console server just started: the tasks after it should find it when they first print. */
static void
wait_for_console(void)
{
	mach_port_t console;

	if (!MACH_PORT_VALID(ns) || ns_wait(ns, "/servers/console", 5000, &console) != KERN_SUCCESS) {
		printf("bootstrap: the console server did not register /servers/console\n");
		return;
	}
	mach_port_deallocate(mach_task_self(), console);
}

/* Starts module m; watches its task port for its death. */
static kern_return_t
start(struct module *m)
{
	uint32_t id;
	mach_port_t prev, port = MACH_PORT_NULL;
	int is_ns = strcmp(m->name, "ns") == 0 && !MACH_PORT_VALID(ns);
	kern_return_t kr;

	if (is_ns)
		task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, hello_port);
	kr = trap_boot_module_start_port(host_priv, m->index, holds_host_priv(m->name) ? host_priv : MACH_PORT_NULL,
					 &id, &port);
	if (kr != KERN_SUCCESS) {
		if (is_ns)
			task_set_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, MACH_PORT_NULL);
		return kr;
	}
	m->task = port;
	mach_port_request_notification(mach_task_self(), port, MACH_NOTIFY_DEAD_NAME, 1, notify_port,
				       MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	printf("bootstrap: started task %u (%s) from module %u\n", id, m->name, m->index);
	if (is_ns)
		adopt_name_server();
	register_task(m);
	if (strcmp(m->name, "console") == 0)
		wait_for_console();
	return KERN_SUCCESS;
}

/* A watched task died: maybe start it again. */
static void
died(mach_port_name_t task)
{
	uint64_t now = now_ms();
	int recent = 0;

	for (int i = 0; i < nmodules; i++) {
		struct module *m = &modules[i];
		if (m->task != task)
			continue;
		mach_port_deallocate(mach_task_self(), task);
		m->task = MACH_PORT_NULL;
		printf("bootstrap: task %s died\n", m->name);
		if (!m->restart)
			return;
		for (int r = 0; r < m->nrestarts; r++)
			recent += now - m->restarts_ms[r] < 60000;
		if (recent >= RESTART_LIMIT) {
			printf("bootstrap: %s died %d times within a minute; not restarted\n", m->name, recent);
			return;
		}
		m->restarts_ms[m->nrestarts++ % RESTART_LIMIT] = now;
		if (m->nrestarts > RESTART_LIMIT)
			m->nrestarts = RESTART_LIMIT;
		printf("bootstrap: restarting %s\n", m->name);
		if (start(m) != KERN_SUCCESS)
			printf("bootstrap: %s could not be restarted\n", m->name);
		return;
	}
}

kern_return_t
bootstrap_do_bootstrap_module_start(mach_port_t server, uint32_t index, uint32_t *task_id, mach_port_t *task)
{
	char line[256], name[32];
	uint32_t count = 0, bytes;
	kern_return_t kr;

	if (trap_boot_module_count(host_priv, &count) != KERN_SUCCESS || index == 0 || index >= count ||
	    trap_boot_module_info(host_priv, index, line, sizeof line, &bytes) != KERN_SUCCESS ||
	    !strstr(line, " start=no"))
		return KERN_INVALID_ARGUMENT;
	kr = trap_boot_module_start_port(host_priv, index, MACH_PORT_NULL, task_id, task);
	module_name(line, name, sizeof name);
	if (kr == KERN_SUCCESS)
		printf("bootstrap: started task %u (%s) from module %u, as asked\n", *task_id, name, index);
	return kr;
}

#define SUMMARY_WORDS 21
_Static_assert(sizeof(struct manifold_task_summary) == SUMMARY_WORDS * sizeof(uint32_t),
	       "bootstrap.defs counts 21 words a task");

kern_return_t
bootstrap_do_bootstrap_task_list(mach_port_t server, uint32_t *count, uint32_t *tasks,
				 mach_msg_type_number_t *tasksCnt)
{
	uint32_t room = *tasksCnt / SUMMARY_WORDS, n = 0;
	kern_return_t kr = trap_task_list(host_priv, (struct manifold_task_summary *)tasks, room, &n);

	if (kr != KERN_SUCCESS)
		return kr;
	*count = n;
	*tasksCnt = (n < room ? n : room) * SUMMARY_WORDS;
	return KERN_SUCCESS;
}

/* What no demux claims: a dead-name notification is news only on notify_port, where nobody else can send. */
static void
notified(mach_msg_header_t *in)
{
	if (in->msgh_local_port == notify_port && in->msgh_id == MACH_NOTIFY_DEAD_NAME) {
		mach_port_name_t dead = ((mach_dead_name_notification_t *)in)->not_port;
		died(dead);
		/* the notification brings a reference for the dead name, as in Mach */
		mach_port_deallocate(mach_task_self(), dead);
	} else
		mach_msg_destroy(in);
}

int
main(int argc, char **argv)
{
	static const msg_demux_t demuxes[] = { bootstrap_server };
	uint32_t count = 0, started = 0, failed = 0;
	char names[MAX_MODULES * 34] = "";
	uint64_t t0 = now_ms();

	setup_ports();
	if (task_get_special_port(mach_task_self(), TASK_HOST_PORT, &host_priv) != KERN_SUCCESS)
		printf("bootstrap: the kernel gave it no privileged host port\n");
	if (trap_boot_module_count(host_priv, &count) != KERN_SUCCESS) {
		printf("bootstrap: cannot read the boot modules\n");
		return 1;
	}
	for (uint32_t i = 1; i < count && nmodules < MAX_MODULES; i++) {
		struct module *m = &modules[nmodules];
		char line[256];
		uint32_t bytes;
		kern_return_t kr = trap_boot_module_info(host_priv, i, line, sizeof line, &bytes);

		if (kr != KERN_SUCCESS) {
			printf("bootstrap: module %u: no information (%s)\n", i, kern_return_name(kr));
			failed++;
			continue;
		}
		if (strstr(line, " start=no")) {	/* started by another task, later */
			printf("bootstrap: module %u (%s) left for another task to start\n", i, line);
			continue;
		}
		memset(m, 0, sizeof *m);
		m->index = i;
		m->restart = strstr(line, " restart=always") != NULL;
		m->public_task = strstr(line, " task=public") != NULL;
		module_name(line, m->name, sizeof m->name);
		kr = start(m);
		if (kr != KERN_SUCCESS) {
			printf("bootstrap: module %u (%s, %u bytes) not started: %s\n", i, m->name, bytes,
			       kern_return_name(kr));
			failed++;
			continue;
		}
		if (started)
			strcat(names, ", ");
		strcat(names, m->name);
		started++;
		nmodules++;
	}
	printf("bootstrap: started %u task%s in %u ms (%u module%s failed)%s%s\n", started, started == 1 ? "" : "s",
	       (unsigned)(now_ms() - t0), failed, failed == 1 ? "" : "s", started ? ": " : "", names);
	printf("bootstrap: system up %u ms after boot\n", (unsigned)now_ms());
	for (;;)	/* serve, and watch the tasks */
		msg_serve(set, demuxes, 1, notified,
			  BOOTSTRAP_REQUEST_MAX_SIZE > sizeof(mach_dead_name_notification_t)
				  ? BOOTSTRAP_REQUEST_MAX_SIZE : sizeof(mach_dead_name_notification_t),
			  BOOTSTRAP_REPLY_MAX_SIZE);
}
