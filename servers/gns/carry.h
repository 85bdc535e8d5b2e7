/*
 * What one gns says to another through the transport (carry.c): a Mach
 * message carried to its destination's home node, and the few control
 * messages around it. Every payload starts with its kind. Integers are
 * big-endian; a port right travels as its kind and, for a send or send-once
 * right, the global identity (transport/gport.h) of the port.
 *
 *   MSG      dest gid, msgh_id, flags (bit 0: complex), reply right (a receive
 *            right is followed by its no-senders request: struct carry_ns),
 *            descriptor count, each descriptor (a port right; out-of-line
 *            bytes: size then the bytes; an out-of-line array of rights:
 *            count then the rights, all of one kind but null and dead ones),
 *            inline data length and the data
 *   NAK      a gid: that port is gone or was forged; the sender's proxy dies
 *   DROP     a gid: the send-once proxy of that port was destroyed unused
 *   PING     nothing: makes the session come up when a peer is first heard
 *   LOOKUP   request id, a name (length, bytes)
 *   FOUND    request id, a gid;  MISSING  request id
 *   RELEASE  a gid, a count: the sender's proxy of that port had no senders
 *            left; it had been given the identity count times (proxy.c)
 *   ADD      a gid, a node: the sender passed its proxy's right to that node,
 *            which holds the identity now too (sent to the gid's home)
 *   MOVED    the gid a receive right was carried under, and the port's new
 *            identity at its new home (sent back to the old home)
 *   PAUSE    a gid: its home holds many messages for it; the sender's proxy
 *            stops taking messages (its own queue fills, its senders wait)
 *   RESUME   a gid: the home's hold for it drained; the proxy takes them again
 *            (it also ends a redirection the old home could not carry out)
 *   REDIRECT  old gid, new gid: the port moved; flush and come straight (redirect.c)
 *   FLUSH     old gid: sent behind everything the sender sent to it
 *   MARK      new gid, old gid, a node: the flush reached the new home
 *   REDIRECTED old gid, new gid: the node may use the new identity now
 */
#ifndef GNS_CARRY_H
#define GNS_CARRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gport.h"
#include "xport.h"

enum carry_kind { CARRY_MSG = 1, CARRY_NAK, CARRY_DROP, CARRY_PING, CARRY_LOOKUP, CARRY_FOUND, CARRY_MISSING,
		  CARRY_RELEASE, CARRY_ADD, CARRY_MOVED, CARRY_PAUSE, CARRY_RESUME, CARRY_REDIRECT, CARRY_FLUSH,
		  CARRY_MARK, CARRY_REDIRECTED };

/*
 * A right as carried: none, a dead name, a send or send-once right to a gid,
 * or a receive right moving to the destination's node (its gid names the
 * move, for the MOVED answer: proxy.c, Receive rights that move).
 */
enum carry_right { RIGHT_NULL, RIGHT_DEAD, RIGHT_SEND, RIGHT_ONCE, RIGHT_RECEIVE };

/*
 * What a receive right carries along: the no-senders request its receiver
 * had on it, as the send-once right the notification goes to (RIGHT_ONCE
 * and its gid), or none (RIGHT_NULL). On the wire right after the receive
 * right's gid.
 */
struct carry_ns {
	enum carry_right kind;
	struct gport gid;
};

/* Descriptor kinds in a MSG. */
enum carry_desc { DESC_PORT, DESC_OOL, DESC_PORTS };

#define CARRY_INLINE_MAX 16384	/* a carried message's inline bytes, past its header */
#define CARRY_DESC_MAX 64	/* descriptors in one carried message */
#define CARRY_RIGHTS_MAX 256	/* rights in one: the header's, the descriptors', the arrays' entries */
#define CARRY_NAME_MAX 128

/*
 * A growing buffer; once an allocation fails, `failed` stays true and nothing
 * more is written. Large out-of-line regions are not copied into it but lent
 * (carry_lend): the message is the buffer with each lent region inserted at
 * the offset it was lent at (carry_parts), so that the transport reads a
 * region in place as its fragments go (xport_send_parts).
 */
#define CARRY_LENT_MAX CARRY_DESC_MAX
struct carry_out {
	uint8_t *p;
	size_t len, cap;
	bool failed;
	int nlent;
	size_t lent_bytes;
	struct {
		size_t at;		/* the buffer's length when it was lent */
		const void *p;
		size_t len;
	} lent[CARRY_LENT_MAX];
};

void carry_put8(struct carry_out *o, uint8_t v);
void carry_put32(struct carry_out *o, uint32_t v);
void carry_put_gid(struct carry_out *o, const struct gport *g);
void carry_put_bytes(struct carry_out *o, const void *p, size_t n);
/* A right: its kind, and its gid if it has one (a receive right with no request along). */
void carry_put_right(struct carry_out *o, enum carry_right r, const struct gport *g);
/* The same, a receive right with its no-senders request (ns NULL: none). */
void carry_put_right_ns(struct carry_out *o, enum carry_right r, const struct gport *g, const struct carry_ns *ns);
void carry_out_free(struct carry_out *o);
/* Empty, as {0} makes it, without touching what lies past the lent regions in use. */
void carry_out_reset(struct carry_out *o);
/*
 * Empty for the next message, its buffer kept when it is no larger than
 * CARRY_KEEP (else freed): a claim's encoding costs no malloc and free.
 */
#define CARRY_KEEP 4096
void carry_out_rewind(struct carry_out *o);
/* n bytes at p, read in place later: the caller keeps them until the message has gone. */
void carry_lend(struct carry_out *o, const void *p, size_t n);
/* The message as parts, in order (at most 2 * CARRY_LENT_MAX + 1): how many. */
int carry_parts(const struct carry_out *o, struct xport_part *parts);

/* A reader; once a read runs past the end or finds a bad value, `bad` stays true and reads give 0. */
struct carry_in {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

uint8_t carry_get8(struct carry_in *in);
uint32_t carry_get32(struct carry_in *in);
/* A gid, refused (bad) if any field is zero. */
void carry_get_gid(struct carry_in *in, struct gport *g);
/* n bytes in place, or NULL (bad) if fewer are left. */
const uint8_t *carry_get_bytes(struct carry_in *in, size_t n);
/* A right: its kind, and *g when it is RIGHT_SEND, RIGHT_ONCE or RIGHT_RECEIVE. */
enum carry_right carry_get_right(struct carry_in *in, struct gport *g);
/* The same, and a receive right's request in *ns (kind RIGHT_NULL for none or another kind of right). */
enum carry_right carry_get_right_ns(struct carry_in *in, struct gport *g, struct carry_ns *ns);

#endif
