/*
 * msg_service_checkin (see <manifold/msg.h>): how a server gets the service
 * port the bootstrap keeps for it across restarts (servers/README.md). The
 * name server's bootstrap port is the bootstrap itself; every other task's is
 * the name server, where the bootstrap is /servers/bootstrap.
 */
#include <mach/mach.h>
#include <manifold/msg.h>
#include "bootstrap_client.h"
#include "ns_client.h"

#define CHECKIN_TRIES 100	/* 2 s: a dead instance's port is on its way back to the bootstrap */
#define CHECKIN_WAIT_MS 20

/* A send right to the bootstrap's service, or MACH_PORT_NULL. */
static mach_port_t
find_bootstrap(void)
{
	mach_port_t self = mach_task_self(), boot = MACH_PORT_NULL, bs = MACH_PORT_NULL;
	static char text[4000];	/* bootstrap_restarts' answer, unused */

	if (task_get_special_port(self, TASK_BOOTSTRAP_PORT, &boot) != KERN_SUCCESS || !MACH_PORT_VALID(boot))
		return MACH_PORT_NULL;
	/*
	 * Our task port goes to the bootstrap alone (it started us, and has it):
	 * a question that carries no right first tells the bootstrap from ns.
	 */
	if (bootstrap_restarts(boot, text) == KERN_SUCCESS)
		return boot;
	if (ns_wait(boot, "/servers/bootstrap", 5000, &bs) != KERN_SUCCESS)
		bs = MACH_PORT_NULL;
	mach_port_deallocate(self, boot);
	return bs;
}

mach_port_t
msg_service_checkin(const char *path)
{
	mach_port_t self = mach_task_self(), bs = find_bootstrap(), port = MACH_PORT_NULL;
	kern_return_t kr;

	if (!MACH_PORT_VALID(bs))
		return MACH_PORT_NULL;
	kr = bootstrap_checkin(bs, self, path ? path : "", &port);
	for (int i = 0; kr == KERN_FAILURE && i < CHECKIN_TRIES; i++) {
		msg_sleep_ms(CHECKIN_WAIT_MS);
		kr = bootstrap_checkin(bs, self, path ? path : "", &port);
	}
	mach_port_deallocate(self, bs);
	return kr == KERN_SUCCESS ? port : MACH_PORT_NULL;
}

/* A right the bootstrap gives a module by its line's words, asked for with our task port. */
static kern_return_t
ask_bootstrap(kern_return_t (*ask)(mach_port_t server, mach_port_t task, mach_port_t *out), mach_port_t *out)
{
	mach_port_t bs = find_bootstrap();
	kern_return_t kr;

	if (!MACH_PORT_VALID(bs))
		return KERN_INVALID_NAME;
	kr = ask(bs, mach_task_self(), out);
	mach_port_deallocate(mach_task_self(), bs);
	return kr;
}

kern_return_t
msg_device_port(mach_port_t *device)
{
	return ask_bootstrap(bootstrap_device_port, device);
}

kern_return_t
msg_clock_control(mach_port_t *clock_ctrl)
{
	return ask_bootstrap(bootstrap_clock_control, clock_ctrl);
}
