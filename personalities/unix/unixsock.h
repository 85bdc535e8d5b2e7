/*
 * AF_UNIX socket pairs served inside the server (unixsock.c): socketpair's
 * two connected ends, stream or datagram, with send and receive (MSG_PEEK,
 * MSG_DONTWAIT, MSG_NOSIGNAL), shutdown and poll's real readiness. sock.c
 * routes the socket calls on such a file here; no gns is involved.
 *   [U] unix_lock, as everything of the server's
 */
#ifndef UNIX_UNIXSOCK_H
#define UNIX_UNIXSOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "process.h"

struct file;

#define UNIXSOCK_STREAM		1	/* Linux's SOCK_STREAM, SOCK_DGRAM */
#define UNIXSOCK_DGRAM		2
#define UNIXSOCK_PEEK		0x2	/* Linux's MSG_ numbers */
#define UNIXSOCK_TRUNC		0x20
#define UNIXSOCK_DONTWAIT	0x40
#define UNIXSOCK_NOSIGNAL	0x4000
#define UNIXSOCK_NAME_MAX	108	/* sun_path's bytes */
#define UNIXSOCK_RIGHTS_MAX	16	/* descriptors one sendmsg passes (Linux's SCM_MAX_FD is 253) */

/*
 * A socket's name as sun_path holds it: a path's bytes (no NUL), or an
 * abstract name's, a 0 byte and then any bytes, in no file system (Linux's);
 * len 0: none (an unnamed socket).
 */
struct unixsock_name {
	uint32_t len;
	char b[UNIXSOCK_NAME_MAX];
};

/* Two connected ends of type (STREAM or DGRAM); flags may hold O_NONBLOCK. 0 or -LNX_ENFILE. */
int unixsock_pair(uint32_t type, uint32_t flags, struct file **a, struct file **b);
/* Whether f is such an end, and then its type. */
bool unixsock_is(const struct file *f);
uint32_t unixsock_type(const struct file *f);
/*
 * Sends len bytes from the server's buffer data to f's peer, or a datagram
 * to the datagram socket named to (NULL: the one connect named; a path's
 * name is found at to_path, absolute and plain): a count, -errno or
 * SYS_DEFER (held).
 */
int32_t unixsock_send(struct process *p, struct file *f, const uint8_t *data, uint32_t len, uint32_t flags,
		      const struct unixsock_name *to, const char *to_path);
/*
 * Receives up to len bytes into data; *msg_flags gets UNIXSOCK_TRUNC for a
 * datagram cut short; from (or NULL) the datagram's sender's name, none
 * for an unnamed one or a stream.
 */
int32_t unixsock_recv(struct process *p, struct file *f, uint8_t *data, uint32_t len, uint32_t flags,
		      uint32_t *msg_flags, struct unixsock_name *from);
/*
 * SCM_RIGHTS: the files (referenced anew) go with f's next send, to the peer
 * (n 0: none; what an earlier call attached and no send took is dropped).
 * 0, -LNX_EINVAL (more than UNIXSOCK_RIGHTS_MAX), -LNX_ENOMEM.
 */
int unixsock_attach(struct file *f, struct file *const *files, uint32_t n);
/* The files that came with f's next byte to receive, moved to out (their references the caller's): how many. */
uint32_t unixsock_take_rights(struct file *f, struct file **out);
/*
 * Named sockets. socket(AF_UNIX): an end with no peer. bind to name: a
 * path's is made a file of fs's at path (absolute, plain; the caller's umask
 * applied to mode) and the end found by its number (EADDRINUSE if it is
 * there); an abstract name is the server's alone (EADDRINUSE while a socket
 * has it); none (len 0) autobinds, Linux's way: an abstract name of 5 hex
 * digits. getsockname says name. listen, connect (a stream's: ECONNREFUSED
 * without a listener there; a datagram socket's names where its sends go),
 * accept (SYS_DEFER while none waits): 0 or -errno; accept's new end in *out.
 */
int unixsock_socket(uint32_t type, uint32_t flags, struct file **f);
int32_t unixsock_bind(struct file *f, const struct unixsock_name *name, const char *path, uint32_t mode);
int32_t unixsock_listen(struct file *f, uint32_t backlog);
int32_t unixsock_connect(struct file *f, const struct unixsock_name *name, const char *path);
int32_t unixsock_accept(struct file *f, uint32_t flags, struct file **out);
/* The name f is bound to (peer: its peer's), NULL for an unnamed end. */
const struct unixsock_name *unixsock_name(const struct file *f, bool peer);
/* Whether f has a peer (a pair's end, a connected or accepted one). */
bool unixsock_connected(const struct file *f);
/* Whether fs's file ino is a bound socket's name (stat says S_IFSOCK). */
bool unixsock_bound_ino(uint64_t ino);
/* shutdown(how): 0 SHUT_RD, 1 SHUT_WR, 2 both. 0 or -LNX_EINVAL. */
int32_t unixsock_shutdown(struct file *f, uint32_t how);

/* What a held call on these sockets waits on (a change of any end wakes it). */
extern const char usock_key;

#endif
