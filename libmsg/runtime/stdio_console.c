/*
 * Where a program's stdin, stdout and stderr go (newlib_glue.c calls these).
 * On first use the runtime asks the name server, through the bootstrap port,
 * for /servers/console and opens a session there: output then goes out line
 * by line without other tasks' lines cutting in, and input comes edited, a
 * line at a time. When the console server dies, the bootstrap keeps its
 * service port for the next instance, and a new session is opened there.
 * With no name server or no console server (early servers, the test suites
 * that boot without them), or once the console server's port is gone or it
 * has left a write unanswered for 10 s (console.defs' waittime), the
 * kernel's console traps serve instead; reading that way needs the privileged
 * host port (TASK_HOST_PORT), so a task without it gets EIO from stdin.
 *
 * The servers that must never wait for the console server (the bootstrap,
 * which restarts it; ns, which it needs; the console server itself) say so
 * by defining stdio_uses_kernel_console = 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <mach/mach.h>
#include <manifold/trap.h>
#include "console_client.h"
#include "ns_client.h"
#include "stdio_console.h"

__attribute__((weak)) int stdio_uses_kernel_console = 0;

static enum { ROUTE_UNKNOWN, ROUTE_SERVER, ROUTE_KERNEL } route;
static mach_port_t server;	/* the console server's service port: it outlives a restart of the server */
static mach_port_t console;	/* a session, or the server's own port if no session was given */

/* A session of our own on the server; the server's port itself if it gives none. */
static void
open_session(void)
{
	mach_port_t session;

	if (console_open(server, &session) == KERN_SUCCESS) {
		console = session;
	} else {
		mach_port_mod_refs(mach_task_self(), server, MACH_PORT_RIGHT_SEND, 1);
		console = server;
	}
}

/* Decides the route once: the console server if ns knows one, else the kernel. */
static void
choose_route(void)
{
	mach_port_t self = mach_task_self(), ns = MACH_PORT_NULL;
	mach_port_type_t type = 0;

	route = ROUTE_KERNEL;
	if (stdio_uses_kernel_console)
		return;
	if (task_get_special_port(self, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS || !MACH_PORT_VALID(ns))
		return;
	/* a bootstrap port we receive on ourselves is not a name server to ask */
	if (mach_port_type(self, ns, &type) == KERN_SUCCESS && type == MACH_PORT_TYPE_SEND &&
	    ns_lookup(ns, "/servers/console", &server) == KERN_SUCCESS) {
		open_session();
		route = ROUTE_SERVER;
	}
	mach_port_deallocate(self, ns);
}

/* The console server refused, or hangs: the kernel console from now on. */
static void
give_up_server(void)
{
	mach_port_deallocate(mach_task_self(), console);
	mach_port_deallocate(mach_task_self(), server);
	console = server = MACH_PORT_NULL;
	route = ROUTE_KERNEL;
}

/*
 * The server died under our session (the session port is dead, or the kernel
 * told us our reply right died with the server): a new session through the
 * service port, which the bootstrap keeps for the next instance. False if
 * the service is gone for good.
 */
static bool
server_died(kern_return_t kr)
{
	mach_port_type_t type = 0;

	if (kr != MACH_SEND_INVALID_DEST && kr != MIG_SERVER_DIED)
		return false;
	if (mach_port_type(mach_task_self(), server, &type) != KERN_SUCCESS || !(type & MACH_PORT_TYPE_SEND))
		return false;
	mach_port_deallocate(mach_task_self(), console);
	open_session();
	return true;
}

/*
 * A chunk whose server died is written once more through a new session: it
 * may have gone out before the server died, so a line written at that moment
 * shows once or twice, never not at all.
 */
int
stdio_console_write(const char *buf, size_t len)
{
	if (route == ROUTE_UNKNOWN)
		choose_route();
	while (len > 0 && route == ROUTE_SERVER) {
		size_t n = len > CONSOLE_WRITE_CHUNK ? CONSOLE_WRITE_CHUNK : len;
		kern_return_t kr = console_write(console, buf, (mach_msg_type_number_t)n);
		if (kr != KERN_SUCCESS && server_died(kr))
			kr = console_write(console, buf, (mach_msg_type_number_t)n);
		if (kr != KERN_SUCCESS) {
			give_up_server();
			break;
		}
		buf += n;
		len -= n;
	}
	while (len > 0) {
		size_t n = len > TRAP_CONSOLE_MAX ? TRAP_CONSOLE_MAX : len;
		if (trap_console_write(buf, n) != KERN_SUCCESS)
			return -EFAULT;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * A read whose server died fails with EIO once, on a new session: what was
 * being typed went with the server, and a shell prints its prompt again.
 */
int
stdio_console_read(char *buf, size_t len)
{
	mach_msg_type_number_t n = 0;
	mach_port_t host_priv = MACH_PORT_NULL;
	uint32_t got = 0;
	kern_return_t kr;

	if (len == 0)
		return 0;
	if (route == ROUTE_UNKNOWN)
		choose_route();
	if (route == ROUTE_SERVER) {
		static char line[CONSOLE_WRITE_CHUNK];
		n = sizeof line;
		kr = console_read(console, len < sizeof line ? (uint32_t)len : sizeof line, 0, line, &n);
		if (kr == KERN_SUCCESS) {
			for (mach_msg_type_number_t i = 0; i < n; i++)
				buf[i] = line[i];
			return (int)n;
		}
		if (server_died(kr) || (kr != MACH_SEND_INVALID_DEST && kr != MIG_SERVER_DIED))
			return -EIO;
		give_up_server();
	}
	/* the kernel's serial input is only for a task given host_priv (the console server's) */
	task_get_special_port(mach_task_self(), TASK_HOST_PORT, &host_priv);
	kr = trap_console_read(host_priv, buf, len > TRAP_CONSOLE_READ_MAX ? TRAP_CONSOLE_READ_MAX : len,
			       TRAP_CONSOLE_WAIT_FOREVER, &got);
	if (MACH_PORT_VALID(host_priv))
		mach_port_deallocate(mach_task_self(), host_priv);
	return kr == KERN_SUCCESS ? (int)got : -EIO;
}
