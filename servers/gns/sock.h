/*
 * gns's sockets (sock.c, sock_tcp.c, sock_udp.c): one struct per socket,
 * each a port in gns's port set, served over lwIP's raw API. NO_SYS: only
 * the loop thread touches them, so there is no lock. A call that must wait
 * is a deferred reply held on what it waits for (msg_defer_on): lwIP's
 * callbacks change the socket and call sock_wake with it, and the requests
 * held on it are served again.
 */
#ifndef GNS_SOCK_H
#define GNS_SOCK_H

#include "sock_rx.h"
#include <stdbool.h>
#include <stdint.h>
#include <mach/mach.h>
#include <manifold/msg.h>
#include "client.h"
#include "reg.h"

#define SOCK_MAX	64	/* sockets gns serves at once, accepted ones waiting included */
#define SOCK_BACKLOG_MAX 16
#define SOCK_DGRAM_QUEUE 32	/* datagrams held for a UDP socket; more are dropped */

struct pbuf;
struct tcp_pcb;
struct udp_pcb;

/* A datagram waiting to be read, with its sender. */
struct sock_dgram {
	struct sock_dgram *next;
	struct pbuf *p;
	uint32_t ip, port;
};

struct sock {
	bool used;
	int type;			/* SOCK_DGRAM or SOCK_STREAM */
	mach_port_t port;		/* receive right; NULL while accepted but not yet taken */
	struct tcp_pcb *tcp;		/* NULL once lwIP freed it (error, reset, close) */
	struct udp_pcb *udp;
	struct reg *reg;		/* the registration of the port we bound, if it is ours */
	mach_port_t reg_right;		/* a registration's send right we took (bind_registered) */
	int err;			/* SOCK_E* to report next (reset, refused), else 0 */
	bool listening, connecting, connected;
	bool eof;			/* TCP: the peer sent FIN */
	bool shut_rd, shut_wr;
	uint32_t peer_ip, peer_port;	/* UDP: the connected peer (0: none) */

	struct pbuf *rx;		/* TCP: received, not read yet */
	struct sock_dgram *dq, *dq_tail; /* UDP: datagrams not read yet */
	int ndq;
	uint32_t dq_bytes;		/* UDP: their bytes, at most GNS_SOCK_QUEUE_BYTES */
	uint32_t dropped;		/* UDP: datagrams dropped on a full queue */
	struct client *owner;		/* who is charged for it (accepted: the listener's) */

	mach_port_t notify;		/* socket_notify's send-once right, while armed */
	uint32_t notify_id, notify_events;

	struct sock *listener;		/* an accepted connection not taken yet: whose */
	struct sock *pending[SOCK_BACKLOG_MAX];	/* listener: connections not accepted yet */
	int npending, backlog;
};

/* service.c: the server, so that callbacks can wake deferred requests. */
void sock_init(struct msg_server *s, mach_port_t set);

struct msg_server *sock_server(void);

/*
 * Something a waiting call may want happened to key: serve again the
 * requests held on it. Keys: a socket (its data, connection, end, errors;
 * a listener's connections), the client that owns it (room for TCP data
 * in its share: any of its connections' acknowledgements), a registration
 * (its frames).
 */
void sock_wake(const void *key);

/* A new receive right in the loop's set, with no-senders asked on itself; NULL if refused. */
mach_port_t sock_port_in_set(void);
/*
 * The answer to a call of c's that cannot go on yet: SOCK_EWOULDBLOCK,
 * `expired`, SOCK_EDQUOT (c has GNS_CLIENT_HELD calls held already), or held
 * on key until sock_wake(key) (MIG_NO_REPLY).
 */
kern_return_t sock_wait_on(struct client *c, const void *key, uint32_t flags, uint32_t timeout_ms,
			   kern_return_t expired);
/* An lwIP err_t as a SOCK_E* code (0 for ERR_OK). */
int sock_lwip_error(int err);

/* A free slot, zeroed, marked used and charged to owner: NULL and *err (SOCK_EDQUOT, SOCK_ENOBUFS). */
struct sock *sock_alloc(int type, struct client *owner, int *err);
/* Gives s its port (no-senders asked, in the set); false if the kernel refuses. */
bool sock_give_port(struct sock *s);
/* The socket served on port, or NULL. */
struct sock *sock_find(mach_port_t port);
/* Closes s at once: pcb, queued data, registration, port, held requests. */
void sock_destroy(struct sock *s);
/* Registers s's bound local port for s (when lwIP chose it). */
void sock_register_bound(struct sock *s, uint32_t port);
/* How many sockets are open. */
int sock_count(void);
/* How many requests of c's are held on its sockets. */
int sock_held_by(struct client *c);
/* netstat's records of every socket, from out[at] on, at most max; returns how many there are. */
int sock_netstat_records(uint32_t *out, int at, int max);

/* sock_tcp.c */
int tcp_sock_open(struct sock *s);
int tcp_sock_bind(struct sock *s, uint32_t ip, uint32_t port);
int tcp_sock_listen(struct sock *s, uint32_t backlog);
int tcp_sock_connect(struct sock *s, uint32_t ip, uint32_t port);
/* How many of len bytes TCP took (0: none fit now), or -SOCK_E*. */
/* Takes at most room bytes in at most room_segs segments of len: how many (0: wait), or -error. */
int tcp_sock_send(struct sock *s, const uint8_t *data, uint32_t len, uint32_t room, uint32_t room_segs);
/* Whether tcp_sock_send would take a byte now, with the owner's share's room. */
bool tcp_sock_send_room(struct sock *s, uint32_t room, uint32_t room_segs);
/* What s's connection has in lwIP: bytes sent or queued and not acknowledged, and their segments. */
void tcp_sock_held(struct sock *s, uint32_t *bytes, uint32_t *segs);
/* Copies up to max bytes out and acknowledges them to the peer. */
uint32_t tcp_sock_recv(struct sock *s, uint8_t *buf, uint32_t max);
uint32_t tcp_sock_readable(struct sock *s);
int tcp_sock_shutdown(struct sock *s, bool rd, bool wr);
void tcp_sock_close(struct sock *s);
uint32_t tcp_sock_local_port(struct sock *s);
void tcp_sock_name(struct sock *s, bool peer, uint32_t *ip, uint32_t *port);
/* netstat's record of s (GNS_NET_*), but its owner. */
void tcp_sock_netstat(struct sock *s, uint32_t *rec);

/* sock_udp.c */
int udp_sock_open(struct sock *s);
int udp_sock_bind(struct sock *s, uint32_t ip, uint32_t port);
int udp_sock_connect(struct sock *s, uint32_t ip, uint32_t port);
int udp_sock_send(struct sock *s, const uint8_t *data, uint32_t len, uint32_t ip, uint32_t port);
/* The next datagram (cut at max), with its sender; false when none waits. */
bool udp_sock_recv(struct sock *s, uint8_t *buf, uint32_t max, uint32_t *len, uint32_t *ip, uint32_t *port);
void udp_sock_close(struct sock *s);
void udp_sock_name(struct sock *s, uint32_t *ip, uint32_t *port);
void udp_sock_netstat(struct sock *s, uint32_t *rec);

#endif
