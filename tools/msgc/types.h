/*
 * The type model: what an argument is on the wire and in C. Every type reduces to one
 * of seven kinds; arrays and out-of-line memory have a scalar element type. The table
 * starts with the predefined types (fixed-width integers, Mach's scalar types, MIG's
 * MACH_MSG_TYPE_* names, and port types) and grows with each `type` declaration.
 */
#ifndef MSGC_TYPES_H
#define MSGC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lexer.h"

enum type_kind {
	KIND_SCALAR,		/* an integer, inline */
	KIND_PORT,		/* a port right in a port descriptor */
	KIND_ARRAY_FIXED,	/* array[N] of scalar, inline */
	KIND_ARRAY_BOUNDED,	/* array[*:N] of scalar, inline with a count */
	KIND_STRING_FIXED,	/* c_string[N]: N bytes, NUL inside */
	KIND_STRING_BOUNDED,	/* c_string[*:N]: counted, at most N bytes with the NUL */
	KIND_OOL,		/* ^array[] / ^array[*:N] of scalar: out-of-line memory
				 * (or of a port type: an out-of-line array of rights) */
	KIND_PORT_ARRAY,	/* array[*:N] of a port type: N port descriptors, the count inline */
};

#define TYPE_UNBOUNDED UINT32_MAX	/* the count of ^array[] */

struct type {
	char name[MSGC_NAME_MAX];	/* declared name; "" for a type written in place */
	char c_name[MSGC_NAME_MAX];	/* scalars and ports: the C type to use */
	enum type_kind kind;
	bool predefined;
	int line;			/* of the declaration */
	uint32_t size;			/* scalars: bytes */
	const struct type *elem;	/* arrays and out-of-line memory: a scalar */
	uint32_t count;			/* N of array[N], c_string[N] and the [*:N] forms */
	uint32_t disposition;		/* ports: MACH_MSG_TYPE_* value when sent */
	const char *disposition_name;	/* ports: its macro name */
	const struct type *alias_of;	/* declared as another named type: that type */
	bool poly;			/* ports: polymorphic, the disposition travels beside it */
	char ctype[MSGC_NAME_MAX];	/* out-of-line: the C type of the pointer (ctype:), or "" */
	bool noclear;			/* inline arrays: an out one's buffer is not zeroed (noclear) */
};

struct type_table {
	struct type **types;
	size_t count, capacity;
};

void types_init(struct type_table *table);
void types_free(struct type_table *table);
/* A new zeroed type owned by the table (named or not); aborts when memory runs out. */
struct type *types_add(struct type_table *table);
const struct type *types_find(const struct type_table *table, const char *name);

/* The right a receiver holds after a port of this disposition is sent to it. */
const char *type_received_right(const struct type *t);
/* Whether the type may name the destination of a request: a send or send-once right. */
bool type_is_send_right(const struct type *t);
/* Inline bytes at most (zero for descriptors; an inline port array's count), and
 * whether it travels in descriptors, and how many. */
uint32_t type_inline_max(const struct type *t);
bool type_is_descriptor(const struct type *t);
uint32_t type_descriptors(const struct type *t);
/* Out-of-line memory whose elements are port rights (an OOL ports descriptor). */
bool type_is_port_array(const struct type *t);
/* The C type of one element (arrays, out-of-line) or of the value (scalars, ports). */
const char *type_c_elem(const struct type *t);
const char *type_kind_describe(const struct type *t);

/* Most ports in an inline port array: each is a descriptor of its own. */
#define TYPE_PORT_ARRAY_LIMIT 32u

/* Largest inline item: bigger data belongs out of line. */
#define TYPE_INLINE_LIMIT 65536u

#endif
