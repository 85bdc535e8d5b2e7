/*
 * What a socket keeps of its input (sock.h, sock_rx_keep). lwIP's packet
 * buffers are shared: 128 pool pbufs hold every frame taken from the RX
 * ring, and the heap holds loopback packets. A socket whose owner does not
 * read used to keep what it received in them: about eight TCP connections'
 * windows, or four UDP sockets' queues of small datagrams, took the whole
 * pool, and then no frame could come in for anyone.
 *
 * Now a socket keeps at most one of lwIP's buffers: a lone pool pbuf when it
 * holds no other (a reader that keeps up, as most do, never costs a copy).
 * Anything else is copied into memory of its own and lwIP's buffer is freed
 * at once. That memory is bounded by what the socket may hold anyway: TCP's
 * window (the peer may send only what tcp_recved gave back, so 16 segments'
 * worth; the copies are packed into chunks, so that a peer's one-byte
 * segments cost bytes, not a buffer each), a UDP socket's SOCK_DGRAM_QUEUE
 * datagrams and GNS_SOCK_QUEUE_BYTES. So the pool holds at most SOCK_MAX
 * pbufs for sockets (sock.c checks that it is larger), the rest for input;
 * a socket that does not read fills only its own window or queue, and then
 * its own input is what lwIP refuses (TCP: the peer's window is shut) or
 * drops (UDP: the queue is full).
 */
#include <stdlib.h>
#include <string.h>
#include "lwip/pbuf.h"
#include "sock_rx.h"

#define CHUNK 2048	/* bytes of one copy for TCP; more segments are packed into it */

struct chunk {
	struct pbuf_custom pc;	/* first: lwIP frees it through pc */
	u16_t cap;		/* bytes of data[] */
	u8_t data[];
};

static void
chunk_free(struct pbuf *p)
{
	free(p);	/* the chunk begins with its pbuf */
}

static bool
is_chunk(const struct pbuf *p)
{
	return (p->flags & PBUF_FLAG_IS_CUSTOM) && ((const struct pbuf_custom *)p)->custom_free_function == chunk_free;
}

/* A pbuf of ours holding len bytes, with room for cap. */
static struct pbuf *
chunk_new(u16_t len, u16_t cap)
{
	struct chunk *c = malloc(sizeof *c + cap);

	if (!c)
		return NULL;
	c->pc.custom_free_function = chunk_free;
	c->cap = cap;
	return pbuf_alloced_custom(PBUF_RAW, len, PBUF_REF, &c->pc, c->data, cap);
}

static bool
from_lwip(const struct pbuf *p)
{
	return !is_chunk(p);
}

bool
sock_rx_holds_lwip(const struct pbuf *chain)
{
	for (const struct pbuf *q = chain; q; q = q->next)
		if (from_lwip(q))
			return true;
	return false;
}

/* May p be kept as it is, by a socket that holds lwIP's buffers or not? */
static bool
keep_as_is(const struct pbuf *p, bool holds)
{
	return !holds && !p->next && pbuf_match_allocsrc(p, PBUF_POOL);
}

struct pbuf *
sock_rx_datagram(struct pbuf *p, bool holds)
{
	struct pbuf *c;

	if (keep_as_is(p, holds))
		return p;
	if ((c = chunk_new(p->tot_len, p->tot_len ? p->tot_len : 1)) == NULL)
		return NULL;
	pbuf_copy_partial(p, c->payload, p->tot_len, 0);
	pbuf_free(p);
	return c;
}

/* The last pbuf of a chain. */
static struct pbuf *
last(struct pbuf *q)
{
	while (q->next)
		q = q->next;
	return q;
}

bool
sock_rx_stream(struct pbuf **rx, struct pbuf *p)
{
	struct pbuf *t = *rx ? last(*rx) : NULL, *fresh = NULL;
	u16_t room = 0, off = 0, n = p->tot_len;

	if (keep_as_is(p, *rx && sock_rx_holds_lwip(*rx))) {
		if (*rx)
			pbuf_cat(*rx, p);
		else
			*rx = p;
		return true;
	}
	if (t && is_chunk(t)) {
		struct chunk *c = (struct chunk *)t;
		room = (u16_t)(c->data + c->cap - ((u8_t *)t->payload + t->len));
	}
	/* every chunk it needs first, so that a failure changes nothing */
	for (int need = n - room; need > 0; need -= CHUNK) {
		struct pbuf *c = chunk_new(0, CHUNK);
		if (!c) {
			if (fresh)
				pbuf_free(fresh);
			return false;
		}
		if (fresh)
			pbuf_cat(fresh, c);
		else
			fresh = c;
	}
	if (fresh) {
		if (*rx)
			pbuf_cat(*rx, fresh);
		else
			*rx = fresh;
	}
	if (room == 0)
		t = fresh;
	while (off < n) {
		u16_t k;

		room = (u16_t)(((struct chunk *)t)->data + ((struct chunk *)t)->cap - ((u8_t *)t->payload + t->len));
		k = (u16_t)(n - off < room ? n - off : room);
		pbuf_copy_partial(p, (u8_t *)t->payload + t->len, k, off);
		t->len = (u16_t)(t->len + k);
		for (struct pbuf *q = *rx; q; q = q->next) {
			q->tot_len = (u16_t)(q->tot_len + k);
			if (q == t)
				break;	/* the chunks after t are empty yet: their tot_len is theirs */
		}
		off = (u16_t)(off + k);
		t = t->next;
	}
	pbuf_free(p);
	return true;
}
