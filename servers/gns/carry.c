/*
 * The encoding of what gns's say to each other (carry.h): a growing buffer
 * to write into and a bounded reader that never reads past its end. No Mach
 * and no lwIP, so a host test could run it as it is.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "carry.h"

static bool
reserve(struct carry_out *o, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (o->failed)
		return false;
	if (o->len + n <= o->cap)
		return true;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + n)
		cap *= 2;
	if ((p = realloc(o->p, cap)) == NULL) {
		o->failed = true;
		return false;
	}
	o->p = p;
	o->cap = cap;
	return true;
}

void
carry_put_bytes(struct carry_out *o, const void *p, size_t n)
{
	if (n && reserve(o, n)) {
		memcpy(o->p + o->len, p, n);
		o->len += n;
	}
}

/*
 * The small puts write in place when the buffer has room (a message's header
 * is a dozen of them: each a memcpy call before).
 */
void
carry_put8(struct carry_out *o, uint8_t v)
{
	if (!o->failed && o->len < o->cap)
		o->p[o->len++] = v;
	else
		carry_put_bytes(o, &v, 1);
}

void
carry_put32(struct carry_out *o, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	if (!o->failed && o->cap - o->len >= 4) {
		uint8_t *at = o->p + o->len;
		at[0] = b[0];
		at[1] = b[1];
		at[2] = b[2];
		at[3] = b[3];
		o->len += 4;
	} else {
		carry_put_bytes(o, b, 4);
	}
}

void
carry_put_gid(struct carry_out *o, const struct gport *g)
{
	uint8_t b[GPORT_WIRE_SIZE];

	if (!o->failed && o->cap - o->len >= GPORT_WIRE_SIZE) {
		gport_encode(g, o->p + o->len);
		o->len += GPORT_WIRE_SIZE;
		return;
	}
	gport_encode(g, b);
	carry_put_bytes(o, b, sizeof b);
}

void
carry_put_right_ns(struct carry_out *o, enum carry_right r, const struct gport *g, const struct carry_ns *ns)
{
	carry_put8(o, (uint8_t)r);
	if (r == RIGHT_SEND || r == RIGHT_ONCE || r == RIGHT_RECEIVE)
		carry_put_gid(o, g);
	if (r == RIGHT_RECEIVE) {
		carry_put8(o, ns && ns->kind == RIGHT_ONCE ? RIGHT_ONCE : RIGHT_NULL);
		if (ns && ns->kind == RIGHT_ONCE)
			carry_put_gid(o, &ns->gid);
	}
}

void
carry_put_right(struct carry_out *o, enum carry_right r, const struct gport *g)
{
	carry_put_right_ns(o, r, g, NULL);
}

void
carry_out_reset(struct carry_out *o)
{
	/* lent[] is read only below nlent: zeroing its 64 entries cost 200 instructions a claim */
	memset(o, 0, offsetof(struct carry_out, lent));
}

void
carry_out_rewind(struct carry_out *o)
{
	uint8_t *p = o->p;
	size_t cap = o->cap;

	carry_out_reset(o);
	if (cap <= CARRY_KEEP) {
		o->p = p;
		o->cap = cap;
	} else {
		free(p);
	}
}

void
carry_out_free(struct carry_out *o)
{
	free(o->p);
	carry_out_reset(o);
}

void
carry_lend(struct carry_out *o, const void *p, size_t n)
{
	if (o->failed || !n)
		return;
	if (o->nlent == CARRY_LENT_MAX) {
		carry_put_bytes(o, p, n);	/* (one per descriptor at most: not reached) */
		return;
	}
	o->lent[o->nlent].at = o->len;
	o->lent[o->nlent].p = p;
	o->lent[o->nlent].len = n;
	o->nlent++;
	o->lent_bytes += n;
}

int
carry_parts(const struct carry_out *o, struct xport_part *parts)
{
	size_t from = 0;
	int n = 0;

	for (int i = 0; i < o->nlent; i++) {
		if (o->lent[i].at > from)
			parts[n++] = (struct xport_part){ o->p + from, o->lent[i].at - from };
		parts[n++] = (struct xport_part){ o->lent[i].p, o->lent[i].len };
		from = o->lent[i].at;
	}
	if (o->len > from)
		parts[n++] = (struct xport_part){ o->p + from, o->len - from };
	return n;
}

const uint8_t *
carry_get_bytes(struct carry_in *in, size_t n)
{
	const uint8_t *p;

	if (in->bad || n > in->len - in->off) {
		in->bad = true;
		return NULL;
	}
	p = in->p + in->off;
	in->off += n;
	return p;
}

uint8_t
carry_get8(struct carry_in *in)
{
	const uint8_t *p = carry_get_bytes(in, 1);

	return p ? p[0] : 0;
}

uint32_t
carry_get32(struct carry_in *in)
{
	const uint8_t *p = carry_get_bytes(in, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

void
carry_get_gid(struct carry_in *in, struct gport *g)
{
	const uint8_t *p = carry_get_bytes(in, GPORT_WIRE_SIZE);

	if (!p || gport_decode(p, GPORT_WIRE_SIZE, g) != 0) {
		in->bad = true;
		memset(g, 0, sizeof *g);
	}
}

enum carry_right
carry_get_right_ns(struct carry_in *in, struct gport *g, struct carry_ns *ns)
{
	uint8_t r = carry_get8(in);

	ns->kind = RIGHT_NULL;
	if (r == RIGHT_SEND || r == RIGHT_ONCE || r == RIGHT_RECEIVE)
		carry_get_gid(in, g);
	else if (r != RIGHT_NULL && r != RIGHT_DEAD)
		in->bad = true;
	if (r == RIGHT_RECEIVE) {
		uint8_t k = carry_get8(in);
		if (k == RIGHT_ONCE) {
			ns->kind = RIGHT_ONCE;
			carry_get_gid(in, &ns->gid);
		} else if (k != RIGHT_NULL) {
			in->bad = true;
		}
	}
	return in->bad ? RIGHT_NULL : (enum carry_right)r;
}

enum carry_right
carry_get_right(struct carry_in *in, struct gport *g)
{
	struct carry_ns ns;

	return carry_get_right_ns(in, g, &ns);
}
