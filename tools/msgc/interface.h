/*
 * The interface a .defs file declares: a subsystem with a base id, its routines and
 * their arguments, the imports, and the types (types.h). Filled by the parser, read by
 * the generators. Also the message layout facts both generators share: which
 * arguments travel in which message, as descriptors or inline, and the largest sizes.
 */
#ifndef MSGC_INTERFACE_H
#define MSGC_INTERFACE_H

#include <stdbool.h>
#include <stdint.h>
#include "types.h"

enum direction { DIR_IN, DIR_OUT, DIR_INOUT };

struct arg {
	char name[MSGC_NAME_MAX];
	enum direction dir;
	const struct type *type;
	bool dealloc;		/* out-of-line: unmap from the sender once sent */
	bool same_count;	/* SameCount: no count parameter of its own, count_name's instead */
	char count_name[MSGC_NAME_MAX];	/* whose XCnt the C code counts it by: its own name, or
					 * for SameCount the first array of its chain */
	int line;
};

/* args[0] is always the request port: the destination of the request. */
struct routine {
	char name[MSGC_NAME_MAX];
	bool simple;		/* simpleroutine: one-way, no reply */
	int line;
	uint32_t index;		/* id = subsystem base + index */
	char waittime[MSGC_NAME_MAX];	/* the reply's timeout in ms (a number or a C name); "": none */
	bool retry;		/* idempotent: sent once more when the server died holding it */
	struct arg *args;
	size_t nargs;
};

enum import_side { IMPORT_BOTH, IMPORT_CLIENT, IMPORT_SERVER };

struct import {
	char file[260];		/* as written: "x.h" or <x.h> */
	enum import_side side;
};

struct interface {
	const char *defs_file;
	char name[MSGC_NAME_MAX];
	uint32_t base;
	struct type_table types;
	struct routine *routines;
	size_t nroutines;
	struct import *imports;
	size_t nimports;
};

void interface_free(struct interface *itf);

/* Reply ids are request ids + 100, as in MIG. */
#define REPLY_ID_OFFSET 100

/* Which message an argument travels in. */
bool arg_in_request(const struct arg *a);
bool arg_in_reply(const struct arg *a);
/* Descriptors in the request or in a successful reply. */
uint32_t routine_request_descriptors(const struct routine *r);
uint32_t routine_reply_descriptors(const struct routine *r);
/* Largest message sizes, in bytes; a reply is at least a mig_reply_error_t. */
uint32_t routine_request_max(const struct routine *r);
uint32_t routine_reply_max(const struct routine *r);
uint32_t interface_request_max(const struct interface *itf);
uint32_t interface_reply_max(const struct interface *itf);

#endif
