/*
 * The registrar: a thread of the bootstrap that keeps in ns the names the
 * bootstrap answers for: /servers/bootstrap, /tasks/<name> of every module
 * running (not a privileged server's: a task port is total control of the
 * task, its host_priv right included; task=public overrides) and the path
 * each server checked in with. A new ns starts with an empty table, so after
 * each kick it goes over every name: ns_register, and for a name already
 * there, ns_lookup must give the same port, else (a dead task's name ns has
 * not dropped yet) it tries again shortly. It is a thread of its own because
 * a call to ns may wait for as long as ns is being restarted, which the main
 * thread does.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include "bootstrap_server.h"
#include "module.h"
#include "ns_client.h"

#define ME mach_task_self()
#define RETRY_MS 20
#define RETRIES 250		/* 5 s: then a name someone else holds is left to them */

struct wanted {
	char path[128];
	mach_port_t port;	/* a send right's extra uref, ours until registered */
};

static struct cthread_mutex lock = CTHREAD_MUTEX_INITIALIZER;
static struct cthread_cond kicked = CTHREAD_COND_INITIALIZER, done_cond = CTHREAD_COND_INITIALIZER;
static uint32_t generation, done;	/* [lock] kicks asked for, and the last one fully served */
static struct wanted want[MAX_MODULES * 2 + 1];

void
registrar_kick(void)
{
	cthread_mutex_lock(&lock);
	generation++;
	cthread_cond_signal(&kicked);
	cthread_mutex_unlock(&lock);
}

bool
registrar_wait(uint32_t timeout_ms)
{
	bool ok;

	cthread_mutex_lock(&lock);
	while (done != generation && cthread_cond_timedwait(&done_cond, &lock, timeout_ms))
		;
	ok = done == generation;
	cthread_mutex_unlock(&lock);
	return ok;
}

/* One more uref on a send right, or false if it is not one any more (a dead task's). */
static bool
hold(mach_port_t port)
{
	return MACH_PORT_VALID(port) && mach_port_mod_refs(ME, port, MACH_PORT_RIGHT_SEND, 1) == KERN_SUCCESS;
}

/*
 * The names we keep in ns, from the modules' table: into w (at most max),
 * each port with an extra uref if hold. Caller holds modules_lock.
 */
static int
wanted_locked(struct wanted *w, int max, bool hold_refs)
{
	int n = 0;

	if (n < max && (!hold_refs || hold(service))) {
		strcpy(w[n].path, "/servers/bootstrap");
		w[n++].port = service;
	}
	for (int i = 0; i < nmodules && n < max; i++) {
		struct module *m = &modules[i];
		if ((!holds_host_priv(m->name) || m->public_task) && MACH_PORT_VALID(m->task) &&
		    (!hold_refs || hold(m->task))) {
			snprintf(w[n].path, sizeof w[n].path, "/tasks/%s", m->name);
			w[n++].port = m->task;
		}
		if (n < max && m->path[0] && MACH_PORT_VALID(m->service) && (!hold_refs || hold(m->service))) {
			strcpy(w[n].path, m->path);
			w[n++].port = m->service;
		}
	}
	return n;
}

static int
collect(void)
{
	int n;

	cthread_mutex_lock(&modules_lock);
	n = wanted_locked(want, (int)(sizeof want / sizeof want[0]), true);
	cthread_mutex_unlock(&modules_lock);
	return n;
}

/* For a new ns (bootstrap_name): the index-th name, its right still a live send right. */
kern_return_t
bootstrap_do_bootstrap_name(mach_port_t server, uint32_t index, char *path, mach_port_t *port)
{
	static struct wanted list[MAX_MODULES * 2 + 1];
	mach_port_type_t type = 0;
	int n;

	cthread_mutex_lock(&modules_lock);
	n = wanted_locked(list, (int)(sizeof list / sizeof list[0]), false);
	cthread_mutex_unlock(&modules_lock);
	if (index >= (uint32_t)n)
		return KERN_INVALID_ARGUMENT;
	/* a dead task's name is a dead name: the reply could not carry it */
	if (mach_port_type(ME, list[index].port, &type) != KERN_SUCCESS || !(type & MACH_PORT_TYPE_SEND))
		return KERN_INVALID_NAME;
	strcpy(path, list[index].path);
	*port = list[index].port;	/* the reply copies our send right */
	return KERN_SUCCESS;
}

/* True once path names port in ns. */
static bool
ensure(const char *path, mach_port_t port)
{
	mach_port_t registration, there;
	kern_return_t kr = ns_register(ns, path, port, &registration);
	bool same;

	if (kr == KERN_SUCCESS) {
		/* nobody unregisters these: the name goes when its port dies */
		mach_port_deallocate(ME, registration);
		return true;
	}
	if (kr != KERN_NAME_EXISTS || ns_lookup(ns, path, &there) != KERN_SUCCESS)
		return false;
	same = there == port;	/* the same port: the right joined our own name */
	mach_port_deallocate(ME, there);
	return same;
}

static void
sleep_ms(uint32_t ms)
{
	cthread_mutex_lock(&lock);
	cthread_cond_timedwait(&kicked, &lock, ms);
	cthread_mutex_unlock(&lock);
}

static void *
registrar(void *arg)
{
	int tries = 0;

	for (;;) {
		uint32_t g;
		bool all = true;
		int n;

		cthread_mutex_lock(&lock);
		while (done == generation)
			cthread_cond_wait(&kicked, &lock);
		g = generation;
		cthread_mutex_unlock(&lock);
		n = collect();
		for (int i = 0; i < n; i++) {
			all &= ensure(want[i].path, want[i].port);
			mach_port_deallocate(ME, want[i].port);
		}
		if (!all && ++tries < RETRIES) {
			sleep_ms(RETRY_MS);
			continue;
		}
		if (!all)
			printf("bootstrap: some names could not be registered in ns\n");
		tries = 0;
		cthread_mutex_lock(&lock);
		done = g;
		cthread_cond_broadcast(&done_cond);
		cthread_mutex_unlock(&lock);
	}
	return NULL;
}

void
registrar_start(void)
{
	cthread_t t;

	if (cthread_fork(&t, registrar, NULL) != KERN_SUCCESS)
		printf("bootstrap: cannot start its registrar thread; names will not come back after ns\n");
	else
		cthread_detach(t);
}
