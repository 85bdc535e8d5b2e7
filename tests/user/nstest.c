/*
 * nstest: the `servers` suite, started by the bootstrap task after ns, so its
 * bootstrap port is the name server. Run as `nstest late` (boot module 4, which
 * the bootstrap starts when asked) it is the other task of the waiting-lookup
 * case: it registers /test/late and stays. Also the bootstrap's own service.
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/msg.h>
#include <manifold/trap.h>
#include "bootstrap_client.h"
#include "echo_client.h"
#include "ns_client.h"
#include "suite.h"

#define ME mach_task_self()
#define LATE_MODULE 4		/* `nstest late start=no` (tests/servers/run.py) */

static mach_port_t ns, bootstrap;

static void
register_then_lookup_gives_the_same_port(void)
{
	mach_port_t p = port_with_send(), reg, got;

	CHECK_EQ(ns_register(ns, "/test/alpha", p, &reg), KERN_SUCCESS);
	CHECK_EQ(ns_lookup(ns, "/test/alpha", &got), KERN_SUCCESS);
	CHECK_EQ(got, p);			/* the same port: the name merges with our own */
	mach_port_deallocate(ME, got);
	CHECK_EQ(ns_unregister(ns, "/test/alpha", reg), KERN_SUCCESS);
	CHECK_EQ(ns_lookup(ns, "/test/alpha", &got), KERN_INVALID_NAME);
	mach_port_destroy(ME, p);
}

static void
bad_and_taken_names_are_refused(void)
{
	mach_port_t p = port_with_send(), reg, reg2;

	CHECK_EQ(ns_register(ns, "noslash", p, &reg), KERN_INVALID_ARGUMENT);
	CHECK_EQ(ns_register(ns, "/", p, &reg), KERN_INVALID_ARGUMENT);
	CHECK_EQ(ns_register(ns, "/test/beta", p, &reg), KERN_SUCCESS);
	CHECK_EQ(ns_register(ns, "/test/beta", p, &reg2), KERN_NAME_EXISTS);
	CHECK_EQ(ns_unregister(ns, "/test/beta", reg), KERN_SUCCESS);
	CHECK_EQ(ns_unregister(ns, "/test/nothing", p), KERN_INVALID_NAME);
	mach_port_destroy(ME, p);
}

static void
only_the_registrant_can_unregister(void)
{
	mach_port_t p = port_with_send(), other = port_with_send(), reg, got;

	CHECK_EQ(ns_register(ns, "/test/gamma", p, &reg), KERN_SUCCESS);
	CHECK_EQ(ns_unregister(ns, "/test/gamma", other), KERN_NO_ACCESS);
	CHECK_EQ(ns_unregister(ns, "/test/gamma", p), KERN_NO_ACCESS);	/* the port is not the registration */
	CHECK_EQ(ns_lookup(ns, "/test/gamma", &got), KERN_SUCCESS);
	mach_port_deallocate(ME, got);
	CHECK_EQ(ns_unregister(ns, "/test/gamma", reg), KERN_SUCCESS);
	mach_port_destroy(ME, p);
	mach_port_destroy(ME, other);
}

static void
list_shows_names_under_a_prefix(void)
{
	mach_port_t p = port_with_send(), r1, r2, r3;
	char names[4000];

	ns_register(ns, "/list/a", p, &r1);
	ns_register(ns, "/list/b", p, &r2);
	ns_register(ns, "/other/c", p, &r3);
	CHECK_EQ(ns_list(ns, "/list/", names), KERN_SUCCESS);
	CHECK(strstr(names, "/list/a\n") && strstr(names, "/list/b\n"));
	CHECK(strstr(names, "/other/c") == NULL);
	CHECK_EQ(ns_list(ns, "/", names), KERN_SUCCESS);
	CHECK(strstr(names, "/other/c\n"));
	ns_unregister(ns, "/list/a", r1);
	ns_unregister(ns, "/list/b", r2);
	ns_unregister(ns, "/other/c", r3);
	mach_port_destroy(ME, p);
}

static void
names_of_a_dead_port_go_away(void)
{
	mach_port_t p = port_with_send(), reg, got = 0;
	kern_return_t kr = KERN_SUCCESS;

	CHECK_EQ(ns_register(ns, "/test/mortal", p, &reg), KERN_SUCCESS);
	mach_port_destroy(ME, p);		/* the registered port dies */
	for (int i = 0; i < 100 && kr == KERN_SUCCESS; i++) {
		kr = ns_lookup(ns, "/test/mortal", &got);
		if (kr == KERN_SUCCESS)
			mach_port_deallocate(ME, got);
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	CHECK_EQ(kr, KERN_INVALID_NAME);
	mach_port_destroy(ME, reg);		/* our registration right is a dead name now */
}

static void
wait_times_out_then_sees_a_late_name(void)
{
	mach_port_t got, task;
	uint32_t id;

	CHECK_EQ(ns_wait(ns, "/test/never", 50, &got), KERN_OPERATION_TIMED_OUT);
	/* nstest late registers /test/late */
	CHECK_EQ(bootstrap_module_start(bootstrap, LATE_MODULE, &id, &task), KERN_SUCCESS);
	mach_port_deallocate(ME, task);
	CHECK_EQ(ns_wait(ns, "/test/late", 5000, &got), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(got));
	mach_port_deallocate(ME, got);
}

/* Only a module whose line says start=no is another task's to start. */
static void
the_bootstrap_starts_only_modules_left_for_others(void)
{
	mach_port_t task = MACH_PORT_NULL;
	uint32_t id = 0xDEADBEEF;

	CHECK_EQ(bootstrap_module_start(bootstrap, 0, &id, &task), KERN_INVALID_ARGUMENT);	/* itself */
	CHECK_EQ(bootstrap_module_start(bootstrap, 1, &id, &task), KERN_INVALID_ARGUMENT);	/* ns, started */
	CHECK_EQ(bootstrap_module_start(bootstrap, 99, &id, &task), KERN_INVALID_ARGUMENT);
	CHECK_EQ(bootstrap_module_start(bootstrap, 0xFFFFFFFF, &id, &task), KERN_INVALID_ARGUMENT);
	CHECK(id == 0xDEADBEEF && task == MACH_PORT_NULL);
}

/*
 * A task port is total control of its task, privileged rights included: the
 * bootstrap publishes the ports of ordinary tasks as /tasks/<name>, never the
 * console server's, which holds the privileged host port.
 */
static void
a_server_holding_host_priv_is_not_published(void)
{
	mach_port_t got = MACH_PORT_NULL;

	CHECK_EQ(ns_lookup(ns, "/tasks/console", &got), KERN_INVALID_NAME);
	CHECK_EQ(ns_lookup(ns, "/tasks/ns", &got), KERN_SUCCESS);	/* an ordinary server's is */
	mach_port_deallocate(ME, got);
}

/* ps's list, through the bootstrap: every task, this one among them. */
static void
the_bootstrap_lists_every_task(void)
{
	static struct manifold_task_summary tasks[TRAP_TASK_LIST_MAX];
	mach_msg_type_number_t words = TRAP_TASK_LIST_MAX * (sizeof *tasks / sizeof(uint32_t));
	uint32_t n = 0, me = 0, seen = 0;

	trap_task_self_id(&me);
	CHECK_EQ(bootstrap_task_list(bootstrap, &n, (uint32_t *)tasks, &words), KERN_SUCCESS);
	CHECK(n >= 5);		/* kernel, bootstrap, ns, console, us... */
	CHECK_EQ(words, n * (sizeof *tasks / sizeof(uint32_t)));
	CHECK_EQ(tasks[0].id, 0);
	CHECK(strcmp(tasks[0].name, "kernel") == 0);
	CHECK(strcmp(tasks[1].name, "bootstrap") == 0);
	for (uint32_t i = 0; i < n; i++)
		seen += tasks[i].id == me && strcmp(tasks[i].name, "nstest") == 0 && tasks[i].threads >= 1;
	CHECK_EQ(seen, 1);
}

static void
malformed_requests_get_errors_and_ns_goes_on(void)
{
	struct {
		mach_msg_header_t h;
		uint32_t junk[8];
		mach_msg_trailer_t t;
	} m;
	mach_port_t r = mach_reply_port(), got;

	for (int i = 0; i < 200; i++) {
		memset(&m, 0, sizeof m);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_remote_port = ns;
		m.h.msgh_local_port = r;
		m.h.msgh_id = 5000 + (int)(rnd() % 8);
		for (int j = 0; j < 8; j++)
			m.junk[j] = rnd() % 3 ? rnd() % 300 : rnd();
		CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.h + (rnd() % 9) * 4,
				  sizeof m, r, 2000, 0), MACH_MSG_SUCCESS);
		mach_msg_destroy(&m.h);
	}
	CHECK_EQ(ns_lookup(ns, "/test/late", &got), KERN_SUCCESS);	/* still serving */
	mach_port_deallocate(ME, got);
	mach_port_destroy(ME, r);
}

/*
 * Notifications count only on the port the kernel sends them to: dead-name
 * notifications forged on ns's service port, naming every name ns could
 * hold, drop nothing; forged no-senders and send-once ones do nothing either.
 */
static void
forged_notifications_are_ignored(void)
{
	struct {
		mach_msg_header_t h;
		mach_port_name_t name;
	} m;
	static const mach_msg_id_t ids[] = { MACH_NOTIFY_NO_SENDERS, MACH_NOTIFY_SEND_ONCE, MACH_NOTIFY_PORT_DELETED };
	mach_port_t p = port_with_send(), reg, got;

	CHECK_EQ(ns_register(ns, "/test/forged", p, &reg), KERN_SUCCESS);
	for (mach_port_name_t name = 1; name < 0x400; name++) {
		memset(&m, 0, sizeof m);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
		m.h.msgh_size = sizeof m;
		m.h.msgh_remote_port = ns;
		m.h.msgh_id = name % 4 ? MACH_NOTIFY_DEAD_NAME : ids[(name / 4) % 3];
		m.name = name;
		CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	}
	CHECK_EQ(ns_lookup(ns, "/test/forged", &got), KERN_SUCCESS);	/* still there: ns believed none */
	CHECK_EQ(got, p);
	mach_port_deallocate(ME, got);
	CHECK_EQ(ns_unregister(ns, "/test/forged", reg), KERN_SUCCESS);
	mach_port_destroy(ME, p);
}

static mach_port_t echo;

static void
the_echo_example_answers_through_its_stubs(void)
{
	char reply[256];
	uint32_t count = 0, first;
	static uint8_t data[3 * 4096];
	uint8_t *copy;
	mach_msg_type_number_t n;
	mach_port_t p, same;

	CHECK_EQ(ns_wait(ns, "/servers/echo", 5000, &echo), KERN_SUCCESS);
	CHECK_EQ(echo_text(echo, "hello, echo", reply, &count), KERN_SUCCESS);
	CHECK(strcmp(reply, "hello, echo") == 0);
	first = count;
	CHECK_EQ(echo_text(echo, "", reply, &count), KERN_SUCCESS);
	CHECK_EQ(count, first + 1);
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 3);
	CHECK_EQ(echo_data(echo, data, sizeof data, &copy, &n), KERN_SUCCESS);
	CHECK_EQ(n, sizeof data);
	CHECK(copy != data);
	CHECK_EQ(memcmp(copy, data, sizeof data), 0);
	vm_deallocate(ME, (vm_address_t)copy, n);
	p = port_with_send();
	CHECK_EQ(echo_port(echo, p, &same), KERN_SUCCESS);
	CHECK_EQ(same, p);
	mach_port_deallocate(ME, same);
	mach_port_destroy(ME, p);
}

/* One client thread of the concurrent cases: what it sent wrong, and where. */
struct client {
	int index;
	int errors;
	int first_line;
};

#define CLIENT_CHECK(c, cond)					\
	do {							\
		if (!(cond) && (c)->errors++ == 0)		\
			(c)->first_line = __LINE__;		\
	} while (0)

/*
 * Calls every echo routine many times through the generated stubs, with
 * text, pages and ports of its own, and checks that each reply is the answer
 * to its own request (a shared reply port would hand it another's).
 */
static void *
echo_client(void *arg)
{
	struct client *c = arg;
	char text[64], reply[256];
	uint32_t count;

	for (int i = 0; i < 60; i++) {
		snprintf(text, sizeof text, "client %d says %d", c->index, i);
		CLIENT_CHECK(c, echo_text(echo, text, reply, &count) == KERN_SUCCESS);
		CLIENT_CHECK(c, strcmp(reply, text) == 0);
		if (i % 10 == 0) {
			vm_address_t page = 0;
			uint8_t *copy = NULL;
			mach_msg_type_number_t n = 0;
			mach_port_t p, same = MACH_PORT_NULL;

			CLIENT_CHECK(c, vm_allocate(ME, &page, 2 * 4096, 1) == KERN_SUCCESS);
			memset((void *)page, c->index * 16 + i / 10, 2 * 4096);
			CLIENT_CHECK(c, echo_data(echo, (uint8_t *)page, 2 * 4096, &copy, &n) == KERN_SUCCESS);
			CLIENT_CHECK(c, n == 2 * 4096 && copy && memcmp(copy, (void *)page, n) == 0);
			if (copy)
				vm_deallocate(ME, (vm_address_t)copy, n);
			vm_deallocate(ME, page, 2 * 4096);
			p = port_with_send();
			CLIENT_CHECK(c, echo_port(echo, p, &same) == KERN_SUCCESS);
			CLIENT_CHECK(c, same == p);
			mach_port_deallocate(ME, same);
			mach_port_destroy(ME, p);
		}
	}
	return c;
}

static void
concurrent_clients_get_their_own_replies_from_the_pool(void)
{
	enum { N = 4 };
	struct client clients[N];
	cthread_t threads[N];
	uint32_t names = port_name_count();

	CHECK(MACH_PORT_VALID(echo));
	for (int i = 0; i < N; i++) {
		clients[i] = (struct client){ i + 1, 0, 0 };
		CHECK_EQ(cthread_fork(&threads[i], echo_client, &clients[i]), KERN_SUCCESS);
	}
	for (int i = 0; i < N; i++)
		CHECK(cthread_join(threads[i]) == &clients[i]);
	for (int i = 0; i < N; i++)
		CHECK_EQ(clients[i].first_line, 0);
	CHECK_EQ(port_name_count(), names);	/* the clients' reply and thread ports went with them */
}

struct pair_result {
	uint32_t paired, thread;
	kern_return_t kr;
};

static void *
pair_client(void *arg)
{
	struct pair_result *r = arg;

	r->kr = echo_pair(echo, &r->paired, &r->thread);
	return NULL;
}

/* Two requests can only meet inside the server if two of its threads hold one each. */
static void
two_requests_are_served_at_once_by_two_server_threads(void)
{
	struct pair_result r[2] = { { 0, 0, -1 }, { 0, 0, -1 } };
	cthread_t t[2];

	CHECK(MACH_PORT_VALID(echo));
	CHECK_EQ(cthread_fork(&t[0], pair_client, &r[0]), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&t[1], pair_client, &r[1]), KERN_SUCCESS);
	cthread_join(t[0]);
	cthread_join(t[1]);
	CHECK_EQ(r[0].kr, KERN_SUCCESS);
	CHECK_EQ(r[1].kr, KERN_SUCCESS);
	CHECK_EQ(r[0].paired, 1);
	CHECK_EQ(r[1].paired, 1);
	CHECK(r[0].thread != 0 && r[1].thread != 0);
	CHECK(r[0].thread != r[1].thread);
}

/* Alone, an echo_pair request waits its two seconds and says so: the case above can fail. */
static void
a_lone_pair_request_is_answered_unpaired(void)
{
	struct pair_result r = { 0, 0, -1 };

	pair_client(&r);
	CHECK_EQ(r.kr, KERN_SUCCESS);
	CHECK_EQ(r.paired, 0);
}

static void
msg_rpc_times_out_on_a_server_that_does_not_answer(void)
{
	union {
		mach_msg_header_t h;
		mig_reply_error_t err;
		uint8_t room[64];
	} m;
	mach_port_t silent = port_with_send();

	memset(&m, 0, sizeof m);
	m.h.msgh_id = 1;
	CHECK_EQ(msg_rpc(silent, &m.h, sizeof m.h, sizeof m, 50), MACH_RCV_TIMED_OUT);
	m.h.msgh_bits = 0;
	m.h.msgh_id = 1;
	CHECK_EQ(msg_rpc(echo, &m.h, sizeof m.h, sizeof m, 5000), MACH_MSG_SUCCESS);	/* unknown id */
	CHECK_EQ(m.err.RetCode, MIG_BAD_ID);
	mach_port_destroy(ME, silent);
}


static void *
wait_for_a_name(void *arg)
{
	mach_port_t got = MACH_PORT_NULL;
	kern_return_t kr = ns_wait(ns, "/test/after-restart", 10000, &got);

	*(mach_port_t *)arg = got;
	return (void *)(intptr_t)kr;
}

/*
 * ns killed while it holds an ns_wait (a deferred reply): the request's reply
 * right dies with it, and the stub (ns_wait is marked retry;) sends it once
 * more, through the same bootstrap port, to the new name server, which
 * answers when the name comes. The names the bootstrap keeps are back at
 * once; our own registrations went with the old ns.
 */
static void
a_wait_held_by_a_dead_name_server_is_sent_again_to_the_next(void)
{
	mach_port_t task = MACH_PORT_NULL, p = port_with_send(), reg, got = MACH_PORT_NULL, again;
	cthread_t t;

	CHECK_EQ(ns_lookup(ns, "/tasks/ns", &task), KERN_SUCCESS);
	CHECK_EQ(cthread_fork(&t, wait_for_a_name, &got), KERN_SUCCESS);
	for (int i = 0; i < 50; i++)		/* let the wait reach ns and be held there */
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(ns_lookup(ns, "/servers/echo", &again), KERN_SUCCESS);	/* ns has served the wait too */
	mach_port_deallocate(ME, again);
	CHECK_EQ(task_terminate(task), KERN_SUCCESS);
	CHECK_EQ(ns_lookup(ns, "/servers/echo", &again), KERN_SUCCESS);	/* the new ns, through the same port */
	mach_port_deallocate(ME, again);
	CHECK_EQ(ns_lookup(ns, "/test/late", &again), KERN_INVALID_NAME);	/* not one the bootstrap keeps */
	CHECK_EQ(ns_register(ns, "/test/after-restart", p, &reg), KERN_SUCCESS);
	CHECK_EQ((kern_return_t)(intptr_t)cthread_join(t), KERN_SUCCESS);
	CHECK_EQ(got, p);
	mach_port_deallocate(ME, got);
	CHECK_EQ(ns_unregister(ns, "/test/after-restart", reg), KERN_SUCCESS);
	mach_port_destroy(ME, p);
	mach_port_deallocate(ME, task);
}

/* The echo task registered now, a live send right, or MACH_PORT_NULL. */
static mach_port_t
echo_task(void)
{
	mach_port_t task = MACH_PORT_NULL;
	mach_port_type_t type = 0;

	for (int i = 0; i < 2000; i++) {	/* the bootstrap registers a new task a little later */
		if (ns_lookup(ns, "/tasks/echo", &task) == KERN_SUCCESS) {
			mach_port_type(ME, task, &type);
			if (type == MACH_PORT_TYPE_SEND)
				return task;
			mach_port_deallocate(ME, task);
			task = MACH_PORT_NULL;
		}
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	return MACH_PORT_NULL;
}

/*
 * The service port outlives its server: the bootstrap gets the receive right
 * back when echo dies and gives it to the new echo, so the send right a
 * client already holds reaches the new instance, with no lookup.
 */
static void
a_restarted_server_is_reached_through_the_same_port(void)
{
	mach_port_t task = echo_task(), svc, again;
	char reply[256];
	uint32_t count;
	uint64_t t0, t1;

	CHECK_EQ(ns_wait(ns, "/servers/echo", 5000, &svc), KERN_SUCCESS);
	CHECK_EQ(echo_text(svc, "before", reply, &count), KERN_SUCCESS);
	CHECK(count > 1);				/* the earlier cases' requests */
	CHECK(MACH_PORT_VALID(task));
	trap_clock_uptime(&t0);
	CHECK_EQ(task_terminate(task), KERN_SUCCESS);	/* kill it */
	CHECK_EQ(echo_text(svc, "back again", reply, &count), KERN_SUCCESS);
	trap_clock_uptime(&t1);
	CHECK_EQ(count, 1);				/* a new server, counting from the start */
	CHECK_EQ(strcmp(reply, "back again"), 0);
	CHECK(t1 - t0 < 1000000000ull);			/* answered within a second of the kill */
	printf("# echo answered %u ms after its kill\n", (unsigned)((t1 - t0) / 1000000));
	CHECK_EQ(ns_lookup(ns, "/servers/echo", &again), KERN_SUCCESS);
	CHECK_EQ(again, svc);				/* the same port under the same name */
	mach_port_deallocate(ME, again);
	mach_port_deallocate(ME, svc);
	mach_port_deallocate(ME, task);
}

static void *
pair_alone(void *arg)
{
	uint32_t paired, thread;

	return (void *)(intptr_t)echo_pair(*(mach_port_t *)arg, &paired, &thread);
}

/*
 * A request the server had received and not answered when it died: its
 * reply right died with the server, and the kernel's send-once notification
 * makes the stub return MIG_SERVER_DIED, a named error, never a hang.
 */
static void
a_request_the_dead_server_held_fails_with_server_died(void)
{
	mach_port_t task = echo_task(), svc;
	cthread_t t;
	char reply[256];
	uint32_t count;

	CHECK_EQ(ns_wait(ns, "/servers/echo", 5000, &svc), KERN_SUCCESS);
	CHECK(MACH_PORT_VALID(task));
	CHECK_EQ(cthread_fork(&t, pair_alone, &svc), KERN_SUCCESS);
	/* echo_pair waits 2 s for a partner: kill the server while it holds the request */
	for (int i = 0; i < 20; i++)
		thread_switch(MACH_PORT_NULL, 0, 0);
	CHECK_EQ(echo_text(svc, "sync", reply, &count), KERN_SUCCESS);	/* the pair request is in by now */
	CHECK_EQ(task_terminate(task), KERN_SUCCESS);
	CHECK_EQ((kern_return_t)(intptr_t)cthread_join(t), MIG_SERVER_DIED);
	CHECK_EQ(echo_text(svc, "after", reply, &count), KERN_SUCCESS);	/* and the next call is answered */
	mach_port_deallocate(ME, svc);
	mach_port_deallocate(ME, task);
}

static void
restarts_stop_at_five_a_minute(void)
{
	mach_port_t svc, task;
	mach_port_type_t type = 0;
	char reply[256];
	uint32_t count;

	CHECK_EQ(ns_wait(ns, "/servers/echo", 5000, &svc), KERN_SUCCESS);
	/* two restarts happened in the previous cases; three more are allowed, then no more */
	for (int i = 0; i < 4; i++) {
		task = echo_task();
		CHECK(MACH_PORT_VALID(task));
		CHECK_EQ(task_terminate(task), KERN_SUCCESS);
		mach_port_deallocate(ME, task);
	}
	/* the service is retired: its port dies, so clients get an error instead of waiting for ever */
	for (int i = 0; i < 5000 && type != MACH_PORT_TYPE_DEAD_NAME; i++) {
		mach_port_type(ME, svc, &type);
		thread_switch(MACH_PORT_NULL, 0, 0);
	}
	CHECK_EQ(type, MACH_PORT_TYPE_DEAD_NAME);
	CHECK_EQ(echo_text(svc, "anyone?", reply, &count), MACH_SEND_INVALID_DEST);
	mach_port_deallocate(ME, svc);
}

static const struct test tests[] = {
#define T(f) { #f, f }
	T(register_then_lookup_gives_the_same_port),
	T(bad_and_taken_names_are_refused),
	T(only_the_registrant_can_unregister),
	T(list_shows_names_under_a_prefix),
	T(names_of_a_dead_port_go_away),
	T(wait_times_out_then_sees_a_late_name),
	T(the_bootstrap_starts_only_modules_left_for_others),
	T(the_bootstrap_lists_every_task),
	T(a_server_holding_host_priv_is_not_published),
	T(malformed_requests_get_errors_and_ns_goes_on),
	T(forged_notifications_are_ignored),
	T(the_echo_example_answers_through_its_stubs),
	T(concurrent_clients_get_their_own_replies_from_the_pool),
	T(two_requests_are_served_at_once_by_two_server_threads),
	T(a_lone_pair_request_is_answered_unpaired),
	T(msg_rpc_times_out_on_a_server_that_does_not_answer),
	T(a_wait_held_by_a_dead_name_server_is_sent_again_to_the_next),
	T(a_restarted_server_is_reached_through_the_same_port),
	T(a_request_the_dead_server_held_fails_with_server_died),
	T(restarts_stop_at_five_a_minute),
};

int
main(int argc, char **argv)
{
	int fail;

	if (task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS || !MACH_PORT_VALID(ns)) {
		printf("servers: no name server\n");
		trap_debug_exit(0x11);
	}
	if (ns_lookup(ns, "/servers/bootstrap", &bootstrap) != KERN_SUCCESS)
		printf("servers: no /servers/bootstrap\n");	/* its cases fail */
	if (argc > 1 && strcmp(argv[1], "late") == 0) {	/* the other task of the wait case */
		mach_port_t p = port_with_send(), reg;
		mach_msg_header_t h;
		for (int i = 0; i < 20; i++)
			thread_switch(MACH_PORT_NULL, 0, 0);
		ns_register(ns, "/test/late", p, &reg);
		for (;;)	/* keep the port alive */
			mach_msg(&h, MACH_RCV_MSG, 0, sizeof h, p, 0, 0);
	}
	fail = run_suite("servers", tests, (int)(sizeof tests / sizeof tests[0]), NULL);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail != 0;
}
