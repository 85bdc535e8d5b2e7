/*
 * Sockets over gns (servers/gns/socket.defs, gns.defs): the constants both
 * sides share, and BSD-like calls for programs and personality servers
 * (libmsg/src/socket.c). A socket is a send right to a port gns serves; it
 * closes when its last send right goes, so a dead task's sockets close.
 * Every call returns 0 or an errno code (EADDRINUSE, ETIMEDOUT, ...).
 * Addresses are IPv4 in host byte order: 10.77.0.3 is 0x0a4d0003.
 */
#ifndef MANIFOLD_SOCKET_H
#define MANIFOLD_SOCKET_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <mach/mach.h>

#define SOCK_DGRAM	1	/* UDP */
#define SOCK_STREAM	2	/* TCP */

/* gns_register's kinds of protocol number. */
#define GNS_PROTO_UDP	1	/* a UDP port */
#define GNS_PROTO_TCP	2	/* a TCP port */
#define GNS_PROTO_ETHER	3	/* an EtherType */

#define SOCK_NONBLOCK	1u	/* flags: fail with EWOULDBLOCK instead of waiting */

#define SOCK_INLINE_MAX	4096u	/* bytes in the message itself; more go out of line */
#define SOCK_OOL_MAX	(1024u * 1024u)	/* the most one call carries */
#define SOCK_DGRAM_MAX	1472u	/* a UDP datagram: one Ethernet frame, no fragments */

#define SOCK_SHUT_RD	0
#define SOCK_SHUT_WR	1
#define SOCK_SHUT_RDWR	2

/*
 * gns's errors, as kern_return_t codes: an errno value above a base that no
 * Mach or MIG code uses, so that the library turns them back into errno.
 */
#define SOCK_ERR_BASE		0x4e00
#define SOCK_E(e)		(SOCK_ERR_BASE + (e))
#define SOCK_EBADF		SOCK_E(EBADF)
#define SOCK_EINVAL		SOCK_E(EINVAL)
#define SOCK_EADDRINUSE		SOCK_E(EADDRINUSE)
#define SOCK_EADDRNOTAVAIL	SOCK_E(EADDRNOTAVAIL)
#define SOCK_EPROTONOSUPPORT	SOCK_E(EPROTONOSUPPORT)
#define SOCK_EOPNOTSUPP		SOCK_E(EOPNOTSUPP)
#define SOCK_EWOULDBLOCK	SOCK_E(EWOULDBLOCK)
#define SOCK_ETIMEDOUT		SOCK_E(ETIMEDOUT)
#define SOCK_ECONNREFUSED	SOCK_E(ECONNREFUSED)
#define SOCK_ECONNRESET		SOCK_E(ECONNRESET)
#define SOCK_ENOTCONN		SOCK_E(ENOTCONN)
#define SOCK_EISCONN		SOCK_E(EISCONN)
#define SOCK_EINPROGRESS	SOCK_E(EINPROGRESS)
#define SOCK_EALREADY		SOCK_E(EALREADY)
#define SOCK_EPIPE		SOCK_E(EPIPE)
#define SOCK_EMSGSIZE		SOCK_E(EMSGSIZE)
#define SOCK_EDESTADDRREQ	SOCK_E(EDESTADDRREQ)
#define SOCK_EHOSTUNREACH	SOCK_E(EHOSTUNREACH)
#define SOCK_ENOBUFS		SOCK_E(ENOBUFS)
#define SOCK_ENETDOWN		SOCK_E(ENETDOWN)

#define SOCK_IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* The errno code for a kern_return_t from gns or from the message layer. */
int sock_errno(kern_return_t kr);

/*
 * The calls. timeout_ms 0 waits for ever; flags SOCK_NONBLOCK never waits.
 * sock_socket finds gns as /servers/gns in ns (once, waiting up to 5 s).
 */
int sock_socket(int type, mach_port_t *sock);
int sock_bind(mach_port_t sock, uint32_t ip, uint16_t port);
int sock_listen(mach_port_t sock, int backlog);
int sock_accept(mach_port_t sock, uint32_t flags, uint32_t timeout_ms, mach_port_t *conn, uint32_t *ip,
		uint16_t *port);
int sock_connect(mach_port_t sock, uint32_t ip, uint16_t port, uint32_t flags, uint32_t timeout_ms);
/* Sends all len bytes (TCP: in as many calls as it takes; UDP: one datagram); *sent says how many went. */
int sock_sendto(mach_port_t sock, const void *buf, size_t len, uint32_t ip, uint16_t port, uint32_t flags,
		uint32_t timeout_ms, size_t *sent);
int sock_send(mach_port_t sock, const void *buf, size_t len, uint32_t flags, uint32_t timeout_ms, size_t *sent);
/* Receives at most len bytes (*got 0: the peer closed); ip and port may be NULL. */
int sock_recvfrom(mach_port_t sock, void *buf, size_t len, uint32_t flags, uint32_t timeout_ms, size_t *got,
		  uint32_t *ip, uint16_t *port);
int sock_recv(mach_port_t sock, void *buf, size_t len, uint32_t flags, uint32_t timeout_ms, size_t *got);
int sock_shutdown(mach_port_t sock, int how);
/* Closes the socket and lets go of the right. */
int sock_close(mach_port_t sock);
int sock_getsockname(mach_port_t sock, uint32_t *ip, uint16_t *port);
int sock_getpeername(mach_port_t sock, uint32_t *ip, uint16_t *port);
/* gns_register: holds a protocol number (GNS_PROTO_*) until *reg's last send right goes. */
int sock_register(uint32_t proto, uint32_t number, mach_port_t *reg);

#endif
