/*
 * The bootstrap's table of the modules it started (main.c), shared with the
 * registrar thread (registrar.c), which keeps their names in ns, and with the
 * handlers of bootstrap.defs (service.c).
 *   [M] modules_lock (written by the main thread, read by the registrar)
 *   [main] the main thread only
 */
#ifndef BOOTSTRAP_MODULE_H
#define BOOTSTRAP_MODULE_H

#include <stdbool.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/msg.h>

#define MAX_MODULES 32
#define RESTART_LIMIT 5		/* restarts of one module within a minute, for crashes */

struct module {
	uint32_t index;				/* [I] its boot module */
	char name[32];				/* [I] */
	bool restart;				/* [I] restart=always */
	bool public_task;			/* [I] task=public */
	bool driver;				/* [I] driver: may have the device port (devices.c) */
	bool clock;				/* [I] clock: may set the time of day (devices.c) */
	uint32_t tasks_limit;			/* [I] tasks=N: its TASK_LIMIT_TASKS (0: the default) */
	mach_port_t task;			/* [M] send right to its task port; NULL while not running */
	mach_port_t service;			/* [M] its service port (our send right; our receive right too while held) */
	bool service_held;			/* [main] we hold the receive right: the task has none */
	char path[128];				/* [M] where the service is registered ("": nowhere) */
	bool checked_in;			/* [main] this instance has its service port */
	bool retired;				/* [main] dead and not restarted: its service port goes */
	bool restart_asked;			/* [main] bootstrap_restart: start again whatever the policy */
	uint32_t restarts;			/* [M] how many times it was started again */
	uint64_t restarts_ms[RESTART_LIMIT];	/* [main] when crashes restarted it lately */
	int nrestarts;				/* [main] */
};

extern struct module modules[MAX_MODULES];	/* [M] */
extern int nmodules;				/* [M] */
extern struct cthread_mutex modules_lock;
extern mach_port_t service;			/* our own service port (/servers/bootstrap) */
extern mach_port_t ns;				/* a send right to ns's service port, which we made */
extern mach_port_t notify_port;		/* dead-name and port-destroyed notifications */
extern struct msg_server server;

bool holds_host_priv(const char *name);
struct module *module_named(const char *name);
/* The module whose task port is task, or NULL. */
struct module *module_of_task(mach_port_t task);
kern_return_t module_start(struct module *m);

/* devices.c: the device master port, for drivers, and the I/O ports of servers that need a few. */
void devices_init(mach_port_t host_priv);
/* Grants m's task (task) the I/O ports the table gives its module, if any. */
kern_return_t devices_grant(struct module *m, mach_port_t task);

/* registrar.c: keeps /servers/bootstrap, /tasks/<name> and the services' paths in ns. */
void registrar_start(void);
/* Something to register changed, or ns came back: go over every name again. */
void registrar_kick(void);
/* Waits up to timeout_ms for every name to be registered; false if it did not happen. */
bool registrar_wait(uint32_t timeout_ms);

#endif
