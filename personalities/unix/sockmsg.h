/*
 * socketpair, the socket calls on its AF_UNIX ends, and sendmsg and recvmsg
 * on every socket (sockmsg.c): sock.c's dispatch hands these here.
 *   [U] unix_lock, as everything of the server's
 */
#ifndef UNIX_SOCKMSG_H
#define UNIX_SOCKMSG_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

struct file;

/* gns's send and receive of a buffer in the server (sock.c): for sendmsg and recvmsg on its sockets. */
typedef int32_t (*sockmsg_send_fn)(struct process *p, struct file *f, const uint8_t *data, uint32_t len,
				   uint32_t flags, uint32_t at, uint32_t alen);
typedef int32_t (*sockmsg_recv_fn)(struct process *p, struct file *f, uint8_t *data, uint32_t len, uint32_t flags,
				   uint32_t at, uint32_t lenp);

/* socketpair(domain, type, protocol, sv): AF_UNIX stream and datagram pairs. 0 or -errno. */
int32_t sockmsg_socketpair(struct process *p, uint32_t domain, uint32_t type, uint32_t proto, uint32_t sv);
/* send/sendto, recv/recvfrom and getsockname/getpeername on an AF_UNIX end f. */
int32_t sockmsg_unix_send(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at,
			  uint32_t alen);
int32_t sockmsg_unix_recv(struct process *p, struct file *f, uint32_t buf, uint32_t len, uint32_t flags, uint32_t at,
			  uint32_t lenp);
int32_t sockmsg_unix_name(struct process *p, struct file *f, uint32_t at, uint32_t lenp, bool peer);
/* socket(AF_UNIX, SOCK_STREAM), and bind, connect and accept of such a socket by its path. */
int32_t sockmsg_unix_socket(struct process *p, uint32_t type, uint32_t proto);
int32_t sockmsg_unix_bind(struct process *p, struct file *f, uint32_t at, uint32_t len);
int32_t sockmsg_unix_connect(struct process *p, struct file *f, uint32_t at, uint32_t len);
int32_t sockmsg_unix_accept(struct process *p, struct file *f, uint32_t at, uint32_t lenp, uint32_t flags);
/*
 * sendmsg(fd, msg, flags) and recvmsg on any socket f (gns's through the
 * functions given); stream: f is a stream socket (MSG_WAITALL waits for the
 * whole count on it, and is ignored on a datagram socket, as Linux's).
 */
int32_t sockmsg_sendmsg(struct process *p, struct file *f, uint32_t at, uint32_t flags, sockmsg_send_fn gns_send);
int32_t sockmsg_recvmsg(struct process *p, struct file *f, uint32_t at, uint32_t flags, sockmsg_recv_fn gns_recv,
			bool stream);

#endif
