/*
 * The sock suite's two clients at their quota at once, included by
 * socktest.c (suite.h's CHECK state is one file's): the
 * suite and `socktest quota` (module 9), each holding GNS_CLIENT_SOCKETS
 * sockets of one kind, then refused the next with EDQUOT. lwIP's pools
 * (servers/gns/lwip/lwipopts.h) must hold both: with its old 16 TCP, 16 UDP
 * and 8 listening PCBs the 17th (9th) socket got ENOBUFS from lwIP before
 * any quota was reached.
 *
 * The two meet at a port the suite registers in ns: the helper opens its
 * sockets of a phase, sends what it got (how many, then the error of one
 * more) and waits for the answer, which says the suite has checked both;
 * then it closes them and goes on to the next phase.
 */
#ifndef SOCKQUOTA_CASES_H
#define SOCKQUOTA_CASES_H

#define QUOTA_MODULE 9		/* `socktest quota start=no` (tests/net/rules.mk) */
#define MEET "/tests/sock-quota"
#define PHASES 3		/* UDP, TCP, listening TCP */
#define SUITE_PORT 7300		/* ports phase * 20 + i of each side */
#define HELPER_PORT 7400
#define CONNECTIONS 5		/* the suite's TCP phase: a listener, 5 connections both ends, 1 more */
#define CLOSED 100		/* the helper's report that it closed phase N's sockets: CLOSED + N */

struct report {
	mach_msg_header_t h;
	int32_t phase, opened, next_err;
};

/*
 * Opens the quota's worth of sockets of a phase into s: n of them to close,
 * *ready of them bound (and listening) as the phase wants. 0, or the error
 * that stopped it.
 */
static int
open_phase(int phase, uint16_t base, mach_port_t *s, int *n, int *ready)
{
	int err = 0;

	*n = *ready = 0;
	for (int i = 0; i < GNS_CLIENT_SOCKETS && !err; i++) {
		uint16_t port = (uint16_t)(base + phase * 20 + i);
		if ((err = sock_socket(phase == 0 ? SOCK_DGRAM : SOCK_STREAM, &s[i])) != 0)
			break;
		++*n;
		if (phase != 1)
			err = sock_bind(s[i], 0, port);
		if (!err && phase == 2)
			err = sock_listen(s[i], 1);
		if (!err)
			++*ready;
	}
	return err;
}

static void
close_all(mach_port_t *s, int n)
{
	for (int i = 0; i < n; i++)
		sock_close(s[i]);
}

/* The suite's TCP phase: real connections through gns's loopback, both ends ours. 0, or an error. */
static int
open_connections(mach_port_t *s, int *n)
{
	int err;
	uint32_t ip;
	uint16_t from;

	*n = 0;
	if ((err = sock_socket(SOCK_STREAM, &s[0])) != 0)
		return err;
	*n = 1;
	if ((err = sock_bind(s[0], 0, SUITE_PORT + 20)) != 0 || (err = sock_listen(s[0], CONNECTIONS)) != 0)
		return err;
	for (int i = 0; i < CONNECTIONS; i++) {
		if ((err = sock_socket(SOCK_STREAM, &s[*n])) != 0)
			return err;
		++*n;
		if ((err = sock_connect(s[*n - 1], WIRE_GNS_IP, SUITE_PORT + 20, 0, 5000)) != 0 ||
		    (err = sock_accept(s[0], 0, 5000, &s[*n], &ip, &from)) != 0)
			return err;
		++*n;
	}
	if ((err = sock_socket(SOCK_STREAM, &s[*n])) != 0)
		return err;
	++*n;
	return 0;
}

/* Waits for the helper's report of a phase (its reply port in *reply). */
static bool
helper_report(mach_port_t meet, int phase, struct report *r, mach_port_t *reply)
{
	struct {
		struct report r;
		mach_msg_trailer_t t;
	} m;

	if (mach_msg(&m.r.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, meet, 20000, MACH_PORT_NULL) !=
	    MACH_MSG_SUCCESS || m.r.h.msgh_size < sizeof m.r || m.r.phase != phase) {
		printf("socktest: no report of phase %d from the quota helper\n", phase);
		return false;
	}
	*r = m.r;
	*reply = m.r.h.msgh_remote_port;
	return true;
}

static void
answer(mach_port_t reply)
{
	mach_msg_header_t h = { .msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0),
				.msgh_size = sizeof h, .msgh_remote_port = reply };

	mach_msg(&h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof h, 0, MACH_PORT_NULL, 2000, MACH_PORT_NULL);
}

/* A helper's port to the suite (registered at path) and its own for answers. False: none. */
static bool
helper_meet(const char *path, mach_port_t *meet, mach_port_t *reply)
{
	mach_port_t ns;

	return task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns) == KERN_SUCCESS &&
	       ns_wait(ns, path, 5000, meet) == KERN_SUCCESS &&
	       mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, reply) == KERN_SUCCESS;
}

/* A helper's report to the suite at meet, and the wait for its answer on reply. False: no answer. */
static bool
report_and_wait(mach_port_t meet, mach_port_t reply, int32_t phase, int32_t opened, int32_t next_err)
{
	union {
		struct report r;
		struct {
			mach_msg_header_t h;
			mach_msg_trailer_t t;
		} answer;
	} m;

	memset(&m, 0, sizeof m);
	m.r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.r.h.msgh_size = sizeof m.r;
	m.r.h.msgh_remote_port = meet;
	m.r.h.msgh_local_port = reply;
	m.r.phase = phase;
	m.r.opened = opened;
	m.r.next_err = next_err;
	return mach_msg(&m.r.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.r, sizeof m, reply, 60000,
			MACH_PORT_NULL) == MACH_MSG_SUCCESS;
}

static bool
sockets_back_to(uint32_t want)
{
	uint32_t st[GNS_STAT_WORDS];

	for (int i = 0; i < 400; i++) {
		if (sock_gns_stats(st) == 0 && st[GNS_STAT_SOCKETS] == want)
			return true;
		trap_thread_yield();
	}
	return false;
}

/* The suite's end of a case with a helper: its name in ns, its port, its rights. */
static void
meet_close(mach_port_t ns, const char *path, mach_port_t registration, mach_port_t meet, mach_port_t bootstrap)
{
	CHECK_EQ(ns_unregister(ns, path, registration), KERN_SUCCESS);
	mach_port_deallocate(ME, registration);
	mach_port_destroy(ME, meet);
	mach_port_deallocate(ME, bootstrap);
	mach_port_deallocate(ME, ns);
}

/* The suite and module 9 each hold GNS_CLIENT_SOCKETS sockets of each kind in turn. */
static void
two_clients_at_their_quota_meet_edquot_not_enobufs(void)
{
	mach_port_t s[GNS_CLIENT_SOCKETS], extra, meet, ns, bootstrap, task, registration, reply;
	uint32_t before[GNS_STAT_WORDS], during[GNS_STAT_WORDS], after[GNS_STAT_WORDS], id;
	struct report r;
	int n, ready;

	CHECK_EQ(sock_gns_stats(before), 0);
	CHECK_EQ(before[GNS_STAT_SOCKETS], 0);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &meet), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, meet, meet, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_register(ns, MEET, meet, &registration), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/bootstrap", 2000, &bootstrap), KERN_SUCCESS);
	CHECK_EQ(bootstrap_module_start(bootstrap, QUOTA_MODULE, &id, &task), KERN_SUCCESS);
	for (int phase = 0; phase < PHASES; phase++) {
		int err = phase == 1 ? open_connections(s, &n) : open_phase(phase, SUITE_PORT, s, &n, &ready);
		if (err)
			printf("socktest: phase %d: socket %d: %s\n", phase, n, strerror(err));
		CHECK_EQ(err, 0);
		CHECK_EQ(n, GNS_CLIENT_SOCKETS);
		CHECK_EQ(sock_socket(SOCK_STREAM, &extra), EDQUOT);
		CHECK(helper_report(meet, phase, &r, &reply));
		if (r.opened != GNS_CLIENT_SOCKETS || r.next_err != EDQUOT)
			printf("socktest: phase %d: the helper opened %d, then %s\n", phase, (int)r.opened,
			       strerror(r.next_err));
		CHECK_EQ(r.opened, GNS_CLIENT_SOCKETS);
		CHECK_EQ(r.next_err, EDQUOT);
		/* both hold their quota at once */
		CHECK_EQ(sock_gns_stats(during), 0);
		CHECK_EQ(during[GNS_STAT_SOCKETS], 2 * GNS_CLIENT_SOCKETS);
		answer(reply);
		close_all(s, n);
		/* the helper closes its own after the answer, then waits while we count */
		CHECK(helper_report(meet, CLOSED + phase, &r, &reply));
		CHECK(sockets_back_to(0));
		answer(reply);
	}
	CHECK(wait_dead_name(task));
	mach_port_deallocate(ME, task);
	for (int i = 0; i < 400; i++) {
		CHECK_EQ(sock_gns_stats(after), 0);
		if (after[GNS_STAT_CLIENTS] == before[GNS_STAT_CLIENTS] && after[GNS_STAT_HEAP_USED] == before[GNS_STAT_HEAP_USED])
			break;
		trap_thread_yield();
	}
	CHECK_EQ(after[GNS_STAT_SOCKETS], before[GNS_STAT_SOCKETS]);
	CHECK_EQ(after[GNS_STAT_CLIENTS], before[GNS_STAT_CLIENTS]);
	meet_close(ns, MEET, registration, meet, bootstrap);
}

/* `socktest quota` (module 9): the other client. Its exit status. */
static int
quota_client(void)
{
	mach_port_t s[GNS_CLIENT_SOCKETS], meet, extra, reply;
	int n, ready;

	if (!helper_meet(MEET, &meet, &reply)) {
		printf("socktest quota: no %s\n", MEET);
		return 1;
	}
	for (int phase = 0; phase < PHASES; phase++) {
		int err = open_phase(phase, HELPER_PORT, s, &n, &ready);

		if (!report_and_wait(meet, reply, phase, ready, err ? err : sock_socket(SOCK_STREAM, &extra))) {
			printf("socktest quota: no answer in phase %d\n", phase);
			return 1;
		}
		close_all(s, n);
		/* closed: the suite counts gns's sockets before we open the next phase's */
		if (!report_and_wait(meet, reply, CLOSED + phase, 0, 0)) {
			printf("socktest quota: no count after phase %d\n", phase);
			return 1;
		}
	}
	return 0;
}

#endif
