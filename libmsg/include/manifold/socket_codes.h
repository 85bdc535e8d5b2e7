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
#define SOCK_POLL_ACCEPT 1u	/* socket_poll: a connection waits for accept */
#define SOCK_POLL_SEND	2u	/* socket_poll: a send would take something now */
#define SOCK_POLL_RECV	4u	/* socket_notify: a receive would not wait */
#define SOCK_NOTIFY_REPLACED 0	/* socket_notify's id for a right a newer socket_notify replaced */

#define SOCK_INLINE_MAX	4096u	/* bytes in the message itself; more go out of line */
#define SOCK_OOL_MAX	(1024u * 1024u)	/* the most one call carries */
#define SOCK_DGRAM_MAX	1472u	/* a UDP datagram: one Ethernet frame, no fragments */
/*
 * The most one of libmsg's socket_send calls offers (sock_sendto loops for the
 * rest): gns takes at most its TCP send buffer a call (TCP_SND_BUF, 16
 * segments, which gns checks is no more), and each call's region is mapped
 * into gns whole, so offering a 64 KiB chunk at once mapped pages gns did
 * not take, again on every call (tests/bench/README.md, "Per task").
 */
#define SOCK_SEND_MAX	(32u * 1024u)

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
#define SOCK_EDQUOT		SOCK_E(EDQUOT)	/* the client holds its quota (gns.defs) */

/*
 * What one client (one task, gns.defs's owner) may make gns hold, and what one
 * socket may have queued; gns's own tables bound the sum (servers/gns/README.md).
 */
#define GNS_CLIENT_SOCKETS	12	/* sockets, accepted connections waiting included */
#define GNS_CLIENT_REGISTRATIONS 8	/* gns_register's registrations */
#define GNS_CLIENT_HELD		16	/* calls waiting in gns (recv, accept, ...) at once */
#define GNS_SOCK_QUEUE_BYTES	(16u * 1024u)	/* UDP datagrams or EtherType frames queued */
/*
 * TCP data a client's connections may have in gns's TCP stack at once, sent or
 * not yet acknowledged: a quarter of its heap and of its segments (lwipopts.h:
 * MEM_SIZE, MEMP_NUM_TCP_SEG), so that one client's connections to peers that
 * do not read cannot take the memory every other client sends from. Past it a
 * send waits (or EWOULDBLOCK) until acknowledgements make room.
 */
#define GNS_CLIENT_TCP_BYTES	(64u * 1024u)
#define GNS_CLIENT_TCP_SEGS	32

/* gns_ifconfig's words. */
#define GNS_IF_IP		0
#define GNS_IF_NETMASK		1
#define GNS_IF_GATEWAY		2
#define GNS_IF_MAC_HI		3	/* the MAC's first 2 bytes */
#define GNS_IF_MAC_LO		4	/* its last 4 */
#define GNS_IF_FLAGS		5	/* GNS_IFF_* */
#define GNS_IF_MTU		6
#define GNS_IF_RX_PACKETS	7
#define GNS_IF_RX_BYTES		8
#define GNS_IF_RX_ERRORS	9	/* frames lwIP refused: bad checksum, length, header */
#define GNS_IF_RX_DROPPED	10	/* no buffer, runts, our own heard back */
#define GNS_IF_TX_PACKETS	11
#define GNS_IF_TX_BYTES		12
#define GNS_IF_TX_ERRORS	13	/* too long, or the driver broke the rings */
#define GNS_IF_TX_DROPPED	14	/* the TX ring was full */
#define GNS_IF_WORDS		15
#define GNS_IFF_UP		1u
#define GNS_IFF_LINK		2u	/* the driver says the cable is in */
#define GNS_IFF_BROADCAST	4u

/* gns_netstat's records. */
#define GNS_NET_PROTO		0	/* GNS_PROTO_* */
#define GNS_NET_STATE		1	/* GNS_NET_S_* */
#define GNS_NET_LOCAL_IP	2
#define GNS_NET_LOCAL_PORT	3	/* an EtherType for GNS_PROTO_ETHER */
#define GNS_NET_REMOTE_IP	4
#define GNS_NET_REMOTE_PORT	5
#define GNS_NET_OWNER		6	/* the owner's task id */
#define GNS_NET_RX_QUEUED	7	/* bytes received, not read yet */
#define GNS_NET_TX_QUEUED	8	/* TCP: bytes sent, not acknowledged yet */
#define GNS_NET_WORDS		9
#define GNS_NET_MAX		(1024 / GNS_NET_WORDS)
/* States: TCP's, in RFC 793's order (lwIP's enum tcp_state), then ours. */
#define GNS_NET_S_CLOSED	0
#define GNS_NET_S_LISTEN	1
#define GNS_NET_S_SYN_SENT	2
#define GNS_NET_S_SYN_RCVD	3
#define GNS_NET_S_ESTABLISHED	4
#define GNS_NET_S_FIN_WAIT_1	5
#define GNS_NET_S_FIN_WAIT_2	6
#define GNS_NET_S_CLOSE_WAIT	7
#define GNS_NET_S_CLOSING	8
#define GNS_NET_S_LAST_ACK	9
#define GNS_NET_S_TIME_WAIT	10
#define GNS_NET_S_UNBOUND	11	/* a socket with no port yet */
#define GNS_NET_S_BOUND		12	/* UDP: bound, no peer */
#define GNS_NET_S_CONNECTED	13	/* UDP: with a peer */
#define GNS_NET_S_REGISTERED	14	/* a registration (gns_register) */
#define GNS_NET_S_ACCEPTED	15	/* TCP: accepted by gns, not taken by accept yet */

/*
 * gns_stats's words: the first GNS_STAT_GAUGES say what gns holds now, and a
 * test's leak check expects them back where they were; the counters after
 * them only grow while gns runs.
 */
#define GNS_STAT_SOCKETS	0
#define GNS_STAT_REGISTRATIONS	1	/* gns_register's (sockets' bound ports not counted) */
#define GNS_STAT_CLIENTS	2
#define GNS_STAT_HELD		3	/* requests held (deferred) */
#define GNS_STAT_HEAP_USED	4	/* lwIP's heap, bytes */
#define GNS_STAT_POOLS_USED	5	/* lwIP's pools, elements in use, all pools */
#define GNS_STAT_PBUF_POOL	6	/* of which the RX pbuf pool's */
#define GNS_STAT_MALLOC		7	/* malloc's bytes in use */
#define GNS_STAT_REASSEMBLY	8	/* IP packets being reassembled */
#define GNS_STAT_GAUGES		9
#define GNS_STAT_SYN_EVICTED	9	/* half-open TCP connections the SYN guard dropped for newer SYNs */
#define GNS_STAT_WORDS		10

#define SOCK_IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#endif
