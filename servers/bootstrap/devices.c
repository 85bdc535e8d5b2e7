/*
 * Device access, the bootstrap's policy (servers/README.md): the device master
 * port comes from the kernel on host_priv, and goes only to modules whose line
 * says `driver`, when they ask with their own task port
 * (bootstrap_device_port). A server that needs only a few I/O ports (pci, the
 * configuration space's) does not get the port at all: io_grants gives its
 * module those ports when it checks in, before it has its service port. The
 * calendar clock's control port (the right to set the time of day), also
 * from host_priv, goes the same way to modules whose line says `clock`
 * (bootstrap_clock_control).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include "bootstrap_server.h"
#include "module.h"

static mach_port_t device = MACH_PORT_NULL;	/* [I] a send right to the device master port */
static mach_port_t calendar = MACH_PORT_NULL;	/* [I] one to the calendar clock's control port */

static const struct {
	const char *module;
	uint32_t base, count;
} io_grants[] = {
	{ "pci", 0xCF8, 8 },	/* configuration mechanism 1: CONFIG_ADDRESS, CONFIG_DATA */
};

void
devices_init(mach_port_t host_priv)
{
	if (host_get_device_port(host_priv, &device) != KERN_SUCCESS)
		printf("bootstrap: the kernel gave it no device port\n");
	if (host_get_clock_control(host_priv, CALENDAR_CLOCK, &calendar) != KERN_SUCCESS)
		printf("bootstrap: the kernel gave it no clock control port\n");
}

kern_return_t
devices_grant(struct module *m, mach_port_t task)
{
	for (size_t i = 0; i < sizeof io_grants / sizeof io_grants[0]; i++) {
		kern_return_t kr;
		if (strcmp(m->name, io_grants[i].module) != 0)
			continue;
		kr = device_io_port_grant(device, task, io_grants[i].base, io_grants[i].count);
		if (kr != KERN_SUCCESS) {
			printf("bootstrap: cannot give %s its I/O ports: %s\n", m->name, kern_return_name(kr));
			return kr;
		}
	}
	return KERN_SUCCESS;
}

/* right (ours) for task, the caller's own task port, when its module may have it. */
static kern_return_t
give(mach_port_t task, bool (*may)(const struct module *m), mach_port_t right, mach_port_t *port)
{
	struct module *m = module_of_task(task);

	if (!m)
		return KERN_INVALID_ARGUMENT;	/* on failure the loop releases the right we were given */
	if (!may(m))
		return KERN_NO_ACCESS;
	if (!MACH_PORT_VALID(right))
		return KERN_FAILURE;
	mach_port_deallocate(mach_task_self(), task);	/* the uref the request brought; m->task keeps its own */
	*port = right;		/* the reply copies our send right */
	return KERN_SUCCESS;
}

static bool is_driver(const struct module *m) { return m->driver; }
static bool sets_clock(const struct module *m) { return m->clock; }

kern_return_t
bootstrap_do_bootstrap_device_port(mach_port_t server, mach_port_t task, mach_port_t *port)
{
	(void)server;
	return give(task, is_driver, device, port);
}

kern_return_t
bootstrap_do_bootstrap_clock_control(mach_port_t server, mach_port_t task, mach_port_t *port)
{
	(void)server;
	return give(task, sets_clock, calendar, port);
}
