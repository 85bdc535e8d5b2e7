/*
 * The sock suite's case for the clients' shares of gns's TCP memory, included
 * by socktest.c after sockquota_cases.h (whose report, helper_report,
 * answer, helper_meet, report_and_wait and meet_close it uses): `socktest hog` (module 10) connects HOG_CONNECTIONS
 * sockets to a listener of the suite, which accepts them and never reads,
 * and sends on each until a send waits HOG_WAIT_MS. Each
 * connection then holds a window in the suite's sockets and what the
 * client's share (GNS_CLIENT_TCP_BYTES, _SEGS) left it in lwIP's heap and
 * segments. Before the share, nine connections at TCP_SND_BUF each took all
 * 128 of lwIP's segments and every other client's send waited for them.
 */
#ifndef SOCKSHARE_CASES_H
#define SOCKSHARE_CASES_H

#define HOG_MODULE 10		/* `socktest hog start=no` (tests/net/rules.mk) */
#define HOG_MEET "/tests/sock-hog"
#define HOG_PORT 7500
#define HOG_CONNECTIONS 9	/* the suite's quota: a listener, these, and a pair of its own */
#define HOG_CHUNK 4096
#define HOG_WAIT_MS 300		/* a connection is full once a send waits this long */
#define HOG_PHASE 200		/* the report: opened = connections, next_err = bytes taken in all */
#define HOG_WINDOW (16 * 1460)	/* lwipopts.h's TCP_WND: what each unread receiver takes */
#define HOG_OTHER_BYTES 16384	/* what the other client (the suite) then sends and reads back */

/* The suite's own TCP pair through the loopback, 16 KiB each way checked, while the hog holds its share. */
static int
other_client_sends(mach_port_t listener)
{
	static uint8_t out[HOG_OTHER_BYTES], in[HOG_OTHER_BYTES];
	mach_port_t c = MACH_PORT_NULL, a = MACH_PORT_NULL;
	size_t n, got = 0;
	uint32_t ip;
	uint16_t port;
	int err;

	for (size_t i = 0; i < sizeof out; i++)
		out[i] = (uint8_t)(i * 7 + 3);
	if ((err = sock_socket(SOCK_STREAM, &c)) != 0 || (err = sock_connect(c, GNS, HOG_PORT, 0, 5000)) != 0 ||
	    (err = sock_accept(listener, 0, 5000, &a, &ip, &port)) != 0 ||
	    (err = sock_send(c, out, sizeof out, 0, 5000, &n)) != 0)
		goto done;
	if (n != sizeof out) {
		err = EIO;
		goto done;
	}
	while (got < sizeof in && (err = sock_recv(a, in + got, sizeof in - got, 0, 5000, &n)) == 0 && n > 0)
		got += n;
	if (!err && (got != sizeof in || memcmp(in, out, sizeof in) != 0))
		err = EIO;
done:
	if (MACH_PORT_VALID(a))
		sock_close(a);
	if (MACH_PORT_VALID(c))
		sock_close(c);
	return err;
}

static void
one_clients_unread_connections_leave_others_room_to_send(void)
{
	mach_port_t l, acc[HOG_CONNECTIONS], meet, ns, bootstrap, task, registration, reply;
	uint32_t before[GNS_STAT_WORDS], after[GNS_STAT_WORDS], id, ip;
	uint16_t port;
	struct report r;
	int accepted = 0, err;

	CHECK_EQ(sock_gns_stats(before), 0);
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &meet), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, meet, meet, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_register(ns, HOG_MEET, meet, &registration), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/bootstrap", 2000, &bootstrap), KERN_SUCCESS);
	CHECK_EQ(sock_socket(SOCK_STREAM, &l), 0);
	CHECK_EQ(sock_bind(l, 0, HOG_PORT), 0);
	CHECK_EQ(sock_listen(l, HOG_CONNECTIONS), 0);
	CHECK_EQ(bootstrap_module_start(bootstrap, HOG_MODULE, &id, &task), KERN_SUCCESS);
	while (accepted < HOG_CONNECTIONS && sock_accept(l, 0, 10000, &acc[accepted], &ip, &port) == 0)
		accepted++;
	CHECK_EQ(accepted, HOG_CONNECTIONS);
	CHECK(helper_report(meet, HOG_PHASE, &r, &reply));
	printf("socktest: the hog's %d connections took %d bytes (windows %d, its share %u)\n", (int)r.opened,
	       (int)r.next_err, HOG_CONNECTIONS * HOG_WINDOW, GNS_CLIENT_TCP_BYTES);
	CHECK_EQ(r.opened, HOG_CONNECTIONS);
	/* the windows, then no more than its share in lwIP (a write may end one segment past it) */
	CHECK((uint32_t)r.next_err <= HOG_CONNECTIONS * HOG_WINDOW + GNS_CLIENT_TCP_BYTES + 1460);
	CHECK((uint32_t)r.next_err >= GNS_CLIENT_TCP_BYTES);
	/* another client still sends, and without waiting for the hog */
	err = other_client_sends(l);
	if (err)
		printf("socktest: the other client's stream: %s\n", strerror(err));
	CHECK_EQ(err, 0);
	answer(reply);
	for (int i = 0; i < accepted; i++)
		sock_close(acc[i]);
	sock_close(l);
	CHECK(wait_dead_name(task));
	mach_port_deallocate(ME, task);
	CHECK(sockets_back_to(before[GNS_STAT_SOCKETS]));
	for (int i = 0; i < 400; i++) {
		CHECK_EQ(sock_gns_stats(after), 0);
		if (after[GNS_STAT_CLIENTS] == before[GNS_STAT_CLIENTS])
			break;
		trap_thread_yield();
	}
	CHECK_EQ(after[GNS_STAT_CLIENTS], before[GNS_STAT_CLIENTS]);
	meet_close(ns, HOG_MEET, registration, meet, bootstrap);
}

/* `socktest hog` (module 10): the client whose connections fill. Its exit status. */
static int
hog_client(void)
{
	static uint8_t chunk[HOG_CHUNK];
	mach_port_t s[HOG_CONNECTIONS], meet, reply;
	int n = 0, total = 0, err = 0;
	size_t sent;

	if (!helper_meet(HOG_MEET, &meet, &reply)) {
		printf("socktest hog: no %s\n", HOG_MEET);
		return 1;
	}
	memset(chunk, 0x48, sizeof chunk);
	for (; n < HOG_CONNECTIONS && !err; n++)
		if ((err = sock_socket(SOCK_STREAM, &s[n])) == 0)
			err = sock_connect(s[n], GNS, HOG_PORT, 0, 5000);
	/*
	 * Each until gns takes no more for HOG_WAIT_MS: its acknowledgements
	 * come through the loopback in gns's next turns (delayed ones on its
	 * timer), so a send that waits a little finds what they freed.
	 */
	for (int i = 0; i < n && !err; i++) {
		while ((err = sock_send(s[i], chunk, sizeof chunk, 0, HOG_WAIT_MS, &sent)) == 0 && sent > 0)
			total += (int)sent;
		if (err == ETIMEDOUT)
			err = 0;
	}
	if (err)
		printf("socktest hog: %s after %d connections, %d bytes\n", strerror(err), n, total);
	if (!report_and_wait(meet, reply, HOG_PHASE, err ? 0 : n, total)) {
		printf("socktest hog: no answer\n");
		return 1;
	}
	close_all(s, n);
	return err ? 1 : 0;
}

#endif
