/*
 * What gns and its socket clients agree on (servers/gns/socket.defs,
 * gns.defs): socket types, registration kinds, flags, sizes and the error
 * codes. No Mach here, so that gns's host tests include it as it is;
 * <manifold/socket.h> has the calls.
 */
#ifndef MANIFOLD_SOCKET_CODES_H
#define MANIFOLD_SOCKET_CODES_H

#include <errno.h>
#include <stdint.h>

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

#endif
