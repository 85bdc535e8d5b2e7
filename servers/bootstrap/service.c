/*
 * The bootstrap's routines for servers that come back (bootstrap.defs):
 * bootstrap_checkin hands a server the service port the bootstrap keeps for
 * it, with a port-destroyed request that brings the receive right back here
 * when the server dies (main.c's port_back); bootstrap_restart and
 * bootstrap_restarts are the shell's `restart` and `ps`.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include "bootstrap_server.h"
#include "module.h"

#define ME mach_task_self()

struct module *
module_of_task(mach_port_t task)
{
	for (int i = 0; i < nmodules; i++)
		if (MACH_PORT_VALID(modules[i].task) && modules[i].task == task)
			return &modules[i];
	return NULL;
}

/* A new service port: our send right and our receive right share its name. */
static kern_return_t
make_service(struct module *m)
{
	mach_port_t p;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	if (mach_port_insert_right(ME, p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS) {
		mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1);
		return KERN_RESOURCE_SHORTAGE;
	}
	mach_port_set_qlimit(ME, p, MACH_PORT_QLIMIT_MAX);
	cthread_mutex_lock(&modules_lock);
	m->service = p;
	cthread_mutex_unlock(&modules_lock);
	m->service_held = true;
	return KERN_SUCCESS;
}

kern_return_t
bootstrap_do_bootstrap_checkin(mach_port_t server, mach_port_t task, const char *path, mach_port_t *port)
{
	struct module *m = module_of_task(task);
	mach_port_t prev = MACH_PORT_NULL;
	kern_return_t kr;

	if (!m)
		return KERN_INVALID_ARGUMENT;	/* on failure the loop releases the right we were given */
	if (!MACH_PORT_VALID(m->service) && (kr = make_service(m)) != KERN_SUCCESS)
		return kr;
	if (!m->service_held)
		return KERN_FAILURE;	/* still in the notification on its way back to us */
	if ((kr = devices_grant(m, task)) != KERN_SUCCESS)
		return kr;		/* its ports before its service: it may use them at once */
	/* when the receive right would die with its next holder, it comes back here instead */
	kr = mach_port_request_notification(ME, m->service, MACH_NOTIFY_PORT_DESTROYED, 0, notify_port,
					    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	if (kr != KERN_SUCCESS)
		return kr;
	if (MACH_PORT_VALID(prev))
		mach_port_deallocate(ME, prev);
	m->service_held = false;
	m->checked_in = true;
	/* the first instance's path stays: a later checkin cannot move the service elsewhere */
	if (path[0] && !m->path[0]) {
		cthread_mutex_lock(&modules_lock);
		snprintf(m->path, sizeof m->path, "%s", path);
		cthread_mutex_unlock(&modules_lock);
	}
	if (m->service == ns)
		printf("bootstrap: name server checked in\n");
	registrar_kick();	/* ns came back, or a service's path is new */
	mach_port_deallocate(ME, task);	/* the uref the request brought; m->task keeps its own */
	*port = m->service;	/* the reply moves the receive right; our send right stays */
	return KERN_SUCCESS;
}

kern_return_t
bootstrap_do_bootstrap_restart(mach_port_t server, const char *name)
{
	struct module *m = module_named(name);
	kern_return_t kr;

	if (!m)
		return KERN_INVALID_NAME;
	if (!MACH_PORT_VALID(m->task)) {	/* not running (its restarts ran out): start it now */
		kr = module_start(m);
		if (kr == KERN_SUCCESS)
			m->restarts++;
		return kr;
	}
	m->restart_asked = true;
	printf("bootstrap: restart of %s asked\n", m->name);
	kr = task_terminate(m->task);	/* returns once it is gone; its dead-name notification restarts it */
	if (kr != KERN_SUCCESS)
		m->restart_asked = false;
	return kr;
}

kern_return_t
bootstrap_do_bootstrap_restarts(mach_port_t server, char *text)
{
	size_t used = 0;

	text[0] = 0;
	for (int i = 0; i < nmodules && used < 3900; i++)
		used += (size_t)snprintf(text + used, 4000 - used, "%s %u\n", modules[i].name,
					 (unsigned)modules[i].restarts);
	return KERN_SUCCESS;
}
