/*
 * The shell's commands, one function each, in a table (commands.h). They talk
 * to the kernel through task, thread and host ports, to the name server, and
 * to the bootstrap for the task list (the shell holds no privileged port).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/error.h>
#include <manifold/task_limits.h>
#include <manifold/trap.h>
#include "bootstrap_client.h"
#include "commands.h"
#include "echo_client.h"
#include "ns_client.h"

#define ME mach_task_self()

static mach_port_t ns;

void
commands_init(mach_port_t name_server)
{
	ns = name_server;
}

mach_port_t
commands_ns(void)
{
	return ns;
}

static void
cmd_help(int argc, char **argv)
{
	for (const struct command *c = commands; c->name; c++)
		printf("  %-8s %s\n", c->name, c->help);
}

static const char *
state_name(integer_t s)
{
	switch (s) {
	case TH_STATE_RUNNING: return "running";
	case TH_STATE_STOPPED: return "stopped";
	case TH_STATE_WAITING: return "waiting";
	case TH_STATE_HALTED: return "halted";
	default: return "?";
	}
}

/* The threads of a task we hold a port to, a line each. */
static void
show_threads(mach_port_t task)
{
	mach_msg_type_number_t count = 0;
	thread_act_array_t threads = NULL;

	if (task_threads(task, &threads, &count) != KERN_SUCCESS)
		return;	/* died meanwhile */
	for (mach_msg_type_number_t i = 0; i < count; i++) {
		thread_basic_info_data_t th;
		mach_msg_type_number_t m = THREAD_BASIC_INFO_COUNT;
		if (thread_info(threads[i], THREAD_BASIC_INFO, (integer_t *)&th, &m) == KERN_SUCCESS)
			printf("       thread %u: %s, %u ms\n", i, state_name(th.run_state),
			       (unsigned)(th.user_time.seconds * 1000 + th.user_time.microseconds / 1000 +
					  th.system_time.seconds * 1000 + th.system_time.microseconds / 1000));
		mach_port_deallocate(ME, threads[i]);
	}
	vm_deallocate(ME, (vm_address_t)threads, count * sizeof *threads);
}

/* "used/limit" (in units of unit, K for 1024), or just "used" without a limit. */
static void
show_limit(char *buf, size_t size, uint32_t used, uint32_t limit, uint32_t unit)
{
	const char *k = unit == 1024 ? "K" : "";

	if (limit == UINT32_MAX)
		snprintf(buf, size, "%u%s", (unsigned)(used / unit), k);
	else
		snprintf(buf, size, "%u%s/%u%s", (unsigned)(used / unit), k, (unsigned)(limit / unit), k);
}

/* The bootstrap's "<name> <restarts>" lines, for ps's last column. */
static char restarts[4000];

static void
restart_counts(void)
{
	mach_port_t bootstrap;

	restarts[0] = 0;
	if (ns_lookup(ns, "/servers/bootstrap", &bootstrap) != KERN_SUCCESS)
		return;
	if (bootstrap_restarts(bootstrap, restarts) != KERN_SUCCESS)
		restarts[0] = 0;
	mach_port_deallocate(ME, bootstrap);
}

/* The count for a task of that name, or "-" for a task the bootstrap did not start. */
static const char *
restarts_of(const char *name)
{
	size_t n = strlen(name);

	for (const char *l = restarts; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		if (strncmp(l, name, n) == 0 && l[n] == ' ') {
			static char count[12];
			snprintf(count, sizeof count, "%.*s", (int)strcspn(l + n + 1, "\n"), l + n + 1);
			return count;
		}
	}
	return "-";
}

/*
 * Every task the kernel has (the bootstrap asks the task_list trap for us),
 * and the threads of those the bootstrap registered as /tasks/<name>: for the
 * others we hold no port, and a shell should not be able to take one.
 */
static void
cmd_ps(int argc, char **argv)
{
	static struct manifold_task_summary tasks[TRAP_TASK_LIST_MAX];
	mach_msg_type_number_t words = TRAP_TASK_LIST_MAX * (sizeof *tasks / sizeof(uint32_t));
	mach_port_t bootstrap;
	uint32_t n = 0, got;
	kern_return_t kr = ns_lookup(ns, "/servers/bootstrap", &bootstrap);

	if (kr == KERN_SUCCESS) {
		kr = bootstrap_task_list(bootstrap, &n, (uint32_t *)tasks, &words);
		mach_port_deallocate(ME, bootstrap);
	}
	if (kr != KERN_SUCCESS) {
		printf("shell: cannot list tasks: %s\n", kern_return_name(kr));
		return;
	}
	got = words / (sizeof *tasks / sizeof(uint32_t));
	restart_counts();
	printf("%4s %-14s %9s %9s %8s %11s %7s %13s %8s\n", "ID", "TASK", "THREADS", "RESIDENT", "CPU ms", "NAMES",
	       "TASKS", "KMEM", "RESTARTS");
	for (uint32_t i = 0; i < got; i++) {
		const struct manifold_task_summary *t = &tasks[i];
		char path[64], threads[16], names[16], children[16], kmem[24];
		mach_port_t port;

		/* used/limit; the kernel has no limits */
		show_limit(threads, sizeof threads, t->usage[TASK_LIMIT_THREADS], t->limits[TASK_LIMIT_THREADS], 1);
		show_limit(names, sizeof names, t->usage[TASK_LIMIT_NAMES], t->limits[TASK_LIMIT_NAMES], 1);
		show_limit(children, sizeof children, t->usage[TASK_LIMIT_TASKS], t->limits[TASK_LIMIT_TASKS], 1);
		show_limit(kmem, sizeof kmem, t->usage[TASK_LIMIT_KMEM], t->limits[TASK_LIMIT_KMEM], 1024);
		printf("%4u %-14s %9s %8uK %8u %11s %7s %13s %8s%s\n", (unsigned)t->id, t->name, threads,
		       (unsigned)t->resident_pages * 4, (unsigned)t->cpu_ms, names, children, kmem,
		       restarts_of(t->name), t->dying ? " (ending)" : "");
		snprintf(path, sizeof path, "/tasks/%s", t->name);
		if (!t->dying && t->id != 0 && ns_lookup(ns, path, &port) == KERN_SUCCESS) {
			show_threads(port);
			mach_port_deallocate(ME, port);
		}
	}
	if (n > got)
		printf("(and %u more)\n", (unsigned)(n - got));
}

static void
cmd_names(int argc, char **argv)
{
	static char names[4000];
	kern_return_t kr = ns_list(ns, "/", names);

	if (kr != KERN_SUCCESS)
		printf("shell: cannot list names: %s\n", kern_return_name(kr));
	else
		printf("%s", names);
}

/* Terminates /tasks/NAME (ns has the task ports of the modules the bootstrap started). */
kern_return_t
kill_task(const char *name)
{
	char path[160];
	mach_port_t task;
	kern_return_t kr;

	snprintf(path, sizeof path, "/tasks/%s", name);
	if (strlen(name) > 100 || ns_lookup(ns, path, &task) != KERN_SUCCESS)
		return KERN_INVALID_NAME;
	kr = task_terminate(task);
	mach_port_deallocate(ME, task);
	return kr;
}

static void
cmd_kill(int argc, char **argv)
{
	kern_return_t kr;

	if (argc != 2) {
		printf("shell: usage: kill <name>\n");
		return;
	}
	kr = kill_task(argv[1]);
	if (kr == KERN_SUCCESS)
		printf("shell: killed %s\n", argv[1]);
	else if (kr == KERN_INVALID_NAME)
		printf("shell: no task '%s'\n", argv[1]);
	else
		printf("shell: cannot kill %s: %s\n", argv[1], kern_return_name(kr));
}

/* Asks the bootstrap to end a server and start it again (bootstrap_restart). */
static void
cmd_restart(int argc, char **argv)
{
	mach_port_t bootstrap;
	kern_return_t kr;

	if (argc != 2) {
		printf("shell: usage: restart <name>\n");
		return;
	}
	kr = ns_lookup(ns, "/servers/bootstrap", &bootstrap);
	if (kr == KERN_SUCCESS) {
		kr = bootstrap_restart(bootstrap, argv[1]);
		mach_port_deallocate(ME, bootstrap);
	}
	if (kr == KERN_SUCCESS)
		printf("shell: restarted %s\n", argv[1]);
	else if (kr == KERN_INVALID_NAME)
		printf("shell: no server '%s'\n", argv[1]);
	else
		printf("shell: cannot restart %s: %s\n", argv[1], kern_return_name(kr));
}

/* One echo_text RPC to /servers/echo: a quick check that a server answers. */
static void
cmd_echo(int argc, char **argv)
{
	char reply[256];
	uint32_t count = 0;
	mach_port_t echo;
	kern_return_t kr;

	if (argc != 2 || strlen(argv[1]) > 200) {
		printf("shell: usage: echo <word>\n");
		return;
	}
	kr = ns_lookup(ns, "/servers/echo", &echo);
	if (kr == KERN_SUCCESS) {
		kr = echo_text(echo, argv[1], reply, &count);
		mach_port_deallocate(ME, echo);
	}
	if (kr == KERN_SUCCESS)
		printf("echo: %s (request %u)\n", reply, (unsigned)count);
	else
		printf("shell: echo failed: %s\n", kern_return_name(kr));
}

static void
cmd_mem(int argc, char **argv)
{
	struct manifold_kernel_stats st;
	host_basic_info_data_t hi;
	mach_msg_type_number_t n = HOST_BASIC_INFO_COUNT;
	mach_port_t host = mach_host_self();
	uint32_t total;

	if (host_info(host, HOST_BASIC_INFO, (integer_t *)&hi, &n) != KERN_SUCCESS ||
	    trap_raw(TRAP_kernel_stats, (uint32_t)&st, 0, 0, 0, 0) != KERN_SUCCESS) {
		printf("shell: cannot read the memory figures\n");
		return;
	}
	total = (uint32_t)(hi.memory_size / 4096);
	printf("pages: %u free, %u used, %u total (4 KiB each)\n", st.free_pages, total - st.free_pages, total);
}

const struct command commands[] = {
	{ "help", "this list", cmd_help },
	{ "ps", "tasks and their threads", cmd_ps },
	{ "names", "every name in the name server", cmd_names },
	{ "kill", "kill <name>: terminate task /tasks/<name>", cmd_kill },
	{ "restart", "restart <name>: end a server and start it again", cmd_restart },
	{ "echo", "echo <word>: ask the echo server to send it back", cmd_echo },
	{ "mem", "free and used memory pages", cmd_mem },
	{ "pci", "PCI functions: bus:slot.func class vendor:device, BARs", cmd_pci },
	{ "udpsend", "udpsend HOST PORT TEXT: one UDP datagram through gns", cmd_udpsend },
	{ "udprecv", "udprecv PORT [MS]: wait for one UDP datagram", cmd_udprecv },
	{ "nc", "nc HOST PORT [TEXT]: TCP: send TEXT, print the answer", cmd_nc },
	{ "tcpgen", "tcpgen HOST PORT BYTES [echo]: send a test pattern, print its MD5", cmd_tcpgen },
	{ "tcpsink", "tcpsink PORT [echo]: take one TCP stream, print its length and MD5", cmd_tcpsink },
	{ "udpgen", "udpgen HOST PORT COUNT SIZE [echo]: datagrams of a test pattern", cmd_udpgen },
	{ "udpsink", "udpsink PORT COUNT [echo]: take COUNT datagrams, print their MD5", cmd_udpsink },
	{ "ping", "ping A.B.C.D [COUNT]: ICMP echo through gns", cmd_ping },
	{ "ifconfig", "the NIC: address, netmask, MAC, link, MTU, counters", cmd_ifconfig },
	{ "netstat", "gns's sockets and registrations, with their owners", cmd_netstat },
	{ "ls", "ls [PATH]: a folder's entries (mode, links, size, name) through fs", cmd_ls },
	{ "cat", "cat PATH: a file's bytes", cmd_cat },
	{ "write", "write PATH TEXT...: make PATH hold TEXT and a newline", cmd_write },
	{ "mkdir", "mkdir PATH", cmd_mkdir },
	{ "rm", "rm PATH: unlink a file", cmd_rm },
	{ "sync", "write every cached block to the disks", cmd_sync },
	{ "mount", "mount [DIR DISK [ext2|fat] [ro]]: the mounts, or one more (DISK: /servers/hd1)", cmd_mount },
	{ "umount", "umount DIR", cmd_umount },
	{ "df", "each mount's size, use and free space", cmd_df },
	{ "nodes", "the cluster's peers as gns sees them, its inter-node counters and rejections", cmd_nodes },
	{ "proxies", "gns's proxies of other nodes' ports and exports of this node's", cmd_proxies },
	{ NULL, NULL, NULL },
};
