/*
 * Sockets for programs and personality servers (<manifold/socket.h>): BSD's
 * calls over gns's socket.defs and gns.defs. Each call is one RPC or, for a
 * send or receive larger than SOCK_INLINE_MAX, one with the data out of
 * line; a TCP send of more than gns's buffer takes loops here. The errors
 * gns answers with carry their errno value (SOCK_E*); the message layer's
 * own become the nearest errno.
 */
#include <errno.h>
#include <string.h>
#include <mach/mach.h>
#include <manifold/socket.h>
#include <msgc_runtime.h>
#include "gns_client.h"
#include "ns_client.h"
#include "socket_client.h"

#define GNS_PATH "/servers/gns"
#define GNS_WAIT_MS 5000

static mach_port_t gns;	/* found once; a restarted gns answers on the same port */

int
sock_errno(kern_return_t kr)
{
	if (kr == KERN_SUCCESS)
		return 0;
	if (kr > SOCK_ERR_BASE && kr < SOCK_ERR_BASE + 0x100)
		return kr - SOCK_ERR_BASE;
	switch (kr) {
	case MACH_SEND_INVALID_DEST:
	case MACH_SEND_INVALID_RIGHT:
	case MIG_SERVER_DIED:
		return EBADF;	/* the socket is closed, or gns died with it */
	case MACH_SEND_TIMED_OUT:
	case MACH_RCV_TIMED_OUT:
		return ETIMEDOUT;
	case KERN_RESOURCE_SHORTAGE:
	case KERN_NO_SPACE:
		return ENOBUFS;
	case KERN_INVALID_ARGUMENT:
	case MIG_BAD_ARGUMENTS:
		return EINVAL;
	default:
		return EIO;
	}
}

static int
find_gns(void)
{
	mach_port_t ns, port;

	if (MACH_PORT_VALID(gns))
		return 0;
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &ns) != KERN_SUCCESS)
		return ENETDOWN;
	if (ns_wait(ns, GNS_PATH, GNS_WAIT_MS, &port) != KERN_SUCCESS) {
		mach_port_deallocate(mach_task_self(), ns);
		return ENETDOWN;
	}
	mach_port_deallocate(mach_task_self(), ns);
	gns = port;
	return 0;
}

int
sock_socket(int type, mach_port_t *sock)
{
	int err = find_gns();

	return err ? err : sock_errno(gns_socket(gns, (uint32_t)type, mach_task_self(), sock));
}

int
sock_socket_for(mach_port_t task, int type, mach_port_t *sock)
{
	int err = find_gns();

	return err ? err : sock_errno(gns_socket(gns, (uint32_t)type, task, sock));
}

int
sock_register(uint32_t proto, uint32_t number, mach_port_t *reg)
{
	int err = find_gns();

	return err ? err : sock_errno(gns_register(gns, proto, number, mach_task_self(), reg));
}

int
sock_ifconfig(uint32_t info[GNS_IF_WORDS])
{
	mach_msg_type_number_t n = GNS_IF_WORDS;
	int err = find_gns();

	if (err)
		return err;
	err = sock_errno(gns_ifconfig(gns, info, &n));
	return err ? err : n == GNS_IF_WORDS ? 0 : EIO;
}

int
sock_netstat(uint32_t *records, uint32_t max, uint32_t *count)
{
	mach_msg_type_number_t n = max * GNS_NET_WORDS;
	int err = find_gns();

	return err ? err : sock_errno(gns_netstat(gns, count, records, &n));
}

int
sock_gns_stats(uint32_t stats[GNS_STAT_WORDS])
{
	mach_msg_type_number_t n = GNS_STAT_WORDS;
	int err = find_gns();

	return err ? err : sock_errno(gns_stats(gns, stats, &n));
}

int
sock_bind(mach_port_t sock, uint32_t ip, uint16_t port)
{
	return sock_errno(socket_bind(sock, ip, port));
}

int
sock_listen(mach_port_t sock, int backlog)
{
	return sock_errno(socket_listen(sock, backlog < 1 ? 1 : (uint32_t)backlog));
}

int
sock_accept(mach_port_t sock, uint32_t flags, uint32_t timeout_ms, mach_port_t *conn, uint32_t *ip, uint16_t *port)
{
	uint32_t a, p;
	int err = sock_errno(socket_accept(sock, flags, timeout_ms, conn, &a, &p));

	if (!err && ip)
		*ip = a;
	if (!err && port)
		*port = (uint16_t)p;
	return err;
}

int
sock_connect(mach_port_t sock, uint32_t ip, uint16_t port, uint32_t flags, uint32_t timeout_ms)
{
	return sock_errno(socket_connect(sock, ip, port, flags, timeout_ms));
}

/* One call: as much as gns takes of at most SOCK_SEND_MAX bytes. */
static kern_return_t
send_once(mach_port_t sock, const uint8_t *p, size_t len, uint32_t ip, uint16_t port, uint32_t flags,
	  uint32_t timeout_ms, uint32_t *sent)
{
	if (len > SOCK_SEND_MAX)
		len = SOCK_SEND_MAX;
	if (len <= SOCK_INLINE_MAX)
		return socket_send(sock, p, (mach_msg_type_number_t)len, ip, port, flags, timeout_ms, sent);
	return socket_send_ool(sock, p, (mach_msg_type_number_t)len, ip, port, flags, timeout_ms, sent);
}

int
sock_sendto(mach_port_t sock, const void *buf, size_t len, uint32_t ip, uint16_t port, uint32_t flags,
	    uint32_t timeout_ms, size_t *sent)
{
	const uint8_t *p = buf;
	size_t done = 0;
	kern_return_t kr = KERN_SUCCESS;

	/* TCP takes what fits each time; a datagram goes whole or not at all, in one call */
	do {
		uint32_t n = 0;
		kr = send_once(sock, p + done, len - done, ip, port, flags, timeout_ms, &n);
		if (kr != KERN_SUCCESS || n == 0)
			break;
		done += n;
	} while (done < len);
	if (sent)
		*sent = done;
	/* part of it went: that is what a BSD send says, and the error comes next time */
	return done > 0 ? 0 : sock_errno(kr);
}

int
sock_send(mach_port_t sock, const void *buf, size_t len, uint32_t flags, uint32_t timeout_ms, size_t *sent)
{
	return sock_sendto(sock, buf, len, 0, 0, flags, timeout_ms, sent);
}

int
sock_recvfrom(mach_port_t sock, void *buf, size_t len, uint32_t flags, uint32_t timeout_ms, size_t *got,
	      uint32_t *ip, uint16_t *port)
{
	uint32_t a = 0, p = 0;
	kern_return_t kr;
	mach_msg_type_number_t n;

	if (len == 0)
		return EINVAL;
	if (len <= SOCK_INLINE_MAX) {
		n = (mach_msg_type_number_t)len;
		kr = socket_recv(sock, (uint32_t)len, flags, timeout_ms, buf, &n, &a, &p);
	} else {
		uint8_t *data = NULL;
		n = 0;
		kr = socket_recv_ool(sock, len > SOCK_OOL_MAX ? SOCK_OOL_MAX : (uint32_t)len, flags, timeout_ms, &data,
				     &n, &a, &p);
		if (kr == KERN_SUCCESS && n > 0) {
			memcpy(buf, data, n);
			vm_deallocate(mach_task_self(), (vm_address_t)data, n);
		}
	}
	if (kr != KERN_SUCCESS)
		return sock_errno(kr);
	if (got)
		*got = n;
	if (ip)
		*ip = a;
	if (port)
		*port = (uint16_t)p;
	return 0;
}

int
sock_recv(mach_port_t sock, void *buf, size_t len, uint32_t flags, uint32_t timeout_ms, size_t *got)
{
	return sock_recvfrom(sock, buf, len, flags, timeout_ms, got, NULL, NULL);
}

int
sock_ready(mach_port_t sock, uint32_t *events)
{
	*events = 0;
	return sock_errno(socket_poll(sock, events));
}

int
sock_notify(mach_port_t sock, mach_port_t notify, uint32_t id, uint32_t events)
{
	kern_return_t kr = socket_notify(sock, notify, id, events);

	return kr == MIG_BAD_ID ? ENOSYS : sock_errno(kr);
}

int
sock_shutdown(mach_port_t sock, int how)
{
	return sock_errno(socket_shutdown(sock, (uint32_t)how));
}

int
sock_close(mach_port_t sock)
{
	kern_return_t kr = socket_close(sock);

	/* the port is dead now (or was): our name for it goes either way */
	mach_port_deallocate(mach_task_self(), sock);
	return sock_errno(kr);
}

static int
name(mach_port_t sock, boolean_t peer, uint32_t *ip, uint16_t *port)
{
	uint32_t a, p;
	int err = sock_errno(socket_name(sock, peer, &a, &p));

	if (!err) {
		*ip = a;
		*port = (uint16_t)p;
	}
	return err;
}

int
sock_getsockname(mach_port_t sock, uint32_t *ip, uint16_t *port)
{
	return name(sock, FALSE, ip, port);
}

int
sock_getpeername(mach_port_t sock, uint32_t *ip, uint16_t *port)
{
	return name(sock, TRUE, ip, port);
}
