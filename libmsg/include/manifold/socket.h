/*
 * Sockets over gns (servers/gns/socket.defs, gns.defs): BSD-like calls for
 * programs and personality servers (libmsg/src/socket.c); the constants
 * both sides share are <manifold/socket_codes.h>. A socket is a send right to a port gns serves; it
 * closes when its last send right goes, so a dead task's sockets close.
 * Every call returns 0 or an errno code (EADDRINUSE, ETIMEDOUT, ...).
 * Addresses are IPv4 in host byte order: 10.77.0.3 is 0x0a4d0003.
 */
#ifndef MANIFOLD_SOCKET_H
#define MANIFOLD_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <mach/mach.h>
#include <manifold/socket_codes.h>

/* The errno code for a kern_return_t from gns or from the message layer. */
int sock_errno(kern_return_t kr);

/*
 * The calls. timeout_ms 0 waits for ever; flags SOCK_NONBLOCK never waits.
 * sock_socket finds gns as /servers/gns in ns (once, waiting up to 5 s).
 */
int sock_socket(int type, mach_port_t *sock);
/* A socket charged to task (a send right to it) for gns's per-client quotas: a server making sockets for its clients. */
int sock_socket_for(mach_port_t task, int type, mach_port_t *sock);
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
/* What sock is ready for now (SOCK_POLL_ACCEPT, SOCK_POLL_SEND), taking nothing, never waiting. */
int sock_ready(mach_port_t sock, uint32_t *events);
/*
 * One message of id (a header alone) on a send-once right made from notify
 * when sock is ready for events (SOCK_POLL_*) or closed; ENOSYS from a gns
 * older than socket_notify.
 */
int sock_notify(mach_port_t sock, mach_port_t notify, uint32_t id, uint32_t events);
/* Closes the socket and lets go of the right. */
int sock_close(mach_port_t sock);
int sock_getsockname(mach_port_t sock, uint32_t *ip, uint16_t *port);
int sock_getpeername(mach_port_t sock, uint32_t *ip, uint16_t *port);
/* gns_register: holds a protocol number (GNS_PROTO_*) until *reg's last send right goes. */
int sock_register(uint32_t proto, uint32_t number, mach_port_t *reg);

/*
 * What gns says of itself (gns.defs): the NIC (GNS_IF_* words), the sockets and
 * registrations (up to max records of GNS_NET_WORDS, *count of them in all, which
 * may be more than max), gns's memory and tables (GNS_STAT_*). The sockets and
 * registrations are charged to the calling task (gns.defs, owner).
 */
int sock_ifconfig(uint32_t info[GNS_IF_WORDS]);
int sock_netstat(uint32_t *records, uint32_t max, uint32_t *count);
int sock_gns_stats(uint32_t stats[GNS_STAT_WORDS]);

#endif
