/*
 * The bootstrap task: the first user task, started by the kernel from the
 * first boot module with the privileged host port as its TASK_HOST_PORT. It
 * starts every other boot module in order, with the command line the loader
 * gave it, and reports what it started; only the servers in
 * host_priv_holders get the privileged host port from it. It makes the name
 * server's service port itself and gives it every task after ns as its
 * bootstrap port; the receive right goes to ns when it checks in
 * (bootstrap_checkin, service.c), and comes back here when ns dies, so the
 * port, and every task's bootstrap port, outlives any one name server. So
 * it is for every server that checks in (servers/README.md, restarts).
 * Then it serves bootstrap.defs and watches: a task whose module line says
 * restart=always is started again when it dies, at most RESTART_LIMIT times
 * a minute. The main thread never calls ns (it may be the one restarting
 * it): the registrar thread (registrar.c) keeps the names there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/msg.h>
#include <manifold/task_limits.h>
#include <manifold/trap.h>
#include "bootstrap_server.h"
#include "module.h"

#define ME mach_task_self()

/* Our own output goes straight to the kernel: we restart the console server (libmsg/runtime/stdio_console.c). */
int stdio_uses_kernel_console = 1;

/*
 * The modules that get the privileged host port (as their TASK_HOST_PORT)
 * when started: the console server, for the console_read trap. Nobody else
 * holds it; ps asks us (bootstrap_task_list).
 */
static const char *const host_priv_holders[] = { "console" };

struct module modules[MAX_MODULES];
int nmodules;
struct cthread_mutex modules_lock = CTHREAD_MUTEX_INITIALIZER;
mach_port_t service, ns = MACH_PORT_NULL, notify_port;
static mach_port_t host_priv, set;
static uint64_t serve_deadline_ms;
static const bool *serve_until_flag;

static uint64_t
now_ms(void)
{
	uint64_t t = 0;

	trap_clock_uptime(&t);
	return t / 1000000;
}

/* Requests (service) and notifications (notify_port) arrive on one set. */
static void
setup_ports(void)
{
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &notify_port) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &service) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, service, service, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS ||
	    mach_port_allocate(ME, MACH_PORT_RIGHT_PORT_SET, &set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, notify_port, set) != KERN_SUCCESS ||
	    mach_port_move_member(ME, service, set) != KERN_SUCCESS)
		printf("bootstrap: cannot set up its ports\n");
	mach_port_set_qlimit(ME, notify_port, MACH_PORT_QLIMIT_MAX);
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

bool
holds_host_priv(const char *name)
{
	for (size_t i = 0; i < sizeof host_priv_holders / sizeof host_priv_holders[0]; i++)
		if (strcmp(name, host_priv_holders[i]) == 0)
			return true;
	return false;
}

struct module *
module_named(const char *name)
{
	for (int i = 0; i < nmodules; i++)
		if (strcmp(modules[i].name, name) == 0)
			return &modules[i];
	return NULL;
}

/* The name server's service port: ours to make, so that it outlives every ns. */
static void
make_ns_port(struct module *m)
{
	if (MACH_PORT_VALID(m->service))
		return;
	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &m->service) != KERN_SUCCESS ||
	    mach_port_insert_right(ME, m->service, m->service, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS) {
		printf("bootstrap: cannot make the name server's port\n");
		m->service = MACH_PORT_NULL;
		return;
	}
	mach_port_set_qlimit(ME, m->service, MACH_PORT_QLIMIT_MAX);
	m->service_held = true;
	ns = m->service;
}

/*
 * Serves requests and notifications until *flag or timeout_ms pass (for a
 * server's checkin at boot: it must be served while we wait for it).
 */
static uint32_t
until_tick(void)
{
	uint64_t now = now_ms();

	if ((serve_until_flag && *serve_until_flag) || now >= serve_deadline_ms) {
		server.stop = true;
		return 0;
	}
	return (uint32_t)(serve_deadline_ms - now);
}

static bool
serve_until(const bool *flag, uint32_t timeout_ms)
{
	serve_until_flag = flag;
	serve_deadline_ms = now_ms() + timeout_ms;
	server.tick = until_tick;
	server.stop = false;
	msg_server_run(&server);
	server.tick = NULL;
	server.stop = false;
	serve_until_flag = NULL;
	return *flag;
}

/* The number after word in line (" tasks=1024"), or 0. */
static uint32_t
word_number(const char *line, const char *word)
{
	const char *w = strstr(line, word);

	return w ? (uint32_t)strtoul(w + strlen(word), NULL, 10) : 0;
}

/*
 * A module whose line says tasks=N may create N tasks while they live, where
 * the kernel's default is TASK_LIMIT_TASKS_DEFAULT (the Unix personality: a
 * process's children are tasks made from its task, which starts with the
 * server's limits). Ours is TASK_LIMIT_TASKS_BOOTSTRAP, and nobody gives more
 * than it has. Set as the module starts, before it has made any.
 */
static void
give_tasks_limit(struct module *m, mach_port_t task)
{
	natural_t limits[TASK_LIMITS_COUNT], usage[TASK_LIMITS_COUNT];
	mach_msg_type_number_t n = TASK_LIMITS_COUNT, u = TASK_LIMITS_COUNT;
	kern_return_t kr = task_get_limits(task, limits, &n, usage, &u);

	if (kr == KERN_SUCCESS) {
		limits[TASK_LIMIT_TASKS] = m->tasks_limit;
		kr = task_set_limits(task, limits, TASK_LIMITS_COUNT);
	}
	if (kr != KERN_SUCCESS)
		printf("bootstrap: %s: tasks=%u not given: %s\n", m->name, m->tasks_limit, kern_return_name(kr));
}

/*
 * Starts module m; watches its task port for its death. The name server's
 * bootstrap port is ours (it checks in here); every later task's is the name
 * server's port.
 */
kern_return_t
module_start(struct module *m)
{
	uint32_t id;
	mach_port_t prev, port = MACH_PORT_NULL;
	bool is_ns = strcmp(m->name, "ns") == 0;
	kern_return_t kr;

	if (is_ns) {
		make_ns_port(m);
		task_set_special_port(ME, TASK_BOOTSTRAP_PORT, service);
	}
	m->checked_in = false;
	m->retired = false;
	kr = trap_boot_module_start_port(host_priv, m->index, holds_host_priv(m->name) ? host_priv : MACH_PORT_NULL,
					 &id, &port);
	if (is_ns || MACH_PORT_VALID(ns))
		task_set_special_port(ME, TASK_BOOTSTRAP_PORT, ns);
	if (kr != KERN_SUCCESS)
		return kr;
	if (m->tasks_limit)
		give_tasks_limit(m, port);
	cthread_mutex_lock(&modules_lock);
	m->task = port;
	cthread_mutex_unlock(&modules_lock);
	mach_port_request_notification(ME, port, MACH_NOTIFY_DEAD_NAME, 1, notify_port, MACH_MSG_TYPE_MAKE_SEND_ONCE,
				       &prev);
	printf("bootstrap: started task %u (%s) from module %u\n", id, m->name, m->index);
	registrar_kick();	/* /tasks/<name> */
	return KERN_SUCCESS;
}

/* May a crash restart m now? Not more than RESTART_LIMIT times a minute. */
static bool
restart_allowed(struct module *m, uint64_t now)
{
	int recent = 0;

	for (int r = 0; r < m->nrestarts; r++)
		recent += now - m->restarts_ms[r] < 60000;
	if (recent >= RESTART_LIMIT) {
		printf("bootstrap: %s died %d times within a minute; not restarted\n", m->name, recent);
		return false;
	}
	m->restarts_ms[m->nrestarts++ % RESTART_LIMIT] = now;
	if (m->nrestarts > RESTART_LIMIT)
		m->nrestarts = RESTART_LIMIT;
	return true;
}

/*
 * A server that is not coming back: its service port goes (once it is back
 * here), so its clients see a dead name instead of waiting for ever.
 */
static void
retire_service(struct module *m)
{
	m->retired = true;
	if (!MACH_PORT_VALID(m->service) || !m->service_held || m->service == ns)
		return;
	cthread_mutex_lock(&modules_lock);
	mach_port_mod_refs(ME, m->service, MACH_PORT_RIGHT_RECEIVE, -1);
	mach_port_deallocate(ME, m->service);	/* our send right, a dead name now */
	m->service = MACH_PORT_NULL;
	cthread_mutex_unlock(&modules_lock);
	m->service_held = false;
}

/* A watched task died: maybe start it again. */
static void
died(mach_port_name_t task)
{
	for (int i = 0; i < nmodules; i++) {
		struct module *m = &modules[i];
		bool asked = m->restart_asked;
		if (m->task != task)
			continue;
		cthread_mutex_lock(&modules_lock);
		mach_port_deallocate(ME, task);
		m->task = MACH_PORT_NULL;
		cthread_mutex_unlock(&modules_lock);
		m->restart_asked = false;
		printf("bootstrap: task %s died\n", m->name);
		if (!asked && (!m->restart || !restart_allowed(m, now_ms()))) {
			retire_service(m);
			return;
		}
		printf("bootstrap: restarting %s\n", m->name);
		cthread_mutex_lock(&modules_lock);
		m->restarts++;
		cthread_mutex_unlock(&modules_lock);
		if (module_start(m) != KERN_SUCCESS)
			printf("bootstrap: %s could not be restarted\n", m->name);
		return;
	}
}

/* A service port came back from a dead server: keep it, with its queue, for the next instance. */
static void
port_back(mach_port_t right)
{
	for (int i = 0; i < nmodules; i++) {
		if (modules[i].service == right) {
			modules[i].service_held = true;
			if (modules[i].retired)
				retire_service(&modules[i]);
			return;
		}
	}
	mach_port_mod_refs(ME, right, MACH_PORT_RIGHT_RECEIVE, -1);	/* not one of ours */
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

#define READ_CHUNK (64 * 1024)

kern_return_t
bootstrap_do_bootstrap_module_read(mach_port_t server, const char *name, uint8_t **data,
				   mach_msg_type_number_t *dataCnt)
{
	char line[256], mname[32];
	uint32_t count = 0, bytes = 0, i, off;
	vm_address_t buf = 0;
	kern_return_t kr;

	if (trap_boot_module_count(host_priv, &count) != KERN_SUCCESS)
		return KERN_INVALID_NAME;
	for (i = 1; i < count; i++) {
		if (trap_boot_module_info(host_priv, i, line, sizeof line, &bytes) != KERN_SUCCESS)
			continue;
		module_name(line, mname, sizeof mname);
		if (strstr(line, " start=no") && strcmp(mname, name) == 0)
			break;
	}
	if (i >= count)
		return KERN_INVALID_NAME;
	if (bytes == 0) {
		*data = NULL;
		*dataCnt = 0;
		return KERN_SUCCESS;
	}
	if (vm_allocate(ME, &buf, bytes, TRUE) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	memset((void *)buf, 0, bytes);	/* the trap copies only into pages that are there */
	for (off = 0; off < bytes; off += READ_CHUNK) {
		uint32_t n = bytes - off < READ_CHUNK ? bytes - off : READ_CHUNK;

		kr = trap_boot_module_read(host_priv, i, off, (void *)(buf + off), n);
		if (kr != KERN_SUCCESS) {
			vm_deallocate(ME, buf, bytes);
			return kr;
		}
	}
	*data = (uint8_t *)buf;	/* the reply moves it (dealloc) */
	*dataCnt = bytes;
	return KERN_SUCCESS;
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

static const msg_demux_t demuxes[] = { bootstrap_server };
struct msg_server server = {
	.demuxes = demuxes,
	.ndemuxes = 1,
	.max_request = BOOTSTRAP_REQUEST_MAX_SIZE,
	.max_reply = BOOTSTRAP_REPLY_MAX_SIZE,
	.dead_name = died,
	.port_destroyed = port_back,
};

/* Starts module line i of the boot configuration; false if it was not started. */
static bool
start_module(uint32_t i, uint32_t *failed)
{
	struct module *m = &modules[nmodules];
	char line[256];
	uint32_t bytes;
	kern_return_t kr = trap_boot_module_info(host_priv, i, line, sizeof line, &bytes);

	if (kr != KERN_SUCCESS) {
		printf("bootstrap: module %u: no information (%s)\n", i, kern_return_name(kr));
		(*failed)++;
		return false;
	}
	if (strstr(line, " start=no")) {	/* started by another task, later */
		printf("bootstrap: module %u (%s) left for another task to start\n", i, line);
		return false;
	}
	memset(m, 0, sizeof *m);
	m->index = i;
	m->restart = strstr(line, " restart=always") != NULL;
	m->public_task = strstr(line, " task=public") != NULL;
	m->driver = strstr(line, " driver") != NULL;
	m->clock = strstr(line, " clock") != NULL;
	m->tasks_limit = word_number(line, " tasks=");
	module_name(line, m->name, sizeof m->name);
	cthread_mutex_lock(&modules_lock);
	nmodules++;
	cthread_mutex_unlock(&modules_lock);
	kr = module_start(m);
	if (kr != KERN_SUCCESS) {
		printf("bootstrap: module %u (%s, %u bytes) not started: %s\n", i, m->name, bytes, kern_return_name(kr));
		cthread_mutex_lock(&modules_lock);
		nmodules--;
		cthread_mutex_unlock(&modules_lock);
		(*failed)++;
		return false;
	}
	/* ns and the console must be serving before the tasks after them look for them */
	if (strcmp(m->name, "ns") == 0) {
		if (!serve_until(&m->checked_in, 5000))
			printf("bootstrap: the name server did not check in\n");
		else
			printf("bootstrap: name server is up; later tasks find it through their bootstrap port\n");
		registrar_start();
	} else if (strcmp(m->name, "console") == 0) {
		if (!serve_until(&m->checked_in, 5000) || !registrar_wait(5000))
			printf("bootstrap: the console server did not register /servers/console\n");
	}
	return true;
}

int
main(int argc, char **argv)
{
	uint32_t count = 0, started = 0, failed = 0;
	char names[MAX_MODULES * 34] = "";
	uint64_t t0 = now_ms();

	setup_ports();
	server.port = set;
	server.notify_port = notify_port;
	if (task_get_special_port(ME, TASK_HOST_PORT, &host_priv) != KERN_SUCCESS)
		printf("bootstrap: the kernel gave it no privileged host port\n");
	devices_init(host_priv);
	if (trap_boot_module_count(host_priv, &count) != KERN_SUCCESS) {
		printf("bootstrap: cannot read the boot modules\n");
		return 1;
	}
	for (uint32_t i = 1; i < count && nmodules < MAX_MODULES; i++) {
		if (!start_module(i, &failed))
			continue;
		if (started)
			strcat(names, ", ");
		strcat(names, modules[nmodules - 1].name);
		started++;
	}
	printf("bootstrap: started %u task%s in %u ms (%u module%s failed)%s%s\n", started, started == 1 ? "" : "s",
	       (unsigned)(now_ms() - t0), failed, failed == 1 ? "" : "s", started ? ": " : "", names);
	printf("bootstrap: system up %u ms after boot\n", (unsigned)now_ms());
	for (;;)	/* serve, and watch the tasks */
		msg_server_run(&server);
}
