/*
 * restarttest: the kill campaign (`restart` suite; make check-restart runs
 * 1,000 kills, make check 50). Booted after ns, console, echo and the shell,
 * each with restart=always. Client threads keep calling ns, echo and the
 * console server while the main thread has the bootstrap end a randomly
 * chosen one of the four (bootstrap_restart: a kill that does not count
 * against the crash limit) and waits until the whole system answers again.
 * Two of the clients' calls are held by their server (an ns_wait and a
 * console_read for a name and a line that never come, each timing out after
 * 100 ms), so kills find requests the dead server had taken. Every kill must
 * be recovered, every call answered or failed with one of the named errors
 * servers/README.md lists, no call may take 5 s, and the memory and ports of
 * the node must be back at the end.
 * Usage: restarttest KILLS [SUITE-NAME]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/error.h>
#include <manifold/trap.h>
#include "bootstrap_client.h"
#include "console_client.h"
#include "echo_client.h"
#include "ns_client.h"
#include "suite.h"

#define ME mach_task_self()
#define CALL_LIMIT_MS 5000	/* a call that takes longer is a hang */
#define RECOVER_LIMIT_MS 5000	/* a kill not recovered in this time is not recovered */
#define NCLIENTS 5
#define PAGES_SLACK 12		/* pages the instances' layouts may differ by (memory_is_back...) */

static const char *const victims[] = { "ns", "console", "echo", "shell" };
#define NVICTIMS (int)(sizeof victims / sizeof victims[0])

static mach_port_t ns, bootstrap, echo, console;
static uint32_t kills = 50;

/* One client thread's record. */
struct client {
	const char *what;
	volatile bool stop;
	uint32_t calls, answered, server_died, no_name;	/* [the thread] */
	uint32_t unexpected;				/* calls failed with an error not in the rules */
	kern_return_t first_unexpected;
	uint64_t longest_ms;
	volatile uint64_t started_ms;			/* of the call in progress, 0 between calls */
	kern_return_t (*call)(void);
	kern_return_t expected;				/* an answer too (a wait's timeout) */
};

static kern_return_t
call_ns(void)
{
	mach_port_t p;
	kern_return_t kr = ns_lookup(ns, "/servers/echo", &p);

	if (kr == KERN_SUCCESS)
		mach_port_deallocate(ME, p);
	return kr;
}

static kern_return_t
call_echo(void)
{
	char reply[256];
	uint32_t count;

	return echo_text(echo, "campaign", reply, &count);
}

static kern_return_t
call_console(void)
{
	static char text[4096];	/* one client thread calls it */

	return console_recent(console, text);
}

/* Held by ns as a deferred reply for 100 ms: a kill of ns often finds one (ns_wait is retried). */
static kern_return_t
call_ns_wait(void)
{
	mach_port_t p;
	kern_return_t kr = ns_wait(ns, "/test/never", 100, &p);

	if (kr == KERN_SUCCESS)
		mach_port_deallocate(ME, p);
	return kr;
}

/* Held by the console server for 100 ms (nothing is typed): a kill finds it (not retried). */
static kern_return_t
call_console_read(void)
{
	static char line[64];
	mach_msg_type_number_t n = sizeof line;

	return console_read(console, sizeof line, 100, line, &n);
}

static struct client clients[NCLIENTS] = {
	{ .what = "ns_lookup", .call = call_ns },
	{ .what = "echo_text", .call = call_echo },
	{ .what = "console_recent", .call = call_console },
	{ .what = "ns_wait", .call = call_ns_wait, .expected = KERN_OPERATION_TIMED_OUT },
	{ .what = "console_read", .call = call_console_read, .expected = KERN_OPERATION_TIMED_OUT },
};

static void *
client_loop(void *arg)
{
	struct client *c = arg;

	while (!c->stop) {
		uint64_t t0 = now_ms(), took;
		kern_return_t kr;

		c->started_ms = t0;
		kr = c->call();
		c->started_ms = 0;
		took = now_ms() - t0;
		if (took > c->longest_ms)
			c->longest_ms = took;
		c->calls++;
		if (kr == KERN_SUCCESS || (c->expected && kr == c->expected))
			c->answered++;
		else if (kr == MIG_SERVER_DIED)
			c->server_died++;	/* the server died holding the request */
		else if (kr == KERN_INVALID_NAME && (c->call == call_ns || c->call == call_ns_wait))
			c->no_name++;		/* a new ns before the bootstrap registered the name again */
		else if (!c->unexpected++)
			c->first_unexpected = kr;
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	return NULL;
}

/* The shell's task as registered now, a live send right, or MACH_PORT_NULL. */
static mach_port_t
live_task(const char *path)
{
	mach_port_t t;
	mach_port_type_t type = 0;

	if (ns_lookup(ns, path, &t) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (mach_port_type(ME, t, &type) == KERN_SUCCESS && type == MACH_PORT_TYPE_SEND)
		return t;
	mach_port_deallocate(ME, t);
	return MACH_PORT_NULL;
}

/* The bootstrap's restart count of a module, or -1. */
static long
restarts_of(const char *name)
{
	static char text[4000];
	size_t n = strlen(name);

	if (bootstrap_restarts(bootstrap, text) != KERN_SUCCESS)
		return -1;
	for (const char *l = text; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		if (strncmp(l, name, n) == 0 && l[n] == ' ')
			return strtol(l + n + 1, NULL, 10);
	return -1;
}

/*
 * The whole system answers: the bootstrap counted the restart, ns has the
 * names back (the shell's task a live one), echo and the console answer.
 */
static bool
recovered(const char *victim, long count)
{
	char reply[256];
	static char text[4096];
	uint32_t n;
	mach_port_t p;

	if (restarts_of(victim) < count)
		return false;
	if (ns_lookup(ns, "/servers/echo", &p) != KERN_SUCCESS)
		return false;
	mach_port_deallocate(ME, p);
	if ((p = live_task("/tasks/shell")) == MACH_PORT_NULL)
		return false;
	mach_port_deallocate(ME, p);
	if ((p = live_task("/tasks/echo")) == MACH_PORT_NULL)
		return false;
	mach_port_deallocate(ME, p);
	return echo_text(echo, "back?", reply, &n) == KERN_SUCCESS &&
	       console_recent(console, text) == KERN_SUCCESS;
}

/* Ends victim through the bootstrap and waits for the system; ms it took, or -1. */
static long
kill_and_wait(const char *victim)
{
	long before = restarts_of(victim);
	uint64_t t0 = now_ms();

	if (before < 0 || bootstrap_restart(bootstrap, victim) != KERN_SUCCESS)
		return -1;
	while (now_ms() - t0 < RECOVER_LIMIT_MS) {
		if (recovered(victim, before + 1))
			return (long)(now_ms() - t0);
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	return -1;
}

/* A client whose call has run past CALL_LIMIT_MS, or NULL. */
static struct client *
hung_client(void)
{
	uint64_t now = now_ms();

	for (int i = 0; i < NCLIENTS; i++) {
		uint64_t s = clients[i].started_ms;
		if (s && now > s && now - s > CALL_LIMIT_MS)
			return &clients[i];
	}
	return NULL;
}

static uint32_t pages_before, ports_before;

/* A receive nobody can satisfy: the new instances print their banners, open their sessions. */
static void
settle(uint32_t ms)
{
	mach_port_t p;
	mach_msg_header_t h;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return;
	mach_msg(&h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof h, p, ms, MACH_PORT_NULL);
	mach_port_mod_refs(ME, p, MACH_PORT_RIGHT_RECEIVE, -1);
}

/* Every server once, so that each runs a fresh instance, as at the end. */
static int
every_server_once(void)
{
	for (int v = 0; v < NVICTIMS; v++)
		if (kill_and_wait(victims[v]) < 0)
			return 0;
	return 1;
}

/* What one campaign saw. */
struct campaign {
	uint32_t recovered, per_victim[NVICTIMS];
	long worst;
	uint64_t sum;
	struct client *hung;
};

/* n kills at random while the clients call; the clients are joined at the end. */
static void
campaign(uint32_t n, struct campaign *r)
{
	cthread_t threads[NCLIENTS];
	int nthreads = 0;

	memset(r, 0, sizeof *r);
	for (int i = 0; i < NCLIENTS; i++) {
		clients[i].stop = false;
		if (cthread_fork(&threads[i], client_loop, &clients[i]) != KERN_SUCCESS)
			break;
		nthreads++;
	}
	for (uint32_t k = 0; k < n && !r->hung; k++) {
		int v = (int)(rnd() % NVICTIMS);
		long took = kill_and_wait(victims[v]);
		if (took >= 0) {
			r->recovered++;
			r->per_victim[v]++;
			r->sum += (uint64_t)took;
			if (took > r->worst)
				r->worst = took;
		} else {
			printf("# kill %u of %s: not recovered within %d ms\n", k + 1, victims[v], RECOVER_LIMIT_MS);
		}
		r->hung = hung_client();
		if ((k + 1) % 100 == 0)
			printf("# %u kills, %u recovered\n", k + 1, r->recovered);
	}
	for (int i = 0; i < nthreads; i++)
		clients[i].stop = true;
	for (int i = 0; i < nthreads && !r->hung; i++) {
		uint64_t t0 = now_ms();
		while (clients[i].started_ms && now_ms() - t0 < CALL_LIMIT_MS)
			thread_switch(MACH_PORT_NULL, 0, 0);
		if (clients[i].started_ms)
			r->hung = &clients[i];
		else
			cthread_join(threads[i]);
	}
}

/*
 * Every server a fresh instance, the output of each in, our own session
 * open: the state memory is compared in, before and after.
 */
static bool
fresh_and_settled(void)
{
	if (!every_server_once())
		return false;
	printf("# every server restarted once\n");
	fflush(stdout);
	settle(500);
	return true;
}

static void
kills_while_clients_call(void)
{
	struct campaign r;

	/* a short run first, so that what the first one makes once (threads' ports, heaps) is made */
	campaign(8, &r);
	CHECK(!r.hung);
	for (int i = 0; i < NCLIENTS; i++)
		clients[i].calls = clients[i].answered = clients[i].server_died = clients[i].no_name = 0;
	CHECK(fresh_and_settled());
	pages_before = free_pages_with_heap();
	ports_before = stats().live_ports;
	campaign(kills, &r);
	printf("# %u kills (ns %u, console %u, echo %u, shell %u recovered), %u recovered; recovery %llu ms on "
	       "average, %ld ms at worst\n", kills, r.per_victim[0], r.per_victim[1], r.per_victim[2],
	       r.per_victim[3], r.recovered, r.recovered ? (unsigned long long)(r.sum / r.recovered) : 0ull, r.worst);
	for (int i = 0; i < NCLIENTS; i++) {
		struct client *c = &clients[i];
		printf("# %s: %u calls, %u answered, %u MIG_SERVER_DIED, %u KERN_INVALID_NAME, %u other (%s); "
		       "longest %llu ms\n", c->what, c->calls, c->answered, c->server_died, c->no_name, c->unexpected,
		       c->unexpected ? kern_return_name(c->first_unexpected) : "-", (unsigned long long)c->longest_ms);
	}
	if (r.hung)
		printf("# a %s call has not returned in %d ms\n", r.hung->what, CALL_LIMIT_MS);
	CHECK(!r.hung);
	CHECK_EQ(r.recovered, kills);
	for (int i = 0; i < NCLIENTS; i++) {
		CHECK_EQ(clients[i].unexpected, 0);
		CHECK(clients[i].answered > 0);
		CHECK(clients[i].longest_ms < CALL_LIMIT_MS);
	}
}

/* After every server once more (all fresh instances again, as when counted), the node's memory is back. */
static void
memory_is_back_after_the_campaign(void)
{
	uint32_t pages, ports;

	CHECK(pages_before != 0);
	CHECK(fresh_and_settled());
	pages = free_pages_with_heap();
	ports = stats().live_ports;
	printf("# pages free (with the kernel heap's) %u before the kills, %u after; live ports %u, %u\n",
	       pages_before, pages, ports_before, ports);
	CHECK_EQ(ports, ports_before);
	/*
	 * Where a task's heap or stack ends up differs by a few pages from one
	 * instance to the next; a leak of a page every 4 kills would show.
	 */
	CHECK(pages + PAGES_SLACK >= pages_before);
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(kills_while_clients_call),
	T(memory_is_back_after_the_campaign),
};

int
main(int argc, char **argv)
{
	const char *suite = argc > 2 ? argv[2] : "restart";
	int fail;

	if (argc > 1)
		kills = (uint32_t)strtoul(argv[1], NULL, 10);
	suite_seed(0x17171717);
	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/bootstrap", 5000, &bootstrap) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/echo", 5000, &echo) != KERN_SUCCESS ||
	    ns_wait(ns, "/servers/console", 5000, &console) != KERN_SUCCESS ||
	    ns_wait(ns, "/tasks/shell", 5000, &(mach_port_t){ 0 }) != KERN_SUCCESS) {
		printf("restart: the servers are not all there\n");
		trap_debug_exit(0x11);
	}
	fail = run_suite(suite, tests, (int)(sizeof tests / sizeof tests[0]), NULL);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
