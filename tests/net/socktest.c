/*
 * The `sock` suite: gns's sockets and protocol registrations, from a
 * client's side (libmsg's <manifold/socket.h>). This task is also gns's NIC
 * (nicdriver.c) and the peer on its wire (wire.c), so UDP goes out to a
 * host that the cases play; TCP runs between two sockets of this task
 * through gns's loopback (lwIP's LWIP_NETIF_LOOPBACK: packets to gns's own
 * address never reach the wire), which gives both ends of a stream to
 * check. Run as `socktest client` (module 4, started by the bootstrap when
 * asked) it is the client that a case kills in the middle of its calls; as
 * `socktest quota` (module 9) the second client at its quota (sockquota_cases.h);
 * as `socktest hog` (module 10) a client whose connections' peer never reads
 * (sockshare_cases.h).
 */
#include <stdio.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/cthread.h>
#include <manifold/msg.h>
#include <manifold/socket.h>
#include <manifold/trap.h>
#include <msgc_runtime.h>
#include "../user/suite.h"
#include "bootstrap_client.h"
#include "console_client.h"
#include "gns_client.h"
#include "nicdriver.h"
#include "ns_client.h"
#include "socket_client.h"
#include "wire.h"

#define ME mach_task_self()
#define CLIENT_MODULE 5		/* `socktest client start=no` (tests/net/rules.mk) */
#define GNS WIRE_GNS_IP
#define PEER WIRE_PEER_IP
#define CLIENT_UDP_PORT 7000
#define CLIENT_ETHERTYPE 0x88b6
#define KILL_PORT 7002
#define SHELL_MODULE 6		/* the shell, start=no, with run=udpsend+... run=nc+... */
#define NETINFO_MODULE 7	/* the shell, start=no, with run=ifconfig run=netstat */
#define SERVED_MODULE 8		/* `socktest served start=no`: another client, one datagram */
#define SERVED_PORT 7010
#define NETINFO_UDP_PORT 5310
#define NETINFO_ETHERTYPE 0x88b8
#define SHELL_NC_PORT 7004

static mach_port_t gns;

static void
gns_serves_sockets_at_servers_gns(void)
{
	mach_port_t ns, s;

	CHECK(nic_wait_for_open(5000));
	CHECK_EQ(task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/gns", 5000, &gns), KERN_SUCCESS);
	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_close(s), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &s), 0);
	CHECK_EQ(sock_close(s), 0);
}

static void
udp_sendto_reaches_the_wire_peer(void)
{
	static struct wire_udp u;
	mach_port_t s;
	uint32_t ip;
	uint16_t port;
	size_t sent;

	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, 5000), 0);
	CHECK_EQ(sock_getsockname(s, &ip, &port), 0);
	CHECK_EQ(port, 5000);
	CHECK_EQ(sock_sendto(s, "hello, wire", 11, PEER, 6000, 0, 2000, &sent), 0);
	CHECK_EQ(sent, 11);
	CHECK(wire_next_udp(&u, 3000));
	CHECK_EQ(u.src_ip, GNS);
	CHECK_EQ(u.dst_ip, PEER);
	CHECK_EQ(u.src_port, 5000);
	CHECK_EQ(u.dst_port, 6000);
	CHECK_EQ(u.len, 11);
	CHECK(memcmp(u.data, "hello, wire", 11) == 0);
	CHECK_EQ(sock_close(s), 0);
}

static void
udp_recvfrom_gets_the_wire_peers_datagrams(void)
{
	mach_port_t s;
	char buf[64];
	size_t got;
	uint32_t ip;
	uint16_t port;

	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, 5000), 0);
	CHECK(wire_send_udp(6001, 5000, "first", 5));
	CHECK(wire_send_udp(6002, 5000, "second datagram", 15));
	CHECK_EQ(sock_recvfrom(s, buf, sizeof buf, 0, 2000, &got, &ip, &port), 0);
	CHECK_EQ(got, 5);
	CHECK(memcmp(buf, "first", 5) == 0);
	CHECK_EQ(ip, PEER);
	CHECK_EQ(port, 6001);
	/* a datagram longer than the buffer is cut, and the next one is whole */
	CHECK_EQ(sock_recvfrom(s, buf, 6, 0, 2000, &got, &ip, &port), 0);
	CHECK_EQ(got, 6);
	CHECK(memcmp(buf, "second", 6) == 0);
	CHECK_EQ(port, 6002);
	CHECK_EQ(sock_recv(s, buf, sizeof buf, SOCK_NONBLOCK, 0, &got), EWOULDBLOCK);
	CHECK_EQ(sock_close(s), 0);
}

/* The next message on port within ms: its id, or -1. */
static int
notice_id(mach_port_t port, uint32_t ms)
{
	struct {
		mach_msg_header_t h;
		uint8_t room[64];
	} m;

	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, port, ms, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return -1;
	return m.h.msgh_id;
}

/*
 * socket_notify: one message when the socket becomes ready for what was
 * asked (a datagram for SOCK_POLL_RECV), none before; at once when it is
 * ready already; at its close; and an older arm replaced by a newer one
 * (SOCK_NOTIFY_REPLACED on its right, not a dropped right's notification).
 */
static void
notify_says_when_a_socket_is_ready(void)
{
	mach_port_t s, port;
	char buf[16];
	size_t got;

	CHECK_EQ(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port), KERN_SUCCESS);
	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, 5010), 0);
	CHECK_EQ(sock_notify(s, port, 0x10001, SOCK_POLL_ACCEPT), 0);
	CHECK_EQ(sock_notify(s, port, 0x10002, SOCK_POLL_RECV), 0);	/* replaces the first */
	CHECK_EQ(notice_id(port, 100), SOCK_NOTIFY_REPLACED);	/* the first's right: not dropped unsent */
	CHECK_EQ(notice_id(port, 100), -1);	/* nothing to receive yet */
	CHECK(wire_send_udp(6010, 5010, "ready", 5));
	CHECK_EQ(notice_id(port, 3000), 0x10002);
	CHECK_EQ(notice_id(port, 100), -1);	/* once */
	CHECK_EQ(sock_notify(s, port, 0x10003, SOCK_POLL_RECV), 0);
	CHECK_EQ(notice_id(port, 1000), 0x10003);	/* the datagram still waits: at once */
	CHECK_EQ(sock_recv(s, buf, sizeof buf, 0, 1000, &got), 0);
	CHECK_EQ(got, 5);
	CHECK_EQ(sock_notify(s, port, 0x10004, SOCK_POLL_SEND), 0);
	CHECK_EQ(notice_id(port, 1000), 0x10004);	/* a datagram socket can always send */
	CHECK_EQ(sock_notify(s, port, 0x10005, SOCK_POLL_RECV), 0);
	CHECK_EQ(notice_id(port, 100), -1);
	CHECK_EQ(sock_close(s), 0);
	CHECK_EQ(notice_id(port, 1000), 0x10005);	/* closed: a held call learns it */
	mach_port_destroy(mach_task_self(), port);
}

/*
 * Sockets whose owner does not read stall nobody else's input: four UDP
 * sockets each get the 32 small datagrams their queue holds (128, lwIP's
 * whole pool of receive buffers, which each used to keep one of), and none
 * is read. lwIP's pool holds about one buffer per socket (sock_rx.c copies
 * the rest out), a fifth socket still gets its datagram, and the four
 * queues hold every datagram in order.
 */
#define STALL_SOCKS 4
#define STALL_DGRAMS 32		/* SOCK_DGRAM_QUEUE */
#define STALL_PORT 5500

static void
sockets_that_do_not_read_stall_only_their_own_input(void)
{
	uint32_t before[GNS_STAT_WORDS], during[GNS_STAT_WORDS], ip;
	mach_port_t s[STALL_SOCKS + 1];
	char buf[16];
	size_t got;
	uint16_t port;

	CHECK_EQ(sock_gns_stats(before), 0);
	for (int i = 0; i <= STALL_SOCKS; i++) {
		CHECK_EQ(sock_socket(SOCK_DGRAM, &s[i]), 0);
		CHECK_EQ(sock_bind(s[i], 0, (uint16_t)(STALL_PORT + i)), 0);
	}
	for (int k = 0; k < STALL_DGRAMS; k++)
		for (int i = 0; i < STALL_SOCKS; i++) {
			snprintf(buf, sizeof buf, "s%d d%02d", i, k);
			CHECK(wire_send_udp(6100, (uint16_t)(STALL_PORT + i), buf, 7));
		}
	CHECK(wire_send_udp(6101, STALL_PORT + STALL_SOCKS, "reader", 6));
	CHECK_EQ(sock_recvfrom(s[STALL_SOCKS], buf, sizeof buf, 0, 3000, &got, &ip, &port), 0);
	CHECK_EQ(got, 6);
	CHECK(memcmp(buf, "reader", 6) == 0);
	CHECK_EQ(sock_gns_stats(during), 0);
	CHECK(during[GNS_STAT_PBUF_POOL] <= before[GNS_STAT_PBUF_POOL] + STALL_SOCKS + 4);
	for (int i = 0; i < STALL_SOCKS; i++)
		for (int k = 0; k < STALL_DGRAMS; k++) {
			char want[16];
			snprintf(want, sizeof want, "s%d d%02d", i, k);
			CHECK_EQ(sock_recvfrom(s[i], buf, sizeof buf, 0, 2000, &got, &ip, &port), 0);
			CHECK_EQ(got, 7);
			CHECK(memcmp(buf, want, 7) == 0);
		}
	for (int i = 0; i <= STALL_SOCKS; i++)
		CHECK_EQ(sock_close(s[i]), 0);
}

/* Only registered traffic reaches a client: a datagram to a port nobody bound is refused. */
static void
udp_to_an_unregistered_port_is_refused(void)
{
	mach_port_t s;
	char buf[16];
	size_t got;
	uint16_t port = 0;

	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, 5000), 0);
	CHECK(wire_send_udp(6003, 5001, "nobody", 6));
	CHECK_EQ(wire_next_unreachable(&port, 3000), 3);	/* port unreachable */
	CHECK_EQ(port, 5001);
	CHECK_EQ(sock_recv(s, buf, sizeof buf, SOCK_NONBLOCK, 0, &got), EWOULDBLOCK);
	CHECK_EQ(sock_close(s), 0);
}

static void
recv_times_out(void)
{
	mach_port_t s;
	char buf[16];
	size_t got;
	uint64_t t0;

	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, 5002), 0);
	t0 = now_ms();
	CHECK_EQ(sock_recv(s, buf, sizeof buf, 0, 300, &got), ETIMEDOUT);
	CHECK(now_ms() - t0 >= 290);
	CHECK(now_ms() - t0 < 3000);
	t0 = now_ms();
	CHECK_EQ(sock_recv(s, buf, sizeof buf, SOCK_NONBLOCK, 0, &got), EWOULDBLOCK);
	CHECK(now_ms() - t0 < 250);
	/* the socket still works after a timeout */
	CHECK(wire_send_udp(6004, 5002, "late", 4));
	CHECK_EQ(sock_recv(s, buf, sizeof buf, 0, 2000, &got), 0);
	CHECK_EQ(got, 4);
	CHECK_EQ(sock_close(s), 0);
}

/* Waits up to 3 s for gns to see a registration's or socket's no-senders and free its number. */
static int
register_when_free(uint32_t proto, uint32_t number, mach_port_t *reg)
{
	int err = EADDRINUSE;

	for (int i = 0; i < 300 && err == EADDRINUSE; i++) {
		err = sock_register(proto, number, reg);
		if (err == EADDRINUSE)
			trap_thread_yield();
	}
	return err;
}

static void
registration_conflicts_are_named(void)
{
	mach_port_t s, s2, t, reg, reg2;

	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, 5100), 0);
	CHECK_EQ(sock_register(GNS_PROTO_UDP, 5100, &reg), EADDRINUSE);	/* a socket holds it */
	CHECK_EQ(sock_socket(SOCK_DGRAM, &s2), 0);
	CHECK_EQ(sock_bind(s2, 0, 5100), EADDRINUSE);
	CHECK_EQ(sock_register(GNS_PROTO_TCP, 5100, &reg), 0);		/* TCP's 5100 is another number */
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);

	CHECK_EQ(sock_register(GNS_PROTO_ETHER, 0x88b5, &reg), 0);
	CHECK_EQ(sock_register(GNS_PROTO_ETHER, 0x88b5, &reg2), EADDRINUSE);
	CHECK_EQ(sock_register(GNS_PROTO_ETHER, 0x0100, &reg2), EINVAL);	/* an 802.3 length */
	CHECK_EQ(sock_register(GNS_PROTO_UDP, 0, &reg2), EINVAL);
	CHECK_EQ(sock_register(GNS_PROTO_UDP, 65536, &reg2), EINVAL);
	CHECK_EQ(sock_register(9, 80, &reg2), EPROTONOSUPPORT);
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);
	CHECK_EQ(register_when_free(GNS_PROTO_ETHER, 0x88b5, &reg), 0);	/* let go, free again */
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);

	/* a registered port is its holder's to bind: others are refused, the holder binds under it */
	CHECK_EQ(register_when_free(GNS_PROTO_TCP, 7100, &reg), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &t), 0);
	CHECK_EQ(sock_bind(t, 0, 7100), EADDRINUSE);
	/* the right moves even when gns refuses: send a second one */
	CHECK_EQ(mach_port_mod_refs(ME, reg, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	CHECK_EQ(socket_bind_registered(s2, reg, 0), SOCK_EINVAL);	/* UDP socket, TCP registration */
	CHECK_EQ(sock_register(GNS_PROTO_TCP, 7100, &reg2), EADDRINUSE);	/* we still hold it */
	CHECK_EQ(socket_bind_registered(t, reg, 0), KERN_SUCCESS);		/* our last right goes to the socket */
	CHECK_EQ(sock_register(GNS_PROTO_TCP, 7100, &reg), EADDRINUSE);
	CHECK_EQ(sock_close(t), 0);						/* the registration goes with it */
	CHECK_EQ(register_when_free(GNS_PROTO_TCP, 7100, &reg), 0);
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);

	CHECK_EQ(sock_close(s), 0);
	CHECK_EQ(sock_bind(s2, 0, 5100), 0);					/* the closed socket's port is free */
	CHECK_EQ(sock_close(s2), 0);
}

/* Only the registrant of an EtherType gets its frames, and it can send its own. */
static void
ethertype_frames_reach_only_their_registrant(void)
{
	static uint8_t f[1514];
	mach_msg_type_number_t n = sizeof f;
	mach_port_t reg, udp;
	int len;

	CHECK_EQ(sock_register(GNS_PROTO_ETHER, 0x88b5, &reg), 0);
	CHECK_EQ(gns_frame_recv(reg, SOCK_NONBLOCK, 0, f, &n), SOCK_EWOULDBLOCK);
	CHECK(wire_send_ether(0x88b7, "not yours", 9));		/* nobody registered 0x88b7 */
	CHECK(wire_send_ether(0x88b5, "yours", 5));
	n = sizeof f;
	CHECK_EQ(gns_frame_recv(reg, 0, 2000, f, &n), KERN_SUCCESS);
	CHECK_EQ(n, 60);					/* padded to Ethernet's minimum */
	CHECK_EQ(f[12] << 8 | f[13], 0x88b5);
	CHECK(memcmp(f + 14, "yours", 5) == 0);
	CHECK(memcmp(f + 6, wire_peer_mac, 6) == 0);
	n = sizeof f;
	CHECK_EQ(gns_frame_recv(reg, 0, 200, f, &n), SOCK_ETIMEDOUT);

	memcpy(f, wire_peer_mac, 6);
	memset(f + 6, 0xee, 6);					/* gns puts its own MAC here */
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, "from the client", 15);
	CHECK_EQ(gns_frame_send(reg, f, 60), KERN_SUCCESS);
	len = wire_next_ether(0x88b5, f, sizeof f, 2000);
	CHECK_EQ(len, 60);
	CHECK(memcmp(f + 6, wire_gns_mac, 6) == 0);
	CHECK(memcmp(f + 14, "from the client", 15) == 0);
	f[13] = 0xb6;
	CHECK_EQ(gns_frame_send(reg, f, 60), SOCK_EINVAL);	/* not its type */
	CHECK_EQ(gns_frame_send(reg, f, 10), SOCK_EINVAL);	/* no header */

	CHECK_EQ(sock_register(GNS_PROTO_UDP, 5300, &udp), 0);
	n = sizeof f;
	CHECK_EQ(gns_frame_recv(udp, SOCK_NONBLOCK, 0, f, &n), SOCK_EOPNOTSUPP);
	CHECK_EQ(mach_port_deallocate(ME, udp), KERN_SUCCESS);
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);
}

struct peer {
	mach_port_t sock;
	uint16_t port;
	uint32_t bytes;
	int err;
	uint32_t local_port;
};

static void *
connect_and_say_hello(void *arg)
{
	struct peer *p = arg;
	char buf[16];
	size_t n;
	uint32_t ip;
	uint16_t port;

	if ((p->err = sock_connect(p->sock, GNS, p->port, 0, 5000)) != 0)
		return NULL;
	sock_getsockname(p->sock, &ip, &port);
	p->local_port = port;
	if ((p->err = sock_send(p->sock, "ping", 4, 0, 2000, &n)) != 0)
		return NULL;
	if ((p->err = sock_recv(p->sock, buf, sizeof buf, 0, 5000, &n)) != 0)
		return NULL;
	p->err = n == 4 && memcmp(buf, "pong", 4) == 0 ? 0 : -1;
	return NULL;
}

/* A listener, with a socket of its own as its first client: connect, accept, a word each way. */
static void
tcp_connect_and_accept_through_loopback(void)
{
	struct peer p = { .port = 7001 };
	mach_port_t l, c;
	cthread_t th;
	char buf[16];
	size_t n;
	uint32_t ip;
	uint16_t port;

	CHECK_EQ(sock_socket(SOCK_STREAM, &l), 0);
	CHECK_EQ(sock_bind(l, 0, 7001), 0);
	CHECK_EQ(sock_listen(l, 4), 0);
	CHECK_EQ(sock_accept(l, SOCK_NONBLOCK, 0, &c, &ip, &port), EWOULDBLOCK);
	CHECK_EQ(sock_socket(SOCK_STREAM, &p.sock), 0);
	CHECK_EQ(cthread_fork(&th, connect_and_say_hello, &p), KERN_SUCCESS);
	CHECK_EQ(sock_accept(l, 0, 5000, &c, &ip, &port), 0);
	CHECK_EQ(ip, GNS);
	CHECK_EQ(sock_recv(c, buf, sizeof buf, 0, 5000, &n), 0);
	CHECK_EQ(n, 4);
	CHECK(memcmp(buf, "ping", 4) == 0);
	CHECK_EQ(sock_send(c, "pong", 4, 0, 2000, &n), 0);
	cthread_join(th);
	CHECK_EQ(p.err, 0);
	CHECK_EQ(port, p.local_port);				/* accept names the connecting socket */
	CHECK_EQ(sock_getpeername(c, &ip, &port), 0);
	CHECK_EQ(port, p.local_port);
	CHECK_EQ(sock_getpeername(p.sock, &ip, &port), 0);
	CHECK_EQ(port, 7001);
	CHECK_EQ(sock_close(p.sock), 0);
	CHECK_EQ(sock_recv(c, buf, sizeof buf, 0, 5000, &n), 0);	/* the peer's FIN: end of stream */
	CHECK_EQ(n, 0);
	CHECK_EQ(sock_close(c), 0);
	CHECK_EQ(sock_close(l), 0);
}

/*
 * A SYN flood from the wire's peer, which never completes a handshake: 200
 * SYNs from as many ports at a listener with a backlog of 4. lwIP keeps at
 * most 4 half-open connections for it (the backlog, the oldest giving way:
 * lwip/syn_guard.c), so its TCP records stay free for sockets, and a client
 * that comes after the flood connects to the same listener at once.
 */
#define FLOOD_PORT 7020
#define FLOOD_SYNS 200
#define FLOOD_ISN 0x10000000u

static void
a_syn_flood_takes_neither_the_listener_nor_lwips_records(void)
{
	struct peer p = { .port = FLOOD_PORT };
	uint32_t before[GNS_STAT_WORDS], during[GNS_STAT_WORDS], ip;
	mach_port_t l, c, extra[8];
	cthread_t th;
	char buf[8];
	size_t n;
	uint16_t port;

	CHECK_EQ(sock_socket(SOCK_STREAM, &l), 0);
	CHECK_EQ(sock_bind(l, 0, FLOOD_PORT), 0);
	CHECK_EQ(sock_listen(l, 4), 0);
	CHECK_EQ(sock_gns_stats(before), 0);
	for (uint32_t i = 0; i < FLOOD_SYNS; i++)
		CHECK(wire_send_tcp((uint16_t)(30000 + i), FLOOD_PORT, FLOOD_ISN + i * 65536u, 0, WIRE_TCP_SYN));
	msg_sleep_ms(300);	/* gns takes them all in */
	CHECK_EQ(sock_gns_stats(during), 0);
	/* 4 half-open records and what their SYN-ACKs hold, not one record per SYN (which was 100 and more) */
	CHECK(during[GNS_STAT_POOLS_USED] < before[GNS_STAT_POOLS_USED] + 24);
	/* counted: a SYN past the backlog of 4 drops the oldest half-open one (196 if none is lost) */
	CHECK(during[GNS_STAT_SYN_EVICTED] - before[GNS_STAT_SYN_EVICTED] >= FLOOD_SYNS / 2);
	CHECK(during[GNS_STAT_SYN_EVICTED] - before[GNS_STAT_SYN_EVICTED] <= FLOOD_SYNS - 4);
	/* sockets still get their records */
	for (int i = 0; i < 8; i++)
		CHECK_EQ(sock_socket(SOCK_STREAM, &extra[i]), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(sock_close(extra[i]), 0);
	/* and a client after the flood gets in */
	CHECK_EQ(sock_socket(SOCK_STREAM, &p.sock), 0);
	CHECK_EQ(cthread_fork(&th, connect_and_say_hello, &p), KERN_SUCCESS);
	CHECK_EQ(sock_accept(l, 0, 5000, &c, &ip, &port), 0);
	CHECK_EQ(sock_recv(c, buf, sizeof buf, 0, 5000, &n), 0);
	CHECK_EQ(n, 4);
	CHECK(memcmp(buf, "ping", 4) == 0);
	CHECK_EQ(sock_send(c, "pong", 4, 0, 2000, &n), 0);
	cthread_join(th);
	CHECK_EQ(p.err, 0);
	CHECK_EQ(sock_close(p.sock), 0);
	CHECK_EQ(sock_close(c), 0);
	CHECK_EQ(sock_close(l), 0);
	/* the peer resets what is left of its flood, so that later cases find lwIP as it was */
	for (uint32_t i = 0; i < FLOOD_SYNS; i++)
		CHECK(wire_send_tcp((uint16_t)(30000 + i), FLOOD_PORT, FLOOD_ISN + i * 65536u + 1, 0, WIRE_TCP_RST));
}

#define BULK (1024u * 1024u)
#define HASH_START 2166136261u

static uint8_t bulk_out[BULK], bulk_in[64 * 1024];

static uint32_t
fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void *
send_bulk(void *arg)
{
	struct peer *p = arg;
	size_t sent;

	if ((p->err = sock_connect(p->sock, GNS, p->port, 0, 5000)) != 0)
		return NULL;
	/* 64 KiB calls, out of line; one 1 KiB call inline at the end */
	for (uint32_t off = 0; off < BULK && !p->err; off += (uint32_t)sent) {
		uint32_t len = BULK - off > 65536 ? 65536 : BULK - off - 1024 ? BULK - off - 1024 : 1024;
		p->err = sock_send(p->sock, bulk_out + off, len, 0, 10000, &sent);
		p->bytes += (uint32_t)sent;
	}
	if (!p->err)
		p->err = sock_shutdown(p->sock, SOCK_SHUT_WR);
	return NULL;
}

static void
tcp_carries_a_mebibyte_intact(void)
{
	struct peer p = { .port = 7003 };
	mach_port_t l, c;
	cthread_t th;
	uint32_t h_out, h_in = HASH_START, got = 0;
	uint64_t t0 = now_ms();
	size_t n = 1;

	for (uint32_t i = 0; i < BULK; i++)
		bulk_out[i] = (uint8_t)(i * 2654435761u >> 13);
	h_out = fnv(HASH_START, bulk_out, BULK);
	CHECK_EQ(sock_socket(SOCK_STREAM, &l), 0);
	CHECK_EQ(sock_bind(l, 0, 7003), 0);
	CHECK_EQ(sock_listen(l, 1), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &p.sock), 0);
	CHECK_EQ(cthread_fork(&th, send_bulk, &p), KERN_SUCCESS);
	CHECK_EQ(sock_accept(l, 0, 5000, &c, NULL, NULL), 0);
	while (n > 0) {
		/* odd sizes, inline and out of line, so reads cut the stream everywhere */
		size_t want = got % 3 == 0 ? sizeof bulk_in : got % 3 == 1 ? 3000 : 10007;
		int err = sock_recv(c, bulk_in, want, 0, 10000, &n);
		if (err) {
			printf("socktest: recv after %u bytes: errno %d\n", got, err);
			break;
		}
		h_in = fnv(h_in, bulk_in, n);
		got += (uint32_t)n;
	}
	cthread_join(th);
	CHECK_EQ(p.err, 0);
	CHECK_EQ(p.bytes, BULK);
	CHECK_EQ(got, BULK);
	CHECK_EQ(h_in, h_out);
	printf("socktest: 1 MiB through gns's loopback in %u ms, FNV-1a %08x\n", (unsigned)(now_ms() - t0), h_in);
	CHECK_EQ(sock_close(p.sock), 0);
	CHECK_EQ(sock_close(c), 0);
	CHECK_EQ(sock_close(l), 0);
}

static void *
connect_only(void *arg)
{
	struct peer *p = arg;

	p->err = sock_connect(p->sock, GNS, p->port, 0, 5000);
	return NULL;
}

/*
 * Back-pressure: a receiver that does not read stops the sender once its
 * window and the sender's buffer are full (EWOULDBLOCK, or ETIMEDOUT for a
 * send that waits), and reading lets it go on.
 */
static void
tcp_send_stops_for_a_reader_that_does_not_read(void)
{
	struct peer p = { .port = 7005 };
	mach_port_t l, c;
	cthread_t th;
	uint32_t queued = 0;
	size_t n;
	int err = 0;

	CHECK_EQ(sock_socket(SOCK_STREAM, &l), 0);
	CHECK_EQ(sock_bind(l, 0, 7005), 0);
	CHECK_EQ(sock_listen(l, 1), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &p.sock), 0);
	CHECK_EQ(cthread_fork(&th, connect_only, &p), KERN_SUCCESS);
	CHECK_EQ(sock_accept(l, 0, 5000, &c, NULL, NULL), 0);
	cthread_join(th);
	CHECK_EQ(p.err, 0);
	while (queued < 4 * BULK && (err = sock_send(p.sock, bulk_out, 4096, SOCK_NONBLOCK, 0, &n)) == 0)
		queued += (uint32_t)n;
	CHECK_EQ(err, EWOULDBLOCK);
	printf("socktest: %u bytes taken before a reader that does not read stopped the sender\n", queued);
	CHECK(queued >= 16 * 1460);		/* at least the send buffer... */
	CHECK(queued <= 4 * 16 * 1460);		/* ...and not much past it and the window */
	CHECK_EQ(sock_send(p.sock, bulk_out, 4096, 0, 200, &n), ETIMEDOUT);
	CHECK_EQ(sock_recv(c, bulk_in, sizeof bulk_in, 0, 2000, &n), 0);
	CHECK(n > 0);
	CHECK_EQ(sock_send(p.sock, bulk_out, 1, 0, 2000, &n), 0);	/* room again */
	CHECK_EQ(n, 1);
	CHECK_EQ(sock_close(p.sock), 0);
	CHECK_EQ(sock_close(c), 0);
	CHECK_EQ(sock_close(l), 0);
}

static void
tcp_connect_to_a_closed_port_is_refused(void)
{
	mach_port_t s;

	CHECK_EQ(sock_socket(SOCK_STREAM, &s), 0);
	CHECK_EQ(sock_connect(s, GNS, 7999, 0, 5000), ECONNREFUSED);
	CHECK_EQ(sock_close(s), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &s), 0);
	CHECK_EQ(sock_connect(s, GNS, 7999, SOCK_NONBLOCK, 0), EINPROGRESS);
	CHECK_EQ(sock_connect(s, GNS, 7999, 0, 5000), ECONNREFUSED);	/* the outcome */
	CHECK_EQ(sock_close(s), 0);
}

/*
 * The client (module 4) binds a UDP port, registers an EtherType, connects
 * to us and waits in a recv when we kill it: its socket ports lose their
 * last senders, gns closes them (we see the end of the stream) and frees
 * the port and the registration, which we then take.
 */
static void
a_killed_clients_sockets_and_registrations_are_freed(void)
{
	mach_port_t ns, bootstrap, l, c, task, s, reg;
	uint32_t id;
	char buf[16];
	size_t n = 1;
	int err = 0;

	CHECK_EQ(task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/bootstrap", 2000, &bootstrap), KERN_SUCCESS);
	CHECK_EQ(sock_socket(SOCK_STREAM, &l), 0);
	CHECK_EQ(sock_bind(l, 0, KILL_PORT), 0);
	CHECK_EQ(sock_listen(l, 1), 0);
	CHECK_EQ(bootstrap_module_start(bootstrap, CLIENT_MODULE, &id, &task), KERN_SUCCESS);
	CHECK_EQ(sock_accept(l, 0, 10000, &c, NULL, NULL), 0);
	CHECK_EQ(sock_recv(c, buf, sizeof buf, 0, 5000, &n), 0);
	CHECK_EQ(n, 5);
	CHECK(memcmp(buf, "ready", 5) == 0);		/* it holds its port and registration now */
	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, CLIENT_UDP_PORT), EADDRINUSE);
	CHECK_EQ(sock_register(GNS_PROTO_ETHER, CLIENT_ETHERTYPE, &reg), EADDRINUSE);

	end_task_and_wait(task);
	err = sock_recv(c, buf, sizeof buf, 0, 5000, &n);
	CHECK(err == ECONNRESET || (err == 0 && n == 0));
	for (int i = 0; i < 300 && (err = sock_bind(s, 0, CLIENT_UDP_PORT)) == EADDRINUSE; i++)
		trap_thread_yield();
	CHECK_EQ(err, 0);
	CHECK_EQ(register_when_free(GNS_PROTO_ETHER, CLIENT_ETHERTYPE, &reg), 0);
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);
	CHECK_EQ(sock_close(s), 0);
	CHECK_EQ(sock_close(c), 0);
	CHECK_EQ(sock_close(l), 0);
	mach_port_deallocate(ME, bootstrap);
	mach_port_deallocate(ME, ns);
}

/* The shell's udpsend and nc (servers/shell/net.c), run from its module line, reach us. */
static void
shell_udpsend_and_nc_use_the_library(void)
{
	static struct wire_udp u;
	mach_port_t ns, bootstrap, l, c, task;
	uint32_t id;
	char buf[32];
	size_t n;

	CHECK_EQ(task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/bootstrap", 2000, &bootstrap), KERN_SUCCESS);
	CHECK_EQ(sock_socket(SOCK_STREAM, &l), 0);
	CHECK_EQ(sock_bind(l, 0, SHELL_NC_PORT), 0);
	CHECK_EQ(sock_listen(l, 1), 0);
	CHECK_EQ(bootstrap_module_start(bootstrap, SHELL_MODULE, &id, &task), KERN_SUCCESS);
	CHECK(wire_next_udp(&u, 5000));
	CHECK_EQ(u.dst_port, 6100);
	CHECK_EQ(u.len, 14);
	CHECK(memcmp(u.data, "from the shell", 14) == 0);
	CHECK_EQ(sock_accept(l, 0, 5000, &c, NULL, NULL), 0);
	CHECK_EQ(sock_recv(c, buf, sizeof buf, 0, 5000, &n), 0);
	CHECK_EQ(n, 10);
	CHECK(memcmp(buf, "hello gns\n", 10) == 0);
	CHECK_EQ(sock_send(c, "welcome\n", 8, 0, 2000, &n), 0);
	CHECK_EQ(sock_close(c), 0);
	CHECK(wait_dead_name(task));		/* nc saw the end of the stream, and the shell ended */
	mach_port_deallocate(ME, task);
	CHECK_EQ(sock_close(l), 0);
	mach_port_deallocate(ME, bootstrap);
	mach_port_deallocate(ME, ns);
}

static uint32_t
my_task_id(void)
{
	task_id_info_data_t id = { 0 };
	mach_msg_type_number_t n = TASK_ID_INFO_COUNT;

	task_info(ME, TASK_ID_INFO, (integer_t *)&id, &n);
	return id.task_id;
}

/* netstat's record of (proto, local port), or NULL. */
static const uint32_t *
netstat_find(const uint32_t *recs, uint32_t count, uint32_t proto, uint32_t port)
{
	for (uint32_t i = 0; i < count && i < GNS_NET_MAX; i++)
		if (recs[i * GNS_NET_WORDS + GNS_NET_PROTO] == proto && recs[i * GNS_NET_WORDS + GNS_NET_LOCAL_PORT] == port)
			return recs + i * GNS_NET_WORDS;
	return NULL;
}

/* gns_ifconfig and gns_netstat say what gns has: its NIC, and our sockets and registration with us as owner. */
static void
ifconfig_and_netstat_describe_the_nic_and_sockets(void)
{
	static uint32_t recs[GNS_NET_MAX * GNS_NET_WORDS];
	static const uint8_t mac[6] = NIC_MAC;
	uint32_t w[GNS_IF_WORDS], count, before, me = my_task_id();
	const uint32_t *r;
	mach_port_t u, c, t, reg;

	CHECK_EQ(sock_ifconfig(w), 0);
	CHECK_EQ(w[GNS_IF_IP], GNS);
	CHECK_EQ(w[GNS_IF_NETMASK], 0xffff0000u);
	CHECK_EQ(w[GNS_IF_MAC_HI], (uint32_t)mac[0] << 8 | mac[1]);
	CHECK_EQ(w[GNS_IF_MAC_LO], (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5]);
	CHECK_EQ(w[GNS_IF_FLAGS] & (GNS_IFF_UP | GNS_IFF_LINK), GNS_IFF_UP | GNS_IFF_LINK);
	CHECK_EQ(w[GNS_IF_MTU], 1500);
	CHECK(w[GNS_IF_RX_PACKETS] > 0 && w[GNS_IF_RX_BYTES] >= 14 * w[GNS_IF_RX_PACKETS]);
	CHECK(w[GNS_IF_TX_PACKETS] > 0 && w[GNS_IF_TX_BYTES] >= 14 * w[GNS_IF_TX_PACKETS]);

	CHECK_EQ(sock_netstat(recs, GNS_NET_MAX, &before), 0);
	CHECK_EQ(sock_socket(SOCK_DGRAM, &u), 0);
	CHECK_EQ(sock_bind(u, 0, 5300), 0);
	CHECK_EQ(sock_socket(SOCK_DGRAM, &c), 0);
	CHECK_EQ(sock_connect(c, PEER, 9, 0, 0), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &t), 0);
	CHECK_EQ(sock_bind(t, 0, 5301), 0);
	CHECK_EQ(sock_listen(t, 2), 0);
	CHECK_EQ(sock_register(GNS_PROTO_ETHER, 0x88b7, &reg), 0);
	CHECK(wire_send_udp(6010, 5300, "queued", 6));
	for (int i = 0; i < 100 && ((r = netstat_find(recs, count, GNS_PROTO_UDP, 5300)) == NULL ||
				    r[GNS_NET_RX_QUEUED] == 0); i++) {
		CHECK_EQ(sock_netstat(recs, GNS_NET_MAX, &count), 0);
		trap_thread_yield();
	}
	CHECK_EQ(count, before + 4);
	CHECK((r = netstat_find(recs, count, GNS_PROTO_UDP, 5300)) != NULL);
	CHECK_EQ(r[GNS_NET_STATE], GNS_NET_S_BOUND);
	CHECK_EQ(r[GNS_NET_OWNER], me);
	CHECK_EQ(r[GNS_NET_RX_QUEUED], 6);		/* the datagram, not read yet */
	CHECK((r = netstat_find(recs, count, GNS_PROTO_TCP, 5301)) != NULL);
	CHECK_EQ(r[GNS_NET_STATE], GNS_NET_S_LISTEN);
	CHECK_EQ(r[GNS_NET_OWNER], me);
	CHECK((r = netstat_find(recs, count, GNS_PROTO_ETHER, 0x88b7)) != NULL);
	CHECK_EQ(r[GNS_NET_STATE], GNS_NET_S_REGISTERED);
	CHECK_EQ(r[GNS_NET_OWNER], me);
	for (uint32_t i = 0; i < count; i++) {
		r = recs + i * GNS_NET_WORDS;
		if (r[GNS_NET_PROTO] == GNS_PROTO_UDP && r[GNS_NET_REMOTE_PORT] == 9)
			break;
		r = NULL;
	}
	CHECK(r != NULL);
	CHECK_EQ(r[GNS_NET_STATE], GNS_NET_S_CONNECTED);
	CHECK_EQ(r[GNS_NET_REMOTE_IP], PEER);
	CHECK(r[GNS_NET_LOCAL_PORT] != 0);		/* lwIP picked one */
	CHECK_EQ(sock_close(u), 0);
	CHECK_EQ(sock_close(c), 0);
	CHECK_EQ(sock_close(t), 0);
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);
	for (int i = 0; i < 100 && count != before; i++) {
		trap_thread_yield();
		CHECK_EQ(sock_netstat(recs, GNS_NET_MAX, &count), 0);
	}
	CHECK_EQ(count, before);
}

/*
 * The shell's ifconfig and netstat (module 7: run=ifconfig run=netstat), read
 * back from the console server, while we hold a UDP port and an EtherType.
 */
static void
shell_ifconfig_and_netstat_print_them(void)
{
	static char out[4096];
	char line[96];
	mach_port_t ns, bootstrap, console, task, u, reg;
	uint32_t id;

	CHECK_EQ(task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/bootstrap", 2000, &bootstrap), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/console", 2000, &console), KERN_SUCCESS);
	CHECK_EQ(sock_socket(SOCK_DGRAM, &u), 0);
	CHECK_EQ(sock_bind(u, 0, NETINFO_UDP_PORT), 0);
	CHECK_EQ(sock_register(GNS_PROTO_ETHER, NETINFO_ETHERTYPE, &reg), 0);
	CHECK_EQ(bootstrap_module_start(bootstrap, NETINFO_MODULE, &id, &task), KERN_SUCCESS);
	CHECK(wait_dead_name(task));
	mach_port_deallocate(ME, task);
	CHECK_EQ(console_recent(console, out), KERN_SUCCESS);
	CHECK(strstr(out, "et0: flags=<UP,BROADCAST,RUNNING> mtu 1500") != NULL);
	CHECK(strstr(out, "inet 10.77.0.3 netmask 255.255.0.0 gateway 0.0.0.0") != NULL);
	CHECK(strstr(out, "ether 02:4d:46:00:00:03 link up") != NULL);
	CHECK(strstr(out, "RX packets ") != NULL && strstr(out, "TX packets ") != NULL);
	CHECK(strstr(out, "Proto Recv-Q Send-Q  Local") != NULL);
	CHECK(strstr(out, " half-open TCP connections dropped for newer SYNs") != NULL);	/* gns_stats' counter */
	snprintf(line, sizeof line, "*:%u", NETINFO_UDP_PORT);
	CHECK(strstr(out, line) != NULL);
	CHECK(strstr(out, "type 0x88b8") != NULL);
	CHECK(strstr(out, "REGISTERED") != NULL);
	snprintf(line, sizeof line, "socktest (%u)", (unsigned)my_task_id());
	CHECK(strstr(out, line) != NULL);			/* the owner, by name */
	CHECK_EQ(sock_close(u), 0);
	CHECK_EQ(mach_port_deallocate(ME, reg), KERN_SUCCESS);
	mach_port_deallocate(ME, console);
	mach_port_deallocate(ME, bootstrap);
	mach_port_deallocate(ME, ns);
}

/* A socket_recv request with its own reply port, not waited for: gns holds it or answers at once. */
static mach_port_t
recv_request(mach_port_t sock)
{
	struct {
		mach_msg_header_t h;
		uint32_t max, flags, timeout_ms;
	} m;
	mach_port_t reply;

	if (mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_size = sizeof m;
	m.h.msgh_remote_port = sock;
	m.h.msgh_local_port = reply;
	m.h.msgh_id = 10200 + 7;	/* socket_recv */
	m.max = 16;
	if (mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 1000, MACH_PORT_NULL) !=
	    MACH_MSG_SUCCESS) {
		mach_port_destroy(ME, reply);
		return MACH_PORT_NULL;
	}
	return reply;
}

/* What came on reply: gns's RetCode, -1 for a send-once notification (dropped), -2 for nothing yet. */
static int
reply_code(mach_port_t reply, uint32_t timeout_ms)
{
	union {
		mach_msg_header_t h;
		uint8_t b[256];
	} m;

	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, reply, timeout_ms, MACH_PORT_NULL) !=
	    MACH_MSG_SUCCESS)
		return -2;
	if (m.h.msgh_id == MACH_NOTIFY_SEND_ONCE)
		return -1;
	return ((mig_reply_error_t *)&m.h)->RetCode;
}

static bool
stats_equal(const uint32_t *a, const uint32_t *b)
{
	for (int i = 0; i < GNS_STAT_GAUGES; i++)
		if (a[i] != b[i]) {
			printf("socktest: gns_stats word %d: %u before, %u after\n", i, (unsigned)a[i], (unsigned)b[i]);
			return false;
		}
	return true;
}

/*
 * One client (us) takes its whole quota of sockets, registrations and held
 * calls, and is refused the next of each with EDQUOT; meanwhile another
 * task (module 8) is served; afterwards gns holds what it held before.
 */
static void
a_client_over_its_quota_gets_edquot_and_others_are_served(void)
{
	static struct wire_udp wu;
	mach_port_t socks[GNS_CLIENT_SOCKETS], regs[GNS_CLIENT_REGISTRATIONS], replies[GNS_CLIENT_HELD + 4];
	mach_port_t extra, ns, bootstrap, task;
	uint32_t before[GNS_STAT_WORDS], during[GNS_STAT_WORDS], after[GNS_STAT_WORDS], id;
	int held = 0, refused = 0, dropped = 0;

	CHECK_EQ(sock_gns_stats(before), 0);
	CHECK_EQ(before[GNS_STAT_SOCKETS], 0);		/* every case closed its own */
	/*
	 * Failed calls leave the request's owner right to the loop to release: gns
	 * must not let go of it too, or the count it keeps for us would be lost
	 * with our task port's name and the quota would start again.
	 */
	CHECK_EQ(sock_socket(SOCK_DGRAM, &socks[0]), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(gns_socket(gns, 7, ME, &extra), SOCK_EPROTONOSUPPORT);
	for (int i = 1; i < GNS_CLIENT_SOCKETS; i++)
		CHECK_EQ(sock_socket(i % 2 ? SOCK_STREAM : SOCK_DGRAM, &socks[i]), 0);
	CHECK_EQ(sock_socket(SOCK_DGRAM, &extra), EDQUOT);
	for (int i = 0; i < GNS_CLIENT_REGISTRATIONS; i++)
		CHECK_EQ(sock_register(GNS_PROTO_UDP, 7200 + i, &regs[i]), 0);
	CHECK_EQ(sock_register(GNS_PROTO_UDP, 7299, &extra), EDQUOT);
	/* calls held: recv on a UDP socket with nothing to read waits, up to the quota */
	for (int i = 0; i < GNS_CLIENT_HELD + 4; i++)
		CHECK((replies[i] = recv_request(socks[0])) != MACH_PORT_NULL);
	for (int i = 0; i < GNS_CLIENT_HELD + 4; i++) {
		int code = reply_code(replies[i], i < GNS_CLIENT_HELD ? 0 : 2000);
		if (code == -2)
			held++;
		else if (code == (int)SOCK_EDQUOT)
			refused++;
	}
	CHECK_EQ(held, GNS_CLIENT_HELD);
	CHECK_EQ(refused, 4);
	CHECK_EQ(sock_gns_stats(during), 0);
	CHECK_EQ(during[GNS_STAT_SOCKETS], GNS_CLIENT_SOCKETS);
	CHECK_EQ(during[GNS_STAT_REGISTRATIONS], GNS_CLIENT_REGISTRATIONS);
	CHECK_EQ(during[GNS_STAT_HELD], GNS_CLIENT_HELD);

	/* another task is served meanwhile: its datagram reaches the wire */
	CHECK_EQ(task_get_special_port(ME, TASK_BOOTSTRAP_PORT, &ns), KERN_SUCCESS);
	CHECK_EQ(ns_wait(ns, "/servers/bootstrap", 2000, &bootstrap), KERN_SUCCESS);
	CHECK_EQ(bootstrap_module_start(bootstrap, SERVED_MODULE, &id, &task), KERN_SUCCESS);
	CHECK(wire_next_udp(&wu, 5000));
	CHECK_EQ(wu.src_port, SERVED_PORT);
	CHECK(wu.len == 6 && memcmp(wu.data, "served", 6) == 0);
	CHECK(wait_dead_name(task));
	mach_port_deallocate(ME, task);

	/* closing the socket drops the held calls (send-once notifications); the rest goes back */
	CHECK_EQ(sock_close(socks[0]), 0);
	for (int i = 0; i < GNS_CLIENT_HELD; i++)
		dropped += reply_code(replies[i], 2000) == -1;
	CHECK_EQ(dropped, GNS_CLIENT_HELD);
	for (int i = 0; i < GNS_CLIENT_HELD + 4; i++)
		mach_port_destroy(ME, replies[i]);
	for (int i = 1; i < GNS_CLIENT_SOCKETS; i++)
		CHECK_EQ(sock_close(socks[i]), 0);
	for (int i = 0; i < GNS_CLIENT_REGISTRATIONS; i++)
		CHECK_EQ(mach_port_deallocate(ME, regs[i]), KERN_SUCCESS);
	for (int i = 0; i < 200; i++) {
		CHECK_EQ(sock_gns_stats(after), 0);
		if (after[GNS_STAT_REGISTRATIONS] == 0 && after[GNS_STAT_CLIENTS] == before[GNS_STAT_CLIENTS])
			break;
		trap_thread_yield();
	}
	CHECK(stats_equal(before, after));
	mach_port_deallocate(ME, bootstrap);
	mach_port_deallocate(ME, ns);
}

#include "sockquota_cases.h"
#include "sockshare_cases.h"

/* Wrong calls get named errors, and gns goes on serving. */
static void
bad_calls_get_named_errors(void)
{
	static uint8_t big[SOCK_DGRAM_MAX + 1];
	mach_port_t u, t, dead, reg;
	uint32_t a, p;
	uint8_t *ool;
	mach_msg_type_number_t cnt = 0;
	size_t n;
	union {
		mach_msg_header_t h;
		uint8_t b[256];
	} m;

	CHECK_EQ(gns_socket(gns, 7, ME, &u), SOCK_EPROTONOSUPPORT);
	/* an owner that is no task: refused at once, though nobody answers on it */
	CHECK_EQ(mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &dead), KERN_SUCCESS);
	CHECK_EQ(mach_port_insert_right(ME, dead, dead, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	CHECK_EQ(gns_socket(gns, SOCK_DGRAM, dead, &u), SOCK_EINVAL);
	CHECK_EQ(gns_register(gns, GNS_PROTO_UDP, 5299, dead, &reg), SOCK_EINVAL);
	CHECK_EQ(gns_socket(gns, SOCK_DGRAM, MACH_PORT_NULL, &u), MIG_BAD_ARGUMENTS);	/* the demux wants a port */
	CHECK_EQ(mach_port_destroy(ME, dead), KERN_SUCCESS);
	CHECK_EQ(socket_bind(gns, 0, 1), SOCK_EBADF);			/* the service is no socket */
	CHECK_EQ(sock_socket(SOCK_DGRAM, &u), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &t), 0);
	CHECK_EQ(gns_socket(u, SOCK_DGRAM, ME, &dead), SOCK_EOPNOTSUPP);	/* a socket is no service */
	CHECK_EQ(gns_register(t, GNS_PROTO_UDP, 1, ME, &reg), SOCK_EOPNOTSUPP);
	CHECK_EQ(sock_bind(u, 0x0a010101, 5200), EADDRNOTAVAIL);
	CHECK_EQ(socket_bind(u, 0, 70000), SOCK_EINVAL);
	CHECK_EQ(sock_sendto(u, big, sizeof big, PEER, 9, 0, 0, &n), EMSGSIZE);
	CHECK_EQ(sock_send(u, "x", 1, 0, 0, &n), EDESTADDRREQ);
	CHECK_EQ(sock_listen(u, 1), EOPNOTSUPP);
	CHECK_EQ(sock_send(t, "x", 1, 0, 0, &n), ENOTCONN);
	CHECK_EQ(sock_recv(t, big, 4, 0, 0, &n), ENOTCONN);
	CHECK_EQ(sock_listen(t, 1), EINVAL);				/* not bound */
	CHECK_EQ(sock_accept(t, 0, 0, &dead, NULL, NULL), EINVAL);
	CHECK_EQ(sock_connect(t, 0, 80, 0, 0), EINVAL);
	CHECK_EQ(sock_shutdown(t, 7), EINVAL);
	CHECK_EQ(sock_getpeername(t, &a, (uint16_t *)&p), ENOTCONN);
	CHECK_EQ(socket_recv(u, 0, 0, 0, big, &cnt, &a, &p), SOCK_EINVAL);
	CHECK_EQ(socket_recv_ool(u, SOCK_OOL_MAX + 1, 0, 0, &ool, &cnt, &a, &p), SOCK_EINVAL);
	CHECK_EQ(mach_port_mod_refs(ME, t, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	CHECK_EQ(socket_bind_registered(u, t, 0), SOCK_EINVAL);		/* a socket, not a registration */

	/* a malformed request to a socket: refused by the demux, the socket unharmed */
	memset(&m, 0, sizeof m);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_size = sizeof(mach_msg_header_t) + 8;	/* socket_recv wants 12 bytes more */
	m.h.msgh_remote_port = u;
	m.h.msgh_local_port = mig_get_reply_port();
	m.h.msgh_id = 10200 + 7;
	CHECK_EQ(mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, m.h.msgh_size, sizeof m, m.h.msgh_local_port, 0,
			  MACH_PORT_NULL), MACH_MSG_SUCCESS);
	CHECK_EQ(((mig_reply_error_t *)&m.h)->RetCode, MIG_BAD_ARGUMENTS);

	CHECK_EQ(sock_bind(u, 0, 5200), 0);
	CHECK_EQ(sock_bind(u, 0, 5201), EINVAL);			/* bound already */
	dead = u;
	CHECK_EQ(mach_port_mod_refs(ME, dead, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	CHECK_EQ(sock_close(u), 0);
	CHECK_EQ(sock_recv(dead, big, 4, 0, 0, &n), EBADF);		/* closed: the port is dead */
	CHECK_EQ(mach_port_deallocate(ME, dead), KERN_SUCCESS);
	CHECK_EQ(sock_close(t), 0);
}

/*
 * 2,000 requests of gns's two interfaces with random ids, sizes and bodies,
 * at the service, a UDP socket and a TCP socket: every one is refused or
 * served (some create sockets and registrations whose rights die with the
 * replies we drop, some wait for ever), and gns still serves sockets after.
 */
static void
random_requests_never_hurt_gns(void)
{
	mach_port_t target[3], s;
	union {
		mach_msg_header_t h;
		uint32_t w[64];
	} m;
	char buf[8];
	size_t n;
	int answered = 0, held = 0, reopened = 0;
	uint32_t k;

	suite_seed(77);
	target[0] = gns;
	CHECK_EQ(sock_socket(SOCK_DGRAM, &target[1]), 0);
	CHECK_EQ(sock_socket(SOCK_STREAM, &target[2]), 0);
	for (int i = 0; i < 2000; i++) {
		/* half of them the size of a routine's scalars, which the demux then passes to the handler */
		uint32_t size = sizeof(mach_msg_header_t) + 4 * (rnd() % 2 ? rnd() % 7 : rnd() % 40);
		mach_port_t reply = mig_get_reply_port();
		mach_msg_return_t mr;

		for (int j = 0; j < 64; j++)
			m.w[j] = rnd() % 4 == 0 ? rnd() % 8 : rnd();	/* small numbers are valid flags and sizes */
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_size = size;
		k = rnd() % 3;
		m.h.msgh_remote_port = target[k];
		m.h.msgh_local_port = reply;
		m.h.msgh_id = (rnd() & 1 ? 10000 : 10200) + (int)(rnd() % 16);
		mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT | MACH_RCV_MSG | MACH_RCV_TIMEOUT, size,
			      sizeof m, reply, 20, MACH_PORT_NULL);
		if (mr == MACH_MSG_SUCCESS) {
			answered++;
			mach_msg_destroy(&m.h);		/* sockets and registrations die here */
		} else if (mr == MACH_RCV_TIMED_OUT) {
			held++;
			mig_dealloc_reply_port(reply);	/* held by gns: its late answer must not be taken */
		} else if (mr == MACH_SEND_INVALID_DEST) {
			/* a random socket_close took that socket: another one */
			mach_port_deallocate(ME, target[k]);
			CHECK_EQ(sock_socket(k == 1 ? SOCK_DGRAM : SOCK_STREAM, &target[k]), 0);
			reopened++;
		}
	}
	printf("socktest: %d random requests answered, %d held, %d sockets closed by them\n", answered, held,
	       reopened);
	CHECK(answered > 1000);
	for (k = 1; k < 3; k++)
		sock_close(target[k]);
	/* gns serves on: a datagram through a fresh socket, from the wire */
	CHECK_EQ(sock_socket(SOCK_DGRAM, &s), 0);
	CHECK_EQ(sock_bind(s, 0, 5400), 0);
	CHECK(wire_send_udp(6005, 5400, "alive", 5));
	CHECK_EQ(sock_recv(s, buf, sizeof buf, 0, 3000, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(sock_close(s), 0);
}

/* Served mode (module 8): another client, while the suite holds its whole quota: one datagram to the wire. */
static int
served(void)
{
	mach_port_t u;
	size_t n;

	if (sock_socket(SOCK_DGRAM, &u) || sock_bind(u, 0, SERVED_PORT) ||
	    sock_sendto(u, "served", 6, PEER, 6011, 0, 5000, &n)) {
		printf("socktest served: refused\n");
		return 1;
	}
	sock_close(u);
	return 0;
}

/* Client mode: hold a UDP port, an EtherType and a connection, then wait in a recv until killed. */
static int
client(void)
{
	mach_port_t u, t, reg;
	char buf[16];
	size_t n;

	if (sock_socket(SOCK_DGRAM, &u) || sock_bind(u, 0, CLIENT_UDP_PORT) ||
	    sock_register(GNS_PROTO_ETHER, CLIENT_ETHERTYPE, &reg) || sock_socket(SOCK_STREAM, &t) ||
	    sock_connect(t, GNS, KILL_PORT, 0, 5000) || sock_send(t, "ready", 5, 0, 5000, &n)) {
		printf("socktest client: could not set up\n");
		return 1;
	}
	for (;;)
		sock_recv(t, buf, sizeof buf, 0, 0, &n);
}

static const struct test tests[] = {
	{ "gns_serves_sockets_at_servers_gns", gns_serves_sockets_at_servers_gns },
	{ "udp_sendto_reaches_the_wire_peer", udp_sendto_reaches_the_wire_peer },
	{ "udp_recvfrom_gets_the_wire_peers_datagrams", udp_recvfrom_gets_the_wire_peers_datagrams },
	{ "notify_says_when_a_socket_is_ready", notify_says_when_a_socket_is_ready },
	{ "udp_to_an_unregistered_port_is_refused", udp_to_an_unregistered_port_is_refused },
	{ "sockets_that_do_not_read_stall_only_their_own_input", sockets_that_do_not_read_stall_only_their_own_input },
	{ "recv_times_out", recv_times_out },
	{ "registration_conflicts_are_named", registration_conflicts_are_named },
	{ "ethertype_frames_reach_only_their_registrant", ethertype_frames_reach_only_their_registrant },
	{ "tcp_connect_and_accept_through_loopback", tcp_connect_and_accept_through_loopback },
	{ "tcp_carries_a_mebibyte_intact", tcp_carries_a_mebibyte_intact },
	{ "tcp_send_stops_for_a_reader_that_does_not_read", tcp_send_stops_for_a_reader_that_does_not_read },
	{ "tcp_connect_to_a_closed_port_is_refused", tcp_connect_to_a_closed_port_is_refused },
	{ "a_syn_flood_takes_neither_the_listener_nor_lwips_records",
	  a_syn_flood_takes_neither_the_listener_nor_lwips_records },
	{ "a_killed_clients_sockets_and_registrations_are_freed",
	  a_killed_clients_sockets_and_registrations_are_freed },
	{ "shell_udpsend_and_nc_use_the_library", shell_udpsend_and_nc_use_the_library },
	{ "ifconfig_and_netstat_describe_the_nic_and_sockets", ifconfig_and_netstat_describe_the_nic_and_sockets },
	{ "shell_ifconfig_and_netstat_print_them", shell_ifconfig_and_netstat_print_them },
	{ "a_client_over_its_quota_gets_edquot_and_others_are_served",
	  a_client_over_its_quota_gets_edquot_and_others_are_served },
	{ "two_clients_at_their_quota_meet_edquot_not_enobufs", two_clients_at_their_quota_meet_edquot_not_enobufs },
	{ "one_clients_unread_connections_leave_others_room_to_send",
	  one_clients_unread_connections_leave_others_room_to_send },
	{ "bad_calls_get_named_errors", bad_calls_get_named_errors },
	{ "random_requests_never_hurt_gns", random_requests_never_hurt_gns },
};

int
main(int argc, char **argv)
{
	int fail;

	if (argc > 1 && strcmp(argv[1], "client") == 0)
		return client();
	if (argc > 1 && strcmp(argv[1], "served") == 0)
		return served();
	if (argc > 1 && strcmp(argv[1], "quota") == 0)
		return quota_client();
	if (argc > 1 && strcmp(argv[1], "hog") == 0)
		return hog_client();
	if (!nic_start()) {
		printf("socktest: cannot register /servers/nic0\n");
		trap_debug_exit(0x11);
		return 1;
	}
	fail = run_suite("sock", tests, (int)(sizeof tests / sizeof tests[0]), NULL);
	trap_debug_exit(fail ? 0x11 : 0x10);
	return fail;
}
